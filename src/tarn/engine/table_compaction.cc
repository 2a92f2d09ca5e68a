// Compaction: rewriting a partition's small files (and the rows its delete files remove) into
// files of the target size, committed as one "replace" snapshot.
#include <map>
#include <set>

#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/table_writer.h"
#include "tarn/engine/table_writer_internal.h"

namespace tarn::engine {
namespace {

using table_writer_internal::TargetOf;
using table_writer_internal::WriteTarget;
using table_writer_internal::WrittenFiles;

std::string PartitionKey(const std::vector<iceberg::Literal>& partition) {
  std::string key;
  for (const iceberg::Literal& v : partition) key += (v.is_null ? "\x1e" : ToBinary(v)) + '\x1f';
  return key;
}

// The default spec's partitions worth rewriting: two or more files below 3/4 of the target
// size, or any file with delete files to fold in.
std::vector<std::vector<iceberg::FileScanTask>> Candidates(const iceberg::ScanPlan& plan,
                                                           int default_spec,
                                                           int64_t target_bytes,
                                                           const CompactOptions& options) {
  std::map<std::string, std::vector<iceberg::FileScanTask>> by_partition;
  for (const iceberg::FileScanTask& t : plan.tasks) {
    if (t.spec_id != default_spec) continue;
    by_partition[PartitionKey(t.data_file.partition)].push_back(t);
  }
  std::vector<std::vector<iceberg::FileScanTask>> out;
  for (auto& [key, tasks] : by_partition) {
    int small = 0;
    bool deletes = false;
    for (const auto& t : tasks) {
      small += t.data_file.file_size_in_bytes < target_bytes * 3 / 4;
      deletes = deletes || !t.deletes.empty();
    }
    if (small >= options.min_input_files || (deletes && options.fold_deletes)) {
      out.push_back(std::move(tasks));
    }
  }
  return out;
}

// Delete files that only rewritten data files needed: with no filter the plan holds every
// live data file, so a delete file attached to no surviving one can go with them.
std::vector<std::string> ObsoleteDeletes(const iceberg::ScanPlan& plan,
                                         const std::set<std::string>& rewritten) {
  std::set<std::string> attached, needed;
  for (const iceberg::FileScanTask& t : plan.tasks) {
    bool gone = rewritten.count(t.data_file.file_path) > 0;
    for (const iceberg::DataFile& d : t.deletes) {
      attached.insert(d.file_path);
      if (!gone) needed.insert(d.file_path);
    }
  }
  std::vector<std::string> out;
  for (const std::string& d : attached) {
    if (!needed.count(d)) out.push_back(d);
  }
  return out;
}

}  // namespace

Result<WriteResult> CompactTable(DuckDb& db, iceberg::Table& table,
                                 const CompactOptions& options) {
  TARN_RETURN_IF_ERROR(table.Refresh());
  const iceberg::TableMetadata& md = table.metadata();
  WriteResult out;
  if (md.CurrentSnapshot() == nullptr) return out;
  TARN_ASSIGN_OR_RETURN(WriteTarget target, TargetOf(table));
  TARN_ASSIGN_OR_RETURN(auto plan,
                        iceberg::PlanScan(md, md.CurrentSnapshot(), options.filter, table.io()));
  auto groups = Candidates(plan, md.default_spec_id, target.options.target_file_size_bytes,
                           options);
  if (groups.empty()) return out;
  WrittenFiles written(table.io());
  std::vector<std::string> remove;
  std::vector<iceberg::DataFile> add;
  for (auto& tasks : groups) {
    iceberg::ScanPlan part = plan;
    part.tasks = std::move(tasks);
    for (const auto& t : part.tasks) remove.push_back(t.data_file.file_path);
    TARN_ASSIGN_OR_RETURN(std::string sql,
                          IcebergScanSql(part, *md.CurrentSchema(), table.io()));
    TARN_ASSIGN_OR_RETURN(auto files,
                          WriteDataFiles(db, sql, *md.CurrentSchema(), *md.DefaultSpec(),
                                         target.data_dir, target.location_prefix, target.options));
    written.Add(files);
    add.insert(add.end(), files.begin(), files.end());
  }
  if (options.filter.empty()) {
    auto obsolete = ObsoleteDeletes(plan, std::set<std::string>(remove.begin(), remove.end()));
    remove.insert(remove.end(), obsolete.begin(), obsolete.end());
  }
  TARN_ASSIGN_OR_RETURN(out.snapshot_id,
                        written.KeepIfCommitted(table.RewriteFiles(remove, add, options.props)));
  out.data_files = static_cast<int64_t>(add.size());
  for (const auto& f : add) out.rows_written += f.record_count;
  out.files_removed = static_cast<int64_t>(remove.size());  // data and delete files
  return out;
}

}  // namespace tarn::engine
