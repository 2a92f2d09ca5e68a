#include "tarn/pgwire/connection.h"

#include "tarn/base/log.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

constexpr int32_t kSslRequest = 80877103;
constexpr int32_t kGssEncRequest = 80877104;
constexpr int32_t kCancelRequest = 80877102;
constexpr int32_t kProtocol3 = 3 << 16;

// "-c name=value --name=value" from the startup packet's options.
std::vector<std::pair<std::string, std::string>> ParseOptions(const std::string& options) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> words;
  std::string cur;
  for (size_t i = 0; i < options.size(); ++i) {
    char c = options[i];
    if (c == '\\' && i + 1 < options.size()) {
      cur.push_back(options[++i]);
    } else if (c == ' ') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(cur);
  for (size_t i = 0; i < words.size(); ++i) {
    std::string setting;
    if (words[i] == "-c" && i + 1 < words.size()) {
      setting = words[++i];
    } else if (words[i].rfind("--", 0) == 0) {
      setting = words[i].substr(2);
    } else if (words[i].rfind("-c", 0) == 0) {
      setting = words[i].substr(2);
    }
    size_t eq = setting.find('=');
    if (eq != std::string::npos) out.emplace_back(setting.substr(0, eq), setting.substr(eq + 1));
  }
  return out;
}

}  // namespace

Connection::Connection(Socket socket, const ConnectionEnv& env, int32_t process_id,
                       int32_t secret_key, bool refuse)
    : socket_(std::move(socket)),
      env_(env),
      process_id_(process_id),
      secret_key_(secret_key),
      refuse_(refuse),
      in_(&socket_),
      out_(&socket_) {}

Connection::~Connection() {
  portals_.clear();
  std::lock_guard<std::mutex> lock(session_mu_);
  session_.reset();
}

void Connection::Cancel() {
  std::lock_guard<std::mutex> lock(session_mu_);
  if (session_) session_->Interrupt();
}

void Connection::Shutdown() {
  shutting_down_ = true;
  socket_.ShutdownBoth();
  Cancel();
}

void Connection::Run() {
  if (Startup()) {
    while (!shutting_down_) {
      auto m = in_.Read();
      if (!m.ok()) {
        if (m.status().code() == ErrorCode::kInvalidArgument) {
          SendProtocolViolation(m.status().message());
        }
        break;
      }
      if (!Handle(*m) || out_.broken()) break;
    }
    if (shutting_down_ && !out_.broken()) {
      SendFatal(MakeFatal(sqlstate::kAdminShutdown,
                          "terminating connection due to administrator command"));
    }
  }
  // Streams live no longer than their session.
  portals_.clear();
  statements_.clear();
  {
    std::lock_guard<std::mutex> lock(session_mu_);
    session_.reset();
  }
  // The client sees the end now; the descriptor itself closes when the server reaps this
  // connection (closing it here could hand its number to another socket that a concurrent
  // Shutdown() would then cut).
  socket_.ShutdownBoth();
}

bool Connection::ReadStartupPacket(std::map<std::string, std::string>* params) {
  while (true) {
    auto body = in_.ReadStartup();
    if (!body.ok()) {
      if (body.status().code() == ErrorCode::kInvalidArgument) {
        SendFatal(MakeFatal(sqlstate::kProtocolViolation, body.status().message()));
      }
      return false;
    }
    BodyReader r(*body);
    int32_t code = r.Int32();
    if (code == kSslRequest || code == kGssEncRequest) {
      // No TLS or GSSAPI encryption: the client may go on in the clear.
      out_.Byte('N');
      if (!out_.Flush().ok()) return false;
      continue;
    }
    if (code == kCancelRequest) {
      int32_t pid = r.Int32();
      int32_t key = r.Int32();
      if (r.ok() && env_.cancel) env_.cancel(pid, key);
      return false;  // PostgreSQL answers a cancel request by closing the connection
    }
    if ((code >> 16) != 3) {
      SendFatal(MakeFatal(sqlstate::kFeatureNotSupported,
                          "unsupported frontend protocol " + std::to_string(code >> 16) + "." +
                              std::to_string(code & 0xFFFF) + ": server supports 3.0 to 3.0"));
      return false;
    }
    std::vector<std::string> unknown_options;
    while (true) {
      std::string name(r.CString());
      if (name.empty() || !r.ok()) break;
      std::string value(r.CString());
      if (name.rfind("_pq_.", 0) == 0) {
        unknown_options.push_back(name);
      } else {
        (*params)[name] = value;
      }
    }
    if (!r.ok()) {
      SendFatal(MakeFatal(sqlstate::kProtocolViolation, "invalid startup packet layout"));
      return false;
    }
    if (code != kProtocol3 || !unknown_options.empty()) {
      // NegotiateProtocolVersion: the newest minor version served and the options ignored.
      out_.Begin('v');
      out_.Int32(kProtocol3);
      out_.Int32(static_cast<int32_t>(unknown_options.size()));
      for (const auto& o : unknown_options) out_.CString(o);
      out_.End();
    }
    return true;
  }
}

Status Connection::ApplyStartupParams(const std::map<std::string, std::string>& params) {
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& [name, value] : params) {
    if (name == "user" || name == "database" || name == "replication") continue;
    if (name == "options") {
      for (auto& kv : ParseOptions(value)) settings.push_back(std::move(kv));
    } else {
      settings.emplace_back(name, value);
    }
  }
  for (const auto& [name, value] : settings) {
    std::string canonical = ClientParams::CanonicalName(name);
    // Drivers send the machine's time zone and locale encoding unasked (JDBC: TimeZone, psql
    // under LANG=C: SQL_ASCII); sessions stay in UTC and UTF8 and the client is told so by
    // ParameterStatus. An explicit SET of another zone is refused instead.
    if (canonical == "TimeZone") continue;
    if (canonical == "client_encoding" && (value == "SQL_ASCII" || value == "sql_ascii")) continue;
    Status st = params_.SetDefault(name, value);
    if (st.code() == ErrorCode::kPermissionDenied) continue;  // read-only: ignored at startup
    TARN_RETURN_IF_ERROR(st);
  }
  return Status::OK();
}

void Connection::SendFatal(const PgError& error) {
  WriteError(out_, error);
  (void)out_.Flush();
}

void Connection::SendProtocolViolation(const std::string& message) {
  SendFatal(MakeFatal(sqlstate::kProtocolViolation, message));
}

bool Connection::Startup() {
  std::map<std::string, std::string> startup;
  if (!ReadStartupPacket(&startup)) return false;
  if (refuse_) {
    SendFatal(MakeFatal(sqlstate::kTooManyConnections, "sorry, too many clients already"));
    return false;
  }
  auto user = startup.find("user");
  if (user == startup.end() || user->second.empty()) {
    SendFatal(MakeFatal(sqlstate::kInvalidAuthorization,
                        "no PostgreSQL user name specified in startup packet"));
    return false;
  }
  user_ = user->second;
  compat_.user = user_;
  auto database = startup.find("database");
  compat_.database =
      database != startup.end() && !database->second.empty() ? database->second : user_;
  compat_.process_id = process_id_;
  if (Status st = ApplyStartupParams(startup); !st.ok()) {
    SendFatal(MakeFatal(sqlstate::kInvalidParameterValue, st.message()));
    return false;
  }

  auto grants = AuthenticateClient(env_.auth, *env_.catalog, in_, out_);
  if (!grants.ok()) {
    const Status& st = grants.status();
    switch (st.code()) {
      case ErrorCode::kUnauthenticated:
        SendFatal(MakeFatal(sqlstate::kInvalidPassword,
                            "password authentication failed for user \"" + user_ + "\"",
                            "the password is a tarn API token (tarn token create)"));
        break;
      case ErrorCode::kInvalidArgument:
        SendProtocolViolation(st.message());
        break;
      case ErrorCode::kUnimplemented:
        SendFatal(MakeFatal(sqlstate::kInvalidAuthorization, st.message()));
        break;
      case ErrorCode::kUnavailable:
        break;  // the client left
      default:
        if (!out_.broken()) {
          PgError e = ErrorFromStatus(st);
          e.severity = "FATAL";
          SendFatal(e);
        }
    }
    return false;
  }

  auto session = env_.open_session(*grants);
  if (!session.ok()) {
    PgError e = ErrorFromStatus(session.status());
    e.severity = "FATAL";
    SendFatal(e);
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(session_mu_);
    session_ = std::move(session).value();
  }
  (void)params_.SetDefault("session_authorization", user_);
  SendParameterChanges();
  out_.Begin('K');
  out_.Int32(process_id_);
  out_.Int32(secret_key_);
  out_.End();
  SendReadyForQuery();
  return out_.Flush().ok();
}

bool Connection::Handle(const Message& m) {
  if (skip_until_sync_ && m.type != 'S' && m.type != 'X') return true;
  switch (m.type) {
    case 'Q':
      return HandleQuery(m.body);
    case 'P':
      return HandleParse(m.body);
    case 'B':
      return HandleBind(m.body);
    case 'D':
      return HandleDescribe(m.body);
    case 'E':
      return HandleExecute(m.body);
    case 'C':
      return HandleClose(m.body);
    case 'S':
      HandleSync();
      return true;
    case 'H':
      return out_.Flush().ok();
    case 'X':
      return false;
    case 'F':
      SendError(MakeError(sqlstate::kFeatureNotSupported,
                          "the fast-path function call interface is not supported"));
      SendReadyForQuery();
      return out_.Flush().ok();
    case 'd':
    case 'c':
    case 'f':
      return true;  // COPY messages outside COPY are ignored, as PostgreSQL does
    default:
      SendProtocolViolation("invalid frontend message type " +
                            std::to_string(static_cast<unsigned char>(m.type)));
      return false;
  }
}

void Connection::SendError(const PgError& error) {
  WriteError(out_, error);
  if (tx_status_ == 'T') tx_status_ = 'E';
}

void Connection::SendReadyForQuery() {
  out_.Begin('Z');
  out_.Byte(static_cast<uint8_t>(tx_status_));
  out_.End();
}

void Connection::SendParameterChanges() {
  for (const auto& [name, value] : params_.TakeReported(false)) {
    out_.Begin('S');
    out_.CString(name);
    out_.CString(value);
    out_.End();
  }
}

void Connection::EndTransaction(const Portal* running) {
  for (auto it = portals_.begin(); it != portals_.end();) {
    bool keep = it->second->holdable || it->second.get() == running;
    it = keep ? std::next(it) : portals_.erase(it);
  }
  savepoints_.clear();
}

}  // namespace tarn::pgwire
