// Parameter values as clients send them in Bind, turned into the text the query service binds
// (DuckDB casts it to the parameter's type). Text values pass through, except bytea ("\x0102"
// becomes DuckDB's "\x01\x02") and arrays ("{1,2}" becomes "[1, 2]"); binary values of bool,
// int2/4/8, oid, float4/8, numeric, text types, bytea, uuid, date, time, timestamp(tz),
// interval and one-dimensional arrays of these are decoded. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::pgwire {

// `oid` is the parameter's type as the client declared it or the server described it (0 when
// unknown); `format` is 0 (text) or 1 (binary).
// Errors: kInvalidArgument (binary data that does not fit the type, a bad format code),
// kUnimplemented (binary data of a type tarn does not decode).
Result<std::string> ParamToText(int32_t oid, int16_t format, std::string_view value);

}  // namespace tarn::pgwire
