// tarn_mock_kafka: a Kafka-protocol broker for tests — librdkafka's in-process mock cluster,
// reachable by other processes (tarn stream, kcat) on 127.0.0.1.
//   tarn_mock_kafka [--brokers N] [--topic NAME:PARTITIONS]...
// Prints "bootstrap=<host:port,...>" on stdout once the topics exist, then serves until stdin
// closes or SIGTERM/SIGINT.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {
volatile sig_atomic_t stop = 0;
void OnSignal(int) { stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (a == "--topic" && i + 1 < argc) {
      std::string t = argv[++i];
      size_t colon = t.find(':');
      topics.push_back({t.substr(0, colon), colon == std::string::npos ? 1 : std::atoi(t.c_str() + colon + 1)});
    } else {
      std::fprintf(stderr, "usage: tarn_mock_kafka [--brokers N] [--topic NAME:PARTITIONS]...\n");
      return 2;
    }
  }
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);  // no warning about bootstrap.servers
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    std::fprintf(stderr, "cannot start the mock cluster\n");
    return 1;
  }
  for (const auto& [name, partitions] : topics) {
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
    if (e) {
      std::fprintf(stderr, "creating topic %s: %s\n", name.c_str(), rd_kafka_err2str(e));
      return 1;
    }
  }
  std::printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  std::thread stdin_watch([] {
    char buf[256];
    while (read(STDIN_FILENO, buf, sizeof buf) > 0) {
    }
    stop = 1;
  });
  stdin_watch.detach();
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
