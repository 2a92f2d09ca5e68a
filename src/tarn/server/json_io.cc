#include "tarn/server/json_io.h"

#include "tarn/base/encoding.h"

#include <cmath>

namespace tarn::server {
namespace {

std::string TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::number_float: return "a fractional number";
    default: return "a number";
  }
}

Status WrongType(const char* field, const char* expected, const Json& got) {
  return InvalidArgument(std::string(field) + ": must be " + expected + ", got " + TypeName(got));
}

Json Time(UnixMicros t) { return FormatIsoTimestamp(t); }

}  // namespace

Result<JsonBody> JsonBody::Parse(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("request body is not valid JSON");
  if (!j.is_object()) return InvalidArgument("request body must be a JSON object");
  return JsonBody(std::move(j));
}

Status JsonBody::CheckKnown(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : j_.items()) {
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (!found) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return InvalidArgument(key + ": unknown field; expected one of " + list);
    }
  }
  return Status::OK();
}

Result<std::string> JsonBody::String(const char* field, bool required) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) {
    if (required) return InvalidArgument(std::string(field) + ": is required");
    return std::string();
  }
  if (!it->is_string()) return WrongType(field, "a string", *it);
  return it->get<std::string>();
}

Result<int64_t> JsonBody::Int(const char* field, int64_t fallback) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_unsigned()) return InvalidArgument(std::string(field) + ": too large");
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  }
  return WrongType(field, "an integer", *it);
}

Result<std::optional<double>> JsonBody::OptNumber(const char* field) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return WrongType(field, "a number", *it);
  return std::optional<double>(it->get<double>());
}

Result<bool> JsonBody::Bool(const char* field, bool fallback) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return WrongType(field, "true or false", *it);
  return it->get<bool>();
}

Result<std::string> JsonBody::Document(const char* field, bool required) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) {
    if (required) return InvalidArgument(std::string(field) + ": is required");
    return std::string();
  }
  return it->dump();
}

Json ToJson(const catalog::DataSource& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"type", catalog::ToString(s.type)},
          {"connection_config", Json::parse(s.connection_config, nullptr, false)},
          {"owner", s.owner},
          {"created_at", Time(s.created_at)}};
}

Json ToJson(const catalog::Dataset& d) {
  return {{"id", d.id},
          {"source_id", d.source_id},
          {"name", d.name},
          {"zone", catalog::ToString(d.zone)},
          {"schema_version_id", d.schema_version_id ? Json(*d.schema_version_id) : Json()},
          {"schema_version", d.schema_version ? Json(*d.schema_version) : Json()},
          {"owner", d.owner},
          {"sla_hours", d.sla_hours},
          {"compatibility", d.compatibility},
          {"created_at", Time(d.created_at)},
          {"updated_at", Time(d.updated_at)}};
}

Json ToJson(const catalog::SchemaVersion& v) {
  return {{"id", v.id},
          {"dataset_id", v.dataset_id},
          {"version", v.version},
          {"schema_json", Json::parse(v.schema_json, nullptr, false)},
          {"fingerprint", v.fingerprint},
          {"is_current", v.is_current},
          {"created_at", Time(v.created_at)}};
}

void AppendPartitionJson(std::string* out, const catalog::Partition& p,
                         const storage::LakeLocation& lake) {
  AppendPartitionJson(out, catalog::AsPartitionRow(p), lake);
}

void AppendPartitionJson(std::string* out, const catalog::PartitionRow& p,
                         const storage::LakeLocation& lake) {
  // Keys in sorted order, as the Json documents of every other response print them.
  auto key = [out](std::string_view k) {
    *out += out->back() == '{' ? "\"" : ",\"";
    *out += k;
    *out += "\":";
  };
  auto str = [&](std::string_view k, std::string_view v) {
    key(k);
    AppendJsonString(out, v);
  };
  *out += '{';
  str("created_at", FormatIsoTimestamp(p.created_at));
  str("dataset_id", p.dataset_id);
  str("file_path", p.file_path);
  str("format", catalog::ToString(p.format));
  str("id", p.id);
  str("location", lake.Resolve(p.file_path));
  str("partition_key", p.partition_key);
  key("row_count");
  *out += std::to_string(p.row_count);
  if (p.schema_version_id) {
    str("schema_version_id", *p.schema_version_id);
  } else {
    key("schema_version_id");
    *out += "null";
  }
  key("size_bytes");
  *out += std::to_string(p.size_bytes);
  str("status", catalog::ToString(p.status));
  *out += '}';
}

Json ToJson(const catalog::Partition& p, const storage::LakeLocation& lake) {
  std::string text;
  AppendPartitionJson(&text, p, lake);
  return Json::parse(text);
}

Json ToJson(const catalog::QualityRun& r) {
  return {{"id", r.id},
          {"partition_id", r.partition_id},
          {"dataset_id", r.dataset_id},
          {"status", catalog::ToString(r.status)},
          {"rules_passed", r.rules_passed},
          {"rules_failed", r.rules_failed},
          {"anomaly_score", r.anomaly_score ? Json(*r.anomaly_score) : Json()},
          {"run_at", Time(r.run_at)},
          // What the quality gate found (rules with their results, profile, anomaly), when it ran.
          {"details", r.details ? Json::parse(*r.details, nullptr, false) : Json()}};
}

Json ToJson(const catalog::IngestRun& r) {
  auto opt = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(); };
  return {{"id", r.id},
          {"dataset_id", r.dataset_id},
          {"status", catalog::ToString(r.status)},
          {"window", r.window_description},
          {"window_key", r.window_key},
          {"files_written", r.files_written},
          {"records_accepted", r.records_accepted},
          {"records_rejected", r.records_rejected},
          {"bytes_read", r.bytes_read},
          {"deadletter_path", opt(r.deadletter_path)},
          {"end_cursor", opt(r.end_cursor)},
          {"error", opt(r.error)},
          {"started_at", Time(r.started_at)},
          {"finished_at", r.finished_at ? Json(Time(*r.finished_at)) : Json()}};
}

Json ToJson(const catalog::AlertDelivery& d) {
  auto opt = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(); };
  Json payload = Json::parse(d.payload, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) payload = d.payload;
  return {{"id", d.id},
          {"dataset_id", d.dataset_id},
          {"partition_id", opt(d.partition_id)},
          {"kind", d.kind},
          {"severity", d.severity},
          {"format", d.format},
          {"destination", d.destination},
          {"status", catalog::ToString(d.status)},
          {"attempts", d.attempts},
          {"http_status", d.http_status ? Json(*d.http_status) : Json()},
          {"last_error", opt(d.last_error)},
          {"created_at", Time(d.created_at)},
          {"finished_at", Time(d.finished_at)},
          {"payload", std::move(payload)}};
}

Json ToJson(const catalog::ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"grants", t.grants},
          {"created_at", Time(t.created_at)},
          {"revoked_at", t.revoked_at ? Json(Time(*t.revoked_at)) : Json()}};
}

}  // namespace tarn::server
