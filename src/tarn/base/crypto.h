// Cryptographic building blocks over OpenSSL: SHA-256, HMAC-SHA-256, PBKDF2, secure random
// bytes, constant-time comparison, hex and standard base64 (RFC 4648 §4, padded), and the
// SCRAM-SHA-256 (RFC 5802/7677) key derivation shared by the catalog (which stores verifiers)
// and the PostgreSQL front end (which checks proofs). Byte strings are std::string. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tarn {

// The 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);
// The 32-byte HMAC-SHA-256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// PBKDF2 with HMAC-SHA-256 (RFC 8018), one 32-byte block: SCRAM's Hi(password, salt, i).
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int iterations);
// `n` cryptographically random bytes.
std::string SecureRandomBytes(size_t n);
// Equal length and content, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::string HexEncode(std::string_view bytes);  // lowercase
// nullopt unless `hex` is an even number of hex digits (either case).
std::optional<std::string> HexDecode(std::string_view hex);

std::string Base64Encode(std::string_view data);
// nullopt unless `text` is padded standard base64.
std::optional<std::string> Base64Decode(std::string_view text);

// What a SCRAM-SHA-256 server stores for a password: StoredKey = H(ClientKey) and ServerKey,
// where SaltedPassword = Hi(password, salt, iterations), ClientKey = HMAC(SaltedPassword,
// "Client Key"), ServerKey = HMAC(SaltedPassword, "Server Key"). 32 raw bytes each.
struct ScramKeys {
  std::string stored_key;
  std::string server_key;
};
ScramKeys DeriveScramKeys(std::string_view password, std::string_view salt, int iterations);

}  // namespace tarn
