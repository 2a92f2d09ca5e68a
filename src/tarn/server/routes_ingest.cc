// Raw-zone ingestion routes: start a run (synchronously, or 202 with ?async=true), read runs.
#include <future>

#include "tarn/base/log.h"
#include "tarn/ingest/raw_ingestor.h"
#include "tarn/lake/lake.h"
#include "tarn/server/job_runner.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

using catalog::Access;

Result<catalog::Dataset> RawDataset(lake::Lake& lake, const Call& call, Access access) {
  TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().GetDataset(call.params[0]));
  TARN_RETURN_IF_ERROR(Require(call.grants, d.zone, access));
  return d;
}

Result<Reply> StartIngest(lake::Lake& lake, JobRunner& jobs, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, RawDataset(lake, call, Access::kWrite));
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body.empty() ? "{}" : call.body));
  TARN_ASSIGN_OR_RETURN(storage::ObjectStore * objects, lake.objects());
  ingest::IngestOptions options;
  options.overrides_json = body.json().dump();
  ingest::RawIngestor ingestor(lake.catalog(), *objects);
  if (call.Query("async").value_or("false") != "true") {
    TARN_ASSIGN_OR_RETURN(auto run, ingestor.Run(d.id, options));
    return Reply{201, ToJson(run)};
  }
  // Asynchronous: answer once the run record exists; the job keeps going after the reply.
  auto started = std::make_shared<std::promise<Result<catalog::IngestRun>>>();
  auto once = std::make_shared<std::once_flag>();
  options.on_start = [started, once](const catalog::IngestRun& run) {
    std::call_once(*once, [&] { started->set_value(run); });
  };
  auto future = started->get_future();
  jobs.Start([ingestor, id = d.id, options, started, once]() mutable {
    auto run = ingestor.Run(id, options);
    if (!run.ok()) {
      std::call_once(*once, [&] { started->set_value(run.status()); });
      LogWarn("ingest of dataset " + id + " did not start: " + run.status().ToString());
    }
  });
  TARN_ASSIGN_OR_RETURN(auto run, future.get());
  return Reply{202, ToJson(run)};
}

}  // namespace

std::vector<Route> IngestRoutes(lake::Lake& lake, JobRunner& jobs) {
  lake::Lake* l = &lake;
  JobRunner* j = &jobs;
  return {
      {"POST", "/datasets/([^/]+)/ingest-runs", true,
       [l, j](const Call& call) { return StartIngest(*l, *j, call); }},
      {"GET", "/datasets/([^/]+)/ingest-runs", true,
       [l](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, RawDataset(*l, call, Access::kRead));
         TARN_ASSIGN_OR_RETURN(auto runs, l->catalog().store().ListIngestRuns(d.id, 100));
         Json items = Json::array();
         for (const auto& r : runs) items.push_back(ToJson(r));
         return Reply{200, {{"ingest_runs", std::move(items)}}};
       }},
      {"GET", "/datasets/([^/]+)/ingest-runs/([^/]+)", true,
       [l](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, RawDataset(*l, call, Access::kRead));
         auto run = l->catalog().GetIngestRun(call.params[1]);
         if (!run.ok() || run->dataset_id != d.id) {
           return NotFound("no ingest run " + call.params[1] + " for dataset " + d.id);
         }
         return Reply{200, ToJson(*run)};
       }},
  };
}

}  // namespace tarn::server
