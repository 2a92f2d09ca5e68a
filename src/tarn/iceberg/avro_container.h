// Avro object container files held in memory, as Iceberg manifests and manifest lists use
// them (internal to the iceberg module). tarn writes the container framing itself: avro-c's
// file writer re-renders the schema without Iceberg's id attributes and cannot add key-value
// metadata. avro-c encodes and decodes the records. Readers find fields by Iceberg field id
// (from the schema JSON embedded in the file), so files of other writers read too.
#pragma once

#include <avro.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::iceberg::internal {

inline Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }

// Fills an avro-c value of tarn's own schema. Fields are found by name; failures are sticky in
// `*rc` (non-zero after any avro-c error), so a record is built without checks per call and
// checked once. Copyable handle; valid while the value it points into is.
class AvroSetter {
 public:
  AvroSetter(avro_value_t value, int* rc) : v_(value), rc_(rc) {}

  AvroSetter Field(const char* name) const;
  // A ["null", T] union: the T branch when `present`, else null (the returned setter is then
  // the null branch and must not be filled).
  AvroSetter Optional(bool present) const;
  // Appends an element to an array and returns it.
  AvroSetter Append() const;

  void Bool(bool v) const;
  void Int(int32_t v) const;
  void Long(int64_t v) const;
  void Float(float v) const;
  void Double(double v) const;
  void String(const std::string& v) const;
  void Bytes(std::string_view v) const;
  void Fixed(std::string_view v) const;

 private:
  void Check(int rc) const {
    if (rc != 0 && *rc_ == 0) *rc_ = rc;
  }
  avro_value_t v_;
  int* rc_;
};

// Builds one container file (deflate codec) in memory. Not thread-safe; one file per writer.
class AvroContainerWriter {
 public:
  // `schema_json` is written to the header exactly as given; `metadata` follows avro.schema
  // and avro.codec. Errors: kInvalidArgument (avro-c rejects the schema).
  static Result<std::unique_ptr<AvroContainerWriter>> Make(
      const std::string& schema_json,
      const std::vector<std::pair<std::string, std::string>>& metadata);
  ~AvroContainerWriter();
  AvroContainerWriter(const AvroContainerWriter&) = delete;
  AvroContainerWriter& operator=(const AvroContainerWriter&) = delete;

  // The next record, reset; fill it through the setter, then Append().
  AvroSetter NewRecord();
  // Encodes the record. Errors: kInternal (a setter failed, or avro-c cannot encode the
  // record, e.g. a union left unset): a bug in the caller's filling code.
  Status Append();
  // Flushes the last block and returns the file's bytes.
  std::string Finish();

 private:
  AvroContainerWriter() = default;
  void FlushBlock();

  avro_schema_t schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{};
  bool has_value_ = false;
  int rc_ = 0;  // first error of the current record's setters
  avro_writer_t encoder_ = nullptr;
  std::string encode_buf_;
  std::string out_;
  std::string sync_;
  std::string block_;
  int64_t block_count_ = 0;
};

// Reads one container file from memory (codecs null and deflate). Not thread-safe.
class AvroContainerReader {
 public:
  // Parses the header and the embedded schema. `bytes` must outlive the reader.
  // Errors: kCorruption (not an Avro container, truncated header, a schema avro-c or JSON
  // parsing rejects), kInvalidArgument (an unsupported codec such as snappy).
  static Result<std::unique_ptr<AvroContainerReader>> Open(std::string_view bytes);
  ~AvroContainerReader();
  AvroContainerReader(const AvroContainerReader&) = delete;
  AvroContainerReader& operator=(const AvroContainerReader&) = delete;

  // Header key-value metadata (avro.schema, avro.codec and the writer's own keys).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::optional<std::string> Meta(const std::string& key) const;

  // The next record, or null after the last. Valid until the next call.
  // Errors: kCorruption (truncated block, bad sync marker, undecodable data).
  Result<const avro_value_t*> Next();

  // The field of record `rec` with Iceberg field id `id`, a union resolved to its branch.
  // False when the record's schema has no such field or the value is null.
  bool Field(const avro_value_t& rec, int id, avro_value_t* out) const;
  // The field ids of record `rec`'s schema (id -> position); null when it has none.
  const std::map<int, size_t>* FieldIds(const avro_value_t& rec) const;
  // Likewise by field name (for fields written without ids).
  static bool FieldByName(const avro_value_t& rec, const char* name, avro_value_t* out);

 private:
  AvroContainerReader() = default;
  Status ReadHeader();
  Status LoadBlock();

  std::string_view bytes_;
  size_t pos_ = 0;
  std::map<std::string, std::string> metadata_;
  std::string codec_;
  std::string sync_;
  // Record name (without namespace) -> field id -> position of the field in the record.
  std::map<std::string, std::map<int, size_t>> positions_;
  avro_schema_t schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{};
  bool has_value_ = false;
  avro_reader_t decoder_ = nullptr;
  std::string block_;
  int64_t block_left_ = 0;
};

// Typed reads of decoded values. Ints widen to longs, floats to doubles; bytes, fixed and
// string all read as bytes. False when the value has another type.
bool ReadBool(avro_value_t v, bool* out);
bool ReadLong(avro_value_t v, int64_t* out);
bool ReadDouble(avro_value_t v, double* out);
bool ReadBytes(avro_value_t v, std::string* out);

}  // namespace tarn::iceberg::internal
