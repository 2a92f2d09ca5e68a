#include "tarn/engine/table_writer_internal.h"

#include <charconv>
#include <map>

#include "tarn/base/ids.h"
#include "tarn/engine/parquet_sql.h"
#include "tarn/engine/table_writer.h"

namespace tarn::engine::table_writer_internal {
namespace {

using parquet_sql::QuoteIdent;
using parquet_sql::QuoteText;

Result<int64_t> TargetFileSize(const iceberg::TableMetadata& md) {
  auto it = md.properties.find(kTargetFileSizeProperty);
  if (it == md.properties.end()) return DataFileWriteOptions{}.target_file_size_bytes;
  const std::string& text = it->second;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return InvalidArgument("table " + md.location + ": property " + kTargetFileSizeProperty +
                           " is '" + text + "', not a positive number of bytes");
  }
  return value;
}

// A partition tuple as a map key.
std::string TupleKey(const std::vector<iceberg::Literal>& tuple) {
  std::string key;
  for (const iceberg::Literal& v : tuple) key += '\x1f' + (v.is_null ? "\x1e" : ToBinary(v));
  return key;
}

// The partition tuple of each delete file, and "(location, group)" rows mapping every data
// file of the plan to its delete file. Position deletes take the tuple of the data files they
// apply to; RowDelta commits them under the default spec, which must therefore be the data
// files' spec unless it is unpartitioned (its delete files apply to every partition).
Result<std::vector<std::vector<iceberg::Literal>>> GroupFiles(const iceberg::TableMetadata& md,
                                                              const iceberg::ScanPlan& plan,
                                                              std::string* values) {
  const iceberg::PartitionSpec* spec = md.DefaultSpec();
  if (spec == nullptr) {
    return Status(ErrorCode::kCorruption, "table " + md.location + " has no default spec");
  }
  std::vector<std::vector<iceberg::Literal>> tuples;
  std::map<std::string, size_t> index;
  for (const iceberg::FileScanTask& task : plan.tasks) {
    const iceberg::DataFile& f = task.data_file;
    if (!spec->fields.empty() && task.spec_id != spec->spec_id) {
      return Unimplemented("table " + md.location + ": data file " + f.file_path +
                           " was written under partition spec " + std::to_string(task.spec_id) +
                           ", not the default " + std::to_string(spec->spec_id) +
                           "; rewrite it (ReplaceFiles) to delete rows from it");
    }
    std::vector<iceberg::Literal> tuple =
        spec->fields.empty() ? std::vector<iceberg::Literal>{} : f.partition;
    auto [it, added] = index.emplace(TupleKey(tuple), tuples.size());
    if (added) tuples.push_back(std::move(tuple));
    *values += (values->empty() ? "(" : ", (") + QuoteText(f.file_path) + ", " +
               std::to_string(it->second) + ")";
  }
  return tuples;
}

}  // namespace

Result<WriteTarget> TargetOf(iceberg::Table& table) {
  const iceberg::TableMetadata& md = table.metadata();
  std::string location = md.location;
  while (!location.empty() && location.back() == '/') location.pop_back();
  WriteTarget target;
  target.location_prefix = location + "/data/";
  target.data_dir = table.io().LocalPath(location + "/data");
  if (target.data_dir.find("://") != std::string::npos) {
    return Unimplemented("table " + md.location +
                         ": writing data files is supported on the local file system only");
  }
  TARN_ASSIGN_OR_RETURN(target.options.target_file_size_bytes, TargetFileSize(md));
  return target;
}

WrittenFiles::~WrittenFiles() {
  if (keep_) return;
  // Best effort: what is left is unreferenced, and RemoveOrphanFiles collects it.
  for (const std::string& location : locations_) (void)io_.Delete(location);
}

void WrittenFiles::Add(const std::vector<iceberg::DataFile>& files) {
  for (const iceberg::DataFile& f : files) locations_.push_back(f.file_path);
}

Result<int64_t> WrittenFiles::KeepIfCommitted(Result<int64_t> commit) {
  keep_ = commit.ok() || commit.status().code() == ErrorCode::kCommitStateUnknown;
  return commit;
}

TempTable::TempTable(DuckDb& db, const std::string& prefix)
    : db_(db), name_(QuoteIdent(prefix + NewUuid())) {}

TempTable::~TempTable() {
  if (created_) (void)db_.Exec("DROP TABLE IF EXISTS " + name_);
}

Status TempTable::CreateAs(const std::string& select_sql) {
  Status st = db_.Exec("CREATE TEMP TABLE " + name_ + " AS " + select_sql);
  created_ = st.ok();
  return st;
}

Result<int64_t> QueryInt(DuckDb& db, const std::string& sql) {
  std::optional<std::string> text;
  TARN_RETURN_IF_ERROR(db.Query("SELECT CAST(_v AS VARCHAR) FROM (" + sql + ") AS _q(_v) LIMIT 1",
                                {}, [&](const Row& row) {
                                  text = row[0].value_or("0");
                                  return Status::OK();
                                }));
  if (!text) return int64_t{0};
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Internal("expected an integer from DuckDB, got '" + *text + "'");
  }
  return value;
}

Result<PositionDeletes> WriteDeletes(DuckDb& db, const iceberg::TableMetadata& metadata,
                                     const iceberg::ScanPlan& plan, const std::string& matches_sql,
                                     const WriteTarget& target, TempTable& staged,
                                     WrittenFiles* written) {
  PositionDeletes out;
  if (plan.tasks.empty()) return out;
  std::string values;
  TARN_ASSIGN_OR_RETURN(auto tuples, GroupFiles(metadata, plan, &values));
  TARN_RETURN_IF_ERROR(staged.CreateAs("SELECT _g.grp, _m.* FROM (" + matches_sql +
                                       ") AS _m JOIN (VALUES " + values +
                                       ") AS _g(loc, grp) ON _m.file_path = _g.loc"));
  std::vector<std::pair<size_t, int64_t>> counts;  // (group, rows)
  TARN_RETURN_IF_ERROR(db.Query("SELECT CAST(grp AS VARCHAR), CAST(count(*) AS VARCHAR) FROM " +
                                    staged.name() + " GROUP BY grp ORDER BY grp",
                                {}, [&](const Row& row) {
                                  counts.emplace_back(std::stoull(row[0].value_or("0")),
                                                      std::stoll(row[1].value_or("0")));
                                  return Status::OK();
                                }));
  for (const auto& [group, rows] : counts) {
    TARN_ASSIGN_OR_RETURN(
        iceberg::DataFile file,
        WritePositionDeletes(
            db,
            "SELECT file_path, pos FROM " + staged.name() + " WHERE grp = " + std::to_string(group),
            *metadata.DefaultSpec(), tuples[group], target.data_dir, target.location_prefix,
            target.options));
    written->Add({file});
    out.files.push_back(std::move(file));
    out.rows += rows;
  }
  return out;
}

}  // namespace tarn::engine::table_writer_internal
