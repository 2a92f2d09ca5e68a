#include "tarn/iceberg/scan.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <utility>

#include "tarn/iceberg/delete_index.h"
#include "tarn/iceberg/manifest_cache.h"
#include "tarn/iceberg/scan_filter.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::iceberg {
namespace {

using schema::TypeId;

bool IsFloating(TypeId id) { return id == TypeId::kFloat || id == TypeId::kDouble; }

template <typename V>
const V* Find(const std::map<int, V>& m, int key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

// The filter projected onto one partition spec: for each partition field whose source column
// is filtered, the inclusive projection of that predicate onto the partition values.
struct SpecFilter {
  const PartitionSpec* spec = nullptr;
  const schema::Schema* schema = nullptr;  // the schema the spec's partition type resolves in
  std::vector<PrimitiveType> field_types;  // one per partition field
  std::vector<std::pair<size_t, Predicate>> projected;  // (partition field index, predicate)
};

// A manifest's summary of partition field `i`, as a ValueSummary over decoded `lo`/`hi`.
// A missing lower bound with contains_null means the values are all null (as Java reads it);
// NaN values are not covered by the bounds, so a float field that may hold NaN has no usable
// upper bound (DuckDB orders NaN above every number).
ValueSummary SummaryOf(const FieldSummary& fs, const PrimitiveType& type,
                       std::optional<Literal>* lo, std::optional<Literal>* hi) {
  bool nan = IsFloating(type.id) && fs.contains_nan.value_or(true);
  if (fs.lower_bound) *lo = DecodeBound(type, *fs.lower_bound);
  if (fs.upper_bound && !nan) *hi = DecodeBound(type, *fs.upper_bound);
  ValueSummary s;
  s.lower = *lo ? &**lo : nullptr;
  s.upper = *hi ? &**hi : nullptr;
  s.may_have_nulls = fs.contains_null;
  s.may_have_values = fs.lower_bound || fs.upper_bound || !fs.contains_null || nan;
  return s;
}

bool ManifestMightMatch(const ManifestFile& m, const SpecFilter& sf) {
  if (m.partitions.size() != sf.field_types.size()) return true;  // no usable summaries
  for (const auto& [i, pred] : sf.projected) {
    std::optional<Literal> lo, hi;
    if (!MightMatch(pred, SummaryOf(m.partitions[i], sf.field_types[i], &lo, &hi))) return false;
  }
  return true;
}

bool PartitionMightMatch(const DataFile& file, const SpecFilter& sf) {
  if (file.partition.size() != sf.field_types.size()) return true;
  for (const auto& [i, pred] : sf.projected) {
    const Literal& v = file.partition[i];
    ValueSummary s;
    s.may_have_nulls = v.is_null;
    s.may_have_values = !v.is_null;
    if (!v.is_null) s.lower = s.upper = &v;
    if (!MightMatch(pred, s)) return false;
  }
  return true;
}

// Column metrics of `file` for predicate `bp`. Missing counts or bounds are unknowns; float
// bounds exclude NaN, so the upper bound is usable only when the file has no NaN.
bool MetricsMightMatch(const DataFile& file, const BoundPredicate& bp) {
  int id = bp.pred.field_id;
  const int64_t* values = Find(file.value_counts, id);
  const int64_t* nulls = Find(file.null_value_counts, id);
  ValueSummary s;
  s.may_have_nulls = !(nulls && *nulls == 0);
  s.may_have_values = !(values && nulls && *values == *nulls);
  std::optional<Literal> lo, hi;
  if (bp.pred.op != Op::kIsNull && bp.pred.op != Op::kNotNull) {
    if (const std::string* b = Find(file.lower_bounds, id)) lo = DecodeBound(bp.type, *b);
    const int64_t* nans = Find(file.nan_value_counts, id);
    bool nan = IsFloating(bp.type.id) && !(nans && *nans == 0);
    const std::string* b = nan ? nullptr : Find(file.upper_bounds, id);
    if (b) hi = DecodeBound(bp.type, *b);
    s.lower = lo ? &*lo : nullptr;
    s.upper = hi ? &*hi : nullptr;
  }
  return MightMatch(bp.pred, s);
}

// `file` without its column metrics: every other field copied.
DataFile WithoutColumnStats(const DataFile& file) {
  DataFile out;
  out.content = file.content;
  out.file_path = file.file_path;
  out.file_format = file.file_format;
  out.partition = file.partition;
  out.record_count = file.record_count;
  out.file_size_in_bytes = file.file_size_in_bytes;
  out.split_offsets = file.split_offsets;
  out.equality_ids = file.equality_ids;
  out.sort_order_id = file.sort_order_id;
  return out;
}

class Planner {
 public:
  Planner(const TableMetadata& metadata, const Snapshot& snapshot,
          std::vector<BoundPredicate> filter, FileIO& io, const ScanOptions& options,
          ScanPlan* plan)
      : metadata_(metadata),
        snapshot_(snapshot),
        filter_(std::move(filter)),
        io_(io),
        options_(options),
        plan_(plan) {}

  Status Run() {
    TARN_ASSIGN_OR_RETURN(ManifestCache::List manifests,
                          cache_.ManifestList(io_, snapshot_.manifest_list));
    plan_->metrics.manifests_total = static_cast<int>(manifests->size());
    // Deletes first: every delete file must be known before a data file is planned.
    for (const ManifestFile& m : *manifests) {
      if (m.content != FileContent::kData) TARN_RETURN_IF_ERROR(PlanManifest(m));
    }
    for (const ManifestFile& m : *manifests) {
      if (m.content == FileContent::kData) TARN_RETURN_IF_ERROR(PlanManifest(m));
    }
    plan_->metrics.delete_files = deletes_.size();
    return Status::OK();
  }

 private:
  Status PlanManifest(const ManifestFile& m) {
    TARN_ASSIGN_OR_RETURN(const SpecFilter* sf, ForSpec(m.partition_spec_id));
    if (!sf->projected.empty() && !ManifestMightMatch(m, *sf)) {
      ++plan_->metrics.manifests_skipped;
      return Status::OK();
    }
    // Reading and decoding errors name the manifest's location.
    TARN_ASSIGN_OR_RETURN(ManifestCache::Entries entries,
                          cache_.Manifest(io_, m, *sf->spec, *sf->schema));
    if (m.content == FileContent::kData) ReserveTasks(m);
    for (const ManifestEntry& e : *entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (m.content == FileContent::kData) {
        PlanDataFile(e, m, *sf);
      } else if (PartitionMightMatch(e.data_file, *sf)) {
        ManifestEntry live = e;
        live.sequence_number = e.sequence_number.value_or(m.sequence_number);
        deletes_.Add(std::move(live), m.partition_spec_id, !sf->spec->fields.empty());
      }
    }
    return Status::OK();
  }

  // Room for the manifest's live files, growing geometrically: a FileScanTask is large, and
  // moving thousands of them as the vector grows shows in full-table plans.
  void ReserveTasks(const ManifestFile& m) {
    std::vector<FileScanTask>& tasks = plan_->tasks;
    size_t want = tasks.size() + static_cast<size_t>(std::max(0, m.added_files_count)) +
                  static_cast<size_t>(std::max(0, m.existing_files_count));
    if (want > tasks.capacity()) tasks.reserve(std::max(want, 2 * tasks.capacity()));
  }

  void PlanDataFile(const ManifestEntry& e, const ManifestFile& m, const SpecFilter& sf) {
    ++plan_->metrics.data_files_considered;
    bool keep = PartitionMightMatch(e.data_file, sf);
    for (size_t i = 0; keep && i < filter_.size(); ++i) {
      keep = MetricsMightMatch(e.data_file, filter_[i]);
    }
    if (!keep) {
      ++plan_->metrics.data_files_skipped;
      return;
    }
    FileScanTask& task = plan_->tasks.emplace_back();
    task.spec_id = m.partition_spec_id;
    task.data_sequence_number = e.sequence_number.value_or(m.sequence_number);
    task.data_file = options_.column_stats ? e.data_file : WithoutColumnStats(e.data_file);
    if (!deletes_.empty()) {
      deletes_.AppendApplicable(task.data_file, task.spec_id, task.data_sequence_number,
                                &task.deletes);
    }
  }

  // The spec's filter, built on first use. Partition types resolve in the current schema, or
  // in the snapshot's when a source column has since been dropped.
  Result<const SpecFilter*> ForSpec(int spec_id) {
    auto it = specs_.find(spec_id);
    if (it != specs_.end()) return &it->second;
    SpecFilter sf;
    sf.spec = metadata_.SpecById(spec_id);
    if (!sf.spec) return Corruption("no partition spec " + std::to_string(spec_id));
    sf.schema = metadata_.CurrentSchema();
    auto types = PartitionType(*sf.spec, *sf.schema);
    const schema::Schema* older =
        snapshot_.schema_id ? metadata_.SchemaById(*snapshot_.schema_id) : nullptr;
    if (!types.ok() && older) {
      sf.schema = older;
      types = PartitionType(*sf.spec, *older);
    }
    if (!types.ok()) return types.status().WithContext("partition spec " + std::to_string(spec_id));
    for (const auto& [field, type] : *types) sf.field_types.push_back(type);
    Project(&sf);
    return &specs_.emplace(spec_id, std::move(sf)).first->second;
  }

  void Project(SpecFilter* sf) const {
    for (const BoundPredicate& bp : filter_) {
      for (size_t i = 0; i < sf->spec->fields.size(); ++i) {
        const PartitionField& field = sf->spec->fields[i];
        if (field.source_id != bp.pred.field_id) continue;
        if (auto p = ProjectInclusive(field.transform, bp.pred)) sf->projected.emplace_back(i, *p);
      }
    }
  }

  static Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }

  const TableMetadata& metadata_;
  const Snapshot& snapshot_;
  std::vector<BoundPredicate> filter_;
  FileIO& io_;
  const ScanOptions& options_;
  ManifestCache& cache_ = ManifestCache::Global();
  ScanPlan* plan_;
  std::map<int, SpecFilter> specs_;
  DeleteIndex deletes_;
};

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

Result<ScanPlan> PlanScan(const TableMetadata& metadata, const Snapshot* snapshot,
                          const Filter& filter, FileIO& io, const ScanOptions& options) {
  auto start = std::chrono::steady_clock::now();
  const schema::Schema* schema = metadata.CurrentSchema();
  if (!schema) {
    return InvalidArgument("table " + metadata.location + ": no current schema " +
                           std::to_string(metadata.current_schema_id));
  }
  TARN_ASSIGN_OR_RETURN(std::vector<BoundPredicate> bound, BindFilter(filter, *schema));
  ScanPlan plan;
  plan.schema_id = metadata.current_schema_id;
  if (snapshot) {
    plan.snapshot_id = snapshot->snapshot_id;
    Planner planner(metadata, *snapshot, std::move(bound), io, options, &plan);
    Status st = planner.Run();
    if (!st.ok()) return st.WithContext("snapshot " + std::to_string(snapshot->snapshot_id));
  }
  plan.metrics.planning_ms = MillisSince(start);
  return plan;
}

}  // namespace tarn::iceberg
