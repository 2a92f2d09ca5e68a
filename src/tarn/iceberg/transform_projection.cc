// Inclusive projection of source-column predicates onto partition values (Iceberg spec, "Scan
// Planning"; the rules of Java's ProjectionUtil). A projection may keep too much, never too
// little: whenever a rule does not clearly apply, there is no projection.
#include <algorithm>
#include <limits>

#include "tarn/iceberg/transforms.h"

namespace tarn::iceberg {

using schema::TypeId;

namespace {

using Values = std::vector<Literal>;

Predicate With(const Predicate& p, Op op, Values values) {
  Predicate out;
  out.column = p.column;
  out.field_id = p.field_id;
  out.op = op;
  out.values = std::move(values);
  return out;
}

std::optional<Literal> ApplyOrNone(const Transform& t, const Literal& v) {
  Result<Literal> r = Apply(t, v);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

// The neighbouring value one unit (1, 1 day, 1 micro, one unscaled step) above or below `v`;
// nullopt at the end of the type's range or for types without a successor.
std::optional<Literal> Step(const Literal& v, int delta) {
  Literal out = v;
  switch (v.type.id) {
    case TypeId::kInt:
    case TypeId::kDate: {
      int64_t n = v.i + delta;
      if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
        return std::nullopt;
      }
      out.i = n;
      return out;
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (__builtin_add_overflow(v.i, int64_t{delta}, &out.i)) return std::nullopt;
      return out;
    case TypeId::kDecimal:
      return Literal::DecimalFromUnscaled(DecimalUnscaled(v) + delta, v.type.precision,
                                          v.type.scale);
    default:
      return std::nullopt;
  }
}

// Transformed values of an IN list, sorted and without duplicates.
std::optional<Values> ApplyAll(const Transform& t, const Values& in) {
  Values out;
  for (const Literal& v : in) {
    std::optional<Literal> r = ApplyOrNone(t, v);
    if (!r) return std::nullopt;
    out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(),
            [](const Literal& a, const Literal& b) { return Compare(a, b) < 0; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Literal& a, const Literal& b) { return Compare(a, b) == 0; }),
            out.end());
  return out;
}

// Order-preserving transforms whose source has a successor (truncate of numbers, year, month,
// day, hour): strict bounds become inclusive on the neighbouring source value, then transform.
std::optional<Predicate> ProjectOrdered(const Transform& t, const Predicate& p) {
  const Literal& bound = p.values[0];
  std::optional<Literal> source = bound;
  Op op = p.op;
  if (p.op == Op::kLt) {
    source = Step(bound, -1);
    op = Op::kLtEq;
  } else if (p.op == Op::kGt) {
    source = Step(bound, +1);
    op = Op::kGtEq;
  }
  if (!source) return std::nullopt;
  std::optional<Literal> value = ApplyOrNone(t, *source);
  if (!value) return std::nullopt;
  return With(p, op, {std::move(*value)});
}

// Transforms the bound itself. For truncate of strings and binary a value's truncation is a
// prefix, so strict bounds can only become inclusive on the truncated bound; for bucket only
// `=` gets here.
std::optional<Predicate> ProjectBound(const Transform& t, const Predicate& p) {
  std::optional<Literal> value = ApplyOrNone(t, p.values[0]);
  if (!value) return std::nullopt;
  Op op = p.op == Op::kLt ? Op::kLtEq : p.op == Op::kGt ? Op::kGtEq : p.op;
  return With(p, op, {std::move(*value)});
}

// Writers up to Iceberg Java 0.10 (and some other libraries) rounded pre-1970 time units
// toward zero, filing period k under k + 1 for k < 0. Widen negative bounds so their files
// are kept, as Java's ProjectionUtil.fixInclusiveTimeProjection does.
Predicate WidenPreEpoch(Predicate p) {
  auto next = [](const Literal& v) {
    Literal up = v;
    ++up.i;
    return up;
  };
  if (p.op == Op::kLtEq && p.values[0].i < 0) {
    p.values[0] = next(p.values[0]);
  } else if (p.op == Op::kEq && p.values[0].i < 0) {
    p.op = Op::kIn;
    p.values.push_back(next(p.values[0]));
  } else if (p.op == Op::kIn) {
    Values extra;
    for (const Literal& v : p.values) {
      if (v.i < 0) extra.push_back(next(v));
    }
    Values all = p.values;
    all.insert(all.end(), extra.begin(), extra.end());
    std::sort(all.begin(), all.end(), [](const Literal& a, const Literal& b) { return a.i < b.i; });
    all.erase(std::unique(all.begin(), all.end()), all.end());
    p.values = std::move(all);
  }
  return p;
}

bool IsTimeUnit(Transform::Kind kind) {
  return kind == Transform::kYear || kind == Transform::kMonth || kind == Transform::kDay ||
         kind == Transform::kHour;
}

// A predicate with literal operands (comparison or IN, all values non-null).
std::optional<Predicate> ProjectLiteral(const Transform& t, const Predicate& p) {
  if (p.op == Op::kIn) {
    std::optional<Values> values = ApplyAll(t, p.values);
    if (!values) return std::nullopt;
    return With(p, Op::kIn, std::move(*values));
  }
  if (p.values.size() != 1) return std::nullopt;
  if (t.kind == Transform::kBucket) {
    if (p.op != Op::kEq) return std::nullopt;
    return ProjectBound(t, p);
  }
  const TypeId id = p.values[0].type.id;
  if (t.kind == Transform::kTruncate && (id == TypeId::kString || id == TypeId::kBinary)) {
    return ProjectBound(t, p);
  }
  return ProjectOrdered(t, p);
}

}  // namespace

std::optional<Predicate> ProjectInclusive(const Transform& t, const Predicate& p) {
  // A void partition holds null for every row, so no predicate on it can prune.
  if (t.kind == Transform::kVoid) return std::nullopt;
  // Every other transform maps null to null and only null to null.
  if (p.op == Op::kIsNull || p.op == Op::kNotNull) return With(p, p.op, {});
  if (t.kind == Transform::kIdentity) return p;
  if (p.values.empty() ||
      std::any_of(p.values.begin(), p.values.end(), [](const Literal& v) { return v.is_null; })) {
    return std::nullopt;
  }
  std::optional<Predicate> out = ProjectLiteral(t, p);
  if (out && IsTimeUnit(t.kind)) out = WidenPreEpoch(std::move(*out));
  return out;
}

}  // namespace tarn::iceberg
