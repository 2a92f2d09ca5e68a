// The `tarn` command line: parses arguments, opens the lake, calls a service, renders the
// result as a table (or JSON with --json), and maps errors to exit codes in one place.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/lake/lake.h"

namespace CLI {
class App;
}

namespace tarn::cli {

// Options every command shares.
struct GlobalOptions {
  lake::LakeOptions lake;
  bool json = false;
};

// Exit codes: 0 ok, 1 internal, 2 usage/invalid input, 3 not found, 4 already exists or
// conflict, 5 rule violation, 6 permission, 7 unavailable.
int ExitCodeFor(const Status& status);

// Prints "tarn: <message>" to stderr and returns the exit code for `status`.
int Fail(const Status& status);

// Opens the lake named by the global options; prints the error and returns null on failure.
std::unique_ptr<lake::Lake> OpenLakeOrReport(const GlobalOptions& options, int* exit_code);

// A subcommand callback: opens the lake, runs `fn(lake)`, and records a failure's exit code.
template <typename Fn>
std::function<void()> WithLake(GlobalOptions& options, int* exit_code, Fn fn) {
  return [&options, exit_code, fn] {
    auto lake = OpenLakeOrReport(options, exit_code);
    if (!lake) return;
    Status st = fn(*lake);
    if (!st.ok()) *exit_code = Fail(st);
  };
}

// The whole file. Errors: kInvalidArgument naming it when it cannot be read.
Result<std::string> ReadTextFile(const std::string& path);

// Prints rows under headers in aligned columns.
void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

// Registers subcommands; each sets `*exit_code` when it runs.
void AddCatalogCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddServeCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddIngestCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddSchemaCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddTableCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddSqlCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddPromoteCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddAlertCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
void AddStreamCommands(CLI::App& app, GlobalOptions& options, int* exit_code);

int RunCli(int argc, char** argv);

}  // namespace tarn::cli
