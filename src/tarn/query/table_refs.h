// Finding the lake tables a statement reads and the predicates that can prune each one, from
// DuckDB's own parse of the statement (json_serialize_sql). Constants in predicates are
// evaluated by DuckDB, cast exactly as the comparison would cast them (a predicate whose
// constant does not convert exactly to the column's type is not used for pruning).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/expression.h"
#include "tarn/query/sql_text.h"
#include "tarn/schema/schema.h"

namespace tarn::query {

// The zones whose names qualify lake tables in SQL.
bool IsZoneName(const std::string& lower_case_name);

// A reference to zone.name in the statement text.
struct TableRef {
  std::string zone;  // lower case
  std::string name;  // the catalog's spelling
  size_t name_begin = 0, name_end = 0;
  bool has_alias = false;
  bool in_show = false;  // inside DESCRIBE / SHOW: the table's columns, not its rows
  std::optional<TimeTravel> time_travel;
  // Conjuncts of the WHERE clause of the SELECT reading this reference (where rows of the
  // reference cannot come back as NULLs of an outer join) that compare one of its columns with
  // a constant.
  iceberg::Filter filter;
};

struct KnownTable {
  std::string name;  // the catalog's spelling
  const schema::Schema* schema = nullptr;
};
// Resolves zone (lower case) and name as written (case-insensitive); errors are the caller's
// (unknown table, no grant).
using TableLookup = std::function<Result<KnownTable>(const std::string& zone, const std::string& name)>;

using Params = engine::Params;

// The lake table references of one statement, in text order, with their time-travel clauses
// (as extracted from the text before: matched by where the table name ends). Parameters
// ($n, ?) compared with a column prune as their bound `params` (text cast to the column's
// type, as DuckDB binds them); without values they do not prune.
// Errors: kInvalidArgument (a syntax error: DuckDB's message), kPermissionDenied (not a
// query: only SELECT statements are allowed), the lookup's errors.
Result<std::vector<TableRef>> FindTableRefs(engine::DuckDb& db, const std::string& sql,
                                            const std::vector<TimeTravel>& time_travel,
                                            const TableLookup& lookup, const Params& params = {});

}  // namespace tarn::query
