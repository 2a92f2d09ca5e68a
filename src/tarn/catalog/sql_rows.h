// Row mapping of the catalog tables: the column lists the store selects and the conversions
// from result rows to model values. Private to the catalog module.
#pragma once

#include "tarn/catalog/model.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

// The enum a stored name stands for, or `fallback` for a name this binary does not know.
template <typename E>
E ParseOr(const std::string& s, E fallback) {
  E v = fallback;
  Parse(s, &v);
  return v;
}

extern const char* const kSourceCols;
extern const char* const kDatasetCols;
extern const char* const kDatasetFrom;
extern const char* const kSchemaCols;
extern const char* const kPartitionCols;
extern const char* const kIngestCols;
extern const char* const kRunCols;
extern const char* const kBackfillCols;
extern const char* const kTokenCols;

DataSource ToSource(const SqlRow& r);
Dataset ToDataset(const SqlRow& r);
SchemaVersion ToSchema(const SqlRow& r);
Partition ToPartition(const SqlRow& r);
// A borrowed partition row (listings read thousands of rows without materializing them).
PartitionRow PartitionRowFromView(const SqlRowView& r);
IngestRun ToIngestRun(const SqlRow& r);
QualityRun ToRun(const SqlRow& r);
BackfillRecord ToBackfill(const SqlRow& r);
ApiToken ToToken(const SqlRow& r);

}  // namespace tarn::catalog
