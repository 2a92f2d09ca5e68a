// Control-plane catalog routes: sources, datasets, schemas, partitions, quality runs.
#include "tarn/base/encoding.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/lake/lake.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

using catalog::Access;
using catalog::CatalogService;
using catalog::Zone;

constexpr const char* kId = "([^/]+)";

std::string Path(std::string_view p) {
  std::string out(p);
  for (size_t pos; (pos = out.find("{id}")) != std::string::npos;) out.replace(pos, 4, kId);
  return out;
}

Reply Created(bool created, Json body) { return {created ? 201 : 200, std::move(body)}; }

Result<catalog::PartitionSpec> ParsePartitionSpec(const JsonBody& b) {
  TARN_RETURN_IF_ERROR(
      b.CheckKnown({"partition_key", "file_path", "format", "row_count", "size_bytes"}));
  catalog::PartitionSpec s;
  TARN_ASSIGN_OR_RETURN(s.partition_key, b.String("partition_key", true));
  TARN_ASSIGN_OR_RETURN(s.file_path, b.String("file_path", true));
  TARN_ASSIGN_OR_RETURN(s.format, b.String("format", true));
  TARN_ASSIGN_OR_RETURN(s.row_count, b.Int("row_count", 0));
  TARN_ASSIGN_OR_RETURN(s.size_bytes, b.Int("size_bytes", 0));
  return s;
}

Result<Reply> CreateSource(CatalogService& cat, const Call& call) {
  // Sources feed the raw zone: registering one needs write access to raw.
  TARN_RETURN_IF_ERROR(Require(call.grants, Zone::kRaw, Access::kWrite));
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"name", "type", "connection_config", "owner"}));
  catalog::SourceSpec spec;
  TARN_ASSIGN_OR_RETURN(spec.name, body.String("name", true));
  TARN_ASSIGN_OR_RETURN(spec.type, body.String("type", true));
  TARN_ASSIGN_OR_RETURN(spec.connection_config, body.Document("connection_config", false));
  TARN_ASSIGN_OR_RETURN(spec.owner, body.String("owner", true));
  TARN_ASSIGN_OR_RETURN(auto s, cat.CreateSource(spec));
  return Reply{201, {{"source_id", s.id}, {"created_at", FormatIsoTimestamp(s.created_at)}}};
}

Result<Reply> UpsertDataset(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"source_id", "name", "zone", "owner", "sla_hours"}));
  catalog::DatasetSpec spec;
  TARN_ASSIGN_OR_RETURN(spec.source_id, body.String("source_id", true));
  TARN_ASSIGN_OR_RETURN(spec.name, body.String("name", true));
  TARN_ASSIGN_OR_RETURN(spec.zone, body.String("zone", true));
  TARN_ASSIGN_OR_RETURN(spec.owner, body.String("owner", true));
  TARN_ASSIGN_OR_RETURN(spec.sla_hours, body.Int("sla_hours", 24));
  Zone zone;
  if (catalog::Parse(spec.zone, &zone)) {
    TARN_RETURN_IF_ERROR(Require(call.grants, zone, Access::kWrite));
  }
  TARN_ASSIGN_OR_RETURN(auto up, cat.UpsertDataset(spec));
  return Created(up.created, {{"dataset_id", up.dataset.id}, {"created", up.created}});
}

Result<Reply> ListDatasets(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto all, cat.ListDatasets(call.Query("zone").value_or(""),
                                                   call.Query("source").value_or(
                                                       call.Query("source_id").value_or(""))));
  Json items = Json::array();
  for (const auto& d : all) {
    if (call.grants.Allows(d.zone, Access::kRead)) items.push_back(ToJson(d));
  }
  return Reply{200, {{"datasets", std::move(items)}}};
}

Result<Reply> RegisterPartitions(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kWrite));
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  std::vector<catalog::PartitionSpec> specs;
  bool batch = body.Has("partitions");
  if (batch) {
    // Batch path: {"partitions": [ {...}, ... ]}, registered in one transaction.
    TARN_RETURN_IF_ERROR(body.CheckKnown({"partitions"}));
    const Json& list = body.json()["partitions"];
    if (!list.is_array()) return InvalidArgument("partitions: must be an array");
    specs.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      std::string ctx = "partitions[" + std::to_string(i) + "]";
      if (!list[i].is_object()) return InvalidArgument(ctx + ": must be an object");
      auto spec = ParsePartitionSpec(JsonBody(list[i]));
      if (!spec.ok()) return spec.status().WithContext(ctx);
      specs.push_back(std::move(spec).value());
    }
  } else {
    TARN_ASSIGN_OR_RETURN(auto spec, ParsePartitionSpec(body));
    specs.push_back(std::move(spec));
  }
  TARN_ASSIGN_OR_RETURN(auto regs, cat.RegisterPartitions(d.id, specs));
  if (!batch) {
    return Created(regs[0].created,
                   {{"partition_id", regs[0].partition.id}, {"created", regs[0].created}});
  }
  Json out = Json::array();
  int64_t created = 0;
  for (const auto& r : regs) {
    created += r.created;
    out.push_back({{"partition_id", r.partition.id}, {"created", r.created}});
  }
  return Created(created > 0, {{"partitions", std::move(out)}, {"created", created}});
}

Result<Reply> ListPartitions(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], Access::kRead));
  catalog::PartitionListSpec spec;
  spec.from = call.Query("from");
  spec.to = call.Query("to");
  spec.status = call.Query("status");
  spec.cursor = call.Query("cursor");
  if (auto limit = call.Query("limit")) {
    char* end = nullptr;
    spec.limit = std::strtoll(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0') return InvalidArgument("limit: must be an integer");
  }
  // Rendered row by row from the store's borrowed rows: listings can be thousands of rows.
  Reply reply;
  std::string& out = reply.text;
  out.reserve(64 + std::min<int64_t>(spec.limit, 5000) * 420);
  out += "{\"partitions\":[";
  bool first = true;
  TARN_ASSIGN_OR_RETURN(auto next_cursor,
                        cat.VisitPartitions(d, spec, [&](const catalog::PartitionRow& row) {
                          if (!first) out += ',';
                          first = false;
                          AppendPartitionJson(&out, row, cat.lake());
                          return Status::OK();
                        }));
  out += "],\"next_cursor\":";
  if (next_cursor) {
    AppendJsonString(&out, *next_cursor);
  } else {
    out += "null";
  }
  out += '}';
  return reply;
}

Result<Reply> RecordQualityRun(CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto p, cat.GetPartition(call.params[0]));
  TARN_RETURN_IF_ERROR(DatasetFor(cat, call, p.dataset_id, Access::kWrite).status());
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(
      body.CheckKnown({"rules_passed", "rules_failed", "anomaly_score", "status"}));
  catalog::QualityRunSpec spec;
  TARN_ASSIGN_OR_RETURN(spec.status, body.String("status", true));
  TARN_ASSIGN_OR_RETURN(spec.rules_passed, body.Int("rules_passed", 0));
  TARN_ASSIGN_OR_RETURN(spec.rules_failed, body.Int("rules_failed", 0));
  TARN_ASSIGN_OR_RETURN(spec.anomaly_score, body.OptNumber("anomaly_score"));
  TARN_ASSIGN_OR_RETURN(auto out, cat.RecordQualityRun(p.id, spec));
  return Reply{201, {{"run_id", out.run.id},
                     {"promotion_blocked", out.promotion_blocked},
                     {"partition_status", catalog::ToString(out.partition_status)}}};
}

}  // namespace

Result<catalog::Dataset> DatasetFor(CatalogService& cat, const Call& call, const std::string& id,
                                    Access access) {
  TARN_ASSIGN_OR_RETURN(auto d, cat.GetDataset(id));
  TARN_RETURN_IF_ERROR(Require(call.grants, d.zone, access));
  return d;
}

std::vector<Route> CatalogRoutes(lake::Lake& lake) {
  CatalogService* cat = &lake.catalog();
  auto bind = [cat](Result<Reply> (*fn)(CatalogService&, const Call&)) {
    return [cat, fn](const Call& call) { return fn(*cat, call); };
  };
  return {
      {"POST", "/sources", true, bind(CreateSource)},
      {"GET", "/sources", true,
       [cat](const Call& call) -> Result<Reply> {
         if (!call.grants.AllowsAny(Access::kRead)) return PermissionDenied("no read grant");
         TARN_ASSIGN_OR_RETURN(auto all, cat->store().ListSources());
         Json items = Json::array();
         for (const auto& s : all) items.push_back(ToJson(s));
         return Reply{200, {{"sources", std::move(items)}}};
       }},
      {"GET", Path("/sources/{id}"), true,
       [cat](const Call& call) -> Result<Reply> {
         if (!call.grants.AllowsAny(Access::kRead)) return PermissionDenied("no read grant");
         TARN_ASSIGN_OR_RETURN(auto s, cat->GetSource(call.params[0]));
         return Reply{200, ToJson(s)};
       }},
      {"POST", "/datasets", true, bind(UpsertDataset)},
      {"GET", "/datasets", true, bind(ListDatasets)},
      {"GET", Path("/datasets/{id}"), true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(*cat, call, call.params[0], Access::kRead));
         return Reply{200, ToJson(d)};
       }},
      {"POST", Path("/datasets/{id}/partitions"), true, bind(RegisterPartitions)},
      {"GET", Path("/datasets/{id}/partitions"), true, bind(ListPartitions)},
      {"GET", Path("/partitions/{id}"), true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto p, cat->GetPartition(call.params[0]));
         TARN_RETURN_IF_ERROR(DatasetFor(*cat, call, p.dataset_id, Access::kRead).status());
         return Reply{200, ToJson(p, cat->lake())};
       }},
      {"POST", Path("/partitions/{id}/quality-runs"), true, bind(RecordQualityRun)},
      {"GET", Path("/partitions/{id}/quality-runs"), true,
       [cat](const Call& call) -> Result<Reply> {
         TARN_ASSIGN_OR_RETURN(auto p, cat->GetPartition(call.params[0]));
         TARN_RETURN_IF_ERROR(DatasetFor(*cat, call, p.dataset_id, Access::kRead).status());
         TARN_ASSIGN_OR_RETURN(auto runs, cat->ListQualityRuns(p.id));
         Json items = Json::array();
         for (const auto& r : runs) items.push_back(ToJson(r));
         return Reply{200, {{"quality_runs", std::move(items)}}};
       }},
  };
}

}  // namespace tarn::server
