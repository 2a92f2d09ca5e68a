#include "support/temp_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>

namespace tarn::testing {
namespace {

std::string RunCapture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

std::string SourceDir() { return TARN_SOURCE_DIR; }

TempPostgres& TempPostgres::Shared() {
  static std::unique_ptr<TempPostgres> instance;
  static std::once_flag once;
  std::call_once(once, [] {
    instance.reset(new TempPostgres());
    std::atexit([] { instance.reset(); });
  });
  return *instance;
}

TempPostgres::TempPostgres() {
  char tmpl[] = "/tmp/tarn-pg-XXXXXX";
  dir_ = mkdtemp(tmpl);
  std::string url = RunCapture(SourceDir() + "/scripts/pg-tmp.sh start " + dir_);
  if (url.empty()) {
    std::cerr << "FATAL: could not start a throwaway PostgreSQL in " << dir_
              << " (is the postgresql package installed? run make setup)\n";
    std::abort();
  }
  base_url_ = url.substr(0, url.rfind('/') + 1);
}

TempPostgres::~TempPostgres() {
  RunCapture(SourceDir() + "/scripts/pg-tmp.sh stop " + dir_);
}

std::string TempPostgres::NewDatabaseUrl() {
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(next_db_++);
  PGconn* c = PQconnectdb((base_url_ + "postgres").c_str());
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  PQfinish(c);
  if (!ok) {
    std::cerr << "FATAL: CREATE DATABASE " << name << " failed\n";
    std::abort();
  }
  return base_url_ + name;
}

}  // namespace tarn::testing
