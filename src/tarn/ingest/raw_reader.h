// Reads a raw dataset back: every registered Avro file, each record projected by field id onto
// one schema version (the current one by default), so files written under older versions read
// under the new one — added fields as their default or null, renamed fields with their data.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "tarn/catalog/catalog_service.h"
#include "tarn/schema/schema.h"

namespace tarn::ingest {

struct RawReadOptions {
  std::optional<int> version;  // read under this schema version instead of the current one
  int64_t limit = -1;          // stop after this many records (-1: all)
};

// Calls `fn` with each record as a JSON object, files in partition-key order. Errors:
// kNotFound (dataset or version), kFailedPrecondition (no schema, a lake not on local disk),
// kCorruption / kIOError (unreadable files), or fn's error.
Status ReadRaw(catalog::CatalogService& catalog, const std::string& dataset_id,
               const RawReadOptions& options, const std::function<Status(const std::string&)>& fn);

// Calls `fn` with each record of one raw partition's Avro file as a JSON object, projected by
// field id from `written` (the version the file was written under; null = the schema the file
// embeds) onto `read`. Errors: kFailedPrecondition (not Avro), kCorruption / kIOError, fn's.
Status ReadPartitionRecords(catalog::CatalogService& catalog, const catalog::Partition& partition,
                            const schema::Schema* written, const schema::Schema& read,
                            const std::function<Status(const std::string&)>& fn);

}  // namespace tarn::ingest
