// Admin routes: API tokens. Only admin tokens may use them.
#include "tarn/lake/lake.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

Status RequireAdmin(const Call& call) {
  if (call.grants.admin()) return Status::OK();
  return PermissionDenied("managing tokens needs an admin token");
}

}  // namespace

std::vector<Route> AdminRoutes(lake::Lake& lake) {
  catalog::CatalogService* cat = &lake.catalog();
  return {
      {"POST", "/tokens", true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_RETURN_IF_ERROR(RequireAdmin(call));
         TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
         TARN_RETURN_IF_ERROR(body.CheckKnown({"name", "grants"}));
         TARN_ASSIGN_OR_RETURN(std::string name, body.String("name", true));
         TARN_ASSIGN_OR_RETURN(std::string grants, body.String("grants", true));
         TARN_ASSIGN_OR_RETURN(auto issued, cat->IssueToken(name, grants));
         Json out = ToJson(issued.token);
         out["token"] = issued.secret;  // shown once
         return Reply{201, std::move(out)};
       }},
      {"GET", "/tokens", true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_RETURN_IF_ERROR(RequireAdmin(call));
         TARN_ASSIGN_OR_RETURN(auto all, cat->store().ListTokens());
         Json items = Json::array();
         for (const auto& t : all) items.push_back(ToJson(t));
         return Reply{200, {{"tokens", std::move(items)}}};
       }},
      {"DELETE", "/tokens/([^/]+)", true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_RETURN_IF_ERROR(RequireAdmin(call));
         TARN_RETURN_IF_ERROR(cat->RevokeToken(call.params[0]));
         return Reply{200, {{"revoked", call.params[0]}}};
       }},
  };
}

}  // namespace tarn::server
