// Reading Iceberg tables with DuckDB: the SQL text of a query that reads exactly the files of
// a ScanPlan, matching Parquet columns by field id, with the plan's delete files applied
// (merge-on-read). Run it with DuckDb::Query, usually as a subquery
// ("SELECT count(*) FROM (<sql>)"). Stateless; thread-safe.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/scan.h"
#include "tarn/schema/schema.h"

namespace tarn::engine {

// DuckDB's type for an Iceberg type: boolean BOOLEAN, int INTEGER, long BIGINT, float FLOAT,
// double DOUBLE, decimal(P,S) DECIMAL(P,S), date DATE, time TIME, timestamp TIMESTAMP,
// timestamptz TIMESTAMPTZ, string VARCHAR, uuid UUID, binary and fixed BLOB, list<T> T[],
// map<K, V> MAP(K, V), struct<a: T> STRUCT("a" T).
std::string DuckDbType(const schema::Type& type);

// A SELECT whose columns are the top-level fields of `read_schema`, in order, named and typed
// as there (DuckDbType), returning the live rows of the plan's files:
//   - every data file is read with read_parquet(..., schema=map{field id: {name, type,
//     default_value}}), so renamed columns read by id, and columns a file lacks read as the
//     field's initial default (NULL when it has none or is not a primitive). Nested fields
//     inside structs, lists and maps are matched by name within their top-level column;
//   - position deletes remove (file location, row position) pairs, comparing the delete
//     files' file_path column with each data file's location as written in the manifest;
//   - equality deletes remove rows whose equality_ids columns equal (NULL equals NULL) a
//     delete row's.
// Files are grouped by the set of deletes that apply to them (UNION ALL of one read per
// group). An empty plan gives a query with the same columns and no rows. File locations go
// through io.LocalPath. Columns named file_row_number or _tarn_file cannot be read when
// deletes apply or row positions are asked for (DuckDB reserves the first; the reader uses the
// second), nor columns named as the row-position columns below when they are.
// Errors: kInvalidArgument (a read schema without columns, a data or delete file that is not
// Parquet, an equality delete on a field that is not a top-level column of read_schema, an
// initial default that is not valid Iceberg JSON for its type).
struct ScanSqlOptions {
  // Adds, after the schema's columns, where each live row is, as a position delete names it:
  // kRowFileColumn (VARCHAR, the data file's location as written in the manifest) and
  // kRowPosColumn (BIGINT, the row's 0-based position in that file).
  bool row_positions = false;
};
inline constexpr char kRowFileColumn[] = "_tarn_file_path";
inline constexpr char kRowPosColumn[] = "_tarn_pos";

Result<std::string> IcebergScanSql(const iceberg::ScanPlan& plan, const schema::Schema& read_schema,
                                   const iceberg::FileIO& io, const ScanSqlOptions& options = {});

}  // namespace tarn::engine
