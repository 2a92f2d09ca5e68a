// CatalogService: validation (which field, which code) and the rules above the store.
#include "tarn/catalog/catalog_service.h"

#include <filesystem>

#include "catalog/store_fixture.h"
#include "tarn/base/crypto.h"
#include "tarn/base/ids.h"

namespace tarn::catalog {
namespace {

class CatalogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    auto store = CatalogStore::Open("sqlite:" + dir_ + "/catalog.db");
    ASSERT_TRUE(store.ok());
    svc_ = std::make_unique<CatalogService>(std::move(store).value(),
                                            *storage::LakeLocation::Make("/lake"));
    source_ = svc_->CreateSource({"pg-events", "batch", R"({"host":"db","port":5432})", "eng"})->id;
    raw_ = svc_->UpsertDataset({source_, "user_events", "raw", "eng", 4})->dataset.id;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static void ExpectError(const Status& st, ErrorCode code, const std::string& fragment) {
    EXPECT_EQ(st.code(), code) << st.ToString();
    EXPECT_NE(st.message().find(fragment), std::string::npos)
        << "'" << st.message() << "' should mention '" << fragment << "'";
  }

  PartitionSpec Spec(const std::string& key, const std::string& path) {
    return {key, path, "avro", 100, 2000};
  }

  std::string dir_;
  std::unique_ptr<CatalogService> svc_;
  std::string source_, raw_;
};

TEST_F(CatalogServiceTest, SourceValidationNamesTheField) {
  ExpectError(svc_->CreateSource({"", "batch", "", "eng"}).status(), ErrorCode::kFailedPrecondition,
              "name:");
  ExpectError(svc_->CreateSource({"x", "hourly", "", "eng"}).status(),
              ErrorCode::kFailedPrecondition, "type: 'hourly'");
  ExpectError(svc_->CreateSource({"x", "batch", "", ""}).status(), ErrorCode::kFailedPrecondition,
              "owner:");
  ExpectError(svc_->CreateSource({"x", "batch", "[1]", "eng"}).status(),
              ErrorCode::kInvalidArgument, "connection_config");
  ExpectError(svc_->CreateSource({"pg-events", "batch", "", "eng"}).status(),
              ErrorCode::kAlreadyExists, "pg-events");
}

TEST_F(CatalogServiceTest, CredentialsMustBeReferences) {
  ExpectError(svc_->CreateSource({"x", "batch", R"({"password":"hunter2"})", "eng"}).status(),
              ErrorCode::kFailedPrecondition, "connection_config.password");
  ExpectError(
      svc_->CreateSource({"y", "batch", R"({"dsn":"postgresql://u:hunter2@db/x"})", "eng"}).status(),
      ErrorCode::kFailedPrecondition, "connection_config.dsn");
  EXPECT_TRUE(svc_->CreateSource({"z", "batch", R"({"password":"env:PG_PASSWORD",
      "dsn":"env:PG_DSN","auth_header":"file:/run/secrets/api"})", "eng"}).ok());
}

TEST_F(CatalogServiceTest, DatasetValidation) {
  ExpectError(svc_->UpsertDataset({source_, "events", "bronze", "eng", 4}).status(),
              ErrorCode::kFailedPrecondition, "zone: 'bronze' is not one of raw, curated, serving");
  ExpectError(svc_->UpsertDataset({source_, "bad name", "raw", "eng", 4}).status(),
              ErrorCode::kFailedPrecondition, "name:");
  ExpectError(svc_->UpsertDataset({source_, "e", "raw", "eng", 0}).status(),
              ErrorCode::kFailedPrecondition, "sla_hours");
  ExpectError(svc_->UpsertDataset({"nope", "e", "raw", "eng", 1}).status(), ErrorCode::kNotFound,
              "source");
  ExpectError(svc_->UpsertDataset({NewUuid(), "e", "raw", "eng", 1}).status(), ErrorCode::kNotFound,
              "source");
}

TEST_F(CatalogServiceTest, ResolvesDatasetsByIdQualifiedOrBareName) {
  EXPECT_EQ(svc_->ResolveDataset(raw_)->id, raw_);
  EXPECT_EQ(svc_->ResolveDataset("raw.user_events")->id, raw_);
  EXPECT_EQ(svc_->ResolveDataset("user_events")->id, raw_);
  ASSERT_TRUE(svc_->UpsertDataset({source_, "user_events", "curated", "eng", 4}).ok());
  ExpectError(svc_->ResolveDataset("user_events").status(), ErrorCode::kFailedPrecondition,
              "zone.name");
  ExpectError(svc_->ResolveDataset("serving.user_events").status(), ErrorCode::kNotFound,
              "serving.user_events");
}

TEST_F(CatalogServiceTest, SchemasAreCanonicalizedSoEqualDocumentsAreOneVersion) {
  auto a = svc_->RegisterSchema(raw_, R"({"type":"record","name":"E","fields":[]})", true);
  auto b = svc_->RegisterSchema(raw_, R"({ "fields": [], "name": "E", "type": "record" })", true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->version.id, b->version.id);
  EXPECT_FALSE(b->created);
  ExpectError(svc_->RegisterSchema(raw_, "\"string\"", true).status(), ErrorCode::kInvalidArgument,
              "schema_json");
  ExpectError(svc_->RegisterSchema(raw_, R"({"name":"E"})", true).status(),
              ErrorCode::kFailedPrecondition, "type");
}

TEST_F(CatalogServiceTest, PartitionsAreValidatedAndPathsNormalized) {
  auto regs = svc_->RegisterPartitions(
      raw_, {Spec("dt=2024-01-15/hour=03", "/lake/raw/user_events/dt=2024-01-15/hour=03/a.avro")});
  ASSERT_TRUE(regs.ok()) << regs.status().ToString();
  EXPECT_EQ((*regs)[0].partition.file_path, "raw/user_events/dt=2024-01-15/hour=03/a.avro");
  // The same file written relatively is the same partition.
  auto again = svc_->RegisterPartitions(
      raw_, {Spec("dt=2024-01-15/hour=03", "raw/user_events/dt=2024-01-15/hour=03/a.avro")});
  EXPECT_EQ((*again)[0].partition.id, (*regs)[0].partition.id);

  ExpectError(svc_->RegisterPartitions(raw_, {Spec("2024-01-15", "raw/a.avro")}).status(),
              ErrorCode::kFailedPrecondition, "partition_key '2024-01-15'");
  ExpectError(svc_->RegisterPartitions(raw_, {Spec("dt=2024-01-15", "/etc/passwd")}).status(),
              ErrorCode::kFailedPrecondition, "outside the lake");
  ExpectError(svc_->RegisterPartitions(raw_, {Spec("dt=2024-01-15", "raw/../../x")}).status(),
              ErrorCode::kFailedPrecondition, "'..'");
  PartitionSpec neg = Spec("dt=2024-01-15", "raw/n.avro");
  neg.row_count = -1;
  ExpectError(svc_->RegisterPartitions(raw_, {neg}).status(), ErrorCode::kFailedPrecondition,
              "row_count");
  PartitionSpec csv = Spec("dt=2024-01-15", "raw/n.csv");
  csv.format = "csv";
  ExpectError(svc_->RegisterPartitions(raw_, {csv}).status(), ErrorCode::kFailedPrecondition,
              "format: 'csv'");
  // In a batch, the error names the entry; nothing is registered.
  ExpectError(svc_->RegisterPartitions(raw_, {Spec("dt=2024-01-16", "raw/ok.avro"),
                                              Spec("dt=2024-01-16", "/tmp/x.avro")})
                  .status(),
              ErrorCode::kFailedPrecondition, "partitions[1]");
  EXPECT_EQ(svc_->ListPartitions(raw_, {})->partitions.size(), 1u);
}

TEST_F(CatalogServiceTest, ListingFiltersByDatesStatusAndPagesWithCursors) {
  std::vector<PartitionSpec> specs;
  for (int d = 10; d < 20; ++d) {
    for (int h = 0; h < 24; ++h) {
      char key[32];
      std::snprintf(key, sizeof key, "dt=2024-01-%02d/hour=%02d", d, h);
      specs.push_back(Spec(key, std::string("raw/user_events/") + key + "/p.avro"));
    }
  }
  auto regs = *svc_->RegisterPartitions(raw_, specs);
  ASSERT_TRUE(svc_->RecordQualityRun(regs[30].partition.id, {"failed", 5, 1, 0.9}).ok());

  PartitionListSpec s;
  s.from = "2024-01-15";
  s.to = "2024-01-16";
  auto day = *svc_->ListPartitions(raw_, s);
  ASSERT_EQ(day.partitions.size(), 24u);
  EXPECT_EQ(day.partitions.front().partition_key, "dt=2024-01-15/hour=00");
  EXPECT_EQ(day.partitions.back().partition_key, "dt=2024-01-15/hour=23");
  EXPECT_FALSE(day.next_cursor.has_value());

  s.from = "2024-01-15T03:00:00Z";
  s.to = "2024-01-15T06";
  EXPECT_EQ(svc_->ListPartitions(raw_, s)->partitions.size(), 3u);

  PartitionListSpec q;
  q.status = "quarantined";
  auto quarantined = *svc_->ListPartitions(raw_, q);
  ASSERT_EQ(quarantined.partitions.size(), 1u);
  EXPECT_EQ(quarantined.partitions[0].partition_key, "dt=2024-01-11/hour=06");

  PartitionListSpec page;
  page.limit = 100;
  size_t seen = 0;
  int pages = 0;
  while (true) {
    auto p = *svc_->ListPartitions(raw_, page);
    seen += p.partitions.size();
    ++pages;
    if (!p.next_cursor) break;
    page.cursor = p.next_cursor;
  }
  EXPECT_EQ(seen, 240u);
  EXPECT_EQ(pages, 3);

  PartitionListSpec bad;
  bad.from = "2024-01-32";
  ExpectError(svc_->ListPartitions(raw_, bad).status(), ErrorCode::kFailedPrecondition, "from:");
  bad = {};
  bad.from = "2024-01-16";
  bad.to = "2024-01-15";
  ExpectError(svc_->ListPartitions(raw_, bad).status(), ErrorCode::kFailedPrecondition, "before");
  bad = {};
  bad.status = "ok";
  ExpectError(svc_->ListPartitions(raw_, bad).status(), ErrorCode::kFailedPrecondition, "status:");
  bad = {};
  bad.cursor = "garbage!";
  ExpectError(svc_->ListPartitions(raw_, bad).status(), ErrorCode::kFailedPrecondition, "cursor:");
  bad = {};
  bad.limit = 0;
  ExpectError(svc_->ListPartitions(raw_, bad).status(), ErrorCode::kFailedPrecondition, "limit:");
  ExpectError(svc_->ListPartitions(NewUuid(), {}).status(), ErrorCode::kNotFound, "dataset");
}

TEST_F(CatalogServiceTest, QualityRunsAnswerWhetherPromotionIsBlocked) {
  auto p = (*svc_->RegisterPartitions(raw_, {Spec("dt=2024-01-15", "raw/a.avro")}))[0].partition;
  auto skipped = *svc_->RecordQualityRun(p.id, {"skipped", 0, 0, {}});
  EXPECT_TRUE(skipped.promotion_blocked);  // nothing has passed yet
  auto failed = *svc_->RecordQualityRun(p.id, {"failed", 12, 1, 0.73});
  EXPECT_TRUE(failed.promotion_blocked);
  EXPECT_EQ(failed.partition_status, PartitionStatus::kQuarantined);
  auto passed = *svc_->RecordQualityRun(p.id, {"passed", 13, 0, 0.1});
  EXPECT_FALSE(passed.promotion_blocked);
  EXPECT_EQ(passed.partition_status, PartitionStatus::kPassed);

  ExpectError(svc_->RecordQualityRun(p.id, {"passed", 12, 1, {}}).status(),
              ErrorCode::kFailedPrecondition, "rules_failed=1");
  ExpectError(svc_->RecordQualityRun(p.id, {"ok", 1, 0, {}}).status(),
              ErrorCode::kFailedPrecondition, "status: 'ok'");
  ExpectError(svc_->RecordQualityRun(p.id, {"failed", -1, 0, {}}).status(),
              ErrorCode::kFailedPrecondition, "rules_passed");
  ExpectError(svc_->RecordQualityRun(p.id, {"failed", 1, 0, -0.5}).status(),
              ErrorCode::kFailedPrecondition, "anomaly_score");
  ExpectError(svc_->RecordQualityRun(NewUuid(), {"failed", 1, 0, {}}).status(),
              ErrorCode::kNotFound, "partition");
  EXPECT_EQ(svc_->ListQualityRuns(p.id)->size(), 3u);
}

TEST_F(CatalogServiceTest, TokensAuthenticateWithTheirGrantsUntilRevoked) {
  auto issued = svc_->IssueToken("ingest-worker", "raw:write");
  ASSERT_TRUE(issued.ok());
  EXPECT_NE(issued->token.token_hash, issued->secret);
  auto grants = svc_->Authenticate(issued->secret);
  ASSERT_TRUE(grants.ok());
  EXPECT_TRUE(grants->Allows(Zone::kRaw, Access::kWrite));
  EXPECT_FALSE(grants->Allows(Zone::kCurated, Access::kRead));
  ASSERT_TRUE(svc_->RevokeToken(issued->token.id).ok());
  EXPECT_EQ(svc_->Authenticate(issued->secret).status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(svc_->Authenticate("").status().code(), ErrorCode::kUnauthenticated);
  EXPECT_FALSE(svc_->IssueToken("x", "superuser").ok());

  ASSERT_TRUE(svc_->EnsureAdminToken("boot", "s3cret-admin").ok());
  ASSERT_TRUE(svc_->EnsureAdminToken("boot", "s3cret-admin").ok());  // idempotent
  EXPECT_TRUE(svc_->Authenticate("s3cret-admin")->admin());
}

TEST_F(CatalogServiceTest, TokensCarryScramVerifiersOfTheirSecrets) {
  auto issued = svc_->IssueToken("bi-tool", "serving:read");
  ASSERT_TRUE(issued.ok());
  ScramKeys keys = DeriveScramKeys(issued->secret, kTokenScramSalt, kTokenScramIterations);
  auto verifiers = svc_->ScramVerifiers();
  ASSERT_TRUE(verifiers.ok());
  ASSERT_EQ(verifiers->size(), 1u);
  EXPECT_EQ(verifiers->at(0).token_id, issued->token.id);
  EXPECT_EQ(verifiers->at(0).stored_key, keys.stored_key);
  EXPECT_EQ(verifiers->at(0).server_key, keys.server_key);
  EXPECT_TRUE(verifiers->at(0).grants.Allows(Zone::kServing, Access::kRead));

  // A token from before migration 6 has no verifier until its secret is seen again.
  ApiToken old;
  old.name = "boot";
  old.token_hash = Sha256Hex("old-admin-secret");
  old.grants = "admin";
  ASSERT_TRUE(svc_->store().CreateToken(old).ok());
  EXPECT_EQ(svc_->ScramVerifiers()->size(), 1u);
  ASSERT_TRUE(svc_->EnsureAdminToken("boot", "old-admin-secret").ok());
  EXPECT_EQ(svc_->ScramVerifiers()->size(), 2u);

  ASSERT_TRUE(svc_->RevokeToken(issued->token.id).ok());
  ASSERT_EQ(svc_->ScramVerifiers()->size(), 1u);
  EXPECT_TRUE(svc_->ScramVerifiers()->at(0).grants.admin());
}

}  // namespace
}  // namespace tarn::catalog
