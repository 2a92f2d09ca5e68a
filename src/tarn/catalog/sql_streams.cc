#include "tarn/catalog/sql_streams.h"

#include <algorithm>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/catalog/sql_partitions.h"

namespace tarn::catalog {
namespace {

SqlValue Ts(UnixMicros t) { return FormatIsoTimestamp(t); }
SqlValue OptTs(const std::optional<UnixMicros>& t) { return t ? Ts(*t) : SqlValue(); }
std::optional<UnixMicros> OptTime(const SqlRow& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Time(i);
}
std::optional<UnixMicros> Later(std::optional<UnixMicros> a, std::optional<UnixMicros> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}
std::optional<UnixMicros> Earlier(std::optional<UnixMicros> a, std::optional<UnixMicros> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

constexpr const char* kBatchCols =
    "id, dataset_id, ingest_run_id, partition_id, stream, stream_partition, first_offset, "
    "last_offset, records, late, min_event_time, max_event_time, landed_at, reconciled_at";

StreamBatch ToBatch(const SqlRow& r) {
  StreamBatch b;
  b.id = r.Text(0);
  b.dataset_id = r.Text(1);
  b.ingest_run_id = r.Text(2);
  b.partition_id = r.Text(3);
  b.stream = r.Text(4);
  b.partition = static_cast<int32_t>(r.Int(5));
  b.first_offset = r.Int(6);
  b.last_offset = r.Int(7);
  b.records = r.Int(8);
  b.late = r.Bool(9);
  b.min_event_time = OptTime(r, 10);
  b.max_event_time = OptTime(r, 11);
  b.landed_at = r.Time(12);
  b.reconciled_at = OptTime(r, 13);
  return b;
}

// Moves one stream position, refusing when it is not where the batch started.
Status Advance(SqlConnection& c, const std::string& dataset_id, const StreamAdvance& a,
               const std::string& now) {
  std::string lock = c.dialect() == SqlDialect::kPostgres ? " FOR UPDATE" : "";
  TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT next_offset FROM stream_positions WHERE "
                                          "dataset_id = ? AND stream = ? AND stream_partition = ?" +
                                              lock,
                                          {dataset_id, a.stream, int64_t{a.partition}}));
  std::optional<int64_t> stored;
  if (!res.rows.empty()) stored = res.rows[0].Int(0);
  if (stored != a.expected) {
    return Conflict("stream " + a.stream + " partition " + std::to_string(a.partition) +
                    " is at offset " + (stored ? std::to_string(*stored) : "none") +
                    ", not where this batch began (" +
                    (a.expected ? std::to_string(*a.expected) : "none") +
                    "): another consumer landed it");
  }
  if (!stored) {
    auto ins = c.Query("INSERT INTO stream_positions (dataset_id, stream, stream_partition, "
                       "next_offset, updated_at) VALUES (?, ?, ?, ?, ?)",
                       {dataset_id, a.stream, int64_t{a.partition}, a.next, now});
    if (ins.status().code() == ErrorCode::kAlreadyExists) {
      return Conflict("stream " + a.stream + " partition " + std::to_string(a.partition) +
                      " was landed by another consumer meanwhile");
    }
    return ins.status();
  }
  return c.Query("UPDATE stream_positions SET next_offset = ?, updated_at = ? WHERE "
                 "dataset_id = ? AND stream = ? AND stream_partition = ?",
                 {a.next, now, dataset_id, a.stream, int64_t{a.partition}})
      .status();
}

Result<std::optional<StreamWatermark>> ReadWatermark(SqlConnection& c, const std::string& dataset_id) {
  TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT dataset_id, min_event_time, max_event_time, watermark, "
                                          "allowed_lateness_us, events, late_events, updated_at "
                                          "FROM stream_watermarks WHERE dataset_id = ?",
                                          {dataset_id}));
  if (res.rows.empty()) return std::optional<StreamWatermark>();
  const SqlRow& r = res.rows[0];
  return std::optional<StreamWatermark>(StreamWatermark{r.Text(0), OptTime(r, 1), OptTime(r, 2),
                                                        OptTime(r, 3), r.Int(4), r.Int(5), r.Int(6),
                                                        r.Time(7)});
}

Status MergeWatermark(SqlConnection& c, const StreamWatermark& in, const std::string& now) {
  TARN_ASSIGN_OR_RETURN(auto old, ReadWatermark(c, in.dataset_id));
  if (!old) {
    return c.Query("INSERT INTO stream_watermarks (dataset_id, min_event_time, max_event_time, "
                   "watermark, allowed_lateness_us, events, late_events, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   {in.dataset_id, OptTs(in.min_event_time), OptTs(in.max_event_time), OptTs(in.watermark),
                    in.allowed_lateness_us, in.events, in.late_events, now})
        .status();
  }
  return c.Query("UPDATE stream_watermarks SET min_event_time = ?, max_event_time = ?, watermark = ?, "
                 "allowed_lateness_us = ?, events = ?, late_events = ?, updated_at = ? "
                 "WHERE dataset_id = ?",
                 {OptTs(Earlier(old->min_event_time, in.min_event_time)),
                  OptTs(Later(old->max_event_time, in.max_event_time)),
                  OptTs(Later(old->watermark, in.watermark)), in.allowed_lateness_us,
                  old->events + in.events, old->late_events + in.late_events, now, in.dataset_id})
      .status();
}

}  // namespace

Result<std::vector<StreamBatch>> SqlCompleteStreamLanding(SqlPool& pool, const StreamLanding& landing) {
  if (landing.batches.size() != landing.partitions.size()) {
    return InvalidArgument("a stream landing needs one batch per file");
  }
  std::vector<StreamBatch> out;
  TARN_RETURN_IF_ERROR(pool.Transaction([&](SqlConnection& c) -> Status {
    out.clear();
    const IngestRun& run = landing.run;
    UnixMicros now_us = Clock::System().Now();
    std::string now = FormatIsoTimestamp(now_us);
    TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {run.dataset_id}));
    if (ds.rows.empty()) return NotFound("no dataset with id " + run.dataset_id);
    for (const StreamAdvance& a : landing.advances) {
      TARN_RETURN_IF_ERROR(Advance(c, run.dataset_id, a, now));
    }
    SqlValue dead = run.deadletter_path ? SqlValue(*run.deadletter_path) : SqlValue();
    TARN_RETURN_IF_ERROR(c.Query("INSERT INTO ingest_runs (id, dataset_id, window_key, "
                                 "window_description, status, files_written, records_accepted, "
                                 "records_rejected, bytes_read, deadletter_path, started_at, "
                                 "finished_at) VALUES (?, ?, ?, ?, 'succeeded', ?, ?, ?, ?, ?, ?, ?)",
                                 {run.id, run.dataset_id, run.window_key, run.window_description,
                                  int64_t{run.files_written}, run.records_accepted,
                                  run.records_rejected, run.bytes_read, dead, Ts(run.started_at), now})
                             .status());
    std::vector<RegisteredPartition> regs;
    TARN_RETURN_IF_ERROR(InsertPartitions(c, run.dataset_id, landing.partitions, now_us, &regs));
    for (size_t i = 0; i < landing.batches.size(); ++i) {
      StreamBatch b = landing.batches[i];
      b.id = NewUuid();
      b.dataset_id = run.dataset_id;
      b.ingest_run_id = run.id;
      b.partition_id = regs[i].partition.id;
      b.landed_at = now_us;
      TARN_RETURN_IF_ERROR(
          c.Query(std::string("INSERT INTO stream_batches (") + kBatchCols +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                  {b.id, b.dataset_id, b.ingest_run_id, b.partition_id, b.stream,
                   int64_t{b.partition}, b.first_offset, b.last_offset, b.records, b.late,
                   OptTs(b.min_event_time), OptTs(b.max_event_time), now})
              .status());
      out.push_back(std::move(b));
    }
    if (landing.watermark) TARN_RETURN_IF_ERROR(MergeWatermark(c, *landing.watermark, now));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<StreamPosition>> SqlListStreamPositions(SqlPool& pool, const std::string& dataset_id) {
  std::vector<StreamPosition> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT stream, stream_partition, next_offset, updated_at "
                                            "FROM stream_positions WHERE dataset_id = ? "
                                            "ORDER BY stream, stream_partition",
                                            {dataset_id}));
    for (const SqlRow& r : res.rows) {
      out.push_back({r.Text(0), static_cast<int32_t>(r.Int(1)), r.Int(2), r.Time(3)});
    }
    return Status::OK();
  }));
  return out;
}

Result<std::optional<StreamWatermark>> SqlGetWatermark(SqlPool& pool, const std::string& dataset_id) {
  std::optional<StreamWatermark> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(out, ReadWatermark(c, dataset_id));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<StreamBatch>> SqlListUnreconciledLateBatches(SqlPool& pool,
                                                                const std::string& dataset_id) {
  std::vector<StreamBatch> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(auto res, c.Query(std::string("SELECT ") + kBatchCols +
                                                " FROM stream_batches WHERE dataset_id = ? AND "
                                                "late = ? AND reconciled_at IS NULL "
                                                "ORDER BY landed_at, id",
                                            {dataset_id, true}));
    for (const SqlRow& r : res.rows) out.push_back(ToBatch(r));
    return Status::OK();
  }));
  return out;
}

Status SqlMarkBatchesReconciled(SqlPool& pool, const std::vector<std::string>& batch_ids) {
  return pool.Transaction([&](SqlConnection& c) -> Status {
    std::string now = FormatIsoTimestamp(Clock::System().Now());
    for (const std::string& id : batch_ids) {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("UPDATE stream_batches SET reconciled_at = ? WHERE id = ?",
                                              {now, id}));
      if (res.affected == 0) return NotFound("no stream batch with id " + id);
    }
    return Status::OK();
  });
}

Result<std::optional<UnixMicros>> SqlGetWindowPublished(SqlPool& pool, const std::string& dataset_id,
                                                        const std::string& window) {
  std::optional<UnixMicros> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT published_until FROM stream_windows WHERE "
                                            "dataset_id = ? AND window_name = ?",
                                            {dataset_id, window}));
    if (!res.rows.empty()) out = res.rows[0].Time(0);
    return Status::OK();
  }));
  return out;
}

Status SqlSetWindowPublished(SqlPool& pool, const std::string& dataset_id, const std::string& window,
                             UnixMicros until) {
  return pool.Transaction([&](SqlConnection& c) -> Status {
    std::string now = FormatIsoTimestamp(Clock::System().Now());
    TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT published_until FROM stream_windows WHERE "
                                            "dataset_id = ? AND window_name = ?",
                                            {dataset_id, window}));
    if (res.rows.empty()) {
      return c.Query("INSERT INTO stream_windows (dataset_id, window_name, published_until, "
                     "updated_at) VALUES (?, ?, ?, ?)",
                     {dataset_id, window, Ts(until), now})
          .status();
    }
    if (res.rows[0].Time(0) >= until) return Status::OK();
    return c.Query("UPDATE stream_windows SET published_until = ?, updated_at = ? WHERE "
                   "dataset_id = ? AND window_name = ?",
                   {Ts(until), now, dataset_id, window})
        .status();
  });
}

}  // namespace tarn::catalog
