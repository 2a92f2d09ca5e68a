// The PostgreSQL wire-protocol (v3) front end of the query service: psql, JDBC, psycopg2 and
// BI tools connect with any user and database name and a tarn API token as the password
// (SCRAM-SHA-256 or cleartext), and run SQL over the lake's curated and serving tables with
// the token's zone grants. One thread per connection. See docs/pgwire.md.
//
// Thread-safety: Start and Stop from one thread; port() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/pgwire/auth.h"
#include "tarn/query/query_service.h"

namespace tarn::pgwire {

class Connection;
class Socket;

struct PgServerOptions {
  std::string host = "127.0.0.1";
  int port = 5433;  // 0: any free port (see port())
  AuthMethod auth = AuthMethod::kScramSha256;
  int max_connections = 100;
};

// "HOST:PORT" (or "[v6]:PORT") into options. Errors: kInvalidArgument.
Status ParsePgListenAddress(const std::string& text, PgServerOptions* options);

// Opens a client's query session for its grants.
using SessionFactory =
    std::function<Result<std::unique_ptr<query::Session>>(const catalog::Grants&)>;

// The listener and its connections. Lives while `tarn serve` runs; Stop (or the destructor)
// ends every connection before it returns.
class PgServer {
 public:
  // `queries` and `catalog` must outlive the server.
  PgServer(query::QueryService& queries, catalog::CatalogService& catalog, PgServerOptions options);
  // A server over any source of sessions (tests use fakes).
  PgServer(SessionFactory sessions, catalog::CatalogService& catalog, PgServerOptions options);
  ~PgServer();  // Stop()
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Binds and starts accepting connections in the background. Errors: kInvalidArgument (bad
  // host), kIOError (cannot bind, e.g. the port is taken), kFailedPrecondition (started).
  Status Start();
  // Stops accepting, ends every connection (interrupting running statements) and waits for
  // their threads. Idempotent.
  void Stop();
  // The bound port (useful with port 0); 0 before Start.
  int port() const { return port_.load(); }

 private:
  struct Running {
    std::shared_ptr<Connection> connection;
    std::thread thread;
    bool done = false;
  };
  void AcceptLoop();
  void Cancel(int32_t process_id, int32_t secret_key);
  void ReapFinished();  // requires mu_

  SessionFactory sessions_;
  catalog::CatalogService& catalog_;
  PgServerOptions options_;
  std::unique_ptr<Socket> listener_;
  std::thread acceptor_;
  std::atomic<int> port_{0};
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::map<int32_t, Running> connections_;  // by process id
  int32_t next_process_id_;
};

}  // namespace tarn::pgwire
