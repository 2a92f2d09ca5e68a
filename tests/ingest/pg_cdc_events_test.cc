// Logical decoding output turned into change events: wal2json format-version 2 messages (as
// PostgreSQL 15 with wal2json 2.5 prints them) and pgoutput protocol-1 messages (built byte by
// byte here): ops, row images from new and old tuples, exact numerics, key changes split into
// a delete and a create, transaction boundaries with their commit LSNs.
#include "tarn/ingest/pg_cdc_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tarn/ingest/pg_pgoutput.h"
#include "tarn/ingest/pg_wal2json.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

const std::vector<std::string> kKey = {"id"};

Result<WalMessage> Wal2Json(const std::string& message, int64_t xid = 731, int64_t now_ms = 0) {
  return MakeWal2JsonDecoder(kKey)->Decode(0, xid, message, now_ms);
}

std::vector<json> Events(const std::string& message) {
  auto m = Wal2Json(message, 731, 1700000000000);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  std::vector<json> out;
  for (const std::string& e : m->events) out.push_back(json::parse(e));
  return out;
}

TEST(PgCdcEventsTest, LsnsReadAndPrintAsPostgreSqlDoes) {
  EXPECT_EQ(ParseLsn("0/1541DC8").value(), 0x1541DC8);
  EXPECT_EQ(ParseLsn("16/B374D848").value(), (int64_t{0x16} << 32) | 0xB374D848);
  EXPECT_EQ(FormatLsn(ParseLsn("16/B374D848").value()), "16/B374D848");
  EXPECT_FALSE(ParseLsn("16-B374").ok());
  EXPECT_FALSE(ParseLsn("1/2x").ok());
}

TEST(PgCdcEventsTest, TransactionsCarryTheirCommitLsn) {
  auto b = Wal2Json(
      R"({"action":"B","timestamp":"2026-11-26 01:29:19.723592+00","lsn":"0/1541960","nextlsn":"0/1541990"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->action, 'B');
  EXPECT_EQ(b->lsn, 0x1541990);
  auto t = Wal2Json(R"({"action":"T","schema":"public","table":"t"})");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->action, 'T');
  EXPECT_TRUE(t->events.empty());
  EXPECT_FALSE(Wal2Json("{not json").ok());
  EXPECT_FALSE(Wal2Json(R"({"action":"B"})").ok());
}

TEST(PgCdcEventsTest, InsertsBecomeCreatesWithExactValues) {
  auto events = Events(
      R"({"action":"I","timestamp":"2026-11-26 01:29:19.723592+00","lsn":"0/1541730",)"
      R"("schema":"public","table":"t","columns":[)"
      R"({"name":"id","type":"integer","typeoid":23,"value":1},)"
      R"({"name":"amount","type":"numeric","typeoid":1700,"value":1234567890123456789012.50},)"
      R"({"name":"f","type":"double precision","typeoid":701,"value":1.5},)"
      R"({"name":"ts","type":"timestamp with time zone","typeoid":1184,"value":"2026-11-26 01:29:19.722721+00"},)"
      R"({"name":"j","type":"jsonb","typeoid":3802,"value":"{\"a\": 1}"},)"
      R"({"name":"b","type":"boolean","typeoid":16,"value":true},)"
      R"({"name":"n","type":"text","typeoid":25,"value":null}]})");
  ASSERT_EQ(events.size(), 1u);
  const json& e = events[0];
  EXPECT_EQ(e["op"], "c");
  EXPECT_TRUE(e["before"].is_null());
  EXPECT_EQ(e["after"]["id"], 1);
  EXPECT_EQ(e["after"]["amount"], "1234567890123456789012.50");  // every digit kept
  EXPECT_EQ(e["after"]["f"], 1.5);
  EXPECT_EQ(e["after"]["ts"], "2026-11-26T01:29:19.722721+00");
  EXPECT_EQ(e["after"]["j"], json::parse(R"({"a":1})"));
  EXPECT_EQ(e["after"]["b"], true);
  EXPECT_TRUE(e["after"]["n"].is_null());
  EXPECT_EQ(e["source"]["lsn"], 0x1541730);
  EXPECT_EQ(e["source"]["ts_ms"], 1795656559723);  // the commit time
  EXPECT_EQ(e["source"]["table"], "public.t");
  EXPECT_EQ(e["source"]["txId"], 731);
  EXPECT_EQ(e["ts_ms"], 1700000000000);
}

TEST(PgCdcEventsTest, UpdatesAndDeletesCarryTheOldRow) {
  // REPLICA IDENTITY FULL: the old row in identity; an unchanged TOASTed column is not logged
  // again in columns and comes from the old row.
  auto update = Events(
      R"({"action":"U","lsn":"0/1541990","schema":"public","table":"t",)"
      R"("columns":[{"name":"id","typeoid":23,"value":1},{"name":"name","typeoid":25,"value":"x"}],)"
      R"("identity":[{"name":"id","typeoid":23,"value":1},{"name":"name","typeoid":25,"value":"a"},)"
      R"({"name":"big","typeoid":25,"value":"long text"}]})");
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0]["op"], "u");
  EXPECT_EQ(update[0]["before"]["name"], "a");
  EXPECT_EQ(update[0]["after"]["name"], "x");
  EXPECT_EQ(update[0]["after"]["big"], "long text");
  auto del = Events(R"({"action":"D","lsn":"0/1541C88","schema":"public","table":"t",)"
                    R"("identity":[{"name":"id","typeoid":23,"value":1}]})");
  ASSERT_EQ(del.size(), 1u);
  EXPECT_EQ(del[0]["op"], "d");
  EXPECT_EQ(del[0]["before"]["id"], 1);
  EXPECT_TRUE(del[0]["after"].is_null());
  // Without an old row (REPLICA IDENTITY DEFAULT, key unchanged): an update with no before.
  auto plain = Events(R"({"action":"U","lsn":"0/1","schema":"public","table":"t",)"
                      R"("columns":[{"name":"id","typeoid":23,"value":1}]})");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_TRUE(plain[0]["before"].is_null());
}

TEST(PgCdcEventsTest, AKeyChangeIsADeleteAndACreate) {
  auto events = Events(
      R"({"action":"U","lsn":"0/1541BB0","schema":"public","table":"t",)"
      R"("columns":[{"name":"id","typeoid":23,"value":3},{"name":"name","typeoid":25,"value":"b"}],)"
      R"("identity":[{"name":"id","typeoid":23,"value":2},{"name":"name","typeoid":25,"value":"b"}]})");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["op"], "d");
  EXPECT_EQ(events[0]["before"]["id"], 2);
  EXPECT_EQ(events[1]["op"], "c");
  EXPECT_EQ(events[1]["after"]["id"], 3);
  EXPECT_EQ(events[0]["source"]["lsn"], events[1]["source"]["lsn"]);
}

// pgoutput messages, built as PostgreSQL sends them (protocol version 1, big-endian).
class PgOutput {
 public:
  PgOutput& Byte(char c) { return Raw(std::string(1, c)); }
  PgOutput& Int(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) data_.push_back(static_cast<char>(v >> (8 * i) & 0xff));
    return *this;
  }
  PgOutput& Str(const std::string& s) { return Raw(s + std::string(1, '\0')); }
  PgOutput& Raw(const std::string& s) {
    data_ += s;
    return *this;
  }
  // TupleData: "n" null, "u" unchanged TOAST, anything else a text value.
  PgOutput& Tuple(const std::vector<std::string>& values) {
    Int(values.size(), 2);
    for (const std::string& v : values) {
      if (v == "n" || v == "u") {
        Byte(v[0]);
      } else {
        Byte('t').Int(v.size(), 4).Raw(v);
      }
    }
    return *this;
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

std::string Relation() {  // public.t (id int4 key, name text, amount numeric, big text)
  PgOutput m;
  m.Byte('R').Int(16384, 4).Str("public").Str("t").Byte('f').Int(4, 2);
  m.Byte(1).Str("id").Int(23, 4).Int(-1, 4);
  m.Byte(0).Str("name").Int(25, 4).Int(-1, 4);
  m.Byte(0).Str("amount").Int(1700, 4).Int(-1, 4);
  m.Byte(0).Str("big").Int(25, 4).Int(-1, 4);
  return m.data();
}

TEST(PgCdcEventsTest, PgOutputMessagesBecomeEvents) {
  auto decoder = MakePgOutputDecoder(kKey);
  auto decode = [&](const std::string& data, int64_t lsn = 0x500) {
    auto m = decoder->Decode(lsn, 0, data, 7);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : WalMessage{};
  };
  // Begin: the commit record's start LSN, the commit time (microseconds since 2000), the xid.
  WalMessage begin =
      decode(PgOutput().Byte('B').Int(0x1541960, 8).Int(1000000, 8).Int(42, 4).data());
  EXPECT_EQ(begin.action, 'B');
  EXPECT_EQ(begin.lsn, 0x1541960);
  EXPECT_EQ(decode(Relation()).action, 0);
  WalMessage insert = decode(PgOutput()
                                 .Byte('I')
                                 .Int(16384, 4)
                                 .Byte('N')
                                 .Tuple({"1", "ann", "12345678901234567890.50", "n"})
                                 .data());
  ASSERT_EQ(insert.events.size(), 1u);
  json c = json::parse(insert.events[0]);
  EXPECT_EQ(c["op"], "c");
  EXPECT_EQ(c["after"],
            json::parse(R"({"id":1,"name":"ann","amount":"12345678901234567890.50","big":null})"));
  EXPECT_EQ(c["source"]["lsn"], 0x500);
  EXPECT_EQ(c["source"]["ts_ms"], 946684801000);
  EXPECT_EQ(c["source"]["txId"], 42);
  EXPECT_EQ(c["source"]["table"], "public.t");
  // REPLICA IDENTITY FULL: the old row ('O'); the unchanged TOASTed column comes from it.
  WalMessage update = decode(PgOutput()
                                 .Byte('U')
                                 .Int(16384, 4)
                                 .Byte('O')
                                 .Tuple({"1", "ann", "1.00", "long text"})
                                 .Byte('N')
                                 .Tuple({"1", "bea", "1.00", "u"})
                                 .data());
  ASSERT_EQ(update.events.size(), 1u);
  json u = json::parse(update.events[0]);
  EXPECT_EQ(u["op"], "u");
  EXPECT_EQ(u["before"]["name"], "ann");
  EXPECT_EQ(u["after"]["name"], "bea");
  EXPECT_EQ(u["after"]["big"], "long text");
  // The key changed: a delete of the old key ('K': key columns only) and a create.
  WalMessage moved = decode(PgOutput()
                                .Byte('U')
                                .Int(16384, 4)
                                .Byte('K')
                                .Tuple({"1", "n", "n", "n"})
                                .Byte('N')
                                .Tuple({"2", "bea", "1.00", "x"})
                                .data());
  ASSERT_EQ(moved.events.size(), 2u);
  EXPECT_EQ(json::parse(moved.events[0])["before"], json::parse(R"({"id":1})"));
  EXPECT_EQ(json::parse(moved.events[1])["after"]["id"], 2);
  WalMessage del =
      decode(PgOutput().Byte('D').Int(16384, 4).Byte('K').Tuple({"2", "n", "n", "n"}).data());
  ASSERT_EQ(del.events.size(), 1u);
  EXPECT_EQ(json::parse(del.events[0])["op"], "d");
  // Commit: the end of the commit record.
  WalMessage commit = decode(
      PgOutput().Byte('C').Byte(0).Int(0x1541960, 8).Int(0x1541990, 8).Int(1000000, 8).data());
  EXPECT_EQ(commit.action, 'C');
  EXPECT_EQ(commit.lsn, 0x1541990);
  // Truncated messages and changes of unknown relations are errors.
  EXPECT_FALSE(decoder->Decode(0, 0, PgOutput().Byte('B').Int(1, 4).data(), 0).ok());
  EXPECT_FALSE(
      decoder->Decode(0, 0, PgOutput().Byte('I').Int(99, 4).Byte('N').Tuple({"1"}).data(), 0).ok());
}

TEST(PgCdcEventsTest, SnapshotRowsComeBeforeEveryChange) {
  json e = json::parse(SnapshotEvent(R"({"id":1})", "public.t", 5));
  EXPECT_EQ(e["op"], "r");
  EXPECT_EQ(e["after"]["id"], 1);
  EXPECT_EQ(e["source"]["lsn"], 0);
}

}  // namespace
}  // namespace tarn::ingest
