#include "tarn/quality/profile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "tarn/quality/rules.h"

namespace tarn::quality {
namespace {

using json = nlohmann::json;
using engine::ColumnType;

std::optional<double> OptNumber(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return std::stod(*v);
}

std::string Short(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// The spread a metric must at least have: history that never varied would otherwise make any
// change infinitely anomalous. Rates get one percentage point, other metrics 1% of their mean.
double Floor(const std::string& metric, double mean) {
  if (metric.rfind("null_rate", 0) == 0) return 0.01;
  return std::max(std::abs(mean) * 0.01, 1e-6);
}

}  // namespace

std::string ProfileToJson(const Profile& p) {
  json cols = json::array();
  for (const ColumnProfile& c : p.columns) {
    json col = {{"name", c.name}, {"null_rate", c.null_rate}, {"distinct", c.distinct}, {"numeric", c.numeric}};
    if (c.min) col["min"] = *c.min;
    if (c.max) col["max"] = *c.max;
    if (c.p50) col["p50"] = *c.p50;
    if (c.p99) col["p99"] = *c.p99;
    cols.push_back(std::move(col));
  }
  return json{{"rows", p.rows}, {"columns", cols}}.dump();
}

Result<Profile> ProfileFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j["rows"].is_number_integer() || !j["columns"].is_array()) {
    return InvalidArgument("not a partition profile");
  }
  Profile p;
  p.rows = j["rows"].get<int64_t>();
  for (const json& c : j["columns"]) {
    ColumnProfile col;
    col.name = c.value("name", "");
    col.null_rate = c.value("null_rate", 0.0);
    col.distinct = c.value("distinct", int64_t{0});
    col.numeric = c.value("numeric", false);
    for (auto [key, field] : {std::pair{"min", &col.min}, {"max", &col.max}, {"p50", &col.p50}, {"p99", &col.p99}}) {
      if (c.contains(key) && c[key].is_number()) *field = c[key].get<double>();
    }
    p.columns.push_back(std::move(col));
  }
  return p;
}

Result<Profile> ComputeProfile(engine::DuckDb& db, const std::string& relation) {
  TARN_ASSIGN_OR_RETURN(engine::StatementShape shape, db.Describe("SELECT * FROM " + relation));
  std::string select = "CAST(count(*) AS VARCHAR)";
  for (const engine::Column& c : shape.columns) {
    std::string q = QuoteIdent(c.name);
    select += ", CAST(count(*) - count(" + q + ") AS VARCHAR), CAST(approx_count_distinct(" + q + ") AS VARCHAR)";
    if (engine::IsNumeric(c.type)) {
      std::string d = "CAST(" + q + " AS DOUBLE)";
      select += ", CAST(min(" + d + ") AS VARCHAR), CAST(max(" + d + ") AS VARCHAR), CAST(approx_quantile(" + d +
                ", 0.5) AS VARCHAR), CAST(approx_quantile(" + d + ", 0.99) AS VARCHAR)";
    }
  }
  engine::Row row;
  TARN_RETURN_IF_ERROR(db.Query("SELECT " + select + " FROM " + relation, {}, [&](const engine::Row& r) {
    row = r;
    return Status::OK();
  }));
  Profile p;
  p.rows = std::stoll(*row[0]);
  size_t i = 1;
  for (const engine::Column& c : shape.columns) {
    ColumnProfile col;
    col.name = c.name;
    int64_t nulls = std::stoll(*row[i++]);
    col.null_rate = p.rows ? static_cast<double>(nulls) / p.rows : 0;
    col.distinct = std::stoll(*row[i++]);
    col.numeric = engine::IsNumeric(c.type);
    if (col.numeric) {
      col.min = OptNumber(row[i++]);
      col.max = OptNumber(row[i++]);
      col.p50 = OptNumber(row[i++]);
      col.p99 = OptNumber(row[i++]);
    }
    p.columns.push_back(std::move(col));
  }
  return p;
}

AnomalyScore ScoreAnomaly(const Profile& current, const std::vector<Profile>& baseline,
                          const AnomalySpec& spec) {
  AnomalyScore out;
  size_t first = baseline.size() > static_cast<size_t>(spec.window) ? baseline.size() - spec.window : 0;
  std::vector<const Profile*> history;
  for (size_t i = first; i < baseline.size(); ++i) history.push_back(&baseline[i]);
  out.baseline = static_cast<int>(history.size());
  if (!spec.enabled || out.baseline < spec.min_history) {
    out.detail = spec.enabled ? "not scored: " + std::to_string(out.baseline) + " comparable partitions, " +
                                    std::to_string(spec.min_history) + " needed"
                              : "anomaly scoring is off";
    return out;
  }
  // metric -> (current value, history values)
  std::map<std::string, std::pair<double, std::vector<double>>> metrics;
  metrics["row_count"].first = static_cast<double>(current.rows);
  for (const ColumnProfile& c : current.columns) {
    metrics["null_rate(" + c.name + ")"].first = c.null_rate;
    if (c.p99) metrics["p99(" + c.name + ")"].first = *c.p99;
  }
  for (const Profile* h : history) {
    metrics["row_count"].second.push_back(static_cast<double>(h->rows));
    for (const ColumnProfile& c : h->columns) {
      if (auto it = metrics.find("null_rate(" + c.name + ")"); it != metrics.end()) it->second.second.push_back(c.null_rate);
      if (c.p99) {
        if (auto it = metrics.find("p99(" + c.name + ")"); it != metrics.end()) it->second.second.push_back(*c.p99);
      }
    }
  }
  for (const auto& [name, data] : metrics) {
    const auto& [value, values] = data;
    if (static_cast<int>(values.size()) < spec.min_history) continue;
    double mean = 0;
    for (double v : values) mean += v;
    mean /= values.size();
    double var = 0;
    for (double v : values) var += (v - mean) * (v - mean);
    double sd = std::sqrt(var / (values.size() - 1));
    double z = (value - mean) / std::max(sd, Floor(name, mean));
    out.deviations.push_back({name, value, mean, sd, z});
  }
  std::sort(out.deviations.begin(), out.deviations.end(),
            [](const Deviation& a, const Deviation& b) { return std::abs(a.z) > std::abs(b.z); });
  out.score = out.deviations.empty() ? 0.0 : std::abs(out.deviations[0].z);
  out.flagged = *out.score > spec.warn;
  out.verdict = *out.score > spec.block ? Severity::kBlock : Severity::kWarn;
  if (!out.deviations.empty()) {
    const Deviation& d = out.deviations[0];
    out.detail = d.metric + " " + Short(d.value) + " vs " + Short(d.mean) + " ± " + Short(d.stddev) +
                 " over " + std::to_string(out.baseline) + " partitions (z = " + Short(d.z) + ")";
  }
  return out;
}

}  // namespace tarn::quality
