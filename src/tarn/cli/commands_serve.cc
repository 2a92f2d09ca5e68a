// `tarn serve` (the REST API until SIGTERM/SIGINT) and `tarn demo` (seed a demo dataset).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "tarn/base/log.h"
#include "tarn/cli/cli.h"
#include "tarn/cli/demo.h"
#include "tarn/server/http_server.h"

namespace tarn::cli {
namespace {

Status Serve(lake::Lake& lake, const std::string& listen, int threads) {
  server::ServerOptions opts;
  TARN_RETURN_IF_ERROR(server::ParseListenAddress(listen, &opts));
  opts.threads = threads;
  TARN_ASSIGN_OR_RETURN(std::string token_source, lake.BootstrapAdminToken());

  // Signals are handled by one watcher thread: block them here, before any server thread
  // starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  TARN_ASSIGN_OR_RETURN(auto server, server::HttpServer::Bind(lake, opts));
  std::string url = "http://" + opts.host + ":" + std::to_string(server->port());
  LogInfo("tarn serving " + url + " (catalog: " + lake.catalog_kind() + ", lake: " +
          lake.catalog().lake().root() + ")");
  if (token_source == "env") {
    LogInfo("admin token: the value of TARN_ADMIN_TOKEN");
  } else {
    LogInfo("admin token: in " + lake.admin_token_path() + " (mode 0600)");
  }
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    LogInfo(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ", shutting down");
    server->Stop();
  });
  Status st = server->Serve();
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
  auto listen = std::make_shared<std::string>("127.0.0.1:8080");
  auto threads = std::make_shared<int>(16);
  auto* serve = app.add_subcommand("serve", "serve the REST API until SIGTERM");
  serve->add_option("--listen", *listen, "HOST:PORT to listen on")
      ->default_val("127.0.0.1:8080")
      ->envname("TARN_LISTEN");
  serve->add_option("--threads", *threads, "request worker threads")->default_val(16);
  serve->callback([&o, rc, listen, threads] {
    auto lake = OpenLakeOrReport(o, rc);
    if (!lake) return;
    Status st = Serve(*lake, *listen, *threads);
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
