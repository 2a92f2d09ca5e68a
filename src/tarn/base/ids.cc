#include "tarn/base/ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace tarn {
namespace {

void RandomBytes(unsigned char* out, int n) {
  // RAND_bytes only fails when the OS entropy source is broken; no id is better than a weak one.
  if (RAND_bytes(out, n) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string NewUuidV7(UnixMicros now) {
  std::array<unsigned char, 16> b;
  RandomBytes(b.data(), 16);
  uint64_t ms = static_cast<uint64_t>(now / 1000);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0F));
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3F));
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

std::string NewUuid() { return NewUuidV7(Clock::System().Now()); }

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string NewSecretToken(std::string_view prefix) {
  static constexpr char kB64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 33> b;  // 33 bytes = 44 base64 chars, no padding
  RandomBytes(b.data(), static_cast<int>(b.size()));
  std::string out(prefix);
  for (size_t i = 0; i < b.size(); i += 3) {
    uint32_t v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    for (int k = 3; k >= 0; --k) out.push_back(kB64[(v >> (6 * k)) & 0x3F]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xF]);
  }
  return out;
}

}  // namespace tarn
