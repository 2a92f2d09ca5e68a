// The test fixture of the front end's end-to-end tests: a PgServer over fake sessions and a
// SQLite catalog with one curated:read token, libpq helpers, and a client that speaks the
// protocol by hand for what libpq does not expose (row limits, pipelined messages, replies).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "pgwire/fake_session.h"
#include "tarn/base/crypto.h"
#include "tarn/pgwire/pg_server.h"
#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {

using testing::FakeLog;
using testing::FakeSession;

inline std::string TempDir() {
  char tmpl[] = "/tmp/tarn-pgwire-XXXXXX";
  return mkdtemp(tmpl);
}

class PgServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    auto store = catalog::CatalogStore::Open("sqlite:" + dir_ + "/catalog.db");
    ASSERT_TRUE(store.ok());
    catalog_ = std::make_unique<catalog::CatalogService>(std::move(store).value(),
                                                         *storage::LakeLocation::Make(dir_));
    auto issued = catalog_->IssueToken("bi", "curated:read");
    ASSERT_TRUE(issued.ok());
    token_ = issued->secret;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(AuthMethod auth = AuthMethod::kScramSha256, int max_connections = 100) {
    PgServerOptions opts;
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.auth = auth;
    opts.max_connections = max_connections;
    auto log = log_;
    server_ = std::make_unique<PgServer>(
        [log](const catalog::Grants&) -> Result<std::unique_ptr<query::Session>> {
          return std::unique_ptr<query::Session>(std::make_unique<FakeSession>(log));
        },
        *catalog_, opts);
    ASSERT_TRUE(server_->Start().ok());
  }

  std::string Conninfo(const std::string& password, const std::string& extra = "") {
    return "host=127.0.0.1 port=" + std::to_string(server_->port()) +
           " user=analyst dbname=lake connect_timeout=5 password=" + password + " " + extra;
  }

  PGconn* Connect(const std::string& extra = "") {
    PGconn* c = PQconnectdb(Conninfo(token_, extra).c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }

  std::string dir_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::string token_;
  std::shared_ptr<FakeLog> log_ = std::make_shared<FakeLog>();
  std::unique_ptr<PgServer> server_;
};

inline std::string SqlState(PGresult* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s ? s : "";
}

// A client speaking the protocol by hand.
class RawClient {
 public:
  explicit RawClient(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socket_ = Socket(fd);
  }

  void Startup() {
    std::string body;
    AppendInt32(&body, 3 << 16);
    for (const char* s : {"user", "raw", "database", "lake", ""}) body.append(s, strlen(s) + 1);
    std::string packet;
    AppendInt32(&packet, static_cast<int32_t>(body.size() + 4));
    ASSERT_TRUE(socket_.WriteAll(packet + body).ok());
  }

  // Logs in with a cleartext password; returns the message types up to ReadyForQuery.
  std::string Login(const std::string& password) {
    Startup();
    Message m = Next();
    EXPECT_EQ(m.type, 'R');
    Send('p', password + std::string(1, '\0'));
    return TypesUntil('Z');
  }

  void SendRaw(const std::string& bytes) { ASSERT_TRUE(socket_.WriteAll(bytes).ok()); }

  void Send(char type, const std::string& body) {
    std::string out(1, type);
    AppendInt32(&out, static_cast<int32_t>(body.size() + 4));
    out += body;
    ASSERT_TRUE(socket_.WriteAll(out).ok());
  }

  Message Next() {
    auto m = reader_.Read();
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok()) return Message{'?', {}};
    last_body_ = std::string(m->body);
    return Message{m->type, last_body_};
  }

  // Message types up to and including `last`; CommandComplete tags and error codes recorded.
  std::string TypesUntil(char last) {
    std::string types;
    while (true) {
      Message m = Next();
      types.push_back(m.type);
      if (m.type == 'C') tags.push_back(std::string(m.body.substr(0, m.body.size() - 1)));
      if (m.type == 'E') codes.push_back(Field(m.body, 'C'));
      if (m.type == last || m.type == '?') return types;
    }
  }

  static std::string Field(std::string_view body, char code) {
    BodyReader r(body);
    while (true) {
      char c = static_cast<char>(r.Byte());
      if (c == 0 || !r.ok()) return "";
      std::string v(r.CString());
      if (c == code) return v;
    }
  }

  static std::string Parse(const std::string& name, const std::string& sql) {
    std::string b = name + '\0' + sql + '\0';
    AppendInt16(&b, 0);
    return b;
  }
  static std::string Bind(const std::string& portal, const std::string& statement) {
    std::string b = portal + '\0' + statement + '\0';
    AppendInt16(&b, 0);  // parameter formats
    AppendInt16(&b, 0);  // parameters
    AppendInt16(&b, 0);  // result formats
    return b;
  }
  static std::string Execute(const std::string& portal, int32_t limit) {
    std::string b = portal + '\0';
    AppendInt32(&b, limit);
    return b;
  }

  int fd() const { return socket_.fd(); }

  std::vector<std::string> tags;
  std::vector<std::string> codes;

 private:
  Socket socket_;
  MessageReader reader_{&socket_};
  std::string last_body_;
};

}  // namespace tarn::pgwire
