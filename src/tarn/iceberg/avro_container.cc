#include "tarn/iceberg/avro_container.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

namespace tarn::iceberg::internal {
namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;
constexpr size_t kBlockBytes = 1 << 20;             // uncompressed bytes per written block
constexpr size_t kMaxBlockBytes = size_t{1} << 30;  // larger decoded blocks are corrupt

void PutLong(std::string* out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z & ~uint64_t{0x7F}) {
    out->push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

void PutBytes(std::string* out, std::string_view s) {
  PutLong(out, static_cast<int64_t>(s.size()));
  out->append(s);
}

// Reads Avro's zig-zag varints and length-prefixed bytes from a buffer.
class Cursor {
 public:
  Cursor(std::string_view bytes, size_t* pos) : bytes_(bytes), pos_(pos) {}

  bool Long(int64_t* v) {
    uint64_t z = 0;
    for (int shift = 0; shift < 64 && *pos_ < bytes_.size(); shift += 7) {
      auto b = static_cast<unsigned char>(bytes_[(*pos_)++]);
      z |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        *v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
        return true;
      }
    }
    return false;
  }
  bool Take(size_t n, std::string_view* out) {
    if (n > bytes_.size() - *pos_) return false;
    *out = bytes_.substr(*pos_, n);
    *pos_ += n;
    return true;
  }
  bool Bytes(std::string_view* out) {
    int64_t n = 0;
    return Long(&n) && n >= 0 && Take(static_cast<size_t>(n), out);
  }

 private:
  std::string_view bytes_;
  size_t* pos_;
};

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

Result<std::string> Inflate(std::string_view in) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Internal("zlib: cannot start inflating");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    size_t done = out.size();
    if (done >= kMaxBlockBytes) break;
    out.resize(std::max<size_t>(4 * in.size() + 1024, 2 * done));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + done);
    zs.avail_out = static_cast<uInt>(out.size() - done);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(zs.total_out);
    if (rc == Z_BUF_ERROR && zs.avail_in > 0) rc = Z_OK;  // output was full: grow
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return Corruption("deflate block does not inflate (corrupt, or over 1 GiB)");
  return out;
}

// Records each named record's field positions by field id, walking the schema JSON.
void CollectPositions(const nlohmann::json& type,
                      std::map<std::string, std::map<int, size_t>>* out) {
  if (type.is_array()) {
    for (const auto& branch : type) CollectPositions(branch, out);
    return;
  }
  if (!type.is_object()) return;
  std::string kind = type.value("type", "");
  if (kind == "array") CollectPositions(type.value("items", nlohmann::json()), out);
  if (kind == "map") CollectPositions(type.value("values", nlohmann::json()), out);
  if (kind != "record" || !type.contains("fields") || !type["fields"].is_array()) return;
  std::string name = type.value("name", "");
  name = name.substr(name.rfind('.') + 1);  // avro-c names records without their namespace
  const auto& fields = type["fields"];
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& field = fields[i];
    if (!field.is_object()) continue;
    auto id = field.find("field-id");
    if (id != field.end() && id->is_number_integer()) (*out)[name][id->get<int>()] = i;
    CollectPositions(field.value("type", nlohmann::json()), out);
  }
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
  PutLong(&w->out_, static_cast<int64_t>(metadata.size() + 2));
  PutBytes(&w->out_, "avro.schema");
  PutBytes(&w->out_, schema_json);
  PutBytes(&w->out_, "avro.codec");
  PutBytes(&w->out_, "deflate");
  for (const auto& [key, value] : metadata) {
    PutBytes(&w->out_, key);
    PutBytes(&w->out_, value);
  }
  PutLong(&w->out_, 0);
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
  PutLong(&out_, block_count_);
  PutBytes(&out_, data);
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
  const std::string& schema_json = r->metadata_["avro.schema"];
  nlohmann::json schema = nlohmann::json::parse(schema_json, nullptr, false);
  if (schema.is_discarded()) return Corruption("the embedded Avro schema is not JSON");
  CollectPositions(schema, &r->positions_);
  if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &r->schema_) != 0) {
    return Corruption(std::string("the embedded Avro schema is invalid: ") + avro_strerror());
  }
  r->iface_ = avro_generic_class_from_schema(r->schema_);
  if (r->iface_ == nullptr || avro_generic_value_new(r->iface_, &r->value_) != 0) {
    return Internal(std::string("avro-c: cannot make a value: ") + avro_strerror());
  }
  r->has_value_ = true;
  r->decoder_ = avro_reader_memory(r->block_.data(), 0);
  if (r->decoder_ == nullptr) return Internal("avro-c: cannot make a memory reader");
  return r;
}

AvroContainerReader::~AvroContainerReader() {
  if (has_value_) avro_value_decref(&value_);
  if (iface_ != nullptr) avro_value_iface_decref(iface_);
  if (schema_ != nullptr) avro_schema_decref(schema_);
  if (decoder_ != nullptr) avro_reader_free(decoder_);
}

Status AvroContainerReader::ReadHeader() {
  if (bytes_.substr(0, kMagic.size()) != kMagic) {
    return Corruption("not an Avro container file (no Obj\\x01 magic)");
  }
  pos_ = kMagic.size();
  Cursor in(bytes_, &pos_);
  int64_t count = 0;
  while (true) {
    if (!in.Long(&count)) return Corruption("truncated Avro header");
    if (count == 0) break;
    if (count < 0) {  // a negative count is followed by the block's byte size
      int64_t ignored = 0;
      if (!in.Long(&ignored)) return Corruption("truncated Avro header");
      count = -count;
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string_view key, value;
      if (!in.Bytes(&key) || !in.Bytes(&value)) return Corruption("truncated Avro header");
      metadata_[std::string(key)] = std::string(value);
    }
  }
  std::string_view sync;
  if (!in.Take(kSyncSize, &sync)) return Corruption("truncated Avro header");
  sync_ = std::string(sync);
  if (metadata_.count("avro.schema") == 0) return Corruption("Avro header has no avro.schema");
  codec_ = Meta("avro.codec").value_or("null");
  if (codec_ != "null" && codec_ != "deflate") {
    return InvalidArgument("Avro codec '" + codec_ +
                           "' is not supported (tarn reads null and deflate)");
  }
  return Status::OK();
}

std::optional<std::string> AvroContainerReader::Meta(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end()) return std::nullopt;
  return it->second;
}

Status AvroContainerReader::LoadBlock() {
  Cursor in(bytes_, &pos_);
  int64_t count = 0;
  std::string_view data, sync;
  if (!in.Long(&count) || count < 0 || !in.Bytes(&data) || !in.Take(kSyncSize, &sync)) {
    return Corruption("truncated Avro block at byte " + std::to_string(pos_));
  }
  if (sync != sync_) return Corruption("Avro block without the file's sync marker");
  if (codec_ == "deflate") {
    TARN_ASSIGN_OR_RETURN(block_, Inflate(data));
  } else {
    block_ = std::string(data);
  }
  avro_reader_memory_set_source(decoder_, block_.data(), static_cast<int64_t>(block_.size()));
  block_left_ = count;
  return Status::OK();
}

Result<const avro_value_t*> AvroContainerReader::Next() {
  while (block_left_ == 0) {
    if (pos_ >= bytes_.size()) return static_cast<const avro_value_t*>(nullptr);
    TARN_RETURN_IF_ERROR(LoadBlock());
  }
  avro_value_reset(&value_);
  if (avro_value_read(decoder_, &value_) != 0) {
    return Corruption(std::string("undecodable Avro record: ") + avro_strerror());
  }
  --block_left_;
  return static_cast<const avro_value_t*>(&value_);
}

const std::map<int, size_t>* AvroContainerReader::FieldIds(const avro_value_t& rec) const {
  avro_value_t self = rec;
  const char* name = avro_schema_name(avro_value_get_schema(&self));
  auto record = positions_.find(name != nullptr ? name : "");
  return record == positions_.end() ? nullptr : &record->second;
}

bool AvroContainerReader::Field(const avro_value_t& rec, int id, avro_value_t* out) const {
  const std::map<int, size_t>* ids = FieldIds(rec);
  if (ids == nullptr) return false;
  auto field = ids->find(id);
  if (field == ids->end()) return false;
  avro_value_t self = rec;
  if (avro_value_get_by_index(&self, field->second, out, nullptr) != 0) return false;
  if (avro_value_get_type(out) == AVRO_UNION) {
    avro_value_t branch{};
    if (avro_value_get_current_branch(out, &branch) != 0) return false;
    *out = branch;
  }
  return avro_value_get_type(out) != AVRO_NULL;
}

bool AvroContainerReader::FieldByName(const avro_value_t& rec, const char* name,
                                      avro_value_t* out) {
  avro_value_t self = rec;
  if (avro_value_get_by_name(&self, name, out, nullptr) != 0) return false;
  if (avro_value_get_type(out) == AVRO_UNION) {
    avro_value_t branch{};
    if (avro_value_get_current_branch(out, &branch) != 0) return false;
    *out = branch;
  }
  return avro_value_get_type(out) != AVRO_NULL;
}

}  // namespace tarn::iceberg::internal
