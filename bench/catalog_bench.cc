// catalog_bench: the catalog's reproducible benchmark (`make bench`). For each backend it
// builds (or reuses) a catalog of datasets x hourly partitions, serves it with the real REST
// server, and measures over HTTP with one keep-alive client:
//   - GET /datasets/{id}/partitions for a random 90-day window, whole (limit=5000) and as the
//     default first page (1000 rows), against the same SELECT run straight on the database;
//   - partition registration, batched (POST {"partitions": [...]}) and one at a time.
// The SQLite catalog is cached under --out keyed by scale; PostgreSQL runs in a throwaway
// server (scripts/pg-tmp.sh) removed afterwards. Registered partitions are deleted at the end.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "bench_data.h"
#include "bench_pg.h"
#include "direct_query.h"
#include "tarn/catalog/sql_db.h"
#include "tarn/lake/lake.h"
#include "tarn/server/http_server.h"

namespace tarn::bench {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr int kWindowDays = 90;
constexpr int kWindowLimit = 5000;
constexpr int kDefaultPage = 1000;

struct Options {
  Scale scale;
  std::string backend = "both";
  int requests = 2000;
  int warmup = 200;
  std::vector<int> batch_sizes = {1000, 10000};
  int batch_partitions = 100000;
  int singles = 1000;
  std::string out_dir = "bench/out";
  std::string postgres_url;
  std::string pg_script = TARN_PG_TMP_SCRIPT;
  uint64_t seed = 42;
};

double MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

struct Summary {
  size_t n = 0;
  double p50 = 0, p99 = 0, mean = 0, max = 0;
};

Summary Summarize(std::vector<double> ms) {
  Summary s;
  s.n = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double p) {  // nearest-rank percentile
    size_t i = static_cast<size_t>(std::ceil(p / 100.0 * ms.size()));
    return ms[std::clamp<size_t>(i, 1, ms.size()) - 1];
  };
  s.p50 = rank(50);
  s.p99 = rank(99);
  s.max = ms.back();
  for (double v : ms) s.mean += v / ms.size();
  return s;
}

struct BackendResult {
  std::string name;
  std::string generation;  // "812 s" or "cached (812 s)"
  double catalog_gib = 0;
  double window_rows = 0;  // rows per 90-day response, on average
  Summary window_http, window_direct, window_first_touch;
  Summary page_http, page_direct;
  std::vector<std::pair<int, double>> batch_rates;  // (batch size, partitions/s)
  Summary single;
};

// A bigger WAL budget for the bulk load (fewer checkpoints); fsync is already off.
Status TuneForLoad(const std::string& url) {
  TARN_ASSIGN_OR_RETURN(auto conn, catalog::OpenSqlConnection(url));
  TARN_RETURN_IF_ERROR(conn->Execute("ALTER SYSTEM SET max_wal_size = '4GB'"));
  TARN_RETURN_IF_ERROR(conn->Execute("ALTER SYSTEM SET checkpoint_timeout = '30min'"));
  return conn->Execute("SELECT pg_reload_conf()");
}

// --- The workload --------------------------------------------------------------------------

std::string Date(int day) {
  return FormatIsoTimestamp(kFirstHour + int64_t{day} * 24 * kMicrosPerHour).substr(0, 10);
}

struct Window {
  int dataset;
  std::string from, to;  // dates
};

std::string PartitionJson(int dataset, int64_t hour, int64_t rows) {
  return "{\"partition_key\":\"" + HourKey(hour) + "\",\"file_path\":\"" +
         PartitionPath(dataset, hour) +
         "\",\"format\":\"avro\",\"row_count\":" + std::to_string(rows) +
         ",\"size_bytes\":" + std::to_string(rows * 97) + "}";
}

class Workload {
 public:
  Workload(const Options& o, std::vector<std::string> ids, httplib::Client& client,
           DirectQuery& direct)
      : o_(o), ids_(std::move(ids)), client_(client), direct_(direct), rng_(o.seed) {
    next_hour_.assign(ids_.size(), o.scale.partitions_per_dataset);
  }

  Status Run(BackendResult* r) {
    TARN_RETURN_IF_ERROR(CheckListing());
    TARN_RETURN_IF_ERROR(Listing(r));
    TARN_RETURN_IF_ERROR(Batches(r));
    return Singles(r);
  }

 private:
  Window RandomWindow() {
    int days = std::max(1, o_.scale.partitions_per_dataset / 24);
    int span = std::min(kWindowDays, days);
    int start = std::uniform_int_distribution<int>(0, days - span)(rng_);
    int d = std::uniform_int_distribution<int>(0, static_cast<int>(ids_.size()) - 1)(rng_);
    return {d, Date(start), Date(start + span)};
  }

  std::string ListPath(const Window& w, std::optional<int> limit) const {
    std::string path =
        "/datasets/" + ids_[w.dataset] + "/partitions?from=" + w.from + "&to=" + w.to;
    if (limit) path += "&limit=" + std::to_string(*limit);
    return path;
  }

  Result<std::string> Get(const std::string& path) {
    auto res = client_.Get(path);
    if (!res) return Unavailable("GET " + path + ": " + httplib::to_string(res.error()));
    if (res->status != 200) {
      return Internal("GET " + path + ": HTTP " + std::to_string(res->status) + " " + res->body);
    }
    return std::move(res->body);
  }

  Status Post(const std::string& dataset_id, const std::string& body) {
    auto res = client_.Post("/datasets/" + dataset_id + "/partitions", body, "application/json");
    if (!res) return Unavailable("POST: " + httplib::to_string(res.error()));
    if (res->status != 201) {
      return Internal("POST: HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 500));
    }
    return Status::OK();
  }

  Result<int64_t> Direct(const Window& w, int limit) {
    return direct_.Run(ids_[w.dataset], "dt=" + w.from, "dt=" + w.to, limit);
  }

  // The API answers what the direct query answers: a whole window, then a first page.
  Status CheckListing() {
    Window w = RandomWindow();
    TARN_ASSIGN_OR_RETURN(int64_t expected, Direct(w, kWindowLimit));
    TARN_ASSIGN_OR_RETURN(std::string body, Get(ListPath(w, kWindowLimit)));
    Json j = Json::parse(body);
    if (static_cast<int64_t>(j["partitions"].size()) != expected || !j["next_cursor"].is_null()) {
      return Internal("window listing returned " + std::to_string(j["partitions"].size()) +
                      " rows, the direct query " + std::to_string(expected));
    }
    TARN_ASSIGN_OR_RETURN(body, Get(ListPath(w, std::nullopt)));
    j = Json::parse(body);
    if (expected > kDefaultPage &&
        (j["partitions"].size() != kDefaultPage || !j["next_cursor"].is_string())) {
      return Internal("the default page is not 1000 rows with a next_cursor");
    }
    return Status::OK();
  }

  Status Listing(BackendResult* r) {
    std::vector<Window> windows(o_.requests);
    for (auto& w : windows) w = RandomWindow();
    // First touch: every timed window read once, straight from the database.
    std::vector<double> first;
    for (const auto& w : windows) {
      auto t0 = SteadyClock::now();
      TARN_RETURN_IF_ERROR(Direct(w, kWindowLimit).status());
      first.push_back(MsSince(t0));
    }
    r->window_first_touch = Summarize(first);
    for (int i = 0; i < o_.warmup; ++i) {
      Window w = RandomWindow();
      TARN_RETURN_IF_ERROR(Get(ListPath(w, kWindowLimit)).status());
      TARN_RETURN_IF_ERROR(Get(ListPath(w, std::nullopt)).status());
    }
    // HTTP and direct alternate which goes first, so neither inherits the other's warm caches.
    std::vector<double> http, direct, page_http, page_direct;
    int64_t rows = 0;
    for (size_t i = 0; i < windows.size(); ++i) {
      const Window& w = windows[i];
      for (int pass = 0; pass < 2; ++pass) {
        if ((pass == 0) == (i % 2 == 0)) {
          auto t0 = SteadyClock::now();
          TARN_ASSIGN_OR_RETURN(std::string body, Get(ListPath(w, kWindowLimit)));
          http.push_back(MsSince(t0));
          t0 = SteadyClock::now();
          TARN_RETURN_IF_ERROR(Get(ListPath(w, std::nullopt)).status());
          page_http.push_back(MsSince(t0));
        } else {
          auto t0 = SteadyClock::now();
          TARN_ASSIGN_OR_RETURN(int64_t n, Direct(w, kWindowLimit));
          direct.push_back(MsSince(t0));
          rows += n;
          t0 = SteadyClock::now();
          TARN_RETURN_IF_ERROR(Direct(w, kDefaultPage).status());
          page_direct.push_back(MsSince(t0));
        }
      }
    }
    r->window_rows = static_cast<double>(rows) / windows.size();
    r->window_http = Summarize(http);
    r->window_direct = Summarize(direct);
    r->page_http = Summarize(page_http);
    r->page_direct = Summarize(page_direct);
    return Status::OK();
  }

  // `n` new partitions for a random dataset, after its generated hours.
  std::pair<int, std::string> NewPartitions(int n) {
    int d = std::uniform_int_distribution<int>(0, static_cast<int>(ids_.size()) - 1)(rng_);
    std::uniform_int_distribution<int64_t> rows(1000, 1'000'000);
    std::string items;
    for (int i = 0; i < n; ++i) {
      if (i > 0) items += ',';
      items += PartitionJson(d, next_hour_[d]++, rows(rng_));
    }
    return {d, n == 1 ? items : "{\"partitions\":[" + items + "]}"};
  }

  Status Batches(BackendResult* r) {
    TARN_RETURN_IF_ERROR(PostNew(10).status());  // warm-up
    for (int size : o_.batch_sizes) {
      int batches = std::max(1, o_.batch_partitions / size);
      double ms = 0;
      for (int i = 0; i < batches; ++i) {
        TARN_ASSIGN_OR_RETURN(double t, PostNew(size));
        ms += t;
      }
      r->batch_rates.emplace_back(size, int64_t{batches} * size / (ms / 1000.0));
    }
    return Status::OK();
  }

  Status Singles(BackendResult* r) {
    for (int i = 0; i < std::min(o_.warmup, 50); ++i) TARN_RETURN_IF_ERROR(PostNew(1).status());
    std::vector<double> ms;
    for (int i = 0; i < o_.singles; ++i) {
      TARN_ASSIGN_OR_RETURN(double t, PostNew(1));
      ms.push_back(t);
    }
    r->single = Summarize(ms);
    return Status::OK();
  }

  // Registers `n` new partitions in one request; returns its latency in ms.
  Result<double> PostNew(int n) {
    auto [d, body] = NewPartitions(n);
    auto t0 = SteadyClock::now();
    TARN_RETURN_IF_ERROR(Post(ids_[d], body));
    return MsSince(t0);
  }

  const Options& o_;
  std::vector<std::string> ids_;
  httplib::Client& client_;
  DirectQuery& direct_;
  std::mt19937_64 rng_;
  std::vector<int64_t> next_hour_;
};

// Serves the catalog at `url` (lake at `root`) and runs the workload against it.
Status Measure(const Options& o, const std::string& root, const std::string& url,
               BackendResult* r) {
  TARN_ASSIGN_OR_RETURN(auto ids, DatasetIds(url, o.scale));
  TARN_ASSIGN_OR_RETURN(int64_t stale, DeleteRegistered(url, o.scale, ids));
  if (stale > 0)
    std::fprintf(stderr, "  removed %lld partitions left by an earlier run\n",
                 static_cast<long long>(stale));
  TARN_ASSIGN_OR_RETURN(auto lake, lake::Lake::Open({root, url}));
  TARN_ASSIGN_OR_RETURN(auto token, lake->catalog().IssueToken("catalog-bench", "admin"));
  server::ServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  TARN_ASSIGN_OR_RETURN(auto server, server::HttpServer::Bind(*lake, so));
  std::thread serving([&] { (void)server->Serve(); });

  httplib::Client client("127.0.0.1", server->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(300, 0);
  client.set_write_timeout(300, 0);
  client.set_default_headers({{"Authorization", "Bearer " + token.secret}});
  Status st = Status::OK();
  for (int i = 0; i < 500; ++i) {  // until the listener accepts
    auto res = client.Get("/health");
    if (res && res->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto direct = DirectQuery::Open(url);
  if (!direct.ok()) st = direct.status();
  if (st.ok()) {
    std::fprintf(stderr, "  measuring (%d listings, %d single registrations)\n", o.requests,
                 o.singles);
    Workload workload(o, ids, client, **direct);
    st = workload.Run(r);
  }
  client.stop();
  server->Stop();
  serving.join();
  (void)lake->catalog().RevokeToken(token.token.id);
  lake.reset();
  auto removed = DeleteRegistered(url, o.scale, ids);
  if (st.ok() && !removed.ok()) st = removed.status();
  return st;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

Status RunSqlite(const Options& o, BackendResult* r) {
  r->name = "sqlite";
  fs::path dir = fs::absolute(fs::path(o.out_dir) / ("sqlite-" + o.scale.Name()));
  fs::path marker = dir / "COMPLETE";
  std::string db = (dir / "_tarn" / "catalog.db").string();
  std::string url = "sqlite:" + db;
  if (fs::exists(marker)) {
    // Opening migrates the cache forward; one migrated by a newer tarn is regenerated.
    auto cached = lake::Lake::Open({dir.string(), url});
    if (!cached.ok() && cached.status().code() != ErrorCode::kFailedPrecondition) {
      return cached.status();
    }
    if (!cached.ok()) {
      std::fprintf(stderr, "sqlite: %s; regenerating\n", cached.status().message().c_str());
      fs::remove(marker);
    }
  }
  if (fs::exists(marker)) {
    std::ifstream in(marker);
    double secs = 0;
    in >> secs;
    r->generation = "cached (" + Seconds(secs) + ")";
    std::fprintf(stderr, "sqlite: using the cached catalog %s\n", db.c_str());
  } else {
    std::fprintf(stderr, "sqlite: generating %lld partitions into %s\n",
                 static_cast<long long>(o.scale.rows()), db.c_str());
    fs::remove_all(dir);
    auto t0 = SteadyClock::now();
    TARN_RETURN_IF_ERROR(lake::Lake::Open({dir.string(), url}).status());  // migrates
    TARN_RETURN_IF_ERROR(LoadSqlite(db, o.scale));
    double secs = MsSince(t0) / 1000;
    std::ofstream(marker) << secs << "\n";
    r->generation = Seconds(secs);
  }
  r->catalog_gib = fs::file_size(db) / double(1 << 30);
  return Measure(o, dir.string(), url, r);
}

Status RunPostgres(const Options& o, BackendResult* r) {
  r->name = "postgresql";
  ThrowawayPostgres pg;
  std::string url = o.postgres_url, root;
  if (url.empty()) {
    std::fprintf(stderr, "postgresql: starting a throwaway server\n");
    TARN_RETURN_IF_ERROR(pg.Start(o.pg_script, fs::temp_directory_path().string()));
    url = pg.url();
    root = pg.dir() + "/lake";
    TARN_RETURN_IF_ERROR(TuneForLoad(url));
  } else {
    root = (fs::absolute(fs::path(o.out_dir)) / "postgres-lake").string();
  }
  TARN_RETURN_IF_ERROR(lake::Lake::Open({root, url}).status());  // migrates
  if (!DatasetIds(url, o.scale).ok()) {
    std::fprintf(stderr, "postgresql: generating %lld partitions\n",
                 static_cast<long long>(o.scale.rows()));
    auto t0 = SteadyClock::now();
    TARN_RETURN_IF_ERROR(LoadPostgres(url, o.scale));
    r->generation = Seconds(MsSince(t0) / 1000);
  } else {
    r->generation = "preloaded";
  }
  {
    TARN_ASSIGN_OR_RETURN(auto conn, catalog::OpenSqlConnection(url));
    TARN_ASSIGN_OR_RETURN(auto res, conn->Query("SELECT pg_database_size(current_database())", {}));
    r->catalog_gib = res.rows.at(0).Int(0) / double(1 << 30);
  }
  return Measure(o, root, url, r);
}

// --- Report --------------------------------------------------------------------------------

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void PrintTable(const Options& o, const std::optional<BackendResult>& lite,
                const std::optional<BackendResult>& pg) {
  std::vector<std::array<std::string, 5>> rows;
  auto cell = [](const std::optional<BackendResult>& r, auto f) -> std::string {
    return r ? f(*r) : "-";
  };
  auto add = [&](std::string metric, auto f, std::string target, auto ratio) {
    std::string ratios;
    if (ratio) {
      ratios = cell(lite, [&](const BackendResult& b) { return Fmt("%.2fx", (*ratio)(b)); }) +
               " / " + cell(pg, [&](const BackendResult& b) { return Fmt("%.2fx", (*ratio)(b)); });
    }
    rows.push_back({std::move(metric), cell(lite, f), cell(pg, f), std::move(target), ratios});
  };
  using Getter = double (*)(const BackendResult&);
  std::optional<Getter> none;
  auto ms = [](Summary BackendResult::*s, double Summary::*p) {
    return [s, p](const BackendResult& b) { return Fmt("%.2f ms", b.*s.*p); };
  };

  add(
      "generation time", [](const BackendResult& b) { return b.generation; }, "", none);
  add(
      "catalog size on disk", [](const BackendResult& b) { return Fmt("%.2f GiB", b.catalog_gib); },
      "", none);
  double window_rows = lite ? lite->window_rows : pg ? pg->window_rows : 0;
  std::string window = "90-day window (" + Fmt("%.0f", window_rows) + " rows, limit=5000)";
  add("GET " + window + " p50", ms(&BackendResult::window_http, &Summary::p50), "",
      std::optional<Getter>(
          [](const BackendResult& b) { return b.window_http.p50 / b.window_direct.p50; }));
  add("GET " + window + " p99", ms(&BackendResult::window_http, &Summary::p99),
      "<= 10 ms, ratio <= 3x", std::optional<Getter>([](const BackendResult& b) {
        return b.window_http.p99 / b.window_direct.p99;
      }));
  add("  same SELECT direct p50", ms(&BackendResult::window_direct, &Summary::p50), "", none);
  add("  same SELECT direct p99", ms(&BackendResult::window_direct, &Summary::p99), "", none);
  add("  same SELECT direct, first touch p50",
      ms(&BackendResult::window_first_touch, &Summary::p50), "", none);
  add("  same SELECT direct, first touch p99",
      ms(&BackendResult::window_first_touch, &Summary::p99), "", none);
  add("GET default page (1000 rows) p50", ms(&BackendResult::page_http, &Summary::p50), "",
      std::optional<Getter>(
          [](const BackendResult& b) { return b.page_http.p50 / b.page_direct.p50; }));
  add("GET default page (1000 rows) p99", ms(&BackendResult::page_http, &Summary::p99), "",
      std::optional<Getter>(
          [](const BackendResult& b) { return b.page_http.p99 / b.page_direct.p99; }));
  add("  same SELECT direct p50", ms(&BackendResult::page_direct, &Summary::p50), "", none);
  add("  same SELECT direct p99", ms(&BackendResult::page_direct, &Summary::p99), "", none);
  for (size_t i = 0; i < o.batch_sizes.size(); ++i) {
    add(
        "POST batches of " + std::to_string(o.batch_sizes[i]) + " partitions",
        [i](const BackendResult& b) { return Fmt("%.0f partitions/s", b.batch_rates[i].second); },
        ">= 20000/s", none);
  }
  add("POST one partition p50", ms(&BackendResult::single, &Summary::p50), "<= 5 ms", none);
  add("POST one partition p99", ms(&BackendResult::single, &Summary::p99), "", none);

  std::array<size_t, 5> width{};
  std::array<std::string, 5> header = {"metric", "sqlite", "postgresql", "target",
                                       "baseline ratio (sqlite / pg)"};
  for (size_t c = 0; c < 5; ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::array<std::string, 5>& r) {
    std::string s = "|";
    for (size_t c = 0; c < 5; ++c)
      s += " " + r[c] + std::string(width[c] - r[c].size(), ' ') + " |";
    std::printf("%s\n", s.c_str());
  };
  std::printf(
      "\ncatalog benchmark: %d datasets x %d hourly partitions = %lld partitions; "
      "%d timed listings per metric, one keep-alive HTTP client\n\n",
      o.scale.datasets, o.scale.partitions_per_dataset, static_cast<long long>(o.scale.rows()),
      o.requests);
  line(header);
  std::array<std::string, 5> rule;
  for (size_t c = 0; c < 5; ++c) rule[c] = std::string(width[c], '-');
  line(rule);
  for (const auto& r : rows) line(r);
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app("tarn catalog benchmark: partition listing and registration over HTTP");
  app.add_option("--datasets", o.scale.datasets, "datasets in the generated catalog")
      ->check(CLI::PositiveNumber);
  app.add_option("--partitions-per-dataset", o.scale.partitions_per_dataset,
                 "hourly partitions per dataset")
      ->check(CLI::PositiveNumber);
  app.add_option("--backend", o.backend, "catalog backend")
      ->check(CLI::IsMember({"sqlite", "postgres", "both"}));
  app.add_option("--requests", o.requests, "timed listings per metric")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup, "untimed listings first");
  app.add_option("--batch-sizes", o.batch_sizes, "partitions per batch request")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-partitions", o.batch_partitions, "partitions registered per batch size")
      ->check(CLI::PositiveNumber);
  app.add_option("--singles", o.singles, "timed single registrations")->check(CLI::PositiveNumber);
  app.add_option("--out", o.out_dir, "where cached SQLite catalogs live");
  app.add_option("--postgres-url", o.postgres_url,
                 "use this PostgreSQL database instead of a throwaway server");
  app.add_option("--pg-tmp-script", o.pg_script, "scripts/pg-tmp.sh");
  app.add_option("--seed", o.seed, "random seed of the workload");
  CLI11_PARSE(app, argc, argv);

  StartPgSignalWatcher();
  std::optional<BackendResult> lite, pg;
  for (const char* backend : {"sqlite", "postgres"}) {
    if (o.backend != "both" && o.backend != backend) continue;
    BackendResult r;
    Status st = std::string(backend) == "sqlite" ? RunSqlite(o, &r) : RunPostgres(o, &r);
    if (!st.ok()) {
      std::fprintf(stderr, "catalog_bench: %s: %s\n", backend, st.ToString().c_str());
      return 1;
    }
    (std::string(backend) == "sqlite" ? lite : pg) = std::move(r);
  }
  PrintTable(o, lite, pg);
  return 0;
}

}  // namespace
}  // namespace tarn::bench

int main(int argc, char** argv) { return tarn::bench::Main(argc, argv); }
