// Small encodings: base64url (RFC 4648 §5, no padding) for opaque cursors, JSON string quoting.
#pragma once

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

}  // namespace tarn
