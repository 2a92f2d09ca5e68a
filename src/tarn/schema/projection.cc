#include "tarn/schema/projection.h"

#include <nlohmann/json.hpp>

namespace tarn::schema {
namespace {

using Json = nlohmann::ordered_json;

// The JSON key a field's values are rendered under.
std::string KeyOf(const NestedField& f) {
  auto it = f.extra_props.find("tarn.json_name");
  if (it != f.extra_props.end()) {
    Json name = Json::parse(it->second, nullptr, false);
    if (name.is_string()) return name.get<std::string>();
  }
  return f.name;
}

const NestedField* Counterpart(const NestedField& r, const std::vector<NestedField>& written) {
  if (r.id > 0) {
    for (const NestedField& w : written) {
      if (w.id == r.id) return &w;
    }
  }
  for (const NestedField& w : written) {
    if ((r.id == 0 || w.id == 0) && w.name == r.name) return &w;
  }
  for (const std::string& alias : r.aliases) {
    for (const NestedField& w : written) {
      if ((r.id == 0 || w.id == 0) && w.name == alias) return &w;
    }
  }
  return nullptr;
}

Json Project(const Json& v, const Type& w, const Type& r);

Json ProjectStruct(const Json& obj, const std::vector<NestedField>& written,
                   const std::vector<NestedField>& read) {
  Json out = Json::object();
  for (const NestedField& rf : read) {
    const NestedField* wf = Counterpart(rf, written);
    auto it = wf ? obj.find(KeyOf(*wf)) : obj.end();
    if (it != obj.end()) {
      out[KeyOf(rf)] = Project(*it, *wf->type, *rf.type);
    } else if (rf.default_json) {
      out[KeyOf(rf)] = Json::parse(*rf.default_json, nullptr, false);
    } else {
      out[KeyOf(rf)] = nullptr;
    }
  }
  return out;
}

Json Project(const Json& v, const Type& w, const Type& r) {
  if (v.is_null()) return v;
  if (r.id == TypeId::kStruct && w.id == TypeId::kStruct && v.is_object()) {
    return ProjectStruct(v, w.fields, r.fields);
  }
  if (r.id == TypeId::kList && w.id == TypeId::kList && v.is_array()) {
    Json out = Json::array();
    for (const Json& e : v) out.push_back(Project(e, *w.element.type, *r.element.type));
    return out;
  }
  if (r.id == TypeId::kMap && w.id == TypeId::kMap && v.is_object()) {
    Json out = Json::object();
    for (const auto& [k, e] : v.items()) out[k] = Project(e, *w.value.type, *r.value.type);
    return out;
  }
  if ((r.id == TypeId::kFloat || r.id == TypeId::kDouble) && v.is_number_integer()) {
    return Json(v.get<double>());
  }
  if (r.id == TypeId::kString && !v.is_string()) return Json(v.dump());
  return v;
}

}  // namespace

Result<std::string> ProjectRecord(const std::string& record_json, const Schema& written,
                                  const Schema& read) {
  Json record = Json::parse(record_json, nullptr, false);
  if (record.is_discarded() || !record.is_object()) {
    return InvalidArgument("record is not a JSON object");
  }
  return ProjectStruct(record, written.fields(), read.fields())
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tarn::schema
