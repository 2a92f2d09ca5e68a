// The quality gate and promotion: a raw dataset's promotion spec (PUT/GET
// /datasets/{id}/promotion), promotion runs (POST /datasets/{id}/promotions, answered when
// done) and lineage (GET /datasets/{id}/lineage). Setting a spec or promoting needs write on
// raw and curated; reading needs read on raw.
#include "tarn/base/time.h"
#include "tarn/lake/lake.h"
#include "tarn/pipeline/promotion.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

using catalog::Access;
using catalog::Zone;

Result<catalog::Dataset> RawForWrite(catalog::CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kWrite));
  TARN_RETURN_IF_ERROR(Require(call.grants, Zone::kCurated, Access::kWrite));
  return d;
}

Json SpecReply(const catalog::PromotionSpecVersion& v) {
  return {{"dataset_id", v.dataset_id}, {"version", v.version}, {"created_at", FormatIsoTimestamp(v.created_at)},
          {"spec", Json::parse(v.spec_json)}};
}

Result<pipeline::PromotionRequest> ParseRequest(const std::string& body_text) {
  pipeline::PromotionRequest req;
  if (body_text.empty()) return req;
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(body_text));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"partitions", "from", "to", "rerun_quarantined"}));
  if (body.Has("partitions")) {
    const Json& ids = body.json()["partitions"];
    if (!ids.is_array()) return InvalidArgument("partitions: must be an array of partition ids");
    for (const Json& id : ids) {
      if (!id.is_string()) return InvalidArgument("partitions: must be an array of partition ids");
      req.partition_ids.push_back(id.get<std::string>());
    }
  }
  TARN_ASSIGN_OR_RETURN(std::string from, body.String("from", false));
  TARN_ASSIGN_OR_RETURN(std::string to, body.String("to", false));
  if (!from.empty()) req.from = from;
  if (!to.empty()) req.to = to;
  TARN_ASSIGN_OR_RETURN(req.rerun_quarantined, body.Bool("rerun_quarantined", false));
  if (!req.partition_ids.empty() && (req.from || req.to)) {
    return InvalidArgument("give either partitions or from/to, not both");
  }
  return req;
}

}  // namespace

std::vector<Route> PromotionRoutes(lake::Lake& lake) {
  lake::Lake* l = &lake;
  catalog::CatalogService* cat = &lake.catalog();
  return {
      {"PUT", "/datasets/([^/]+)/promotion", true,
       [l, cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, RawForWrite(*cat, call));
         TARN_RETURN_IF_ERROR(pipeline::SetPromotionSpec(*l, d.id, call.body).status());
         TARN_ASSIGN_OR_RETURN(auto stored, cat->store().GetPromotionSpec(d.id));
         return Reply{200, SpecReply(*stored)};
       }},
      {"GET", "/datasets/([^/]+)/promotion", true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(*cat, call, call.params[0], Access::kRead));
         TARN_ASSIGN_OR_RETURN(auto stored, cat->store().GetPromotionSpec(d.id));
         if (!stored) return NotFound("dataset " + d.name + " has no promotion spec");
         return Reply{200, SpecReply(*stored)};
       }},
      {"POST", "/datasets/([^/]+)/promotions", true,
       [l, cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, RawForWrite(*cat, call));
         TARN_ASSIGN_OR_RETURN(auto req, ParseRequest(call.body));
         TARN_ASSIGN_OR_RETURN(auto result, pipeline::Promote(*l, d.id, req));
         Reply reply;
         reply.text = pipeline::PromotionResultToJson(result);
         return reply;
       }},
      {"GET", "/datasets/([^/]+)/lineage", true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(*cat, call, call.params[0], Access::kRead));
         TARN_ASSIGN_OR_RETURN(auto records, cat->store().ListLineage(d.id, 1000));
         Json items = Json::array();
         for (const auto& r : records) {
           items.push_back({{"partition_id", r.partition_id}, {"partition_key", r.partition_key},
                            {"quality_run_id", r.quality_run_id ? Json(*r.quality_run_id) : Json()},
                            {"target_table", r.target_table}, {"snapshot_id", r.snapshot_id},
                            {"rows_in", r.rows_in}, {"rows_out", r.rows_out},
                            {"promoted_at", FormatIsoTimestamp(r.promoted_at)}});
         }
         return Reply{200, {{"lineage", std::move(items)}}};
       }},
  };
}

}  // namespace tarn::server
