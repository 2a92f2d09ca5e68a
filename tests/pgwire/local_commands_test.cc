// Which statements the front end answers itself, and how it reads them; client parameters.
#include "tarn/pgwire/local_commands.h"

#include <gtest/gtest.h>

#include "tarn/pgwire/client_params.h"
#include "tarn/pgwire/sql_lexer.h"

namespace tarn::pgwire {
namespace {

using Kind = LocalCommand::Kind;

std::optional<LocalCommand> Parse(const std::string& sql) {
  ClientParams params;
  auto r = ParseLocalCommand(sql, [&](const std::string& n) { return params.Get(n).has_value(); });
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

TEST(LocalCommandsTest, SettingsAreLocal) {
  auto c = Parse("SET extra_float_digits = 3");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, Kind::kSet);
  EXPECT_EQ(c->name, "extra_float_digits");
  EXPECT_EQ(c->value, "3");
  c = Parse("set SESSION DateStyle TO 'ISO, MDY';");
  EXPECT_EQ(c->name, "datestyle");
  EXPECT_EQ(c->value, "ISO, MDY");
  c = Parse("SET search_path = \"$user\", public");
  EXPECT_EQ(c->value, "$user, public");
  c = Parse("SET TIME ZONE 'UTC'");
  EXPECT_EQ(c->name, "TimeZone");
  EXPECT_EQ(c->value, "UTC");
  c = Parse("SET statement_timeout = -1");
  EXPECT_EQ(c->value, "-1");
  EXPECT_EQ(Parse("SET application_name TO DEFAULT")->kind, Kind::kReset);
  EXPECT_EQ(
      Parse("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED")->kind,
      Kind::kNoop);
  EXPECT_EQ(Parse("SET work_mem = '64MB'")->kind, Kind::kSet);
  EXPECT_EQ(Parse("SET ROLE analyst")->name, "role");
  EXPECT_EQ(Parse("SET myapp.flag = on")->name, "myapp.flag");
  // DuckDB's settings are not client parameters: the query service refuses them.
  EXPECT_FALSE(Parse("SET memory_limit = '100GB'"));
  EXPECT_FALSE(Parse("SET enable_external_access = true"));
  EXPECT_FALSE(Parse("RESET threads"));
  EXPECT_EQ(Parse("RESET ALL")->kind, Kind::kResetAll);
  EXPECT_EQ(Parse("RESET TimeZone")->name, "timezone");
  EXPECT_EQ(Parse("SHOW ALL")->kind, Kind::kShowAll);
  EXPECT_EQ(Parse("SHOW TRANSACTION ISOLATION LEVEL")->name, "transaction_isolation");
  EXPECT_EQ(Parse("show server_version")->name, "server_version");
  // Not parameters: DuckDB's SHOW TABLES and SHOW zone.table go to the query service.
  EXPECT_FALSE(Parse("SHOW TABLES"));
  EXPECT_FALSE(Parse("SHOW curated.events"));
  EXPECT_FALSE(Parse("SELECT 1"));
  EXPECT_FALSE(Parse("settings"));
}

TEST(LocalCommandsTest, TransactionsAndPreparedStatements) {
  EXPECT_EQ(Parse("BEGIN")->kind, Kind::kBegin);
  EXPECT_EQ(Parse("start transaction read only")->tag, "START TRANSACTION");
  EXPECT_EQ(Parse("END")->kind, Kind::kCommit);
  EXPECT_EQ(Parse("ABORT")->kind, Kind::kRollback);
  EXPECT_EQ(Parse("ROLLBACK TO SAVEPOINT s1")->kind, Kind::kRollbackTo);
  EXPECT_EQ(Parse("RELEASE s1")->name, "s1");
  EXPECT_EQ(Parse("DISCARD ALL")->kind, Kind::kDiscardAll);
  EXPECT_EQ(Parse("DEALLOCATE PREPARE q")->name, "q");
  EXPECT_EQ(Parse("DEALLOCATE ALL")->kind, Kind::kDeallocateAll);
  auto p = Parse("PREPARE q (int, text) AS SELECT $1, $2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Kind::kPrepare);
  EXPECT_EQ(p->value, "SELECT $1, $2");
  EXPECT_EQ(p->param_types, (std::vector<int32_t>{23, 25}));
  auto e = Parse("EXECUTE q (-5, 'it''s', NULL, true, 1.5::numeric)");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Kind::kExecute);
  ASSERT_EQ(e->args.size(), 5u);
  EXPECT_EQ(*e->args[0], "-5");
  EXPECT_EQ(*e->args[1], "it's");
  EXPECT_FALSE(e->args[2].has_value());
  EXPECT_EQ(*e->args[3], "true");
  EXPECT_EQ(*e->args[4], "1.5");
  auto d = Parse("DECLARE \"c1\" BINARY NO SCROLL CURSOR WITH HOLD FOR SELECT 1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, Kind::kDeclare);
  EXPECT_EQ(d->name, "c1");
  EXPECT_TRUE(d->binary && d->hold);
  EXPECT_EQ(d->value, "SELECT 1");
  EXPECT_EQ(Parse("FETCH FORWARD 2000 FROM \"c1\"")->count, 2000);
  EXPECT_EQ(Parse("FETCH ALL IN c1")->count, 0);
  EXPECT_EQ(Parse("FETCH c1")->count, 1);
  EXPECT_EQ(Parse("CLOSE c1")->kind, Kind::kClose);
  EXPECT_EQ(Parse("CLOSE ALL")->kind, Kind::kCloseAll);
  auto bad = ParseLocalCommand("EXECUTE q (now())", [](const std::string&) { return false; });
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ClientParamsTest, SupportedValuesOnly) {
  ClientParams p;
  EXPECT_EQ(*p.Get("server_version"), "15.0 (tarn)");
  EXPECT_EQ(*p.Get("DATESTYLE"), "ISO, MDY");
  EXPECT_TRUE(p.Set("TimeZone", "Etc/UTC").ok());
  EXPECT_EQ(*p.Get("timezone"), "UTC");
  Status tz = p.Set("TimeZone", "Europe/Berlin");
  EXPECT_EQ(tz.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(tz.message().find("UTC"), std::string::npos);
  EXPECT_FALSE(p.Set("client_encoding", "LATIN1").ok());
  EXPECT_TRUE(p.Set("client_encoding", "unicode").ok());
  EXPECT_EQ(p.Set("server_version", "16").code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(p.Set("datestyle", "iso, dmy").ok());
  EXPECT_EQ(*p.Get("DateStyle"), "ISO, DMY");
  EXPECT_FALSE(p.Set("DateStyle", "German").ok());
  EXPECT_TRUE(p.Set("my.custom", "x").ok());
  EXPECT_EQ(*p.Get("my.custom"), "x");
  EXPECT_TRUE(p.Set("statement_timeout", "5s").ok());
  EXPECT_EQ(p.statement_timeout_ms(), 5000);
  auto first = p.TakeReported(false);
  EXPECT_GE(first.size(), 10u);
  EXPECT_TRUE(p.TakeReported(false).empty());
  EXPECT_TRUE(p.Set("application_name", "psql").ok());
  auto changed = p.TakeReported(false);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].first, "application_name");
  p.ResetAll();
  EXPECT_FALSE(p.Get("my.custom").has_value());
  EXPECT_EQ(*p.Get("application_name"), "");
  // Settings from the startup packet are what RESET returns to.
  ASSERT_TRUE(p.SetDefault("application_name", "psql").ok());
  ASSERT_TRUE(p.Set("application_name", "other").ok());
  p.Reset("application_name");
  EXPECT_EQ(*p.Get("application_name"), "psql");
}

TEST(SqlLexerTest, StringsCommentsAndOperators) {
  auto t = LexSql(
      "SELECT 'a''b', E'c\\nd', $$x;y$$, \"Q\"\"x\" -- c\n /* a /* b */ */ ::int $1 !~ 1.5e+3;");
  ASSERT_EQ(t.size(), 14u);
  EXPECT_EQ(t[1].value, "a'b");
  EXPECT_EQ(t[3].value, "c\nd");
  EXPECT_EQ(t[5].value, "x;y");
  EXPECT_EQ(t[7].kind, SqlToken::Kind::kQuotedIdent);
  EXPECT_EQ(t[7].value, "Q\"x");
  EXPECT_EQ(t[8].value, "::");
  EXPECT_EQ(t[10].kind, SqlToken::Kind::kParam);
  EXPECT_EQ(t[11].value, "!~");
  EXPECT_EQ(t[12].value, "1.5e+3");
}

}  // namespace
}  // namespace tarn::pgwire
