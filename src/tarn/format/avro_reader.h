// Reading Avro object container files: the header and block structure (checked by tarn's own
// scanner, so truncation and bad sync markers surface as kCorruption with a byte offset), and
// the records rendered as JSON objects. Stateless functions; thread-safe.
#pragma once

#include <avro.h>

#include <cstdint>
#include <functional>
#include <string>

#include "tarn/base/status.h"

namespace tarn::format {

struct AvroFileSummary {
  std::string schema_json;  // the "avro.schema" metadata, byte for byte
  std::string codec;        // "avro.codec"; "null" when absent
  int64_t rows = 0;         // sum of the block record counts
};

// Reads a container file's embedded schema, codec and row count, walking every block header
// and sync marker without decompressing. Errors: kIOError (cannot open or read),
// kCorruption (not an Avro container, truncated, bad sync marker, no schema).
Result<AvroFileSummary> ReadAvroSummary(const std::string& path);

// Calls `fn` with each record rendered as one JSON object: record fields by name (the
// "tarn.json_name" key where the schema gives one), union values unwrapped, bytes and fixed in
// Avro's JSON encoding (one \u00XX character per byte), decimals as exact decimal strings
// ("-1.00", which JsonToAvro reads back), other logical types as their underlying values
// (timestamps, dates and times as integers), non-finite floats as "NaN"/"Infinity" strings. Stops
// at the first error. Errors: kIOError, kCorruption, or fn's error.
Status ReadAvroRecordsAsJson(const std::string& path,
                             const std::function<Status(const std::string&)>& fn);

// Calls `fn` with each record as an avro-c value of the file's embedded schema (reused between
// calls: valid only during one), for readers that take typed values. Errors: as
// ReadAvroRecordsAsJson.
Status ReadAvroValues(const std::string& path, const std::function<Status(avro_value_t&)>& fn);

// Renders one avro-c value as ReadAvroRecordsAsJson renders records, with Avro field names.
std::string AvroValueToJson(const avro_value_t& value);

// A decimal (bytes or fixed holding the two's-complement unscaled value) as exact text with
// `scale` digits after the point, e.g. "-1.00"; "" when `value` is neither bytes nor fixed.
std::string AvroDecimalText(const avro_value_t& value, int scale);

}  // namespace tarn::format
