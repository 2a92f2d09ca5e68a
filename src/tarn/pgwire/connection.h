// One PostgreSQL client connection: the startup handshake (SSL/GSS refused, cancel requests
// routed, protocol 3.0, authentication, parameter reports), then the simple and extended
// query protocols over one query::Session opened with the token's grants. Internal to
// PgServer. Run() runs on the connection's own thread; Cancel() and Shutdown() may be called
// from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tarn/catalog/catalog_service.h"
#include "tarn/pgwire/auth.h"
#include "tarn/pgwire/catalog_compat.h"
#include "tarn/pgwire/client_params.h"
#include "tarn/pgwire/detachable_stream.h"
#include "tarn/pgwire/errors.h"
#include "tarn/pgwire/local_commands.h"
#include "tarn/pgwire/result_writer.h"
#include "tarn/pgwire/socket.h"
#include "tarn/pgwire/statement_timer.h"
#include "tarn/pgwire/wire_buffer.h"
#include "tarn/query/query_service.h"

namespace tarn::pgwire {

// TARN_PG_TRACE=1 logs every statement clients send (and its rewrite for DuckDB) and binds
// with binary formats: the way to see what a BI tool asks for.
bool PgTraceEnabled();

// What all connections of a server share. Outlives every connection.
struct ConnectionEnv {
  // Opens the query session of an authenticated client.
  std::function<Result<std::unique_ptr<query::Session>>(const catalog::Grants&)> open_session;
  catalog::CatalogService* catalog = nullptr;
  AuthMethod auth = AuthMethod::kScramSha256;
  // Delivers a CancelRequest to the connection with this process id, if the key matches.
  std::function<void(int32_t process_id, int32_t secret_key)> cancel;
};

class Connection {
 public:
  // `refuse`: the server is full; the client is told so after its startup packet.
  Connection(Socket socket, const ConnectionEnv& env, int32_t process_id, int32_t secret_key,
             bool refuse = false);
  ~Connection();

  // Talks to the client until it leaves, the conversation fails, or Shutdown().
  void Run();
  // Interrupts the statement running now, if any.
  void Cancel();
  // Ends the connection: wakes its thread and interrupts its statement.
  void Shutdown();

  int32_t process_id() const { return process_id_; }
  int32_t secret_key() const { return secret_key_; }

 private:
  struct Statement {
    std::string sql;                    // as the client sent it
    std::string rewritten;              // as the query service sees it
    std::vector<int32_t> param_types;   // declared at Parse (0: unspecified)
    std::optional<LocalCommand> local;  // answered by the front end itself
    bool empty = false;
    std::optional<query::StatementInfo> info;  // from Session::Describe, once asked
  };
  struct Portal {
    std::shared_ptr<Statement> statement;
    std::vector<std::optional<std::string>> params;
    std::vector<int16_t> formats;
    std::shared_ptr<query::ResultStream> stream;  // rows, once started
    std::vector<query::Column> columns;           // of the rows, once started
    std::vector<ColumnEncoder> encoders;
    std::string tag;   // for statements without rows
    std::string verb;  // CommandComplete verb for statements with rows
    bool started = false;
    bool finished = false;
    bool holdable = false;    // a cursor WITH HOLD: survives the transaction's end
    std::string cursor;       // FETCH: the cursor (a named portal) whose rows it sends
    int64_t fetch_count = 0;  // FETCH: rows wanted (0: all)
  };
  // The portal whose rows `p` sends: a FETCH's cursor (nullptr once closed), or `p` itself.
  Portal* RowSource(Portal& p);
  // Starts a cursor's query if it has not run yet.
  std::optional<PgError> StartCursor(Portal& cursor);

  // Startup: true when the connection is ready for queries.
  bool Startup();
  bool ReadStartupPacket(std::map<std::string, std::string>* params);
  Status ApplyStartupParams(const std::map<std::string, std::string>& params);
  void SendFatal(const PgError& error);

  // The message loop; false ends the connection.
  bool Handle(const Message& m);

  // A step's outcome: nullopt, or the error to send the client.
  using Failure = std::optional<PgError>;

  // Simple query protocol. False: the message was malformed (the connection ends).
  bool HandleQuery(std::string_view body);
  // Extended query protocol; the same.
  bool HandleParse(std::string_view body);
  bool HandleBind(std::string_view body);
  bool HandleDescribe(std::string_view body);
  bool HandleExecute(std::string_view body);
  bool HandleClose(std::string_view body);
  void HandleSync();

  // Shared by both protocols.
  // `name`: the prepared statement's name, for the trace (TARN_PG_TRACE).
  Failure Prepare(std::string sql, std::vector<int32_t> param_types,
                  std::shared_ptr<Statement>* out, const std::string& name = "");
  Failure Describe(Statement& statement);
  // Columns of a statement's result; nullopt in `out` when it returns no rows.
  Failure ResultColumns(Statement& statement, std::optional<std::vector<query::Column>>* out);
  // Runs the portal's statement (its rows are then read by ExecutePortal).
  Failure StartPortal(Portal& portal);
  Failure RunLocal(const LocalCommand& command, Portal& portal);
  Failure RunSetting(const LocalCommand& command, Portal& portal);
  Failure RunTransaction(const LocalCommand& command, Portal& portal);
  Failure RunPrepared(const LocalCommand& command, Portal& portal);
  Failure RunExecute(const LocalCommand& command, Portal& portal);
  Failure RunCursor(const LocalCommand& command, Portal& portal);
  Failure StartStream(Statement& statement, const std::vector<std::optional<std::string>>& params,
                      Portal& portal);
  // Sends up to `limit` rows (0: all), then CommandComplete or PortalSuspended.
  Failure ExecutePortal(Portal& portal, int64_t limit);
  Failure DecodeParams(Statement& statement, const std::vector<int16_t>& formats,
                       const std::vector<std::optional<std::string>>& raw,
                       std::vector<std::optional<std::string>>* out);
  void SendProtocolViolation(const std::string& message);
  // Runs a step of a statement under statement_timeout, if one is set.
  Failure Timed(const std::function<Failure()>& step);

  // A failed statement: ErrorResponse, and the transaction (if any) is aborted.
  void SendError(const PgError& error);
  void SendReadyForQuery();
  void SendParameterChanges();
  // COMMIT/ROLLBACK or an implicit transaction's end: portals go, but cursors WITH HOLD and
  // `running` (the portal executing the COMMIT).
  void EndTransaction(const Portal* running = nullptr);

  Socket socket_;
  ConnectionEnv env_;
  int32_t process_id_;
  int32_t secret_key_;
  bool refuse_;
  MessageReader in_;
  WireWriter out_;
  std::atomic<bool> shutting_down_{false};

  std::string user_;
  CompatContext compat_;  // who and where the catalog rewrites say the client is
  ClientParams params_;
  std::mutex session_mu_;  // guards session_ against Cancel from other threads
  std::unique_ptr<query::Session> session_;
  char tx_status_ = 'I';  // I idle, T in a transaction block, E failed block
  std::vector<std::string> savepoints_;
  bool skip_until_sync_ = false;  // after an extended-protocol error
  std::map<std::string, std::shared_ptr<Statement>> statements_;
  std::map<std::string, std::unique_ptr<Portal>> portals_;
  query::Row row_;  // scratch for streaming
  // The session's open result, if any: detached before the session runs anything else.
  std::weak_ptr<DetachableStream> live_;
  void DetachLiveStream();
  StatementTimer timer_{[this] { Cancel(); }};
};

}  // namespace tarn::pgwire
