#include "tarn/format/avro_writer.h"
#include "tarn/base/encoding.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "tarn/format/avro_reader.h"

namespace tarn::format {
namespace {

std::string Errno() { return std::strerror(errno); }

// The container header: magic, metadata {avro.schema, avro.codec}, a random sync marker.
std::string Header(const std::string& schema_json, const std::string& codec) {
  std::string h("Obj\x01", 4);
  AppendAvroLong(&h, 2);
  AppendAvroBytes(&h, "avro.schema");
  AppendAvroBytes(&h, schema_json);
  AppendAvroBytes(&h, "avro.codec");
  AppendAvroBytes(&h, codec);
  AppendAvroLong(&h, 0);
  std::random_device random;
  for (int i = 0; i < 4; ++i) {
    uint32_t word = random();
    h.append(reinterpret_cast<const char*>(&word), 4);
  }
  return h;
}

Status WriteNewFile(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot create " + path + ": " + Errno());
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status st = IOError("cannot write " + path + ": " + Errno());
      ::close(fd);
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return IOError("cannot write " + path + ": " + Errno());
  return Status::OK();
}

Status Fsync(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) return IOError("cannot open " + path + " to sync: " + Errno());
  int rc = ::fsync(fd);
  Status st = rc == 0 ? Status::OK() : IOError("cannot fsync " + path + ": " + Errno());
  ::close(fd);
  return st;
}

}  // namespace

Result<std::unique_ptr<AvroFileWriter>> AvroFileWriter::Create(const std::string& path,
                                                               const std::string& schema_json,
                                                               const AvroWriterOptions& options) {
  if (options.codec != "null" && options.codec != "deflate" && options.codec != "snappy") {
    return InvalidArgument("unknown codec '" + options.codec +
                           "'; expected null, deflate or snappy");
  }
  if (options.block_size < 1024 || options.block_size > (size_t{1} << 30)) {
    return InvalidArgument("block_size must be between 1 KiB and 1 GiB");
  }
  std::unique_ptr<AvroFileWriter> w(new AvroFileWriter());
  w->path_ = path;
  w->closed_ = true;  // nothing to finish until the file is open
  TARN_ASSIGN_OR_RETURN(w->converter_, JsonToAvro::Make(schema_json));
  TARN_RETURN_IF_ERROR(w->converter_->NewValue(&w->value_));
  w->has_value_ = true;
  w->encode_buf_.resize(options.block_size);
  w->encoder_ =
      avro_writer_memory(w->encode_buf_.data(), static_cast<int64_t>(w->encode_buf_.size()));
  if (w->encoder_ == nullptr) return Internal("avro-c: cannot make a memory writer");

  // avro-c writes its own re-rendering of the schema, which drops logical types and defaults;
  // so tarn writes the header and lets avro-c append blocks to it.
  TARN_RETURN_IF_ERROR(WriteNewFile(path, Header(w->converter_->schema_json(), options.codec)));
  if (avro_file_writer_open_bs(path.c_str(), &w->writer_, options.block_size) != 0) {
    std::string why = avro_strerror();
    w->writer_ = nullptr;
    ::unlink(path.c_str());
    return IOError("cannot open " + path + " for appending: " + why);
  }
  w->closed_ = false;
  return w;
}

AvroFileWriter::~AvroFileWriter() {
  if (!closed_) (void)Close();
  if (writer_ != nullptr) avro_file_writer_close(writer_);
  if (encoder_ != nullptr) avro_writer_free(encoder_);
  if (has_value_) avro_value_decref(&value_);
}

Status AvroFileWriter::Append(std::string_view json, ValueMode mode) {
  if (closed_) return FailedPrecondition("writer for " + path_ + " is closed");
  if (!failure_.ok()) return failure_;
  TARN_RETURN_IF_ERROR(converter_->Convert(json, mode, &value_));
  return AppendValue(&value_);
}

Status AvroFileWriter::AppendValue(avro_value_t* value) {
  if (closed_) return FailedPrecondition("writer for " + path_ + " is closed");
  if (!failure_.ok()) return failure_;
  avro_writer_reset(encoder_);
  if (avro_value_write(encoder_, value) != 0) {
    size_t size = 0;
    avro_value_sizeof(value, &size);
    if (size > encode_buf_.size()) {
      return InvalidArgument("record encodes to " + std::to_string(size) +
                             " bytes, more than the block size " +
                             std::to_string(encode_buf_.size()));
    }
    return Internal(std::string("avro-c cannot encode the record: ") + avro_strerror());
  }
  int64_t len = avro_writer_tell(encoder_);
  if (avro_file_writer_append_encoded(writer_, encode_buf_.data(), len) != 0) {
    failure_ = IOError("cannot write " + path_ + ": " + avro_strerror());
    return failure_;
  }
  ++rows_;
  return Status::OK();
}

Result<int64_t> AvroFileWriter::Close() {
  if (!closed_) {
    closed_ = true;
    Status st = Finish();
    if (!st.ok() && failure_.ok()) failure_ = st;
  }
  if (!failure_.ok()) return failure_;
  return size_;
}

Status AvroFileWriter::Finish() {
  avro_file_writer_t writer = writer_;
  writer_ = nullptr;
  if (!failure_.ok()) {
    if (writer != nullptr) avro_file_writer_close(writer);
    return failure_;
  }
  if (avro_file_writer_close(writer) != 0) {
    return IOError("cannot flush " + path_ + ": " + avro_strerror());
  }
  // avro-c does not report errors of its final fflush/fclose; fsync and read the block
  // structure back instead, so a short write cannot pass for a finished file.
  TARN_RETURN_IF_ERROR(Fsync(path_, 0));
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  TARN_RETURN_IF_ERROR(Fsync(dir.empty() ? "." : dir.string(), O_DIRECTORY));
  Result<AvroFileSummary> summary = ReadAvroSummary(path_);
  if (!summary.ok()) {
    return IOError(path_ + " does not read back: " + summary.status().message());
  }
  if (summary->rows != rows_) {
    return IOError(path_ + " holds " + std::to_string(summary->rows) + " records, expected " +
                   std::to_string(rows_));
  }
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) return IOError("cannot stat " + path_ + ": " + Errno());
  size_ = st.st_size;
  return Status::OK();
}

}  // namespace tarn::format
