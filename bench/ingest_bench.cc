// ingest_bench: the raw zone's reproducible ingestion benchmark (`make bench-ingest`). It lands
// data through the real path (Lake::Open on a fresh directory with its SQLite catalog, a source,
// a raw dataset with a registered Avro schema, RawIngestor::Run: Avro files fsynced, published
// and registered) and measures, in the same run, a baseline that does the comparable work:
//   - JSON lines (generated, ~500-byte events) -> raw Avro, against DuckDB's
//     COPY (SELECT * FROM read_json(...)) TO '...parquet';
//   - a PostgreSQL table (generate_series, in a throwaway server) -> raw Avro through the
//     postgres connector, against COPY (SELECT * FROM t) TO STDOUT read fully by libpq.
// Then, unless --no-breakdown, the JSON path is re-run one stage at a time (read, + convert,
// + Avro write) and the PostgreSQL source alone, to show where the time goes. Every measurement
// runs --repeat times, tarn and its baseline alternating; the table shows medians. Nothing
// asserts on time; the row counts of every output are checked. Files live under --out and are
// removed at the end unless --keep.
#include "ingest_bench.h"

namespace tarn::bench {
namespace {

// --- JSON lines ----------------------------------------------------------------------------

// The generated input, reused when a previous --keep run left the same one.
Result<JsonlFile> EnsureJsonl(const Options& o, const std::string& path) {
  int64_t target = static_cast<int64_t>(o.jsonl_mb * kMB);
  std::string marker = path + ".complete";
  std::string expected = std::to_string(target) + " " + std::to_string(o.seed);
  if (fs::exists(marker) && fs::exists(path)) {
    std::ifstream in(marker);
    std::string spec;
    JsonlFile f;
    std::getline(in, spec);
    in >> f.bytes >> f.records;
    if (spec == expected && f.bytes == static_cast<int64_t>(fs::file_size(path))) {
      std::fprintf(stderr, "jsonl: reusing %s\n", path.c_str());
      return f;
    }
  }
  std::fprintf(stderr, "jsonl: generating %.0f MB of events into %s\n", o.jsonl_mb, path.c_str());
  auto t0 = SteadyClock::now();
  TARN_ASSIGN_OR_RETURN(JsonlFile f, WriteEventsJsonl(path, target, o.seed));
  std::fprintf(stderr, "jsonl: %lld records, %.0f bytes each on average, in %.0f s\n",
               static_cast<long long>(f.records), double(f.bytes) / f.records, SecondsSince(t0));
  std::ofstream(marker) << expected << "\n" << f.bytes << " " << f.records << "\n";
  return f;
}

// Reads the whole file with read(2); returns the bytes read.
Result<int64_t> ReadWhole(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return IOError("cannot open " + path);
  std::vector<char> buf(4 << 20);
  int64_t total = 0;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) total += static_cast<int64_t>(n);
  std::fclose(f);
  return total;
}

// Stage passes over the input, each adding one step of what the ingestor does per record.
enum class Stage { kRead, kConvert, kWrite };

struct StageResult {
  Timing time;
  int64_t records = 0;
  double close_seconds = 0;  // kWrite: AvroFileWriter::Close (flush, fsync, read-back)
};

Result<StageResult> RunStage(Stage stage, const std::string& input, const std::string& out_dir,
                             const std::string& codec) {
  ingest::FileSourceOptions fo;
  fo.path = input;
  fo.format = "jsonl";
  fo.source_name = "stage";
  TARN_ASSIGN_OR_RETURN(auto source, ingest::FileSource::Open(fo));
  TARN_ASSIGN_OR_RETURN(auto converter, format::JsonToAvro::Make(kEventSchema));
  avro_value_t value;
  TARN_RETURN_IF_ERROR(converter->NewValue(&value));
  ingest::IngestOptions defaults;  // the ingestor's batch and file sizes
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  StageResult r;
  std::unique_ptr<format::AvroFileWriter> writer;
  int parts = 0;
  int64_t part_bytes = 0;
  auto close = [&]() -> Status {
    if (!writer) return Status::OK();
    auto t0 = SteadyClock::now();
    Status st = writer->Close().status();
    r.close_seconds += SecondsSince(t0);
    writer.reset();
    return st;
  };
  Status st = Timed(&r.time, [&]() -> Status {
    std::vector<format::SourceRecord> batch;
    bool more = true;
    while (more) {
      batch.clear();
      TARN_ASSIGN_OR_RETURN(more, source->Next(&batch, defaults.batch_records));
      for (const format::SourceRecord& rec : batch) {
        ++r.records;
        if (stage == Stage::kConvert) {
          TARN_RETURN_IF_ERROR(converter->Convert(rec.payload, format::ValueMode::kTyped, &value));
        } else if (stage == Stage::kWrite) {
          if (!writer) {
            format::AvroWriterOptions wo;
            wo.codec = codec;
            std::string path = out_dir + "/part-" + std::to_string(parts++) + ".avro";
            TARN_ASSIGN_OR_RETURN(writer, format::AvroFileWriter::Create(path, kEventSchema, wo));
            part_bytes = 0;
          }
          TARN_RETURN_IF_ERROR(writer->Append(rec.payload, format::ValueMode::kTyped));
          part_bytes += static_cast<int64_t>(rec.payload.size());
          if (part_bytes >= defaults.target_file_bytes) TARN_RETURN_IF_ERROR(close());
        }
      }
    }
    return close();
  });
  avro_value_decref(&value);
  fs::remove_all(out_dir, ec);
  TARN_RETURN_IF_ERROR(st);
  return r;
}

struct DuckResult {
  Timing time;
  int64_t output_bytes = 0;
  std::string threads;
};

Result<DuckResult> DuckDbToParquet(const std::string& input, const std::string& parquet,
                                   int threads, int64_t expected_rows) {
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  if (threads > 0) TARN_RETURN_IF_ERROR(db->Exec("SET threads = " + std::to_string(threads)));
  DuckResult r;
  TARN_RETURN_IF_ERROR(
      db->Query("SELECT current_setting('threads')::VARCHAR", {}, [&](const engine::Row& row) {
        r.threads = row[0].value_or("?");
        return Status::OK();
      }));
  std::error_code ec;
  fs::remove(parquet, ec);
  // Paths are ours (no quotes in them); DuckDB's COPY does not take them as parameters.
  TARN_RETURN_IF_ERROR(Timed(&r.time, [&] {
    return db->Exec("COPY (SELECT * FROM read_json('" + input +
                    "', format='newline_delimited')) TO '" + parquet + "' (FORMAT parquet)");
  }));
  int64_t rows = -1;
  TARN_RETURN_IF_ERROR(db->Query("SELECT count(*)::VARCHAR FROM read_parquet(?)", {parquet},
                                 [&](const engine::Row& row) {
                                   rows = std::stoll(row[0].value_or("-1"));
                                   return Status::OK();
                                 }));
  if (rows != expected_rows) {
    return Internal("DuckDB wrote " + std::to_string(rows) + " rows, expected " +
                    std::to_string(expected_rows));
  }
  r.output_bytes = static_cast<int64_t>(fs::file_size(parquet));
  fs::remove(parquet, ec);
  return r;
}

Status RunJsonl(const Options& o, const fs::path& out, Report& rep) {
  std::string input =
      (out / ("events-" + Fmt("%.0f", o.jsonl_mb) + "MB-seed" + std::to_string(o.seed) + ".jsonl"))
          .string();
  TARN_ASSIGN_OR_RETURN(JsonlFile file, EnsureJsonl(o, input));
  double mb = file.bytes / kMB, records = static_cast<double>(file.records);

  // The page cache cannot be dropped here: read the file once, untimed, so every measurement
  // below reads it warm.
  std::fprintf(stderr, "jsonl: warming the page cache (reading %s once)\n", input.c_str());
  TARN_RETURN_IF_ERROR(ReadWhole(input).status());

  // tarn and the baseline alternate, `repeat` times each.
  std::string config = Json{{"connector", "file"}, {"path", input}, {"format", "jsonl"}}.dump();
  std::string lake_root = (out / "lake-jsonl").string();
  std::string parquet = (out / "duckdb-events.parquet").string();
  std::vector<LandResult> tarn;
  std::vector<DuckResult> duck;
  std::error_code ec;
  for (int i = 1; i <= o.repeat; ++i) {
    std::fprintf(stderr, "jsonl: run %d/%d: tarn RawIngestor::Run\n", i, o.repeat);
    TARN_ASSIGN_OR_RETURN(LandResult t,
                          LandWithTarn(lake_root, "events", config, kEventSchema, o.codec));
    if (t.run.records_accepted != file.records || t.run.records_rejected != 0 ||
        t.run.bytes_read != file.bytes) {
      return Internal("tarn landed " + std::to_string(t.run.records_accepted) + " records (" +
                      std::to_string(t.run.records_rejected) + " rejected, " +
                      std::to_string(t.run.bytes_read) + " bytes read) of " +
                      std::to_string(file.records));
    }
    tarn.push_back(std::move(t));
    if (!o.keep || i < o.repeat) fs::remove_all(lake_root, ec);
    if (o.tarn_only) continue;
    std::fprintf(stderr, "jsonl: run %d/%d: DuckDB read_json -> Parquet\n", i, o.repeat);
    TARN_ASSIGN_OR_RETURN(DuckResult d, DuckDbToParquet(input, parquet, 0, file.records));
    duck.push_back(std::move(d));
  }
  const LandResult& t = MedianOf(tarn);
  auto tarn_walls = Walls(tarn), duck_walls = Walls(duck);
  double duck_wall = duck.empty() ? 0 : Median(duck_walls);

  rep.Section("JSON lines -> raw (" + Fmt("%.0f MB", mb) + ", " + std::to_string(file.records) +
              " events of " + Fmt("%.0f B", double(file.bytes) / file.records) + ", warm cache)");
  rep.Note("JSON lines: tarn = RawIngestor::Run (file connector, Avro " + o.codec +
           ", fsynced, published, registered in SQLite); baseline = DuckDB COPY (SELECT * FROM "
           "read_json(..., format='newline_delimited')) TO '....parquet' (FORMAT parquet)");
  rep.Add({"input MB/s", RateCell(mb, tarn_walls, "MB/s"), RateCell(mb, duck_walls, "MB/s"),
           Ratio(t.time.wall, duck_wall), Fmt(">= %.0f MB/s", kJsonTargetMBps)});
  rep.Add({"records/s", RateCell(records, tarn_walls, "records/s"),
           RateCell(records, duck_walls, "records/s"), Ratio(t.time.wall, duck_wall), ""});
  // CPU-seconds hardly depend on what else runs on the machine, unlike wall time.
  std::vector<double> tarn_cpu, duck_cpu;
  for (const LandResult& r : tarn) tarn_cpu.push_back(r.time.cpu);
  for (const DuckResult& r : duck) duck_cpu.push_back(r.time.cpu);
  rep.Add({"input MB per CPU-second", Fmt("%.0f", mb / Median(tarn_cpu)),
           duck.empty() ? "-" : Fmt("%.0f", mb / Median(duck_cpu)),
           Ratio(Median(tarn_cpu), Median(duck_cpu)), ""});
  AddTarnRows(rep, t, duck.empty() ? "" : "1 Parquet, " + SizeText(duck[0].output_bytes));
  if (!duck.empty()) {
    const DuckResult& d = MedianOf(duck);
    rep.Add({"  baseline wall time, CPU (cores busy)", "",
             Fmt("%.1f s, ", d.time.wall) + Fmt("%.2f", d.time.cores()) + " (threads=" + d.threads +
                 ")",
             "", ""});
  }

  if (o.breakdown && !o.tarn_only) {
    std::string stage_dir = (out / "stage-avro").string();
    std::vector<Timing> plain;
    std::vector<DuckResult> duck1;
    std::vector<StageResult> read, conv, write;
    for (int i = 1; i <= o.repeat; ++i) {
      std::fprintf(stderr, "jsonl: breakdown %d/%d: read(2), stages, DuckDB threads=1\n", i,
                   o.repeat);
      Timing p;
      TARN_RETURN_IF_ERROR(Timed(&p, [&] { return ReadWhole(input).status(); }));
      plain.push_back(p);
      TARN_ASSIGN_OR_RETURN(StageResult r, RunStage(Stage::kRead, input, stage_dir, o.codec));
      read.push_back(r);
      TARN_ASSIGN_OR_RETURN(r, RunStage(Stage::kConvert, input, stage_dir, o.codec));
      conv.push_back(r);
      TARN_ASSIGN_OR_RETURN(r, RunStage(Stage::kWrite, input, stage_dir, o.codec));
      write.push_back(r);
      for (const auto* s : {&read, &conv, &write}) {
        if (s->back().records != file.records) {
          return Internal("a stage pass read " + std::to_string(s->back().records) + " records");
        }
      }
      TARN_ASSIGN_OR_RETURN(DuckResult d, DuckDbToParquet(input, parquet, 1, file.records));
      duck1.push_back(std::move(d));
    }
    auto read_walls = Walls(read), conv_walls = Walls(conv), write_walls = Walls(write);
    auto duck1_walls = Walls(duck1);
    std::vector<double> plain_walls, closes;
    for (const Timing& p : plain) plain_walls.push_back(p.wall);
    for (const StageResult& w : write) closes.push_back(w.close_seconds);
    rep.Section("JSON lines, where the time goes (cumulative stages, one thread)");
    rep.Add({"read(2) of the warm file", RateCell(mb, plain_walls, "MB/s"), "", "", ""});
    rep.Add({"FileSource::Next (lines -> records)", RateCell(mb, read_walls, "MB/s"), "", "", ""});
    rep.Add({"  + JsonToAvro::Convert (parse, validate)", RateCell(mb, conv_walls, "MB/s"), "", "",
             ""});
    rep.Add({"  + AvroFileWriter (encode, " + o.codec + ", fsync)",
             RateCell(mb, write_walls, "MB/s"),
             RateCell(mb, duck1_walls, "MB/s") + " (DuckDB, threads=1)",
             Ratio(Median(write_walls), Median(duck1_walls)), ""});
    rep.Add({"    of which Close (flush, fsync, read back)", Fmt("%.2f s", Median(closes)), "", "",
             ""});
    rep.Add({"  + RawIngestor::Run (the full path)", RateCell(mb, tarn_walls, "MB/s"), "", "", ""});
    double ns = 1e9 / records;
    double r = Median(read_walls), c = Median(conv_walls), w = Median(write_walls);
    rep.Note("JSON lines, ns per record from the medians: FileSource " + Fmt("%.0f", r * ns) +
             ", Convert " + Fmt("%.0f", (c - r) * ns) + ", Avro encode+compress+write+fsync " +
             Fmt("%.0f", (w - c) * ns) + ", the rest of RawIngestor::Run " +
             Fmt("%.0f", (t.time.wall - w) * ns) + "; total " + Fmt("%.0f", t.time.wall * ns));
  }
  if (!o.keep) {
    fs::remove(input, ec);
    fs::remove(input + ".complete", ec);
  }
  return Status::OK();
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return Fmt("%.2f", one);
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app("tarn ingestion benchmark: JSON lines and PostgreSQL into raw-zone Avro");
  app.add_option("--jsonl-mb", o.jsonl_mb, "MB (10^6 bytes) of generated JSON lines")
      ->check(CLI::PositiveNumber);
  app.add_option("--pg-rows", o.pg_rows, "rows in the PostgreSQL table")
      ->check(CLI::PositiveNumber);
  app.add_option("--workload", o.workload, "what to run")
      ->check(CLI::IsMember({"jsonl", "postgres", "both"}));
  app.add_flag("!--no-breakdown", o.breakdown, "skip the stage passes and single-thread baselines");
  app.add_flag("--tarn-only", o.tarn_only, "run the tarn path only (for profiling)");
  app.add_option("--out", o.out_dir, "where inputs, lakes and the PostgreSQL server live");
  app.add_flag("--keep", o.keep, "keep the input file and the lakes afterwards");
  app.add_option("--postgres-url", o.postgres_url,
                 "use this database (the table is created unless it holds --pg-rows rows)");
  app.add_option("--pg-tmp-script", o.pg_script, "scripts/pg-tmp.sh");
  app.add_option("--codec", o.codec, "Avro codec of the raw files")
      ->check(CLI::IsMember({"snappy", "null", "deflate"}));
  app.add_option("--seed", o.seed, "seed of the generated events");
  app.add_option("--repeat", o.repeat, "timed runs of each measurement (the median is shown)")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  StartPgSignalWatcher();
  fs::path out = fs::absolute(o.out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::fprintf(stderr, "ingest_bench: cannot create %s: %s\n", out.c_str(), ec.message().c_str());
    return 1;
  }
  std::string load_before = LoadAverage();
  auto t0 = SteadyClock::now();
  Report rep;
  for (const char* w : {"jsonl", "postgres"}) {
    if (o.workload != "both" && o.workload != w) continue;
    Status st = std::string(w) == "jsonl" ? RunJsonl(o, out, rep) : RunPostgres(o, out, rep);
    if (!st.ok()) {
      std::fprintf(stderr, "ingest_bench: %s: %s\n", w, st.ToString().c_str());
      return 1;
    }
  }
  rep.Note("1 MB = 10^6 bytes; rates from wall times: the median of " + std::to_string(o.repeat) +
           " runs, (slowest-fastest) after it; " +
           std::to_string(std::thread::hardware_concurrency()) + " cores, DuckDB " +
           engine::DuckDbVersion() + "; load average " + load_before + " before, " + LoadAverage() +
           " after (" + Fmt("%.0f s", SecondsSince(t0)) + " in all)");
  rep.Print(
      "ingest benchmark (RawIngestor::Run is single-threaded; baselines use what they "
      "use)");
  return 0;
}

}  // namespace
}  // namespace tarn::bench

int main(int argc, char** argv) { return tarn::bench::Main(argc, argv); }
