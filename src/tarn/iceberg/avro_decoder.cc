#include "tarn/iceberg/avro_decoder.h"

#include <cstring>
#include <limits>

namespace tarn::iceberg::internal {
namespace {

// Deeper values only come from recursive schemas and crafted data; refusing them keeps the
// stack bounded.
constexpr int kMaxDepth = 100;
// Items of an empty type (null, fixed of size 0) take no bytes, so the remaining bytes do not
// bound their count; a block claiming more of them than this is taken for corrupt.
constexpr int64_t kMaxEmptyItems = int64_t{1} << 20;

const AvroNode kNullNode{};

// Little-endian IEEE 754, whatever the host's byte order.
uint64_t LittleEndian(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = b.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

}  // namespace

int64_t AvroDecoder::LongSlow() {
  uint64_t z = 0;
  for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
    auto b = static_cast<unsigned char>(*p_++);
    z |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  Fail();  // truncated, or longer than 10 bytes
  return 0;
}

int32_t AvroDecoder::Int() {
  int64_t v = Long();
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    Fail();
    return 0;
  }
  return static_cast<int32_t>(v);
}

const AvroNode* AvroDecoder::Branch(const AvroNode* u) {
  int64_t i = Long();
  if (i < 0 || static_cast<uint64_t>(i) >= u->branches.size()) {
    Fail();
    return &kNullNode;
  }
  return u->branches[static_cast<size_t>(i)];
}

int64_t AvroDecoder::BlockCount(const AvroNode* container) {
  int64_t n = Long();
  if (n < 0 && n != std::numeric_limits<int64_t>::min()) {
    n = -n;
    Long();  // the block's size in bytes
  }
  bool empty_items = container->type == AvroType::kArray && container->items->empty;
  int64_t limit = empty_items ? kMaxEmptyItems : static_cast<int64_t>(remaining());
  if (!ok_ || n < 0 || n > limit) {
    Fail();
    return 0;
  }
  return n;
}

AvroScalar AvroDecoder::Scalar(const AvroNode* type) {
  type = Resolve(type);
  AvroScalar v;
  v.type = type->type;
  switch (type->type) {
    case AvroType::kNull:
      break;
    case AvroType::kBoolean: {
      std::string_view b = Take(1);
      v.i = !b.empty() && b[0] != 0 ? 1 : 0;
      break;
    }
    case AvroType::kInt:
      v.i = Int();
      break;
    case AvroType::kLong:
      v.i = Long();
      break;
    case AvroType::kFloat: {
      auto bits = static_cast<uint32_t>(LittleEndian(Take(4)));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      v.d = f;
      break;
    }
    case AvroType::kDouble: {
      uint64_t bits = LittleEndian(Take(8));
      std::memcpy(&v.d, &bits, sizeof v.d);
      break;
    }
    case AvroType::kBytes:
    case AvroType::kString:
      v.s = Bytes();
      break;
    case AvroType::kFixed:
      v.s = Take(static_cast<size_t>(type->size));
      break;
    default:
      Skip(type);
      break;
  }
  return v;
}

void AvroDecoder::Skip(const AvroNode* type, int depth) {
  if (depth > kMaxDepth) return Fail();
  switch (type->type) {
    case AvroType::kNull:
      return;
    case AvroType::kBoolean:
      Take(1);
      return;
    case AvroType::kInt:
    case AvroType::kLong:
    case AvroType::kEnum:
      Long();
      return;
    case AvroType::kFloat:
      Take(4);
      return;
    case AvroType::kDouble:
      Take(8);
      return;
    case AvroType::kBytes:
    case AvroType::kString:
      Bytes();
      return;
    case AvroType::kFixed:
      Take(static_cast<size_t>(type->size));
      return;
    case AvroType::kRecord:
      for (size_t i = 0; i < type->fields.size() && ok_; ++i) Skip(type->fields[i].type, depth + 1);
      return;
    case AvroType::kUnion:
      Skip(Resolve(type), depth + 1);
      return;
    case AvroType::kArray:
    case AvroType::kMap:
      SkipBlocks(type, depth);
      return;
  }
}

// Blocks written with their byte size are stepped over whole.
void AvroDecoder::SkipBlocks(const AvroNode* container, int depth) {
  const bool map = container->type == AvroType::kMap;
  while (ok_) {
    int64_t n = Long();
    if (n == 0) return;
    if (n < 0) {
      int64_t bytes = Long();
      if (bytes < 0) return Fail();
      Take(static_cast<size_t>(bytes));
      continue;
    }
    if (!map && container->items->empty) continue;
    if (n > static_cast<int64_t>(remaining())) return Fail();
    for (; n > 0 && ok_; --n) {
      if (map) Bytes();
      Skip(container->items, depth + 1);
    }
  }
}

RecordPlan PlanRecord(const AvroNode* record,
                      std::initializer_list<std::pair<int, uint8_t>> by_id) {
  RecordPlan plan;
  if (record == nullptr || record->type != AvroType::kRecord) return plan;
  plan.record = record;
  plan.slots.assign(record->fields.size(), 0);
  for (const auto& [id, slot] : by_id) {
    int i = FieldWithId(record, id);
    if (i >= 0) plan.slots[static_cast<size_t>(i)] = slot;
  }
  return plan;
}

int FieldWithId(const AvroNode* record, int id) {
  if (record == nullptr) return -1;
  for (size_t i = record->fields.size(); i-- > 0;) {
    const AvroField& f = record->fields[i];
    if (f.has_id && f.id == id) return static_cast<int>(i);
  }
  return -1;
}

namespace {

template <typename Pred>
const AvroNode* Holding(const AvroNode* type, Pred is) {
  if (is(type)) return type;
  if (type->type != AvroType::kUnion) return nullptr;
  for (const AvroNode* b : type->branches) {
    if (is(b)) return b;
  }
  return nullptr;
}

}  // namespace

const AvroNode* RecordOf(const AvroNode* type) {
  return Holding(type, [](const AvroNode* t) { return t->type == AvroType::kRecord; });
}

const AvroNode* ContainerOf(const AvroNode* type) {
  return Holding(type, [](const AvroNode* t) {
    return t->type == AvroType::kArray || t->type == AvroType::kMap;
  });
}

}  // namespace tarn::iceberg::internal
