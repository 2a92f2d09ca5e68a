#include "tarn/format/avro_reader.h"

#include <avro.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "tarn/format/json_to_avro_plan.h"
#include "tarn/format/json_to_avro_scalars.h"

namespace tarn::format {
namespace {

using internal::PlanNode;

std::string Errno() { return std::strerror(errno); }

// Sequential reads over a file descriptor with a 64 KiB window; Skip moves without reading.
class FileCursor {
 public:
  FileCursor(int fd, int64_t size) : fd_(fd), size_(size), buf_(64 * 1024) {}

  int64_t pos() const { return pos_; }
  int64_t remaining() const { return size_ - pos_; }
  bool io_error() const { return io_error_; }

  bool Read(void* dst, size_t n) {
    auto* out = static_cast<char*>(dst);
    while (n > 0) {
      if (pos_ < buf_start_ || pos_ >= buf_start_ + buf_len_) {
        if (!Fill()) return false;
      }
      size_t off = static_cast<size_t>(pos_ - buf_start_);
      size_t take = std::min(n, static_cast<size_t>(buf_len_) - off);
      std::memcpy(out, buf_.data() + off, take);
      out += take, n -= take, pos_ += static_cast<int64_t>(take);
    }
    return true;
  }
  bool Skip(int64_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  // Avro's zig-zag varint long.
  bool ReadLong(int64_t* v) {
    uint64_t z = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      unsigned char b;
      if (!Read(&b, 1)) return false;
      z |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
        return true;
      }
    }
    return false;
  }
  bool ReadBytes(std::string* out) {
    int64_t n;
    if (!ReadLong(&n) || n < 0 || n > remaining()) return false;
    out->resize(static_cast<size_t>(n));
    return Read(out->data(), out->size());
  }

 private:
  bool Fill() {
    if (pos_ >= size_) return false;
    ssize_t got;
    do {
      got = ::pread(fd_, buf_.data(), buf_.size(), pos_);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
      io_error_ = got < 0;
      return false;
    }
    buf_start_ = pos_;
    buf_len_ = got;
    return true;
  }

  int fd_;
  int64_t size_;
  int64_t pos_ = 0;
  std::vector<char> buf_;
  int64_t buf_start_ = 0;
  int64_t buf_len_ = 0;
  bool io_error_ = false;
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Renders an avro-c value as JSON; `node` (may be null) supplies JSON field names.
void Render(const avro_value_t* v, const PlanNode* node, std::string* out) {
  switch (avro_value_get_type(v)) {
    case AVRO_STRING: {
      const char* p = nullptr;
      size_t size = 0;
      avro_value_get_string(v, &p, &size);
      internal::AppendJsonString(out, std::string_view(p ? p : "", size ? size - 1 : 0));
      return;
    }
    case AVRO_BYTES:
    case AVRO_FIXED: {
      const void* p = nullptr;
      size_t size = 0;
      if (avro_value_get_type(v) == AVRO_BYTES) {
        avro_value_get_bytes(v, &p, &size);
      } else {
        avro_value_get_fixed(v, &p, &size);
      }
      if (node != nullptr && node->logical == internal::LogicalType::kDecimal) {
        std::string text = internal::DecimalText(p, size, node->scale);
        if (!text.empty()) return internal::AppendJsonString(out, text);
      }
      internal::AppendJsonBytes(out, p, size);
      return;
    }
    case AVRO_INT32: {
      int32_t x = 0;
      avro_value_get_int(v, &x);
      out->append(std::to_string(x));
      return;
    }
    case AVRO_INT64: {
      int64_t x = 0;
      avro_value_get_long(v, &x);
      out->append(std::to_string(x));
      return;
    }
    case AVRO_FLOAT: {
      float x = 0;
      avro_value_get_float(v, &x);
      internal::AppendJsonFloat(out, x);
      return;
    }
    case AVRO_DOUBLE: {
      double x = 0;
      avro_value_get_double(v, &x);
      internal::AppendJsonDouble(out, x);
      return;
    }
    case AVRO_BOOLEAN: {
      int x = 0;
      avro_value_get_boolean(v, &x);
      out->append(x ? "true" : "false");
      return;
    }
    case AVRO_NULL:
      out->append("null");
      return;
    case AVRO_ENUM: {
      int symbol = 0;
      avro_value_get_enum(v, &symbol);
      const char* name = avro_schema_enum_get(avro_value_get_schema(v), symbol);
      internal::AppendJsonString(out, name ? name : "");
      return;
    }
    case AVRO_ARRAY: {
      size_t n = 0;
      avro_value_get_size(v, &n);
      out->push_back('[');
      for (size_t i = 0; i < n; ++i) {
        avro_value_t child;
        avro_value_get_by_index(v, i, &child, nullptr);
        if (i) out->push_back(',');
        Render(&child, node ? node->items : nullptr, out);
      }
      out->push_back(']');
      return;
    }
    case AVRO_MAP:
    case AVRO_RECORD: {
      const bool record = avro_value_get_type(v) == AVRO_RECORD;
      size_t n = 0;
      avro_value_get_size(v, &n);
      out->push_back('{');
      for (size_t i = 0; i < n; ++i) {
        avro_value_t child;
        const char* name = nullptr;
        avro_value_get_by_index(v, i, &child, &name);
        if (i) out->push_back(',');
        const PlanNode* child_node = nullptr;
        if (node != nullptr && record && i < node->fields.size()) {
          internal::AppendJsonString(out, node->fields[i].json_name);
          child_node = node->fields[i].type;
        } else {
          internal::AppendJsonString(out, name ? name : "");
          child_node = node != nullptr && !record ? node->items : nullptr;
        }
        out->push_back(':');
        Render(&child, child_node, out);
      }
      out->push_back('}');
      return;
    }
    case AVRO_UNION: {
      int d = -1;
      avro_value_t branch;
      avro_value_get_discriminant(v, &d);
      if (d < 0 || avro_value_get_current_branch(v, &branch) != 0) {
        out->append("null");
        return;
      }
      const PlanNode* b = node != nullptr && static_cast<size_t>(d) < node->branches.size()
                              ? node->branches[d]
                              : nullptr;
      Render(&branch, b, out);
      return;
    }
    default:
      out->append("null");
  }
}

}  // namespace

std::string AvroValueToJson(const avro_value_t& value) {
  std::string out;
  Render(&value, nullptr, &out);
  return out;
}

std::string AvroDecimalText(const avro_value_t& value, int scale) {
  const void* p = nullptr;
  size_t size = 0;
  avro_value_t* v = const_cast<avro_value_t*>(&value);  // avro-c's getters take non-const
  if (avro_value_get_type(v) == AVRO_BYTES) {
    avro_value_get_bytes(v, &p, &size);
  } else if (avro_value_get_type(v) == AVRO_FIXED) {
    avro_value_get_fixed(v, &p, &size);
  } else {
    return "";
  }
  return internal::DecimalText(p, size, scale);
}

Result<AvroFileSummary> ReadAvroSummary(const std::string& path) {
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return IOError("cannot open " + path + ": " + Errno());
  struct stat st;
  if (::fstat(fd.fd, &st) != 0) return IOError("cannot stat " + path + ": " + Errno());
  FileCursor in(fd.fd, st.st_size);
  auto broken = [&](const std::string& what) -> Status {
    if (in.io_error()) return IOError("cannot read " + path + ": " + Errno());
    return {ErrorCode::kCorruption,
            path + ": " + what + " (byte " + std::to_string(in.pos()) + ")"};
  };
  char magic[4];
  if (!in.Read(magic, 4) || std::memcmp(magic, "Obj\x01", 4) != 0) {
    return broken("not an Avro object container file");
  }
  std::map<std::string, std::string> meta;
  for (;;) {
    int64_t count;
    if (!in.ReadLong(&count)) return broken("truncated header");
    if (count == 0) break;
    if (count < 0) {
      int64_t block_bytes;
      if (!in.ReadLong(&block_bytes)) return broken("truncated header");
      count = -count;
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string key, value;
      if (!in.ReadBytes(&key) || !in.ReadBytes(&value)) return broken("truncated header");
      meta[key] = std::move(value);
    }
  }
  char sync[16];
  if (!in.Read(sync, 16)) return broken("truncated header");
  AvroFileSummary summary;
  auto schema = meta.find("avro.schema");
  if (schema == meta.end()) return broken("no avro.schema in the header");
  summary.schema_json = schema->second;
  auto codec = meta.find("avro.codec");
  summary.codec = codec == meta.end() || codec->second.empty() ? "null" : codec->second;
  for (int64_t block = 0; in.remaining() > 0; ++block) {
    int64_t count, bytes;
    std::string where = " in block " + std::to_string(block);
    if (!in.ReadLong(&count) || !in.ReadLong(&bytes))
      return broken("truncated block header" + where);
    if (count < 0 || bytes < 0) return broken("negative count or size" + where);
    if (!in.Skip(bytes)) return broken("truncated data" + where);
    char marker[16];
    if (!in.Read(marker, 16)) return broken("truncated sync marker" + where);
    if (std::memcmp(marker, sync, 16) != 0) return broken("sync marker mismatch" + where);
    summary.rows += count;
  }
  return summary;
}

Status ReadAvroValues(const std::string& path, const std::function<Status(avro_value_t&)>& fn) {
  TARN_ASSIGN_OR_RETURN(AvroFileSummary summary, ReadAvroSummary(path));
  avro_schema_t schema = nullptr;
  if (avro_schema_from_json_length(summary.schema_json.data(), summary.schema_json.size(),
                                   &schema) != 0) {
    return {ErrorCode::kCorruption, path + ": embedded schema: " + avro_strerror()};
  }
  std::unique_ptr<avro_schema_t, void (*)(avro_schema_t*)> schema_ref(
      &schema, [](avro_schema_t* s) { avro_schema_decref(*s); });
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  if (iface == nullptr) return Internal(std::string("avro-c: ") + avro_strerror());
  std::unique_ptr<avro_value_iface_t, void (*)(avro_value_iface_t*)> iface_ref(
      iface, [](avro_value_iface_t* i) { avro_value_iface_decref(i); });
  avro_value_t value;
  if (avro_generic_value_new(iface, &value) != 0) {
    return Internal(std::string("avro-c: ") + avro_strerror());
  }
  std::unique_ptr<avro_value_t, void (*)(avro_value_t*)> value_ref(
      &value, [](avro_value_t* v) { avro_value_decref(v); });
  avro_file_reader_t reader = nullptr;
  if (int rc = avro_file_reader(path.c_str(), &reader)) {
    std::string why = rc == EILSEQ ? avro_strerror() : std::strerror(rc);
    return {ErrorCode::kCorruption, path + ": " + why};
  }
  std::unique_ptr<avro_file_reader_t_, int (*)(avro_file_reader_t)> reader_ref(
      reader, avro_file_reader_close);
  for (int64_t i = 0; i < summary.rows; ++i) {
    if (avro_file_reader_read_value(reader, &value) != 0) {
      return {ErrorCode::kCorruption,
              path + ": record " + std::to_string(i) + ": " + avro_strerror()};
    }
    TARN_RETURN_IF_ERROR(fn(value));
  }
  return Status::OK();
}

Status ReadAvroRecordsAsJson(const std::string& path,
                             const std::function<Status(const std::string&)>& fn) {
  TARN_ASSIGN_OR_RETURN(AvroFileSummary summary, ReadAvroSummary(path));
  // The plan gives JSON field names; files whose schema tarn would not accept render with
  // plain Avro names.
  auto plan = internal::SchemaPlan::Build(summary.schema_json);
  const PlanNode* root = plan.ok() ? &(*plan)->root() : nullptr;
  std::string line;
  return ReadAvroValues(path, [&](avro_value_t& value) {
    line.clear();
    Render(&value, root, &line);
    return fn(line);
  });
}

}  // namespace tarn::format
