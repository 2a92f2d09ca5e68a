// ingest_bench's PostgreSQL workload: a table in a throwaway (or given) server landed through
// the postgres connector, against COPY ... TO STDOUT read by libpq.
#include "ingest_bench.h"

namespace tarn::bench {
namespace {

// --- PostgreSQL ----------------------------------------------------------------------------

// The table, loaded unless an existing server already holds it with the right row count.
Status EnsureTable(const Options& o, PgConn& conn, bool throwaway, Report& rep) {
  if (!throwaway) {
    auto count = conn.QueryText(std::string("SELECT count(*) FROM ") + kPgTable);
    if (count.ok() && *count == std::to_string(o.pg_rows)) {
      std::fprintf(stderr, "postgres: reusing the table %s\n", kPgTable);
      return Status::OK();
    }
  } else {
    // Fewer checkpoints during the load; fsync is already off (pg-tmp.sh).
    TARN_RETURN_IF_ERROR(conn.Exec("ALTER SYSTEM SET max_wal_size = '8GB'"));
    TARN_RETURN_IF_ERROR(conn.Exec("ALTER SYSTEM SET checkpoint_timeout = '30min'"));
    TARN_RETURN_IF_ERROR(conn.Exec("SELECT pg_reload_conf()"));
  }
  std::fprintf(stderr, "postgres: creating %s with %lld rows (generate_series)\n", kPgTable,
               static_cast<long long>(o.pg_rows));
  auto t0 = SteadyClock::now();
  for (const std::string& sql : PgCreateTableStatements(o.pg_rows)) {
    TARN_RETURN_IF_ERROR(conn.Exec(sql));
  }
  TARN_ASSIGN_OR_RETURN(std::string size,
                        conn.QueryText(std::string("SELECT pg_size_pretty(") +
                                       "pg_total_relation_size('" + kPgTable + "'))"));
  std::fprintf(stderr, "postgres: loaded in %.0f s (%s with its index)\n", SecondsSince(t0),
               size.c_str());
  rep.Note("PostgreSQL table loaded in " + Fmt("%.0f s", SecondsSince(t0)) + "; " + size +
           " with its index on " + kPgCursorColumn);
  return Status::OK();
}

}  // namespace

Status RunPostgres(const Options& o, const fs::path& out, Report& rep) {
  ThrowawayPostgres server;
  std::string url = o.postgres_url;
  if (url.empty()) {
    std::fprintf(stderr, "postgres: starting a throwaway server under %s\n", out.c_str());
    TARN_RETURN_IF_ERROR(server.Start(o.pg_script, out.string()));
    url = server.url();
  }
  TARN_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(url));
  TARN_RETURN_IF_ERROR(EnsureTable(o, *conn, o.postgres_url.empty(), rep));

  std::string select = std::string("SELECT * FROM ") + kPgTable;
  std::fprintf(stderr, "postgres: warming up (one untimed COPY)\n");
  TARN_ASSIGN_OR_RETURN(PgConn::CopyStats warm, conn->CopyOut(select));
  if (warm.rows != o.pg_rows) return Internal("COPY returned " + std::to_string(warm.rows));
  double mb = warm.bytes / kMB, rows = static_cast<double>(o.pg_rows);

  ::setenv(kDsnEnv, url.c_str(), 1);
  std::string config = Json{
      {"connector", "postgres"},
      {"dsn", std::string("env:") + kDsnEnv},
      {"table", std::string("public.") + kPgTable},
      {"cursor_column",
       kPgCursorColumn}}.dump();
  std::string lake_root = (out / "lake-postgres").string();
  std::vector<LandResult> tarn;
  std::vector<Timing> copy;
  std::error_code ec;
  for (int i = 1; i <= o.repeat; ++i) {
    if (!o.tarn_only) {
      std::fprintf(stderr, "postgres: run %d/%d: COPY (%s) TO STDOUT\n", i, o.repeat,
                   select.c_str());
      Timing c;
      TARN_RETURN_IF_ERROR(Timed(&c, [&] { return conn->CopyOut(select).status(); }));
      copy.push_back(c);
    }
    std::fprintf(stderr, "postgres: run %d/%d: tarn RawIngestor::Run (postgres connector)\n", i,
                 o.repeat);
    TARN_ASSIGN_OR_RETURN(LandResult t,
                          LandWithTarn(lake_root, "customers", config, kPgRowSchema, o.codec));
    if (t.run.records_accepted != o.pg_rows || t.run.records_rejected != 0) {
      return Internal("tarn landed " + std::to_string(t.run.records_accepted) + " rows (" +
                      std::to_string(t.run.records_rejected) + " rejected) of " +
                      std::to_string(o.pg_rows));
    }
    tarn.push_back(std::move(t));
    if (!o.keep || i < o.repeat) fs::remove_all(lake_root, ec);
  }
  const LandResult& t = MedianOf(tarn);
  auto tarn_walls = Walls(tarn);
  std::vector<double> copy_walls;
  for (const Timing& c : copy) copy_walls.push_back(c.wall);
  double copy_wall = copy.empty() ? 0 : Median(copy_walls);

  rep.Section("PostgreSQL -> raw (" + std::to_string(o.pg_rows) + " rows, " + Fmt("%.0f MB", mb) +
              " of COPY text, " + Fmt("%.0f B", warm.bytes / rows) + " a row)");
  rep.Note("PostgreSQL: tarn = RawIngestor::Run (postgres connector, dsn env:" +
           std::string(kDsnEnv) + ", cursor_column " + kPgCursorColumn + ", Avro " + o.codec +
           "); baseline = COPY (SELECT * FROM " + kPgTable +
           ") TO STDOUT read by PQgetCopyData; the server shares the machine's cores");
  rep.Add({"rows/s", RateCell(rows, tarn_walls, "rows/s"), RateCell(rows, copy_walls, "rows/s"),
           Ratio(t.time.wall, copy_wall), "(none set)"});
  rep.Add({"MB/s (COPY text size / time)", RateCell(mb, tarn_walls, "MB/s"),
           RateCell(mb, copy_walls, "MB/s"), Ratio(t.time.wall, copy_wall), ""});
  rep.Add({"  MB/s of bytes_read (value text only)",
           Rate(t.run.bytes_read / kMB, t.time.wall, "MB/s"), "", "", ""});
  AddTarnRows(rep, t, "");
  if (!copy.empty()) {
    std::vector<double> cores;
    for (const Timing& c : copy) cores.push_back(c.cores());
    rep.Add({"  baseline wall time, client CPU (cores busy)", "",
             Fmt("%.1f s, ", copy_wall) + Fmt("%.2f", Median(cores)), "", ""});
  }

  if (o.breakdown && !o.tarn_only) {
    TARN_ASSIGN_OR_RETURN(
        std::string upper,
        conn->QueryText(std::string("SELECT max(") + kPgCursorColumn + ")::text FROM " + kPgTable));
    std::string ordered =
        select + " WHERE " + kPgCursorColumn + " <= '" + upper + "' ORDER BY " + kPgCursorColumn;
    ingest::PostgresSourceOptions po;
    po.dsn = url;
    po.table = std::string("public.") + kPgTable;
    po.cursor_column = kPgCursorColumn;
    po.source_name = "stage";
    std::vector<double> ordered_walls, source_walls, source_cores;
    for (int i = 1; i <= o.repeat; ++i) {
      std::fprintf(stderr, "postgres: breakdown %d/%d: ordered COPY, PostgresSource alone\n", i,
                   o.repeat);
      Timing oc;
      TARN_RETURN_IF_ERROR(Timed(&oc, [&] { return conn->CopyOut(ordered).status(); }));
      ordered_walls.push_back(oc.wall);
      int64_t n = 0;
      Timing s;
      TARN_RETURN_IF_ERROR(Timed(&s, [&]() -> Status {
        TARN_ASSIGN_OR_RETURN(auto src, ingest::PostgresSource::Open(po));
        std::vector<format::SourceRecord> batch;
        for (bool more = true; more;) {
          batch.clear();
          TARN_ASSIGN_OR_RETURN(more, src->Next(&batch, ingest::IngestOptions{}.batch_records));
          n += static_cast<int64_t>(batch.size());
        }
        return Status::OK();
      }));
      if (n != o.pg_rows) return Internal("PostgresSource read " + std::to_string(n) + " rows");
      source_walls.push_back(s.wall);
      source_cores.push_back(s.cores());
    }
    double s = Median(source_walls);
    rep.Section("PostgreSQL, where the time goes");
    rep.Add({"PostgresSource::Next (FETCH, rows -> JSON)", RateCell(rows, source_walls, "rows/s"),
             RateCell(rows, ordered_walls, "rows/s") + " (COPY, same ORDER BY)",
             Ratio(s, Median(ordered_walls)), ""});
    rep.Add(
        {"  + RawIngestor::Run (the full path)", RateCell(rows, tarn_walls, "rows/s"), "", "", ""});
    double ns = 1e9 / rows;
    rep.Note("PostgreSQL, ns per row from the medians: PostgresSource " + Fmt("%.0f", s * ns) +
             " (client CPU " + Fmt("%.2f", Median(source_cores)) + " cores), convert+write+land " +
             Fmt("%.0f", (t.time.wall - s) * ns) + "; total " + Fmt("%.0f", t.time.wall * ns) +
             " (client CPU " + Fmt("%.2f", t.time.cores()) + " cores)");
  }
  conn.reset();
  server.Stop();
  return Status::OK();
}

}  // namespace tarn::bench
