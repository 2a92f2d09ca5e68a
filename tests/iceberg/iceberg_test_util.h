// Test doubles and builders for Iceberg tests: an in-memory FileIO and a table builder that
// writes manifests and manifest lists with the module's encoders and commits snapshots into a
// TableMetadata value.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/table.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg::testing {

// A table pointer's cell, shared by every MemoryPointer on it. With `fail` set, swaps fail
// with that code (once, with fail_once) — e.g. kCommitStateUnknown as a dropped database
// connection would report.
struct PointerCell {
  std::mutex mu;
  std::string location;
  std::optional<ErrorCode> fail;
  bool fail_once = false;
};

// An in-memory TablePointer: Swap is compare-and-swap on the cell.
class MemoryPointer : public TablePointer {
 public:
  explicit MemoryPointer(std::shared_ptr<PointerCell> cell) : cell_(std::move(cell)) {}
  Result<std::string> Load() override {
    std::lock_guard lock(cell_->mu);
    if (cell_->location.empty()) return NotFound("no table");
    return cell_->location;
  }
  Status Create(const std::string& location) override {
    std::lock_guard lock(cell_->mu);
    if (!cell_->location.empty()) return AlreadyExists("table exists");
    cell_->location = location;
    return Status::OK();
  }
  Status Swap(const std::string& expected, const std::string& next) override {
    std::lock_guard lock(cell_->mu);
    if (cell_->fail) {
      Status st(*cell_->fail, "injected failure");
      if (cell_->fail_once) cell_->fail.reset();
      return st;
    }
    if (cell_->location != expected) return Conflict("expected " + expected);
    cell_->location = next;
    return Status::OK();
  }

 private:
  std::shared_ptr<PointerCell> cell_;
};

// Files in a map; counts reads so tests can assert which manifests were opened.
class MemoryFileIO final : public FileIO {
 public:
  Result<std::string> Read(const std::string& location) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(location);
    if (it == files_.end()) return NotFound("no file " + location);
    ++reads_;
    return it->second;
  }
  Status Write(const std::string& location, std::string_view data) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!files_.emplace(location, std::string(data)).second) {
      return AlreadyExists("file " + location + " exists");
    }
    return Status::OK();
  }
  Status Delete(const std::string& location) override {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(location);
    return Status::OK();
  }
  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [k, v] : files_) {
      if (k.rfind(prefix, 0) == 0) out.push_back(k);
    }
    return out;
  }
  std::string LocalPath(const std::string& location) const override { return location; }
  int reads() const { return reads_; }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  int reads_ = 0;
};

// A data (or delete) file entry with the given partition tuple.
inline ManifestEntry Entry(std::string path, std::vector<Literal> partition,
                           FileContent content = FileContent::kData) {
  ManifestEntry e;
  e.status = EntryStatus::kAdded;
  e.data_file.content = content;
  e.data_file.file_path = std::move(path);
  e.data_file.partition = std::move(partition);
  e.data_file.record_count = 10;
  e.data_file.file_size_in_bytes = 1000;
  return e;
}

// Sets column metrics of field `id`: bounds (omitted when null) and counts.
inline void SetMetrics(ManifestEntry* e, int id, const Literal& lo, const Literal& hi,
                       int64_t values, int64_t nulls) {
  if (!lo.is_null) e->data_file.lower_bounds[id] = ToBinary(lo);
  if (!hi.is_null) e->data_file.upper_bounds[id] = ToBinary(hi);
  e->data_file.value_counts[id] = values;
  e->data_file.null_value_counts[id] = nulls;
}

// Builds a table at location "mem://t": one schema (id 0), the given specs (the first is the
// default), and snapshots committed one after another, each with the next sequence number.
class TableBuilder {
 public:
  TableBuilder(schema::Schema schema, std::vector<PartitionSpec> specs) {
    md_.location = "mem://t";
    md_.schemas.emplace_back(0, std::move(schema));
    md_.specs = std::move(specs);
    md_.default_spec_id = md_.specs.front().spec_id;
  }

  // Writes a manifest of `entries` for the next snapshot.
  ManifestFile Manifest(int spec_id, FileContent content, std::vector<ManifestEntry> entries) {
    ManifestContext ctx{md_.CurrentSchema(), 0, md_.SpecById(spec_id), content};
    std::string path = "mem://t/metadata/m" + std::to_string(++manifests_) + ".avro";
    auto encoded = EncodeManifest(ctx, entries, path, NextSnapshotId(), NextSeq());
    EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
    if (!encoded.ok()) return {};
    EXPECT_TRUE(io_.Write(path, encoded->first).ok());
    return encoded->second;
  }

  // Commits a snapshot holding `manifests` (earlier manifests are not carried over).
  const Snapshot& Commit(const std::vector<ManifestFile>& manifests) {
    Snapshot s;
    s.snapshot_id = NextSnapshotId();
    s.sequence_number = NextSeq();
    s.timestamp_ms = 1'700'000'000'000 + s.sequence_number;
    if (md_.current_snapshot_id) s.parent_snapshot_id = md_.current_snapshot_id;
    s.manifest_list = "mem://t/metadata/snap-" + std::to_string(s.snapshot_id) + ".avro";
    s.summary["operation"] = "append";
    s.schema_id = 0;
    EXPECT_TRUE(
        io_.Write(s.manifest_list, EncodeManifestList(manifests, s.snapshot_id,
                                                      s.parent_snapshot_id, s.sequence_number))
            .ok());
    md_.last_sequence_number = s.sequence_number;
    md_.current_snapshot_id = s.snapshot_id;
    md_.snapshots.push_back(s);
    return md_.snapshots.back();
  }

  const TableMetadata& metadata() const { return md_; }
  const Snapshot* current() const { return md_.CurrentSnapshot(); }
  MemoryFileIO& io() { return io_; }

 private:
  int64_t NextSnapshotId() const { return 1000 + static_cast<int64_t>(md_.snapshots.size()) + 1; }
  int64_t NextSeq() const { return md_.last_sequence_number + 1; }

  TableMetadata md_;
  MemoryFileIO io_;
  int manifests_ = 0;
};

}  // namespace tarn::iceberg::testing
