#include "tarn/ingest/pg_cdc_stream.h"

#include <cctype>
#include <cstdlib>
#include <chrono>
#include <mutex>
#include <thread>

#include "tarn/base/log.h"
#include "tarn/base/time.h"
#include "tarn/ingest/pg_cdc_events.h"
#include "tarn/ingest/pg_pgoutput.h"
#include "tarn/ingest/pg_util.h"
#include "tarn/ingest/pg_wal2json.h"

namespace tarn::ingest {
namespace {

constexpr int64_t kRetryPauseMs = 1000;
constexpr int kSnapshotFetchRows = 10000;

int64_t NowMs() { return Clock::System().Now() / 1000; }

// The bytes of a bytea in PostgreSQL's text output ("\x" and hex digits).
std::string ByteaBytes(std::string_view text) {
  auto nibble = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 32) - 'a' + 10;
  };
  std::string out;
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  }
  return out;
}

// Sleeps until `until` (system micros) or until `stop` is set.
void SleepUntil(UnixMicros until, const std::atomic<bool>& stop) {
  while (!stop.load() && Clock::System().Now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

struct PgCdcStream::Impl {
  catalog::CatalogService& catalog;
  PgCdcConfig config;
  StreamOptions options;
  std::string table;  // "schema.table", as the plugins name it
  std::string quoted_table;
  std::vector<std::string> key;  // primary-key columns
  std::unique_ptr<StreamLander> lander;
  std::unique_ptr<WalDecoder> decoder;
  pg::Conn c;
  int64_t next = 0;       // the lowest commit LSN not added yet
  int64_t processed = 0;  // the end of the last transaction read (landed, pending or skipped)
  int64_t confirmed = 0;  // the slot's confirmed position, as last advanced
  UnixMicros batch_opened = 0;

  std::atomic<int64_t> consumed{0};
  mutable std::mutex mu;
  StreamMetrics metrics;

  explicit Impl(catalog::CatalogService& cat) : catalog(cat) {}

  // The table's quoted name and primary key. Errors: kNotFound (no such table),
  // kFailedPrecondition (no replica identity: its updates and deletes name no row).
  Status ReadTable() {
    TARN_ASSIGN_OR_RETURN(std::string schema, pg::QuoteIdentifier(c.conn, config.schema, "schema"));
    TARN_ASSIGN_OR_RETURN(std::string name, pg::QuoteIdentifier(c.conn, config.table, "table"));
    quoted_table = schema + "." + name;
    TARN_ASSIGN_OR_RETURN(auto identity, Sql("SELECT relreplident FROM pg_class WHERE oid = "
                                             "to_regclass($1)",
                                             {quoted_table}, "looking up " + table));
    if (PQntuples(identity.get()) == 0) return NotFound("table " + table);
    TARN_ASSIGN_OR_RETURN(auto keys, Sql("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON "
                                         "a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                                         "WHERE i.indrelid = to_regclass($1) AND i.indisprimary",
                                         {quoted_table}, "reading the primary key of " + table));
    for (int i = 0; i < PQntuples(keys.get()); ++i) key.emplace_back(PQgetvalue(keys.get(), i, 0));
    std::string setting = PQgetvalue(identity.get(), 0, 0);
    if (setting == "n" || (setting == "d" && key.empty())) {
      return FailedPrecondition("table " + table +
                                " has no replica identity, so its updates and deletes name no "
                                "row: give it a primary key or REPLICA IDENTITY FULL");
    }
    return Status::OK();
  }

  Result<pg::ResultPtr> Sql(const std::string& sql, const std::vector<std::string>& params,
                            const std::string& what) {
    return pg::Exec(c.conn, sql, params, what + " (slot " + config.slot + ")");
  }

  // The slot's confirmed position, or nullopt when it does not exist. Errors: kFailedPrecondition
  // (a slot of another plugin or database).
  Result<std::optional<int64_t>> SlotPosition() {
    TARN_ASSIGN_OR_RETURN(
        auto res, Sql("SELECT plugin, database = current_database(), "
                      "confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                      {config.slot}, "looking up the replication slot"));
    if (PQntuples(res.get()) == 0) return std::optional<int64_t>();
    if (std::string(PQgetvalue(res.get(), 0, 0)) != config.plugin ||
        std::string(PQgetvalue(res.get(), 0, 1)) != "t") {
      return FailedPrecondition("replication slot " + config.slot +
                                " exists with another plugin than " + config.plugin +
                                " or for another database");
    }
    if (PQgetisnull(res.get(), 0, 2)) return std::optional<int64_t>(0);
    TARN_ASSIGN_OR_RETURN(int64_t lsn, ParseLsn(PQgetvalue(res.get(), 0, 2)));
    return std::optional<int64_t>(lsn);
  }

  // Where to start: a snapshot when nothing was landed yet, else the stored position.
  Status Start() {
    TARN_ASSIGN_OR_RETURN(auto stored, lander->StoredPositions());
    TARN_ASSIGN_OR_RETURN(auto slot, SlotPosition());
    if (!stored.count(0)) return Snapshot(slot.has_value());
    if (!slot) {
      return FailedPrecondition("replication slot " + config.slot + " is gone: the changes since " +
                                FormatLsn(stored[0] - 1) +
                                " are lost. Drop and recreate the dataset to start over");
    }
    if (config.plugin == "pgoutput") {
      TARN_ASSIGN_OR_RETURN(bool published, Published());
      if (!published) {
        return FailedPrecondition("publication " + config.publication + " of " + table +
                                  " is gone: the slot cannot be read");
      }
    }
    lander->Reset(0, stored[0]);
    next = stored[0];
    processed = confirmed = *slot;
    return Status::OK();
  }

  // Whether the publication exists and publishes the table (pgoutput).
  // Errors: kFailedPrecondition (it exists without the table).
  Result<bool> Published() {
    TARN_ASSIGN_OR_RETURN(
        auto res,
        Sql("SELECT EXISTS (SELECT 1 FROM pg_publication_tables "
            "WHERE pubname = $1 AND schemaname = $2 AND tablename = $3), "
            "EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
            {config.publication, config.schema, config.table}, "looking up the publication"));
    bool has_table = std::string(PQgetvalue(res.get(), 0, 0)) == "t";
    bool exists = std::string(PQgetvalue(res.get(), 0, 1)) == "t";
    if (exists && !has_table) {
      return FailedPrecondition("publication " + config.publication + " does not publish " + table);
    }
    return exists;
  }

  // The publication pgoutput reads, created with the slot: changes are decoded against it as
  // it was when they happened.
  Status EnsurePublication() {
    TARN_ASSIGN_OR_RETURN(bool published, Published());
    if (published) return Status::OK();
    TARN_ASSIGN_OR_RETURN(std::string name,
                          pg::QuoteIdentifier(c.conn, config.publication, "publication"));
    return Sql("CREATE PUBLICATION " + name + " FOR TABLE " + quoted_table, {},
               "creating publication " + config.publication)
        .status();
  }

  // (Re)creates the slot exporting a snapshot and lands the table's rows as read at it.
  Status Snapshot(bool slot_exists) {
    if (slot_exists) {
      TARN_RETURN_IF_ERROR(
          Sql("SELECT pg_drop_replication_slot($1)", {config.slot}, "dropping the slot").status());
    }
    if (config.plugin == "pgoutput") TARN_RETURN_IF_ERROR(EnsurePublication());
    pg::Conn repl;
    TARN_ASSIGN_OR_RETURN(repl.conn, pg::Connect(config.dsn, {{"replication", "database"}}));
    std::string create =
        "CREATE_REPLICATION_SLOT " + config.slot + " LOGICAL " + config.plugin + " EXPORT_SNAPSHOT";
    pg::ResultPtr created(PQexec(repl.conn, create.c_str()), &PQclear);
    if (PQresultStatus(created.get()) != PGRES_TUPLES_OK) {
      return pg::Error(repl.conn, created.get(), "creating replication slot " + config.slot);
    }
    TARN_ASSIGN_OR_RETURN(int64_t consistent, ParseLsn(PQgetvalue(created.get(), 0, 1)));
    std::string snapshot = PQgetvalue(created.get(), 0, 2);
    // Snapshot rows take the offset just below the consistent point: the commit records of the
    // transactions decoded next start at or after it.
    lander->Reset(0, std::nullopt);
    TARN_RETURN_IF_ERROR(ReadSnapshot(snapshot, consistent - 1));
    processed = confirmed = consistent;
    if (lander->pending_records() == 0) return Status::OK();
    auto landed = lander->Flush();
    if (!landed.ok())
      return Unavailable("landing the snapshot of " + table + ": " + landed.status().ToString());
    next = consistent;
    Counted(*landed);
    if (options.on_landed) options.on_landed(*landed);
    LogInfo("stream " + config.slot + ": landed the snapshot of " + table + " (" +
            std::to_string(landed->records) + " rows)");
    return Status::OK();
  }

  Status ReadSnapshot(const std::string& snapshot, int64_t offset) {
    TARN_RETURN_IF_ERROR(
        Sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {}, "reading the snapshot")
            .status());
    TARN_RETURN_IF_ERROR(
        Sql("SET TRANSACTION SNAPSHOT '" + snapshot + "'", {}, "reading the snapshot").status());
    TARN_RETURN_IF_ERROR(
        Sql("DECLARE tarn_snapshot NO SCROLL CURSOR FOR SELECT * FROM " + quoted_table, {},
            "reading the snapshot")
            .status());
    for (bool more = true; more;) {
      TARN_ASSIGN_OR_RETURN(auto rows, Sql("FETCH FORWARD " + std::to_string(kSnapshotFetchRows) +
                                               " FROM tarn_snapshot",
                                           {}, "reading the snapshot"));
      PGresult* r = rows.get();
      more = PQntuples(r) == kSnapshotFetchRows;
      for (int i = 0; i < PQntuples(r); ++i) {
        std::string row = "{";
        for (int col = 0; col < PQnfields(r); ++col) {
          if (col) row += ',';
          pg::AppendJsonString(&row, PQfname(r, col));
          row += ':';
          if (PQgetisnull(r, i, col)) {
            row += "null";
          } else {
            pg::AppendValue(&row, pg::KindOf(PQftype(r, col)),
                            std::string_view(PQgetvalue(r, i, col), PQgetlength(r, i, col)), true);
          }
        }
        row += '}';
        TARN_RETURN_IF_ERROR(lander->Add(0, offset, SnapshotEvent(row, table, NowMs())));
      }
    }
    return Sql("COMMIT", {}, "reading the snapshot").status();
  }

  // Reads up to batch_changes changes past what was added; adds whole transactions. Returns
  // whether the read was full (more are waiting).
  Result<pg::ResultPtr> Peek() {
    std::string n = std::to_string(config.batch_changes);
    if (config.plugin == "pgoutput") {
      return Sql(
          "SELECT lsn::text, xid::text, data FROM pg_logical_slot_peek_binary_changes("
          "$1, NULL, $2, 'proto_version', '1', 'publication_names', $3)",
          {config.slot, n, config.publication}, "reading changes");
    }
    return Sql(
        "SELECT lsn::text, xid::text, data FROM pg_logical_slot_peek_changes($1, NULL, $2, "
        "'format-version', '2', 'include-lsn', '1', 'include-timestamp', '1', "
        "'include-type-oids', '1', 'add-tables', $3)",
        {config.slot, n, table}, "reading changes");
  }

  Result<bool> Poll() {
    TARN_ASSIGN_OR_RETURN(auto res, Peek());
    int rows = PQntuples(res.get());
    int64_t commit = -1;
    bool skip = true;
    for (int i = 0; i < rows; ++i) {
      TARN_ASSIGN_OR_RETURN(int64_t lsn, ParseLsn(PQgetvalue(res.get(), i, 0)));
      int64_t xid = std::atoll(PQgetvalue(res.get(), i, 1));
      std::string_view data(PQgetvalue(res.get(), i, 2), PQgetlength(res.get(), i, 2));
      std::string bytes = config.plugin == "pgoutput" ? ByteaBytes(data) : std::string(data);
      TARN_ASSIGN_OR_RETURN(WalMessage m, decoder->Decode(lsn, xid, bytes, NowMs()));
      if (m.action == 'B') {
        commit = m.lsn;
        skip = commit < next;
      } else if (m.action == 'C') {
        processed = std::max(processed, m.lsn);
        if (!skip) next = commit + 1;
      } else if (m.action == 'T' && !skip) {
        LogWarn("stream " + config.slot + ": TRUNCATE of " + table +
                " is not captured; curated keeps its rows");
      } else if (!skip) {
        for (const std::string& event : m.events) {
          if (lander->pending_records() == 0) batch_opened = Clock::System().Now();
          consumed.fetch_add(1, std::memory_order_relaxed);
          TARN_RETURN_IF_ERROR(lander->Add(0, commit, event));
        }
      }
    }
    RefreshLag();
    return rows >= config.batch_changes;
  }

  // Moves the slot to `lsn` (the end of a transaction landed or not wanted).
  void Advance(int64_t lsn) {
    if (lsn <= confirmed) return;
    auto res = Sql("SELECT pg_replication_slot_advance($1, $2::pg_lsn)",
                   {config.slot, FormatLsn(lsn)}, "advancing the slot");
    if (!res.ok()) {
      LogWarn("stream " + config.slot + ": " + res.status().ToString() +
              " (retried after the next batch)");
      return;
    }
    confirmed = lsn;
  }

  // Back to the stored position after a failed read or landing.
  void Rewind() {
    lander->DropAll();
    auto stored = lander->StoredPositions();
    std::optional<int64_t> position;
    if (stored.ok() && stored->count(0)) position = stored->at(0);
    lander->Reset(0, position);
    next = position.value_or(0);
    batch_opened = 0;
    if (PQstatus(c.conn) != CONNECTION_OK) PQreset(c.conn);
  }

  void Counted(const LandedBatch& landed) {
    std::lock_guard lock(mu);
    CountLanded(landed, &metrics);
  }

  // Lands the pending batch, then advances the slot past everything read.
  void Land() {
    if (lander->pending_records() == 0) return;
    auto landed = lander->Flush();
    batch_opened = 0;
    if (!landed.ok()) {
      LogWarn("stream " + config.slot + ": " + landed.status().ToString() +
              "; reading again from the stored position");
      bool conflict = landed.status().code() == ErrorCode::kConflict;
      if (conflict) {
        std::lock_guard lock(mu);
        ++metrics.conflicts;
      }
      Rewind();
      if (!conflict) std::this_thread::sleep_for(std::chrono::milliseconds(kRetryPauseMs));
      return;
    }
    Counted(*landed);
    Advance(processed);
    if (options.on_landed) options.on_landed(*landed);
  }

  void RefreshLag() {
    PartitionLag lag;
    lag.landed = next;
    auto res = Sql("SELECT pg_current_wal_lsn()::text", {}, "reading the WAL position");
    if (res.ok()) {
      auto end = ParseLsn(PQgetvalue(res->get(), 0, 0));
      if (end.ok()) {
        lag.high_watermark = *end;
        lag.lag = std::max<int64_t>(0, *end - next);
      }
    }
    std::lock_guard lock(mu);
    metrics.partitions = {lag};
  }

  Status Run(const std::atomic<bool>& stop) {
    TARN_RETURN_IF_ERROR(Start());
    while (!stop.load()) {
      auto more = Poll();
      if (!more.ok()) {
        LogWarn("stream " + config.slot + ": " + more.status().ToString() +
                "; reading again shortly");
        Rewind();
        SleepUntil(Clock::System().Now() + kRetryPauseMs * 1000, stop);
        continue;
      }
      UnixMicros now = Clock::System().Now();
      bool pending = lander->pending_records() > 0;
      if (pending && (*more || lander->pending_bytes() >= options.flush_bytes ||
                      now - batch_opened >= options.flush_interval_ms * 1000)) {
        Land();
      } else if (!pending) {
        Advance(processed);
      }
      if (*more) continue;
      // While a batch is pending, read again only when it is due: each read decodes the slot
      // from its confirmed position, pending changes included.
      pending = lander->pending_records() > 0;
      SleepUntil(pending ? batch_opened + options.flush_interval_ms * 1000
                         : now + config.poll_interval_ms * 1000,
                 stop);
    }
    Land();
    return Status::OK();
  }
};

PgCdcStream::PgCdcStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgCdcStream::~PgCdcStream() = default;

Result<std::unique_ptr<PgCdcStream>> PgCdcStream::Open(catalog::CatalogService& catalog,
                                                       storage::ObjectStore& store,
                                                       const std::string& dataset_id,
                                                       const StreamOptions& options) {
  auto impl = std::make_unique<Impl>(catalog);
  TARN_ASSIGN_OR_RETURN(auto dataset, catalog.GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto source, catalog.GetSource(dataset.source_id));
  TARN_ASSIGN_OR_RETURN(impl->config, ParsePgCdcConfig(source.connection_config));
  impl->options = options;
  impl->options.lander.shared_offsets = true;
  impl->table = impl->config.schema + "." + impl->config.table;
  TARN_ASSIGN_OR_RETURN(impl->c.conn, pg::Connect(impl->config.dsn));
  TARN_RETURN_IF_ERROR(impl->ReadTable());
  TARN_RETURN_IF_ERROR(RegisterCdcSchema(catalog, dataset_id).status());
  impl->decoder = impl->config.plugin == "pgoutput" ? MakePgOutputDecoder(impl->key)
                                                    : MakeWal2JsonDecoder(impl->key);
  TARN_ASSIGN_OR_RETURN(impl->lander, StreamLander::Open(catalog, store, dataset_id,
                                                         impl->config.slot, impl->options.lander));
  TARN_RETURN_IF_ERROR(impl->SlotPosition().status());
  impl->metrics.started_at = Clock::System().Now();
  impl->metrics.watermark = impl->lander->watermark();
  return std::unique_ptr<PgCdcStream>(new PgCdcStream(std::move(impl)));
}

Status PgCdcStream::Run(const std::atomic<bool>& stop) { return impl_->Run(stop); }

StreamMetrics PgCdcStream::Metrics() const {
  std::lock_guard lock(impl_->mu);
  StreamMetrics m = impl_->metrics;
  m.consumed = impl_->consumed.load(std::memory_order_relaxed);
  return m;
}

}  // namespace tarn::ingest
