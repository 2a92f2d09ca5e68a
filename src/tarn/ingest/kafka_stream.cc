#include "tarn/ingest/kafka_stream.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tarn/base/log.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

constexpr int kPollMs = 100;
constexpr int64_t kLagRefreshUs = 1'000'000;

Status ConfSet(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    return FailedPrecondition("kafka property " + key + ": " + err);
  }
  return Status::OK();
}

}  // namespace

Result<KafkaSourceConfig> ParseKafkaConfig(const std::string& connection_config) {
  json j = json::parse(connection_config, nullptr, false);
  if (!j.is_object()) return FailedPrecondition("the source's connection_config is not a JSON object");
  if (j.value("connector", "") != "kafka") {
    return FailedPrecondition("the source is not a kafka source (connection_config.connector is \"" +
                              j.value("connector", "") + "\")");
  }
  KafkaSourceConfig c;
  for (auto [name, field] : {std::pair{"bootstrap", &c.bootstrap}, {"topic", &c.topic}, {"group", &c.group}}) {
    if (!j.contains(name) || !j[name].is_string() || j[name].get<std::string>().empty()) {
      return FailedPrecondition(std::string("kafka source: connection_config.") + name +
                                " is required (a non-empty string)");
    }
    *field = j[name].get<std::string>();
  }
  c.format = j.value("format", "json");
  if (c.format != "json") {
    return FailedPrecondition("kafka source: format \"" + c.format + "\" is not supported (json)");
  }
  c.start = j.value("start", "earliest");
  if (c.start != "earliest" && c.start != "latest") {
    return FailedPrecondition("kafka source: start must be earliest or latest, not \"" + c.start + "\"");
  }
  if (j.contains("properties")) {
    if (!j["properties"].is_object()) return FailedPrecondition("kafka source: properties must be an object");
    for (auto& [k, v] : j["properties"].items()) {
      c.properties[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  for (const char* owned : {"group.id", "bootstrap.servers", "enable.auto.commit",
                            "enable.auto.offset.store", "partition.assignment.strategy"}) {
    if (c.properties.count(owned)) {
      return FailedPrecondition(std::string("kafka source: property ") + owned +
                                " is set by tarn and cannot be overridden");
    }
  }
  return c;
}

struct KafkaStream::Impl {
  catalog::CatalogService& catalog;
  KafkaSourceConfig config;
  StreamOptions options;
  std::unique_ptr<StreamLander> lander;
  rd_kafka_t* rk = nullptr;
  std::map<int32_t, std::optional<int64_t>> assigned;  // partition -> stored position
  UnixMicros batch_opened = 0;  // when the pending batch took its first record
  UnixMicros lag_refreshed = 0;
  Status fatal;
  std::atomic<int64_t> consumed{0};

  mutable std::mutex mu;
  StreamMetrics metrics;

  explicit Impl(catalog::CatalogService& c) : catalog(c) {}
  ~Impl() {
    if (rk) rd_kafka_destroy(rk);
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->Assign(parts);
    } else {
      self->Land();
      self->lander->Forget();
      self->assigned.clear();
      rd_kafka_assign(rk, nullptr);
    }
  }

  // Seeks every partition of `parts` to its stored position and assigns them.
  void Assign(rd_kafka_topic_partition_list_t* parts) {
    auto stored = lander->StoredPositions();
    if (!stored.ok()) {
      fatal = Unavailable("reading stream positions: " + stored.status().ToString());
      rd_kafka_assign(rk, nullptr);
      return;
    }
    assigned.clear();
    for (int i = 0; i < parts->cnt; ++i) {
      rd_kafka_topic_partition_t& tp = parts->elems[i];
      auto it = stored->find(tp.partition);
      std::optional<int64_t> pos;
      if (it != stored->end()) pos = it->second;
      tp.offset = pos ? *pos : (config.start == "earliest" ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END);
      lander->Reset(tp.partition, pos);
      assigned[tp.partition] = pos;
    }
    batch_opened = 0;
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
    if (err) fatal = Unavailable(std::string("kafka assign: ") + rd_kafka_err2str(err));
    LogInfo("stream " + config.topic + ": assigned " + std::to_string(parts->cnt) + " partition(s)");
  }

  // After a failed landing: back to the stored positions of the current assignment.
  void Reseek() {
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return;
    Assign(parts);
    rd_kafka_topic_partition_list_destroy(parts);
  }

  // Lands the pending batch; on failure, re-reads from the stored positions.
  void Land() {
    if (lander->pending_records() == 0) return;
    auto landed = lander->Flush();
    batch_opened = 0;
    if (!landed.ok()) {
      LogWarn("stream " + config.topic + ": " + landed.status().ToString() +
              "; consuming again from the stored positions");
      {
        std::lock_guard lock(mu);
        if (landed.status().code() == ErrorCode::kConflict) ++metrics.conflicts;
      }
      if (landed.status().code() != ErrorCode::kConflict) {
        std::this_thread::sleep_for(std::chrono::seconds(1));  // the catalog or disk is unwell
      }
      Reseek();
      return;
    }
    CommitToKafka(*landed);
    {
      std::lock_guard lock(mu);
      CountLanded(*landed, &metrics);
    }
    for (const auto& f : landed->files) assigned[f.partition] = f.last_offset + 1;
    RefreshLag();
    if (options.on_landed) options.on_landed(*landed);
  }

  // Informational only: tarn seeks from the catalog, never from these.
  void CommitToKafka(const LandedBatch& landed) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(4);
    std::map<int32_t, int64_t> next;
    for (const auto& f : landed.files) next[f.partition] = std::max(next[f.partition], f.last_offset + 1);
    for (auto [p, off] : next) rd_kafka_topic_partition_list_add(list, config.topic.c_str(), p)->offset = off;
    if (list->cnt > 0) rd_kafka_commit(rk, list, 1);
    rd_kafka_topic_partition_list_destroy(list);
  }

  void RefreshLag() {
    std::vector<PartitionLag> lags;
    for (auto [p, pos] : assigned) {
      PartitionLag l;
      l.partition = p;
      l.landed = pos.value_or(-1);
      int64_t lo = -1, hi = -1;
      if (rd_kafka_get_watermark_offsets(rk, config.topic.c_str(), p, &lo, &hi) == 0 && hi >= 0) {
        l.high_watermark = hi;
        if (pos) l.lag = std::max<int64_t>(0, hi - *pos);
        else if (lo >= 0) l.lag = hi - lo;
      }
      lags.push_back(l);
    }
    std::lock_guard lock(mu);
    metrics.partitions = std::move(lags);
  }

  Status Run(const std::atomic<bool>& stop) {
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, config.topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) return Unavailable(std::string("kafka subscribe: ") + rd_kafka_err2str(err));
    uint32_t polls = 0;
    while (!stop.load(std::memory_order_relaxed) && fatal.ok()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, kPollMs);
      if (m) {
        Handle(m);
        rd_kafka_message_destroy(m);
        // Under load, look at the clock (for flushes and lag) every 256 messages only.
        if (++polls % 256 != 0 && lander->pending_bytes() < options.flush_bytes) continue;
      }
      UnixMicros now = Clock::System().Now();
      if (lander->pending_records() > 0 &&
          (lander->pending_bytes() >= options.flush_bytes ||
           now - batch_opened >= options.flush_interval_ms * 1000)) {
        Land();
      }
      if (now - lag_refreshed >= kLagRefreshUs) {
        RefreshLag();
        lag_refreshed = now;
      }
    }
    if (fatal.ok()) Land();
    rd_kafka_consumer_close(rk);
    return fatal;
  }

  void Handle(rd_kafka_message_t* m) {
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
      char reason[512];
      if (rd_kafka_fatal_error(rk, reason, sizeof reason)) {
        fatal = Unavailable(std::string("kafka: ") + reason);
        return;
      }
      LogWarn("stream " + config.topic + ": " + rd_kafka_message_errstr(m));
      return;
    }
    if (!assigned.count(m->partition)) return;  // from before a rebalance
    if (m->payload == nullptr) return;          // a tombstone: no record
    if (lander->pending_records() == 0) batch_opened = Clock::System().Now();
    consumed.fetch_add(1, std::memory_order_relaxed);
    std::string_view payload(static_cast<const char*>(m->payload), m->len);
    Status st = lander->Add(m->partition, m->offset, payload);
    if (st.ok()) return;
    LogWarn("stream " + config.topic + ": " + st.ToString() + "; consuming again from the stored positions");
    lander->DropAll();
    Reseek();
  }
};

KafkaStream::KafkaStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaStream::~KafkaStream() = default;

Result<std::unique_ptr<KafkaStream>> KafkaStream::Open(catalog::CatalogService& catalog,
                                                       storage::ObjectStore& store,
                                                       const std::string& dataset_id,
                                                       const StreamOptions& options) {
  auto impl = std::make_unique<Impl>(catalog);
  TARN_ASSIGN_OR_RETURN(auto dataset, catalog.GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto source, catalog.GetSource(dataset.source_id));
  TARN_ASSIGN_OR_RETURN(impl->config, ParseKafkaConfig(source.connection_config));
  impl->options = options;
  TARN_ASSIGN_OR_RETURN(impl->lander,
                        StreamLander::Open(catalog, store, dataset_id, impl->config.topic, options.lander));

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", impl->config.bootstrap},
      {"group.id", impl->config.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"partition.assignment.strategy", "range,roundrobin"},
      {"client.id", "tarn-stream-" + dataset.name},
  };
  for (const auto& [k, v] : impl->config.properties) props[k] = v;
  for (const auto& [k, v] : props) {
    Status st = ConfSet(conf, k, v);
    if (!st.ok()) {
      rd_kafka_conf_destroy(conf);
      return st;
    }
  }
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::OnRebalance);
  rd_kafka_conf_set_opaque(conf, impl.get());
  char err[512];
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return FailedPrecondition(std::string("kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(impl->rk);
  impl->metrics.started_at = Clock::System().Now();
  impl->metrics.watermark = impl->lander->watermark();
  return std::unique_ptr<KafkaStream>(new KafkaStream(std::move(impl)));
}

Status KafkaStream::Run(const std::atomic<bool>& stop) { return impl_->Run(stop); }

StreamMetrics KafkaStream::Metrics() const {
  std::lock_guard lock(impl_->mu);
  StreamMetrics m = impl_->metrics;
  m.consumed = impl_->consumed.load(std::memory_order_relaxed);
  return m;
}

}  // namespace tarn::ingest
