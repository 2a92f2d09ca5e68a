// iceberg_bench: the Iceberg table benchmark (`make bench-iceberg`, docs/benchmarks.md).
//
// Planning: a table partitioned by hour(event_ts) is filled one day per commit (24 hourly
// partitions x --files-per-hour files, with column statistics like a real writer's) through
// the real commit path (SQLite catalog pointer, fsynced manifests and metadata). At checkpoints
// of table age it plans a scan of one day (event_ts in [day, day+1)) and, as the baseline in the
// same run, a scan of the whole table (every manifest decoded, nothing pruned): planning time
// must follow what is read, not the table's history. Plans are timed cold (the process-wide
// manifest cache emptied before each, so every manifest is read and decoded) and warm.
// Commits: appends of --commit-files files to a fresh table — p50/p99 latency and commits/s,
// one writer and --writers concurrent writers (each retrying lost races) — next to the floor
// of what a commit must do: three fsynced file writes and one catalog compare-and-swap.
// Nothing asserts on time; file counts are checked.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <set>
#include <thread>

#include <CLI/CLI.hpp>

#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/table_pointer.h"
#include "tarn/iceberg/manifest_cache.h"
#include "tarn/iceberg/scan.h"
#include "tarn/iceberg/table.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::bench {
namespace {

namespace fs = std::filesystem;
using iceberg::DataFile;
using iceberg::Literal;
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kDayMicros = 86400LL * 1000000;
constexpr int64_t kStartDay = 19723;  // 2024-01-01

double MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void Check(const Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "iceberg_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

schema::Schema EventSchema() {
  auto type = [](schema::TypeId id) {
    auto t = std::make_shared<schema::Type>();
    t->id = id;
    return std::shared_ptr<const schema::Type>(t);
  };
  std::vector<schema::NestedField> f;
  f.push_back({1, "event_id", true, type(schema::TypeId::kLong)});
  f.push_back({2, "event_ts", true, type(schema::TypeId::kTimestampTz)});
  f.push_back({3, "user_id", false, type(schema::TypeId::kLong)});
  f.push_back({4, "country", false, type(schema::TypeId::kString)});
  f.push_back({5, "amount", false, type(schema::TypeId::kDouble)});
  return schema::Schema::Make(std::move(f)).value();
}

// A data file of hour `hour` (hours since 1970) with the statistics a Parquet writer records.
DataFile HourFile(const std::string& location, int64_t hour, int n) {
  DataFile f;
  f.file_path = location + "/data/event_ts_hour=" + std::to_string(hour) + "/" + NewUuid() +
                "-" + std::to_string(n) + ".parquet";
  f.partition = {Literal::Int(static_cast<int32_t>(hour))};
  f.record_count = 2000;
  f.file_size_in_bytes = 4 << 20;
  int64_t lo = hour * 3600 * 1000000, hi = lo + 3600LL * 1000000 - 1;
  for (int id = 1; id <= 5; ++id) {
    f.column_sizes[id] = 600000;
    f.value_counts[id] = 2000;
    f.null_value_counts[id] = 0;
  }
  f.lower_bounds[1] = iceberg::ToBinary(Literal::Long(hour * 100000));
  f.upper_bounds[1] = iceberg::ToBinary(Literal::Long(hour * 100000 + 99999));
  f.lower_bounds[2] = iceberg::ToBinary(Literal::TimestampTz(lo));
  f.upper_bounds[2] = iceberg::ToBinary(Literal::TimestampTz(hi));
  f.lower_bounds[4] = iceberg::ToBinary(Literal::String("BR"));
  f.upper_bounds[4] = iceberg::ToBinary(Literal::String("US"));
  return f;
}

struct Env {
  std::unique_ptr<catalog::CatalogStore> store;
  std::shared_ptr<iceberg::FileIO> io = iceberg::MakeLocalFileIO();
  std::string dir;
};

std::unique_ptr<iceberg::Table> NewTable(Env& env, const std::string& name) {
  iceberg::PartitionSpec spec;
  spec.fields.push_back({2, 1000, "event_ts_hour", iceberg::Transform{iceberg::Transform::kHour}});
  auto md = iceberg::NewTableMetadata(EventSchema(), spec, iceberg::SortOrder{},
                                      env.dir + "/curated/" + name, {}, NewUuid(),
                                      Clock::System().Now() / 1000);
  Check(md.status(), "new table metadata");
  auto t = iceberg::Table::Create(catalog::MakeTablePointer(*env.store, "curated", name), env.io,
                                  *md);
  Check(t.status(), "create table");
  return std::move(t).value();
}

std::unique_ptr<iceberg::Table> OpenTable(Env& env, const std::string& name) {
  auto t = iceberg::Table::Load(catalog::MakeTablePointer(*env.store, "curated", name), env.io);
  Check(t.status(), "load table");
  return std::move(t).value();
}

iceberg::Filter DayFilter(int64_t day) {
  iceberg::Predicate ge{"event_ts", 0, iceberg::Op::kGtEq, {Literal::TimestampTz(day * kDayMicros)}};
  iceberg::Predicate lt{"event_ts", 0, iceberg::Op::kLt,
                        {Literal::TimestampTz((day + 1) * kDayMicros)}};
  return {ge, lt};
}

struct PlanStats {
  double cold_ms = 0;  // p50 with the manifest cache emptied before each plan
  double warm_ms = 0;  // p50 with every manifest list and manifest cached
  iceberg::ScanMetrics metrics;
  size_t tasks = 0;
};

double TimeOnePlan(iceberg::Table& t, const iceberg::Filter& filter, PlanStats* out) {
  auto t0 = SteadyClock::now();
  auto plan = iceberg::PlanScan(t.metadata(), t.metadata().CurrentSnapshot(), filter, t.io());
  double ms = MsSince(t0);
  Check(plan.status(), "plan");
  out->metrics = plan->metrics;
  out->tasks = plan->tasks.size();
  return ms;
}

PlanStats TimePlan(iceberg::Table& t, const iceberg::Filter& filter, int repeat) {
  PlanStats out;
  std::vector<double> cold, warm;
  for (int i = 0; i < repeat; ++i) {
    iceberg::ClearManifestCache();
    cold.push_back(TimeOnePlan(t, filter, &out));
  }
  for (int i = 0; i < repeat; ++i) warm.push_back(TimeOnePlan(t, filter, &out));
  out.cold_ms = Percentile(cold, 0.5);
  out.warm_ms = Percentile(warm, 0.5);
  return out;
}

void PlanningBench(Env& env, int days, int files_per_hour, int repeat) {
  auto table = NewTable(env, "events_by_hour");
  std::vector<double> commit_ms;
  std::printf("\nPlanning one day of a table partitioned by hour(event_ts), %d files/hour\n",
              files_per_hour);
  std::printf("(cold: manifest cache emptied before each plan; warm: everything cached)\n");
  std::printf("%6s %8s %10s %10s %12s %12s %10s %10s %14s %14s\n", "days", "files", "manifests",
              "skipped", "files read", "skipped %", "plan ms", "warm ms", "full scan ms",
              "full warm ms");
  std::set<int> checkpoints = {7, 30, 90, 180, 365, days};
  for (int d = 0; d < days; ++d) {
    std::vector<DataFile> files;
    for (int h = 0; h < 24; ++h) {
      for (int n = 0; n < files_per_hour; ++n) {
        files.push_back(HourFile(table->metadata().location, (kStartDay + d) * 24 + h, n));
      }
    }
    auto t0 = SteadyClock::now();
    Check(table->Append(files).status(), "append a day");
    commit_ms.push_back(MsSince(t0));
    if (!checkpoints.count(d + 1)) continue;
    PlanStats day = TimePlan(*table, DayFilter(kStartDay + d / 2), repeat);
    PlanStats all = TimePlan(*table, {}, std::max(1, repeat / 4));
    int64_t total = (d + 1) * 24LL * files_per_hour;
    if (static_cast<int64_t>(all.tasks) != total || day.tasks != 24u * files_per_hour) {
      std::fprintf(stderr, "iceberg_bench: planned %zu/%zu files, expected %lld/%d\n", all.tasks,
                   day.tasks, static_cast<long long>(total), 24 * files_per_hour);
      std::exit(1);
    }
    std::printf("%6d %8lld %10d %10d %12zu %11.2f%% %10.2f %10.2f %14.2f %14.2f\n", d + 1,
                static_cast<long long>(total), day.metrics.manifests_total,
                day.metrics.manifests_skipped, day.tasks,
                100.0 * (total - static_cast<int64_t>(day.tasks)) / total, day.cold_ms,
                day.warm_ms, all.cold_ms, all.warm_ms);
    std::fflush(stdout);
  }
  std::printf("append of one day (%d files): p50 %.2f ms, p99 %.2f ms over %d commits\n",
              24 * files_per_hour, Percentile(commit_ms, 0.5), Percentile(commit_ms, 0.99), days);
}

std::vector<double> CommitLoop(Env& env, const std::string& name, int commits, int files) {
  auto table = OpenTable(env, name);
  std::vector<double> ms;
  for (int i = 0; i < commits; ++i) {
    std::vector<DataFile> batch;
    for (int n = 0; n < files; ++n) {
      batch.push_back(HourFile(table->metadata().location, kStartDay * 24 + i % 24, n));
    }
    auto t0 = SteadyClock::now();
    Check(table->Append(batch).status(), "append");
    ms.push_back(MsSince(t0));
  }
  return ms;
}

// Baselines: what any commit must do here (three durable file writes, one catalog
// compare-and-swap), done one fsync after another as a straightforward writer would, and
// together as tarn's commit does.
std::vector<double> FloorLoop(Env& env, const std::string& name, int commits, bool together) {
  Check(env.store->CreateTable("curated", name, "0").status(), "floor table");
  std::vector<double> ms;
  std::string blob(4096, 'x');
  for (int i = 0; i < commits; ++i) {
    std::vector<iceberg::PendingFile> files;
    for (int f = 0; f < 3; ++f) files.push_back({env.dir + "/" + name + "/" + NewUuid(), blob});
    auto t0 = SteadyClock::now();
    if (together) {
      Check(env.io->WriteAll(files), "floor write");
    } else {
      for (const auto& f : files) Check(env.io->Write(f.location, f.data), "floor write");
    }
    Check(env.store->SwapTableMetadata("curated", name, std::to_string(i), std::to_string(i + 1)),
          "floor swap");
    ms.push_back(MsSince(t0));
  }
  return ms;
}

void CommitBench(Env& env, int commits, int files, int writers) {
  std::printf("\nCommits: appends of %d files, SQLite catalog, local disk\n", files);
  std::printf("%-34s %10s %10s %12s\n", "", "p50 ms", "p99 ms", "commits/s");
  NewTable(env, "commits");
  auto t0 = SteadyClock::now();
  auto one = CommitLoop(env, "commits", commits, files);
  double secs = MsSince(t0) / 1000;
  std::printf("%-34s %10.2f %10.2f %12.1f\n", "tarn append, 1 writer", Percentile(one, 0.5),
              Percentile(one, 0.99), commits / secs);

  NewTable(env, "contended");
  std::vector<std::vector<double>> per(writers);
  t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] { per[w] = CommitLoop(env, "contended", commits / writers, files); });
  }
  for (auto& t : threads) t.join();
  secs = MsSince(t0) / 1000;
  std::vector<double> all;
  for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
  auto table = OpenTable(env, "contended");
  size_t landed = table->metadata().snapshots.size();
  if (landed != all.size()) {
    std::fprintf(stderr, "iceberg_bench: %zu commits landed of %zu\n", landed, all.size());
    std::exit(1);
  }
  char label[64];
  std::snprintf(label, sizeof label, "tarn append, %d writers", writers);
  std::printf("%-34s %10.2f %10.2f %12.1f\n", label, Percentile(all, 0.5), Percentile(all, 0.99),
              all.size() / secs);
  for (bool together : {false, true}) {
    auto floor = FloorLoop(env, together ? "floor_together" : "floor_serial", commits, together);
    std::printf("%-34s %10.2f %10.2f %12.1f\n",
                together ? "floor: 3 files synced together+CAS" : "naive: 3 files fsynced in turn+CAS",
                Percentile(floor, 0.5), Percentile(floor, 0.99),
                commits / (std::accumulate(floor.begin(), floor.end(), 0.0) / 1000));
  }
}

}  // namespace
}  // namespace tarn::bench

int main(int argc, char** argv) {
  CLI::App app{"tarn Iceberg benchmark: scan planning and commits"};
  int days = 365, files_per_hour = 3, repeat = 20, commits = 200, commit_files = 100, writers = 4;
  std::string out = "bench/out/iceberg";
  bool keep = false;
  app.add_option("--days", days, "table age in days for the planning benchmark");
  app.add_option("--files-per-hour", files_per_hour, "data files per hourly partition");
  app.add_option("--repeat", repeat, "plans per measurement (median reported)");
  app.add_option("--commits", commits, "commits for the commit benchmark");
  app.add_option("--commit-files", commit_files, "files per appended commit");
  app.add_option("--writers", writers, "concurrent writers");
  app.add_option("--out", out, "scratch directory (removed unless --keep)");
  app.add_flag("--keep", keep, "keep the scratch directory");
  CLI11_PARSE(app, argc, argv);

  tarn::bench::Env env;
  env.dir = std::filesystem::absolute(out).string();
  std::filesystem::remove_all(env.dir);
  std::filesystem::create_directories(env.dir);
  auto store = tarn::catalog::CatalogStore::Open("sqlite:" + env.dir + "/catalog.db");
  tarn::bench::Check(store.status(), "open catalog");
  env.store = std::move(store).value();
  tarn::bench::PlanningBench(env, days, files_per_hour, repeat);
  tarn::bench::CommitBench(env, commits, commit_files, writers);
  if (!keep) std::filesystem::remove_all(env.dir);
  return 0;
}
