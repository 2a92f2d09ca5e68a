// Base64url (RFC 4648 §5, no padding), for opaque cursors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tarn {

std::string Base64UrlEncode(std::string_view data);
// nullopt if `text` is not valid unpadded base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tarn
