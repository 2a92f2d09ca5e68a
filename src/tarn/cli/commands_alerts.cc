// `tarn alerts DATASET`: the quality gate's alert deliveries of a dataset, newest first.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tarn/cli/cli.h"
#include "tarn/quality/alerts.h"
#include "tarn/server/json_io.h"

namespace tarn::cli {
namespace {

std::string Ts(UnixMicros t) { return FormatIsoTimestamp(t).substr(0, 19) + "Z"; }

std::string Short(std::string s, size_t max) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return s.size() <= max ? s : s.substr(0, max - 3) + "...";
}

void PrintDeliveries(const quality::AlertDeliveryListing& page, const std::string& dataset) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : page.deliveries) {
    rows.push_back({Ts(d.created_at), d.kind, d.severity, d.format,
                    std::string(catalog::ToString(d.status)), std::to_string(d.attempts),
                    d.http_status ? std::to_string(*d.http_status) : "-", d.destination,
                    Short(d.last_error.value_or(""), 60)});
  }
  PrintTable({"CREATED", "KIND", "SEVERITY", "FORMAT", "STATUS", "ATTEMPTS", "HTTP", "DESTINATION",
              "LAST_ERROR"},
             rows);
  if (page.next_cursor) {
    std::cout << "more: tarn alerts " << dataset << " --cursor " << *page.next_cursor << "\n";
  }
}

}  // namespace

void AddAlertCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  struct Args {
    std::string dataset, cursor;
    int64_t limit = 20;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("alerts", "list a dataset's alert deliveries, newest first");
  cmd->add_option("dataset", a->dataset, "id, zone.name or name")->required();
  cmd->add_option("--limit", a->limit, "at most this many (1..1000)")->default_val(20);
  cmd->add_option("--cursor", a->cursor, "continue a listing (printed after a full page)");
  cmd->callback(WithLake(o, rc, [a, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(a->dataset));
    std::optional<std::string> cursor;
    if (!a->cursor.empty()) cursor = a->cursor;
    TARN_ASSIGN_OR_RETURN(
        auto page, quality::ListAlertDeliveries(lake.catalog().store(), d.id, a->limit, cursor));
    if (!o.json) {
      PrintDeliveries(page, a->dataset);
      return Status::OK();
    }
    server::Json items = server::Json::array();
    for (const auto& delivery : page.deliveries) items.push_back(server::ToJson(delivery));
    server::Json out = {
        {"alerts", std::move(items)},
        {"next_cursor", page.next_cursor ? server::Json(*page.next_cursor) : server::Json()}};
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }));
}

}  // namespace tarn::cli
