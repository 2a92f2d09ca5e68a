// Schema registry routes: register (compatibility-checked), check, compatibility mode,
// versions as of a time, diffs, and evolution of curated/serving schemas.
#include <cstdlib>

#include "tarn/lake/lake.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

using catalog::Access;
using catalog::CatalogService;
using server::ToJson;  // the entity renderers, next to the two below

Json ToJson(const schema::Incompatibility& i) {
  return {{"path", i.path}, {"old_type", i.old_type}, {"new_type", i.new_type},
          {"rule", i.rule}, {"message", i.message}};
}

Json ToJson(const catalog::SchemaCheck& check) {
  Json list = Json::array();
  for (const auto& i : check.incompatibilities) list.push_back(ToJson(i));
  return {{"compatible", check.compatible()},
          {"compatibility", check.mode},
          {"incompatibilities", std::move(list)}};
}

struct SchemaRequest {
  std::string schema_json;
  bool set_current = true;
};

Result<SchemaRequest> ParseSchemaRequest(const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"schema_json", "set_current"}));
  SchemaRequest r;
  TARN_ASSIGN_OR_RETURN(r.schema_json, body.Document("schema_json", true));
  TARN_ASSIGN_OR_RETURN(r.set_current, body.Bool("set_current", true));
  return r;
}

Result<Reply> Register(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kWrite));
  TARN_ASSIGN_OR_RETURN(auto req, ParseSchemaRequest(call));
  TARN_ASSIGN_OR_RETURN(auto check, cat.CheckSchema(d.id, req.schema_json));
  if (!check.compatible()) {
    Json body = ToJson(check);
    body["error"] = {{"code", "incompatible_schema"},
                     {"message", std::to_string(check.incompatibilities.size()) +
                                     " incompatibilities with earlier versions under " +
                                     check.mode + "; nothing was registered"}};
    return Reply{409, std::move(body)};
  }
  TARN_ASSIGN_OR_RETURN(auto reg, cat.RegisterSchema(d.id, req.schema_json, req.set_current));
  return Reply{reg.created ? 201 : 200, {{"schema_version_id", reg.version.id},
                                         {"version", reg.version.version},
                                         {"is_current", reg.version.is_current},
                                         {"created", reg.created}}};
}

Result<Reply> Check(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kRead));
  TARN_ASSIGN_OR_RETURN(auto req, ParseSchemaRequest(call));
  TARN_ASSIGN_OR_RETURN(auto check, cat.CheckSchema(d.id, req.schema_json));
  return Reply{200, ToJson(check)};
}

Result<Reply> List(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kRead));
  if (auto as_of = call.Query("as_of")) {
    TARN_ASSIGN_OR_RETURN(auto v, cat.SchemaAsOf(d.id, *as_of));
    return Reply{200, ToJson(v)};
  }
  TARN_ASSIGN_OR_RETURN(auto all, cat.ListSchemas(d.id));
  Json items = Json::array();
  for (const auto& v : all) items.push_back(ToJson(v));
  return Reply{200, {{"schemas", std::move(items)}}};
}

Result<int> VersionParam(const std::string& text) {
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 1) return InvalidArgument("version: '" + text + "' is not a version number");
  return static_cast<int>(v);
}

Result<Reply> Version(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kRead));
  TARN_ASSIGN_OR_RETURN(int number, VersionParam(call.params[1]));
  TARN_ASSIGN_OR_RETURN(auto all, cat.ListSchemas(d.id));
  for (const auto& v : all) {
    if (v.version == number) return Reply{200, ToJson(v)};
  }
  return NotFound("dataset " + d.name + " has no schema version " + call.params[1]);
}

Result<Reply> Diff(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kRead));
  TARN_ASSIGN_OR_RETURN(int v1, VersionParam(call.params[1]));
  TARN_ASSIGN_OR_RETURN(int v2, VersionParam(call.params[2]));
  TARN_ASSIGN_OR_RETURN(std::string diff, cat.DiffSchemas(d.id, v1, v2));
  Json body = Json::parse(diff);
  body["from"] = v1;
  body["to"] = v2;
  return Reply{200, std::move(body)};
}

Result<Reply> SetCompatibility(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kWrite));
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"compatibility"}));
  TARN_ASSIGN_OR_RETURN(std::string mode, body.String("compatibility", true));
  TARN_RETURN_IF_ERROR(cat.SetCompatibility(d.id, mode));
  return Reply{200, {{"compatibility", mode}}};
}

Result<Reply> Evolve(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kWrite));
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"operations"}));
  const Json& list = body.json().contains("operations") ? body.json()["operations"] : Json();
  if (!list.is_array()) return InvalidArgument("operations: must be an array");
  std::vector<schema::EvolutionOp> ops;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string ctx = "operations[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return InvalidArgument(ctx + ": must be an object");
    JsonBody op(list[i]);
    auto known = op.CheckKnown({"op", "column", "new_name", "type", "required", "after", "default", "doc"});
    if (!known.ok()) return known.WithContext(ctx);
    schema::EvolutionOp e;
    auto fill = [&]() -> Status {
      TARN_ASSIGN_OR_RETURN(e.op, op.String("op", true));
      TARN_ASSIGN_OR_RETURN(e.column, op.String("column", true));
      TARN_ASSIGN_OR_RETURN(e.new_name, op.String("new_name", false));
      TARN_ASSIGN_OR_RETURN(e.type, op.String("type", false));
      TARN_ASSIGN_OR_RETURN(e.required, op.Bool("required", false));
      TARN_ASSIGN_OR_RETURN(e.after, op.String("after", false));
      TARN_ASSIGN_OR_RETURN(e.doc, op.String("doc", false));
      TARN_ASSIGN_OR_RETURN(std::string def, op.Document("default", false));
      if (!def.empty()) e.default_json = def;
      return Status::OK();
    };
    TARN_RETURN_IF_ERROR(fill().WithContext(ctx));
    ops.push_back(std::move(e));
  }
  TARN_ASSIGN_OR_RETURN(auto reg, cat.EvolveSchema(d.id, ops));
  return Reply{201, ToJson(reg.version)};
}

}  // namespace

std::vector<Route> SchemaRoutes(lake::Lake& lake) {
  CatalogService* cat = &lake.catalog();
  auto bind = [cat](Result<Reply> (*fn)(CatalogService&, const Call&)) {
    return [cat, fn](const Call& call) { return fn(*cat, call); };
  };
  return {
      {"POST", "/datasets/([^/]+)/schemas", true, bind(Register)},
      {"GET", "/datasets/([^/]+)/schemas", true, bind(List)},
      {"POST", "/datasets/([^/]+)/schemas/check", true, bind(Check)},
      {"GET", "/datasets/([^/]+)/schemas/([^/]+)", true, bind(Version)},
      {"GET", "/datasets/([^/]+)/schemas/([^/]+)/diff/([^/]+)", true, bind(Diff)},
      {"GET", "/datasets/([^/]+)/compatibility", true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(*cat, call, call.params[0], Access::kRead));
         return Reply{200, {{"compatibility", d.compatibility}}};
       }},
      {"PUT", "/datasets/([^/]+)/compatibility", true, bind(SetCompatibility)},
      {"POST", "/datasets/([^/]+)/schema-evolutions", true, bind(Evolve)},
  };
}

}  // namespace tarn::server
