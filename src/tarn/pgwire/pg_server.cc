#include "tarn/pgwire/pg_server.h"

#include <chrono>
#include <cstring>

#include "tarn/base/crypto.h"
#include "tarn/base/log.h"
#include "tarn/pgwire/connection.h"
#include "tarn/pgwire/socket.h"

namespace tarn::pgwire {
namespace {

int32_t RandomInt32() {
  std::string b = SecureRandomBytes(4);
  uint32_t v;
  std::memcpy(&v, b.data(), 4);
  return static_cast<int32_t>(v & 0x7FFFFFFF);
}

}  // namespace

Status ParsePgListenAddress(const std::string& text, PgServerOptions* options) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidArgument("--pg-listen '" + text + "': expected HOST:PORT");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) {
      return InvalidArgument("--pg-listen '" + text + "': the port must be a number 0-65535");
    }
    port = port * 10 + (c - '0');
  }
  if (port > 65535 || host.empty()) {
    return InvalidArgument("--pg-listen '" + text + "': expected HOST:PORT with a port 0-65535");
  }
  options->host = host;
  options->port = port;
  return Status::OK();
}

PgServer::PgServer(SessionFactory sessions, catalog::CatalogService& catalog,
                   PgServerOptions options)
    : sessions_(std::move(sessions)),
      catalog_(catalog),
      options_(std::move(options)),
      // Process ids only need to be unique within this server; a random start keeps them
      // from looking like (and being confused with) real PostgreSQL backends.
      next_process_id_(1000 + RandomInt32() % 1000000) {}

PgServer::~PgServer() { Stop(); }

Status PgServer::Start() {
  if (listener_) return FailedPrecondition("the PostgreSQL server is already started");
  TARN_ASSIGN_OR_RETURN(Socket listener, Listen(options_.host, options_.port));
  TARN_ASSIGN_OR_RETURN(int port, LocalPort(listener));
  listener_ = std::make_unique<Socket>(std::move(listener));
  port_ = port;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return Status::OK();
}

void PgServer::Stop() {
  if (!listener_ || stopping_.exchange(true)) return;
  listener_->ShutdownBoth();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [pid, running] : connections_) {
      running.connection->Shutdown();
      threads.push_back(std::move(running.thread));
    }
  }
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  connections_.clear();
  listener_->Close();
}

void PgServer::AcceptLoop() {
  ConnectionEnv env;
  env.open_session = sessions_;
  env.catalog = &catalog_;
  env.auth = options_.auth;
  env.cancel = [this](int32_t pid, int32_t key) { Cancel(pid, key); };
  while (!stopping_) {
    auto socket = Accept(*listener_);
    if (!socket.ok()) {
      if (stopping_ || socket.status().code() == ErrorCode::kUnavailable) break;
      LogWarn("pgwire: " + socket.status().message());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ReapFinished();
    // Cancel requests arrive on connections of their own, so a full server still takes them:
    // the limit is enforced after the startup packet, with PostgreSQL's message.
    bool full = static_cast<int>(connections_.size()) >= options_.max_connections;
    int32_t pid = next_process_id_++;
    auto connection =
        std::make_shared<Connection>(std::move(socket).value(), env, pid, RandomInt32(), full);
    Running& running = connections_[pid];
    running.connection = connection;
    running.thread = std::thread([this, connection, pid] {
      connection->Run();
      std::lock_guard<std::mutex> done_lock(mu_);
      auto it = connections_.find(pid);
      if (it != connections_.end()) it->second.done = true;
    });
  }
}

void PgServer::ReapFinished() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->second.done) {
      if (it->second.thread.joinable()) it->second.thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void PgServer::Cancel(int32_t process_id, int32_t secret_key) {
  std::shared_ptr<Connection> target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = connections_.find(process_id);
    if (it == connections_.end() || it->second.done) return;
    // A wrong key is ignored silently, as PostgreSQL does: nothing tells a guesser anything.
    if (it->second.connection->secret_key() != secret_key) return;
    target = it->second.connection;
  }
  target->Cancel();
}

}  // namespace tarn::pgwire
