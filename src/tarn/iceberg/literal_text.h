// Encodings shared by Literal's text, binary and JSON forms: decimal unscaled values as bytes
// and text, shortest float text, hex and uuid text. Internal to the iceberg module; stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::iceberg {

// Minimal big-endian two's complement bytes (at least one): 1420 -> 05 8C, -128 -> 80.
std::string DecimalToBytes(__int128 unscaled);
// Big-endian two's complement of any length; nullopt when the value does not fit 128 bits
// (after dropping redundant sign bytes) or `bytes` is empty.
std::optional<__int128> DecimalBytesValue(std::string_view bytes);
// DecimalBytesValue, 0 when it has none.
__int128 DecimalFromBytes(std::string_view bytes);
// "-12.50" for (-1250, 2). Exactly `scale` fraction digits.
std::string DecimalText(__int128 unscaled, int scale);
// Parses "[+-]digits[.digits]" with at most `scale` fraction digits (fewer are zero-padded)
// into the unscaled value. Errors: kInvalidArgument (not a number, too many fraction digits,
// more than `precision` digits, precision outside 1..38 or scale outside 0..precision).
Status ParseDecimalText(std::string_view text, int precision, int scale, __int128* unscaled);

// Shortest text that reads back to the same value, with ".0" on whole numbers: "3.5", "1.0",
// "1e+20", "NaN", "Infinity", "-Infinity". `as_float` rounds to float first.
std::string FloatText(double d, bool as_float);

// Upper-case hex: "0001FF". ParseHex accepts either case; nullopt on odd length or non-hex.
std::string HexText(std::string_view bytes);
std::optional<std::string> ParseHex(std::string_view text);

// Canonical lower-case 8-4-4-4-12 form of 16 bytes (hex of other lengths).
std::string UuidText(std::string_view bytes);
// The 16 bytes of "f79c3e09-677c-4bbd-a479-3f349cb785e7" (either case); nullopt otherwise.
std::optional<std::string> ParseUuid(std::string_view text);

}  // namespace tarn::iceberg
