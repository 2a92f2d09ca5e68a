// Strict JSON accessors; the messages follow the Iceberg Java JsonUtil so that errors read the
// same whichever implementation a user met first.
#include "tarn/iceberg/json_internal.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace tarn::iceberg::json {
namespace {

Status Missing(const char* type, const char* key) {
  return InvalidArgument(std::string("Cannot parse missing ") + type + ": " + key);
}

Status WrongType(const char* type, const char* key, const Json& v) {
  return InvalidArgument(std::string("Cannot parse to ") + type + " value: " + key + ": " +
                         Show(v));
}

bool FitsInt(const Json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= std::numeric_limits<int32_t>::max();
  if (!v.is_number_integer()) return false;
  int64_t x = v.get<int64_t>();
  return x >= std::numeric_limits<int32_t>::min() && x <= std::numeric_limits<int32_t>::max();
}

bool FitsLong(const Json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= std::numeric_limits<int64_t>::max();
  return v.is_number_integer();
}

}  // namespace

Result<Json> ParseObject(std::string_view text, std::string_view what) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("Cannot parse " + std::string(what) + ": not JSON");
  if (!j.is_object()) {
    return InvalidArgument("Cannot parse " + std::string(what) + " from a non-object: " + Show(j));
  }
  return j;
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Show(const Json& value) {
  std::string text = Dump(value);
  constexpr size_t kMax = 200;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

bool Has(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && !it->is_null();
}

Result<int> GetInt(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Missing("int", key);
  if (!FitsInt(*it)) return WrongType("an integer", key, *it);
  return it->get<int>();
}

Result<int64_t> GetLong(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Missing("long", key);
  if (!FitsLong(*it)) return WrongType("a long", key, *it);
  return it->get<int64_t>();
}

Result<std::string> GetString(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Missing("string", key);
  if (!it->is_string()) return WrongType("a string", key, *it);
  return it->get<std::string>();
}

Result<bool> GetBool(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Missing("boolean", key);
  if (!it->is_boolean()) return WrongType("a boolean", key, *it);
  return it->get<bool>();
}

Result<std::optional<int>> GetIntOrNull(const Json& obj, const char* key) {
  if (!Has(obj, key)) return std::optional<int>();
  TARN_ASSIGN_OR_RETURN(int v, GetInt(obj, key));
  return std::optional<int>(v);
}

Result<std::optional<int64_t>> GetLongOrNull(const Json& obj, const char* key) {
  if (!Has(obj, key)) return std::optional<int64_t>();
  TARN_ASSIGN_OR_RETURN(int64_t v, GetLong(obj, key));
  return std::optional<int64_t>(v);
}

Result<std::map<std::string, std::string>> GetStringMap(const Json& obj, const char* key) {
  std::map<std::string, std::string> out;
  TARN_ASSIGN_OR_RETURN(const Json* map, GetObjectOrNull(obj, key));
  if (map == nullptr) return out;
  for (const auto& [k, v] : map->items()) {
    if (!v.is_string()) return WrongType("a string", (std::string(key) + "." + k).c_str(), v);
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<std::vector<int64_t>> GetLongList(const Json& obj, const char* key) {
  std::vector<int64_t> out;
  TARN_ASSIGN_OR_RETURN(const Json* list, GetArrayOrNull(obj, key));
  if (list == nullptr) return out;
  for (const Json& v : *list) {
    if (!FitsLong(v)) return WrongType("a long", key, v);
    out.push_back(v.get<int64_t>());
  }
  return out;
}

Result<std::vector<std::string>> GetStringList(const Json& obj, const char* key) {
  std::vector<std::string> out;
  TARN_ASSIGN_OR_RETURN(const Json* list, GetArrayOrNull(obj, key));
  if (list == nullptr) return out;
  for (const Json& v : *list) {
    if (!v.is_string()) return WrongType("a string", key, v);
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<const Json*> GetArrayOrNull(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return static_cast<const Json*>(nullptr);
  if (!it->is_array()) {
    return InvalidArgument(std::string("Cannot parse ") + key + " from non-array: " + Show(*it));
  }
  return &*it;
}

Result<const Json*> GetObjectOrNull(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return static_cast<const Json*>(nullptr);
  if (!it->is_object()) {
    return InvalidArgument(std::string("Cannot parse ") + key + " from non-object: " + Show(*it));
  }
  return &*it;
}

}  // namespace tarn::iceberg::json
