// Internal to tarn_iceberg: strict accessors over parsed JSON (with the Java reference
// implementation's messages, e.g. "Cannot parse missing int: last-column-id") and the JSON
// forms of the table-metadata parts, shared by the metadata and commit-update code. Only the
// forward declarations of nlohmann/json are included here; the .cc files include the library.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg::json {

using Json = nlohmann::ordered_json;

// Parses `text` as one JSON object. Errors: kInvalidArgument ("Cannot parse <what>: ...").
Result<Json> ParseObject(std::string_view text, std::string_view what);
// The value's JSON text, for messages (shortened when long).
std::string Show(const Json& value);
// Compact JSON text; invalid UTF-8 in strings is replaced (U+FFFD), so this never throws.
std::string Dump(const Json& value);

// Present and not null.
bool Has(const Json& obj, const char* key);

// Required values. Errors: kInvalidArgument ("Cannot parse missing int: key", "Cannot parse to
// an int value: key: \"x\"", ...).
Result<int> GetInt(const Json& obj, const char* key);
Result<int64_t> GetLong(const Json& obj, const char* key);
Result<std::string> GetString(const Json& obj, const char* key);
Result<bool> GetBool(const Json& obj, const char* key);
// nullopt when absent or null; the same errors when present with the wrong type.
Result<std::optional<int>> GetIntOrNull(const Json& obj, const char* key);
Result<std::optional<int64_t>> GetLongOrNull(const Json& obj, const char* key);
// A JSON object of strings; absent = empty.
Result<std::map<std::string, std::string>> GetStringMap(const Json& obj, const char* key);
// Arrays of one type; absent = empty.
Result<std::vector<int64_t>> GetLongList(const Json& obj, const char* key);
Result<std::vector<std::string>> GetStringList(const Json& obj, const char* key);
// The array or object at `key`, or null when absent. Errors: present with another type.
Result<const Json*> GetArrayOrNull(const Json& obj, const char* key);
Result<const Json*> GetObjectOrNull(const Json& obj, const char* key);

// The JSON forms of the model parts (see table_metadata.h). The parsers take the JSON value and
// report errors as kInvalidArgument naming the part.
Json SpecToJson(const PartitionSpec& spec);
// A partition field without "field-id" gets field_id 0 (unassigned).
Result<PartitionSpec> SpecFromJson(const Json& j);
// Fields of a v1 "partition-spec" array (spec id 0); missing field ids count up from 1000.
Result<PartitionSpec> LegacySpecFromJson(const Json& fields);
Json SortOrderToJson(const SortOrder& order);
Result<SortOrder> SortOrderFromJson(const Json& j);
Json SnapshotToJson(const Snapshot& snapshot);
Result<Snapshot> SnapshotFromJson(const Json& j);
Json RefToJson(const SnapshotRef& ref);
Result<SnapshotRef> RefFromJson(const Json& j);
// A table-spec schema object with its "schema-id" (0 when absent).
Json SchemaToJson(const schema::Schema& schema, int schema_id);
Result<std::pair<int, schema::Schema>> SchemaFromJson(const Json& j);

}  // namespace tarn::iceberg::json
