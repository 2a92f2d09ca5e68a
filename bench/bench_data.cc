#include "bench_data.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <functional>

#include "tarn/catalog/sql_db.h"

namespace tarn::bench {
namespace {

constexpr int64_t kIdEpochMs = kFirstHour / 1000;
constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kRowsPerTransaction = 1'000'000;
constexpr char kHex[] = "0123456789abcdef";

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A version-7 UUID for `ms` with `seq` (12 bits) in rand_a, as a sub-millisecond counter keeps
// ids ordered, and `random` bits in rand_b.
std::string UuidV7(int64_t ms, uint64_t seq, uint64_t random) {
  uint64_t hi = (static_cast<uint64_t>(ms) << 16) | 0x7000 | (seq & 0xFFF);
  uint64_t lo = 0x8000000000000000ULL | (random >> 2);
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    uint64_t word = i < 8 ? hi : lo;
    auto byte = static_cast<unsigned>((word >> (56 - 8 * (i % 8))) & 0xFF);
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xF]);
  }
  return out;
}

std::string SourceId() { return UuidV7(kIdEpochMs - 2 * kMsPerDay, 0, SplitMix64(1)); }
std::string DatasetId(int d) { return UuidV7(kIdEpochMs - kMsPerDay + d, 0, SplitMix64(~d)); }
constexpr const char* kSetupTime = "2023-12-31T00:00:00.000000Z";

// One generated partition row; a deterministic function of (dataset, hour).
struct PartitionRow {
  std::string id;
  std::string key;
  std::string file_path;
  int64_t row_count;
  int64_t size_bytes;
  const char* status;
  std::string created_at;
};

void MakeRow(const Scale& scale, int d, int64_t h, PartitionRow* row) {
  int64_t seq = int64_t{d} * scale.partitions_per_dataset + h;
  uint64_t r1 = SplitMix64(static_cast<uint64_t>(seq) * 3 + 1);
  uint64_t r2 = SplitMix64(static_cast<uint64_t>(seq) * 3 + 2);
  uint64_t r3 = SplitMix64(static_cast<uint64_t>(seq) * 3 + 3);
  row->id = UuidV7(kIdEpochMs + seq / 4096, static_cast<uint64_t>(seq % 4096), r1);
  row->key = HourKey(h);
  row->file_path = PartitionPath(d, h);
  row->row_count = 1000 + static_cast<int64_t>(r2 % 999'001);
  row->size_bytes = row->row_count * (40 + static_cast<int64_t>(r3 % 80));
  int pct = static_cast<int>((r2 >> 32) % 100);
  row->status = pct < 80 ? "landed" : pct < 97 ? "passed" : "quarantined";
  // Registered within the hour after the partition's hour ended.
  row->created_at = FormatIsoTimestamp(kFirstHour + (h + 1) * kMicrosPerHour +
                                       static_cast<int64_t>((r3 >> 32) % kMicrosPerHour));
}

// Calls `chunk(first, last)` for consecutive dataset ranges of about kRowsPerTransaction rows.
Status ForEachChunk(const Scale& scale, const std::function<Status(int, int)>& chunk) {
  int per_chunk = static_cast<int>(
      std::max<int64_t>(1, kRowsPerTransaction / std::max(1, scale.partitions_per_dataset)));
  auto start = std::chrono::steady_clock::now();
  for (int first = 0; first < scale.datasets; first += per_chunk) {
    int last = std::min(scale.datasets, first + per_chunk);
    TARN_RETURN_IF_ERROR(chunk(first, last));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t rows = int64_t{last} * scale.partitions_per_dataset;
    std::fprintf(stderr, "\r  loaded %lld / %lld partitions (%.0f s, %.0f rows/s)   ",
                 static_cast<long long>(rows), static_cast<long long>(scale.rows()), secs,
                 rows / std::max(secs, 1e-9));
  }
  std::fprintf(stderr, "\n");
  return Status::OK();
}

// --- SQLite ---------------------------------------------------------------------------------

class SqliteLoader {
 public:
  ~SqliteLoader() {
    for (sqlite3_stmt* s : {source_, dataset_, partition_}) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      return Error("opening " + path);
    }
    // No journal and no syncs during the load: a crash leaves no completion marker, and the
    // next run regenerates. WAL (tarn's mode) is restored at the end.
    TARN_RETURN_IF_ERROR(
        Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
             "PRAGMA cache_size=-1048576; PRAGMA locking_mode=EXCLUSIVE"));
    TARN_RETURN_IF_ERROR(
        Prepare("INSERT INTO data_sources (id, name, type, connection_config, "
                "owner, created_at) VALUES (?, 'bench_source', 'batch', '{}', "
                "'bench', ?)",
                &source_));
    TARN_RETURN_IF_ERROR(
        Prepare("INSERT INTO datasets (id, source_id, name, zone, owner, "
                "sla_hours, created_at, updated_at) "
                "VALUES (?, ?, ?, 'raw', 'bench', 24, ?, ?)",
                &dataset_));
    return Prepare(
        "INSERT INTO partitions (id, dataset_id, partition_key, file_path, format, "
        "row_count, size_bytes, status, created_at) "
        "VALUES (?, ?, ?, ?, 'avro', ?, ?, ?, ?)",
        &partition_);
  }

  Status Load(const Scale& scale) {
    TARN_RETURN_IF_ERROR(Exec("BEGIN"));
    std::string source_id = SourceId();
    TARN_RETURN_IF_ERROR(Step(source_, {source_id, kSetupTime}));
    for (int d = 0; d < scale.datasets; ++d) {
      TARN_RETURN_IF_ERROR(
          Step(dataset_, {DatasetId(d), source_id, DatasetName(d), kSetupTime, kSetupTime}));
    }
    TARN_RETURN_IF_ERROR(Exec("COMMIT"));
    PartitionRow row;
    TARN_RETURN_IF_ERROR(ForEachChunk(scale, [&](int first, int last) -> Status {
      TARN_RETURN_IF_ERROR(Exec("BEGIN"));
      for (int d = first; d < last; ++d) {
        std::string dataset_id = DatasetId(d);
        for (int64_t h = 0; h < scale.partitions_per_dataset; ++h) {
          MakeRow(scale, d, h, &row);
          sqlite3_stmt* s = partition_;
          Text(s, 1, row.id);
          Text(s, 2, dataset_id);
          Text(s, 3, row.key);
          Text(s, 4, row.file_path);
          sqlite3_bind_int64(s, 5, row.row_count);
          sqlite3_bind_int64(s, 6, row.size_bytes);
          sqlite3_bind_text(s, 7, row.status, -1, SQLITE_STATIC);
          Text(s, 8, row.created_at);
          if (sqlite3_step(s) != SQLITE_DONE) return Error("inserting a partition");
          sqlite3_reset(s);
        }
      }
      return Exec("COMMIT");
    }));
    return Exec("PRAGMA locking_mode=NORMAL; PRAGMA journal_mode=WAL");
  }

 private:
  Status Error(const std::string& what) {
    return IOError(what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  Status Exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
    return Status::OK();
  }
  Status Prepare(const char* sql, sqlite3_stmt** out) {
    if (sqlite3_prepare_v2(db_, sql, -1, out, nullptr) != SQLITE_OK) return Error(sql);
    return Status::OK();
  }
  static void Text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  Status Step(sqlite3_stmt* s, const std::vector<std::string>& texts) {
    for (size_t i = 0; i < texts.size(); ++i) Text(s, static_cast<int>(i + 1), texts[i]);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? Status::OK() : Error("inserting");
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* source_ = nullptr;
  sqlite3_stmt* dataset_ = nullptr;
  sqlite3_stmt* partition_ = nullptr;
};

// --- PostgreSQL -----------------------------------------------------------------------------

class PostgresLoader {
 public:
  ~PostgresLoader() { PQfinish(conn_); }

  Status Open(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) return Unavailable(PQerrorMessage(conn_));
    // Rows are consistent by construction: skip the per-row foreign-key triggers.
    return Exec("SET session_replication_role = replica; SET synchronous_commit = off");
  }

  Status Load(const Scale& scale) {
    std::string source_id = SourceId();
    std::string setup = std::string(kSetupTime);
    TARN_RETURN_IF_ERROR(Copy("data_sources (id, name, type, connection_config, owner, created_at)",
                              [&](std::string& buf) -> Status {
                                buf +=
                                    source_id + "\tbench_source\tbatch\t{}\tbench\t" + setup + "\n";
                                return Status::OK();
                              }));
    TARN_RETURN_IF_ERROR(
        Copy("datasets (id, source_id, name, zone, owner, sla_hours, created_at, updated_at)",
             [&](std::string& buf) -> Status {
               for (int d = 0; d < scale.datasets; ++d) {
                 buf += DatasetId(d) + "\t" + source_id + "\t" + DatasetName(d) +
                        "\traw\tbench\t24\t" + setup + "\t" + setup + "\n";
                 TARN_RETURN_IF_ERROR(MaybeFlush(buf));
               }
               return Status::OK();
             }));
    PartitionRow row;
    TARN_RETURN_IF_ERROR(ForEachChunk(scale, [&](int first, int last) {
      return Copy(
          "partitions (id, dataset_id, partition_key, file_path, format, row_count, size_bytes, "
          "status, created_at)",
          [&](std::string& buf) -> Status {
            for (int d = first; d < last; ++d) {
              std::string dataset_id = DatasetId(d);
              for (int64_t h = 0; h < scale.partitions_per_dataset; ++h) {
                MakeRow(scale, d, h, &row);
                buf += row.id;
                buf += '\t';
                buf += dataset_id;
                buf += '\t';
                buf += row.key;
                buf += '\t';
                buf += row.file_path;
                buf += "\tavro\t";
                buf += std::to_string(row.row_count);
                buf += '\t';
                buf += std::to_string(row.size_bytes);
                buf += '\t';
                buf += row.status;
                buf += '\t';
                buf += row.created_at;
                buf += '\n';
                TARN_RETURN_IF_ERROR(MaybeFlush(buf));
              }
            }
            return Status::OK();
          });
    }));
    // What autovacuum would do after a bulk insert, done now so it cannot run mid-benchmark.
    std::fprintf(stderr, "  VACUUM ANALYZE\n");
    return Exec("VACUUM ANALYZE");
  }

 private:
  Status Error(const std::string& what) {
    std::string msg = what + ": " + PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Internal(msg);
  }

  Status Exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(res);
    PQclear(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(sql);
    return Status::OK();
  }

  Status MaybeFlush(std::string& buf) {
    if (buf.size() < (4u << 20)) return Status::OK();
    if (PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) {
      return Error("COPY data");
    }
    buf.clear();
    return Status::OK();
  }

  // COPY `target` FROM STDIN with the tab-separated lines `fill` appends to its buffer.
  Status Copy(const std::string& target, const std::function<Status(std::string&)>& fill) {
    PGresult* res = PQexec(conn_, ("COPY " + target + " FROM STDIN").c_str());
    bool started = PQresultStatus(res) == PGRES_COPY_IN;
    PQclear(res);
    if (!started) return Error("COPY " + target);
    std::string buf;
    buf.reserve(5u << 20);
    Status st = fill(buf);
    if (st.ok() && !buf.empty() &&
        PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) {
      st = Error("COPY data");
    }
    if (PQputCopyEnd(conn_, st.ok() ? nullptr : "aborted") != 1) return Error("COPY end");
    while ((res = PQgetResult(conn_)) != nullptr) {
      if (PQresultStatus(res) != PGRES_COMMAND_OK && st.ok()) st = Error("COPY " + target);
      PQclear(res);
    }
    return st;
  }

  PGconn* conn_ = nullptr;
};

}  // namespace

std::string Scale::Name() const {
  return std::to_string(datasets) + "x" + std::to_string(partitions_per_dataset);
}

std::string DatasetName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "ds_%05d", index);
  return buf;
}

std::string HourKey(int64_t h) {
  std::string iso = FormatIsoTimestamp(kFirstHour + h * kMicrosPerHour);
  return "dt=" + iso.substr(0, 10) + "/hour=" + iso.substr(11, 2);
}

std::string PartitionPath(int dataset_index, int64_t h) {
  return "raw/" + DatasetName(dataset_index) + "/" + HourKey(h) + "/part-0000.avro";
}

Status LoadSqlite(const std::string& db_path, const Scale& scale) {
  SqliteLoader loader;
  TARN_RETURN_IF_ERROR(loader.Open(db_path));
  return loader.Load(scale);
}

Status LoadPostgres(const std::string& url, const Scale& scale) {
  PostgresLoader loader;
  TARN_RETURN_IF_ERROR(loader.Open(url));
  return loader.Load(scale);
}

Result<std::vector<std::string>> DatasetIds(const std::string& catalog_url, const Scale& scale) {
  TARN_ASSIGN_OR_RETURN(auto conn, catalog::OpenSqlConnection(catalog_url));
  TARN_ASSIGN_OR_RETURN(auto res, conn->Query("SELECT id FROM datasets WHERE zone = 'raw' AND "
                                              "name LIKE 'ds\\_%' ESCAPE '\\' ORDER BY name",
                                              {}));
  if (res.rows.size() != static_cast<size_t>(scale.datasets)) {
    return FailedPrecondition("the catalog holds " + std::to_string(res.rows.size()) +
                              " benchmark datasets, expected " + std::to_string(scale.datasets));
  }
  std::vector<std::string> ids;
  for (const auto& r : res.rows) ids.push_back(r.Text(0));
  return ids;
}

Result<int64_t> DeleteRegistered(const std::string& catalog_url, const Scale& scale,
                                 const std::vector<std::string>& dataset_ids) {
  TARN_ASSIGN_OR_RETURN(auto conn, catalog::OpenSqlConnection(catalog_url));
  std::string bound = HourKey(scale.partitions_per_dataset);
  int64_t deleted = 0;
  TARN_RETURN_IF_ERROR(conn->Begin());
  for (const std::string& id : dataset_ids) {
    auto res = conn->Query("DELETE FROM partitions WHERE dataset_id = ? AND partition_key >= ?",
                           {id, bound});
    if (!res.ok()) {
      (void)conn->Rollback();
      return res.status();
    }
    deleted += res->affected;
  }
  TARN_RETURN_IF_ERROR(conn->Commit());
  return deleted;
}

}  // namespace tarn::bench
