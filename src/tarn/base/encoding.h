// Small encodings: base64url (RFC 4648 §5, no padding) for opaque cursors, JSON string quoting,
// Avro's binary long and bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tarn {

std::string Base64UrlEncode(std::string_view data);
// nullopt if `text` is not valid unpadded base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Appends `s` to `out` as a quoted JSON string (control characters escaped; bytes >= 0x80
// copied as they are, so valid UTF-8 stays valid).
void AppendJsonString(std::string* out, std::string_view s);

// Appends Avro's binary encoding of a long (zig-zag, then base-128 varint) / of bytes or a
// string (the length as a long, then the bytes).
void AppendAvroLong(std::string* out, int64_t v);
void AppendAvroBytes(std::string* out, std::string_view s);

}  // namespace tarn
