// `tarn ingest DATASET`: lands a window of the dataset's source in the raw zone, with a
// progress line on a terminal and a summary at the end.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tarn/cli/cli.h"
#include "tarn/ingest/raw_ingestor.h"
#include "tarn/server/json_io.h"

namespace tarn::cli {
namespace {

std::string Megabytes(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

struct IngestArgs {
  std::string dataset, path, format, overrides;
  std::vector<std::string> set;
  int64_t file_size_mb = 256;
};

Result<std::string> Overrides(const IngestArgs& a) {
  nlohmann::json o = a.overrides.empty() ? nlohmann::json::object()
                                         : nlohmann::json::parse(a.overrides, nullptr, false);
  if (!o.is_object()) return InvalidArgument("--overrides must be a JSON object");
  if (!a.path.empty()) o["path"] = a.path;
  if (!a.format.empty()) o["format"] = a.format;
  for (const std::string& kv : a.set) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("--set wants KEY=VALUE, got " + kv);
    o[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return o.dump();
}

Status RunIngest(lake::Lake& lake, const IngestArgs& a, bool json) {
  TARN_ASSIGN_OR_RETURN(auto dataset, lake.catalog().ResolveDataset(a.dataset));
  TARN_ASSIGN_OR_RETURN(storage::ObjectStore * objects, lake.objects());
  ingest::IngestOptions options;
  TARN_ASSIGN_OR_RETURN(options.overrides_json, Overrides(a));
  if (a.file_size_mb < 1) return InvalidArgument("--file-size-mb must be at least 1");
  options.target_file_bytes = a.file_size_mb << 20;
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  bool tty = ::isatty(STDERR_FILENO);
  if (tty) {
    options.on_progress = [&](const ingest::IngestProgress& p) {
      double s = std::max(seconds(), 1e-3);
      std::fprintf(stderr, "\r  %lld records, %lld rejected, %s read, %.1f MB/s   ",
                   static_cast<long long>(p.records_accepted),
                   static_cast<long long>(p.records_rejected), Megabytes(p.bytes_read).c_str(),
                   static_cast<double>(p.bytes_read) / 1e6 / s);
    };
  }
  ingest::RawIngestor ingestor(lake.catalog(), *objects);
  TARN_ASSIGN_OR_RETURN(auto run, ingestor.Run(dataset.id, options));
  if (tty) std::fprintf(stderr, "\n");
  if (json) {
    std::cout << server::ToJson(run).dump(2) << "\n";
  } else {
    std::cout << "ingest " << run.id << ": " << catalog::ToString(run.status) << "\n"
              << "  window    " << run.window_description << "\n"
              << "  files     " << run.files_written << "\n"
              << "  accepted  " << run.records_accepted << "\n"
              << "  rejected  " << run.records_rejected
              << (run.deadletter_path ? " (dead letters: " + *run.deadletter_path + ")" : "") << "\n"
              << "  read      " << Megabytes(run.bytes_read) << " in " << seconds() << " s\n";
    if (run.end_cursor) std::cout << "  cursor    " << *run.end_cursor << "\n";
  }
  if (run.status == catalog::IngestStatus::kFailed) {
    return Status(ErrorCode::kInternal, "ingest failed: " + run.error.value_or("unknown error"));
  }
  return Status::OK();
}

}  // namespace

void AddIngestCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto a = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "land a window of a raw dataset's source in the raw zone");
  cmd->add_option("dataset", a->dataset, "id, raw.name or name")->required();
  cmd->add_option("--path", a->path, "file connector: read this file, directory or glob instead");
  cmd->add_option("--format", a->format, "file connector: jsonl | csv | parquet");
  cmd->add_option("--set", a->set, "override a connection_config key for this run (KEY=VALUE)");
  cmd->add_option("--overrides", a->overrides, "overrides as a JSON object");
  cmd->add_option("--file-size-mb", a->file_size_mb, "start a new raw file after this much input")
      ->default_val(256);
  cmd->callback([a, &o, rc] {
    auto lake = OpenLakeOrReport(o, rc);
    if (!lake) return;
    Status st = RunIngest(*lake, *a, o.json);
    if (!st.ok()) *rc = Fail(st);
  });
}

}  // namespace tarn::cli
