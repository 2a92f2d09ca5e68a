#include "tarn/pipeline/streaming.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "tarn/base/log.h"
#include "tarn/lake/lake.h"
#include "tarn/pipeline/promotion.h"
#include "tarn/pipeline/windows.h"
#include "tarn/quality/alerts.h"

namespace tarn::pipeline {
namespace {

using nlohmann::json;

json OptTime(const std::optional<UnixMicros>& t) {
  return t ? json(FormatIsoTimestamp(*t)) : json(nullptr);
}

}  // namespace

std::string StreamStatusToJson(const StreamPipelineStatus& s) {
  json partitions = json::array();
  for (const auto& p : s.ingest.partitions) {
    partitions.push_back({{"partition", p.partition},
                          {"landed_offset", p.landed < 0 ? json(nullptr) : json(p.landed)},
                          {"high_watermark", p.high_watermark < 0 ? json(nullptr) : json(p.high_watermark)},
                          {"lag", p.lag < 0 ? json(nullptr) : json(p.lag)}});
  }
  const ingest::StreamMetrics& m = s.ingest;
  json out = {{"dataset", s.dataset},
              {"started_at", FormatIsoTimestamp(m.started_at)},
              {"consumed", m.consumed},
              {"events", m.events},
              {"bytes", m.bytes},
              {"rejected", m.rejected},
              {"late_events", m.late},
              {"batches", m.batches},
              {"conflicts", m.conflicts},
              {"events_per_second", m.events_per_second},
              {"bytes_per_second", m.bytes_per_second},
              {"last_batch_latency_ms", m.last_batch_latency_ms},
              {"watermark", OptTime(m.watermark)},
              {"partitions", partitions},
              {"promotions", s.promotions},
              {"partitions_promoted", s.partitions_promoted},
              {"partitions_quarantined", s.partitions_quarantined},
              {"windows_published", s.windows_published},
              {"windows_corrected", s.windows_corrected},
              {"newest_promoted_event", OptTime(s.newest_promoted_event)},
              {"freshness_ms", s.freshness_ms ? json(*s.freshness_ms) : json(nullptr)},
              {"last_promotion_latency_ms", s.last_promotion_latency_ms},
              {"last_error", s.last_error}};
  return out.dump();
}

Result<std::string> WatermarkJson(lake::Lake& lake, const std::string& raw_dataset_id) {
  catalog::CatalogStore& store = lake.catalog().store();
  TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().GetDataset(raw_dataset_id));
  TARN_ASSIGN_OR_RETURN(auto wm, store.GetWatermark(ds.id));
  TARN_ASSIGN_OR_RETURN(auto stored, store.GetPromotionSpec(ds.id));
  std::optional<quality::PromotionSpec> spec;
  if (stored) {
    auto parsed = quality::ParsePromotionSpec(stored->spec_json);
    if (parsed.ok()) spec = *parsed;
  }
  json out = {{"dataset", "raw." + ds.name}, {"dataset_id", ds.id}};
  if (!wm) {
    out["watermark"] = nullptr;
    out["detail"] = "no event time seen yet";
    return out.dump();
  }
  int64_t late_pct_base = std::max<int64_t>(1, wm->events);
  out.update({{"min_event_time", OptTime(wm->min_event_time)},
              {"max_event_time", OptTime(wm->max_event_time)},
              {"watermark", OptTime(wm->watermark)},
              {"allowed_lateness_seconds", wm->allowed_lateness_us / 1'000'000},
              {"events", wm->events},
              {"late_events", wm->late_events},
              {"late_rate", static_cast<double>(wm->late_events) / static_cast<double>(late_pct_base)},
              {"updated_at", FormatIsoTimestamp(wm->updated_at)}});
  json windows = json::array();
  bool hourly = false;
  if (spec) {
    for (const auto& w : spec->windows) {
      TARN_ASSIGN_OR_RETURN(auto until, store.GetWindowPublished(ds.id, w.name));
      windows.push_back({{"name", w.name}, {"table", "serving." + w.name}, {"published_until", OptTime(until)}});
    }
    for (const auto& p : spec->partition_by) hourly = hourly || p.rfind("hours(", 0) == 0;
  }
  out["windows"] = windows;
  json partitions = json::array();
  if (wm->min_event_time && wm->max_event_time && wm->watermark) {
    const int64_t step = hourly ? 3'600'000'000 : 86'400'000'000;
    auto floor_to = [&](UnixMicros t) { return t >= 0 ? t / step * step : -((-t + step - 1) / step) * step; };
    UnixMicros first = std::max(floor_to(*wm->min_event_time), floor_to(*wm->max_event_time) - 999 * step);
    for (UnixMicros start = floor_to(*wm->max_event_time); start >= first; start -= step) {
      std::string iso = FormatIsoTimestamp(start);
      std::string key = "dt=" + iso.substr(0, 10) + (hourly ? "/hour=" + iso.substr(11, 2) : "");
      partitions.push_back({{"partition", key},
                            {"start", iso},
                            {"end", FormatIsoTimestamp(start + step)},
                            {"complete", start + step <= *wm->watermark}});
    }
  }
  out["partitions"] = partitions;
  return out.dump();
}

struct StreamPipeline::Impl {
  lake::Lake& lake;
  catalog::Dataset dataset;
  std::optional<quality::PromotionSpec> spec;
  std::vector<quality::AlertDestination> alert_destinations;
  StreamPipelineOptions options;
  std::unique_ptr<ingest::StreamSource> stream;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<ingest::LandedBatch> queue;
  bool consumer_done = false;
  std::vector<std::string> retry;  // partitions whose promotion failed, tried again next time

  mutable std::mutex status_mu;
  StreamPipelineStatus status;

  explicit Impl(lake::Lake& l) : lake(l) {}

  void OnLanded(const ingest::LandedBatch& batch) {
    if (spec) AlertOnLateData(batch);
    if (!spec || !options.promote) return;
    std::lock_guard lock(mu);
    queue.push_back(batch);
    cv.notify_one();
  }

  // Too many events behind the watermark: the allowed lateness is too tight for this stream.
  void AlertOnLateData(const ingest::LandedBatch& batch) {
    if (alert_destinations.empty() || batch.records == 0 || batch.late == 0) return;
    double rate = static_cast<double>(batch.late) / static_cast<double>(batch.records);
    if (rate <= spec->watermark.late_alert_rate) return;
    quality::Alert alert;
    alert.dataset_id = dataset.id;
    alert.dataset_name = "raw." + dataset.name;
    alert.kind = quality::AlertKind::kAnomalyWarn;
    alert.severity = quality::AlertSeverity::kWarn;
    alert.sla_hours = dataset.sla_hours;
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.1f%%", rate * 100);
    alert.summary = alert.dataset_name + ": " + std::to_string(batch.late) + " of " +
                    std::to_string(batch.records) + " events (" + pct +
                    ") arrived behind the watermark; the allowed lateness is too tight";
    alert.details_json = json{{"late_events", batch.late},
                              {"events", batch.records},
                              {"late_rate", rate},
                              {"threshold", spec->watermark.late_alert_rate},
                              {"watermark", OptTime(batch.watermark)}}
                             .dump();
    quality::Notifier(lake.catalog().store()).Deliver(alert, alert_destinations);
  }

  void PromoteLoop() {
    Promote({}, {});  // the backlog: landed before, never promoted
    while (true) {
      std::vector<ingest::LandedBatch> batches;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || consumer_done; });
        if (queue.empty() && consumer_done) break;
        batches.assign(queue.begin(), queue.end());
        queue.clear();
      }
      std::vector<std::string> ids = std::move(retry);
      retry.clear();
      for (const auto& b : batches) {
        for (const auto& f : b.files) ids.push_back(f.partition_id);
      }
      if (!ids.empty()) Promote(ids, batches);
      PublishWindows(batches);
    }
  }

  // Promotes `ids` (empty: every landed partition not promoted yet) and records the outcome.
  void Promote(const std::vector<std::string>& ids, const std::vector<ingest::LandedBatch>& batches) {
    PromotionRequest request;
    request.partition_ids = ids;
    auto result = pipeline::Promote(lake, dataset.id, request);
    UnixMicros now = Clock::System().Now();
    std::lock_guard lock(status_mu);
    if (!result.ok()) {
      status.last_error = "promotion: " + result.status().ToString();
      LogWarn("stream " + dataset.name + ": " + status.last_error + " (retried with the next batch)");
      retry = ids;
      return;
    }
    status.last_error.clear();
    ++status.promotions;
    std::set<std::string> promoted;
    for (const auto& p : result->partitions) {
      if (p.outcome == "promoted") {
        promoted.insert(p.partition_id);
        ++status.partitions_promoted;
      } else if (p.outcome == "quarantined" || p.outcome == "blocked_by_anomaly") {
        ++status.partitions_quarantined;
      }
    }
    for (const auto& b : batches) {
      for (const auto& f : b.files) {
        if (!promoted.count(f.partition_id) || !f.max_event_time) continue;
        if (!status.newest_promoted_event || *f.max_event_time > *status.newest_promoted_event) {
          status.newest_promoted_event = f.max_event_time;
        }
        status.last_promotion_latency_ms = (now - f.landed_at) / 1000;
      }
    }
  }

  void PublishWindows(const std::vector<ingest::LandedBatch>& batches) {
    if (spec->windows.empty()) return;
    std::vector<std::pair<UnixMicros, UnixMicros>> touched;
    for (const auto& b : batches) {
      for (const auto& f : b.files) {
        if (f.min_event_time && f.max_event_time) touched.push_back({*f.min_event_time, *f.max_event_time});
      }
    }
    auto published = pipeline::PublishWindows(lake, dataset.id, touched);
    std::lock_guard lock(status_mu);
    if (!published.ok()) {
      status.last_error = "windows: " + published.status().ToString();
      LogWarn("stream " + dataset.name + ": " + status.last_error);
      return;
    }
    status.windows_published += published->windows_published;
    status.windows_corrected += published->windows_corrected;
  }

  Status Run(const std::atomic<bool>& stop) {
    std::thread promoter;
    if (spec && options.promote) promoter = std::thread([this] { PromoteLoop(); });
    Status st = stream->Run(stop);
    {
      std::lock_guard lock(mu);
      consumer_done = true;
      cv.notify_one();
    }
    if (promoter.joinable()) promoter.join();
    if (!st.ok()) {
      std::lock_guard lock(status_mu);
      status.last_error = "stopped: " + st.ToString();
    }
    return st;
  }
};

StreamPipeline::StreamPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamPipeline::~StreamPipeline() = default;

Result<std::unique_ptr<StreamPipeline>> StreamPipeline::Open(lake::Lake& lake, const std::string& dataset_id,
                                                             const StreamPipelineOptions& options) {
  auto impl = std::make_unique<Impl>(lake);
  impl->options = options;
  TARN_ASSIGN_OR_RETURN(impl->dataset, lake.catalog().GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto stored, lake.catalog().store().GetPromotionSpec(dataset_id));
  ingest::StreamOptions so;
  so.flush_interval_ms = options.flush_interval_ms;
  so.flush_bytes = options.flush_bytes;
  if (stored) {
    auto spec = quality::ParsePromotionSpec(stored->spec_json);
    if (!spec.ok()) return FailedPrecondition("the stored promotion spec: " + spec.status().message());
    impl->spec = *spec;
    // Change events carry the row in `after`: their time is the envelope's ts_ms.
    std::string event_time = spec->cdc ? "ts_ms" : spec->event_time;
    so.lander.event_time =
        ingest::EventTimeOptions{event_time, spec->watermark.allowed_lateness_us};
    auto destinations = quality::ParseAlertDestinations(spec->alerts_json);
    if (destinations.ok()) impl->alert_destinations = *destinations;
  }
  Impl* self = impl.get();
  so.on_landed = [self](const ingest::LandedBatch& b) { self->OnLanded(b); };
  TARN_ASSIGN_OR_RETURN(storage::ObjectStore * objects, lake.objects());
  TARN_ASSIGN_OR_RETURN(impl->stream,
                        ingest::OpenStreamSource(lake.catalog(), *objects, dataset_id, so));
  impl->status.dataset = "raw." + impl->dataset.name;
  return std::unique_ptr<StreamPipeline>(new StreamPipeline(std::move(impl)));
}

Status StreamPipeline::Run(const std::atomic<bool>& stop) { return impl_->Run(stop); }

StreamPipelineStatus StreamPipeline::Snapshot() const {
  StreamPipelineStatus s;
  {
    std::lock_guard lock(impl_->status_mu);
    s = impl_->status;
  }
  s.ingest = impl_->stream->Metrics();
  if (s.newest_promoted_event) s.freshness_ms = (Clock::System().Now() - *s.newest_promoted_event) / 1000;
  return s;
}

StreamRunner::~StreamRunner() { StopAll(); }

Status StreamRunner::Start(const std::string& dataset_id, const StreamPipelineOptions& options) {
  std::lock_guard lock(mu_);
  if (jobs_.count(dataset_id)) return AlreadyExists("a stream of dataset " + dataset_id + " runs already");
  auto job = std::make_unique<Job>();
  TARN_ASSIGN_OR_RETURN(job->pipeline, StreamPipeline::Open(lake_, dataset_id, options));
  Job* j = job.get();
  j->thread = std::thread([j] {
    Status st = j->pipeline->Run(j->stop);
    if (!st.ok()) LogError("stream stopped: " + st.ToString());
  });
  jobs_[dataset_id] = std::move(job);
  return Status::OK();
}

std::optional<StreamPipelineStatus> StreamRunner::Snapshot(const std::string& dataset_id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(dataset_id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second->pipeline->Snapshot();
}

void StreamRunner::StopAll() {
  std::lock_guard lock(mu_);
  for (auto& [_, job] : jobs_) job->stop = true;
  for (auto& [_, job] : jobs_) {
    if (job->thread.joinable()) job->thread.join();
  }
}

}  // namespace tarn::pipeline
