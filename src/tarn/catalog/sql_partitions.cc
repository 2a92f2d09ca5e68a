// Partition registration inside a catalog transaction, shared by RegisterPartitions and
// CompleteIngestRun.
#include "tarn/catalog/sql_partitions.h"

#include <set>

#include "tarn/base/ids.h"
#include "tarn/catalog/sql_rows.h"

namespace tarn::catalog {
namespace {

Status ExistingPartition(SqlConnection& c, const std::string& dataset_id, const PartitionInput& in,
                         Partition* p);
Status RegisterChunk(SqlConnection& c, const std::string& dataset_id, const PartitionInput* in,
                     size_t n, const std::string& now, std::vector<RegisteredPartition>* out);

}  // namespace

// Registers `inputs` on `c` (inside the caller's transaction); idempotent per file. Rows go
// in multi-row INSERTs (one round trip per chunk, which is what a remote PostgreSQL needs);
// chunk sizes are few fixed shapes so every statement is prepared once per connection.
Status InsertPartitions(SqlConnection& c, const std::string& dataset_id,
                        const std::vector<PartitionInput>& inputs, UnixMicros now_micros,
                        std::vector<RegisteredPartition>* out) {
  out->reserve(out->size() + inputs.size());
  std::string now = FormatIsoTimestamp(now_micros);
  for (size_t i = 0; i < inputs.size();) {
    size_t n = 1;
    for (size_t shape : {256, 64, 16, 4}) {
      if (inputs.size() - i >= shape) {
        n = shape;
        break;
      }
    }
    TARN_RETURN_IF_ERROR(RegisterChunk(c, dataset_id, &inputs[i], n, now, out));
    i += n;
  }
  return Status::OK();
}

namespace {

Status RegisterChunk(SqlConnection& c, const std::string& dataset_id, const PartitionInput* in,
                     size_t n, const std::string& now, std::vector<RegisteredPartition>* out) {
  std::string sql =
      "INSERT INTO partitions (id, dataset_id, partition_key, file_path, format, row_count, "
      "size_bytes, status, created_at, schema_version_id) VALUES ";
  SqlParams params;
  params.reserve(n * 9);
  size_t first = out->size();
  for (size_t k = 0; k < n; ++k) {
    sql += k ? ", (?, ?, ?, ?, ?, ?, ?, 'landed', ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, 'landed', ?, ?)";
    RegisteredPartition reg;
    reg.partition = {NewUuid(), dataset_id, in[k].partition_key, in[k].file_path, in[k].format,
                     in[k].row_count, in[k].size_bytes, PartitionStatus::kLanded,
                     ParseIsoTimestamp(now).value(), in[k].schema_version_id};
    const Partition& p = reg.partition;
    for (SqlValue v : {SqlValue(p.id), SqlValue(dataset_id), SqlValue(p.partition_key),
                       SqlValue(p.file_path), SqlValue(std::string(ToString(p.format))), SqlValue(p.row_count),
                       SqlValue(p.size_bytes), SqlValue(now),
                       p.schema_version_id ? SqlValue(*p.schema_version_id) : SqlValue()}) {
      params.push_back(std::move(v));
    }
    out->push_back(std::move(reg));
  }
  sql += " ON CONFLICT (dataset_id, file_path) DO NOTHING RETURNING id";
  TARN_ASSIGN_OR_RETURN(auto ins, c.Query(sql, params));
  std::set<std::string> created;
  for (const SqlRow& r : ins.rows) created.insert(r.Text(0));
  for (size_t k = 0; k < n; ++k) {
    RegisteredPartition& reg = (*out)[first + k];
    reg.created = created.count(reg.partition.id) > 0;
    if (!reg.created) TARN_RETURN_IF_ERROR(ExistingPartition(c, dataset_id, in[k], &reg.partition));
  }
  return Status::OK();
}

// The partition already registered for `in`'s file; an error if its metadata differs.
Status ExistingPartition(SqlConnection& c, const std::string& dataset_id,
                         const PartitionInput& in, Partition* p) {
  TARN_ASSIGN_OR_RETURN(auto prev, c.Query(std::string("SELECT ") + kPartitionCols +
                                               " FROM partitions WHERE dataset_id = ? AND "
                                               "file_path = ?",
                                           {dataset_id, in.file_path}));
  if (prev.rows.empty()) {
    return Internal("file " + in.file_path + ": the insert was skipped but no row holds it");
  }
  *p = ToPartition(prev.rows.at(0));
  if (p->partition_key != in.partition_key || p->format != in.format ||
      p->row_count != in.row_count || p->size_bytes != in.size_bytes) {
    return AlreadyExists("file " + in.file_path + " is already registered as partition " + p->id +
                         " with different metadata (key " + p->partition_key + ", " +
                         std::to_string(p->row_count) + " rows, " +
                         std::to_string(p->size_bytes) + " bytes)");
  }
  return Status::OK();
}

}  // namespace
}  // namespace tarn::catalog
