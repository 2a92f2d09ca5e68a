#include "tarn/engine/iceberg_functions.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::engine {
namespace {

enum class Input { kLong, kBlob, kDecimalText };

std::string_view StringAt(duckdb_vector v, idx_t row) {
  auto* s = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v)) + row;
  return {duckdb_string_t_data(s), duckdb_string_t_length(*s)};
}

// A decimal's exact text keeps its scale in the digits after the point; the bucket hashes the
// unscaled value, so the declared precision does not matter (38 admits every decimal).
Result<iceberg::Literal> DecimalFromText(std::string_view text) {
  size_t point = text.find('.');
  int scale = point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
  return iceberg::Literal::Decimal(text, 38, scale);
}

template <Input kKind>
Result<iceberg::Literal> ValueAt(duckdb_vector v, idx_t row) {
  if constexpr (kKind == Input::kLong) {
    return iceberg::Literal::Long(static_cast<int64_t*>(duckdb_vector_get_data(v))[row]);
  } else if constexpr (kKind == Input::kBlob) {
    return iceberg::Literal::Binary(std::string(StringAt(v, row)));
  } else {
    return DecimalFromText(StringAt(v, row));
  }
}

Result<int32_t> Bucket(const iceberg::Literal& value, int32_t n) {
  if (n <= 0) return InvalidArgument("bucket count must be positive, got " + std::to_string(n));
  TARN_ASSIGN_OR_RETURN(iceberg::Literal bucket,
                        iceberg::Apply({iceberg::Transform::kBucket, n}, value));
  return static_cast<int32_t>(bucket.i);
}

bool IsValid(const uint64_t* validity, idx_t row) {
  return !validity || duckdb_validity_row_is_valid(const_cast<uint64_t*>(validity), row);
}

// DuckDB hands C functions flat vectors (it flattens constants first).
template <Input kKind>
void BucketFunction(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  idx_t size = duckdb_data_chunk_get_size(input);
  duckdb_vector values = duckdb_data_chunk_get_vector(input, 0);
  duckdb_vector counts = duckdb_data_chunk_get_vector(input, 1);
  const uint64_t* values_valid = duckdb_vector_get_validity(values);
  const uint64_t* counts_valid = duckdb_vector_get_validity(counts);
  const auto* n = static_cast<const int32_t*>(duckdb_vector_get_data(counts));
  auto* out = static_cast<int32_t*>(duckdb_vector_get_data(output));
  duckdb_vector_ensure_validity_writable(output);
  uint64_t* out_valid = duckdb_vector_get_validity(output);
  for (idx_t row = 0; row < size; ++row) {
    if (!IsValid(values_valid, row) || !IsValid(counts_valid, row)) {
      duckdb_validity_set_row_invalid(out_valid, row);
      continue;
    }
    Result<iceberg::Literal> value = ValueAt<kKind>(values, row);
    Result<int32_t> bucket = value.ok() ? Bucket(*value, n[row]) : Result<int32_t>(value.status());
    if (!bucket.ok()) {
      duckdb_scalar_function_set_error(info, bucket.status().message().c_str());
      return;
    }
    out[row] = *bucket;
  }
}

duckdb_scalar_function MakeFunction(const char* name, duckdb_type arg,
                                    duckdb_scalar_function_t fn) {
  duckdb_scalar_function f = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(f, name);
  duckdb_logical_type arg_type = duckdb_create_logical_type(arg);
  duckdb_logical_type int_type = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
  duckdb_scalar_function_add_parameter(f, arg_type);
  duckdb_scalar_function_add_parameter(f, int_type);
  duckdb_scalar_function_set_return_type(f, int_type);
  duckdb_destroy_logical_type(&arg_type);
  duckdb_destroy_logical_type(&int_type);
  duckdb_scalar_function_set_function(f, fn);
  return f;
}

}  // namespace

Status RegisterIcebergFunctions(duckdb_connection conn) {
  duckdb_scalar_function_set set = duckdb_create_scalar_function_set("tarn_iceberg_bucket");
  duckdb_scalar_function by_long =
      MakeFunction("tarn_iceberg_bucket", DUCKDB_TYPE_BIGINT, BucketFunction<Input::kLong>);
  duckdb_scalar_function by_blob =
      MakeFunction("tarn_iceberg_bucket", DUCKDB_TYPE_BLOB, BucketFunction<Input::kBlob>);
  bool ok = duckdb_add_scalar_function_to_set(set, by_long) == DuckDBSuccess &&
            duckdb_add_scalar_function_to_set(set, by_blob) == DuckDBSuccess &&
            duckdb_register_scalar_function_set(conn, set) == DuckDBSuccess;
  duckdb_destroy_scalar_function(&by_long);
  duckdb_destroy_scalar_function(&by_blob);
  duckdb_destroy_scalar_function_set(&set);
  duckdb_scalar_function by_decimal = MakeFunction(
      "tarn_iceberg_bucket_decimal", DUCKDB_TYPE_VARCHAR, BucketFunction<Input::kDecimalText>);
  ok = ok && duckdb_register_scalar_function(conn, by_decimal) == DuckDBSuccess;
  duckdb_destroy_scalar_function(&by_decimal);
  if (!ok) return Internal("registering tarn_iceberg_bucket functions with DuckDB");
  return Status::OK();
}

}  // namespace tarn::engine
