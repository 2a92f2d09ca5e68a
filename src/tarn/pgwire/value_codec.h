// Result values as PostgreSQL clients read them. The query service hands each value over as
// DuckDB's text (query::Row); a ColumnEncoder, chosen once per result column and format code,
// turns it into PostgreSQL's text form where the two differ (booleans t/f, floats in
// PostgreSQL's shortest form with Infinity/NaN, bytea as \x..., lists as {...} arrays,
// intervals with "mons") or into the binary form (bool, int2/4/8, float4/8, numeric, text,
// bytea, uuid, date, time, timestamp, timestamptz, interval and one-dimensional arrays of
// these). Immutable after Make; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/pgwire/types.h"
#include "tarn/query/query_service.h"

namespace tarn::pgwire {

class ColumnEncoder {
 public:
  enum class Form : uint8_t {
    kVerbatim,  // DuckDB's text is PostgreSQL's
    kBool,      // true/false -> t/f
    kFloat4,    // shortest round-trip digits, PostgreSQL's layout
    kFloat8,
    kByteaHex,   // top-level BLOB: hex digits -> \x...
    kByteaDuck,  // BLOB inside a list: DuckDB's escaped text -> \x...
    kInterval,   // months -> mons, PostgreSQL's plurals
    kArray,      // DuckDB list text -> {...}
  };

  // Errors: kInvalidArgument for a format code other than 0 (text) or 1 (binary).
  static Result<ColumnEncoder> Make(const query::Column& column, int16_t format);

  const PgType& type() const { return type_; }
  int16_t format() const { return format_; }
  // True when the value is DuckDB's text unchanged (the hot path copies it).
  bool verbatim() const { return format_ == 0 && form_ == Form::kVerbatim; }

  // Appends the encoded value, without its length word. Errors: kInvalidArgument when the
  // text does not parse as the column's type (a value DuckDB would not produce).
  Status Append(std::string_view duck_text, std::string* out) const;

 private:
  PgType type_;
  int16_t format_ = 0;
  Form form_ = Form::kVerbatim;
  Form element_form_ = Form::kVerbatim;
};

// PostgreSQL's output of a float (extra_float_digits >= 1): the shortest digits that read back
// exactly, in fixed notation for decimal exponents -4..14 (float8) or -4..5 (float4), else as
// 1.5e+20; "Infinity", "-Infinity", "NaN".
void AppendPgFloat(double value, bool float4, std::string* out);

// The elements of DuckDB's list text ("[1, 'a,b', NULL]"), unquoted; nullopt for NULL.
// False if `text` is not a list.
bool SplitDuckList(std::string_view text, std::vector<std::optional<std::string>>* out);

// Appends PostgreSQL's binary numeric for decimal text ("-12.50"). Errors: kInvalidArgument.
Status AppendNumericBinary(std::string_view text, std::string* out);

}  // namespace tarn::pgwire
