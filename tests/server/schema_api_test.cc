// The schema registry over HTTP: compatibility enforcement with every incompatibility listed,
// the dry run, modes, idempotency, field ids kept across renames, history, diffs, evolution.
#include <gtest/gtest.h>

#include <thread>

#include "catalog/store_fixture.h"
#include "server/test_server.h"

namespace tarn::server {
namespace {

using nlohmann::json;

json Record(json fields) { return {{"type", "record"}, {"name", "Event"}, {"fields", fields}}; }

const json kV1 = Record({{{"name", "event_id"}, {"type", "string"}},
                         {{"name", "user_id"}, {"type", "long"}},
                         {{"name", "amount"}, {"type", "double"}}});

class SchemaApiTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    srv_ = std::make_unique<testing::TestServer>(GetParam());
    auto src = srv_->Post("/sources", {{"name", "s"}, {"type", "batch"}, {"owner", "eng"}});
    source_ = src.body["source_id"];
    dataset_ = Dataset("events", "raw");
    auto v1 = srv_->Post(Url("/schemas"), {{"schema_json", kV1}});
    ASSERT_EQ(v1.status, 201) << v1.body;
  }
  void TearDown() override {
    srv_.reset();
    BackendTest::TearDown();
  }

  std::string Dataset(const std::string& name, const std::string& zone) {
    auto ds = srv_->Post("/datasets", {{"source_id", source_}, {"name", name}, {"zone", zone},
                                       {"owner", "eng"}});
    return ds.body["dataset_id"];
  }
  std::string Url(const std::string& suffix, const std::string& ds = "") {
    return "/datasets/" + (ds.empty() ? dataset_ : ds) + suffix;
  }
  // field name -> field-id of a stored version.
  std::map<std::string, int> Ids(int version) {
    auto v = srv_->Get(Url("/schemas/" + std::to_string(version)));
    std::map<std::string, int> out;
    for (const auto& f : v.body["schema_json"]["fields"]) out[f["name"]] = f["field-id"];
    return out;
  }

  std::unique_ptr<testing::TestServer> srv_;
  std::string source_, dataset_;
};

TEST_P(SchemaApiTest, BreakingChangesAreRefusedWithEveryReason) {
  // Narrowing a type and adding a required field without a default: two problems.
  json bad = Record({{{"name", "event_id"}, {"type", "string"}},
                     {{"name", "user_id"}, {"type", "int"}},
                     {{"name", "amount"}, {"type", "double"}},
                     {{"name", "country"}, {"type", "string"}}});
  auto check = srv_->Post(Url("/schemas/check"), {{"schema_json", bad}});
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.body["compatible"], false);
  EXPECT_EQ(check.body["compatibility"], "BACKWARD");
  ASSERT_EQ(check.body["incompatibilities"].size(), 2u) << check.body;
  std::set<std::string> paths;
  for (const auto& i : check.body["incompatibilities"]) {
    paths.insert(i["path"]);
    EXPECT_FALSE(i["rule"].get<std::string>().empty());
    EXPECT_FALSE(i["message"].get<std::string>().empty());
  }
  EXPECT_EQ(paths, (std::set<std::string>{"user_id", "country"}));

  auto refused = srv_->Post(Url("/schemas"), {{"schema_json", bad}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["error"]["code"], "incompatible_schema");
  EXPECT_EQ(refused.body["incompatibilities"].size(), 2u);
  EXPECT_EQ(srv_->Get(Url("/schemas")).body["schemas"].size(), 1u);

  // Under NONE anything goes.
  auto mode = srv_->Send("PUT", Url("/compatibility"), R"({"compatibility": "NONE"})",
                         srv_->admin_token());
  EXPECT_EQ(mode.status, 200);
  EXPECT_EQ(srv_->Get(Url("/compatibility")).body["compatibility"], "NONE");
  EXPECT_EQ(srv_->Post(Url("/schemas"), {{"schema_json", bad}}).status, 201);
  auto unknown = srv_->Send("PUT", Url("/compatibility"), R"({"compatibility": "LOOSE"})",
                            srv_->admin_token());
  EXPECT_EQ(unknown.status, 422);
}

TEST_P(SchemaApiTest, SafeChangesKeepFieldIdsAndIdenticalSchemasAreIdempotent) {
  auto same = srv_->Post(Url("/schemas"), {{"schema_json", kV1}});
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(same.body["version"], 1);

  // v2: add an optional column, rename user_id to account_id (declared by an alias).
  json v2 = Record({{{"name", "event_id"}, {"type", "string"}},
                    {{"name", "account_id"}, {"type", "long"}, {"aliases", {"user_id"}}},
                    {{"name", "amount"}, {"type", "double"}},
                    {{"name", "country"}, {"type", {"null", "string"}}, {"default", nullptr}}});
  auto reg = srv_->Post(Url("/schemas"), {{"schema_json", v2}});
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(reg.body["version"], 2);
  auto ids1 = Ids(1), ids2 = Ids(2);
  EXPECT_EQ(ids2["event_id"], ids1["event_id"]);
  EXPECT_EQ(ids2["account_id"], ids1["user_id"]);
  EXPECT_GT(ids2["country"], std::max({ids1["event_id"], ids1["user_id"], ids1["amount"]}));

  auto diff = srv_->Get(Url("/schemas/1/diff/2"));
  ASSERT_EQ(diff.status, 200) << diff.body;
  ASSERT_EQ(diff.body["added"].size(), 1u);
  EXPECT_EQ(diff.body["added"][0]["name"], "country");
  ASSERT_EQ(diff.body["renamed"].size(), 1u);
  EXPECT_EQ(diff.body["renamed"][0]["from"], "user_id");
  EXPECT_EQ(diff.body["renamed"][0]["to"], "account_id");
  EXPECT_EQ(srv_->Get(Url("/schemas/1/diff/9")).status, 404);

  // As of a time before v2, v1 was current.
  auto before = srv_->Get(Url("/schemas/1")).body["created_at"].get<std::string>();
  auto then = srv_->Get(Url("/schemas?as_of=" + before));
  EXPECT_EQ(then.body["version"], 1) << then.body;
  EXPECT_EQ(srv_->Get(Url("/schemas?as_of=2000-01-01T00:00:00Z")).status, 404);
  EXPECT_EQ(srv_->Get(Url("/schemas?as_of=yesterday")).status, 422);
}

TEST_P(SchemaApiTest, CuratedSchemasEvolveWithoutRewritingData) {
  std::string curated = Dataset("events", "curated");
  ASSERT_EQ(srv_->Post(Url("/schemas", curated), {{"schema_json", kV1}}).status, 201);
  json ops = {{"operations",
               {{{"op", "add_column"}, {"column", "device"}, {"type", "string"}},
                {{"op", "rename_column"}, {"column", "user_id"}, {"new_name", "account_id"}},
                {{"op", "drop_column"}, {"column", "amount"}}}}};
  auto evolved = srv_->Post(Url("/schema-evolutions", curated), ops);
  ASSERT_EQ(evolved.status, 201) << evolved.body;
  EXPECT_EQ(evolved.body["version"], 2);
  EXPECT_EQ(evolved.body["is_current"], true);
  std::map<std::string, int> ids;
  for (const auto& f : evolved.body["schema_json"]["fields"]) ids[f["name"]] = f["field-id"];
  EXPECT_EQ(ids.count("amount"), 0u);
  EXPECT_EQ(ids["account_id"], 2);

  // Re-adding a dropped column's name gets a new id: ids are never reused.
  auto readd = srv_->Post(Url("/schema-evolutions", curated),
                          {{"operations", {{{"op", "add_column"}, {"column", "amount"}, {"type", "double"}}}}});
  ASSERT_EQ(readd.status, 201) << readd.body;
  for (const auto& f : readd.body["schema_json"]["fields"]) {
    if (f["name"] == "amount") {
      EXPECT_GT(f["field-id"].get<int>(), 4);
    }
  }
  auto narrowing = srv_->Post(Url("/schema-evolutions", curated),
                              {{"operations", {{{"op", "widen_type"}, {"column", "account_id"}, {"type", "int"}}}}});
  EXPECT_EQ(narrowing.status, 422) << narrowing.body;
  auto raw = srv_->Post(Url("/schema-evolutions"), ops);
  EXPECT_EQ(raw.status, 422);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaApiTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
