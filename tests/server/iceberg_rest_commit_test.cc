// Commits through the Iceberg REST catalog, on SQLite and PostgreSQL: requirements and
// updates, stale requirements (409 CommitFailedException), commits interleaved with tarn's own
// appends, staged creates, and concurrent committers that retry on 409 until all land.
#include <atomic>
#include <thread>

#include "server/iceberg_rest_fixture.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::server {
namespace {

class IcebergCommitTest : public IcebergRestTest {
 protected:
  // The current schema of `metadata` with one more optional string column `name`.
  static json AddColumn(const json& metadata, const std::string& name) {
    json schema;
    for (const json& s : metadata["schemas"]) {
      if (s["schema-id"] == metadata["current-schema-id"]) schema = s;
    }
    int id = metadata["last-column-id"].get<int>() + 1;
    schema["fields"].push_back(
        {{"id", id}, {"name", name}, {"required", false}, {"type", "string"}});
    return {{"action", "add-schema"}, {"schema", schema}, {"last-column-id", id}};
  }

  // Appends one data file of day 19700 with tarn's own iceberg::Table; returns the snapshot id.
  int64_t AppendWithTarn(const std::string& table) {
    auto tables = srv_->lake().tables();
    EXPECT_TRUE(tables.ok()) << tables.status().ToString();
    auto t = (*tables)->Load("curated", table);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    iceberg::DataFile f;
    f.file_path = (*t)->metadata().location + "/data/ts_day=2023-12-10/part-0.parquet";
    f.partition = {iceberg::Literal::Date(19700)};
    f.record_count = 10;
    f.file_size_in_bytes = 100;
    auto id = (*t)->Append({f});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
};

const json kNoRequirements = json::array();

TEST_P(IcebergCommitTest, SchemaChangeWithRequirement) {
  json created = CreateEvents("events");
  json updates = {AddColumn(created["metadata"], "device"),
                  {{"action", "set-current-schema"}, {"schema-id", -1}}};
  json requirements = {
      {{"type", "assert-current-schema-id"}, {"current-schema-id", 0}},
      {{"type", "assert-table-uuid"}, {"uuid", created["metadata"]["table-uuid"]}}};
  json done = Commit("events", requirements, updates);
  ASSERT_TRUE(done["metadata-location"].is_string()) << done;
  EXPECT_FALSE(done.contains("config"));
  EXPECT_NE(done["metadata-location"], created["metadata-location"]);
  auto metadata = iceberg::ParseTableMetadata(done["metadata"].dump());
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->current_schema_id, 1);
  EXPECT_NE(metadata->CurrentSchema()->FindByName("device"), nullptr);
  ASSERT_EQ(metadata->metadata_log.size(), 1u);
  EXPECT_EQ(metadata->metadata_log[0].metadata_file, created["metadata-location"]);
  auto loaded = Ice("GET", "/v1/namespaces/curated/tables/events");
  EXPECT_EQ(loaded.body["metadata-location"], done["metadata-location"]);

  // The same commit again is based on a schema that is no longer current.
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables/events",
                  {{"requirements", requirements}, {"updates", updates}}),
              409, "CommitFailedException",
              "Requirement failed: current schema changed: expected id 0 != 1");
  EXPECT_EQ(Ice("GET", "/v1/namespaces/curated/tables/events").body["metadata-location"],
            done["metadata-location"]);
}

TEST_P(IcebergCommitTest, PropertiesAndBadUpdates) {
  CreateEvents("events");
  json set =
      Commit("events", kNoRequirements,
             {{{"action", "set-properties"}, {"updates", {{"owner", "eng"}, {"tier", "1"}}}}});
  EXPECT_EQ(set["metadata"]["properties"]["owner"], "eng");
  json removed = Commit("events", kNoRequirements,
                        {{{"action", "remove-properties"}, {"removals", {"tier"}}}});
  EXPECT_EQ(removed["metadata"]["properties"]["owner"], "eng");
  EXPECT_FALSE(removed["metadata"]["properties"].contains("tier"));

  const std::string path = "/v1/namespaces/curated/tables/events";
  ExpectError(Ice("POST", path,
                  {{"requirements", kNoRequirements},
                   {"updates",
                    {{{"action", "set-snapshot-ref"},
                      {"ref-name", "main"},
                      {"snapshot-id", 42},
                      {"type", "branch"}}}}}),
              400, "BadRequestException", "42");
  ExpectError(Ice("POST", path, {{"updates", {{{"action", "set-statistics"}}}}}), 400,
              "BadRequestException", "set-statistics");
  ExpectError(
      Ice("POST", path, {{"updates", {{{"action", "set-location"}, {"location", "/tmp/x"}}}}}), 400,
      "BadRequestException", "must lie under");
  ExpectError(Ice("POST", path,
                  {{"identifier", {{"namespace", {"curated"}}, {"name", "other"}}},
                   {"updates", kNoRequirements}}),
              400, "BadRequestException", "identifier");
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables/nope", {{"updates", kNoRequirements}}),
              404, "NoSuchTableException");
  EXPECT_EQ(Ice("GET", path).body["metadata-location"], removed["metadata-location"]);
}

TEST_P(IcebergCommitTest, TarnAppendsAreSeenAndGuardCommits) {
  CreateEvents("events");
  int64_t first = AppendWithTarn("events");
  auto loaded = Ice("GET", "/v1/namespaces/curated/tables/events");
  ASSERT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_EQ(loaded.body["metadata"]["current-snapshot-id"], first);
  ASSERT_EQ(loaded.body["metadata"]["snapshots"].size(), 1u);
  EXPECT_EQ(loaded.body["metadata"]["refs"]["main"]["snapshot-id"], first);

  auto on = [](std::optional<int64_t> id) {
    return json::array({{{"type", "assert-ref-snapshot-id"},
                         {"ref", "main"},
                         {"snapshot-id", id ? json(*id) : json(nullptr)}}});
  };
  json tag = {{{"action", "set-snapshot-ref"},
               {"ref-name", "v1"},
               {"snapshot-id", first},
               {"type", "tag"}}};
  // Based on the table before the append: main did not exist then.
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables/events",
                  {{"requirements", on(std::nullopt)}, {"updates", tag}}),
              409, "CommitFailedException", "Requirement failed");
  json tagged = Commit("events", on(first), tag);
  EXPECT_EQ(tagged["metadata"]["refs"]["v1"]["snapshot-id"], first);

  int64_t second = AppendWithTarn("events");
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables/events",
                  {{"requirements", on(first)}, {"updates", tag}}),
              409, "CommitFailedException",
              "expected id " + std::to_string(first) + " != " + std::to_string(second));
  auto after = Ice("GET", "/v1/namespaces/curated/tables/events");
  EXPECT_EQ(after.body["metadata"]["current-snapshot-id"], second);
  EXPECT_EQ(after.body["metadata"]["refs"]["v1"]["snapshot-id"], first);
}

TEST_P(IcebergCommitTest, StagedCreateThenCommit) {
  json spec = {
      {"fields", json::array({{{"source-id", 2}, {"name", "ts_day"}, {"transform", "day"}}})}};
  auto staged = Ice("POST", "/v1/namespaces/curated/tables",
                    {{"name", "staged"},
                     {"schema", EventsSchema()},
                     {"partition-spec", spec},
                     {"stage-create", true}});
  ASSERT_EQ(staged.status, 200) << staged.body;
  EXPECT_FALSE(staged.body.contains("metadata-location"));
  const json& md = staged.body["metadata"];
  EXPECT_EQ(md["location"], LakeDir() + "/curated/staged");
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/curated/tables/staged").status, 404);

  json updates = {
      {{"action", "assign-uuid"}, {"uuid", md["table-uuid"]}},
      {{"action", "upgrade-format-version"}, {"format-version", 2}},
      {{"action", "add-schema"}, {"schema", md["schemas"][0]}, {"last-column-id", 3}},
      {{"action", "set-current-schema"}, {"schema-id", -1}},
      {{"action", "add-spec"}, {"spec", md["partition-specs"][0]}},
      {{"action", "set-default-spec"}, {"spec-id", -1}},
      {{"action", "add-sort-order"}, {"sort-order", md["sort-orders"][0]}},
      {{"action", "set-default-sort-order"}, {"sort-order-id", -1}},
      {{"action", "set-location"}, {"location", md["location"]}},
      {{"action", "set-properties"}, {"updates", {{"created-by", "test"}}}},
  };
  json create = {{{"type", "assert-create"}}};
  json done = Commit("staged", create, updates);
  ASSERT_TRUE(done["metadata-location"].is_string()) << done;
  EXPECT_EQ(done["metadata"]["table-uuid"], md["table-uuid"]);
  EXPECT_EQ(done["metadata"]["properties"]["created-by"], "test");
  EXPECT_EQ(done["metadata"]["partition-specs"], md["partition-specs"]);
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/curated/tables/staged").status, 204);

  ExpectError(Ice("POST", "/v1/namespaces/curated/tables/staged",
                  {{"requirements", create}, {"updates", updates}}),
              409, "CommitFailedException", "already exists");
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables",
                  {{"name", "staged"}, {"schema", EventsSchema()}, {"stage-create", true}}),
              409, "AlreadyExistsException");
}

// Each committer adds its own column based on the metadata it loaded, guarded by
// assert-last-assigned-field-id; on 409 it reloads and tries again. All commits must land.
TEST_P(IcebergCommitTest, ConcurrentCommittersAllLand) {
  CreateEvents("events");
  constexpr int kThreads = 4, kCommitsEach = 5;
  std::atomic<int> conflicts{0}, failures{0};
  auto committer = [&](int t) {
    httplib::Client client("127.0.0.1", srv_->port());
    httplib::Headers auth = {{"Authorization", "Bearer " + srv_->admin_token()}};
    const std::string path = "/iceberg/v1/namespaces/curated/tables/events";
    for (int i = 0; i < kCommitsEach; ++i) {
      std::string name = "c" + std::to_string(t) + "_" + std::to_string(i);
      for (int attempt = 0;; ++attempt) {
        auto got = client.Get(path, auth);
        if (!got || got->status != 200 || attempt > 200) return void(++failures);
        json md = json::parse(got->body)["metadata"];
        json body = {{"requirements",
                      {{{"type", "assert-last-assigned-field-id"},
                        {"last-assigned-field-id", md["last-column-id"]}}}},
                     {"updates",
                      {AddColumn(md, name),
                       {{"action", "set-current-schema"}, {"schema-id", -1}},
                       {{"action", "set-properties"}, {"updates", {{name, "1"}}}}}}};
        auto res = client.Post(path, auth, body.dump(), "application/json");
        if (res && res->status == 200) break;
        if (!res || res->status != 409) return void(++failures);
        ++conflicts;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(committer, t);
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);

  auto loaded = Ice("GET", "/v1/namespaces/curated/tables/events");
  auto metadata = iceberg::ParseTableMetadata(loaded.body["metadata"].dump());
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  int landed = 0;
  for (const auto& [key, value] : metadata->properties) landed += key[0] == 'c';
  EXPECT_EQ(landed, kThreads * kCommitsEach);
  EXPECT_EQ(metadata->CurrentSchema()->fields().size(), 3u + kThreads * kCommitsEach);
  EXPECT_EQ(metadata->last_column_id, 3 + kThreads * kCommitsEach);
  EXPECT_EQ(metadata->metadata_log.size(), static_cast<size_t>(kThreads * kCommitsEach));
  ::testing::Test::RecordProperty("conflicts", conflicts.load());
}

INSTANTIATE_TEST_SUITE_P(Backends, IcebergCommitTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
