// The Avro schemas of Iceberg v2 manifests and manifest lists (internal to the iceberg
// module), with the spec's field ids and Java's record names (manifest_entry, r2, r102,
// k117_v118, ..., manifest_file, r508), and the Avro encoding of partition values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/avro_container.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg::internal {

using PartitionTupleType = std::vector<std::pair<PartitionField, PrimitiveType>>;

// Field ids of the spec ("Manifests", "Manifest Lists").
enum ManifestFieldId : int {
  kStatusId = 0,
  kSnapshotId = 1,
  kDataFileId = 2,
  kSequenceNumberId = 3,
  kFileSequenceNumberId = 4,
  kFilePathId = 100,
  kFileFormatId = 101,
  kPartitionId = 102,
  kRecordCountId = 103,
  kFileSizeId = 104,
  kColumnSizesId = 108,
  kValueCountsId = 109,
  kNullValueCountsId = 110,
  kLowerBoundsId = 125,
  kUpperBoundsId = 128,
  kKeyMetadataId = 131,
  kSplitOffsetsId = 132,
  kSplitOffsetElementId = 133,
  kContentId = 134,
  kEqualityIdsId = 135,
  kEqualityIdElementId = 136,
  kNanValueCountsId = 137,
  kSortOrderId = 140,
  kReferencedDataFileId = 143,
};

enum ManifestListFieldId : int {
  kManifestPathId = 500,
  kManifestLengthId = 501,
  kSpecId = 502,
  kAddedSnapshotId = 503,
  kAddedFilesId = 504,
  kExistingFilesId = 505,
  kDeletedFilesId = 506,
  kPartitionsId = 507,
  kFieldSummaryId = 508,
  kContainsNullId = 509,
  kLowerBoundId = 510,
  kUpperBoundId = 511,
  kAddedRowsId = 512,
  kExistingRowsId = 513,
  kDeletedRowsId = 514,
  kListSequenceNumberId = 515,
  kMinSequenceNumberId = 516,
  kManifestContentId = 517,
  kContainsNanId = 518,
  kListKeyMetadataId = 519,
};

// The key and value ids of a map field of data_file, e.g. column_sizes: {117, 118}.
struct MapIds {
  int key = 0, value = 0;
};
MapIds MapIdsOf(int map_field_id);

// The Avro schema of manifest_entry for a spec's partition tuple type.
std::string ManifestEntryAvroSchema(const PartitionTupleType& partition);
// The Avro schema of manifest_file (v2 manifest lists).
std::string ManifestListAvroSchema();

// The Avro field name of a partition field: Iceberg names may hold characters Avro names
// cannot; those become _xHH (and a leading digit _D), as Java does.
std::string AvroFieldName(const std::string& name);

// Bytes of the Avro fixed that holds a decimal of `precision` digits (Java's
// decimalRequiredBytes): the fewest bytes whose two's complement covers 10^precision - 1.
int DecimalFixedSize(int precision);

// Errors: kInvalidArgument (a non-null value whose type is not `type`, a decimal of another
// scale or too many digits, a fixed or uuid of the wrong length).
Status CheckPartitionValue(const PrimitiveType& type, const Literal& value);
// Sets a partition tuple field (a ["null", T] union) to a value that passed the check.
void SetPartitionValue(const AvroSetter& field, const PrimitiveType& type, const Literal& value);
// A decoded partition value (not null) as a literal of `type`.
// Errors: kCorruption (an Avro value that cannot hold `type`).
Result<Literal> ReadPartitionValue(const AvroScalar& value, const PrimitiveType& type);

}  // namespace tarn::iceberg::internal
