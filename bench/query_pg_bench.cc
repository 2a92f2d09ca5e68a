#include "query_pg_bench.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "query_data.h"
#include "tarn/base/ids.h"

namespace tarn::bench {
namespace {

namespace fs = std::filesystem;

// Where a child's standard output goes.
enum class Out { kDevNull, kCountLines, kCapture };

struct Ran {
  int exit_code = -1;
  int64_t lines = 0;
  std::string text;  // kCapture
  double ms = 0;
};

// Runs argv[0] (looked up in PATH) with `env` added, stderr to `err_path` ("" = inherited).
Result<Ran> RunProcess(const std::vector<std::string>& argv,
                       const std::vector<std::pair<std::string, std::string>>& env, Out out,
                       const std::string& err_path = "") {
  int fds[2] = {-1, -1};
  if (out != Out::kDevNull && pipe(fds) != 0) return IOError("pipe failed");
  auto t0 = SteadyClock::now();
  pid_t pid = fork();
  if (pid < 0) return IOError("fork failed");
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int target = out == Out::kDevNull ? open("/dev/null", O_WRONLY) : fds[1];
    dup2(target, STDOUT_FILENO);
    if (!err_path.empty()) {
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
    }
    if (fds[0] >= 0) close(fds[0]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  Ran r;
  if (out != Out::kDevNull) {
    close(fds[1]);
    std::vector<char> buf(1 << 16);
    ssize_t n;
    while ((n = read(fds[0], buf.data(), buf.size())) > 0) {
      r.lines += std::count(buf.data(), buf.data() + n, '\n');
      if (out == Out::kCapture) r.text.append(buf.data(), n);
    }
    close(fds[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.ms = MsSince(t0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// `tarn serve` in a child process, stopped (SIGTERM) when this object goes.
class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const std::string& tarn, const std::string& lake,
                                               const std::string& token,
                                               const std::string& log) {
    auto s = std::unique_ptr<Server>(new Server());
    s->pg_port_ = FreePort();
    std::string http = "127.0.0.1:" + std::to_string(FreePort());
    std::string pg = "127.0.0.1:" + std::to_string(s->pg_port_);
    s->pid_ = fork();
    if (s->pid_ < 0) return IOError("fork failed");
    if (s->pid_ == 0) {
      setenv("TARN_ADMIN_TOKEN", token.c_str(), 1);
      int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO), dup2(err, STDOUT_FILENO);
      execl(tarn.c_str(), tarn.c_str(), "--lake", lake.c_str(), "serve", "--listen", http.c_str(),
            "--pg-listen", pg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 600; ++i) {
      if (Accepts(s->pg_port_)) return s;
      int status;
      if (waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
        s->pid_ = -1;
        return Internal("tarn serve exited before listening; see " + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Internal("tarn serve did not listen on " + pg + " within 60 s; see " + log);
  }
  ~Server() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  int pg_port() const { return pg_port_; }

 private:
  Server() = default;
  pid_t pid_ = -1;
  int pg_port_ = 0;
};

struct Timed {
  std::vector<double> ms;
  double Min() const { return *std::min_element(ms.begin(), ms.end()); }
  double Median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
};

void PrintRow(const std::string& what, const Timed& t, int64_t rows, const std::string& target) {
  std::printf("| %s | %.2f | %.2f | %.0f | %s |\n", what.c_str(), t.Min() / 1000,
              t.Median() / 1000, rows / (t.Median() / 1000), target.c_str());
}

Result<int64_t> DrainInProcess(query::Session& session, const std::string& sql) {
  TARN_ASSIGN_OR_RETURN(auto stream, session.Execute(sql, {}));
  query::Row row;
  int64_t n = 0;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, stream->Next(&row));
    if (!more) return n;
    ++n;
  }
}

Status Skip(const std::string& why) {
  std::printf("\nwire protocol: skipped: %s\n", why.c_str());
  return Status::OK();
}

}  // namespace

Status RunWireBench(const WireOptions& o, const std::string& lake_dir, query::Session& session,
                    const std::string& sql) {
  if (o.skip) return Skip("--no-wire");
  if (o.tarn_binary.empty()) return Skip("no --tarn binary given");
  TARN_ASSIGN_OR_RETURN(Ran help, RunProcess({o.tarn_binary, "serve", "--help"}, {},
                                             Out::kCapture));
  if (help.text.find("--pg-listen") == std::string::npos) {
    return Skip("`" + o.tarn_binary + " serve` has no --pg-listen: the PostgreSQL wire "
                "protocol is not in this build");
  }
  TARN_ASSIGN_OR_RETURN(Ran which, RunProcess({"sh", "-c", "command -v psql"}, {}, Out::kDevNull));
  if (which.exit_code != 0) return Skip("psql is not installed");

  // The same rows in process, as the reference count and the first baseline.
  TARN_ASSIGN_OR_RETURN(int64_t expected, DrainInProcess(session, sql));
  std::string token = NewSecretToken("tarn_bench_");
  std::string log = (fs::path(lake_dir).parent_path() / "query-serve.log").string();
  TARN_ASSIGN_OR_RETURN(auto server, Server::Start(o.tarn_binary, lake_dir, token, log));
  std::vector<std::string> psql = {"psql", "-X", "-h", "127.0.0.1", "-p",
                                   std::to_string(server->pg_port()), "-U", "bench", "-d", "lake",
                                   "-At", "-c", sql};
  std::vector<std::pair<std::string, std::string>> pg_env = {{"PGPASSWORD", token},
                                                             {"PGSSLMODE", "disable"}};
  std::vector<std::string> cli = {o.tarn_binary, "--lake", lake_dir, "sql", "--format", "csv", sql};

  // Untimed first runs count the rows each client prints.
  TARN_ASSIGN_OR_RETURN(Ran first, RunProcess(psql, pg_env, Out::kCountLines));
  if (first.exit_code != 0 || first.lines != expected) {
    return Internal("psql exited " + std::to_string(first.exit_code) + " after " +
                    std::to_string(first.lines) + " rows, expected " + std::to_string(expected) +
                    "; see " + log);
  }
  TARN_ASSIGN_OR_RETURN(Ran first_cli, RunProcess(cli, {}, Out::kCountLines));
  if (first_cli.exit_code != 0 || first_cli.lines != expected + 1) {  // + the CSV header
    return Internal("tarn sql exited " + std::to_string(first_cli.exit_code) + " after " +
                    std::to_string(first_cli.lines) + " lines");
  }
  Timed t_psql, t_cli, t_inproc;
  for (int i = 0; i < o.repeat; ++i) {
    TARN_ASSIGN_OR_RETURN(Ran p, RunProcess(psql, pg_env, Out::kDevNull));
    if (p.exit_code != 0) return Internal("psql exited " + std::to_string(p.exit_code));
    t_psql.ms.push_back(p.ms);
    TARN_ASSIGN_OR_RETURN(Ran c, RunProcess(cli, {}, Out::kDevNull));
    if (c.exit_code != 0) return Internal("tarn sql exited " + std::to_string(c.exit_code));
    t_cli.ms.push_back(c.ms);
    auto t0 = SteadyClock::now();
    TARN_RETURN_IF_ERROR(DrainInProcess(session, sql).status());
    t_inproc.ms.push_back(MsSince(t0));
  }
  double rate = expected / (t_psql.Median() / 1000);
  std::printf("\nwire protocol: %lld rows, %d repetitions\n  %s\n\n",
              static_cast<long long>(expected), o.repeat, sql.c_str());
  std::printf("| client | min s | median s | rows/s (median) | target |\n|---|---|---|---|---|\n");
  PrintRow("psql -At -c ... > /dev/null (tarn serve --pg-listen)", t_psql, expected,
           std::string(">= 500,000 rows/s: ") + (rate >= 500000 ? "met" : "MISSED"));
  PrintRow("baseline: tarn sql --format csv > /dev/null (whole process)", t_cli, expected, "");
  PrintRow("baseline: QueryService stream drained in process", t_inproc, expected, "");
  std::fflush(stdout);
  return Status::OK();
}

}  // namespace tarn::bench
