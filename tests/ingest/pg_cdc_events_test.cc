// wal2json format-version 2 messages (as PostgreSQL 15 with wal2json 2.5 prints them) turned
// into change events: ops, row images from columns and identity, exact numerics, key changes
// split into a delete and a create, transaction boundaries with their commit LSN.
#include "tarn/ingest/pg_cdc_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tarn::ingest {
namespace {

using nlohmann::json;

const std::vector<std::string> kKey = {"id"};

std::vector<json> Events(const std::string& message) {
  auto m = DecodeWalMessage(message, kKey, 731, 1700000000000);
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
  auto b = DecodeWalMessage(
      R"({"action":"B","timestamp":"2026-11-26 01:29:19.723592+00","lsn":"0/1541960","nextlsn":"0/1541990"})",
      kKey, 727, 0);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->action, 'B');
  EXPECT_EQ(b->commit_lsn, 0x1541990);
  auto t = DecodeWalMessage(R"({"action":"T","schema":"public","table":"t"})", kKey, 727, 0);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->action, 'T');
  EXPECT_TRUE(t->events.empty());
  EXPECT_FALSE(DecodeWalMessage("{not json", kKey, 1, 0).ok());
  EXPECT_FALSE(DecodeWalMessage(R"({"action":"B"})", kKey, 1, 0).ok());
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

TEST(PgCdcEventsTest, SnapshotRowsComeBeforeEveryChange) {
  json e = json::parse(SnapshotEvent(R"({"id":1})", "public.t", 5));
  EXPECT_EQ(e["op"], "r");
  EXPECT_EQ(e["after"]["id"], 1);
  EXPECT_EQ(e["source"]["lsn"], 0);
}

}  // namespace
}  // namespace tarn::ingest
