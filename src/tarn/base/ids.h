// Identifiers and secrets: UUIDv7 ids (time-ordered, so catalog indexes grow at their right
// edge), random API tokens, and SHA-256 digests for storing tokens hashed. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tarn/base/time.h"

namespace tarn {

// A random RFC 9562 version-7 UUID in canonical lowercase form.
std::string NewUuidV7(UnixMicros now);
std::string NewUuid();

// True for a canonical 8-4-4-4-12 hex UUID (either case).
bool IsUuid(std::string_view text);

// `prefix` followed by 32 random bytes in URL-safe base64 (cryptographically random).
std::string NewSecretToken(std::string_view prefix);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace tarn
