#include "tarn/catalog/sql_alerts.h"

#include <algorithm>

#include "tarn/base/ids.h"
#include "tarn/catalog/sql_rows.h"

namespace tarn::catalog {
namespace {

constexpr const char* kAlertCols =
    "id, dataset_id, partition_id, kind, severity, destination, format, payload, status, "
    "attempts, http_status, last_error, created_at, finished_at";

AlertDelivery ToAlertDelivery(const SqlRow& r) {
  AlertDelivery d;
  d.id = r.Text(0);
  d.dataset_id = r.Text(1);
  d.partition_id = r.OptText(2);
  d.kind = r.Text(3);
  d.severity = r.Text(4);
  d.destination = r.Text(5);
  d.format = r.Text(6);
  d.payload = r.Text(7);
  d.status = ParseOr(r.Text(8), AlertDeliveryStatus::kFailed);
  d.attempts = static_cast<int>(r.Int(9));
  if (auto s = r.OptInt(10)) d.http_status = static_cast<int>(*s);
  d.last_error = r.OptText(11);
  d.created_at = r.Time(12);
  d.finished_at = r.Time(13);
  return d;
}

SqlValue Opt(const std::optional<std::string>& v) { return v ? SqlValue(*v) : SqlValue(); }

// The references are checked first so a stale id is a clear kNotFound, not a driver error.
Status CheckReferences(SqlConnection& c, const AlertDelivery& d) {
  TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {d.dataset_id}));
  if (ds.rows.empty()) return NotFound("no dataset with id " + d.dataset_id);
  if (!d.partition_id) return Status::OK();
  TARN_ASSIGN_OR_RETURN(
      auto p, c.Query("SELECT dataset_id FROM partitions WHERE id = ?", {*d.partition_id}));
  if (p.rows.empty()) return NotFound("no partition with id " + *d.partition_id);
  if (p.rows[0].Text(0) != d.dataset_id) {
    return FailedPrecondition("partition " + *d.partition_id + " belongs to dataset " +
                              p.rows[0].Text(0));
  }
  return Status::OK();
}

}  // namespace

Result<AlertDelivery> SqlRecordAlertDelivery(SqlPool& pool, const AlertDelivery& in) {
  AlertDelivery d = in;
  if (d.id.empty()) d.id = NewUuidV7(d.created_at > 0 ? d.created_at : Clock::System().Now());
  Status st = pool.Transaction([&](SqlConnection& c) -> Status {
    TARN_RETURN_IF_ERROR(CheckReferences(c, d));
    SqlParams params = {d.id, d.dataset_id, Opt(d.partition_id)};
    for (const std::string* text : {&d.kind, &d.severity, &d.destination, &d.format, &d.payload}) {
      params.push_back(*text);
    }
    params.push_back(std::string(ToString(d.status)));
    // Integers are emplaced: pushing a temporary int64_t SqlValue trips GCC 12's (false)
    // -Wmaybe-uninitialized on the variant's string alternative.
    params.emplace_back(std::in_place_type<int64_t>, d.attempts);
    if (d.http_status) {
      params.emplace_back(std::in_place_type<int64_t>, *d.http_status);
    } else {
      params.emplace_back();
    }
    params.push_back(Opt(d.last_error));
    params.push_back(FormatIsoTimestamp(d.created_at));
    params.push_back(FormatIsoTimestamp(d.finished_at));
    return c
        .Query(std::string("INSERT INTO alert_deliveries (") + kAlertCols +
                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               params)
        .status();
  });
  TARN_RETURN_IF_ERROR(st.WithContext("alert delivery for dataset " + d.dataset_id));
  return d;
}

Result<AlertDeliveryPage> SqlListAlertDeliveries(SqlPool& pool, const AlertDeliveryQuery& q) {
  std::string sql =
      std::string("SELECT ") + kAlertCols + " FROM alert_deliveries WHERE dataset_id = ?";
  SqlParams params{q.dataset_id};
  if (q.before) {
    sql += " AND (created_at, id) < (?, ?)";
    params.push_back(FormatIsoTimestamp(q.before->first));
    params.push_back(q.before->second);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
  int limit = std::max(q.limit, 1);
  params.emplace_back(std::in_place_type<int64_t>, int64_t{limit} + 1);
  AlertDeliveryPage page;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_ASSIGN_OR_RETURN(auto res, c.Query(sql, params));
    for (const SqlRow& r : res.rows) page.deliveries.push_back(ToAlertDelivery(r));
    return Status::OK();
  }));
  if (page.deliveries.size() > static_cast<size_t>(limit)) {
    page.deliveries.resize(limit);
    page.has_more = true;
  }
  return page;
}

}  // namespace tarn::catalog
