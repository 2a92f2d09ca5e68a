#include "tarn/iceberg/avro_container.h"
#include "tarn/base/encoding.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>

namespace tarn::iceberg::internal {
namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;
constexpr size_t kBlockBytes = 1 << 20;             // uncompressed bytes per written block
constexpr size_t kMaxBlockBytes = size_t{1} << 30;  // larger decoded blocks are corrupt

std::string RandomSync() {
  std::random_device random;
  std::string sync;
  for (size_t i = 0; i < kSyncSize / 4; ++i) {
    uint32_t word = random();
    sync.append(reinterpret_cast<const char*>(&word), 4);
  }
  return sync;
}

// Raw deflate (no zlib header), as Avro's deflate codec specifies. Level 1: manifests are
// small and written on the commit path, so speed matters more than the last few bytes.
std::string Deflate(std::string_view in) {
  z_stream zs{};
  deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);  // the bound guarantees Z_STREAM_END in one call
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Inflates a raw deflate block into `*out`, reusing its storage (grown, never shrunk);
// `*size` receives the inflated length.
Status InflateInto(std::string_view in, std::string* out, size_t* size) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Internal("zlib: cannot start inflating");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  size_t guess = std::min(4 * in.size() + 1024, kMaxBlockBytes);
  if (out->size() < guess) out->resize(guess);
  int rc = Z_OK;
  while (rc == Z_OK) {
    size_t done = zs.total_out;
    if (done == out->size()) {
      if (done >= kMaxBlockBytes) break;
      out->resize(2 * done);
    }
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + done);
    zs.avail_out = static_cast<uInt>(out->size() - done);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && zs.avail_in > 0) rc = Z_OK;  // output was full: grow
  }
  *size = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return Corruption("deflate block does not inflate (corrupt, or over 1 GiB)");
  }
  return Status::OK();
}

}  // namespace

// --- AvroContainerWriter ---

Result<std::unique_ptr<AvroContainerWriter>> AvroContainerWriter::Make(
    const std::string& schema_json,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::unique_ptr<AvroContainerWriter> w(new AvroContainerWriter());
  if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &w->schema_) != 0) {
    return InvalidArgument(std::string("avro-c rejects the schema: ") + avro_strerror());
  }
  w->iface_ = avro_generic_class_from_schema(w->schema_);
  if (w->iface_ == nullptr || avro_generic_value_new(w->iface_, &w->value_) != 0) {
    return Internal(std::string("avro-c: cannot make a value: ") + avro_strerror());
  }
  w->has_value_ = true;
  w->encode_buf_.resize(64 * 1024);
  w->encoder_ = avro_writer_memory(w->encode_buf_.data(), 0);
  if (w->encoder_ == nullptr) return Internal("avro-c: cannot make a memory writer");

  w->out_.append(kMagic);
  AppendAvroLong(&w->out_, static_cast<int64_t>(metadata.size() + 2));
  AppendAvroBytes(&w->out_, "avro.schema");
  AppendAvroBytes(&w->out_, schema_json);
  AppendAvroBytes(&w->out_, "avro.codec");
  AppendAvroBytes(&w->out_, "deflate");
  for (const auto& [key, value] : metadata) {
    AppendAvroBytes(&w->out_, key);
    AppendAvroBytes(&w->out_, value);
  }
  AppendAvroLong(&w->out_, 0);
  w->sync_ = RandomSync();
  w->out_.append(w->sync_);
  return w;
}

AvroContainerWriter::~AvroContainerWriter() {
  if (has_value_) avro_value_decref(&value_);
  if (iface_ != nullptr) avro_value_iface_decref(iface_);
  if (schema_ != nullptr) avro_schema_decref(schema_);
  if (encoder_ != nullptr) avro_writer_free(encoder_);
}

AvroSetter AvroContainerWriter::NewRecord() {
  rc_ = 0;
  avro_value_reset(&value_);
  return AvroSetter(value_, &rc_);
}

Status AvroContainerWriter::Append() {
  if (rc_ != 0) return Internal(std::string("avro-c cannot set a field: ") + std::strerror(rc_));
  size_t size = 0;
  if (avro_value_sizeof(&value_, &size) != 0) {
    return Internal(std::string("avro-c cannot size the record: ") + avro_strerror());
  }
  if (encode_buf_.size() < size) encode_buf_.resize(size);
  avro_writer_memory_set_dest(encoder_, encode_buf_.data(), static_cast<int64_t>(size));
  if (avro_value_write(encoder_, &value_) != 0) {
    return Internal(std::string("avro-c cannot encode the record: ") + avro_strerror());
  }
  block_.append(encode_buf_.data(), size);
  ++block_count_;
  if (block_.size() >= kBlockBytes) FlushBlock();
  return Status::OK();
}

void AvroContainerWriter::FlushBlock() {
  if (block_count_ == 0) return;
  std::string data = Deflate(block_);
  AppendAvroLong(&out_, block_count_);
  AppendAvroBytes(&out_, data);
  out_.append(sync_);
  block_.clear();
  block_count_ = 0;
}

std::string AvroContainerWriter::Finish() {
  FlushBlock();
  return std::move(out_);
}

// --- AvroContainerReader ---

Result<std::unique_ptr<AvroContainerReader>> AvroContainerReader::Open(std::string_view bytes) {
  std::unique_ptr<AvroContainerReader> r(new AvroContainerReader());
  r->bytes_ = bytes;
  TARN_RETURN_IF_ERROR(r->ReadHeader());
  TARN_ASSIGN_OR_RETURN(r->schema_, AvroSchema::Parse(*r->Find("avro.schema")));
  return r;
}

Status AvroContainerReader::ReadHeader() {
  if (bytes_.substr(0, kMagic.size()) != kMagic) {
    return Corruption("not an Avro container file (no Obj\\x01 magic)");
  }
  file_ = AvroDecoder(bytes_.substr(kMagic.size()));
  // The metadata map's blocks; a negative count is followed by the block's byte size.
  for (int64_t count = file_.Long(); count != 0 && file_.ok(); count = file_.Long()) {
    if (count < 0) {
      file_.Long();
      count = count == std::numeric_limits<int64_t>::min() ? 0 : -count;
    }
    for (int64_t i = 0; i < count && file_.ok(); ++i) {
      std::string_view key = file_.Bytes();
      metadata_.emplace_back(key, file_.Bytes());
    }
  }
  sync_ = file_.Take(kSyncSize);
  if (!file_.ok()) return Corruption("truncated Avro header");
  if (!Find("avro.schema")) return Corruption("Avro header has no avro.schema");
  std::string_view codec = Find("avro.codec").value_or("null");
  if (codec != "null" && codec != "deflate") {
    return InvalidArgument("Avro codec '" + std::string(codec) +
                           "' is not supported (tarn reads null and deflate)");
  }
  deflate_ = codec == "deflate";
  return Status::OK();
}

std::optional<std::string_view> AvroContainerReader::Find(std::string_view key) const {
  for (auto it = metadata_.rbegin(); it != metadata_.rend(); ++it) {  // the last one counts
    if (it->first == key) return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> AvroContainerReader::Meta(std::string_view key) const {
  std::optional<std::string_view> value = Find(key);
  if (!value) return std::nullopt;
  return std::string(*value);
}

Status AvroContainerReader::LoadBlock() {
  size_t at = bytes_.size() - file_.remaining();
  int64_t count = file_.Long();
  std::string_view data = file_.Bytes();
  std::string_view sync = file_.Take(kSyncSize);
  if (!file_.ok() || count < 0)
    return Corruption("truncated Avro block at byte " + std::to_string(at));
  if (sync != sync_) return Corruption("Avro block without the file's sync marker");
  if (deflate_) {
    size_t size = 0;
    TARN_RETURN_IF_ERROR(InflateInto(data, &inflated_, &size));
    data = std::string_view(inflated_.data(), size);
  }
  decoder_ = AvroDecoder(data);
  block_left_ = count;
  return Status::OK();
}

Result<bool> AvroContainerReader::Next() {
  while (block_left_ == 0) {
    if (file_.remaining() == 0) return false;
    TARN_RETURN_IF_ERROR(LoadBlock());
  }
  --block_left_;
  return true;
}

}  // namespace tarn::iceberg::internal
