// Row filters for scan planning: a conjunction of simple predicates on columns, as the query
// layer extracts them from SQL (=, <, <=, >, >=, IN, IS NULL, IS NOT NULL; BETWEEN is two
// predicates). Plain values.
#pragma once

#include <string>
#include <vector>

#include "tarn/iceberg/literal.h"

namespace tarn::iceberg {

enum class Op { kEq, kLt, kLtEq, kGt, kGtEq, kIn, kIsNull, kNotNull };

// "=", "<", "<=", ">", ">=", "IN", "IS NULL", "IS NOT NULL".
std::string_view OpName(Op op);

// `column op values`. column: a dotted name resolved against the table schema (case-sensitive)
// or, once bound, field_id > 0. values: one for comparisons, one or more for IN, none for the
// null tests; literals of the column's type (the planner converts ints to longs and the like).
struct Predicate {
  std::string column;
  int field_id = 0;
  Op op = Op::kEq;
  std::vector<Literal> values;

  // "event_ts >= 2024-01-15T00:00:00+00:00", for EXPLAIN and messages.
  std::string ToString() const;
};

// Every predicate must hold (AND). Empty = every row.
using Filter = std::vector<Predicate>;

}  // namespace tarn::iceberg
