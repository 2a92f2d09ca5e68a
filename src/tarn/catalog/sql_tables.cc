#include "tarn/catalog/sql_tables.h"

namespace tarn::catalog {
namespace {

constexpr const char* kTableCols =
    "namespace, name, metadata_location, previous_metadata_location, created_at, updated_at";

TableRecord ToTable(const SqlRow& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.OptText(3), r.Time(4), r.Time(5)};
}

std::string Label(const std::string& ns, const std::string& name) {
  return "table " + ns + "." + name;
}

Result<std::vector<TableRecord>> Select(SqlPool& pool, const std::string& where,
                                        const SqlParams& params) {
  std::vector<TableRecord> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(auto res, c.Query(std::string("SELECT ") + kTableCols +
                                                " FROM iceberg_tables WHERE " + where +
                                                " ORDER BY namespace, name",
                                            params));
    for (const SqlRow& r : res.rows) out.push_back(ToTable(r));
    return Status::OK();
  }));
  return out;
}

}  // namespace

Result<TableRecord> SqlCreateTable(SqlPool& pool, const std::string& ns, const std::string& name,
                                   const std::string& metadata_location) {
  std::string now = FormatIsoTimestamp(Clock::System().Now());
  Status st = pool.Transaction([&](SqlConnection& c) {
    return c
        .Query("INSERT INTO iceberg_tables (namespace, name, metadata_location, created_at, "
               "updated_at) VALUES (?, ?, ?, ?, ?)",
               {ns, name, metadata_location, now, now})
        .status();
  });
  if (st.code() == ErrorCode::kAlreadyExists) return AlreadyExists(Label(ns, name) + " exists");
  TARN_RETURN_IF_ERROR(st);
  return SqlGetTable(pool, ns, name);
}

Result<TableRecord> SqlGetTable(SqlPool& pool, const std::string& ns, const std::string& name) {
  TARN_ASSIGN_OR_RETURN(auto rows, Select(pool, "namespace = ? AND name = ?", {ns, name}));
  if (rows.empty()) return NotFound("no " + Label(ns, name));
  return std::move(rows[0]);
}

Result<std::vector<TableRecord>> SqlListTables(SqlPool& pool, const std::string& ns) {
  return Select(pool, "namespace = ?", {ns});
}

// One conditional UPDATE: it either moves the pointer from `expected` or changes nothing. When
// the database fails mid-statement the pointer is re-read: holding `next` means the swap
// happened, `expected` that it did not; anything else leaves the outcome unknown.
Status SqlSwapTableMetadata(SqlPool& pool, const std::string& ns, const std::string& name,
                            const std::string& expected, const std::string& next) {
  int64_t affected = 0;
  Status st = pool.Transaction([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(
        auto res, c.Query("UPDATE iceberg_tables SET metadata_location = ?, "
                          "previous_metadata_location = ?, updated_at = ? "
                          "WHERE namespace = ? AND name = ? AND metadata_location = ?",
                          {next, expected, FormatIsoTimestamp(Clock::System().Now()), ns, name,
                           expected}));
    affected = res.affected;
    return Status::OK();
  });
  if (!st.ok()) {
    auto now = SqlGetTable(pool, ns, name);
    if (now.ok() && now->metadata_location == next) return Status::OK();
    if (now.ok() && now->metadata_location == expected) return st;
    return Status(ErrorCode::kCommitStateUnknown,
                  Label(ns, name) + ": commit outcome unknown (" + st.message() +
                      "); reload the table to see whether it landed");
  }
  if (affected == 1) return Status::OK();
  TARN_ASSIGN_OR_RETURN(auto current, SqlGetTable(pool, ns, name));
  return Conflict(Label(ns, name) + " was changed concurrently: expected metadata " + expected +
                  ", found " + current.metadata_location);
}

Status SqlDropTable(SqlPool& pool, const std::string& ns, const std::string& name) {
  int64_t affected = 0;
  TARN_RETURN_IF_ERROR(pool.Transaction([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(auto res,
                          c.Query("DELETE FROM iceberg_tables WHERE namespace = ? AND name = ?",
                                  {ns, name}));
    affected = res.affected;
    return Status::OK();
  }));
  if (affected == 0) return NotFound("no " + Label(ns, name));
  return Status::OK();
}

}  // namespace tarn::catalog
