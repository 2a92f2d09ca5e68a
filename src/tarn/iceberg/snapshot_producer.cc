// Producing snapshots: the new manifests for added files, rewritten manifests where files are
// removed, the manifest list, and the snapshot summary.
#include <set>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/iceberg/table.h"

namespace tarn::iceberg {
namespace {

// Which live data files a snapshot removes; null = none.
using RemovePredicate = std::function<bool(const ManifestFile&, const ManifestEntry&)>;

struct SnapshotChange {
  std::string operation;
  const std::vector<DataFile>* add_data = nullptr;
  const std::vector<DataFile>* add_deletes = nullptr;
  RemovePredicate remove;
  const SummaryProps* props = nullptr;
};

struct Counters {
  int64_t added_files = 0, added_records = 0, added_size = 0;
  int64_t deleted_files = 0, deleted_records = 0, removed_size = 0;
  int64_t added_delete_files = 0, added_position_deletes = 0, added_equality_deletes = 0;
  int64_t removed_delete_files = 0;
};

std::string ManifestLocation(const TableMetadata& base) {
  return base.location + "/metadata/" + NewUuid() + "-m0.avro";
}

Result<std::vector<ManifestFile>> ParentManifests(const TableMetadata& base, FileIO& io) {
  const Snapshot* parent = base.CurrentSnapshot();
  if (parent == nullptr) return std::vector<ManifestFile>{};
  TARN_ASSIGN_OR_RETURN(std::string bytes, io.Read(parent->manifest_list));
  return DecodeManifestList(bytes);
}

// Encodes `entries` as a manifest of `content` under the current schema and `spec`, writes it.
Result<ManifestFile> WriteManifest(const TableMetadata& base, const PartitionSpec& spec,
                                   FileContent content, const std::vector<ManifestEntry>& entries,
                                   int64_t snapshot_id, int64_t seq, FileIO& io,
                                   std::vector<PendingFile>* files) {
  ManifestContext ctx{base.CurrentSchema(), base.current_schema_id, &spec, content};
  TARN_ASSIGN_OR_RETURN(auto encoded,
                        EncodeManifest(ctx, entries, ManifestLocation(base), snapshot_id, seq));
  files->push_back({encoded.second.manifest_path, std::move(encoded.first)});
  return encoded.second;
}

Result<std::vector<ManifestFile>> AddedManifests(const TableMetadata& base,
                                                 const std::vector<DataFile>& added,
                                                 FileContent content, int64_t snapshot_id,
                                                 int64_t seq, FileIO& io, Counters* n,
                                                 std::vector<PendingFile>* files) {
  if (added.empty()) return std::vector<ManifestFile>{};
  const PartitionSpec* spec = base.DefaultSpec();
  if (spec == nullptr) return InvalidArgument("table has no default partition spec");
  std::vector<ManifestEntry> entries;
  for (const DataFile& f : added) {
    if (f.partition.size() != spec->fields.size()) {
      return InvalidArgument("file " + f.file_path + " has " +
                             std::to_string(f.partition.size()) + " partition values; spec " +
                             std::to_string(spec->spec_id) + " has " +
                             std::to_string(spec->fields.size()) + " fields");
    }
    ManifestEntry e;
    e.status = EntryStatus::kAdded;
    e.snapshot_id = snapshot_id;
    e.data_file = f;
    entries.push_back(std::move(e));
    if (f.content == FileContent::kData) {
      ++n->added_files;
      n->added_records += f.record_count;
    } else {
      ++n->added_delete_files;
      (f.content == FileContent::kPositionDeletes ? n->added_position_deletes
                                                  : n->added_equality_deletes) += f.record_count;
    }
    n->added_size += f.file_size_in_bytes;
  }
  TARN_ASSIGN_OR_RETURN(auto m, WriteManifest(base, *spec, content, entries, snapshot_id, seq,
                                              io, files));
  return std::vector<ManifestFile>{m};
}

// Rewrites `m` if `remove` matches any of its live entries: those become DELETED, the rest
// EXISTING with their sequence numbers written out. Returns `m` unchanged otherwise.
Result<ManifestFile> FilterManifest(const TableMetadata& base, const ManifestFile& m,
                                    const RemovePredicate& remove, int64_t snapshot_id,
                                    int64_t seq, FileIO& io, Counters* n,
                                    std::vector<PendingFile>* files) {
  const PartitionSpec* spec = base.SpecById(m.partition_spec_id);
  if (spec == nullptr) return Status(ErrorCode::kCorruption, "manifest " + m.manifest_path + " names an unknown spec");
  TARN_ASSIGN_OR_RETURN(std::string bytes, io.Read(m.manifest_path));
  TARN_ASSIGN_OR_RETURN(auto entries, DecodeManifest(bytes, m, *spec, *base.CurrentSchema()));
  std::vector<ManifestEntry> kept;
  bool changed = false;
  for (ManifestEntry& e : entries) {
    if (e.status == EntryStatus::kDeleted) {
      changed = true;  // dropped: a deleted entry is only reported by the snapshot deleting it
      continue;
    }
    if (remove(m, e)) {
      e.status = EntryStatus::kDeleted;
      e.snapshot_id = snapshot_id;
      if (e.data_file.content == FileContent::kData) {
        ++n->deleted_files;
        n->deleted_records += e.data_file.record_count;
      } else {
        ++n->removed_delete_files;
      }
      n->removed_size += e.data_file.file_size_in_bytes;
      changed = true;
    } else {
      e.status = EntryStatus::kExisting;
    }
    kept.push_back(std::move(e));
  }
  if (!changed) return m;
  return WriteManifest(base, *spec, m.content, kept, snapshot_id, seq, io, files);
}

int64_t IntProperty(const TableMetadata& md, const std::string& key, int64_t fallback) {
  auto it = md.properties.find(key);
  if (it == md.properties.end()) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  return (end && *end == '\0' && v > 0) ? v : fallback;
}

// One merged manifest from `members` (all of one spec): entries added by this snapshot stay
// ADDED, older live ones become EXISTING with their sequence numbers written out, and DELETED
// entries of earlier snapshots are dropped.
Result<ManifestFile> MergeManifests(const TableMetadata& base,
                                    const std::vector<const ManifestFile*>& members,
                                    int64_t snapshot_id, int64_t seq, FileIO& io,
                                    std::vector<PendingFile>* files) {
  const PartitionSpec* spec = base.SpecById(members[0]->partition_spec_id);
  if (spec == nullptr) return InvalidArgument("manifest names an unknown partition spec");
  std::vector<ManifestEntry> merged;
  for (const ManifestFile* m : members) {
    TARN_ASSIGN_OR_RETURN(std::string bytes, io.Read(m->manifest_path));
    TARN_ASSIGN_OR_RETURN(auto entries, DecodeManifest(bytes, *m, *spec, *base.CurrentSchema()));
    for (ManifestEntry& e : entries) {
      if (e.snapshot_id != snapshot_id) {
        if (e.status == EntryStatus::kDeleted) continue;
        e.status = EntryStatus::kExisting;
      }
      merged.push_back(std::move(e));
    }
  }
  return WriteManifest(base, *spec, FileContent::kData, merged, snapshot_id, seq, io, files);
}

// Keeps the number of manifests bounded (so commits and planning do not slow down as history
// grows): once a spec has commit.manifest.min-count-to-merge (100) data manifests with fewer
// than tarn.manifest.target-entries (1024) entries, consecutive ones are packed, oldest first,
// into manifests of up to that many entries. Entries, not bytes (Java's target-size-bytes),
// bound the work of planning a scan that touches one manifest; consecutive appends usually
// cover neighbouring partitions, so merged manifests keep tight partition summaries.
Status MergeSmallManifests(const TableMetadata& base, int64_t snapshot_id, int64_t seq,
                           std::vector<ManifestFile>* manifests, FileIO& io,
                           std::vector<PendingFile>* files) {
  int64_t target = IntProperty(base, "tarn.manifest.target-entries", 1024);
  int64_t min_count = IntProperty(base, "commit.manifest.min-count-to-merge", 100);
  auto enabled = base.properties.find("commit.manifest-merge.enabled");
  if (enabled != base.properties.end() && enabled->second == "false") return Status::OK();
  auto entries = [](const ManifestFile& m) {
    return int64_t{m.added_files_count} + m.existing_files_count + m.deleted_files_count;
  };
  std::map<int, std::vector<size_t>> small;  // spec id -> indexes, oldest first
  for (size_t i = manifests->size(); i-- > 0;) {
    const ManifestFile& m = (*manifests)[i];
    // Manifests staged by this snapshot are not written yet; they merge next time.
    if (m.content == FileContent::kData && entries(m) < target &&
        m.added_snapshot_id != snapshot_id) {
      small[m.partition_spec_id].push_back(i);
    }
  }
  std::vector<bool> drop(manifests->size(), false);
  std::vector<ManifestFile> merged;
  for (const auto& [spec_id, indexes] : small) {
    if (static_cast<int64_t>(indexes.size()) < min_count) continue;
    std::vector<size_t> bin;
    int64_t bin_entries = 0;
    auto flush = [&]() -> Status {
      if (bin.size() >= 2) {
        std::vector<const ManifestFile*> members;
        for (size_t i : bin) {
          members.push_back(&(*manifests)[i]);
          drop[i] = true;
        }
        TARN_ASSIGN_OR_RETURN(auto m, MergeManifests(base, members, snapshot_id, seq, io, files));
        merged.push_back(std::move(m));
      }
      bin.clear();
      bin_entries = 0;
      return Status::OK();
    };
    for (size_t i : indexes) {
      int64_t n = entries((*manifests)[i]);
      if (!bin.empty() && bin_entries + n > target) TARN_RETURN_IF_ERROR(flush());
      bin.push_back(i);
      bin_entries += n;
    }
    TARN_RETURN_IF_ERROR(flush());
  }
  std::vector<ManifestFile> out = std::move(merged);
  for (size_t i = 0; i < manifests->size(); ++i) {
    if (!drop[i]) out.push_back(std::move((*manifests)[i]));
  }
  *manifests = std::move(out);
  return Status::OK();
}

void Put(std::map<std::string, std::string>* s, const char* key, int64_t v) {
  if (v != 0) (*s)[key] = std::to_string(v);
}

std::map<std::string, std::string> Summary(const SnapshotChange& c, const Counters& n,
                                           const std::vector<ManifestFile>& manifests) {
  std::map<std::string, std::string> s;
  if (c.props != nullptr) s = *c.props;
  s["operation"] = c.operation;
  Put(&s, "added-data-files", n.added_files);
  Put(&s, "added-records", n.added_records);
  Put(&s, "added-files-size", n.added_size);
  Put(&s, "deleted-data-files", n.deleted_files);
  Put(&s, "deleted-records", n.deleted_records);
  Put(&s, "removed-files-size", n.removed_size);
  Put(&s, "added-delete-files", n.added_delete_files);
  Put(&s, "added-position-deletes", n.added_position_deletes);
  Put(&s, "added-equality-deletes", n.added_equality_deletes);
  Put(&s, "removed-delete-files", n.removed_delete_files);
  int64_t data_files = 0, records = 0, delete_files = 0, deletes = 0;
  for (const ManifestFile& m : manifests) {
    int64_t files = m.added_files_count + m.existing_files_count;
    int64_t rows = m.added_rows_count + m.existing_rows_count;
    (m.content == FileContent::kData ? data_files : delete_files) += files;
    (m.content == FileContent::kData ? records : deletes) += rows;
  }
  s["total-data-files"] = std::to_string(data_files);
  s["total-records"] = std::to_string(records);
  s["total-delete-files"] = std::to_string(delete_files);
  s["total-position-deletes"] = std::to_string(deletes);
  return s;
}

Result<TableMetadata> ProduceSnapshot(const TableMetadata& base, FileIO& io,
                                      const SnapshotChange& c,
                                      std::vector<PendingFile>* files) {
  if (base.CurrentSchema() == nullptr) return InvalidArgument("table has no current schema");
  int64_t id = NewSnapshotId(base);
  int64_t seq = base.last_sequence_number + 1;
  Counters n;
  std::vector<ManifestFile> manifests;
  static const std::vector<DataFile> kNone;
  TARN_ASSIGN_OR_RETURN(auto data, AddedManifests(base, c.add_data ? *c.add_data : kNone,
                                                  FileContent::kData, id, seq, io, &n, files));
  TARN_ASSIGN_OR_RETURN(auto deletes,
                        AddedManifests(base, c.add_deletes ? *c.add_deletes : kNone,
                                       FileContent::kPositionDeletes, id, seq, io, &n, files));
  manifests.insert(manifests.end(), data.begin(), data.end());
  manifests.insert(manifests.end(), deletes.begin(), deletes.end());
  TARN_ASSIGN_OR_RETURN(auto parents, ParentManifests(base, io));
  for (const ManifestFile& m : parents) {
    if (c.remove && m.added_files_count + m.existing_files_count > 0) {
      TARN_ASSIGN_OR_RETURN(auto kept, FilterManifest(base, m, c.remove, id, seq, io, &n, files));
      if (kept.added_files_count + kept.existing_files_count + kept.deleted_files_count > 0) {
        manifests.push_back(std::move(kept));
      }
    } else {
      manifests.push_back(m);
    }
  }
  TARN_RETURN_IF_ERROR(MergeSmallManifests(base, id, seq, &manifests, io, files));
  Snapshot snap;
  snap.snapshot_id = id;
  if (const Snapshot* parent = base.CurrentSnapshot()) snap.parent_snapshot_id = parent->snapshot_id;
  snap.sequence_number = seq;
  snap.timestamp_ms = std::max(Clock::System().Now() / 1000, base.last_updated_ms + 1);
  snap.manifest_list = base.location + "/metadata/snap-" + std::to_string(id) + "-1-" +
                       NewUuid() + ".avro";
  snap.schema_id = base.current_schema_id;
  snap.summary = Summary(c, n, manifests);
  if (c.operation == "overwrite" && n.deleted_files == 0 && n.added_delete_files == 0) {
    snap.summary["operation"] = "append";
  }
  files->push_back(
      {snap.manifest_list, EncodeManifestList(manifests, id, snap.parent_snapshot_id, seq)});

  TableMetadata next = base;
  next.snapshots.push_back(snap);
  next.current_snapshot_id = id;
  SnapshotRef main = base.refs.count("main") ? base.refs.at("main") : SnapshotRef{};
  main.snapshot_id = id;
  main.is_branch = true;
  next.refs["main"] = main;
  next.snapshot_log.push_back({snap.timestamp_ms, id});
  next.last_sequence_number = seq;
  return next;
}

std::string PartitionKey(int spec_id, const std::vector<Literal>& partition) {
  std::string key = std::to_string(spec_id);
  for (const Literal& v : partition) key += '\x1f' + (v.is_null ? "\x1e" : ToBinary(v));
  return key;
}

}  // namespace

Result<int64_t> Table::Append(const std::vector<DataFile>& files, const SummaryProps& props) {
  return ReplaceFiles({}, files, props);
}

Result<int64_t> Table::ReplaceFiles(const std::vector<std::string>& remove,
                                    const std::vector<DataFile>& add, const SummaryProps& props) {
  std::set<std::string> gone(remove.begin(), remove.end());
  SnapshotChange c{remove.empty() ? "append" : "overwrite", &add, nullptr, nullptr, &props};
  if (!gone.empty()) {
    c.remove = [&](const ManifestFile&, const ManifestEntry& e) {
      return gone.count(e.data_file.file_path) > 0;
    };
  }
  TARN_RETURN_IF_ERROR(Commit([&](const TableMetadata& base, std::vector<PendingFile>* files) {
    return ProduceSnapshot(base, *io_, c, files);
  }));
  return *metadata_.current_snapshot_id;
}

Result<int64_t> Table::RewriteFiles(const std::vector<std::string>& remove,
                                    const std::vector<DataFile>& add, const SummaryProps& props) {
  std::set<std::string> gone(remove.begin(), remove.end());
  size_t found = 0;
  SnapshotChange c{"replace", &add, nullptr, nullptr, &props};
  c.remove = [&](const ManifestFile&, const ManifestEntry& e) {
    bool hit = gone.count(e.data_file.file_path) > 0;
    found += hit;
    return hit;
  };
  TARN_RETURN_IF_ERROR(Commit([&](const TableMetadata& base, std::vector<PendingFile>* files)
                                  -> Result<TableMetadata> {
    found = 0;
    TARN_ASSIGN_OR_RETURN(TableMetadata next, ProduceSnapshot(base, *io_, c, files));
    if (found != gone.size()) {
      return Conflict("files to rewrite changed concurrently: " + std::to_string(found) + " of " +
                      std::to_string(gone.size()) + " are still live; compact again");
    }
    return next;
  }));
  return *metadata_.current_snapshot_id;
}

Result<int64_t> Table::OverwritePartitions(const std::vector<DataFile>& add,
                                           const SummaryProps& props) {
  std::set<std::string> touched;
  SnapshotChange c{"overwrite", &add, nullptr, nullptr, &props};
  c.remove = [&](const ManifestFile& m, const ManifestEntry& e) {
    return touched.count(PartitionKey(m.partition_spec_id, e.data_file.partition)) > 0;
  };
  TARN_RETURN_IF_ERROR(Commit([&](const TableMetadata& base, std::vector<PendingFile>* files) {
    touched.clear();
    for (const DataFile& f : add) touched.insert(PartitionKey(base.default_spec_id, f.partition));
    return ProduceSnapshot(base, *io_, c, files);
  }));
  return *metadata_.current_snapshot_id;
}

Result<int64_t> Table::RowDelta(const std::vector<DataFile>& add_data,
                                const std::vector<DataFile>& add_deletes,
                                const SummaryProps& props) {
  SnapshotChange c{add_data.empty() ? "delete" : "overwrite", &add_data, &add_deletes, nullptr,
                   &props};
  TARN_RETURN_IF_ERROR(Commit([&](const TableMetadata& base, std::vector<PendingFile>* files) {
    return ProduceSnapshot(base, *io_, c, files);
  }));
  return *metadata_.current_snapshot_id;
}

}  // namespace tarn::iceberg
