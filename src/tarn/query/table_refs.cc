#include "tarn/query/table_refs.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/literal.h"

namespace tarn::query {
namespace {

using json = nlohmann::json;
using schema::TypeId;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Str(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Is(const json& node, const char* key, const char* value) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() && *it == value;
}

// Functions whose value depends only on their arguments (no clock, no randomness): a
// predicate constant built from them is the same when tarn and DuckDB evaluate it.
bool IsPureFunction(const std::string& name) {
  static const std::set<std::string> kPure = {
      "+", "-", "*", "/", "//", "%", "||", "concat", "lower", "upper", "trim", "trunc", "round",
      "make_date", "make_time", "make_timestamp", "make_timestamptz", "to_timestamp", "strptime",
      "date_trunc", "epoch_ms", "to_years", "to_months", "to_weeks", "to_days", "to_hours",
      "to_minutes", "to_seconds", "to_milliseconds", "to_microseconds"};
  return kPure.count(Lower(name)) > 0;
}

// A bound parameter's value, as text: what DuckDB casts to the parameter's inferred type.
const std::optional<std::string>* ParameterValue(const json& e, const Params& params) {
  if (!Is(e, "class", "PARAMETER")) return nullptr;
  size_t index = 0;
  try {
    index = std::stoul(Str(e, "identifier"));
  } catch (...) {
    return nullptr;
  }
  return index >= 1 && index <= params.size() ? &params[index - 1] : nullptr;
}

bool IsConstant(const json& e) {
  if (!e.is_object()) return false;
  std::string cls = Str(e, "class");
  if (cls == "CONSTANT") return true;
  if (cls == "CAST") return IsConstant(e["child"]);
  if (cls == "FUNCTION") {
    if (!IsPureFunction(Str(e, "function_name")) || !e["filter"].is_null()) return false;
    for (const json& child : e["children"]) {
      if (!IsConstant(child)) return false;
    }
    return true;
  }
  return false;
}

// An entry of a FROM clause.
struct Binding {
  int ref = -1;      // index of the lake reference, -1 for anything else
  std::string name;  // what columns are qualified with, lower case
  bool prunable = false;
};

// How a constant is rendered to text for the column type, and parsed back as a Literal.
std::optional<std::string> RenderSql(const iceberg::PrimitiveType& t, const std::string& v) {
  switch (t.id) {
    case TypeId::kBoolean: case TypeId::kInt: case TypeId::kLong: case TypeId::kFloat:
    case TypeId::kDouble: case TypeId::kDecimal: case TypeId::kUuid:
      return "CAST(" + v + " AS VARCHAR)";
    case TypeId::kString:
      return v;
    case TypeId::kDate:
      return "CAST(" + v + " - DATE '1970-01-01' AS VARCHAR)";
    case TypeId::kTimestamp: case TypeId::kTimestampTz:
      return "CAST(epoch_us(" + v + ") AS VARCHAR)";
    default:
      return std::nullopt;
  }
}

std::optional<iceberg::Literal> ParseRendered(const iceberg::PrimitiveType& t, const std::string& text) {
  char* end = nullptr;
  switch (t.id) {
    case TypeId::kBoolean:
      return iceberg::Literal::Boolean(text == "true");
    case TypeId::kInt: case TypeId::kLong: case TypeId::kDate: case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0') return std::nullopt;
      if (t.id == TypeId::kInt) return iceberg::Literal::Int(static_cast<int32_t>(v));
      if (t.id == TypeId::kLong) return iceberg::Literal::Long(v);
      if (t.id == TypeId::kDate) return iceberg::Literal::Date(static_cast<int32_t>(v));
      if (t.id == TypeId::kTimestamp) return iceberg::Literal::Timestamp(v);
      return iceberg::Literal::TimestampTz(v);
    }
    case TypeId::kFloat: case TypeId::kDouble: {
      double v = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || v != v) return std::nullopt;
      return t.id == TypeId::kFloat ? iceberg::Literal::Float(static_cast<float>(v))
                                    : iceberg::Literal::Double(v);
    }
    case TypeId::kDecimal: {
      auto lit = iceberg::Literal::Decimal(text, t.precision, t.scale);
      if (!lit.ok()) return std::nullopt;
      return *lit;
    }
    case TypeId::kString:
      return iceberg::Literal::String(text);
    case TypeId::kUuid: {
      std::string bytes;
      for (size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] == '-') continue;
        bytes += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
        ++i;
      }
      if (bytes.size() != 16) return std::nullopt;
      return iceberg::Literal::Uuid(bytes);
    }
    default:
      return std::nullopt;
  }
}

// A comparison of one column of a reference with constants, before the constants are known.
struct Candidate {
  int ref = 0;
  const schema::NestedField* field = nullptr;
  iceberg::Op op = iceberg::Op::kEq;
  std::vector<const json*> operands;
};

class Analyzer {
 public:
  Analyzer(const std::vector<TimeTravel>& time_travel, const TableLookup& lookup,
           const std::string& sql, const Params& params)
      : time_travel_(time_travel), lookup_(lookup), sql_(sql), params_(params) {}

  // Every lake reference anywhere in the tree.
  Status CollectRefs(const json& node, bool in_show) {
    if (node.is_array()) {
      for (const json& child : node) TARN_RETURN_IF_ERROR(CollectRefs(child, in_show));
      return Status::OK();
    }
    if (!node.is_object()) return Status::OK();
    if (Is(node, "type", "BASE_TABLE")) return AddRef(node, in_show);
    bool show = in_show || Is(node, "type", "SHOW_REF");
    for (const auto& [key, child] : node.items()) TARN_RETURN_IF_ERROR(CollectRefs(child, show));
    return Status::OK();
  }

  // Every SELECT anywhere in the tree: its WHERE conjuncts become candidates.
  void AnalyzeSelects(const json& node) {
    if (node.is_array()) {
      for (const json& child : node) AnalyzeSelects(child);
      return;
    }
    if (!node.is_object()) return;
    if (Is(node, "type", "SELECT_NODE")) AnalyzeSelect(node);
    for (const auto& [key, child] : node.items()) AnalyzeSelects(child);
  }

  std::vector<TableRef>& refs() { return refs_; }
  std::vector<Candidate>& candidates() { return candidates_; }

 private:
  Status AddRef(const json& node, bool in_show) {
    std::string zone = Lower(Str(node, "schema_name"));
    if (!IsZoneName(zone) || !Str(node, "catalog_name").empty()) return Status::OK();
    uint64_t location = node.value("query_location", uint64_t{0});
    if (location >= sql_.size()) return Internal("no location for a table reference");
    TARN_ASSIGN_OR_RETURN(KnownTable table, lookup_(zone, Str(node, "table_name")));
    TableRef ref;
    ref.zone = zone;
    ref.name = table.name;
    ref.name_begin = location;
    ref.name_end = NameEnd(sql_, location);
    ref.has_alias = !Str(node, "alias").empty();
    ref.in_show = in_show;
    for (const TimeTravel& tt : time_travel_) {
      if (tt.name_end == ref.name_end) ref.time_travel = tt;
    }
    index_[&node] = static_cast<int>(refs_.size());
    refs_.push_back(std::move(ref));
    schemas_.push_back(table.schema);
    return Status::OK();
  }

  void CollectFrom(const json& from, bool prunable, std::vector<Binding>* out) {
    if (!from.is_object()) return;
    std::string type = Str(from, "type");
    if (type == "JOIN") {
      std::string join = Str(from, "join_type");
      bool left = prunable && (join == "INNER" || join == "LEFT" || join == "SEMI" || join == "ANTI");
      bool right = prunable && (join == "INNER" || join == "RIGHT");
      CollectFrom(from["left"], left, out);
      CollectFrom(from["right"], right, out);
      return;
    }
    Binding b;
    std::string alias = Str(from, "alias");
    if (type == "BASE_TABLE") {
      auto it = index_.find(&from);
      b.ref = it == index_.end() ? -1 : it->second;
      b.name = Lower(alias.empty() ? Str(from, "table_name") : alias);
      b.prunable = prunable && b.ref >= 0 && !refs_[b.ref].in_show;
    } else {
      b.name = Lower(alias);
    }
    out->push_back(std::move(b));
  }

  static void Conjuncts(const json& e, std::vector<const json*>* out) {
    if (!e.is_object()) return;
    if (Is(e, "type", "CONJUNCTION_AND")) {
      for (const json& child : e["children"]) Conjuncts(child, out);
    } else {
      out->push_back(&e);
    }
  }

  const schema::NestedField* FieldOf(int ref, const std::string& column) const {
    for (const schema::NestedField& f : schemas_[ref]->fields()) {
      if (Lower(f.name) == Lower(column)) return &f;
    }
    return nullptr;
  }

  // The reference and field a column reference names, if a prunable lake reference.
  std::optional<std::pair<int, const schema::NestedField*>> Resolve(
      const json& e, const std::vector<Binding>& from) const {
    if (!Is(e, "class", "COLUMN_REF")) return std::nullopt;
    std::vector<std::string> names;
    for (const json& n : e["column_names"]) names.push_back(n.get<std::string>());
    const Binding* match = nullptr;
    const schema::NestedField* field = nullptr;
    if (names.size() == 1) {
      for (const Binding& b : from) {
        if (b.ref < 0) continue;
        if (const schema::NestedField* f = FieldOf(b.ref, names[0])) {
          if (match) return std::nullopt;  // ambiguous: DuckDB refuses it
          match = &b;
          field = f;
        }
      }
    } else if (names.size() == 2 || names.size() == 3) {
      for (const Binding& b : from) {
        if (b.ref < 0) continue;
        const TableRef& r = refs_[b.ref];
        bool named = names.size() == 2 ? b.name == Lower(names[0])
                                       : !r.has_alias && r.zone == Lower(names[0]) &&
                                             Lower(r.name) == Lower(names[1]);
        if (named) {
          match = &b;
          field = FieldOf(b.ref, names.back());
        }
      }
    }
    if (!match || !field || !match->prunable) return std::nullopt;
    return std::make_pair(match->ref, field);
  }

  void AnalyzeSelect(const json& select) {
    std::vector<Binding> from;
    CollectFrom(select["from_table"], true, &from);
    std::vector<const json*> conjuncts;
    Conjuncts(select["where_clause"], &conjuncts);
    for (const json* c : conjuncts) AddCandidate(*c, from);
  }

  void AddCandidate(const json& e, const std::vector<Binding>& from) {
    using iceberg::Op;
    std::string type = Str(e, "type");
    static const std::map<std::string, std::pair<Op, Op>> kCompare = {
        {"COMPARE_EQUAL", {Op::kEq, Op::kEq}},
        {"COMPARE_LESSTHAN", {Op::kLt, Op::kGt}},
        {"COMPARE_GREATERTHAN", {Op::kGt, Op::kLt}},
        {"COMPARE_LESSTHANOREQUALTO", {Op::kLtEq, Op::kGtEq}},
        {"COMPARE_GREATERTHANOREQUALTO", {Op::kGtEq, Op::kLtEq}}};
    if (auto it = kCompare.find(type); it != kCompare.end()) {
      if (auto col = Resolve(e["left"], from); col && IsKnown(e["right"])) {
        candidates_.push_back({col->first, col->second, it->second.first, {&e["right"]}});
      } else if (auto col2 = Resolve(e["right"], from); col2 && IsKnown(e["left"])) {
        candidates_.push_back({col2->first, col2->second, it->second.second, {&e["left"]}});
      }
    } else if (type == "COMPARE_BETWEEN") {
      auto col = Resolve(e["input"], from);
      if (col && IsKnown(e["lower"]) && IsKnown(e["upper"])) {
        candidates_.push_back({col->first, col->second, Op::kGtEq, {&e["lower"]}});
        candidates_.push_back({col->first, col->second, Op::kLtEq, {&e["upper"]}});
      }
    } else if (type == "COMPARE_IN") {
      const json& children = e["children"];
      auto col = children.empty() ? std::nullopt : Resolve(children[0], from);
      if (!col) return;
      Candidate c{col->first, col->second, Op::kIn, {}};
      for (size_t i = 1; i < children.size(); ++i) {
        if (!IsKnown(children[i])) return;
        c.operands.push_back(&children[i]);
      }
      candidates_.push_back(std::move(c));
    } else if (type == "OPERATOR_IS_NULL" || type == "OPERATOR_IS_NOT_NULL") {
      const json& children = e["children"];
      if (children.size() != 1) return;
      if (auto col = Resolve(children[0], from)) {
        candidates_.push_back(
            {col->first, col->second, type == "OPERATOR_IS_NULL" ? Op::kIsNull : Op::kNotNull, {}});
      }
    }
  }

  // A comparison operand tarn can evaluate: a constant, or a parameter bound to a value.
  bool IsKnown(const json& e) const {
    const auto* p = ParameterValue(e, params_);
    return p ? p->has_value() : IsConstant(e);
  }

  const std::vector<TimeTravel>& time_travel_;
  const TableLookup& lookup_;
  const std::string& sql_;
  const Params& params_;
  std::vector<TableRef> refs_;
  std::vector<const schema::Schema*> schemas_;
  std::map<const json*, int> index_;
  std::vector<Candidate> candidates_;
};

// Evaluates the candidates' constants with DuckDB and adds the predicates whose constants
// convert exactly to their columns' types to the references' filters. Anything DuckDB
// cannot evaluate is left out (the statement itself will report it).
void EvaluateCandidates(engine::DuckDb& db, const Params& params,
                        std::vector<Candidate>& candidates, std::vector<TableRef>& refs) {
  struct Operand {
    const json* expr;
    iceberg::PrimitiveType type;
    std::string duck_type;
  };
  std::vector<Operand> operands;
  std::vector<Candidate*> usable;
  for (Candidate& c : candidates) {
    auto type = iceberg::PrimitiveType::From(*c.field->type);
    if (!type.ok() || !RenderSql(*type, "x")) continue;
    usable.push_back(&c);
    for (const json* e : c.operands) {
      operands.push_back({e, *type, engine::DuckDbType(*c.field->type)});
    }
  }
  std::vector<std::optional<iceberg::Literal>> values(operands.size());
  if (!operands.empty()) {
    // SELECT <constant>, ... rendered back to SQL by DuckDB, then cast and rendered per type.
    json select = {{"error", false},
                   {"statements", json::array({{{"node", {{"type", "SELECT_NODE"},
                                                          {"modifiers", json::array()},
                                                          {"cte_map", {{"map", json::array()}}},
                                                          {"select_list", json::array()},
                                                          {"from_table",
                                                           {{"type", "EMPTY"},
                                                            {"alias", ""},
                                                            {"sample", nullptr},
                                                            {"query_location", 0}}},
                                                          {"where_clause", nullptr},
                                                          {"group_expressions", json::array()},
                                                          {"group_sets", json::array()},
                                                          {"aggregate_handling", "STANDARD_HANDLING"},
                                                          {"having", nullptr},
                                                          {"sample", nullptr},
                                                          {"qualify", nullptr}}},
                                                {"named_param_map", json::array()}}})}};
    // A bound parameter is its text cast to the column type, as DuckDB binds it.
    json& list = select["statements"][0]["node"]["select_list"];
    for (const Operand& o : operands) {
      const auto* p = ParameterValue(*o.expr, params);
      list.push_back(p ? json{{"class", "CONSTANT"}, {"type", "VALUE_CONSTANT"}, {"alias", ""},
                              {"query_location", 0},
                              {"value", {{"type", {{"id", "VARCHAR"}, {"type_info", nullptr}}},
                                         {"is_null", false}, {"value", **p}}}}
                       : *o.expr);
    }
    std::string constants;
    Status st = db.Query("SELECT json_deserialize_sql(CAST(CAST(? AS VARCHAR) AS JSON))", {select.dump()},
                         [&](const engine::Row& row) {
                           if (row[0]) constants = *row[0];
                           return Status::OK();
                         });
    if (!st.ok() || constants.empty()) return;
    std::string names, outputs;
    for (size_t i = 0; i < operands.size(); ++i) {
      std::string c = "c" + std::to_string(i);
      std::string cast = "TRY_CAST(" + c + " AS " + operands[i].duck_type + ")";
      names += (i ? ", " : "") + c;
      // Strings compare as strings only with string constants (else DuckDB casts the column).
      std::string exact = ParameterValue(*operands[i].expr, params) ? cast + " IS NOT NULL"
                          : operands[i].type.id == TypeId::kString
                              ? "typeof(" + c + ") = 'VARCHAR'"
                              : cast + " = " + c;
      outputs += std::string(i ? ", " : "") + "CASE WHEN " + exact + " THEN " +
                 *RenderSql(operands[i].type, cast) + " END";
    }
    std::string sql = "SELECT " + outputs + " FROM (" + constants + ") AS __tarn_c(" + names + ")";
    st = db.Query(sql, {}, [&](const engine::Row& row) {
      for (size_t i = 0; i < operands.size() && i < row.size(); ++i) {
        if (row[i]) values[i] = ParseRendered(operands[i].type, *row[i]);
      }
      return Status::OK();
    });
    if (!st.ok()) return;
  }
  size_t next = 0;
  for (Candidate* c : usable) {
    iceberg::Predicate p{c->field->name, c->field->id, c->op, {}};
    bool exact = true;
    for (size_t k = 0; k < c->operands.size(); ++k) {
      const auto& v = values[next++];
      if (!v) {
        exact = false;
      } else {
        p.values.push_back(*v);
      }
    }
    if (exact) refs[c->ref].filter.push_back(std::move(p));
  }
}

}  // namespace

bool IsZoneName(const std::string& name) {
  return name == "raw" || name == "curated" || name == "serving";
}

Result<std::vector<TableRef>> FindTableRefs(engine::DuckDb& db, const std::string& sql,
                                            const std::vector<TimeTravel>& time_travel,
                                            const TableLookup& lookup, const Params& params) {
  std::string serialized;
  TARN_RETURN_IF_ERROR(db.Query("SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)", {sql},
                                [&](const engine::Row& row) {
                                  if (row[0]) serialized = *row[0];
                                  return Status::OK();
                                }));
  json tree = json::parse(serialized, nullptr, false);
  if (tree.is_discarded()) return Internal("DuckDB's parse of the statement is not JSON");
  if (tree.value("error", false)) {
    if (Str(tree, "error_type") == "not implemented") {
      std::string keyword = FirstKeyword(sql);
      return PermissionDenied((keyword.empty() ? std::string("this") : keyword) +
                              " statements are not allowed: tarn SQL runs queries only "
                              "(SELECT, WITH, VALUES, DESCRIBE, SHOW, EXPLAIN)");
    }
    return InvalidArgument(Str(tree, "error_message"));
  }
  Analyzer analyzer(time_travel, lookup, sql, params);
  TARN_RETURN_IF_ERROR(analyzer.CollectRefs(tree["statements"], false));
  for (const TimeTravel& tt : time_travel) {
    bool used = false;
    for (const TableRef& r : analyzer.refs()) used = used || r.name_end == tt.name_end;
    if (!used) {
      return InvalidArgument("time travel (FOR ... AS OF " + tt.expression +
                             ") applies to zone.dataset tables only");
    }
  }
  analyzer.AnalyzeSelects(tree["statements"]);
  EvaluateCandidates(db, params, analyzer.candidates(), analyzer.refs());
  return std::move(analyzer.refs());
}

}  // namespace tarn::query
