#include "tarn/catalog/model.h"

#include <array>
#include <utility>

namespace tarn::catalog {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [e, name] : table) {
    if (e == v) return name;
  }
  return "?";
}

template <typename E, size_t N>
bool ValueOf(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s,
             E* out) {
  for (const auto& [e, name] : table) {
    if (name == s) {
      *out = e;
      return true;
    }
  }
  return false;
}

constexpr std::array<std::pair<Zone, std::string_view>, 3> kZones{
    {{Zone::kRaw, "raw"}, {Zone::kCurated, "curated"}, {Zone::kServing, "serving"}}};
constexpr std::array<std::pair<SourceType, std::string_view>, 3> kSourceTypes{
    {{SourceType::kBatch, "batch"}, {SourceType::kStreaming, "streaming"},
     {SourceType::kCdc, "cdc"}}};
constexpr std::array<std::pair<FileFormat, std::string_view>, 3> kFormats{
    {{FileFormat::kParquet, "parquet"}, {FileFormat::kAvro, "avro"}, {FileFormat::kJson, "json"}}};
constexpr std::array<std::pair<PartitionStatus, std::string_view>, 4> kPartitionStatuses{
    {{PartitionStatus::kLanded, "landed"}, {PartitionStatus::kPassed, "passed"},
     {PartitionStatus::kQuarantined, "quarantined"}, {PartitionStatus::kPromoted, "promoted"}}};
constexpr std::array<std::pair<QualityStatus, std::string_view>, 3> kQualityStatuses{
    {{QualityStatus::kPassed, "passed"}, {QualityStatus::kFailed, "failed"},
     {QualityStatus::kSkipped, "skipped"}}};
constexpr std::array<std::pair<BackfillStatus, std::string_view>, 3> kBackfillStatuses{
    {{BackfillStatus::kRunning, "running"}, {BackfillStatus::kSuccess, "success"},
     {BackfillStatus::kFailed, "failed"}}};

constexpr std::array<std::pair<IngestStatus, std::string_view>, 3> kIngestStatuses{
    {{IngestStatus::kRunning, "running"}, {IngestStatus::kSucceeded, "succeeded"},
     {IngestStatus::kFailed, "failed"}}};

constexpr std::array<std::pair<AlertDeliveryStatus, std::string_view>, 2> kAlertDeliveryStatuses{
    {{AlertDeliveryStatus::kDelivered, "delivered"}, {AlertDeliveryStatus::kFailed, "failed"}}};

}  // namespace

std::string_view ToString(Zone v) { return NameOf(kZones, v); }
std::string_view ToString(SourceType v) { return NameOf(kSourceTypes, v); }
std::string_view ToString(FileFormat v) { return NameOf(kFormats, v); }
std::string_view ToString(PartitionStatus v) { return NameOf(kPartitionStatuses, v); }
std::string_view ToString(QualityStatus v) { return NameOf(kQualityStatuses, v); }
std::string_view ToString(BackfillStatus v) { return NameOf(kBackfillStatuses, v); }
bool Parse(std::string_view s, Zone* out) { return ValueOf(kZones, s, out); }
bool Parse(std::string_view s, SourceType* out) { return ValueOf(kSourceTypes, s, out); }
bool Parse(std::string_view s, FileFormat* out) { return ValueOf(kFormats, s, out); }
bool Parse(std::string_view s, PartitionStatus* out) { return ValueOf(kPartitionStatuses, s, out); }
bool Parse(std::string_view s, QualityStatus* out) { return ValueOf(kQualityStatuses, s, out); }
bool Parse(std::string_view s, BackfillStatus* out) { return ValueOf(kBackfillStatuses, s, out); }
std::string_view ToString(IngestStatus v) { return NameOf(kIngestStatuses, v); }
bool Parse(std::string_view s, IngestStatus* out) { return ValueOf(kIngestStatuses, s, out); }
std::string_view ToString(AlertDeliveryStatus v) { return NameOf(kAlertDeliveryStatuses, v); }
bool Parse(std::string_view s, AlertDeliveryStatus* out) {
  return ValueOf(kAlertDeliveryStatuses, s, out);
}

Partition ToOwnedPartition(const PartitionRow& r) {
  Partition p;
  p.id = r.id;
  p.dataset_id = r.dataset_id;
  p.partition_key = r.partition_key;
  p.file_path = r.file_path;
  p.format = r.format;
  p.row_count = r.row_count;
  p.size_bytes = r.size_bytes;
  p.status = r.status;
  p.created_at = r.created_at;
  if (r.schema_version_id) p.schema_version_id = std::string(*r.schema_version_id);
  return p;
}

PartitionRow AsPartitionRow(const Partition& p) {
  PartitionRow r;
  r.id = p.id;
  r.dataset_id = p.dataset_id;
  r.partition_key = p.partition_key;
  r.file_path = p.file_path;
  r.format = p.format;
  r.row_count = p.row_count;
  r.size_bytes = p.size_bytes;
  r.status = p.status;
  r.created_at = p.created_at;
  if (p.schema_version_id) r.schema_version_id = *p.schema_version_id;
  return r;
}

}  // namespace tarn::catalog
