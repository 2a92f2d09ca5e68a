#include "tarn/engine/parquet_writer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>

#include "tarn/base/ids.h"
#include "tarn/engine/parquet_metrics.h"
#include "tarn/engine/parquet_sql.h"
#include "tarn/engine/staged_files.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::engine {
namespace {

namespace fs = std::filesystem;
using parquet_sql::PartitionColumn;
using parquet_sql::QuoteText;

// Iceberg's default: string bounds keep 16 characters.
constexpr size_t kStringBoundChars = 16;

// Iceberg writers URL-encode partition names and values in paths.
std::string EscapePathPart(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string PartitionPath(const iceberg::PartitionSpec& spec,
                          const std::vector<iceberg::Literal>& tuple) {
  std::string path;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const auto& field = spec.fields[i];
    path += EscapePathPart(field.name) + "=" +
            EscapePathPart(iceberg::HumanString(field.transform, tuple[i])) + "/";
  }
  return path;
}

std::string CopyOptions(const schema::Schema& schema, const DataFileWriteOptions& options) {
  std::string sql = "FORMAT parquet, COMPRESSION " + QuoteText(options.compression) + ", " +
                    parquet_sql::FieldIdsOption(schema.fields());
  if (options.row_group_rows > 0) {
    sql += ", ROW_GROUP_SIZE " + std::to_string(options.row_group_rows);
  }
  return sql;
}

std::string Rotation(const DataFileWriteOptions& options) {
  return ", FILE_SIZE_BYTES " +
         std::to_string(std::max<int64_t>(1, options.target_file_size_bytes));
}

// The rows of `projected`, written by DuckDB into one directory per partition tuple, named
// by a digest of the tuple ("__tarn_key=<md5>/data_0.parquet": values themselves could make
// names too long, and one level per field costs a mkdir each), or, unpartitioned, into files
// rotated by size.
Status StageRows(DuckDb& db, const std::string& projected,
                 const std::vector<PartitionColumn>& columns, const std::string& copy_options,
                 const DataFileWriteOptions& options, const fs::path& stage) {
  std::string key;
  for (const auto& c : columns) {
    if (c.sql) key += (key.empty() ? "" : ", '_', ") + ("coalesce('v' || " + *c.sql + ", 'n')");
  }
  std::string select =
      key.empty() ? "SELECT *" : "SELECT *, md5(concat(" + key + ")) AS __tarn_key";
  std::string tail = key.empty() ? Rotation(options) : ", PARTITION_BY (__tarn_key)";
  std::string sql = "COPY (" + select + " FROM (" + projected + ") AS __tarn_rows) TO " +
                    QuoteText(stage.string()) + " (" + copy_options + tail + ")";
  Status st = db.Exec(sql);
  return st.ok() ? st : st.WithContext("writing Parquet under " + stage.parent_path().string());
}

// A partition's staged files as files of at most the target size: kept when DuckDB wrote one
// file that is small enough, else rewritten (merging the pieces DuckDB's open-file limit may
// have left, splitting what is too large).
Result<std::vector<fs::path>> SplitBySize(DuckDb& db, const std::vector<fs::path>& files,
                                          const std::string& copy_options,
                                          const DataFileWriteOptions& options,
                                          const fs::path& out) {
  std::error_code ec;
  if (files.size() == 1 &&
      static_cast<int64_t>(fs::file_size(files[0], ec)) <= options.target_file_size_bytes && !ec) {
    return files;
  }
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "" : ", ") + QuoteText(f.string());
  Status st =
      db.Exec("COPY (SELECT * FROM read_parquet([" + list + "], hive_partitioning = false)) TO " +
              QuoteText(out.string()) + " (" + copy_options + Rotation(options) + ")");
  if (!st.ok()) return st.WithContext("splitting " + files[0].parent_path().string());
  return FilesUnder(out);
}

// The partition tuple of a staged file, computed again from its first row.
Result<std::vector<iceberg::Literal>> DecodePartition(DuckDb& db, const fs::path& file,
                                                      const std::vector<PartitionColumn>& columns) {
  std::string select;
  for (const auto& c : columns) select += (select.empty() ? "" : ", ") + c.sql.value_or("NULL");
  std::vector<Row> rows;
  Status st = db.Query("SELECT " + select + " FROM read_parquet(" + QuoteText(file.string()) +
                           ", hive_partitioning = false) LIMIT 1",
                       {}, [&](const Row& row) {
                         rows.push_back(row);
                         return Status::OK();
                       });
  if (!st.ok()) return st.WithContext("partition of " + file.string());
  if (rows.empty()) return Internal("an empty staged file " + file.string());
  std::vector<iceberg::Literal> tuple;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!rows[0][i]) {
      tuple.push_back(iceberg::Literal::Null(columns[i].type));
      continue;
    }
    auto value = parquet_sql::LiteralFromText(columns[i].type, *rows[0][i], true);
    if (!value.ok()) return value.status().WithContext("partition of " + file.string());
    tuple.push_back(std::move(*value));
  }
  return tuple;
}

struct StagedFile {
  fs::path path;
  std::vector<iceberg::Literal> partition;
};

Result<std::vector<StagedFile>> StageDataFiles(DuckDb& db, const std::string& projected,
                                               const std::vector<PartitionColumn>& columns,
                                               const std::string& copy_options,
                                               const DataFileWriteOptions& options,
                                               const fs::path& scratch) {
  fs::path stage = scratch / "stage";
  TARN_RETURN_IF_ERROR(StageRows(db, projected, columns, copy_options, options, stage));
  TARN_ASSIGN_OR_RETURN(std::vector<fs::path> written, FilesUnder(stage));
  std::vector<StagedFile> staged;
  if (std::none_of(columns.begin(), columns.end(), [](auto& c) { return c.sql.has_value(); })) {
    std::vector<iceberg::Literal> nulls;
    for (const auto& c : columns) nulls.push_back(iceberg::Literal::Null(c.type));
    for (auto& f : written) staged.push_back({f, nulls});  // rotated by DuckDB
    return staged;
  }
  std::map<fs::path, std::vector<fs::path>> by_dir;
  for (auto& f : written) by_dir[f.parent_path()].push_back(f);
  int split = 0;
  for (const auto& [dir, files] : by_dir) {
    TARN_ASSIGN_OR_RETURN(std::vector<iceberg::Literal> tuple,
                          DecodePartition(db, files[0], columns));
    fs::path out = scratch / ("split-" + std::to_string(split++));
    TARN_ASSIGN_OR_RETURN(std::vector<fs::path> sized,
                          SplitBySize(db, files, copy_options, options, out));
    for (auto& f : sized) staged.push_back({f, tuple});
  }
  return staged;
}

std::string Location(std::string prefix, const std::string& relative) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix + relative;
}

Result<std::vector<iceberg::DataFile>> PublishDataFiles(
    DuckDb& db, const std::vector<StagedFile>& staged, const schema::Schema& schema,
    const iceberg::PartitionSpec& spec, const fs::path& data_dir, const std::string& prefix) {
  std::vector<std::string> paths;
  for (const auto& f : staged) paths.push_back(f.path.string());
  TARN_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files,
                        parquet_metrics::ReadMetrics(db, paths, schema, kStringBoundChars));
  std::string batch = NewUuid();
  PublishedFiles moved;
  std::vector<iceberg::DataFile> published;
  for (size_t i = 0; i < staged.size(); ++i) {
    if (files[i].record_count == 0) continue;  // DuckDB leaves an empty file for no rows
    char name[32];
    std::snprintf(name, sizeof(name), "-%05zu.parquet", published.size());
    std::string relative = PartitionPath(spec, staged[i].partition) + batch + name;
    TARN_RETURN_IF_ERROR(moved.Publish(staged[i].path, data_dir / relative, data_dir));
    files[i].content = iceberg::FileContent::kData;
    files[i].file_path = Location(prefix, relative);
    files[i].partition = staged[i].partition;
    published.push_back(std::move(files[i]));
  }
  TARN_RETURN_IF_ERROR(moved.Sync());
  return published;
}

Result<fs::path> PrepareDataDir(const std::string& data_dir) {
  fs::path dir = fs::absolute(data_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "a/b/" -> "a/b"
  TARN_RETURN_IF_ERROR(CreateDirectories(dir));
  return dir;
}

const schema::Schema& PositionDeleteSchema() {
  static const schema::Schema kSchema = [] {
    auto string_type = schema::ParsePrimitiveType("string").value();
    auto long_type = schema::ParsePrimitiveType("long").value();
    return schema::Schema::Make({{kDeleteFilePathFieldId, "file_path", true, string_type},
                                 {kDeletePosFieldId, "pos", true, long_type}})
        .value();
  }();
  return kSchema;
}

// Writes the sorted deletes to `staged` and describes the file. DuckDB keeps at most 256 bytes
// of a string statistic, so the file_path bounds planners match on are read from the data.
Result<iceberg::DataFile> StageDeletes(DuckDb& db, const std::string& projected,
                                       const DataFileWriteOptions& options,
                                       const fs::path& staged) {
  const schema::Schema& schema = PositionDeleteSchema();
  std::string file = QuoteText(staged.string());
  Status st = db.Exec("COPY (" + projected + " ORDER BY file_path, pos) TO " + file + " (" +
                      CopyOptions(schema, options) + ")");
  if (!st.ok()) return st.WithContext("writing position deletes");
  TARN_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files,
                        parquet_metrics::ReadMetrics(db, {staged.string()}, schema, 0));
  if (files[0].record_count == 0) return InvalidArgument("position deletes: no rows to write");
  iceberg::DataFile& out = files[0];
  st = db.Query("SELECT min(file_path), max(file_path) FROM read_parquet(" + file + ")", {},
                [&](const Row& r) {
                  auto bound = [&](int i) {
                    return iceberg::ToBinary(iceberg::Literal::String(r[i].value_or("")));
                  };
                  out.lower_bounds[kDeleteFilePathFieldId] = bound(0);
                  out.upper_bounds[kDeleteFilePathFieldId] = bound(1);
                  return Status::OK();
                });
  if (!st.ok()) return st.WithContext("reading back " + staged.string());
  return std::move(out);
}

}  // namespace

Result<std::vector<iceberg::DataFile>> WriteDataFiles(DuckDb& db, const std::string& select_sql,
                                                      const schema::Schema& schema,
                                                      const iceberg::PartitionSpec& spec,
                                                      const std::string& data_dir,
                                                      const std::string& location_prefix,
                                                      const DataFileWriteOptions& options) {
  TARN_ASSIGN_OR_RETURN(std::vector<PartitionColumn> columns,
                        parquet_sql::PartitionColumns(spec, schema));
  TARN_ASSIGN_OR_RETURN(std::string projected,
                        parquet_sql::ProjectOntoSchema(db, select_sql, schema));
  TARN_ASSIGN_OR_RETURN(fs::path dir, PrepareDataDir(data_dir));
  TARN_ASSIGN_OR_RETURN(auto scratch, ScratchDir::Make(dir / (".tarn-tmp-" + NewUuid())));
  TARN_ASSIGN_OR_RETURN(std::vector<StagedFile> staged,
                        StageDataFiles(db, projected, columns, CopyOptions(schema, options),
                                       options, scratch->path()));
  return PublishDataFiles(db, staged, schema, spec, dir, location_prefix);
}

Result<iceberg::DataFile> WritePositionDeletes(DuckDb& db, const std::string& deletes_sql,
                                               const iceberg::PartitionSpec& spec,
                                               const std::vector<iceberg::Literal>& partition,
                                               const std::string& data_dir,
                                               const std::string& location_prefix,
                                               const DataFileWriteOptions& options) {
  if (partition.size() != spec.fields.size()) {
    return InvalidArgument("position deletes: a partition tuple of " +
                           std::to_string(partition.size()) + " values for a spec of " +
                           std::to_string(spec.fields.size()) + " fields");
  }
  const schema::Schema& schema = PositionDeleteSchema();
  TARN_ASSIGN_OR_RETURN(std::string projected,
                        parquet_sql::ProjectOntoSchema(db, deletes_sql, schema));
  TARN_ASSIGN_OR_RETURN(fs::path dir, PrepareDataDir(data_dir));
  TARN_ASSIGN_OR_RETURN(auto scratch, ScratchDir::Make(dir / (".tarn-tmp-" + NewUuid())));
  fs::path staged = scratch->path() / "deletes.parquet";
  TARN_ASSIGN_OR_RETURN(iceberg::DataFile file, StageDeletes(db, projected, options, staged));
  std::string relative = PartitionPath(spec, partition) + NewUuid() + "-deletes.parquet";
  PublishedFiles moved;
  TARN_RETURN_IF_ERROR(moved.Publish(staged, dir / relative, dir));
  TARN_RETURN_IF_ERROR(moved.Sync());
  file.content = iceberg::FileContent::kPositionDeletes;
  file.file_path = Location(location_prefix, relative);
  file.partition = partition;
  return file;
}

Result<iceberg::DataFile> WritePositionDeletes(
    DuckDb& db, const std::vector<std::pair<std::string, int64_t>>& deletes,
    const iceberg::PartitionSpec& spec, const std::vector<iceberg::Literal>& partition,
    const std::string& data_dir, const std::string& location_prefix,
    const DataFileWriteOptions& options) {
  if (deletes.empty()) return InvalidArgument("position deletes: no rows to write");
  std::string values;
  for (const auto& [path, pos] : deletes) {
    values += (values.empty() ? "(" : ", (") + QuoteText(path) + ", " + std::to_string(pos) + ")";
  }
  return WritePositionDeletes(db, "SELECT * FROM (VALUES " + values + ") AS t(file_path, pos)",
                              spec, partition, data_dir, location_prefix, options);
}

}  // namespace tarn::engine
