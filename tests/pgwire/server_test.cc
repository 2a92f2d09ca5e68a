// The front end end to end with libpq over fake query sessions: startup and authentication
// (SCRAM-SHA-256, cleartext, wrong and revoked tokens, SSL/GSS requests), cancel requests,
// statement_timeout, streaming, connection limits and shutdown.
#include "pgwire/server_fixture.h"

namespace tarn::pgwire {
namespace {

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
  EXPECT_NE(
      std::string(PQerrorMessage(c)).find("password authentication failed for user \"analyst\""),
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
