// Streaming: a raw dataset's watermark (GET /datasets/{id}/watermark, from the catalog) and the
// metrics of its stream when it runs inside this server (GET /datasets/{id}/stream, `tarn
// serve --stream DATASET`). Both need read on raw.
#include "tarn/lake/lake.h"
#include "tarn/pipeline/streaming.h"
#include "tarn/server/routes.h"

namespace tarn::server {

std::vector<Route> StreamRoutes(lake::Lake& lake, const pipeline::StreamRunner* streams) {
  lake::Lake* l = &lake;
  catalog::CatalogService* cat = &lake.catalog();
  return {
      {"GET", "/datasets/([^/]+)/watermark", true,
       [l, cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(*cat, call, call.params[0], catalog::Access::kRead));
         if (d.zone != catalog::Zone::kRaw) {
           return FailedPrecondition("dataset " + d.name + " is not a raw dataset; watermarks belong to streamed raw datasets");
         }
         Reply reply;
         TARN_ASSIGN_OR_RETURN(reply.text, pipeline::WatermarkJson(*l, d.id));
         return reply;
       }},
      {"GET", "/datasets/([^/]+)/stream", true,
       [cat, streams](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(*cat, call, call.params[0], catalog::Access::kRead));
         std::optional<pipeline::StreamPipelineStatus> status;
         if (streams) status = streams->Snapshot(d.id);
         if (!status) {
           return NotFound("no stream of " + std::string(catalog::ToString(d.zone)) + "." + d.name +
                           " runs in this server (start one with `tarn serve --stream " + d.name +
                           "`, or see `tarn stream --status-file`)");
         }
         Reply reply;
         reply.text = pipeline::StreamStatusToJson(*status);
         return reply;
       }},
  };
}

}  // namespace tarn::server
