// Scalar helpers shared by the JSON->Avro converter, the Avro->JSON renderer and schema
// inference: the kText parsers (so inference and validation agree on what "42" or "t" is),
// Avro's JSON encoding of bytes, decimal encoding and JSON string escaping. Internal to the
// format module; stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tarn::format::internal {

// Strips ASCII spaces, tabs, CR and LF from both ends.
std::string_view TrimAscii(std::string_view text);

// "true"/"false"/"t"/"f" in any case, surrounding whitespace ignored.
bool ParseBoolText(std::string_view text, bool* out);

// An optionally signed decimal integer that fits int64 (surrounding whitespace ignored).
bool ParseInt64Text(std::string_view text, int64_t* out);

// A finite decimal number, with optional fraction and exponent (surrounding whitespace ignored).
bool ParseDoubleText(std::string_view text, double* out);

// True when `text` is an integer written the way a number is (no leading zeros, no '+', no
// surrounding space) and fits int64: inference reads "42" as a number but keeps "007" as text.
bool IsPlainIntText(std::string_view text);
// Same for decimals: "3.5", "-0.25", "1e9"; not "03.5", ".5", "5.", " 1".
bool IsPlainNumberText(std::string_view text);

// "YYYY-MM-DD" -> days since 1970-01-01.
bool ParseDateText(std::string_view text, int32_t* days);

// "HH:MM[:SS[.ffffff]]" -> microseconds after midnight (< 24h).
bool ParseTimeOfDayText(std::string_view text, int64_t* micros);

// Avro's JSON encoding of bytes and fixed: each code point U+0000..U+00FF is one byte. Appends
// the bytes to *out; on a code point above U+00FF returns false with it in *bad_code_point.
// `utf8` must be valid UTF-8 (simdjson validated it).
bool BytesFromAvroJsonString(std::string_view utf8, std::string* out, uint32_t* bad_code_point);

enum class DecimalError { kNone, kSyntax, kScale, kPrecision };
// Parses a decimal number ("-12.30", "1.5e3") and appends its unscaled value at `scale` as a
// big-endian two's-complement integer: the minimal length when fixed_size == 0 (bytes), else
// sign-extended to fixed_size bytes. kScale: non-zero digits beyond `scale`; kPrecision: more
// than `precision` digits (precision <= 38).
DecimalError EncodeDecimal(std::string_view text, int precision, int scale, size_t fixed_size,
                           std::string* out);
// The decimal text ("-1.00") of a big-endian two's-complement unscaled value; "" when it does
// not fit 128 bits.
std::string DecimalText(const void* data, size_t size, int scale);
// Largest precision a fixed of `size` bytes holds (capped at 38).
int MaxDecimalPrecisionForFixed(size_t size);

// JSON rendering. AppendJsonString escapes `utf8` as a JSON string (invalid UTF-8 sequences
// become U+FFFD). AppendJsonBytes renders raw bytes in Avro's JSON encoding (\u00XX).
void AppendJsonString(std::string* out, std::string_view utf8);
void AppendJsonBytes(std::string* out, const void* data, size_t size);
// Shortest text that reads back as the same value; non-finite values as "NaN"/"Infinity"
// strings (JSON has no literal for them).
void AppendJsonDouble(std::string* out, double value);
void AppendJsonFloat(std::string* out, float value);

// Shortest round-trip text of a double ("3.5", "1e+21"); "" for non-finite values.
std::string DoubleText(double value);
// Significant digits in a number's text ("0.0120" -> 3, "1200" -> 2, "1.5e3" -> 2).
int SignificantDigits(std::string_view number_text);

}  // namespace tarn::format::internal
