// The streaming benchmark (`make bench-stream`, see docs/benchmarks.md): N JSON events of a
// given size produced to a topic of librdkafka's mock cluster (in process, real protocol), then
// consumed twice in the same run: (a) the baseline, a plain librdkafka consumer-group member
// that only polls the messages, and (b) tarn's KafkaStream landing them in the raw zone —
// validated against the schema, written as Avro files, fsynced, published and registered with
// the offsets in the catalog. Each is timed from subscribe to the last message consumed (a) or
// landed and committed (b), both including the ~3 s the mock broker takes to form the group
// (stderr also shows the plain consumer's time from its first message); the ratio b/a is the issue's target (>= 0.8), and MB/s of payload
// for the large events (>= 100 MB/s).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "tarn/ingest/kafka_stream.h"
#include "tarn/lake/lake.h"

namespace fs = std::filesystem;
using namespace tarn;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "stream_bench: %s\n", what.c_str());
  std::exit(1);
}

void Set(rd_kafka_conf_t* conf, const char* k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) Die(err);
}

// An event of about `size` bytes: fixed fields plus a padding string.
std::string Event(int64_t i, size_t size) {
  char head[256];
  int n = std::snprintf(head, sizeof head,
                        R"({"event_id":"e%012lld","user_id":%lld,"country":"%s","amount":%lld.25,)"
                        R"("event_ts":"2024-05-01T%02lld:%02lld:%02lldZ","page":")",
                        static_cast<long long>(i), static_cast<long long>(i % 100000),
                        i % 3 == 0 ? "US" : (i % 3 == 1 ? "DE" : "FR"), static_cast<long long>(i % 500),
                        static_cast<long long>(i / 3600 % 24), static_cast<long long>(i / 60 % 60),
                        static_cast<long long>(i % 60));
  std::string e(head, n);
  size_t pad = size > e.size() + 2 ? size - e.size() - 2 : 1;
  for (size_t k = 0; k < pad; ++k) e.push_back(static_cast<char>('a' + (i + k) % 26));
  e += "\"}";
  return e;
}

std::atomic<int64_t> delivery_failures{0};
std::string last_delivery_error;

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err) {
    if (delivery_failures++ == 0) last_delivery_error = rd_kafka_err2str(m->err);
  }
}

void Produce(const std::string& bootstrap, const std::string& topic, int64_t n, size_t size, int partitions) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  Set(conf, "bootstrap.servers", bootstrap);
  Set(conf, "linger.ms", "20");
  Set(conf, "batch.num.messages", "10000");
  Set(conf, "queue.buffering.max.messages", "1000000");
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) Die(err);
  for (int64_t i = 0; i < n; ++i) {
    std::string e = Event(i, size);
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                             RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % partitions)),
                             RD_KAFKA_V_VALUE(e.data(), e.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 10);
    }
  }
  rd_kafka_flush(rk, 120000);
  rd_kafka_destroy(rk);
  if (delivery_failures > 0) {
    Die(std::to_string(delivery_failures.load()) + " messages not delivered: " + last_delivery_error);
  }
}

// (a) The baseline: group-consume every message, doing nothing with it.
double PlainConsume(const std::string& bootstrap, const std::string& topic, int64_t n) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Set(conf, "bootstrap.servers", bootstrap);
  Set(conf, "group.id", "plain-" + topic);

  Set(conf, "auto.offset.reset", "earliest");
  Set(conf, "enable.auto.commit", "false");
  Set(conf, "session.timeout.ms", "6000");
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) Die(err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  auto start = std::chrono::steady_clock::now(), first = start;
  bool started = false;
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  int64_t got = 0, bytes = 0;
  while (got < n) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) {
      continue;
    }
    if (!m->err) {
      if (!started) first = std::chrono::steady_clock::now(), started = true;
      ++got;
      bytes += static_cast<int64_t>(m->len);
    }
    rd_kafka_message_destroy(m);
  }
  double secs = Seconds(start);
  std::fprintf(stderr, "stream_bench: plain consume: %.2f s from the first message\n", Seconds(first));
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return secs;
}

// (b) tarn: land every message in raw, durable and registered.
double TarnLand(const std::string& bootstrap, const std::string& topic, int64_t n, const std::string& dir) {
  fs::remove_all(dir);
  lake::LakeOptions opts;
  opts.root = dir;
  auto lake = lake::Lake::Open(opts);
  if (!lake.ok()) Die(lake.status().ToString());
  auto& cat = (*lake)->catalog();
  std::string config = R"({"connector": "kafka", "bootstrap": ")" + bootstrap + R"(", "topic": ")" + topic +
                       R"(", "group": "tarn-)" + topic + R"(", "properties": {"session.timeout.ms": "6000"}})";
  auto source = cat.CreateSource({"bench-" + topic, "streaming", config, "bench"});
  if (!source.ok()) Die(source.status().ToString());
  auto ds = cat.UpsertDataset({source->id, "events", "raw", "bench", 1});
  if (!ds.ok()) Die(ds.status().ToString());
  auto schema = cat.RegisterSchema(ds->dataset.id, R"({"type": "record", "name": "E", "fields": [
      {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "long"},
      {"name": "country", "type": "string"}, {"name": "amount", "type": "double"},
      {"name": "event_ts", "type": "string"}, {"name": "page", "type": "string"}]})", true);
  if (!schema.ok()) Die(schema.status().ToString());
  ingest::StreamOptions so;
  so.flush_interval_ms = 5000;
  so.lander.event_time = ingest::EventTimeOptions{"event_ts", 0};
  std::atomic<bool> stop{false};
  auto objects = (*lake)->objects();
  if (!objects.ok()) Die(objects.status().ToString());
  auto stream = ingest::KafkaStream::Open(cat, **objects, ds->dataset.id, so);
  if (!stream.ok()) Die(stream.status().ToString());
  auto start = std::chrono::steady_clock::now();
  // Once every message is consumed, stop: Run lands the pending batch before it returns.
  std::thread watcher([&] {
    while (!stop && (*stream)->Metrics().consumed < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::fprintf(stderr, "stream_bench: tarn consumed and staged every message %.2f s after subscribing\n",
                 Seconds(start));
    stop = true;
  });
  Status st = (*stream)->Run(stop);
  double secs = Seconds(start);
  watcher.join();
  if (!st.ok()) Die(st.ToString());
  auto m = (*stream)->Metrics();
  std::fprintf(stderr, "stream_bench: tarn landed %lld batches; the last took %lld ms from its first record to its commit\n",
               static_cast<long long>(m.batches), static_cast<long long>(m.last_batch_latency_ms));
  if (m.events + m.rejected != n || m.rejected != 0) {
    Die("landed " + std::to_string(m.events) + " events and rejected " + std::to_string(m.rejected) +
        " of " + std::to_string(n));
  }
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tarn streaming benchmark: Kafka -> raw Avro vs plain group consume"};
  int64_t small_n = 2'000'000, large_n = 300'000;
  int partitions = 0;
  std::string out = "bench/out/stream";
  app.add_option("--small", small_n, "~200-byte events");
  app.add_option("--large", large_n, "~1 KB events");
  app.add_option("--partitions", partitions, "topic partitions (default: enough for the mock broker's ~5 MB log per partition)");
  app.add_option("--out", out, "where the lakes are written");
  CLI11_PARSE(app, argc, argv);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* holder = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(holder, 1);
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  std::printf("stream_bench: %u cores, mock cluster at %s\n", std::thread::hardware_concurrency(),
              bootstrap.c_str());
  std::printf("| events | size | messages | partitions | plain consume | tarn landed (durable, registered) | ratio | tarn MB/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (auto [name, n, size] : {std::tuple{"small", small_n, size_t{200}}, {"large", large_n, size_t{1000}}}) {
    if (n <= 0) continue;
    std::string topic = std::string("bench-") + name;
    // The mock broker keeps about 5 MB per partition and drops older messages: spread the
    // events so that none is dropped before it is consumed.
    int p = partitions > 0 ? partitions : static_cast<int>(std::max<int64_t>(4, n * static_cast<int64_t>(size) / (3 << 20) + 1));
    rd_kafka_mock_topic_create(cluster, topic.c_str(), p, 1);
    auto t0 = std::chrono::steady_clock::now();
    Produce(bootstrap, topic, n, size, p);
    std::fprintf(stderr, "stream_bench: produced %lld %s events in %.1f s\n", static_cast<long long>(n), name,
                 Seconds(t0));
    double plain = PlainConsume(bootstrap, topic, n);
    double tarn = TarnLand(bootstrap, topic, n, out + "/" + name);
    double mb = static_cast<double>(n) * static_cast<double>(Event(n / 2, size).size()) / 1e6;
    std::printf("| %s | ~%zu B | %lld | %d | %.0f msg/s (%.2f s) | %.0f msg/s (%.2f s) | %.2f | %.0f |\n", name,
                size, static_cast<long long>(n), p, n / plain, plain, n / tarn, tarn, plain / tarn, mb / tarn);
    std::fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(holder);
  return 0;
}
