#include "tarn/quality/promotion_spec.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "tarn/base/time.h"
#include "tarn/schema/cdc_envelope.h"

namespace tarn::quality {
namespace {

using json = nlohmann::ordered_json;

// A YAML node as JSON: plain (unquoted) scalars become numbers, booleans or null when they
// read as such; quoted scalars stay strings.
json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& child : node) out.push_back(ToJson(child));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& text = node.Scalar();
  if (node.Tag() != "?") return text;  // quoted
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text == "null" || text == "~") return nullptr;
  char* end = nullptr;
  long long i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0') return i;
  double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') return d;
  return text;
}

Status Known(const json& obj, const std::string& where, std::initializer_list<const char*> names) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (const char* n : names) ok = ok || key == n;
    if (!ok) return InvalidArgument(where + ": unknown field '" + key + "'");
  }
  return Status::OK();
}

Result<std::string> String(const json& obj, const char* field, const std::string& where, bool required) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (required) return InvalidArgument(where + ": '" + field + "' is required");
    return std::string();
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgument(where + ": '" + field + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

Result<std::optional<double>> Number(const json& obj, const char* field, const std::string& where) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return InvalidArgument(where + ": '" + field + "' must be a number");
  return std::optional<double>(it->get<double>());
}

// A string, or a list of strings.
Result<std::vector<std::string>> Strings(const json& obj, const char* field, const std::string& where) {
  std::vector<std::string> out;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return out;
  if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
  if (!it->is_array()) return InvalidArgument(where + ": '" + field + "' must be a list");
  for (const json& v : *it) {
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_number() || v.is_boolean()) {
      out.push_back(v.dump());
    } else {
      return InvalidArgument(where + ": '" + field + "' must hold strings");
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> Mapping(const json& obj, const char* field,
                                                                 const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return InvalidArgument(where + ": '" + field + "' must map columns to text");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return InvalidArgument(where + ": '" + field + "." + k + "' must be text");
    out.emplace_back(k, v.get<std::string>());
  }
  return out;
}

struct RuleInfo {
  RuleKind kind;
  const char* name;
};
constexpr RuleInfo kRules[] = {
    {RuleKind::kNotNull, "not_null"},     {RuleKind::kRange, "range"},
    {RuleKind::kAcceptedValues, "accepted_values"}, {RuleKind::kRegex, "regex"},
    {RuleKind::kUnique, "unique"},        {RuleKind::kRowCount, "row_count"},
    {RuleKind::kFreshness, "freshness"},  {RuleKind::kReferential, "referential"},
    {RuleKind::kSql, "sql"},
};

Result<Rule> ParseRule(const json& r, size_t index) {
  std::string where = "quality.rules[" + std::to_string(index) + "]";
  if (!r.is_object()) return InvalidArgument(where + " must be a mapping");
  TARN_RETURN_IF_ERROR(Known(r, where, {"rule", "column", "columns", "severity", "name",
                                        "max_null_rate", "min", "max", "values", "pattern",
                                        "expression", "max_age_hours", "ref"}));
  TARN_ASSIGN_OR_RETURN(std::string kind, String(r, "rule", where, true));
  Rule rule;
  bool found = false;
  for (const RuleInfo& info : kRules) {
    if (kind == info.name) {
      rule.kind = info.kind;
      found = true;
    }
  }
  if (!found) {
    return InvalidArgument(where + ": unknown rule '" + kind +
                           "' (not_null, range, accepted_values, regex, unique, row_count, "
                           "freshness, referential, sql)");
  }
  TARN_ASSIGN_OR_RETURN(std::string severity, String(r, "severity", where, false));
  if (severity.empty() || severity == "block") {
    rule.severity = Severity::kBlock;
  } else if (severity == "warn") {
    rule.severity = Severity::kWarn;
  } else {
    return InvalidArgument(where + ": severity '" + severity + "' must be warn or block");
  }
  TARN_ASSIGN_OR_RETURN(rule.columns, Strings(r, "column", where));
  TARN_ASSIGN_OR_RETURN(auto more, Strings(r, "columns", where));
  rule.columns.insert(rule.columns.end(), more.begin(), more.end());
  TARN_ASSIGN_OR_RETURN(rule.max_null_rate, Number(r, "max_null_rate", where));
  TARN_ASSIGN_OR_RETURN(rule.min, Number(r, "min", where));
  TARN_ASSIGN_OR_RETURN(rule.max, Number(r, "max", where));
  TARN_ASSIGN_OR_RETURN(rule.max_age_hours, Number(r, "max_age_hours", where));
  TARN_ASSIGN_OR_RETURN(rule.values, Strings(r, "values", where));
  TARN_ASSIGN_OR_RETURN(rule.pattern, String(r, "pattern", where, false));
  TARN_ASSIGN_OR_RETURN(rule.expression, String(r, "expression", where, false));
  TARN_ASSIGN_OR_RETURN(rule.ref, String(r, "ref", where, false));
  TARN_ASSIGN_OR_RETURN(rule.name, String(r, "name", where, false));

  auto need = [&](bool ok, const std::string& what) {
    return ok ? Status::OK() : InvalidArgument(where + " (" + kind + ") needs " + what);
  };
  bool one_column = rule.columns.size() == 1;
  switch (rule.kind) {
    case RuleKind::kNotNull:
      TARN_RETURN_IF_ERROR(need(one_column, "one 'column'"));
      if (rule.max_null_rate && (*rule.max_null_rate < 0 || *rule.max_null_rate > 1)) {
        return InvalidArgument(where + ": max_null_rate must be between 0 and 1");
      }
      break;
    case RuleKind::kRange:
      TARN_RETURN_IF_ERROR(need(one_column && (rule.min || rule.max), "one 'column' and 'min' and/or 'max'"));
      break;
    case RuleKind::kAcceptedValues:
      TARN_RETURN_IF_ERROR(need(one_column && !rule.values.empty(), "one 'column' and 'values'"));
      break;
    case RuleKind::kRegex:
      TARN_RETURN_IF_ERROR(need(one_column && !rule.pattern.empty(), "one 'column' and a 'pattern'"));
      break;
    case RuleKind::kUnique:
      TARN_RETURN_IF_ERROR(need(!rule.columns.empty(), "'column' or 'columns'"));
      break;
    case RuleKind::kRowCount:
      TARN_RETURN_IF_ERROR(need(rule.min || rule.max, "'min' and/or 'max'"));
      break;
    case RuleKind::kFreshness:
      TARN_RETURN_IF_ERROR(need(rule.max_age_hours.has_value() && *rule.max_age_hours > 0,
                                "a positive 'max_age_hours'"));
      break;
    case RuleKind::kReferential:
      TARN_RETURN_IF_ERROR(need(one_column && !rule.ref.empty(), "one 'column' and 'ref: zone.dataset.column'"));
      break;
    case RuleKind::kSql:
      TARN_RETURN_IF_ERROR(need(!rule.expression.empty(), "an 'expression'"));
      break;
  }
  if (rule.min && rule.max && *rule.min > *rule.max) {
    return InvalidArgument(where + ": min " + std::to_string(*rule.min) + " is above max " +
                           std::to_string(*rule.max));
  }
  if (rule.name.empty() && rule.kind == RuleKind::kSql) {
    rule.name = "sql(" + rule.expression + ")";
  } else if (rule.name.empty()) {
    rule.name = kind;
    if (!rule.columns.empty()) {
      rule.name += "(";
      for (size_t i = 0; i < rule.columns.size(); ++i) rule.name += (i ? "," : "") + rule.columns[i];
      rule.name += ")";
    }
  }
  return rule;
}

json RuleToJson(const Rule& r) {
  json out = {{"rule", std::string(RuleKindName(r.kind))}, {"name", r.name},
              {"severity", std::string(SeverityName(r.severity))}};
  if (r.columns.size() == 1) out["column"] = r.columns[0];
  if (r.columns.size() > 1) out["columns"] = r.columns;
  if (r.max_null_rate) out["max_null_rate"] = *r.max_null_rate;
  if (r.min) out["min"] = *r.min;
  if (r.max) out["max"] = *r.max;
  if (r.max_age_hours) out["max_age_hours"] = *r.max_age_hours;
  if (!r.values.empty()) out["values"] = r.values;
  if (!r.pattern.empty()) out["pattern"] = r.pattern;
  if (!r.expression.empty()) out["expression"] = r.expression;
  if (!r.ref.empty()) out["ref"] = r.ref;
  return out;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

Result<int64_t> Duration(const json& obj, const char* field, const std::string& where) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return int64_t{-1};
  if (!it->is_string()) return InvalidArgument(where + "." + field + " must be a duration such as 5m");
  auto d = ParseDurationMicros(it->get<std::string>());
  if (!d.ok()) return InvalidArgument(where + "." + field + ": " + d.status().message());
  return *d;
}

// The streaming parts: watermark and windows.
Status ParseStreaming(const json& doc, PromotionSpec* spec) {
  if (auto w = doc.find("watermark"); w != doc.end() && !w->is_null()) {
    if (!w->is_object()) return InvalidArgument("watermark must be a mapping");
    TARN_RETURN_IF_ERROR(Known(*w, "watermark", {"allowed_lateness", "late_alert_rate"}));
    TARN_ASSIGN_OR_RETURN(int64_t lateness, Duration(*w, "allowed_lateness", "watermark"));
    if (lateness >= 0) spec->watermark.allowed_lateness_us = lateness;
    TARN_ASSIGN_OR_RETURN(auto rate, Number(*w, "late_alert_rate", "watermark"));
    if (rate) {
      if (*rate < 0 || *rate > 1) return InvalidArgument("watermark.late_alert_rate must be between 0 and 1");
      spec->watermark.late_alert_rate = *rate;
    }
  }
  auto ws = doc.find("windows");
  if (ws == doc.end() || ws->is_null()) return Status::OK();
  if (!ws->is_array()) return InvalidArgument("windows must be a list");
  std::set<std::string> names;
  for (size_t i = 0; i < ws->size(); ++i) {
    const json& w = (*ws)[i];
    std::string where = "windows[" + std::to_string(i) + "]";
    if (!w.is_object()) return InvalidArgument(where + " must be a mapping");
    TARN_RETURN_IF_ERROR(Known(w, where, {"name", "size", "group_by", "measures"}));
    WindowSpec window;
    TARN_ASSIGN_OR_RETURN(window.name, String(w, "name", where, true));
    if (!IsIdentifier(window.name)) {
      return InvalidArgument(where + ": name '" + window.name + "' must be an identifier (letters, digits, '_')");
    }
    if (!names.insert(window.name).second) return InvalidArgument(where + ": a second window named " + window.name);
    TARN_ASSIGN_OR_RETURN(window.size_us, Duration(w, "size", where));
    if (window.size_us < 1'000'000) return InvalidArgument(where + ": 'size' is required, at least 1s");
    TARN_ASSIGN_OR_RETURN(window.group_by, Strings(w, "group_by", where));
    TARN_ASSIGN_OR_RETURN(window.measures, Mapping(w, "measures", where));
    if (window.measures.empty()) return InvalidArgument(where + ": 'measures' is required");
    for (const auto& [column, _] : window.measures) {
      if (!IsIdentifier(column)) return InvalidArgument(where + ": measure name '" + column + "' must be an identifier");
    }
    spec->windows.push_back(std::move(window));
  }
  return Status::OK();
}

Status ParseCdc(const json& doc, PromotionSpec* spec) {
  auto c = doc.find("cdc");
  if (c == doc.end() || c->is_null()) return Status::OK();
  if (!c->is_object()) return InvalidArgument("cdc must be a mapping such as {format: debezium}");
  TARN_RETURN_IF_ERROR(Known(*c, "cdc", {"format"}));
  CdcSpec cdc;
  TARN_ASSIGN_OR_RETURN(cdc.format, String(*c, "format", "cdc", true));
  if (cdc.format != "debezium") {
    return InvalidArgument("cdc.format '" + cdc.format + "' is not supported (debezium)");
  }
  spec->cdc = cdc;
  return Status::OK();
}

// A duration in the largest unit that divides it ("5m", "90s", "1500ms").
std::string DurationText(int64_t us) {
  for (auto [unit, micros] : {std::pair{"d", int64_t{86'400'000'000}}, {"h", int64_t{3'600'000'000}},
                              {"m", int64_t{60'000'000}}, {"s", int64_t{1'000'000}}}) {
    if (us != 0 && us % micros == 0) return std::to_string(us / micros) + unit;
  }
  return std::to_string(us / 1000) + "ms";
}

void AddStreamingJson(const PromotionSpec& spec, json* out) {
  (*out)["watermark"] = {{"allowed_lateness", DurationText(spec.watermark.allowed_lateness_us)},
                         {"late_alert_rate", spec.watermark.late_alert_rate}};
  json windows = json::array();
  for (const WindowSpec& w : spec.windows) {
    json measures = json::object();
    for (const auto& [k, v] : w.measures) measures[k] = v;
    windows.push_back({{"name", w.name},
                       {"size", DurationText(w.size_us)},
                       {"group_by", w.group_by},
                       {"measures", measures}});
  }
  (*out)["windows"] = windows;
}

}  // namespace

std::string_view SeverityName(Severity s) { return s == Severity::kWarn ? "warn" : "block"; }

std::string_view RuleKindName(RuleKind k) {
  for (const RuleInfo& info : kRules) {
    if (info.kind == k) return info.name;
  }
  return "unknown";
}

Result<PromotionSpec> ParsePromotionSpec(const std::string& text) {
  json doc;
  try {
    doc = ToJson(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("promotion spec is not valid YAML or JSON: ") + e.what());
  }
  if (!doc.is_object()) return InvalidArgument("promotion spec must be a mapping");
  const std::string top = "promotion spec";
  TARN_RETURN_IF_ERROR(Known(doc, top,
                             {"target", "key", "event_time", "partition_by", "cast", "clean",
                              "quality", "alerts", "watermark", "windows", "cdc"}));
  PromotionSpec spec;
  TARN_ASSIGN_OR_RETURN(spec.target, String(doc, "target", top, true));
  for (char c : spec.target) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return InvalidArgument(top + ": target '" + spec.target + "' must be a dataset name (letters, digits, '_', '-')");
    }
  }
  TARN_ASSIGN_OR_RETURN(spec.key, Strings(doc, "key", top));
  if (spec.key.empty()) return InvalidArgument(top + ": 'key' is required (the dedup key columns)");
  TARN_RETURN_IF_ERROR(ParseCdc(doc, &spec));
  // A table's changes need no event time: their tables are then unpartitioned by default.
  TARN_ASSIGN_OR_RETURN(spec.event_time, String(doc, "event_time", top, !spec.cdc));
  TARN_ASSIGN_OR_RETURN(spec.partition_by, Strings(doc, "partition_by", top));
  if (spec.partition_by.empty() && !spec.event_time.empty()) {
    spec.partition_by = {"days(" + spec.event_time + ")"};
  }
  TARN_ASSIGN_OR_RETURN(spec.cast, Mapping(doc, "cast", top));
  TARN_ASSIGN_OR_RETURN(spec.clean, Mapping(doc, "clean", top));
  if (auto it = doc.find("alerts"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument(top + ": 'alerts' must be a list");
    spec.alerts_json = it->dump();
  }
  TARN_RETURN_IF_ERROR(ParseStreaming(doc, &spec));
  if (spec.event_time.empty() && !spec.windows.empty()) {
    return InvalidArgument(top + ": windows need an 'event_time'");
  }
  if (auto q = doc.find("quality"); q != doc.end() && !q->is_null()) {
    if (!q->is_object()) return InvalidArgument("quality must be a mapping");
    TARN_RETURN_IF_ERROR(Known(*q, "quality", {"rules", "anomaly"}));
    if (auto rules = q->find("rules"); rules != q->end() && !rules->is_null()) {
      if (!rules->is_array()) return InvalidArgument("quality.rules must be a list");
      std::set<std::string> names;
      for (size_t i = 0; i < rules->size(); ++i) {
        TARN_ASSIGN_OR_RETURN(Rule rule, ParseRule((*rules)[i], i));
        if (!names.insert(rule.name).second) {
          return InvalidArgument("quality.rules[" + std::to_string(i) + "]: a second rule named '" +
                                 rule.name + "' (give one a 'name')");
        }
        if (rule.kind == RuleKind::kFreshness && rule.columns.empty() && spec.event_time.empty()) {
          return InvalidArgument("quality.rules[" + std::to_string(i) +
                                 "] (freshness) needs a 'column': the spec has no event_time");
        }
        spec.rules.push_back(std::move(rule));
      }
    }
    if (auto a = q->find("anomaly"); a != q->end()) {
      if (a->is_boolean()) {
        spec.anomaly.enabled = a->get<bool>();
      } else if (a->is_object()) {
        TARN_RETURN_IF_ERROR(Known(*a, "quality.anomaly", {"window", "warn", "block", "min_history", "enabled"}));
        TARN_ASSIGN_OR_RETURN(auto window, Number(*a, "window", "quality.anomaly"));
        TARN_ASSIGN_OR_RETURN(auto warn, Number(*a, "warn", "quality.anomaly"));
        TARN_ASSIGN_OR_RETURN(auto block, Number(*a, "block", "quality.anomaly"));
        TARN_ASSIGN_OR_RETURN(auto min_history, Number(*a, "min_history", "quality.anomaly"));
        if (window) spec.anomaly.window = static_cast<int>(*window);
        if (warn) spec.anomaly.warn = *warn;
        if (block) spec.anomaly.block = *block;
        if (min_history) spec.anomaly.min_history = static_cast<int>(*min_history);
        if (auto e = a->find("enabled"); e != a->end() && e->is_boolean()) spec.anomaly.enabled = e->get<bool>();
        if (spec.anomaly.window < 2 || spec.anomaly.window > 1000) {
          return InvalidArgument("quality.anomaly.window must be between 2 and 1000");
        }
        if (spec.anomaly.warn <= 0 || spec.anomaly.block < spec.anomaly.warn) {
          return InvalidArgument("quality.anomaly: need 0 < warn <= block");
        }
        if (spec.anomaly.min_history < 2 || spec.anomaly.min_history > spec.anomaly.window) {
          return InvalidArgument("quality.anomaly.min_history must be between 2 and window");
        }
      } else if (!a->is_null()) {
        return InvalidArgument("quality.anomaly must be a mapping or true/false");
      }
    }
  }
  // Change batches vary in size with the source's activity: no volume baseline unless asked.
  bool anomaly_given = doc.contains("quality") && doc["quality"].is_object() &&
                       doc["quality"].contains("anomaly") && !doc["quality"]["anomaly"].is_null();
  if (spec.cdc && !anomaly_given) spec.anomaly.enabled = false;
  return spec;
}

std::string PromotionSpecToJson(const PromotionSpec& spec) {
  json rules = json::array();
  for (const Rule& r : spec.rules) rules.push_back(RuleToJson(r));
  json cast = json::object(), clean = json::object();
  for (const auto& [k, v] : spec.cast) cast[k] = v;
  for (const auto& [k, v] : spec.clean) clean[k] = v;
  json out = {{"target", spec.target},
              {"key", spec.key},
              {"event_time", spec.event_time.empty() ? json(nullptr) : json(spec.event_time)},
              {"partition_by", spec.partition_by},
              {"cast", cast},
              {"clean", clean},
              {"quality",
               {{"rules", rules},
                {"anomaly",
                 {{"enabled", spec.anomaly.enabled},
                  {"window", spec.anomaly.window},
                  {"warn", spec.anomaly.warn},
                  {"block", spec.anomaly.block},
                  {"min_history", spec.anomaly.min_history}}}}},
              {"alerts", json::parse(spec.alerts_json)}};
  AddStreamingJson(spec, &out);
  if (spec.cdc) out["cdc"] = {{"format", spec.cdc->format}};
  return out.dump();
}

Status CheckAgainst(const PromotionSpec& spec, const schema::Schema& raw) {
  std::set<std::string> known;
  const std::vector<schema::NestedField>* columns = &raw.fields();
  if (spec.cdc) {
    TARN_ASSIGN_OR_RETURN(schema::CdcEnvelope envelope, schema::FindCdcEnvelope(raw));
    columns = &envelope.row->fields;
  }
  for (const schema::NestedField& f : *columns) known.insert(f.name);
  for (const auto& [column, type] : spec.cast) known.insert(column);
  for (const auto& [column, expr] : spec.clean) known.insert(column);
  auto check = [&](const std::string& column, const std::string& where) {
    return known.count(column) ? Status::OK()
                               : FailedPrecondition(where + ": no column '" + column +
                                                    "' in the raw dataset's schema");
  };
  for (const std::string& k : spec.key) TARN_RETURN_IF_ERROR(check(k, "key"));
  if (!spec.event_time.empty()) TARN_RETURN_IF_ERROR(check(spec.event_time, "event_time"));
  for (const Rule& r : spec.rules) {
    for (const std::string& c : r.columns) TARN_RETURN_IF_ERROR(check(c, "rule " + r.name));
  }
  return Status::OK();
}

}  // namespace tarn::quality
