// PgCdcStream: lands the changes of a PostgreSQL table in a raw dataset exactly once, as change
// events (pg_cdc_events.h), through a logical replication slot, for a source whose
// connection_config is
//   {"connector": "postgres_cdc", "dsn": "env:PG_DSN", "slot": "tarn_orders",
//    "tables": ["public.orders"], "plugin": "pgoutput", "publication": "tarn_orders",
//    "batch_changes": 10000, "poll_interval": "500ms"}
// "dsn": a credential reference (credentials.h) or a connection string without a password;
// "tables": one table per source (its rows are the dataset's schema); "plugin": pgoutput (the
// default, built into PostgreSQL; reads "publication", default the slot's name, created for
// the table with the slot when missing) or wal2json; "batch_changes": changes read per poll;
// "poll_interval": how long to wait when the slot has nothing new.
//
// The stream of StreamLander is the slot's name, partition 0. A change's offset is an LSN of
// its transaction's commit record (pgoutput: its start, wal2json: its end), shared by every
// change of the transaction (StreamLanderOptions::shared_offsets): change LSNs are not in
// decoding order when transactions interleave, commit LSNs are. Transactions are added whole
// and batches flushed between them, so the stored position (offset + 1) always falls between
// transactions. Changes are read with pg_logical_slot_peek_[binary_]changes (the slot keeps
// them) and the slot is advanced (pg_replication_slot_advance) to the end of the last
// transaction read only after the landing commit: a crash in between re-reads changes whose
// offsets are below the stored position, which are skipped.
//
// With no stored position yet the stream starts with a snapshot: the slot is (re)created
// exporting a snapshot, the table's rows are read at it and landed as "r" events (offset: just
// below the slot's consistent point), then changes follow. A stored position whose slot (or
// publication) is gone is an error: changes were lost. A dataset without a schema gets the
// envelope schema of the table (RegisterCdcSchema).
#pragma once

#include <memory>
#include <string>

#include "tarn/catalog/catalog_service.h"
#include "tarn/ingest/pg_cdc_config.h"
#include "tarn/ingest/stream_source.h"
#include "tarn/storage/object_store.h"

namespace tarn::ingest {

class PgCdcStream : public StreamSource {
 public:
  // Connects and checks the table and the slot (an existing slot must use the plugin in this
  // database). Errors: ParsePgCdcConfig's, RegisterCdcSchema's, StreamLander::Open's,
  // kUnavailable (cannot connect), kNotFound (no such table), kFailedPrecondition (a table
  // without a replica identity: neither a primary key nor REPLICA IDENTITY FULL or INDEX).
  static Result<std::unique_ptr<PgCdcStream>> Open(catalog::CatalogService& catalog,
                                                   storage::ObjectStore& store,
                                                   const std::string& dataset_id,
                                                   const StreamOptions& options);
  ~PgCdcStream() override;
  PgCdcStream(const PgCdcStream&) = delete;
  PgCdcStream& operator=(const PgCdcStream&) = delete;

  // Snapshots when needed, then lands changes until `stop` is set and lands what is pending.
  // A failed read or landing is retried after a pause from the stored position.
  // Errors: kFailedPrecondition (the slot or the publication is gone, the slot is active
  // elsewhere during the snapshot), kUnavailable (the snapshot could not be landed).
  Status Run(const std::atomic<bool>& stop) override;

  StreamMetrics Metrics() const override;

 private:
  struct Impl;
  explicit PgCdcStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
