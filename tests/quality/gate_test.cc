// The quality gate's parts on real DuckDB data: the issue's promotion spec parses as written,
// bad specs are refused naming the field, every rule kind measures what it claims (with
// offending-row samples), profiles summarize partitions, and anomaly scoring blocks a 40%
// volume drop against a steady two-week history while tolerating normal variation.
#include <gtest/gtest.h>

#include "tarn/quality/profile.h"
#include "tarn/quality/promotion_spec.h"
#include "tarn/quality/rules.h"

namespace tarn::quality {
namespace {

constexpr char kIssueExample[] = R"yaml(
target: orders                 # curated dataset, created on first use
key: [event_id]                # dedup key
event_time: event_ts           # parsed to a timestamp; partitions by event time
partition_by: [days(event_ts)]
cast: {user_id: long, amount: "decimal(12,2)", event_ts: timestamptz}
clean: {country: "upper(trim(country))"}
quality:
  rules:
    - {rule: not_null, column: user_id, max_null_rate: 0.01, severity: block}
    - {rule: range, column: amount, min: 0, max: 10000, severity: block}
    - {rule: accepted_values, column: country, values: [US, DE, FR, BR, IN], severity: warn}
    - {rule: unique, column: event_id, severity: warn}
    - {rule: row_count, min: 1, severity: block}
    - {rule: sql, expression: "amount IS NULL OR amount >= 0", severity: block}
  anomaly: {window: 14, warn: 3, block: 5}
alerts:
  - {url: "http://127.0.0.1:9999/hook", format: slack, min_severity: warn}
)yaml";

TEST(PromotionSpecTest, TheIssueExampleParsesAsWritten) {
  auto spec = ParsePromotionSpec(kIssueExample);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->target, "orders");
  EXPECT_EQ(spec->key, std::vector<std::string>{"event_id"});
  EXPECT_EQ(spec->event_time, "event_ts");
  EXPECT_EQ(spec->partition_by, std::vector<std::string>{"days(event_ts)"});
  ASSERT_EQ(spec->cast.size(), 3u);
  EXPECT_EQ(spec->cast[1], (std::pair<std::string, std::string>{"amount", "decimal(12,2)"}));
  EXPECT_EQ(spec->clean[0].second, "upper(trim(country))");
  ASSERT_EQ(spec->rules.size(), 6u);
  EXPECT_EQ(spec->rules[0].kind, RuleKind::kNotNull);
  EXPECT_EQ(spec->rules[0].max_null_rate, 0.01);
  EXPECT_EQ(spec->rules[1].min, 0);
  EXPECT_EQ(spec->rules[1].max, 10000);
  EXPECT_EQ(spec->rules[2].severity, Severity::kWarn);
  EXPECT_EQ(spec->rules[2].values.size(), 5u);
  EXPECT_EQ(spec->rules[5].expression, "amount IS NULL OR amount >= 0");
  EXPECT_EQ(spec->anomaly.window, 14);
  EXPECT_EQ(spec->anomaly.block, 5);
  EXPECT_NE(spec->alerts_json.find("127.0.0.1:9999"), std::string::npos);
  // The canonical JSON parses back to the same spec.
  auto again = ParsePromotionSpec(PromotionSpecToJson(*spec));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(PromotionSpecToJson(*again), PromotionSpecToJson(*spec));
}

TEST(PromotionSpecTest, BadSpecsNameTheField) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"key: [id]\nevent_time: ts", "'target' is required"},
      {"target: o\nevent_time: ts", "'key' is required"},
      {"target: o\nkey: id\nevent_time: ts\ncolour: red", "unknown field 'colour'"},
      {"target: o\nkey: id\nevent_time: ts\nquality: {rules: [{rule: nope, column: a}]}", "unknown rule 'nope'"},
      {"target: o\nkey: id\nevent_time: ts\nquality: {rules: [{rule: range, column: a}]}", "needs one 'column' and 'min'"},
      {"target: o\nkey: id\nevent_time: ts\nquality: {rules: [{rule: range, column: a, min: 5, max: 1}]}", "above max"},
      {"target: o\nkey: id\nevent_time: ts\nquality: {rules: [{rule: not_null, column: a, severity: fatal}]}", "must be warn or block"},
      {"target: o\nkey: id\nevent_time: ts\nquality: {rules: [{rule: not_null, column: a}, {rule: not_null, column: a}]}", "a second rule named"},
      {"target: o\nkey: id\nevent_time: ts\nquality: {anomaly: {warn: 6, block: 5}}", "warn <= block"},
      {"target: ../x\nkey: id\nevent_time: ts", "must be a dataset name"},
      {"target: [unclosed", "not valid YAML"},
  };
  for (const Case& c : cases) {
    auto spec = ParsePromotionSpec(c.text);
    ASSERT_FALSE(spec.ok()) << c.text;
    EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(spec.status().message().find(c.says), std::string::npos) << spec.status().message();
  }
}

TEST(PromotionSpecTest, ColumnsAreCheckedAgainstTheRawSchema) {
  auto spec = ParsePromotionSpec(kIssueExample).value();
  auto schema = schema::Schema::Make({}).value();
  Status st = CheckAgainst(spec, schema);
  EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("event_id"), std::string::npos) << st.message();
}

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(engine::DuckDb::Open().value());
    // 100 rows: user_id NULL for 3, amount -5 for one and 20000 for another, country 'XX'
    // twice, event_id 7 repeated once.
    ASSERT_TRUE(db_->Exec(R"(CREATE TABLE p AS SELECT
        CASE WHEN i = 99 THEN 7 ELSE i END AS event_id,
        CASE WHEN i < 3 THEN NULL ELSE i * 10 END AS user_id,
        CASE i WHEN 10 THEN -5 WHEN 11 THEN 20000 ELSE i END::DECIMAL(12,2) AS amount,
        CASE WHEN i IN (20, 21) THEN 'XX' ELSE ['US', 'DE', 'FR'][i % 3 + 1] END AS country,
        'ab' || i AS code,
        TIMESTAMPTZ '2024-01-15 00:00:00+00' + to_minutes(i) AS event_ts
      FROM range(100) r(i))").ok());
  }
  std::unique_ptr<engine::DuckDb> db_;
};

TEST_F(RulesTest, EveryRuleKindMeasuresItsRows) {
  auto spec = ParsePromotionSpec(R"yaml(
target: t
key: [event_id]
event_time: event_ts
quality:
  rules:
    - {rule: not_null, column: user_id, max_null_rate: 0.01}
    - {rule: not_null, column: user_id, max_null_rate: 0.05, name: lenient_nulls}
    - {rule: range, column: amount, min: 0, max: 10000}
    - {rule: accepted_values, column: country, values: [US, DE, FR], severity: warn}
    - {rule: regex, column: code, pattern: "ab[0-9]+"}
    - {rule: unique, column: event_id, severity: warn}
    - {rule: row_count, min: 1, max: 50}
    - {rule: freshness, max_age_hours: 1}
    - {rule: sql, expression: "amount >= 0"}
    - {rule: referential, column: country, ref: curated.countries.code}
)yaml").value();
  ASSERT_TRUE(db_->Exec("CREATE TABLE countries AS SELECT unnest(['US', 'DE']) AS code").ok());
  RuleContext ctx;
  ctx.now = 1705276800000000LL + 3 * 3600000000LL;  // 2024-01-15 03:00 UTC
  ctx.event_time = "event_ts";
  ctx.reference = [](const std::string& ref) -> Result<std::string> {
    EXPECT_EQ(ref, "curated.countries.code");
    return std::string("countries");
  };
  auto results = EvaluateRules(*db_, "p", spec.rules, ctx);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  std::map<std::string, RuleResult> by;
  for (const auto& r : *results) by[r.name] = r;
  EXPECT_FALSE(by["not_null(user_id)"].passed);
  EXPECT_EQ(by["not_null(user_id)"].violations, 3);
  EXPECT_NEAR(*by["not_null(user_id)"].observed, 0.03, 1e-9);
  EXPECT_NE(by["not_null(user_id)"].detail.find("above max_null_rate 0.01"), std::string::npos);
  EXPECT_EQ(by["not_null(user_id)"].samples.size(), 3u);
  EXPECT_TRUE(by["lenient_nulls"].passed);
  EXPECT_EQ(by["range(amount)"].violations, 2);
  EXPECT_EQ(by["range(amount)"].samples.size(), 2u);
  EXPECT_EQ(by["accepted_values(country)"].violations, 2);
  EXPECT_EQ(by["accepted_values(country)"].severity, Severity::kWarn);
  EXPECT_TRUE(by["regex(code)"].passed);
  EXPECT_EQ(by["unique(event_id)"].violations, 1);
  EXPECT_EQ(by["unique(event_id)"].samples.size(), 2u);  // both rows with the repeated key
  EXPECT_FALSE(by["row_count"].passed);
  EXPECT_EQ(*by["row_count"].observed, 100);
  EXPECT_FALSE(by["freshness"].passed);  // newest event 01:39, now 03:00: 1.35 h old
  EXPECT_NEAR(*by["freshness"].observed, 1.35, 1e-9);
  EXPECT_EQ(by["sql(amount >= 0)"].violations, 1);
  EXPECT_EQ(by["referential(country)"].violations, 32 + 2);  // FR and XX rows are not in countries
  for (const std::string& s : by["range(amount)"].samples) {
    EXPECT_NE(s.find("\"amount\""), std::string::npos) << s;
  }
}

TEST_F(RulesTest, ABadRuleIsNamed) {
  auto spec = ParsePromotionSpec(
                  "target: t\nkey: id\nevent_time: ts\nquality: {rules: [{rule: row_count, min: 1}, "
                  "{rule: sql, expression: 'no_such_column > 1', name: broken}]}")
                  .value();
  auto r = EvaluateRules(*db_, "p", spec.rules, RuleContext{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("rule broken"), std::string::npos) << r.status().message();
}

TEST_F(RulesTest, ProfilesSummarizeColumns) {
  auto p = ComputeProfile(*db_, "p");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->rows, 100);
  ASSERT_EQ(p->columns.size(), 6u);
  EXPECT_EQ(p->columns[1].name, "user_id");
  EXPECT_NEAR(p->columns[1].null_rate, 0.03, 1e-9);
  EXPECT_TRUE(p->columns[1].numeric);
  EXPECT_EQ(*p->columns[1].min, 30);
  EXPECT_EQ(*p->columns[1].max, 990);
  EXPECT_FALSE(p->columns[3].numeric);
  EXPECT_NEAR(p->columns[3].distinct, 4, 1);
  auto back = ProfileFromJson(ProfileToJson(*p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ProfileToJson(*back), ProfileToJson(*p));
}

Profile Steady(int64_t rows, double null_rate, double p99) {
  Profile p;
  p.rows = rows;
  p.columns.push_back({"user_id", null_rate, 100, true, 1, 100, 50, p99});
  return p;
}

TEST(AnomalyTest, AFortyPercentVolumeDropAgainstTwoSteadyWeeksBlocks) {
  std::vector<Profile> history;
  for (int d = 0; d < 14; ++d) history.push_back(Steady(100000 + (d % 3) * 1500 - 1500, 0.002, 990 + d % 2));
  AnomalySpec spec;
  AnomalyScore normal = ScoreAnomaly(Steady(101200, 0.0025, 991), history, spec);
  ASSERT_TRUE(normal.score.has_value());
  EXPECT_LT(*normal.score, spec.warn) << normal.detail;
  EXPECT_FALSE(normal.flagged);

  AnomalyScore drop = ScoreAnomaly(Steady(60000, 0.002, 990), history, spec);
  ASSERT_TRUE(drop.score.has_value());
  EXPECT_GT(*drop.score, spec.block) << drop.detail;
  EXPECT_TRUE(drop.flagged);
  EXPECT_EQ(drop.verdict, Severity::kBlock);
  EXPECT_EQ(drop.deviations[0].metric, "row_count");
  EXPECT_NE(drop.detail.find("row_count"), std::string::npos);

  // Perfectly constant history: a change still scores finitely (a floor on the spread).
  std::vector<Profile> flat(14, Steady(1000, 0, 10));
  AnomalyScore tiny = ScoreAnomaly(Steady(1001, 0.001, 10), flat, spec);
  EXPECT_LT(*tiny.score, spec.warn) << tiny.detail;
  AnomalyScore nulls = ScoreAnomaly(Steady(1000, 0.2, 10), flat, spec);
  EXPECT_GT(*nulls.score, spec.block) << nulls.detail;
  EXPECT_EQ(nulls.deviations[0].metric, "null_rate(user_id)");

  // Too little history: no score, never a block.
  AnomalyScore young = ScoreAnomaly(Steady(10, 0, 1), {Steady(1000, 0, 10)}, spec);
  EXPECT_FALSE(young.score.has_value());
  EXPECT_FALSE(young.flagged);
}

}  // namespace
}  // namespace tarn::quality
