// `tarn stream DATASET`: lands the dataset's stream (a Kafka topic, a PostgreSQL table's
// changes) in raw exactly once and promotes what lands, in the foreground until SIGTERM/SIGINT
// (then the pending batch is landed and promoted). `--register-schema` only registers the
// change-event schema of a postgres_cdc source's table.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tarn/base/log.h"
#include "tarn/cli/cli.h"
#include "tarn/ingest/pg_cdc_config.h"
#include "tarn/pipeline/streaming.h"

namespace tarn::cli {
namespace {

struct StreamArgs {
  std::string dataset;
  std::string flush_interval = "5m";
  int64_t flush_mb = 128;
  bool no_promote = false;
  bool register_schema = false;
  std::string status_file;  // rewritten every second with the status JSON
};

Status WriteStatus(const std::string& path, const std::string& json) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << json << "\n";
    if (!f) return IOError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return IOError("cannot replace " + path);
  return Status::OK();
}

Status RunStream(lake::Lake& lake, const StreamArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(a.dataset));
  if (a.register_schema) {
    TARN_ASSIGN_OR_RETURN(int version, ingest::RegisterCdcSchema(lake.catalog(), ds.id));
    std::cout << "raw." << ds.name << ": change-event schema version " << version << "\n";
    return Status::OK();
  }
  pipeline::StreamPipelineOptions options;
  auto interval = ParseDurationMicros(a.flush_interval);
  if (!interval.ok() || *interval < 1000) {
    return InvalidArgument("--flush-interval: " + (interval.ok() ? std::string("at least 1ms") : interval.status().message()));
  }
  if (a.flush_mb < 1) return InvalidArgument("--flush-mb must be at least 1");
  options.flush_interval_ms = *interval / 1000;
  options.flush_bytes = a.flush_mb << 20;
  options.promote = !a.no_promote;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  TARN_ASSIGN_OR_RETURN(auto pipeline, pipeline::StreamPipeline::Open(lake, ds.id, options));
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    LogInfo(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ": landing the pending batch and stopping");
    stop = true;
  });
  std::thread reporter;
  if (!a.status_file.empty()) {
    reporter = std::thread([&] {
      while (!stop) {
        Status st = WriteStatus(a.status_file, pipeline::StreamStatusToJson(pipeline->Snapshot()));
        if (!st.ok()) LogWarn(st.ToString());
        for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  LogInfo("streaming into raw." + ds.name + " (flush every " + a.flush_interval + " or " +
          std::to_string(a.flush_mb) + " MB" + (options.promote ? ", promoting as batches land" : "") + ")");
  Status st = pipeline->Run(stop);
  stop = true;
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  if (reporter.joinable()) reporter.join();
  if (!a.status_file.empty()) {
    Status written = WriteStatus(a.status_file, pipeline::StreamStatusToJson(pipeline->Snapshot()));
    if (!written.ok()) LogWarn(written.ToString());
  }
  LogInfo("stream stopped: " + pipeline::StreamStatusToJson(pipeline->Snapshot()));
  return st;
}

}  // namespace

void AddStreamCommands(CLI::App& app, GlobalOptions& options, int* exit_code) {
  auto args = std::make_shared<StreamArgs>();
  auto* cmd = app.add_subcommand("stream",
                                 "land the dataset's stream (Kafka topic, PostgreSQL changes) in "
                                 "raw exactly once and promote it, until SIGTERM");
  cmd->add_option("dataset", args->dataset, "raw dataset (id or name)")->required();
  cmd->add_option("--flush-interval", args->flush_interval, "land a batch this long after its first record (e.g. 5s, 1m, 5m)");
  cmd->add_option("--flush-mb", args->flush_mb, "... or once this many MB are pending");
  cmd->add_flag("--no-promote", args->no_promote, "land only; do not promote batches as they land");
  cmd->add_flag("--register-schema", args->register_schema,
                "postgres_cdc: register the change-event schema of the source's table (if the "
                "dataset has none) and exit");
  cmd->add_option("--status-file", args->status_file, "rewrite this file every second with the stream's metrics (JSON)");
  cmd->callback(WithLake(options, exit_code, [args](lake::Lake& lake) { return RunStream(lake, *args); }));

  auto watermark_of = std::make_shared<std::string>();
  auto* wm = app.add_subcommand("watermark", "a streamed raw dataset's event-time watermark, windows and partition completeness (JSON)");
  wm->add_option("dataset", *watermark_of, "raw dataset (id or name)")->required();
  wm->callback(WithLake(options, exit_code, [watermark_of](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(*watermark_of));
    TARN_ASSIGN_OR_RETURN(std::string json, pipeline::WatermarkJson(lake, ds.id));
    std::cout << nlohmann::json::parse(json).dump(2) << "\n";
    return Status::OK();
  }));
}

}  // namespace tarn::cli
