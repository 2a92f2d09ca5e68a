// The query protocols end to end with libpq and a raw client over fake query sessions: type
// encodings on the wire, errors with SQLSTATE, parameters, prepared statements, session
// commands, cursors, transaction status, portals with row limits.
#include "pgwire/server_fixture.h"

namespace tarn::pgwire {
namespace {

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

}  // namespace
}  // namespace tarn::pgwire
