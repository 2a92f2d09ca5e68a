// Reading a snapshot's live files, snapshot expiry and orphan-file removal.
#include <filesystem>
#include <set>

#include "tarn/iceberg/table.h"

namespace tarn::iceberg {
namespace {

// Every file a snapshot references: its manifest list, manifests and live data/delete files.
Status CollectReachable(const TableMetadata& md, const Snapshot& s, FileIO& io,
                        std::set<std::string>* files) {
  files->insert(s.manifest_list);
  TARN_ASSIGN_OR_RETURN(std::string list, io.Read(s.manifest_list));
  TARN_ASSIGN_OR_RETURN(auto manifests, DecodeManifestList(list));
  for (const ManifestFile& m : manifests) {
    if (!files->insert(m.manifest_path).second) continue;  // seen through another snapshot
    const PartitionSpec* spec = md.SpecById(m.partition_spec_id);
    if (spec == nullptr) {
      return Status(ErrorCode::kCorruption, m.manifest_path + " names an unknown spec");
    }
    TARN_ASSIGN_OR_RETURN(std::string bytes, io.Read(m.manifest_path));
    TARN_ASSIGN_OR_RETURN(auto entries, DecodeManifest(bytes, m, *spec, *md.CurrentSchema()));
    for (const ManifestEntry& e : entries) {
      if (e.status != EntryStatus::kDeleted) files->insert(e.data_file.file_path);
    }
  }
  return Status::OK();
}

// Snapshots to keep: every ref's snapshot, the newest `retain_last` of main's ancestry, and
// anything newer than the cutoff.
std::set<int64_t> Retained(const TableMetadata& md, int64_t older_than_ms, int retain_last) {
  std::set<int64_t> keep;
  for (const auto& [name, ref] : md.refs) keep.insert(ref.snapshot_id);
  const Snapshot* s = md.CurrentSnapshot();
  for (int i = 0; s != nullptr && i < retain_last; ++i) {
    keep.insert(s->snapshot_id);
    s = s->parent_snapshot_id ? md.SnapshotById(*s->parent_snapshot_id) : nullptr;
  }
  for (const Snapshot& snap : md.snapshots) {
    if (snap.timestamp_ms >= older_than_ms) keep.insert(snap.snapshot_id);
  }
  return keep;
}

}  // namespace

Result<std::vector<ManifestEntry>> Table::LiveEntries(const Snapshot& snapshot) {
  TARN_ASSIGN_OR_RETURN(std::string list, io_->Read(snapshot.manifest_list));
  TARN_ASSIGN_OR_RETURN(auto manifests, DecodeManifestList(list));
  std::vector<ManifestEntry> out;
  for (const ManifestFile& m : manifests) {
    const PartitionSpec* spec = metadata_.SpecById(m.partition_spec_id);
    if (spec == nullptr) {
      return Status(ErrorCode::kCorruption, m.manifest_path + " names an unknown spec");
    }
    TARN_ASSIGN_OR_RETURN(std::string bytes, io_->Read(m.manifest_path));
    TARN_ASSIGN_OR_RETURN(auto entries,
                          DecodeManifest(bytes, m, *spec, *metadata_.CurrentSchema()));
    for (ManifestEntry& e : entries) {
      if (e.status != EntryStatus::kDeleted) out.push_back(std::move(e));
    }
  }
  return out;
}

Result<Table::ExpireResult> Table::ExpireSnapshots(int64_t older_than_ms, int retain_last) {
  ExpireResult result;
  std::vector<Snapshot> expired;
  TARN_RETURN_IF_ERROR(Commit([&](const TableMetadata& base, std::vector<PendingFile>*)
                                  -> Result<TableMetadata> {
    std::set<int64_t> keep = Retained(base, older_than_ms, std::max(1, retain_last));
    TableMetadata next = base;
    next.snapshots.clear();
    expired.clear();
    for (const Snapshot& s : base.snapshots) {
      (keep.count(s.snapshot_id) ? next.snapshots : expired).push_back(s);
    }
    std::erase_if(next.snapshot_log, [&](const SnapshotLogEntry& e) {
      return keep.count(e.snapshot_id) == 0;
    });
    return next;
  }));
  // Files still reachable from a retained snapshot stay; the rest of what expired ones
  // referenced goes.
  std::set<std::string> live, candidates;
  for (const Snapshot& s : metadata_.snapshots) {
    TARN_RETURN_IF_ERROR(CollectReachable(metadata_, s, *io_, &live));
  }
  for (const Snapshot& s : expired) {
    result.expired_snapshots.push_back(s.snapshot_id);
    Status st = CollectReachable(metadata_, s, *io_, &candidates);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  }
  for (const std::string& f : candidates) {
    if (live.count(f)) continue;
    TARN_RETURN_IF_ERROR(io_->Delete(f));
    result.deleted_files.push_back(f);
  }
  return result;
}

Result<std::vector<std::string>> Table::RemoveOrphanFiles(int64_t older_than_ms) {
  TARN_RETURN_IF_ERROR(Refresh());
  std::set<std::string> live{location_};
  for (const MetadataLogEntry& e : metadata_.metadata_log) live.insert(e.metadata_file);
  for (const Snapshot& s : metadata_.snapshots) {
    TARN_RETURN_IF_ERROR(CollectReachable(metadata_, s, *io_, &live));
  }
  TARN_ASSIGN_OR_RETURN(auto all, io_->List(metadata_.location));
  std::vector<std::string> deleted;
  for (const std::string& f : all) {
    if (live.count(f)) continue;
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(io_->LocalPath(f), ec);
    if (ec) continue;  // gone already, or not a local file: leave it
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::file_clock::to_sys(mtime).time_since_epoch())
                  .count();
    if (ms >= older_than_ms) continue;
    TARN_RETURN_IF_ERROR(io_->Delete(f));
    deleted.push_back(f);
  }
  return deleted;
}

}  // namespace tarn::iceberg
