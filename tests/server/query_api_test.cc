// POST /query through the real HTTP server: results, parameters, row caps, grants and errors.
#include <gtest/gtest.h>

#include "schema/schema_test_util.h"
#include "server/test_server.h"
#include "tarn/base/ids.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/table_update.h"

namespace tarn {
namespace {

using nlohmann::json;
using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::TestServer>("sqlite");
    auto* tables = server_->lake().tables().value();
    auto schema = schema::Schema::Make({F(1, "id", true, Prim(TypeId::kLong)),
                                        F(2, "name", false, Prim(TypeId::kString)),
                                        F(3, "ok", false, Prim(TypeId::kBoolean))})
                      .value();
    for (const char* zone : {"curated", "serving"}) {
      auto md = iceberg::NewTableMetadata(schema, iceberg::PartitionSpec{}, iceberg::SortOrder{},
                                          tables->DefaultLocation(zone, "items"), {}, NewUuid(), 1000)
                    .value();
      auto table = tables->Create(zone, "items", md).value();
      auto db = engine::DuckDb::Open().value();
      ASSERT_TRUE(engine::LoadIntoTable(*db, *table,
                                        "SELECT i AS id, 'n' || i AS name, i % 2 = 0 AS ok "
                                        "FROM range(25) r(i)",
                                        engine::LoadMode::kAppend)
                      .ok());
    }
  }
  testing::HttpReply Query(const json& body, const std::string& token) {
    return server_->Send("POST", "/query", body.dump(), token);
  }
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(QueryApiTest, AnswersColumnsAndTypedRows) {
  auto r = Query({{"sql", "SELECT id, name, ok FROM curated.items WHERE id < $1 ORDER BY id"},
                  {"params", {3}}},
                 server_->admin_token());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["columns"][0], json({{"name", "id"}, {"type", "BIGINT"}}));
  EXPECT_EQ(r.body["rows"], json::parse(R"([[0,"n0",true],[1,"n1",false],[2,"n2",true]])"));
  EXPECT_EQ(r.body["row_count"], 3);
  EXPECT_EQ(r.body["truncated"], false);

  auto capped = Query({{"sql", "SELECT id FROM curated.items"}, {"max_rows", 10}}, server_->admin_token());
  ASSERT_EQ(capped.status, 200);
  EXPECT_EQ(capped.body["row_count"], 10);
  EXPECT_EQ(capped.body["truncated"], true);
}

TEST_F(QueryApiTest, RefusesWhatTheGrantsOrSandboxDoNotAllow) {
  std::string curated_reader = server_->Token("curated:read");
  EXPECT_EQ(Query({{"sql", "SELECT count(*) FROM curated.items"}}, curated_reader).status, 200);
  auto denied = Query({{"sql", "SELECT count(*) FROM serving.items"}}, curated_reader);
  EXPECT_EQ(denied.status, 403) << denied.body.dump();
  EXPECT_NE(denied.body["error"]["message"].get<std::string>().find("serving"), std::string::npos);
  std::string raw_writer = server_->Token("raw:write");
  EXPECT_EQ(Query({{"sql", "SELECT count(*) FROM curated.items"}}, raw_writer).status, 403);
  EXPECT_EQ(Query({{"sql", "SELECT 1"}}, "").status, 401);

  EXPECT_EQ(Query({{"sql", "SELECT * FROM read_text('/etc/passwd')"}}, server_->admin_token()).status, 403);
  EXPECT_EQ(Query({{"sql", "DROP TABLE curated.items"}}, server_->admin_token()).status, 403);
  EXPECT_EQ(Query({{"sql", "SELECT * FROM curated.missing"}}, server_->admin_token()).status, 404);
  auto syntax = Query({{"sql", "SELEKT 1"}}, server_->admin_token());
  EXPECT_EQ(syntax.status, 400);
  EXPECT_NE(syntax.body["error"]["message"].get<std::string>().find("syntax error"), std::string::npos);
  EXPECT_EQ(Query({{"sql", "SELECT 1; SELECT 2"}}, server_->admin_token()).status, 400);
  EXPECT_EQ(Query({{"sql", 5}}, server_->admin_token()).status, 400);
  EXPECT_EQ(Query({{"sql", "SELECT 1"}, {"max_rows", -1}}, server_->admin_token()).status, 422);
}

}  // namespace
}  // namespace tarn
