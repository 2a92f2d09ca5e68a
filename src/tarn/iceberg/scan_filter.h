// Filter binding and pruning tests used by scan planning: binding a Filter's columns to the
// field ids of a schema (converting literals to the column types), and deciding whether a set
// of values described by bounds and null counts (a manifest's partition summary, a data file's
// partition tuple or column metrics) might hold a row that matches a predicate. Stateless;
// thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/literal.h"
#include "tarn/schema/schema.h"

namespace tarn::iceberg {

// A predicate whose field_id is set and whose values are literals of `type`, the column's type.
struct BoundPredicate {
  Predicate pred;
  PrimitiveType type;
};

// Resolves each predicate's column (dotted name, or field_id when the name is empty) against
// `schema` and converts its values to the column's type. Accepted conversions are the lossless
// ones: int <-> long (long -> int only when the value fits), int/long -> float/double when
// exactly representable, int/long/decimal -> decimal of the column's scale when the digits
// fit, float -> double, date -> timestamp/timestamptz (midnight UTC).
// Errors: kInvalidArgument naming the predicate (an unknown column, a nested or non-primitive
// column, a null or mistyped literal, a wrong number of values for the operator).
Result<std::vector<BoundPredicate>> BindFilter(const Filter& filter, const schema::Schema& schema);

// What is known about the values of one column or partition field in a set of rows. Bounds
// are of the non-null values and are inclusive; null = unknown. The pointed-to literals must
// outlive the summary.
struct ValueSummary {
  const Literal* lower = nullptr;
  const Literal* upper = nullptr;
  bool may_have_nulls = true;
  bool may_have_values = true;  // non-null values
};

// False only when no row described by `summary` can satisfy `pred` (whose literals have the
// type of the summarized values, or one comparable with it: int/long/date, or float/double).
bool MightMatch(const Predicate& pred, const ValueSummary& summary);

// A bound's binary single-value serialization decoded as `type`; bounds written before a type
// promotion (int for a long column, float for a double) are widened. nullopt if the bytes do
// not decode: a bound that cannot be read is an unknown bound.
std::optional<Literal> DecodeBound(const PrimitiveType& type, std::string_view bytes);

}  // namespace tarn::iceberg
