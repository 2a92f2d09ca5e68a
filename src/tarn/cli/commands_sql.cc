// `tarn sql`: SQL over the lake's curated and serving tables, from the command line or an
// interactive shell with history.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <editline/readline.h>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "tarn/cli/cli.h"
#include "tarn/query/query_service.h"
#include "tarn/query/result_format.h"

namespace tarn::cli {
namespace {

struct SqlArgs {
  std::string query;
  std::string format;  // "" = table on a terminal, else csv
  std::string out;     // a Parquet file
  bool explain = false;
  double timeout_seconds = 300;
  int64_t memory_mb = 2048;
};

Status RunStatement(query::Session& session, const std::string& sql, query::OutputFormat format,
                    std::ostream& out) {
  TARN_ASSIGN_OR_RETURN(auto stream, session.Execute(sql, {}));
  TARN_ASSIGN_OR_RETURN(int64_t rows, query::WriteResult(*stream, format, out));
  (void)rows;
  out.flush();
  return Status::OK();
}

// Reads statements from the terminal until \q or end of input; errors are printed, not fatal.
void Shell(query::Session& session, query::OutputFormat format) {
  const char* home = std::getenv("HOME");
  std::string history = home ? std::string(home) + "/.tarn_history" : "";
  using_history();
  if (!history.empty()) read_history(history.c_str());
  std::cout << "tarn SQL shell: tables are zone.dataset (curated.*, serving.*); end statements "
               "with ';', \\q quits.\n";
  std::string buffer;
  while (char* line = readline(buffer.empty() ? "tarn> " : "   -> ")) {
    std::string text(line);
    free(line);
    if (buffer.empty() && (text == "\\q" || text == "quit" || text == "exit")) break;
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    buffer += (buffer.empty() ? "" : "\n") + text;
    size_t end = buffer.find_last_not_of(" \t");
    if (buffer[end] != ';') continue;
    add_history(buffer.c_str());
    if (!history.empty()) append_history(1, history.c_str());
    for (const std::string& stmt : query::SplitStatements(buffer)) {
      Status st = RunStatement(session, stmt, format, std::cout);
      if (!st.ok()) std::cerr << "error: " << st.message() << "\n";
    }
    buffer.clear();
  }
  if (!history.empty()) write_history(history.c_str());
}

Status RunSql(lake::Lake& lake, const SqlArgs& a, bool json) {
  query::QueryLimits limits;
  limits.timeout_seconds = a.timeout_seconds;
  limits.memory_bytes = a.memory_mb << 20;
  query::QueryService service(lake, limits);
  std::string out_path;
  if (!a.out.empty()) {
    out_path = std::filesystem::absolute(a.out).lexically_normal().string();
  }
  TARN_ASSIGN_OR_RETURN(
      auto session, service.OpenSession(catalog::Grants::Admin(),
                                        out_path.empty() ? "" : std::filesystem::path(out_path).parent_path().string()));
  std::string format_name = a.format;
  if (format_name.empty()) format_name = json ? "json" : isatty(STDOUT_FILENO) ? "table" : "csv";
  TARN_ASSIGN_OR_RETURN(query::OutputFormat format, query::ParseOutputFormat(format_name));
  std::string script = a.query;
  if (script.empty()) {
    if (isatty(STDIN_FILENO)) {
      Shell(*session, format);
      return Status::OK();
    }
    std::stringstream in;
    in << std::cin.rdbuf();
    script = in.str();
  }
  std::vector<std::string> statements = query::SplitStatements(script);
  if (statements.empty()) return InvalidArgument("no SQL statement given");
  if (!out_path.empty()) {
    if (statements.size() != 1) return InvalidArgument("--out takes exactly one statement");
    TARN_RETURN_IF_ERROR(session->ExportParquet(statements[0], out_path));
    std::cerr << "wrote " << out_path << "\n";
    return Status::OK();
  }
  for (const std::string& stmt : statements) {
    TARN_RETURN_IF_ERROR(RunStatement(*session, a.explain ? "EXPLAIN " + stmt : stmt, format, std::cout));
  }
  return Status::OK();
}

}  // namespace

void AddSqlCommands(CLI::App& app, GlobalOptions& options, int* exit_code) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* sql = app.add_subcommand(
      "sql", "run SQL over curated and serving tables (zone.dataset); a shell without QUERY");
  sql->add_option("query", args->query, "statements separated by ';' (default: stdin or a shell)");
  sql->add_option("--format", args->format, "table, csv or json (JSON lines); default: table on a terminal, else csv");
  sql->add_option("--out", args->out, "write the result to this Parquet file instead");
  sql->add_flag("--explain", args->explain, "show the plan: per table, snapshot and files scanned");
  sql->add_option("--timeout", args->timeout_seconds, "seconds per statement")->default_val(300);
  sql->add_option("--memory-limit", args->memory_mb, "MiB of memory for the query engine")->default_val(2048);
  sql->callback(WithLake(options, exit_code, [args, &options](lake::Lake& lake) {
    return RunSql(lake, *args, options.json);
  }));
}

}  // namespace tarn::cli
