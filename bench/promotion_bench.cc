// The promotion benchmark (`make bench-promotion`, see docs/benchmarks.md): N raw events of ten
// columns, landed by the raw ingestor in P Avro partitions, promoted through the quality gate
// with 20 rules (dedup by key, casts, cleaning, profiles, one upsert commit) — against, in the
// same run, the equivalent plain DuckDB SQL on the same events (read the JSON lines, dedup,
// cast, COPY to Parquet partitioned by day), and the rules alone on the staged rows.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "tarn/base/time.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/ingest/raw_ingestor.h"
#include "tarn/lake/lake.h"
#include "tarn/pipeline/promotion.h"
#include "tarn/quality/promotion_spec.h"
#include "tarn/quality/rules.h"

namespace fs = std::filesystem;
using namespace tarn;

namespace {

constexpr const char* kSpec = R"yaml(
target: events
key: [event_id]
event_time: event_ts
partition_by: [days(event_ts)]
cast: {amount: "decimal(12,2)", event_ts: timestamptz, user_id: long}
clean: {country: "upper(trim(country))"}
quality:
  rules:
    - {rule: not_null, column: user_id, max_null_rate: 0.01}
    - {rule: not_null, column: session, max_null_rate: 0.05}
    - {rule: not_null, column: device}
    - {rule: not_null, column: event_type}
    - {rule: range, column: amount, min: 0, max: 100000}
    - {rule: range, column: price, min: 0, max: 1000}
    - {rule: range, column: qty, min: 1, max: 100}
    - {rule: range, column: user_id, min: 1, max: 10000000}
    - {rule: accepted_values, column: country, values: [US, DE, FR, BR, IN, JP, GB], severity: warn}
    - {rule: accepted_values, column: device, values: [ios, android, web]}
    - {rule: accepted_values, column: event_type, values: [view, click, cart, purchase]}
    - {rule: regex, column: session, pattern: "s[0-9]+"}
    - {rule: regex, column: event_id, pattern: "e[0-9]+"}
    - {rule: unique, column: event_id, severity: warn}
    - {rule: row_count, min: 1}
    - {rule: sql, expression: "amount IS NULL OR amount >= 0"}
    - {rule: sql, expression: "qty * price < 100000"}
    - {rule: sql, expression: "length(event_id) < 32"}
    - {rule: sql, expression: "event_ts >= TIMESTAMPTZ '2020-01-01'"}
    - {rule: freshness, max_age_hours: 1000000}
  anomaly: {window: 14, warn: 3, block: 5}
)yaml";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void Check(const Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

// Part i of the events as JSON lines: 1% repeat an earlier id of the part.
std::string EventsSql(int64_t from, int64_t to) {
  return "SELECT 'e' || (CASE WHEN i % 100 = 7 THEN i - 1 ELSE i END) AS event_id, "
         "CAST(1 + (i * 7919) % 5000000 AS VARCHAR) AS user_id, "
         "CAST(round(((i * 31) % 100000) / 100.0, 2) AS VARCHAR) AS amount, "
         "[' us', 'DE', 'fr ', 'BR', 'IN', 'JP', 'gb'][1 + i % 7] AS country, "
         "['view', 'click', 'cart', 'purchase'][1 + i % 4] AS event_type, "
         "['ios', 'android', 'web'][1 + i % 3] AS device, 's' || (i % 100000) AS session, "
         "i % 1000 AS price, 1 + i % 9 AS qty, "
         "strftime(TIMESTAMP '2024-03-01' + to_seconds(i % 2592000), '%Y-%m-%dT%H:%M:%SZ') AS event_ts "
         "FROM range(" + std::to_string(from) + ", " + std::to_string(to) + ") r(i)";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tarn promotion benchmark"};
  int64_t rows = 10'000'000;
  int parts = 10;
  std::string out = "bench/out/promotion";
  app.add_option("--rows", rows, "raw events")->default_val(rows);
  app.add_option("--partitions", parts, "raw partitions (Avro files)")->default_val(parts);
  app.add_option("--out", out, "work directory (recreated)")->default_val(out);
  CLI11_PARSE(app, argc, argv);

  fs::remove_all(out);
  fs::create_directories(out + "/landing");
  std::string root = fs::absolute(out).string();
  auto gen = engine::DuckDb::Open().value();
  std::vector<std::string> files;
  auto t = std::chrono::steady_clock::now();
  for (int p = 0; p < parts; ++p) {
    std::string f = root + "/landing/part-" + std::to_string(p) + ".jsonl";
    Check(gen->Exec("COPY (" + EventsSql(rows * p / parts, rows * (p + 1) / parts) + ") TO '" + f +
                    "' (FORMAT json)"),
          "generating events");
    files.push_back(f);
  }
  std::printf("generated %lld events in %d JSON-lines files: %.1f s\n", static_cast<long long>(rows), parts,
              Seconds(t));

  lake::LakeOptions opts;
  opts.root = root + "/lake";
  auto lake = lake::Lake::Open(opts).value();
  auto& cat = lake->catalog();
  auto source = cat.CreateSource({"bench", "batch", R"({"connector": "file", "format": "jsonl", "path": ")" +
                                                        files[0] + "\"}", "bench"}).value();
  auto ds = cat.UpsertDataset({source.id, "events", "raw", "bench", 24}).value().dataset;
  Check(cat.RegisterSchema(ds.id, R"({"type": "record", "name": "E", "fields": [
      {"name": "event_id", "type": "string"}, {"name": "user_id", "type": ["null", "string"]},
      {"name": "amount", "type": ["null", "string"]}, {"name": "country", "type": ["null", "string"]},
      {"name": "event_type", "type": ["null", "string"]}, {"name": "device", "type": ["null", "string"]},
      {"name": "session", "type": ["null", "string"]}, {"name": "price", "type": ["null", "long"]},
      {"name": "qty", "type": ["null", "long"]}, {"name": "event_ts", "type": "string"}]})", true)
            .status(),
        "schema");
  ingest::RawIngestor ingestor(cat, *lake->objects().value());
  t = std::chrono::steady_clock::now();
  for (const std::string& f : files) {
    ingest::IngestOptions o;
    o.overrides_json = R"({"path": ")" + f + "\"}";
    Check(ingestor.Run(ds.id, o).status(), "ingest");
  }
  std::printf("landed in raw (Avro): %.1f s\n", Seconds(t));
  Check(pipeline::SetPromotionSpec(*lake, ds.id, kSpec).status(), "spec");

  t = std::chrono::steady_clock::now();
  auto result = pipeline::Promote(*lake, ds.id, {});
  Check(result.status(), "promote");
  double tarn_s = Seconds(t);
  int promoted = 0;
  for (const auto& p : result->partitions) promoted += p.outcome == "promoted";
  std::printf("tarn promote: %d/%d partitions promoted, %lld rows written, %.2f s = %.0f rows/s\n", promoted,
              parts, static_cast<long long>(result->rows_written), tarn_s, rows / tarn_s);

  // The plain DuckDB equivalent: read, dedup, cast, clean, COPY to Parquet by day.
  std::string list;
  for (const std::string& f : files) list += (list.empty() ? "'" : ", '") + f + "'";
  auto plain = engine::DuckDb::Open().value();
  t = std::chrono::steady_clock::now();
  Check(plain->Exec("COPY (SELECT * REPLACE (CAST(amount AS DECIMAL(12,2)) AS amount, "
                    "CAST(event_ts AS TIMESTAMPTZ) AS event_ts, CAST(user_id AS BIGINT) AS user_id, "
                    "upper(trim(country)) AS country), CAST(CAST(event_ts AS TIMESTAMPTZ) AS DATE) AS day "
                    "FROM read_json([" + list + "], format = 'newline_delimited') "
                    "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY event_ts DESC) = 1) TO '" +
                    root + "/plain' (FORMAT parquet, PARTITION_BY (day))"),
        "plain DuckDB");
  double plain_s = Seconds(t);
  std::printf("plain DuckDB (read JSON, dedup, cast, COPY Parquet): %.2f s = %.0f rows/s\n", plain_s, rows / plain_s);
  std::printf("ratio tarn / plain: %.2fx (target <= 1.2x)\n", tarn_s / plain_s);

  // The rules alone, on the same rows staged in DuckDB.
  auto spec = quality::ParsePromotionSpec(kSpec).value();
  Check(plain->Exec("CREATE TABLE staged AS SELECT * REPLACE (CAST(amount AS DECIMAL(12,2)) AS amount, "
                    "CAST(event_ts AS TIMESTAMPTZ) AS event_ts, CAST(user_id AS BIGINT) AS user_id, "
                    "upper(trim(country)) AS country) FROM read_json([" + list + "], format = 'newline_delimited')"),
        "staging");
  quality::RuleContext ctx;
  ctx.now = Clock::System().Now();
  ctx.event_time = "event_ts";
  t = std::chrono::steady_clock::now();
  Check(quality::EvaluateRules(*plain, "staged", spec.rules, ctx).status(), "rules");
  double rules_s = Seconds(t);
  std::printf("20 rules on %lld staged rows: %.2f s = %.1f%% of tarn's promotion (target <= 10%%)\n",
              static_cast<long long>(rows), rules_s, 100 * rules_s / tarn_s);
  return 0;
}
