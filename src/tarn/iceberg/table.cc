// Table lifecycle and the optimistic commit loop; schema, spec and ref changes.
#include "tarn/iceberg/table.h"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"

namespace tarn::iceberg {
namespace {

int64_t NowMs() { return Clock::System().Now() / 1000; }

// "<location>/metadata/00012-<uuid>.metadata.json": the version is one above the previous
// file's (0 for a new table), so a listing of the metadata directory reads in history order.
std::string NextMetadataLocation(const TableMetadata& next, const std::string& previous) {
  long long version = 0;
  if (!previous.empty()) {
    size_t slash = previous.rfind('/');
    version = std::strtoll(previous.c_str() + (slash == std::string::npos ? 0 : slash + 1),
                           nullptr, 10) + 1;
  }
  char digits[24];
  std::snprintf(digits, sizeof digits, "%05lld", version);
  return next.location + "/metadata/" + digits + "-" + NewUuid() + ".metadata.json";
}

// Keeps the metadata log at most write.metadata.previous-versions-max (default 100) long.
void AppendMetadataLog(TableMetadata* next, const TableMetadata& base,
                       const std::string& base_location) {
  next->metadata_log.push_back({base.last_updated_ms, base_location});
  size_t max = 100;
  auto it = next->properties.find("write.metadata.previous-versions-max");
  if (it != next->properties.end()) max = std::max(1, std::atoi(it->second.c_str()));
  if (next->metadata_log.size() > max) {
    next->metadata_log.erase(next->metadata_log.begin(),
                             next->metadata_log.end() - static_cast<ptrdiff_t>(max));
  }
}

// After a lost race: a random wait that grows with the attempt (about 1 ms doubling up to
// 1 s), so writers that collided spread out instead of colliding again.
void Backoff(int attempt) {
  static thread_local std::mt19937 random{std::random_device{}()};
  int cap_ms = std::min(1000, 1 << std::min(attempt, 10));
  std::uniform_int_distribution<int> wait(cap_ms * 500, cap_ms * 1000);
  std::this_thread::sleep_for(std::chrono::microseconds(wait(random)));
}

void DeleteAll(FileIO& io, const std::vector<PendingFile>& files) {
  for (const PendingFile& f : files) (void)io.Delete(f.location);
}

}  // namespace

int64_t NewSnapshotId(const TableMetadata& metadata) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  while (true) {
    int64_t id = static_cast<int64_t>(random() >> 1);
    if (id != 0 && metadata.SnapshotById(id) == nullptr) return id;
  }
}

Result<std::unique_ptr<Table>> Table::Create(std::unique_ptr<TablePointer> pointer,
                                             std::shared_ptr<FileIO> io,
                                             const TableMetadata& initial) {
  std::unique_ptr<Table> t(new Table(std::move(pointer), std::move(io)));
  t->metadata_ = initial;
  t->location_ = NextMetadataLocation(initial, "");
  TARN_RETURN_IF_ERROR(t->io_->Write(t->location_, WriteTableMetadata(initial)));
  Status st = t->pointer_->Create(t->location_);
  if (!st.ok()) {
    (void)t->io_->Delete(t->location_);
    return st;
  }
  return t;
}

Result<std::unique_ptr<Table>> Table::Load(std::unique_ptr<TablePointer> pointer,
                                           std::shared_ptr<FileIO> io) {
  std::unique_ptr<Table> t(new Table(std::move(pointer), std::move(io)));
  TARN_RETURN_IF_ERROR(t->Refresh());
  return t;
}

Status Table::Refresh() {
  TARN_ASSIGN_OR_RETURN(std::string location, pointer_->Load());
  if (location == location_) return Status::OK();
  TARN_ASSIGN_OR_RETURN(std::string json, io_->Read(location));
  auto parsed = ParseTableMetadata(json);
  if (!parsed.ok()) return parsed.status().WithContext(location);
  metadata_ = std::move(parsed).value();
  location_ = std::move(location);
  return Status::OK();
}

Status Table::Commit(const MetadataChange& change, int max_attempts) {
  Status last;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int attempt = 0;
  for (; attempt < max_attempts && std::chrono::steady_clock::now() < deadline; ++attempt) {
    if (attempt > 0) {
      Backoff(attempt);
      TARN_RETURN_IF_ERROR(Refresh());
    }
    std::vector<PendingFile> files;
    auto next = change(metadata_, &files);
    if (!next.ok()) return next.status();
    next->last_updated_ms = std::max(NowMs(), metadata_.last_updated_ms + 1);
    AppendMetadataLog(&next.value(), metadata_, location_);
    std::string location = NextMetadataLocation(*next, location_);
    files.push_back({location, WriteTableMetadata(*next)});
    Status st = io_->WriteAll(files);
    if (!st.ok()) return st;  // WriteAll removed what it created
    st = pointer_->Swap(location_, location);
    if (st.ok()) {
      metadata_ = std::move(next).value();
      location_ = std::move(location);
      return Status::OK();
    }
    if (st.code() == ErrorCode::kCommitStateUnknown) return st;
    DeleteAll(*io_, files);
    if (st.code() != ErrorCode::kConflict) return st;
    last = st;
  }
  return Conflict("gave up after " + std::to_string(attempt) +
                  " commit attempts lost to concurrent writers: " + last.message());
}

Status Table::SetCurrentSchema(const schema::Schema& schema) {
  return Commit([&](const TableMetadata& base, std::vector<PendingFile>*) -> Result<TableMetadata> {
    TableMetadata next = base;
    std::string wanted = SchemaToIcebergJson(schema, 0);
    for (const auto& [id, existing] : base.schemas) {
      if (SchemaToIcebergJson(existing, 0) == wanted) {
        next.current_schema_id = id;
        return next;
      }
    }
    int id = 0;
    for (const auto& entry : base.schemas) id = std::max(id, entry.first + 1);
    next.schemas.emplace_back(id, schema);
    next.current_schema_id = id;
    next.last_column_id = std::max(base.last_column_id, schema.highest_field_id());
    return next;
  });
}

Status Table::SetPartitionSpec(std::vector<PartitionField> fields) {
  return Commit([&](const TableMetadata& base, std::vector<PendingFile>*) -> Result<TableMetadata> {
    TableMetadata next = base;
    const schema::Schema* schema = base.CurrentSchema();
    if (schema == nullptr) return InvalidArgument("table has no current schema");
    PartitionSpec spec;
    for (PartitionField f : fields) {
      if (schema->FindById(f.source_id) == nullptr) {
        return InvalidArgument("partition source field " + std::to_string(f.source_id) +
                               " is not in the current schema");
      }
      f.field_id = 0;
      for (const PartitionSpec& old : base.specs) {
        for (const PartitionField& of : old.fields) {
          if (of.source_id == f.source_id && of.transform == f.transform) f.field_id = of.field_id;
        }
      }
      if (f.field_id == 0) f.field_id = ++next.last_partition_id;
      if (f.name.empty()) f.name = DefaultPartitionFieldName(*schema, f);
      spec.fields.push_back(std::move(f));
    }
    TARN_RETURN_IF_ERROR(PartitionType(spec, *schema).status());
    for (const PartitionSpec& old : base.specs) {
      if (old.fields == spec.fields) {
        next.default_spec_id = old.spec_id;
        return next;
      }
      spec.spec_id = std::max(spec.spec_id, old.spec_id + 1);
    }
    next.specs.push_back(spec);
    next.default_spec_id = spec.spec_id;
    return next;
  });
}

Status Table::SetTag(const std::string& name, int64_t snapshot_id, bool replace) {
  return Commit([&](const TableMetadata& base, std::vector<PendingFile>*) -> Result<TableMetadata> {
    if (base.SnapshotById(snapshot_id) == nullptr) {
      return NotFound("no snapshot " + std::to_string(snapshot_id));
    }
    auto it = base.refs.find(name);
    if (it != base.refs.end() && !replace && it->second.snapshot_id != snapshot_id) {
      return AlreadyExists("ref '" + name + "' already points at snapshot " +
                           std::to_string(it->second.snapshot_id));
    }
    if (name == "main") return InvalidArgument("'main' is the main branch, not a tag");
    TableMetadata next = base;
    SnapshotRef ref;
    ref.snapshot_id = snapshot_id;
    ref.is_branch = false;
    next.refs[name] = ref;
    return next;
  });
}

Status Table::RemoveRef(const std::string& name) {
  return Commit([&](const TableMetadata& base, std::vector<PendingFile>*) -> Result<TableMetadata> {
    if (name == "main") return InvalidArgument("the main branch cannot be removed");
    if (!base.refs.count(name)) return NotFound("no ref '" + name + "'");
    TableMetadata next = base;
    next.refs.erase(name);
    return next;
  });
}

}  // namespace tarn::iceberg
