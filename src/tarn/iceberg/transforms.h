// Partition transforms (Iceberg spec "Partition Transforms"): identity, bucket[N] (32-bit
// Murmur3 x86 of the spec's value hashing, positive modulo N), truncate[W], year, month, day,
// hour, void. Applying them, their result types, human-readable partition paths, and projecting
// a predicate on the source column to one on the partition value (for pruning). Stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/literal.h"

namespace tarn::iceberg {

struct Transform {
  enum Kind { kIdentity, kBucket, kTruncate, kYear, kMonth, kDay, kHour, kVoid };
  Kind kind = kIdentity;
  int param = 0;  // N for bucket, W for truncate

  bool operator==(const Transform&) const = default;
  // "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void".
  std::string ToString() const;
  // Also accepts the SQL-ish forms used in tarn's promotion specs: "days", "hours", "months",
  // "years". Errors: kInvalidArgument naming the text.
  static Result<Transform> Parse(std::string_view text);
};

// The spec's Murmur3 (x86, 32-bit, seed 0) hash of a value for bucketing: ints and longs and
// dates/times/timestamps hash as 8-byte little-endian longs, strings as UTF-8 bytes, binary and
// fixed as bytes, decimals as the minimal big-endian unscaled bytes, uuids as 16 big-endian
// bytes. Null values have no hash (callers bucket them to null).
int32_t BucketHash(const Literal& v);
int32_t Murmur3_32(std::string_view bytes);

// The type a transform produces from `source`: identity/truncate -> source; bucket, year,
// month, hour -> int; day -> date. Errors: kInvalidArgument (the transform does not apply to
// the type, e.g. day of a string or truncate of a uuid).
Result<PrimitiveType> ResultType(const Transform& t, const PrimitiveType& source);

// The partition value of `v` (null in, null out; void always null). Year/month/day/hour count
// from 1970-01-01 (negative before). Errors: kInvalidArgument (not applicable to the type).
Result<Literal> Apply(const Transform& t, const Literal& v);

// The value as it appears in a partition path: identity -> the value's text, year "2024",
// month "2024-01", day "2024-01-15", hour "2024-01-15-03", bucket/truncate the number/value;
// null -> "null".
std::string HumanString(const Transform& t, const Literal& partition_value);

// Inclusive projection: a predicate on the partition value that is true for every partition
// that may hold a row matching `p` (a predicate on the transform's source column, bound or not;
// the result keeps p.column/field_id for callers to rebind). nullopt = no constraint can be
// derived (the partition must be read). E.g. day: ts >= 2024-01-15T10:00 -> day >= 2024-01-15;
// ts < 2024-01-16T00:00 -> day <= 2024-01-15 (strict bounds made inclusive); bucket: = and IN
// only; truncate of strings: = and prefixes. For year/month/day/hour, bounds before 1970 are
// widened by one unit to keep files from writers that rounded toward zero (as Java does).
// Null tests pass through every transform but void; void projects nothing.
std::optional<Predicate> ProjectInclusive(const Transform& t, const Predicate& p);

}  // namespace tarn::iceberg
