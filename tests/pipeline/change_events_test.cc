// Promotion of change events (CDC) on a real lake: events landed in raw partitions by a
// StreamLander are flattened to row images, ordered by source LSN then raw order, and each
// key's last event is applied to curated (deletes remove the row); partitions promoted later,
// out of order or again never bring back older images or deleted rows; quality rules judge
// the row images that are written.
#include "tarn/pipeline/change_events.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/store_fixture.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/scan.h"
#include "tarn/ingest/stream_lander.h"
#include "tarn/lake/lake.h"
#include "tarn/pipeline/promotion.h"

namespace tarn::pipeline {
namespace {

constexpr char kEnvelope[] = R"({"type": "record", "name": "Change", "fields": [
  {"name": "op", "type": "string"},
  {"name": "before", "type": ["null", {"type": "record", "name": "Row", "fields": [
    {"name": "id", "type": ["null", "long"], "default": null},
    {"name": "name", "type": ["null", "string"], "default": null},
    {"name": "amount", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}],
     "default": null},
    {"name": "ts", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}], "default": null}]}],
   "default": null},
  {"name": "after", "type": ["null", "Row"], "default": null},
  {"name": "source", "type": {"type": "record", "name": "Source", "fields": [{"name": "lsn", "type": "long"}]}},
  {"name": "ts_ms", "type": ["null", "long"], "default": null}]})";

constexpr char kSpec[] = R"yaml(
target: accounts
key: [id]
event_time: ts
cdc: {format: debezium}
quality:
  rules:
    - {rule: not_null, column: name}
)yaml";

// One change event: op, key, name ("" for a delete, whose before image holds only the key), LSN.
struct Event {
  char op;
  int id;
  std::string name;
  int64_t lsn;
};

std::string EventJson(const Event& e) {
  std::string image = e.op == 'd' ? "{\"id\": " + std::to_string(e.id) + "}"
                                  : "{\"id\": " + std::to_string(e.id) + ", \"name\": \"" + e.name +
                                        "\", \"amount\": \"" + std::to_string(e.id) +
                                        ".50\", \"ts\": \"2024-03-01T00:00:00Z\"}";
  return std::string("{\"op\": \"") + e.op + "\", \"before\": " + (e.op == 'd' ? image : "null") +
         ", \"after\": " + (e.op == 'd' ? "null" : image) +
         ", \"source\": {\"lsn\": " + std::to_string(e.lsn) + "}, \"ts_ms\": 1709251200000}";
}

class ChangeEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    lake_ = std::move(lake::Lake::Open({dir_ + "/lake", ""}).value());
    auto& cat = lake_->catalog();
    auto src = cat.CreateSource({"db", "cdc", "{}", "eng"});
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    dataset_ = cat.UpsertDataset({src->id, "accounts_cdc", "raw", "eng", 4})->dataset.id;
    ASSERT_TRUE(cat.RegisterSchema(dataset_, kEnvelope, true).ok());
    auto version = SetPromotionSpec(*lake_, dataset_, kSpec);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    auto lander = ingest::StreamLander::Open(cat, **lake_->objects(), dataset_, "s", {});
    ASSERT_TRUE(lander.ok()) << lander.status().ToString();
    lander_ = std::move(*lander);
    lander_->Reset(0, std::nullopt);
  }
  void TearDown() override {
    lander_.reset();
    lake_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Lands `events` as one raw partition; returns its id.
  std::string Land(const std::vector<Event>& events) {
    for (const Event& e : events) EXPECT_TRUE(lander_->Add(0, offset_++, EventJson(e)).ok());
    auto landed = lander_->Flush();
    EXPECT_TRUE(landed.ok()) << landed.status().ToString();
    EXPECT_EQ(landed->files.size(), 1u);
    return landed->files[0].partition_id;
  }

  PromotionResult Promote(const std::vector<std::string>& ids) {
    PromotionRequest request;
    request.partition_ids = ids;
    auto result = pipeline::Promote(*lake_, dataset_, request);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : PromotionResult{};
  }

  // "id:name:amount" of the rows of curated.<table>, by id.
  std::vector<std::string> Rows(const std::string& table = "accounts",
                                const std::string& columns = "id || ':' || name || ':' || amount") {
    auto tables = lake_->tables().value();
    auto t = tables->Load("curated", table);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return {};
    const iceberg::TableMetadata& md = (*t)->metadata();
    auto plan = iceberg::PlanScan(md, md.CurrentSnapshot(), {}, *tables->io()).value();
    auto scan = engine::IcebergScanSql(plan, *md.CurrentSchema(), *tables->io()).value();
    auto db = engine::DuckDb::Open().value();
    std::vector<std::string> rows;
    EXPECT_TRUE(db->Query("SELECT CAST(" + columns + " AS VARCHAR) FROM (" + scan + ") ORDER BY id",
                          {},
                          [&](const engine::Row& r) {
                            rows.push_back(r[0].value_or("NULL"));
                            return Status::OK();
                          })
                    .ok());
    return rows;
  }

  std::string dir_, dataset_;
  std::unique_ptr<lake::Lake> lake_;
  std::unique_ptr<ingest::StreamLander> lander_;
  int64_t offset_ = 0;
};

TEST_F(ChangeEventsTest, TheLastEventOfEachKeyInSourceOrderIsApplied) {
  std::string p1 = Land({{'c', 1, "a", 10},
                         {'c', 2, "b", 11},
                         {'c', 3, "c", 12},
                         {'u', 2, "b2", 20},
                         {'d', 3, "", 30},
                         {'c', 4, "d", 40}});
  // Landed later but older by LSN: the update of 4 loses to its create at LSN 40.
  std::string p2 = Land({{'u', 4, "older", 35},
                         {'d', 1, "", 50},
                         {'c', 1, "a2", 60},
                         {'u', 5, "e", 70},
                         {'r', 6, "f", 0}});
  PromotionResult r = Promote({p1, p2});
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].outcome, "promoted") << r.partitions[0].reason;
  EXPECT_EQ(r.partitions[1].outcome, "promoted") << r.partitions[1].reason;
  EXPECT_EQ(Rows(), (std::vector<std::string>{"1:a2:1.50", "2:b2:2.50", "4:d:4.50", "5:e:5.50",
                                              "6:f:6.50"}));
  // The row's version is the LSN of the event that wrote it.
  EXPECT_EQ(Rows("accounts", "id || '@' || _tarn_lsn"),
            (std::vector<std::string>{"1@60", "2@20", "4@40", "5@70", "6@0"}));
}

TEST_F(ChangeEventsTest, PartitionsPromotedLaterApplyAfterEarlierOnes) {
  std::string p1 = Land({{'c', 1, "a", 10}, {'c', 2, "b", 11}, {'c', 3, "c", 12}});
  std::string p2 = Land({{'d', 1, "", 20}, {'u', 2, "b2", 21}, {'d', 9, "", 22}});
  std::string stale = Land({{'c', 1, "a-old", 15}, {'u', 2, "b-old", 12}, {'u', 3, "c2", 30}});
  Promote({p1});
  EXPECT_EQ(Rows(), (std::vector<std::string>{"1:a:1.50", "2:b:2.50", "3:c:3.50"}));
  PromotionResult second = Promote({p2});
  EXPECT_EQ(second.rows_deleted, 1);
  EXPECT_EQ(Rows(), (std::vector<std::string>{"2:b2:2.50", "3:c:3.50"}));
  // Older events promoted after newer ones: no resurrected row, no older image; 3's update
  // is newer and applies.
  Promote({stale});
  EXPECT_EQ(Rows(), (std::vector<std::string>{"2:b2:2.50", "3:c2:3.50"}));
  // Promoting the first partition again changes nothing.
  Promote({p1});
  EXPECT_EQ(Rows(), (std::vector<std::string>{"2:b2:2.50", "3:c2:3.50"}));
  // The deleted keys' tombstones.
  EXPECT_EQ(Rows(TombstoneTable("accounts"), "id || '@' || _tarn_lsn"),
            (std::vector<std::string>{"1@20", "9@22"}));
  // A newer create brings a deleted key back.
  Promote({Land({{'c', 1, "a3", 40}})});
  EXPECT_EQ(Rows(), (std::vector<std::string>{"1:a3:1.50", "2:b2:2.50", "3:c2:3.50"}));
}

TEST_F(ChangeEventsTest, RulesJudgeTheRowImagesAndTheEvents) {
  // A delete's before image holds only the key: not_null(name) does not apply to it.
  std::string good = Land({{'c', 1, "a", 10}, {'d', 1, "", 11}, {'c', 2, "b", 12}});
  std::string bad = Land({{'x', 3, "c", 13}});
  PromotionResult r = Promote({good, bad});
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].outcome, "promoted") << r.partitions[0].reason;
  EXPECT_EQ(r.partitions[1].outcome, "quarantined");
  EXPECT_EQ(Rows(), (std::vector<std::string>{"2:b:2.50"}));
}

TEST_F(ChangeEventsTest, WithoutAnEventTimeTheTableIsUnpartitioned) {
  auto version =
      SetPromotionSpec(*lake_, dataset_, "target: plain\nkey: [id]\ncdc: {format: debezium}");
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  Promote({Land({{'c', 1, "a", 10}, {'c', 2, "b", 11}, {'d', 1, "", 12}})});
  EXPECT_EQ(Rows("plain"), (std::vector<std::string>{"2:b:2.50"}));
  auto table = (*lake_->tables())->Load("curated", "plain");
  ASSERT_TRUE(table.ok());
  EXPECT_TRUE((*table)->metadata().DefaultSpec()->fields.empty());
}

TEST(ChangeEventSpecTest, CdcSpecsParseAndCheckTheEnvelope) {
  auto spec = quality::ParsePromotionSpec(kSpec);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_TRUE(spec->cdc.has_value());
  EXPECT_EQ(spec->cdc->format, "debezium");
  EXPECT_FALSE(spec->anomaly.enabled);  // change batches have no volume baseline by default
  auto again = quality::ParsePromotionSpec(quality::PromotionSpecToJson(*spec));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(quality::PromotionSpecToJson(*again), quality::PromotionSpecToJson(*spec));
  // The event time is optional for change events only.
  auto no_time = quality::ParsePromotionSpec("target: a\nkey: id\ncdc: {format: debezium}");
  ASSERT_TRUE(no_time.ok()) << no_time.status().ToString();
  EXPECT_TRUE(no_time->partition_by.empty());
  EXPECT_TRUE(quality::ParsePromotionSpec(quality::PromotionSpecToJson(*no_time)).ok());
  EXPECT_FALSE(quality::ParsePromotionSpec("target: a\nkey: id").ok());
  EXPECT_EQ(
      quality::ParsePromotionSpec("target: a\nkey: id\nevent_time: ts\ncdc: {format: maxwell}")
          .status()
          .code(),
      ErrorCode::kInvalidArgument);
  // Columns are the row image's; a schema that is no envelope is refused.
  auto envelope = schema::SchemaFromAvro(kEnvelope).value();
  EXPECT_TRUE(quality::CheckAgainst(*spec, envelope).ok());
  auto flat = schema::SchemaFromAvro(
                  R"({"type": "record", "name": "R", "fields": [{"name": "id", "type": "long"}]})")
                  .value();
  Status st = quality::CheckAgainst(*spec, flat);
  EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("not a change-event"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace tarn::pipeline
