// The quality gate and promotion from the command line: `tarn promotion set|show`,
// `tarn promote`, `tarn quality rerun`, `tarn lineage`.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tarn/base/time.h"
#include "tarn/cli/cli.h"
#include "tarn/pipeline/promotion.h"

namespace tarn::cli {
namespace {

struct PromoteArgs {
  std::string dataset, file, from, to;
  std::vector<std::string> partitions;
};

void PrintResult(const pipeline::PromotionResult& r, bool json) {
  if (json) {
    std::cout << pipeline::PromotionResultToJson(r) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : r.partitions) {
    std::string note = p.reason.empty() ? "" : p.reason;
    for (const std::string& w : p.warnings) note += (note.empty() ? "warn: " : "; warn: ") + w;
    if (!p.report_path.empty()) note += " (report: " + p.report_path + ")";
    rows.push_back({p.partition_key, p.outcome, std::to_string(p.rows_in), std::to_string(p.rows_out),
                    p.anomaly_score ? std::to_string(*p.anomaly_score).substr(0, 5) : "-", note});
  }
  PrintTable({"PARTITION", "OUTCOME", "ROWS IN", "ROWS OUT", "ANOMALY", "NOTES"}, rows);
  std::cout << r.raw_dataset << " -> " << r.target_table << " (spec v" << r.spec_version << "): ";
  if (r.snapshot_id) {
    std::cout << "snapshot " << r.snapshot_id << ", " << r.rows_written << " rows written ("
              << r.rows_replaced << " replaced existing keys)\n";
  } else {
    std::cout << "nothing promoted\n";
  }
}

Status RunPromote(lake::Lake& lake, const PromoteArgs& a, bool rerun, bool json) {
  TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(a.dataset));
  pipeline::PromotionRequest req;
  req.partition_ids = a.partitions;
  if (!a.from.empty()) req.from = a.from;
  if (!a.to.empty()) req.to = a.to;
  req.rerun_quarantined = rerun;
  TARN_ASSIGN_OR_RETURN(auto result, pipeline::Promote(lake, ds.id, req));
  PrintResult(result, json);
  return Status::OK();
}

void AddSelection(CLI::App* cmd, PromoteArgs& a) {
  cmd->add_option("dataset", a.dataset, "raw dataset (id, raw.name or name)")->required();
  cmd->add_option("--partition", a.partitions, "only these partition ids (repeatable)");
  cmd->add_option("--from", a.from, "partition keys from this date or hour (inclusive)");
  cmd->add_option("--to", a.to, "partition keys before this date or hour (exclusive)");
}

}  // namespace

void AddPromoteCommands(CLI::App& app, GlobalOptions& options, int* exit_code) {
  auto args = std::make_shared<PromoteArgs>();
  auto* promotion = app.add_subcommand("promotion", "a raw dataset's promotion spec")->require_subcommand(1);
  auto* set = promotion->add_subcommand("set", "store a promotion spec (YAML or JSON) as the next version");
  set->add_option("dataset", args->dataset, "raw dataset")->required();
  set->add_option("file", args->file, "the spec file")->required();
  set->callback(WithLake(options, exit_code, [args](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(args->dataset));
    TARN_ASSIGN_OR_RETURN(std::string text, ReadTextFile(args->file));
    TARN_ASSIGN_OR_RETURN(int version, pipeline::SetPromotionSpec(lake, ds.id, text));
    std::cout << "raw." << ds.name << ": promotion spec v" << version << "\n";
    return Status::OK();
  }));
  auto* show = promotion->add_subcommand("show", "print the current promotion spec (JSON)");
  show->add_option("dataset", args->dataset, "raw dataset")->required();
  show->callback(WithLake(options, exit_code, [args](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(args->dataset));
    TARN_ASSIGN_OR_RETURN(auto spec, lake.catalog().store().GetPromotionSpec(ds.id));
    if (!spec) return NotFound("raw." + ds.name + " has no promotion spec");
    nlohmann::json out = {{"version", spec->version}, {"spec", nlohmann::json::parse(spec->spec_json)}};
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }));

  auto* promote = app.add_subcommand(
      "promote", "run the quality gate on raw partitions and promote the passing ones to curated");
  AddSelection(promote, *args);
  promote->callback(WithLake(options, exit_code, [args, &options](lake::Lake& lake) {
    return RunPromote(lake, *args, false, options.json);
  }));

  auto* quality = app.add_subcommand("quality", "the quality gate")->require_subcommand(1);
  auto* rerun = quality->add_subcommand(
      "rerun", "re-evaluate partitions (quarantined ones too) after a rule or data fix; passing ones are promoted");
  AddSelection(rerun, *args);
  rerun->callback(WithLake(options, exit_code, [args, &options](lake::Lake& lake) {
    return RunPromote(lake, *args, true, options.json);
  }));

  auto* lineage = app.add_subcommand("lineage", "which raw partitions made which curated snapshots");
  lineage->add_option("dataset", args->dataset, "raw dataset")->required();
  lineage->callback(WithLake(options, exit_code, [args, &options](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(args->dataset));
    TARN_ASSIGN_OR_RETURN(auto records, lake.catalog().store().ListLineage(ds.id, 1000));
    std::vector<std::vector<std::string>> rows;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : records) {
      rows.push_back({l.partition_key, l.target_table, std::to_string(l.snapshot_id), std::to_string(l.rows_in),
                      std::to_string(l.rows_out), FormatIsoTimestamp(l.promoted_at)});
      out.push_back({{"partition_id", l.partition_id}, {"partition_key", l.partition_key},
                     {"target_table", l.target_table}, {"snapshot_id", l.snapshot_id},
                     {"quality_run_id", l.quality_run_id ? nlohmann::json(*l.quality_run_id) : nlohmann::json()},
                     {"rows_in", l.rows_in}, {"rows_out", l.rows_out},
                     {"promoted_at", FormatIsoTimestamp(l.promoted_at)}});
    }
    if (options.json) {
      std::cout << out.dump() << "\n";
    } else {
      PrintTable({"PARTITION", "TABLE", "SNAPSHOT", "ROWS IN", "ROWS OUT", "PROMOTED"}, rows);
    }
    return Status::OK();
  }));
}

}  // namespace tarn::cli
