// AvroFileWriter: validates JSON records (JsonToAvro) and appends them to one Avro object
// container file. The header carries the schema document as given (logical types, defaults
// and docs kept; avro-c alone would drop them), blocks are encoded and compressed by avro-c.
#pragma once

#include <avro.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/format/json_to_avro.h"
#include "tarn/format/record.h"

namespace tarn::format {

struct AvroWriterOptions {
  std::string codec = "snappy";  // "null", "deflate" (level 9, slow), "snappy"
  size_t block_size = 1 << 20;   // uncompressed bytes per block; also the largest record
};

// Writes one Avro object container file at a local path; an existing file is replaced.
// Not thread-safe. Close() or the destructor finishes the file; until then it is incomplete.
class AvroFileWriter {
 public:
  // Errors: kInvalidArgument (schema, codec, block_size < 1 KiB), kIOError (cannot create or
  // write the file).
  static Result<std::unique_ptr<AvroFileWriter>> Create(const std::string& path,
                                                        const std::string& schema_json,
                                                        const AvroWriterOptions& options);
  ~AvroFileWriter();
  AvroFileWriter(const AvroFileWriter&) = delete;
  AvroFileWriter& operator=(const AvroFileWriter&) = delete;

  // Validates and appends one JSON record.
  // Errors: kInvalidArgument with the reason (the record is NOT written and the file stays
  // valid; also a record whose encoding exceeds block_size), kIOError (the writer is then
  // failed: every later call returns kIOError), kFailedPrecondition (already closed).
  Status Append(std::string_view json, ValueMode mode);

  // Appends a record already converted: a value of this file's schema (e.g. filled by another
  // JsonToAvro of the same schema). Errors: as Append's, after validation.
  Status AppendValue(avro_value_t* value);

  // Records appended so far.
  int64_t rows() const { return rows_; }
  const std::string& path() const { return path_; }
  const JsonToAvro& converter() const { return *converter_; }

  // Flushes the last block, fsyncs the file and its directory, closes it, and checks the file
  // reads back with rows() records. Returns the file size in bytes; a second call returns the
  // same. Errors: kIOError (including an earlier failed write).
  Result<int64_t> Close();

 private:
  AvroFileWriter() = default;
  Status Finish();

  std::string path_;
  std::unique_ptr<JsonToAvro> converter_;
  avro_value_t value_{};
  bool has_value_ = false;
  avro_file_writer_t writer_ = nullptr;
  std::string encode_buf_;
  avro_writer_t encoder_ = nullptr;
  int64_t rows_ = 0;
  bool closed_ = false;
  Status failure_;  // set once a write failed
  int64_t size_ = 0;
};

}  // namespace tarn::format
