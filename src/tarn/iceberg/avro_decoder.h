// Avro binary decoding against a writer schema (internal to the iceberg module): a cursor over
// one block's bytes with zig-zag varints, length-prefixed bytes and strings, unions by branch
// index, arrays and maps in blocks (a negative count is followed by the block's byte size),
// fixed, records, and skipping of any value; plus record plans, which say per writer field
// which slot of the caller's struct it fills (matched by Iceberg field id, so other writers'
// field names and orders read too).
// Errors are sticky: a read past the end or a malformed value marks the decoder failed, later
// reads return zeros and consume nothing, and callers check ok() once per record.
// AvroDecoder is a small value; not thread-safe. Plans are immutable once compiled.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/iceberg/avro_schema.h"

namespace tarn::iceberg::internal {

// A primitive value as read, with the writer's type (after resolving a union). Values of
// other types are skipped and read with only their type set.
struct AvroScalar {
  AvroType type = AvroType::kNull;
  int64_t i = 0;       // boolean (0/1), int, long
  double d = 0;        // float (widened), double
  std::string_view s;  // bytes, string, fixed: a view into the decoded block
};

// Ints widen to longs, floats to doubles; bytes, fixed and string all read as bytes. Empty
// when the value has another type (or is null).
inline std::optional<int64_t> AsLong(const AvroScalar& v) {
  if (v.type != AvroType::kInt && v.type != AvroType::kLong) return std::nullopt;
  return v.i;
}
inline std::optional<double> AsDouble(const AvroScalar& v) {
  if (v.type != AvroType::kFloat && v.type != AvroType::kDouble) return std::nullopt;
  return v.d;
}
inline std::optional<bool> AsBool(const AvroScalar& v) {
  if (v.type != AvroType::kBoolean) return std::nullopt;
  return v.i != 0;
}
inline std::optional<std::string_view> AsBytes(const AvroScalar& v) {
  if (v.type != AvroType::kBytes && v.type != AvroType::kString && v.type != AvroType::kFixed) {
    return std::nullopt;
  }
  return v.s;
}

class AvroDecoder {
 public:
  AvroDecoder() = default;
  explicit AvroDecoder(std::string_view data) : p_(data.data()), end_(p_ + data.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  void Fail() {
    ok_ = false;
    p_ = end_;
  }

  int64_t Long() {
    if (p_ != end_ && (static_cast<unsigned char>(*p_) & 0x80) == 0) {
      uint64_t z = static_cast<unsigned char>(*p_++);
      return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    }
    return LongSlow();
  }
  std::string_view Take(size_t n) {
    if (n > remaining()) {
      Fail();
      return {};
    }
    std::string_view out(p_, n);
    p_ += n;
    return out;
  }
  std::string_view Bytes() {
    int64_t n = Long();
    if (n < 0) {
      Fail();
      return {};
    }
    return Take(static_cast<size_t>(n));
  }

  // The branch a union value holds (its index is read here); `type` itself for other types.
  // An index out of range fails the decoder and reads as null.
  const AvroNode* Resolve(const AvroNode* type) {
    return type->type == AvroType::kUnion ? Branch(type) : type;
  }
  // A value of `type` (a union resolved first) as a long when it is an int or a long, as
  // bytes when it is bytes, a string or a fixed; other values are skipped and read false.
  // The fast paths of Scalar() + AsLong() / AsBytes().
  bool ReadLong(const AvroNode* type, int64_t* out) {
    type = Resolve(type);
    if (type->type == AvroType::kLong || type->type == AvroType::kInt) {
      *out = type->type == AvroType::kLong ? Long() : Int();
      return ok_;
    }
    Skip(type);
    return false;
  }
  bool ReadBytes(const AvroNode* type, std::string_view* out) {
    type = Resolve(type);
    if (type->type == AvroType::kBytes || type->type == AvroType::kString) {
      *out = Bytes();
      return ok_;
    }
    if (type->type == AvroType::kFixed) {
      *out = Take(static_cast<size_t>(type->size));
      return ok_;
    }
    Skip(type);
    return false;
  }
  // The item count of the next block of an array or map value; 0 at its end (or on failure).
  // A negative count's byte size is read and ignored.
  int64_t BlockCount(const AvroNode* container);
  void Skip(const AvroNode* type) { Skip(type, 0); }
  AvroScalar Scalar(const AvroNode* type);

 private:
  int64_t LongSlow();
  int32_t Int();  // a long that must fit 32 bits
  const AvroNode* Branch(const AvroNode* u);
  void Skip(const AvroNode* type, int depth);
  void SkipBlocks(const AvroNode* container, int depth);

  const char* p_ = nullptr;
  const char* end_ = nullptr;
  bool ok_ = true;
};

// Calls item() once per item of an array or map value of type `container` (for maps after
// reading past the key); item() must consume the item. Stops when the decoder fails.
template <typename Fn>
void ForEachItem(AvroDecoder& d, const AvroNode* container, Fn&& item) {
  const bool map = container->type == AvroType::kMap;
  for (int64_t n = d.BlockCount(container); n > 0; n = d.BlockCount(container)) {
    for (; n > 0 && d.ok(); --n) {
      if (map) d.Bytes();
      item();
    }
  }
}

// Which slot of the caller's struct each field of a writer record fills; 0 = skipped.
struct RecordPlan {
  const AvroNode* record = nullptr;  // null: not a record; its values are skipped
  std::vector<uint8_t> slots;        // one per field of `record`
};

// The plan for `record` (may be null) from (field id, slot) pairs. When several fields carry
// one id, the last fills the slot (as a lookup by id would find it).
RecordPlan PlanRecord(const AvroNode* record, std::initializer_list<std::pair<int, uint8_t>> by_id);
// The position of the last field of `record` with field id `id`; -1 when there is none.
int FieldWithId(const AvroNode* record, int id);

// The record a field of type `type` holds: `type` itself, or a union's first record branch.
const AvroNode* RecordOf(const AvroNode* type);
// Likewise for an array or map.
const AvroNode* ContainerOf(const AvroNode* type);

// Decodes a value of the planned record: fn(slot, field type) for each planned field (it must
// consume the field's value), skipping the others.
template <typename Fn>
void DecodeFields(AvroDecoder& d, const RecordPlan& plan, Fn&& fn) {
  const std::vector<AvroField>& fields = plan.record->fields;
  for (size_t i = 0; i < fields.size() && d.ok(); ++i) {
    if (plan.slots[i] == 0) {
      d.Skip(fields[i].type);
    } else {
      fn(plan.slots[i], fields[i].type);
    }
  }
}

}  // namespace tarn::iceberg::internal
