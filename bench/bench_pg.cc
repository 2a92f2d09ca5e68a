#include "bench_pg.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

namespace tarn::bench {
namespace {

std::mutex g_cleanup_mu;
std::string g_cleanup_command;  // run by the signal watcher before exiting

void SetCleanup(const std::string& command) {
  std::lock_guard lock(g_cleanup_mu);
  g_cleanup_command = command;
}

std::string OneLine(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

void StartPgSignalWatcher() {
  static sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any other thread starts
  std::thread([] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::lock_guard lock(g_cleanup_mu);
    if (!g_cleanup_command.empty()) {
      std::fprintf(stderr, "\ninterrupted: stopping the throwaway PostgreSQL server\n");
      (void)std::system(g_cleanup_command.c_str());
    }
    _exit(128 + sig);
  }).detach();
}

Status ThrowawayPostgres::Start(const std::string& script, const std::string& parent) {
  std::string tmpl = parent + "/pg-XXXXXX";
  if (!mkdtemp(tmpl.data())) return IOError("mkdtemp " + tmpl);
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0755);  // the server runs as the postgres user
  stop_command_ = "'" + script + "' stop '" + dir_ + "/pg' >/dev/null 2>&1; rm -rf '" + dir_ + "'";
  SetCleanup(stop_command_);
  FILE* p = popen(("'" + script + "' start '" + dir_ + "/pg'").c_str(), "r");
  if (!p) return IOError("cannot run " + script);
  char line[512] = {0};
  bool got = std::fgets(line, sizeof line, p) != nullptr;
  if (pclose(p) != 0 || !got) return Unavailable(script + " start failed");
  url_ = line;
  while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
  return Status::OK();
}

void ThrowawayPostgres::Stop() {
  if (dir_.empty()) return;
  (void)std::system(stop_command_.c_str());
  SetCleanup("");
  dir_.clear();
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<PgConn> out(new PgConn(conn));
  TARN_RETURN_IF_ERROR(out->Exec("SET client_min_messages = warning"));
  return out;
}

Status PgConn::Exec(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  ExecStatusType st = PQresultStatus(res);
  Status out = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                   ? Status::OK()
                   : IOError(sql.substr(0, 60) + ": " + OneLine(PQresultErrorMessage(res)));
  PQclear(res);
  return out;
}

Result<std::string> PgConn::QueryText(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    Status st = IOError(sql.substr(0, 60) + ": " + OneLine(PQresultErrorMessage(res)));
    PQclear(res);
    return st;
  }
  std::string out;
  if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) out = PQgetvalue(res, 0, 0);
  PQclear(res);
  return out;
}

Result<PgConn::CopyStats> PgConn::CopyOut(const std::string& select) {
  std::string sql = "COPY (" + select + ") TO STDOUT";
  PGresult* res = PQexec(conn_, sql.c_str());
  bool copying = PQresultStatus(res) == PGRES_COPY_OUT;
  std::string error = copying ? "" : OneLine(PQresultErrorMessage(res));
  PQclear(res);
  if (!copying) return IOError(sql + ": " + error);
  CopyStats stats;
  char* row = nullptr;
  int n;
  while ((n = PQgetCopyData(conn_, &row, /*async=*/0)) > 0) {
    ++stats.rows;
    stats.bytes += n;
    PQfreemem(row);
  }
  if (n == -2) return IOError(sql + ": " + OneLine(PQerrorMessage(conn_)));
  res = PQgetResult(conn_);
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) error = OneLine(PQresultErrorMessage(res));
  PQclear(res);
  while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
  if (!ok) return IOError(sql + ": " + error);
  return stats;
}

}  // namespace tarn::bench
