// Avro object container files held in memory, as Iceberg manifests and manifest lists use
// them (internal to the iceberg module). tarn writes the container framing itself: avro-c's
// file writer re-renders the schema without Iceberg's id attributes and cannot add key-value
// metadata. avro-c encodes the records; reading decodes them with avro_decoder.h against the
// schema embedded in the file, so readers find fields by Iceberg field id and files of other
// writers read too.
#pragma once

#include <avro.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/avro_decoder.h"

namespace tarn::iceberg::internal {

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

// Reads one container file from memory (codecs null and deflate): the header, then the
// records one at a time through decoder(), against the writer schema embedded in the file.
// Not thread-safe.
class AvroContainerReader {
 public:
  // Parses the header and the embedded schema. `bytes` must outlive the reader.
  // Errors: kCorruption (not an Avro container, truncated header, a schema that is not valid
  // Avro JSON), kInvalidArgument (an unsupported codec such as snappy).
  static Result<std::unique_ptr<AvroContainerReader>> Open(std::string_view bytes);

  // A header key-value (avro.schema, avro.codec and the writer's own keys).
  std::optional<std::string> Meta(std::string_view key) const;
  // The writer schema's top-level type (the records' type).
  const AvroNode* root() const { return schema_->root(); }

  // Moves to the next record: true when decoder() is at its start (decode the record whole
  // before calling again), false after the last record.
  // Errors: kCorruption (truncated block, bad sync marker, a block that does not inflate).
  Result<bool> Next();
  AvroDecoder& decoder() { return decoder_; }
  // At most how many records follow in the current block (its count, capped by its bytes
  // left: a record takes at least one byte unless it is empty); for reserving.
  size_t RecordsLeftHint() const {
    return std::min(static_cast<size_t>(block_left_), decoder_.remaining());
  }

 private:
  AvroContainerReader() = default;
  std::optional<std::string_view> Find(std::string_view key) const;
  Status ReadHeader();
  Status LoadBlock();

  std::string_view bytes_;
  AvroDecoder file_;  // over bytes_, at the next block
  std::vector<std::pair<std::string_view, std::string_view>> metadata_;
  bool deflate_ = false;
  std::string_view sync_;
  std::shared_ptr<const AvroSchema> schema_;
  std::string inflated_;  // reused for every block
  AvroDecoder decoder_;   // over the current block
  int64_t block_left_ = 0;
};

}  // namespace tarn::iceberg::internal
