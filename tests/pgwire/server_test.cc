// The front end end to end with libpq and a raw protocol client, over fake query sessions:
// authentication (SCRAM-SHA-256, cleartext, wrong tokens), the simple and extended protocols,
// type encodings on the wire, errors with SQLSTATE, session commands, transaction status,
// portals with row limits, cancel requests, connection limits and shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "pgwire/fake_session.h"
#include "tarn/base/crypto.h"
#include "tarn/pgwire/pg_server.h"
#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {
namespace {

using testing::FakeLog;
using testing::FakeSession;

std::string TempDir() {
  char tmpl[] = "/tmp/tarn-pgwire-XXXXXX";
  return mkdtemp(tmpl);
}

class PgServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    auto store = catalog::CatalogStore::Open("sqlite:" + dir_ + "/catalog.db");
    ASSERT_TRUE(store.ok());
    catalog_ = std::make_unique<catalog::CatalogService>(std::move(store).value(),
                                                         *storage::LakeLocation::Make(dir_));
    auto issued = catalog_->IssueToken("bi", "curated:read");
    ASSERT_TRUE(issued.ok());
    token_ = issued->secret;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(AuthMethod auth = AuthMethod::kScramSha256, int max_connections = 100) {
    PgServerOptions opts;
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.auth = auth;
    opts.max_connections = max_connections;
    auto log = log_;
    server_ = std::make_unique<PgServer>(
        [log](const catalog::Grants&) -> Result<std::unique_ptr<query::Session>> {
          return std::unique_ptr<query::Session>(std::make_unique<FakeSession>(log));
        },
        *catalog_, opts);
    ASSERT_TRUE(server_->Start().ok());
  }

  std::string Conninfo(const std::string& password, const std::string& extra = "") {
    return "host=127.0.0.1 port=" + std::to_string(server_->port()) +
           " user=analyst dbname=lake connect_timeout=5 password=" + password + " " + extra;
  }

  PGconn* Connect(const std::string& extra = "") {
    PGconn* c = PQconnectdb(Conninfo(token_, extra).c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }

  std::string dir_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::string token_;
  std::shared_ptr<FakeLog> log_ = std::make_shared<FakeLog>();
  std::unique_ptr<PgServer> server_;
};

std::string SqlState(PGresult* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s ? s : "";
}

// A client speaking the protocol by hand, for what libpq does not expose (row limits,
// pipelined messages, exact replies).
class RawClient {
 public:
  explicit RawClient(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socket_ = Socket(fd);
  }

  void Startup() {
    std::string body;
    AppendInt32(&body, 3 << 16);
    for (const char* s : {"user", "raw", "database", "lake", ""}) body.append(s, strlen(s) + 1);
    std::string packet;
    AppendInt32(&packet, static_cast<int32_t>(body.size() + 4));
    ASSERT_TRUE(socket_.WriteAll(packet + body).ok());
  }

  // Logs in with a cleartext password; returns the message types up to ReadyForQuery.
  std::string Login(const std::string& password) {
    Startup();
    Message m = Next();
    EXPECT_EQ(m.type, 'R');
    Send('p', password + std::string(1, '\0'));
    return TypesUntil('Z');
  }

  void SendRaw(const std::string& bytes) { ASSERT_TRUE(socket_.WriteAll(bytes).ok()); }

  void Send(char type, const std::string& body) {
    std::string out(1, type);
    AppendInt32(&out, static_cast<int32_t>(body.size() + 4));
    out += body;
    ASSERT_TRUE(socket_.WriteAll(out).ok());
  }

  Message Next() {
    auto m = reader_.Read();
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok()) return Message{'?', {}};
    last_body_ = std::string(m->body);
    return Message{m->type, last_body_};
  }

  // Message types up to and including `last`; CommandComplete tags and error codes recorded.
  std::string TypesUntil(char last) {
    std::string types;
    while (true) {
      Message m = Next();
      types.push_back(m.type);
      if (m.type == 'C') tags.push_back(std::string(m.body.substr(0, m.body.size() - 1)));
      if (m.type == 'E') codes.push_back(Field(m.body, 'C'));
      if (m.type == last || m.type == '?') return types;
    }
  }

  static std::string Field(std::string_view body, char code) {
    BodyReader r(body);
    while (true) {
      char c = static_cast<char>(r.Byte());
      if (c == 0 || !r.ok()) return "";
      std::string v(r.CString());
      if (c == code) return v;
    }
  }

  static std::string Parse(const std::string& name, const std::string& sql) {
    std::string b = name + '\0' + sql + '\0';
    AppendInt16(&b, 0);
    return b;
  }
  static std::string Bind(const std::string& portal, const std::string& statement) {
    std::string b = portal + '\0' + statement + '\0';
    AppendInt16(&b, 0);  // parameter formats
    AppendInt16(&b, 0);  // parameters
    AppendInt16(&b, 0);  // result formats
    return b;
  }
  static std::string Execute(const std::string& portal, int32_t limit) {
    std::string b = portal + '\0';
    AppendInt32(&b, limit);
    return b;
  }

  int fd() const { return socket_.fd(); }

  std::vector<std::string> tags;
  std::vector<std::string> codes;

 private:
  Socket socket_;
  MessageReader reader_{&socket_};
  std::string last_body_;
};

TEST_F(PgServerTest, ScramLoginReportsParametersAndRunsQueries) {
  StartServer(AuthMethod::kScramSha256);
  PGconn* c = Connect();
  EXPECT_STREQ(PQparameterStatus(c, "server_version"), "15.0 (tarn)");
  EXPECT_STREQ(PQparameterStatus(c, "server_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(c, "client_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(c, "DateStyle"), "ISO, MDY");
  EXPECT_STREQ(PQparameterStatus(c, "TimeZone"), "UTC");
  EXPECT_STREQ(PQparameterStatus(c, "integer_datetimes"), "on");
  EXPECT_STREQ(PQparameterStatus(c, "standard_conforming_strings"), "on");
  EXPECT_STREQ(PQparameterStatus(c, "is_superuser"), "off");
  EXPECT_STREQ(PQparameterStatus(c, "IntervalStyle"), "postgres");
  EXPECT_STREQ(PQparameterStatus(c, "session_authorization"), "analyst");
  EXPECT_EQ(PQserverVersion(c), 150000);
  EXPECT_NE(PQbackendPID(c), 0);

  PGresult* r = PQexec(c, "SELECT * FROM numbers(3)");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  EXPECT_EQ(PQntuples(r), 3);
  EXPECT_EQ(PQftype(r, 0), 20u);
  EXPECT_STREQ(PQfname(r, 0), "n");
  EXPECT_STREQ(PQgetvalue(r, 2, 0), "2");
  EXPECT_STREQ(PQcmdTuples(r), "3");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, CleartextLoginAndWrongTokens) {
  StartServer(AuthMethod::kPassword);
  PGconn* c = Connect();
  PQfinish(c);
  c = PQconnectdb(Conninfo("tarn_wrong").c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(c)).find("password authentication failed for user \"analyst\""),
            std::string::npos)
      << PQerrorMessage(c);
  PQfinish(c);

  RawClient raw(server_->port());
  raw.Startup();
  EXPECT_EQ(raw.Next().type, 'R');
  raw.Send('p', std::string("nope") + '\0');
  EXPECT_EQ(raw.TypesUntil('E'), "E");
  EXPECT_EQ(raw.codes, std::vector<std::string>{"28P01"});
}

TEST_F(PgServerTest, ScramRefusesWrongAndRevokedTokens) {
  StartServer(AuthMethod::kScramSha256);
  PGconn* c = PQconnectdb(Conninfo("tarn_wrong").c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(c)).find("password authentication failed"),
            std::string::npos);
  PQfinish(c);
  auto tokens = catalog_->store().ListTokens();
  ASSERT_TRUE(catalog_->RevokeToken(tokens->at(0).id).ok());
  c = PQconnectdb(Conninfo(token_).c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_BAD);
  PQfinish(c);
}

TEST_F(PgServerTest, SslAndGssRequestsAreDeclined) {
  StartServer();
  PGconn* c = Connect("sslmode=prefer gssencmode=prefer");
  PQfinish(c);
  c = PQconnectdb(Conninfo(token_, "sslmode=require").c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_BAD);
  PQfinish(c);
}

TEST_F(PgServerTest, ValuesTravelInPostgresTextAndBinaryForms) {
  StartServer();
  PGconn* c = Connect();
  PGresult* r = PQexec(c, "SELECT types");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  std::map<std::string, std::string> text;
  for (int i = 0; i < PQnfields(r); ++i) {
    text[PQfname(r, i)] = PQgetisnull(r, 0, i) ? "NULL" : PQgetvalue(r, 0, i);
  }
  EXPECT_EQ(text["b"], "t");
  EXPECT_EQ(text["f4"], "1.5");
  EXPECT_EQ(text["d"], "-12.50");
  EXPECT_EQ(text["s"], "h\xc3\xa9llo");
  EXPECT_EQ(text["bl"], "\\x01ff");
  EXPECT_EQ(text["iv"], "1 year 2 mons 3 days 04:05:06");
  EXPECT_EQ(text["li"], "{1,2,NULL}");
  EXPECT_EQ(text["ls"], "{a,\"b,c\"}");
  EXPECT_EQ(text["tz"], "2024-01-15 10:00:00+00");
  EXPECT_EQ(text["n"], "NULL");
  EXPECT_EQ(PQftype(r, 6), 1700u);
  EXPECT_EQ(PQfmod(r, 6), (10 << 16 | 2) + 4);
  EXPECT_EQ(PQftype(r, 15), 1007u);
  EXPECT_EQ(PQftype(r, 16), 1009u);
  EXPECT_EQ(PQftype(r, 17), 25u);
  PQclear(r);

  r = PQexecParams(c, "SELECT types", 0, nullptr, nullptr, nullptr, nullptr, 1);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  auto bin = [&](int col) {
    return HexEncode(std::string(PQgetvalue(r, 0, col), PQgetlength(r, 0, col)));
  };
  EXPECT_EQ(PQfformat(r, 0), 1);
  EXPECT_EQ(bin(0), "01");
  EXPECT_EQ(bin(2), "0000002a");
  EXPECT_EQ(bin(8), "01ff");
  EXPECT_EQ(bin(10), "0000224c");
  EXPECT_EQ(bin(6), "0002000040000002000c1388");
  EXPECT_TRUE(PQgetisnull(r, 0, 19));
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, ErrorsCarrySqlstateAndEndTheQueryMessage) {
  StartServer();
  PGconn* c = Connect();
  struct Case {
    const char* sql;
    const char* code;
  } cases[] = {{"SELECT bad", "42601"},
               {"SELECT * FROM serving.secret", "42501"},
               {"SELECT * FROM curated.missing", "42P01"},
               {"SELECT 1 FROM nowhere", "42P01"},
               {"SELECT fail_midway", "53200"}};
  for (const Case& k : cases) {
    PGresult* r = PQexec(c, k.sql);
    EXPECT_EQ(PQresultStatus(r), PGRES_FATAL_ERROR) << k.sql;
    EXPECT_EQ(SqlState(r), k.code) << k.sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
  }
  size_t before = log_->Executed().size();
  PGresult* r = PQexec(c, "SELECT * FROM numbers(1); SELECT bad; SELECT * FROM numbers(2)");
  EXPECT_EQ(SqlState(r), "42601");
  PQclear(r);
  EXPECT_EQ(log_->Executed().size(), before + 2);  // the third statement never ran
  r = PQexec(c, " ; -- nothing\n");
  EXPECT_EQ(PQresultStatus(r), PGRES_EMPTY_QUERY);
  PQclear(r);
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_IDLE);
  PQfinish(c);
}

TEST_F(PgServerTest, ParametersInTextAndBinary) {
  StartServer();
  PGconn* c = Connect();
  const Oid types[3] = {23, 0, 17};
  int32_t net = static_cast<int32_t>(htonl(7));
  const char* values[3] = {reinterpret_cast<const char*>(&net), "hello", "\\x00ff"};
  const int lengths[3] = {4, 5, 6};
  const int formats[3] = {1, 0, 0};
  PGresult* r = PQexecParams(c, "SELECT echo $1, $2, $3", 3, types, values, lengths, formats, 0);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "7");
  EXPECT_STREQ(PQgetvalue(r, 0, 1), "hello");
  EXPECT_STREQ(PQgetvalue(r, 0, 2), "\\x00\\xFF");  // DuckDB's blob escapes
  PQclear(r);

  r = PQprepare(c, "s1", "SELECT * FROM numbers($1)", 0, nullptr);
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  PQclear(r);
  r = PQdescribePrepared(c, "s1");
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  EXPECT_EQ(PQnparams(r), 1);
  EXPECT_EQ(PQparamtype(r, 0), 23u);
  EXPECT_EQ(PQnfields(r), 1);
  EXPECT_EQ(PQftype(r, 0), 20u);
  PQclear(r);
  for (const char* n : {"2", "5"}) {
    const char* v[1] = {n};
    r = PQexecPrepared(c, "s1", 1, v, nullptr, nullptr, 0);
    ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
    EXPECT_EQ(PQntuples(r), std::stoi(n));
    PQclear(r);
  }
  r = PQprepare(c, "s1", "SELECT 1", 0, nullptr);
  EXPECT_EQ(SqlState(r), "42P05");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, SqlPrepareAndExecute) {
  StartServer();
  PGconn* c = Connect();
  PGresult* r = PQexec(c, "PREPARE q (int) AS SELECT * FROM numbers($1)");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  EXPECT_STREQ(PQcmdStatus(r), "PREPARE");
  PQclear(r);
  r = PQexec(c, "EXECUTE q (4)");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  EXPECT_EQ(PQntuples(r), 4);
  PQclear(r);
  r = PQexec(c, "DEALLOCATE q");
  EXPECT_STREQ(PQcmdStatus(r), "DEALLOCATE");
  PQclear(r);
  r = PQexec(c, "EXECUTE q (4)");
  EXPECT_EQ(SqlState(r), "26000");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, SessionCommandsStayInTheFrontEnd) {
  StartServer();
  PGconn* c = Connect();
  size_t before = log_->Executed().size();
  PGresult* r = PQexec(c, "SET application_name = 'report'");
  EXPECT_STREQ(PQcmdStatus(r), "SET");
  PQclear(r);
  EXPECT_STREQ(PQparameterStatus(c, "application_name"), "report");
  r = PQexec(c, "SHOW application_name");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "report");
  PQclear(r);
  r = PQexec(c, "SET TIME ZONE 'Europe/Berlin'");
  EXPECT_EQ(SqlState(r), "22023");
  EXPECT_NE(std::string(PQresultErrorMessage(r)).find("UTC"), std::string::npos);
  PQclear(r);
  r = PQexec(c, "SET server_version = '16'");
  EXPECT_EQ(SqlState(r), "55P02");
  PQclear(r);
  r = PQexec(c, "SHOW no_such_setting");
  EXPECT_EQ(PQresultStatus(r), PGRES_FATAL_ERROR);  // not a parameter: went to the session
  PQclear(r);
  r = PQexec(c, "SET memory_limit = '1TB'");
  EXPECT_EQ(PQresultStatus(r), PGRES_FATAL_ERROR);  // a DuckDB setting: the session refuses
  PQclear(r);
  r = PQexec(c, "SHOW ALL");
  EXPECT_GT(PQntuples(r), 20);
  PQclear(r);
  r = PQexec(c, "DISCARD ALL");
  EXPECT_STREQ(PQcmdStatus(r), "DISCARD ALL");
  PQclear(r);
  EXPECT_STREQ(PQparameterStatus(c, "application_name"), "");
  EXPECT_EQ(log_->Executed().size(), before + 2);  // SHOW no_such_setting, SET memory_limit
  PQfinish(c);
}

TEST_F(PgServerTest, CursorsFetchForwardInTransactions) {
  StartServer();
  PGconn* c = Connect();
  PGresult* r = PQexec(c, "DECLARE early CURSOR FOR SELECT * FROM numbers(5)");
  EXPECT_EQ(SqlState(r), "25P01");  // outside a transaction block
  PQclear(r);
  PQclear(PQexec(c, "BEGIN"));
  r = PQexec(c, "DECLARE c NO SCROLL CURSOR FOR SELECT * FROM numbers(5)");
  EXPECT_STREQ(PQcmdStatus(r), "DECLARE CURSOR") << PQresultErrorMessage(r);
  PQclear(r);
  r = PQexec(c, "FETCH FORWARD 2 FROM c");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  EXPECT_EQ(PQntuples(r), 2);
  EXPECT_STREQ(PQcmdStatus(r), "FETCH 2");
  EXPECT_STREQ(PQgetvalue(r, 1, 0), "1");
  PQclear(r);
  // Through the extended protocol too (Describe of the FETCH portal gives the columns).
  r = PQexecParams(c, "FETCH 2 IN c", 0, nullptr, nullptr, nullptr, nullptr, 0);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  EXPECT_EQ(PQntuples(r), 2);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "2");
  PQclear(r);
  r = PQexec(c, "FETCH ALL FROM c");
  EXPECT_EQ(PQntuples(r), 1);
  PQclear(r);
  r = PQexec(c, "FETCH NEXT FROM c");
  EXPECT_EQ(PQntuples(r), 0);
  EXPECT_STREQ(PQcmdStatus(r), "FETCH 0");
  PQclear(r);
  r = PQexec(c, "FETCH BACKWARD 1 FROM c");
  EXPECT_EQ(SqlState(r), "0A000");
  PQclear(r);
  PQclear(PQexec(c, "ROLLBACK"));
  // Cursors end with their transaction unless declared WITH HOLD.
  PQclear(PQexec(c, "BEGIN"));
  PQclear(PQexec(c, "DECLARE gone CURSOR FOR SELECT * FROM numbers(3)"));
  PQclear(PQexec(c, "DECLARE kept CURSOR WITH HOLD FOR SELECT * FROM numbers(3)"));
  PQclear(PQexec(c, "COMMIT"));
  r = PQexec(c, "FETCH 1 FROM gone");
  EXPECT_EQ(SqlState(r), "34000");
  PQclear(r);
  r = PQexec(c, "FETCH 5 FROM kept");
  EXPECT_EQ(PQntuples(r), 3);
  PQclear(r);
  // Another statement while a cursor is half read: the cursor's rest was kept in memory.
  PQclear(PQexec(c, "BEGIN"));
  PQclear(PQexec(c, "DECLARE half CURSOR FOR SELECT * FROM numbers(5000)"));
  r = PQexec(c, "FETCH 10 FROM half");
  EXPECT_EQ(PQntuples(r), 10);
  PQclear(r);
  r = PQexec(c, "SELECT * FROM numbers(3)");
  EXPECT_EQ(PQntuples(r), 3);
  PQclear(r);
  r = PQexec(c, "FETCH ALL FROM half");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  EXPECT_EQ(PQntuples(r), 4990);
  EXPECT_STREQ(PQgetvalue(r, 4989, 0), "4999");
  PQclear(r);
  PQclear(PQexec(c, "COMMIT"));
  r = PQexec(c, "CLOSE kept");
  EXPECT_STREQ(PQcmdStatus(r), "CLOSE CURSOR");
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, TransactionStatusFollowsBeginErrorAndRollback) {
  StartServer();
  PGconn* c = Connect();
  PQclear(PQexec(c, "BEGIN"));
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INTRANS);
  PQclear(PQexec(c, "SELECT bad"));
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INERROR);
  PGresult* r = PQexec(c, "SELECT * FROM numbers(1)");
  EXPECT_EQ(SqlState(r), "25P02");
  PQclear(r);
  r = PQexec(c, "COMMIT");
  EXPECT_STREQ(PQcmdStatus(r), "ROLLBACK");
  PQclear(r);
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_IDLE);
  PQclear(PQexec(c, "START TRANSACTION READ ONLY"));
  PQclear(PQexec(c, "SAVEPOINT a"));
  PQclear(PQexec(c, "SELECT bad"));
  r = PQexec(c, "ROLLBACK TO SAVEPOINT a");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  PQclear(r);
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_INTRANS);
  PQclear(PQexec(c, "END"));
  EXPECT_EQ(PQtransactionStatus(c), PQTRANS_IDLE);
  PQfinish(c);
}

TEST_F(PgServerTest, PortalsHonourRowLimitsAndResume) {
  StartServer(AuthMethod::kPassword);
  RawClient raw(server_->port());
  ASSERT_EQ(raw.Login(token_).back(), 'Z');
  raw.Send('P', RawClient::Parse("", "SELECT * FROM numbers(3)"));
  raw.Send('B', RawClient::Bind("p1", ""));
  raw.Send('D', std::string("Pp1") + '\0');
  raw.Send('E', RawClient::Execute("p1", 2));
  raw.Send('E', RawClient::Execute("p1", 2));
  raw.Send('E', RawClient::Execute("p1", 2));
  raw.Send('S', "");
  EXPECT_EQ(raw.TypesUntil('Z'), "12TDDsDCCZ");
  EXPECT_EQ(raw.tags, (std::vector<std::string>{"SELECT 1", "SELECT 0"}));

  // After an error, everything up to Sync is skipped; Sync answers once.
  raw.tags.clear();
  raw.Send('B', RawClient::Bind("", "no_such_statement"));
  raw.Send('E', RawClient::Execute("", 0));
  raw.Send('S', "");
  EXPECT_EQ(raw.TypesUntil('Z'), "EZ");
  EXPECT_EQ(raw.codes.back(), "26000");

  // Describe of a statement: parameters and columns, or NoData for a command.
  raw.Send('P', RawClient::Parse("st", "SET extra_float_digits = 3"));
  raw.Send('D', std::string("Sst") + '\0');
  raw.Send('B', RawClient::Bind("", "st"));
  raw.Send('E', RawClient::Execute("", 0));
  raw.Send('C', std::string("Sst") + '\0');
  raw.Send('S', "");
  EXPECT_EQ(raw.TypesUntil('Z'), "1tn2C3Z");
  EXPECT_EQ(raw.tags.back(), "SET");

  // A transaction ended by a named statement (as JDBC does) ends other portals, not the one
  // running the COMMIT.
  raw.tags.clear();
  raw.Send('P', RawClient::Parse("S_1", "BEGIN"));
  raw.Send('P', RawClient::Parse("S_2", "COMMIT"));
  raw.Send('B', RawClient::Bind("", "S_1"));
  raw.Send('E', RawClient::Execute("", 0));
  raw.Send('P', RawClient::Parse("", "SELECT * FROM numbers(3)"));
  raw.Send('B', RawClient::Bind("open", ""));
  raw.Send('E', RawClient::Execute("open", 1));
  raw.Send('B', RawClient::Bind("", "S_2"));
  raw.Send('E', RawClient::Execute("", 0));
  raw.Send('E', RawClient::Execute("open", 1));
  raw.Send('S', "");
  EXPECT_EQ(raw.TypesUntil('Z'), "112C12Ds2CEZ");
  EXPECT_EQ(raw.tags, (std::vector<std::string>{"BEGIN", "COMMIT"}));
  EXPECT_EQ(raw.codes.back(), "34000");  // the portal ended with the transaction

  // Empty statements answer EmptyQueryResponse; several statements in one Parse are refused.
  raw.Send('P', RawClient::Parse("", ""));
  raw.Send('B', RawClient::Bind("", ""));
  raw.Send('E', RawClient::Execute("", 0));
  raw.Send('P', RawClient::Parse("", "SELECT 1; SELECT 2"));
  raw.Send('S', "");
  EXPECT_EQ(raw.TypesUntil('Z'), "12IEZ");
  EXPECT_EQ(raw.codes.back(), "42601");
}

TEST_F(PgServerTest, CancelRequestsInterruptTheRunningStatement) {
  StartServer();
  PGconn* c = Connect();
  std::string code;
  std::thread runner([&] {
    PGresult* r = PQexec(c, "SELECT sleep");
    code = SqlState(r);
    PQclear(r);
  });
  for (int i = 0; i < 500 && log_->sleeping == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(log_->sleeping, 1);
  PGcancel* cancel = PQgetCancel(c);
  char err[256];
  EXPECT_EQ(PQcancel(cancel, err, sizeof(err)), 1) << err;
  PQfreeCancel(cancel);
  runner.join();
  EXPECT_EQ(code, "57014");
  // The connection goes on.
  PGresult* r = PQexec(c, "SELECT * FROM numbers(1)");
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, StatementTimeoutInterruptsLongStatements) {
  StartServer();
  PGconn* c = Connect();
  PQclear(PQexec(c, "SET statement_timeout = '150ms'"));
  auto start = std::chrono::steady_clock::now();
  PGresult* r = PQexec(c, "SELECT sleep");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(SqlState(r), "57014");
  EXPECT_NE(std::string(PQresultErrorMessage(r)).find("statement timeout"), std::string::npos)
      << PQresultErrorMessage(r);
  EXPECT_LT(secs, 5);
  PQclear(r);
  r = PQexec(c, "SELECT * FROM numbers(2)");  // fast statements are not affected
  EXPECT_EQ(PQntuples(r), 2);
  PQclear(r);
  PQfinish(c);
}

TEST_F(PgServerTest, ACancelWithTheWrongKeyIsIgnored) {
  StartServer();
  PGconn* c = Connect();
  RawClient raw(server_->port());
  std::string packet;
  AppendInt32(&packet, 16);
  AppendInt32(&packet, 80877102);
  AppendInt32(&packet, PQbackendPID(c));
  AppendInt32(&packet, 12345);
  raw.SendRaw(packet);
  // The server closes a cancel connection without a reply.
  char byte;
  EXPECT_EQ(::recv(raw.fd(), &byte, 1, 0), 0);
  PQfinish(c);
  EXPECT_EQ(log_->interrupts, 0);
}

TEST_F(PgServerTest, LargeResultsStream) {
  StartServer();
  PGconn* c = Connect();
  auto start = std::chrono::steady_clock::now();
  PGresult* r = PQexec(c, "SELECT * FROM numbers(200000)");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK);
  EXPECT_EQ(PQntuples(r), 200000);
  EXPECT_STREQ(PQgetvalue(r, 199999, 0), "199999");
  PQclear(r);
  PQfinish(c);
  std::printf("200000 rows in %.3f s (%.0f rows/s through libpq)\n", secs, 200000 / secs);
}

TEST_F(PgServerTest, FullServersAndStopsEndConnections) {
  StartServer(AuthMethod::kScramSha256, 1);
  PGconn* first = Connect();
  PGconn* second = PQconnectdb(Conninfo(token_).c_str());
  EXPECT_EQ(PQstatus(second), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(second)).find("too many clients"), std::string::npos)
      << PQerrorMessage(second);
  PQfinish(second);
  server_->Stop();
  PGresult* r = PQexec(first, "SELECT * FROM numbers(1)");
  EXPECT_NE(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  PQfinish(first);
}

}  // namespace
}  // namespace tarn::pgwire
