// `tarn serve` (the REST API, and the PostgreSQL wire protocol when --pg-listen is given,
// until SIGTERM/SIGINT) and `tarn demo` (seed a demo dataset).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "tarn/base/log.h"
#include "tarn/cli/cli.h"
#include "tarn/cli/demo.h"
#include "tarn/pgwire/pg_server.h"
#include "tarn/pipeline/streaming.h"
#include "tarn/query/query_service.h"
#include "tarn/server/http_server.h"

namespace tarn::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int threads = 16;
  std::string pg_listen;  // "" = no PostgreSQL listener
  std::string pg_auth = "scram";
  std::vector<std::string> streams;  // raw datasets to stream while serving
  std::string flush_interval = "5m";
};

Status Serve(lake::Lake& lake, const ServeOptions& serve) {
  server::ServerOptions opts;
  TARN_RETURN_IF_ERROR(server::ParseListenAddress(serve.listen, &opts));
  opts.threads = serve.threads;
  pgwire::PgServerOptions pg_opts;
  if (!serve.pg_listen.empty()) {
    TARN_RETURN_IF_ERROR(pgwire::ParsePgListenAddress(serve.pg_listen, &pg_opts));
    TARN_ASSIGN_OR_RETURN(pg_opts.auth, pgwire::ParseAuthMethod(serve.pg_auth));
  }
  TARN_ASSIGN_OR_RETURN(std::string token_source, lake.BootstrapAdminToken());

  // Signals are handled by one watcher thread: block them here, before any server thread
  // starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  pipeline::StreamRunner streams(lake);
  opts.streams = &streams;
  TARN_ASSIGN_OR_RETURN(auto server, server::HttpServer::Bind(lake, opts));
  std::string url = "http://" + opts.host + ":" + std::to_string(server->port());
  LogInfo("tarn serving " + url + " (catalog: " + lake.catalog_kind() + ", lake: " +
          lake.catalog().lake().root() + ")");
  query::QueryService queries(lake, opts.query_limits);
  std::unique_ptr<pgwire::PgServer> pg;
  if (!serve.pg_listen.empty()) {
    pg = std::make_unique<pgwire::PgServer>(queries, lake.catalog(), pg_opts);
    TARN_RETURN_IF_ERROR(pg->Start());
    LogInfo("tarn PostgreSQL protocol on " + pg_opts.host + ":" + std::to_string(pg->port()) +
            " (auth: " + (pg_opts.auth == pgwire::AuthMethod::kScramSha256 ? "scram-sha-256"
                                                                            : "password") +
            "; password = a tarn token)");
  }
  if (token_source == "env") {
    LogInfo("admin token: the value of TARN_ADMIN_TOKEN");
  } else {
    LogInfo("admin token: in " + lake.admin_token_path() + " (mode 0600)");
  }
  if (!serve.streams.empty()) {
    pipeline::StreamPipelineOptions so;
    auto interval = ParseDurationMicros(serve.flush_interval);
    if (!interval.ok() || *interval < 1000) return InvalidArgument("--flush-interval: a duration such as 5s or 5m");
    so.flush_interval_ms = *interval / 1000;
    for (const std::string& ref : serve.streams) {
      TARN_ASSIGN_OR_RETURN(auto ds, lake.catalog().ResolveDataset(ref));
      TARN_RETURN_IF_ERROR(streams.Start(ds.id, so));
      LogInfo("streaming into raw." + ds.name + " (GET /datasets/" + ds.id + "/stream)");
    }
  }
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    LogInfo(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ", shutting down");
    server->Stop();
  });
  Status st = server->Serve();
  if (pg) pg->Stop();
  streams.StopAll();
  // Wake the watcher if the server stopped on its own.
  if (watcher.joinable()) {
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
  }
  LogInfo("tarn stopped");
  return st;
}

}  // namespace

void AddServeCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto options = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "serve the REST API until SIGTERM");
  serve->add_option("--listen", options->listen, "HOST:PORT to listen on")
      ->default_val("127.0.0.1:8080")
      ->envname("TARN_LISTEN");
  serve->add_option("--threads", options->threads, "request worker threads")->default_val(16);
  serve->add_option("--pg-listen", options->pg_listen,
                    "HOST:PORT for the PostgreSQL wire protocol (off unless given)")
      ->envname("TARN_PG_LISTEN");
  serve->add_option("--pg-auth", options->pg_auth,
                    "PostgreSQL password exchange: scram (SCRAM-SHA-256) or password (cleartext)")
      ->default_val("scram")
      ->check(CLI::IsMember({"scram", "password"}));
  serve->add_option("--stream", options->streams,
                    "also stream this raw dataset's Kafka topic into the lake (repeatable)");
  serve->add_option("--stream-flush-interval", options->flush_interval,
                    "streams land a batch this long after its first record (e.g. 5s, 5m)");
  serve->callback([&o, rc, options] {
    auto lake = OpenLakeOrReport(o, rc);
    if (!lake) return;
    Status st = Serve(*lake, *options);
    if (!st.ok()) *rc = Fail(st);
  });

  auto* demo = app.add_subcommand("demo", "seed the demo: a source, datasets, schema, partitions");
  demo->callback([&o, rc] {
    auto lake = OpenLakeOrReport(o, rc);
    if (!lake) return;
    auto summary = SeedDemo(*lake);
    if (!summary.ok()) {
      *rc = Fail(summary.status());
      return;
    }
    std::cout << *summary;
  });
}

}  // namespace tarn::cli
