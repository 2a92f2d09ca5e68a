// The Iceberg REST catalog of `tarn serve` over real HTTP, on SQLite and PostgreSQL:
// configuration, namespaces (tarn's table zones), creating, loading, listing and dropping
// tables, the Iceberg error shape, authentication and zone grants. Commits:
// iceberg_rest_commit_test.cc.
#include <filesystem>

#include "server/iceberg_rest_fixture.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::server {
namespace {

TEST_P(IcebergRestTest, ConfigListsTheSupportedEndpoints) {
  auto r = Ice("GET", "/v1/config");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body["defaults"], json::object());
  EXPECT_EQ(r.body["overrides"], json::object());
  auto endpoints = r.body["endpoints"];
  EXPECT_NE(std::find(endpoints.begin(), endpoints.end(), "GET /v1/{prefix}/namespaces"),
            endpoints.end());
  EXPECT_NE(std::find(endpoints.begin(), endpoints.end(),
                      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}"),
            endpoints.end());
  EXPECT_EQ(std::find(endpoints.begin(), endpoints.end(), "POST /v1/{prefix}/tables/rename"),
            endpoints.end());
}

TEST_P(IcebergRestTest, NamespacesAreTheTableZones) {
  auto all = Ice("GET", "/v1/namespaces");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.body["namespaces"], json::parse(R"([["curated"], ["serving"]])"));
  auto curated = Ice("GET", "/v1/namespaces/curated");
  ASSERT_EQ(curated.status, 200) << curated.body;
  EXPECT_EQ(curated.body["namespace"], json::array({"curated"}));
  EXPECT_EQ(curated.body["properties"], json::object());
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/serving").status, 204);
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/raw").status, 404);
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/sales").status, 404);
  ExpectError(Ice("GET", "/v1/namespaces/raw"), 404, "NoSuchNamespaceException", "zones");
  ExpectError(Ice("GET", "/v1/namespaces/sales"), 404, "NoSuchNamespaceException", "sales");
  // A multi-level namespace (levels joined by 0x1F) is not a zone either.
  ExpectError(Ice("GET", "/v1/namespaces/curated%1Fx"), 404, "NoSuchNamespaceException",
              "curated.x");
  EXPECT_EQ(Ice("GET", "/v1/namespaces?parent=curated").body["namespaces"], json::array());
  ExpectError(Ice("GET", "/v1/namespaces?parent=sales"), 404, "NoSuchNamespaceException");
  // Only readable zones are listed.
  auto serving_only = Ice("GET", "/v1/namespaces", nullptr, srv_->Token("serving:write"));
  EXPECT_EQ(serving_only.body["namespaces"], json::parse(R"([["serving"]])"));
  ExpectError(Ice("GET", "/v1/namespaces/curated", nullptr, srv_->Token("serving:read")), 403,
              "ForbiddenException", "curated");
}

TEST_P(IcebergRestTest, NamespacesCannotBeCreatedDroppedOrChanged) {
  ExpectError(Ice("POST", "/v1/namespaces", {{"namespace", {"curated"}}}), 409,
              "AlreadyExistsException", "curated");
  ExpectError(
      Ice("POST", "/v1/namespaces", {{"namespace", {"sales"}}, {"properties", json::object()}}),
      406, "UnsupportedOperationException", "zones");
  ExpectError(Ice("POST", "/v1/namespaces", {{"namespace", "sales"}}), 400, "BadRequestException");
  ExpectError(Ice("DELETE", "/v1/namespaces/curated"), 406, "UnsupportedOperationException");
  ExpectError(Ice("DELETE", "/v1/namespaces/sales"), 404, "NoSuchNamespaceException");
  ExpectError(Ice("POST", "/v1/namespaces/curated/properties", {{"updates", {{"a", "b"}}}}), 406,
              "UnsupportedOperationException");
  ExpectError(Ice("POST", "/v1/tables/rename", json::object()), 406,
              "UnsupportedOperationException", "renaming");
  ExpectError(Ice("POST", "/v1/transactions/commit", json::object()), 406,
              "UnsupportedOperationException", "multi-table");
  ExpectError(Ice("GET", "/v1/namespaces/curated/views"), 404, "NotFoundException", "endpoint");
}

TEST_P(IcebergRestTest, CreateLoadAndList) {
  json created = CreateEvents("events");
  ASSERT_TRUE(created["metadata-location"].is_string()) << created;
  EXPECT_EQ(created["config"], json::object());
  auto metadata = iceberg::ParseTableMetadata(created["metadata"].dump());
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->location, LakeDir() + "/curated/events");
  EXPECT_EQ(
      created["metadata-location"].get<std::string>().rfind(metadata->location + "/metadata/", 0),
      0u);
  ASSERT_EQ(metadata->DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(metadata->DefaultSpec()->fields[0].field_id, 1000);
  EXPECT_EQ(metadata->DefaultSpec()->fields[0].source_id, 2);
  EXPECT_EQ(metadata->DefaultSpec()->fields[0].name, "ts_day");
  EXPECT_EQ(metadata->CurrentSchema()->fields().size(), 3u);

  auto loaded = Ice("GET", "/v1/namespaces/curated/tables/events?snapshots=all");
  ASSERT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_EQ(loaded.body["metadata-location"], created["metadata-location"]);
  EXPECT_EQ(loaded.body["metadata"], created["metadata"]);
  EXPECT_EQ(Ice("GET", "/v1/namespaces/curated/tables/events?snapshots=refs").status, 200);
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/curated/tables/events").status, 204);
  EXPECT_EQ(Ice("HEAD", "/v1/namespaces/curated/tables/nope").status, 404);
  ExpectError(Ice("GET", "/v1/namespaces/curated/tables/nope"), 404, "NoSuchTableException",
              "nope");

  auto listed = Ice("GET", "/v1/namespaces/curated/tables");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body["identifiers"],
            json::parse(R"([{"namespace": ["curated"], "name": "events"}])"));
  EXPECT_EQ(Ice("GET", "/v1/namespaces/serving/tables").body["identifiers"], json::array());
  ExpectError(Ice("GET", "/v1/namespaces/raw/tables"), 404, "NoSuchNamespaceException");
}

TEST_P(IcebergRestTest, ListTablesInPages) {
  for (const char* name : {"c", "a", "b"}) CreateEvents(name);
  auto first = Ice("GET", "/v1/namespaces/curated/tables?pageSize=2");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.body["identifiers"].size(), 2u);
  EXPECT_EQ(first.body["identifiers"][0]["name"], "a");
  ASSERT_TRUE(first.body["next-page-token"].is_string()) << first.body;
  auto second = Ice("GET", "/v1/namespaces/curated/tables?pageSize=2&pageToken=" +
                               first.body["next-page-token"].get<std::string>());
  ASSERT_EQ(second.body["identifiers"].size(), 1u);
  EXPECT_EQ(second.body["identifiers"][0]["name"], "c");
  EXPECT_FALSE(second.body.contains("next-page-token"));
  ExpectError(Ice("GET", "/v1/namespaces/curated/tables?pageSize=0"), 400, "BadRequestException");
}

TEST_P(IcebergRestTest, CreateRefusals) {
  CreateEvents("events");
  const std::string tables = "/v1/namespaces/curated/tables";
  ExpectError(Ice("POST", tables, {{"name", "events"}, {"schema", EventsSchema()}}), 409,
              "AlreadyExistsException", "events");
  ExpectError(Ice("POST", "/v1/namespaces/raw/tables", {{"name", "t"}, {"schema", EventsSchema()}}),
              404, "NoSuchNamespaceException");
  ExpectError(Ice("POST", tables, {{"name", "t"}}), 400, "BadRequestException", "schema");
  ExpectError(Ice("POST", tables,
                  {{"name", "t"}, {"schema", EventsSchema()}, {"location", "/tmp/elsewhere/t"}}),
              400, "BadRequestException", "must lie under " + LakeDir() + "/curated/");
  ExpectError(Ice("POST", tables,
                  {{"name", "t"},
                   {"schema", EventsSchema()},
                   {"location", LakeDir() + "/curated/../raw/t"}}),
              400, "BadRequestException", "must lie under");
  ExpectError(Ice("POST", tables, {{"name", "bad name"}, {"schema", EventsSchema()}}), 400,
              "BadRequestException", "letters");
  json bad_spec = {
      {"fields", json::array({{{"source-id", 3}, {"name", "d"}, {"transform", "day"}}})}};
  ExpectError(Ice("POST", tables,
                  {{"name", "t"}, {"schema", EventsSchema()}, {"partition-spec", bad_spec}}),
              400, "BadRequestException");
  // A location of the client's choosing inside the zone is fine.
  auto custom = Ice(
      "POST", tables,
      {{"name", "t"}, {"schema", EventsSchema()}, {"location", LakeDir() + "/curated/custom/t/"}});
  ASSERT_EQ(custom.status, 200) << custom.body;
  EXPECT_EQ(custom.body["metadata"]["location"], LakeDir() + "/curated/custom/t");
}

TEST_P(IcebergRestTest, DropWithAndWithoutPurge) {
  CreateEvents("kept");
  CreateEvents("purged");
  EXPECT_EQ(Ice("DELETE", "/v1/namespaces/curated/tables/kept").status, 204);
  EXPECT_TRUE(std::filesystem::exists(LakeDir() + "/curated/kept/metadata"));
  EXPECT_EQ(Ice("DELETE", "/v1/namespaces/curated/tables/purged?purgeRequested=true").status, 204);
  EXPECT_FALSE(std::filesystem::exists(LakeDir() + "/curated/purged"));
  ExpectError(Ice("GET", "/v1/namespaces/curated/tables/purged"), 404, "NoSuchTableException");
  ExpectError(Ice("DELETE", "/v1/namespaces/curated/tables/purged"), 404, "NoSuchTableException");
  ExpectError(Ice("DELETE", "/v1/namespaces/curated/tables/kept?purgeRequested=yes"), 400,
              "BadRequestException", "purgeRequested");
  EXPECT_EQ(Ice("GET", "/v1/namespaces/curated/tables").body["identifiers"], json::array());
}

TEST_P(IcebergRestTest, TokensAndGrants) {
  auto anonymous = srv_->Send("GET", "/iceberg/v1/config", "", "");
  ExpectError(anonymous, 401, "NotAuthorizedException", "Bearer");
  ExpectError(srv_->Send("GET", "/iceberg/v1/namespaces", "", "not-a-token"), 401,
              "NotAuthorizedException");
  // The tarn API keeps its own error shape.
  auto tarn = srv_->Send("GET", "/sources", "", "");
  EXPECT_EQ(tarn.status, 401);
  EXPECT_EQ(tarn.body["error"]["code"], "unauthenticated");

  CreateEvents("events");
  std::string reader = srv_->Token("curated:read");
  json create = {{"name", "t"}, {"schema", EventsSchema()}};
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables", create, reader), 403,
              "ForbiddenException", "write");
  EXPECT_EQ(Ice("GET", "/v1/namespaces/curated/tables/events", nullptr, reader).status, 200);
  EXPECT_EQ(Ice("GET", "/v1/namespaces/curated/tables", nullptr, reader).status, 200);
  ExpectError(Ice("POST", "/v1/namespaces/curated/tables/events",
                  {{"requirements", json::array()}, {"updates", json::array()}}, reader),
              403, "ForbiddenException");
  ExpectError(Ice("DELETE", "/v1/namespaces/curated/tables/events", nullptr, reader), 403,
              "ForbiddenException");
  ExpectError(Ice("GET", "/v1/namespaces/serving/tables", nullptr, reader), 403,
              "ForbiddenException");
  EXPECT_EQ(Ice("POST", "/v1/namespaces/curated/tables/events/metrics",
                {{"report-type", "scan-report"}}, reader)
                .status,
            204);
}

INSTANTIATE_TEST_SUITE_P(Backends, IcebergRestTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
