#include "tarn/iceberg/transforms.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <limits>

#include "tarn/iceberg/datetime.h"

namespace tarn::iceberg {

using schema::TypeId;

namespace {

constexpr struct {
  const char* name;
  Transform::Kind kind;
} kNames[] = {
    {"identity", Transform::kIdentity}, {"void", Transform::kVoid},   {"year", Transform::kYear},
    {"years", Transform::kYear},        {"month", Transform::kMonth}, {"months", Transform::kMonth},
    {"day", Transform::kDay},           {"days", Transform::kDay},    {"hour", Transform::kHour},
    {"hours", Transform::kHour},
};

// "bucket[16]" -> 16 when `text` is `prefix` + "[N]" with 1 <= N <= INT32_MAX, else 0.
int BracketParam(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size() + 3 || text.substr(0, prefix.size()) != prefix ||
      text[prefix.size()] != '[' || text.back() != ']') {
    return 0;
  }
  std::string_view digits = text.substr(prefix.size() + 1, text.size() - prefix.size() - 2);
  int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || (n = n * 10 + (c - '0')) > std::numeric_limits<int32_t>::max()) {
      return 0;
    }
  }
  return static_cast<int>(n);
}

uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t MixK(uint32_t k) { return Rotl(k * 0xcc9e2d51u, 15) * 0x1b873593u; }

int32_t HashLong(int64_t v) {
  char le[8];
  auto bits = static_cast<uint64_t>(v);
  for (int k = 0; k < 8; ++k, bits >>= 8) le[k] = static_cast<char>(bits & 0xFF);
  return Murmur3_32(std::string_view(le, 8));
}

// Truncates UTF-8 text to its first `width` code points (bytes that are not continuations).
std::string TruncateUtf8(const std::string& s, int width) {
  size_t end = 0;
  for (int points = 0; end < s.size(); ++end) {
    bool continuation = (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80;
    if (!continuation && points++ == width) break;
  }
  return s.substr(0, end);
}

Literal Truncate(const Literal& v, int width) {
  switch (v.type.id) {
    case TypeId::kInt:
    case TypeId::kLong: {
      // Unsigned arithmetic wraps at the ends of the range, as Java's int/long arithmetic does.
      int64_t rem = ((v.i % width) + width) % width;
      auto r = static_cast<int64_t>(static_cast<uint64_t>(v.i) - static_cast<uint64_t>(rem));
      return v.type.id == TypeId::kInt ? Literal::Int(static_cast<int32_t>(r)) : Literal::Long(r);
    }
    case TypeId::kDecimal: {
      __int128 u = DecimalUnscaled(v);
      __int128 rem = ((u % width) + width) % width;
      return Literal::DecimalFromUnscaled(u - rem, v.type.precision, v.type.scale);
    }
    case TypeId::kString:
      return Literal::String(TruncateUtf8(v.s, width));
    default:  // binary
      return Literal::Binary(v.s.substr(0, std::min<size_t>(v.s.size(), width)));
  }
}

// year/month/day/hour of a date (days) or timestamp (micros), counted from 1970.
Literal TimeUnit(Transform::Kind kind, const Literal& v) {
  const bool is_date = v.type.id == TypeId::kDate;
  const int64_t days = is_date ? v.i : FloorDiv(v.i, kMicrosPerDay);
  CivilDate c = DaysToCivil(days);
  switch (kind) {
    case Transform::kYear:
      return Literal::Int(static_cast<int32_t>(c.year - 1970));
    case Transform::kMonth:
      return Literal::Int(static_cast<int32_t>((c.year - 1970) * 12 + c.month - 1));
    case Transform::kDay:
      return Literal::Date(static_cast<int32_t>(days));
    default:  // hour
      return Literal::Int(static_cast<int32_t>(FloorDiv(v.i, kMicrosPerHour)));
  }
}

bool IsTemporal(TypeId id) {
  return id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
}

// Whether `t` applies to `id`; the parameter has been checked.
bool Applies(Transform::Kind kind, TypeId id) {
  switch (kind) {
    case Transform::kIdentity:
    case Transform::kVoid:
      return true;
    case Transform::kBucket:
      return id != TypeId::kBoolean && id != TypeId::kFloat && id != TypeId::kDouble;
    case Transform::kTruncate:
      return id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal ||
             id == TypeId::kString || id == TypeId::kBinary;
    case Transform::kHour:
      return id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
    default:  // year, month, day
      return IsTemporal(id);
  }
}

}  // namespace

std::string Transform::ToString() const {
  switch (kind) {
    case kBucket:
      return "bucket[" + std::to_string(param) + "]";
    case kTruncate:
      return "truncate[" + std::to_string(param) + "]";
    case kYear:
      return "year";
    case kMonth:
      return "month";
    case kDay:
      return "day";
    case kHour:
      return "hour";
    case kVoid:
      return "void";
    default:
      return "identity";
  }
}

Result<Transform> Transform::Parse(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& entry : kNames) {
    if (lower == entry.name) return Transform{entry.kind, 0};
  }
  if (int n = BracketParam(lower, "bucket"); n > 0) return Transform{kBucket, n};
  if (int w = BracketParam(lower, "truncate"); w > 0) return Transform{kTruncate, w};
  return InvalidArgument("'" + std::string(text) +
                         "' is not a partition transform; expected identity, bucket[N], "
                         "truncate[W], year, month, day, hour or void");
}

// MurmurHash3_x86_32 with seed 0, as the Iceberg spec (Appendix B) requires.
int32_t Murmur3_32(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  uint32_t h = 0;
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    uint32_t block = p[k] | p[k + 1] << 8 | p[k + 2] << 16 | uint32_t{p[k + 3]} << 24;
    h = Rotl(h ^ MixK(block), 13) * 5 + 0xe6546b64u;
  }
  uint32_t tail = 0;
  for (size_t t = n; t-- > k;) tail = (tail << 8) | p[t];
  if (n > k) h ^= MixK(tail);
  h ^= static_cast<uint32_t>(n);
  h = (h ^ (h >> 16)) * 0x85ebca6bu;
  h = (h ^ (h >> 13)) * 0xc2b2ae35u;
  return static_cast<int32_t>(h ^ (h >> 16));
}

int32_t BucketHash(const Literal& v) {
  if (v.is_null) return 0;
  switch (v.type.id) {
    case TypeId::kFloat:
    case TypeId::kDouble: {
      // Not bucket sources in v2, but the spec defines them: -0.0 as 0.0, any NaN as canonical.
      double d = v.d == 0 ? 0.0 : v.d;
      uint64_t bits = 0x7ff8000000000000ull;
      if (d == d) std::memcpy(&bits, &d, sizeof bits);
      return HashLong(static_cast<int64_t>(bits));
    }
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      return Murmur3_32(v.s);
    default:  // boolean, int, long, date, time, timestamps: as a long
      return HashLong(v.i);
  }
}

Result<PrimitiveType> ResultType(const Transform& t, const PrimitiveType& source) {
  const bool needs_param = t.kind == Transform::kBucket || t.kind == Transform::kTruncate;
  if ((needs_param && t.param <= 0) || source.id == TypeId::kStruct || source.id == TypeId::kList ||
      source.id == TypeId::kMap || !Applies(t.kind, source.id)) {
    return InvalidArgument("transform " + t.ToString() + " does not apply to type " +
                           source.ToString());
  }
  PrimitiveType out;
  switch (t.kind) {
    case Transform::kIdentity:
    case Transform::kTruncate:
    case Transform::kVoid:
      return source;
    case Transform::kDay:
      out.id = TypeId::kDate;
      return out;
    default:  // bucket, year, month, hour
      out.id = TypeId::kInt;
      return out;
  }
}

Result<Literal> Apply(const Transform& t, const Literal& v) {
  TARN_ASSIGN_OR_RETURN(PrimitiveType result_type, ResultType(t, v.type));
  if (v.is_null || t.kind == Transform::kVoid) return Literal::Null(result_type);
  switch (t.kind) {
    case Transform::kIdentity:
      return v;
    case Transform::kBucket:
      return Literal::Int((BucketHash(v) & std::numeric_limits<int32_t>::max()) % t.param);
    case Transform::kTruncate:
      return Truncate(v, t.param);
    default:
      return TimeUnit(t.kind, v);
  }
}

std::string HumanString(const Transform& t, const Literal& partition_value) {
  if (partition_value.is_null) return "null";
  const int64_t v = partition_value.i;
  char buf[16];
  switch (t.kind) {
    case Transform::kYear:
      return FormatYear(1970 + v);
    case Transform::kMonth:
      std::snprintf(buf, sizeof buf, "-%02d", static_cast<int>(FloorMod(v, 12) + 1));
      return FormatYear(1970 + FloorDiv(v, 12)) + buf;
    case Transform::kDay:  // a date, or the int day number older writers store
      return FormatDate(v);
    case Transform::kHour:
      std::snprintf(buf, sizeof buf, "-%02d", static_cast<int>(FloorMod(v, 24)));
      return FormatDate(FloorDiv(v, 24)) + buf;
    case Transform::kBucket:
      return std::to_string(v);
    default:  // identity, truncate, void: the value's own text
      return partition_value.ToString();
  }
}

}  // namespace tarn::iceberg
