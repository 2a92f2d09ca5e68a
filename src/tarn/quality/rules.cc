#include "tarn/quality/rules.h"

#include <cmath>
#include <cstdio>

namespace tarn::quality {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Short(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The condition that marks a row as offending a row-level rule; "" for rules measured on the
// whole partition (row_count, freshness, unique).
std::string ViolationSql(const Rule& r) {
  std::string c = r.columns.empty() ? "" : QuoteIdent(r.columns[0]);
  switch (r.kind) {
    case RuleKind::kNotNull:
      return c + " IS NULL";
    case RuleKind::kRange: {
      std::string cond;
      if (r.min) cond += c + " < " + Num(*r.min);
      if (r.max) cond += std::string(cond.empty() ? "" : " OR ") + c + " > " + Num(*r.max);
      return "(" + cond + ")";
    }
    case RuleKind::kAcceptedValues: {
      std::string list;
      for (const std::string& v : r.values) list += (list.empty() ? "" : ", ") + QuoteString(v);
      return c + " IS NOT NULL AND CAST(" + c + " AS VARCHAR) NOT IN (" + list + ")";
    }
    case RuleKind::kRegex:
      return c + " IS NOT NULL AND NOT regexp_full_match(CAST(" + c + " AS VARCHAR), " +
             QuoteString(r.pattern) + ")";
    case RuleKind::kSql:
      return "(" + r.expression + ") IS NOT TRUE";
    default:
      return "";
  }
}

std::string KeyList(const Rule& r) {
  std::string out;
  for (const std::string& c : r.columns) out += (out.empty() ? "" : ", ") + QuoteIdent(c);
  return out;
}

int64_t ToInt(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

}  // namespace

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string QuoteString(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

Result<std::vector<RuleResult>> EvaluateRules(engine::DuckDb& db, const std::string& relation,
                                              const std::vector<Rule>& rules,
                                              const RuleContext& context) {
  // One aggregate: count(*), then one measure per rule.
  std::string measures = "CAST(count(*) AS VARCHAR)";
  for (const Rule& r : rules) {
    std::string m;
    switch (r.kind) {
      case RuleKind::kUnique:
        m = "count(*) FILTER (WHERE (" + KeyList(r) + ") IS NOT NULL) - count(DISTINCT (" + KeyList(r) + "))";
        break;
      case RuleKind::kRowCount:
        m = "count(*)";
        break;
      case RuleKind::kFreshness: {
        std::string column = r.columns.empty() ? context.event_time : r.columns[0];
        m = "epoch_us(max(CAST(" + QuoteIdent(column) + " AS TIMESTAMPTZ)))";
        break;
      }
      case RuleKind::kReferential: {
        if (!context.reference) return FailedPrecondition("rule " + r.name + ": references are not available");
        auto ref = context.reference(r.ref);
        if (!ref.ok()) return ref.status().WithContext("rule " + r.name);
        std::string c = QuoteIdent(r.columns[0]);
        std::string ref_column = QuoteIdent(r.ref.substr(r.ref.rfind('.') + 1));
        m = "(SELECT count(*) FROM " + relation + " __l WHERE __l." + c +
            " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + *ref + " __r WHERE __r." + ref_column +
            " = __l." + c + "))";
        break;
      }
      default:
        m = "count(*) FILTER (WHERE " + ViolationSql(r) + ")";
    }
    measures += ", CAST(" + m + " AS VARCHAR)";
  }
  engine::Row values;
  Status st = db.Query("SELECT " + measures + " FROM " + relation, {}, [&](const engine::Row& row) {
    values = row;
    return Status::OK();
  });
  if (!st.ok()) {
    // Name the rule DuckDB rejected: check each alone.
    for (const Rule& r : rules) {
      std::string v = ViolationSql(r);
      if (v.empty()) continue;
      Status one = db.Exec("SELECT count(*) FILTER (WHERE " + v + ") FROM " + relation);
      if (!one.ok()) return InvalidArgument("rule " + r.name + ": " + one.message());
    }
    return st;
  }
  int64_t rows = ToInt(values[0]);
  std::vector<RuleResult> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    const std::optional<std::string>& v = values[i + 1];
    RuleResult res{r.name, r.kind, r.severity};
    res.rows = rows;
    switch (r.kind) {
      case RuleKind::kNotNull: {
        res.violations = ToInt(v);
        double rate = rows ? static_cast<double>(res.violations) / rows : 0;
        double max = r.max_null_rate.value_or(0);
        res.observed = rate;
        res.passed = rate <= max;
        if (!res.passed) res.detail = "null rate " + Short(rate) + " above max_null_rate " + Short(max);
        break;
      }
      case RuleKind::kRowCount: {
        res.observed = static_cast<double>(rows);
        res.passed = (!r.min || rows >= *r.min) && (!r.max || rows <= *r.max);
        if (!res.passed) {
          res.detail = std::to_string(rows) + " rows, expected " +
                       (r.min ? "at least " + Short(*r.min) : std::string()) +
                       (r.min && r.max ? " and " : "") + (r.max ? "at most " + Short(*r.max) : std::string());
        }
        break;
      }
      case RuleKind::kFreshness: {
        if (!v) {
          res.passed = false;
          res.detail = "no event time at all";
          break;
        }
        double age_hours = static_cast<double>(context.now - std::stoll(*v)) / 3.6e9;
        res.observed = age_hours;
        res.passed = age_hours <= *r.max_age_hours;
        if (!res.passed) {
          res.detail = "newest event is " + Short(age_hours) + " h old, more than max_age_hours " +
                       Short(*r.max_age_hours);
        }
        break;
      }
      default: {
        res.violations = ToInt(v);
        res.passed = res.violations == 0;
        if (!res.passed) {
          res.detail = std::to_string(res.violations) + " of " + std::to_string(rows) +
                       (r.kind == RuleKind::kUnique ? " rows repeat a key" : " rows offend");
        }
      }
    }
    out.push_back(std::move(res));
  }
  // Samples of offending rows for the failed row-level rules.
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    if (out[i].passed || context.sample_rows <= 0) continue;
    std::string where = ViolationSql(r);
    std::string sql;
    if (!where.empty()) {
      sql = "SELECT CAST(to_json(__s) AS VARCHAR) FROM (SELECT * FROM " + relation + " WHERE " + where +
            " LIMIT " + std::to_string(context.sample_rows) + ") __s";
    } else if (r.kind == RuleKind::kUnique) {
      sql = "SELECT CAST(to_json(__s) AS VARCHAR) FROM (SELECT * FROM " + relation +
            " QUALIFY count(*) OVER (PARTITION BY " + KeyList(r) + ") > 1 ORDER BY " + KeyList(r) +
            " LIMIT " + std::to_string(context.sample_rows) + ") __s";
    } else {
      continue;
    }
    TARN_RETURN_IF_ERROR(db.Query(sql, {}, [&](const engine::Row& row) {
      if (row[0]) out[i].samples.push_back(*row[0]);
      return Status::OK();
    }));
  }
  return out;
}

}  // namespace tarn::quality
