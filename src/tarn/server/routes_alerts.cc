// Alert delivery records of the quality gate: GET /datasets/{id}/alerts, newest first, paged.
#include <cstdlib>

#include "tarn/lake/lake.h"
#include "tarn/quality/alerts.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

Result<Reply> ListAlerts(catalog::CatalogService& cat, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto d, DatasetFor(cat, call, call.params[0], catalog::Access::kRead));
  int64_t limit = 100;
  if (auto text = call.Query("limit")) {
    char* end = nullptr;
    limit = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0') return InvalidArgument("limit: must be an integer");
  }
  TARN_ASSIGN_OR_RETURN(
      auto page, quality::ListAlertDeliveries(cat.store(), d.id, limit, call.Query("cursor")));
  Json items = Json::array();
  for (const auto& delivery : page.deliveries) items.push_back(ToJson(delivery));
  return Reply{200,
               {{"alerts", std::move(items)},
                {"next_cursor", page.next_cursor ? Json(*page.next_cursor) : Json()}}};
}

}  // namespace

std::vector<Route> AlertRoutes(lake::Lake& lake) {
  catalog::CatalogService* cat = &lake.catalog();
  return {
      {"GET", "/datasets/([^/]+)/alerts", true,
       [cat](const Call& call) { return ListAlerts(*cat, call); }},
  };
}

}  // namespace tarn::server
