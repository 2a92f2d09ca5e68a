// Shared pieces of ingest_bench: options, timing, the report table, and landing data through
// tarn's real ingestion path. Only for the benchmark's own files.
#pragma once

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include "ingest_data.h"
#include "bench_pg.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/format/avro_writer.h"
#include "tarn/format/json_to_avro.h"
#include "tarn/ingest/file_source.h"
#include "tarn/ingest/postgres_source.h"
#include "tarn/ingest/raw_ingestor.h"
#include "tarn/lake/lake.h"

namespace tarn::bench {


namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using Json = nlohmann::json;

inline constexpr double kMB = 1e6;  // figures are in decimal megabytes
inline constexpr const char* kDsnEnv = "TARN_BENCH_PG_DSN";
inline constexpr double kJsonTargetMBps = 250;

struct Options {
  double jsonl_mb = 2000;
  int64_t pg_rows = 10'000'000;
  std::string workload = "both";
  bool breakdown = true;
  bool tarn_only = false;
  std::string out_dir = "bench/out/ingest";
  bool keep = false;
  std::string postgres_url;
  std::string pg_script = TARN_PG_TMP_SCRIPT;
  std::string codec = "snappy";
  uint64_t seed = 42;
  int repeat = 3;
};

inline double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

inline double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Wall and CPU time (this process, every thread) of one measured step.
struct Timing {
  double wall = 0, cpu = 0;
  double cores() const { return wall > 0 ? cpu / wall : 0; }
};

// Flushes dirty pages first (untimed), so a step does not pay for its predecessor's writeback.
template <typename F>
inline Status Timed(Timing* t, F&& step) {
  ::sync();
  double cpu0 = CpuSeconds();
  auto t0 = SteadyClock::now();
  Status st = step();
  t->wall = SecondsSince(t0);
  t->cpu = CpuSeconds() - cpu0;
  return st;
}

inline std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

inline std::string Rate(double count, double seconds, const char* unit) {
  if (seconds <= 0) return "-";
  double r = count / seconds;
  if (std::string(unit) == "MB/s") return Fmt(r >= 100 ? "%.0f MB/s" : "%.1f MB/s", r);
  return Fmt("%.0f", r) + " " + unit;
}

inline std::string SizeText(int64_t bytes) {
  return bytes >= 1e9 ? Fmt("%.2f GB", bytes / 1e9) : Fmt("%.1f MB", bytes / kMB);
}

// --- The report ----------------------------------------------------------------------------

struct Row {
  std::string metric, tarn, baseline, ratio, target;
};

class Report {
 public:
  void Section(const std::string& title) { rows_.push_back({title, "", "", "", ""}); }
  void Add(Row r) { rows_.push_back(std::move(r)); }
  void Note(const std::string& text) { notes_.push_back(text); }

  void Print(const std::string& heading) const {
    std::array<std::string, 5> header = {"metric", "tarn", "baseline", "ratio", "target"};
    std::array<size_t, 5> width{};
    auto cells = [](const Row& r) {
      return std::array<std::string, 5>{r.metric, r.tarn, r.baseline, r.ratio, r.target};
    };
    for (size_t c = 0; c < 5; ++c) width[c] = header[c].size();
    for (const Row& r : rows_) {
      auto cs = cells(r);
      for (size_t c = 0; c < 5; ++c) width[c] = std::max(width[c], cs[c].size());
    }
    auto line = [&](const std::array<std::string, 5>& r) {
      std::string s = "|";
      for (size_t c = 0; c < 5; ++c) {
        s += " " + r[c] + std::string(width[c] - r[c].size(), ' ') + " |";
      }
      std::printf("%s\n", s.c_str());
    };
    std::printf("\n%s\n\n", heading.c_str());
    line(header);
    std::array<std::string, 5> rule;
    for (size_t c = 0; c < 5; ++c) rule[c] = std::string(width[c], '-');
    line(rule);
    for (const Row& r : rows_) line(cells(r));
    if (!notes_.empty()) std::printf("\n");
    for (const std::string& n : notes_) std::printf("- %s\n", n.c_str());
    std::fflush(stdout);
  }

 private:
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
};

// tarn's rate over the baseline's, from their wall times for the same work.
inline std::string Ratio(double tarn_wall, double baseline_wall) {
  if (tarn_wall <= 0 || baseline_wall <= 0) return "-";
  return Fmt("%.2fx", baseline_wall / tarn_wall);
}

// Repeated measurements are reported by their median (the upper one for an even count).
inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename T>
inline std::vector<double> Walls(const std::vector<T>& runs) {
  std::vector<double> walls;
  for (const T& r : runs) walls.push_back(r.time.wall);
  return walls;
}

// The run whose wall time is the median.
template <typename T>
inline const T& MedianOf(const std::vector<T>& runs) {
  std::vector<size_t> order(runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return runs[a].time.wall < runs[b].time.wall; });
  return runs[order[order.size() / 2]];
}

// "336 MB/s (321-340)": the rate of the median run, then the slowest and fastest runs.
inline std::string RateCell(double count, const std::vector<double>& walls, const char* unit) {
  if (walls.empty()) return "-";
  std::string cell = Rate(count, Median(walls), unit);
  if (walls.size() > 1) {
    auto [lo, hi] = std::minmax_element(walls.begin(), walls.end());
    const char* f = std::string(unit) == "MB/s" && count / *hi < 100 ? "%.1f" : "%.0f";
    cell += " (" + Fmt(f, count / *hi) + "-" + Fmt(f, count / *lo) + ")";
  }
  return cell;
}

// --- The tarn path: a fresh lake, a source, a raw dataset with a schema, RawIngestor::Run -----

struct LandResult {
  Timing time;
  catalog::IngestRun run;
  int64_t output_bytes = 0;
  // Seconds from Run() to the run record (source opened), to the last batch consumed, and
  // from there to the return (last part closed and fsynced, published, registered).
  double setup = 0, landing = 0, finish = 0;
};

inline Result<LandResult> LandWithTarn(const std::string& lake_root, const std::string& name,
                                const std::string& config, const char* schema,
                                const std::string& codec) {
  std::error_code ec;
  fs::remove_all(lake_root, ec);
  TARN_ASSIGN_OR_RETURN(auto lake, lake::Lake::Open({lake_root, ""}));
  auto& cat = lake->catalog();
  TARN_ASSIGN_OR_RETURN(auto src, cat.CreateSource({name + "-src", "batch", config, "bench"}));
  TARN_ASSIGN_OR_RETURN(auto ds, cat.UpsertDataset({src.id, name, "raw", "bench", 24}));
  TARN_RETURN_IF_ERROR(cat.RegisterSchema(ds.dataset.id, schema, true).status());
  TARN_ASSIGN_OR_RETURN(storage::ObjectStore * objects, lake->objects());

  ingest::RawIngestor ingestor(cat, *objects);
  ingest::IngestOptions io;
  io.codec = codec;
  SteadyClock::time_point t0, started, last_batch;
  io.on_start = [&](const catalog::IngestRun&) { started = SteadyClock::now(); };
  io.on_progress = [&](const ingest::IngestProgress&) { last_batch = SteadyClock::now(); };
  LandResult r;
  Result<catalog::IngestRun> run = Internal("not run");
  TARN_RETURN_IF_ERROR(Timed(&r.time, [&] {
    t0 = SteadyClock::now();
    run = ingestor.Run(ds.dataset.id, io);
    return run.status();
  }));
  auto end = SteadyClock::now();
  if (run->status != catalog::IngestStatus::kSucceeded) {
    return Internal("ingest run failed: " + run->error.value_or("?"));
  }
  r.run = *run;
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  r.setup = secs(t0, started);
  r.landing = secs(started, last_batch);
  r.finish = secs(last_batch, end);
  TARN_ASSIGN_OR_RETURN(auto listing, cat.ListPartitions(ds.dataset.id, {}));
  int64_t rows = 0;
  for (const auto& p : listing.partitions) {
    rows += p.row_count;
    r.output_bytes += p.size_bytes;
  }
  if (rows != run->records_accepted ||
      static_cast<int>(listing.partitions.size()) != run->files_written) {
    return Internal("the catalog registers " + std::to_string(listing.partitions.size()) +
                    " files with " + std::to_string(rows) + " rows; the run reports " +
                    std::to_string(run->files_written) + " files, " +
                    std::to_string(run->records_accepted) + " records");
  }
  return r;
}

inline void AddTarnRows(Report& rep, const LandResult& t, const std::string& baseline_files) {
  rep.Add({"  wall time", Fmt("%.1f s", t.time.wall), "", "", ""});
  rep.Add({"  time split: open / read+convert+write / close+publish+register",
           Fmt("%.2f", t.setup) + " / " + Fmt("%.1f", t.landing) + " / " + Fmt("%.2f s", t.finish),
           "", "", ""});
  rep.Add({"  CPU (cores busy, this process)", Fmt("%.2f", t.time.cores()), "", "", ""});
  rep.Add({"  files written, size",
           std::to_string(t.run.files_written) + " Avro, " + SizeText(t.output_bytes),
           baseline_files, "", ""});
}


// The PostgreSQL workload (ingest_pg_bench.cc).
Status RunPostgres(const Options& o, const fs::path& out, Report& rep);

}  // namespace tarn::bench
