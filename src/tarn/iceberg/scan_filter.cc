#include "tarn/iceberg/scan_filter.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace tarn::iceberg {
namespace {

using schema::TypeId;

// The field at `dotted`, walking struct fields only: a column inside a list or map has no
// per-row value that a predicate could test, so it cannot be filtered on.
const schema::NestedField* FindColumn(const schema::Schema& schema, std::string_view dotted) {
  const std::vector<schema::NestedField>* fields = &schema.fields();
  const schema::NestedField* found = nullptr;
  while (true) {
    size_t dot = dotted.find('.');
    std::string_view part = dotted.substr(0, dot);
    found = nullptr;
    for (const auto& f : *fields) {
      if (f.name == part) found = &f;
    }
    if (!found || dot == std::string_view::npos) return found;
    if (found->type->id != TypeId::kStruct) return nullptr;
    fields = &found->type->fields;
    dotted.remove_prefix(dot + 1);
  }
}

bool IsIntegral(TypeId id) { return id == TypeId::kInt || id == TypeId::kLong; }
bool IsFloating(TypeId id) { return id == TypeId::kFloat || id == TypeId::kDouble; }

// Values whose `i` counts the same unit compare as integers: int, long and date (days; the
// day transform's partition values are read as ints by some writers), time, timestamps.
int UnitClass(TypeId id) {
  switch (id) {
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
      return 1;
    case TypeId::kTime:
      return 2;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return 3;
    default:
      return 0;
  }
}

// Numeric comparison where the spec's total order would differ from SQL's (-0.0 = 0.0);
// nullopt when the two cannot be compared (NaN, unrelated types, decimal scales that differ).
std::optional<int> Cmp(const Literal& a, const Literal& b) {
  TypeId x = a.type.id, y = b.type.id;
  if (UnitClass(x) != 0 && UnitClass(x) == UnitClass(y)) return (a.i > b.i) - (a.i < b.i);
  if (IsFloating(x) && IsFloating(y)) {
    if (std::isnan(a.d) || std::isnan(b.d)) return std::nullopt;
    return (a.d > b.d) - (a.d < b.d);
  }
  if (x != y || (x == TypeId::kDecimal && a.type.scale != b.type.scale)) return std::nullopt;
  return Compare(a, b);
}

bool MayEqual(const Literal& v, const ValueSummary& s) {
  if (s.lower) {
    auto c = Cmp(v, *s.lower);
    if (c && *c < 0) return false;
  }
  if (s.upper) {
    auto c = Cmp(v, *s.upper);
    if (c && *c > 0) return false;
  }
  return true;
}

// True when `c` is known and `ok(*c)` fails: the bound rules every value out.
template <typename Ok>
bool RulesOut(const Literal* bound, const Literal& v, Ok ok) {
  if (!bound) return false;
  auto c = Cmp(*bound, v);
  return c && !ok(*c);
}

Result<Literal> ToDecimal(const Literal& v, const PrimitiveType& to) {
  return Literal::Decimal(v.ToString(), to.precision, to.scale);
}

// An int or long as a float or double, when the conversion is exact.
std::optional<Literal> IntegralToFloating(const Literal& v, const PrimitiveType& to) {
  if (to.id == TypeId::kFloat) {
    float f = static_cast<float>(v.i);
    if (std::fabs(f) >= 9.2e18f || static_cast<int64_t>(f) != v.i) return std::nullopt;
    return Literal::Float(f);
  }
  double d = static_cast<double>(v.i);
  if (std::fabs(d) >= 9.2e18 || static_cast<int64_t>(d) != v.i) return std::nullopt;
  return Literal::Double(d);
}

std::optional<Literal> ConvertSimple(const Literal& v, const PrimitiveType& to) {
  TypeId from = v.type.id;
  if (from == to.id && from != TypeId::kDecimal) {
    Literal out = v;
    out.type = to;
    return out;
  }
  if (IsIntegral(from) && to.id == TypeId::kLong) return Literal::Long(v.i);
  if (IsIntegral(from) && to.id == TypeId::kInt) {
    if (v.i < std::numeric_limits<int32_t>::min() || v.i > std::numeric_limits<int32_t>::max()) {
      return std::nullopt;
    }
    return Literal::Int(static_cast<int32_t>(v.i));
  }
  if (IsIntegral(from) && IsFloating(to.id)) return IntegralToFloating(v, to);
  if (from == TypeId::kFloat && to.id == TypeId::kDouble) return Literal::Double(v.d);
  if (from == TypeId::kDate && to.id == TypeId::kTimestamp) {
    return Literal::Timestamp(v.i * 86'400'000'000LL);
  }
  if (from == TypeId::kDate && to.id == TypeId::kTimestampTz) {
    return Literal::TimestampTz(v.i * 86'400'000'000LL);
  }
  return std::nullopt;
}

Result<Literal> ConvertLiteral(const Predicate& p, const Literal& v, const PrimitiveType& to) {
  auto mismatch = [&](const std::string& why) {
    return InvalidArgument("filter " + p.ToString() + ": column " + p.column + " is " +
                           to.ToString() + ", " + why);
  };
  if (v.is_null) return mismatch("a null literal never matches (use IS NULL)");
  if (auto out = ConvertSimple(v, to)) return *out;
  bool decimal_source = IsIntegral(v.type.id) || v.type.id == TypeId::kDecimal;
  if (to.id == TypeId::kDecimal && decimal_source) {
    auto out = ToDecimal(v, to);
    if (out.ok()) return out;
  }
  return mismatch("the literal " + v.ToString() + " is " + v.type.ToString());
}

Status CheckArity(const Predicate& p) {
  size_t n = p.values.size();
  bool ok = p.op == Op::kIn                                 ? n >= 1
            : (p.op == Op::kIsNull || p.op == Op::kNotNull) ? n == 0
                                                            : n == 1;
  if (ok) return Status::OK();
  return InvalidArgument("filter " + p.ToString() + ": " + std::string(OpName(p.op)) + " takes " +
                         std::to_string(n) + " values");
}

Result<BoundPredicate> BindPredicate(const Predicate& p, const schema::Schema& schema) {
  std::string name = p.column.empty() ? schema.PathOf(p.field_id) : p.column;
  const schema::NestedField* field = name.empty() ? nullptr : FindColumn(schema, name);
  if (!field) {
    return InvalidArgument("filter " + p.ToString() + ": no column " +
                           (name.empty() ? "with id " + std::to_string(p.field_id) : name) +
                           " outside lists and maps in the table schema");
  }
  auto type = PrimitiveType::From(*field->type);
  if (!type.ok()) {
    return InvalidArgument("filter " + p.ToString() + ": column " + name + " is " +
                           schema::TypeToString(*field->type) + ", not a primitive type");
  }
  TARN_RETURN_IF_ERROR(CheckArity(p));
  BoundPredicate out{Predicate{name, field->id, p.op, {}}, *type};
  out.pred.values.reserve(p.values.size());
  for (const Literal& v : p.values) {
    TARN_ASSIGN_OR_RETURN(Literal converted, ConvertLiteral(out.pred, v, *type));
    out.pred.values.push_back(std::move(converted));
  }
  return out;
}

}  // namespace

Result<std::vector<BoundPredicate>> BindFilter(const Filter& filter, const schema::Schema& schema) {
  std::vector<BoundPredicate> out;
  out.reserve(filter.size());
  for (const Predicate& p : filter) {
    TARN_ASSIGN_OR_RETURN(BoundPredicate bound, BindPredicate(p, schema));
    out.push_back(std::move(bound));
  }
  return out;
}

bool MightMatch(const Predicate& p, const ValueSummary& s) {
  if (p.op == Op::kIsNull) return s.may_have_nulls;
  if (!s.may_have_values) return false;  // every other operator needs a non-null value
  switch (p.op) {
    case Op::kNotNull:
      return true;
    case Op::kEq:
      return MayEqual(p.values[0], s);
    case Op::kIn:
      for (const Literal& v : p.values) {
        if (MayEqual(v, s)) return true;
      }
      return false;
    case Op::kLt:
      return !RulesOut(s.lower, p.values[0], [](int c) { return c < 0; });
    case Op::kLtEq:
      return !RulesOut(s.lower, p.values[0], [](int c) { return c <= 0; });
    case Op::kGt:
      return !RulesOut(s.upper, p.values[0], [](int c) { return c > 0; });
    case Op::kGtEq:
      return !RulesOut(s.upper, p.values[0], [](int c) { return c >= 0; });
    default:
      return true;
  }
}

std::optional<Literal> DecodeBound(const PrimitiveType& type, std::string_view bytes) {
  auto v = FromBinary(type, bytes);
  if (v.ok()) return std::move(v).value();
  PrimitiveType older = type;
  if (type.id == TypeId::kLong && bytes.size() == 4)
    older.id = TypeId::kInt;
  else if (type.id == TypeId::kDouble && bytes.size() == 4)
    older.id = TypeId::kFloat;
  else
    return std::nullopt;
  auto old = FromBinary(older, bytes);
  if (!old.ok()) return std::nullopt;
  return ConvertSimple(*old, type);
}

}  // namespace tarn::iceberg
