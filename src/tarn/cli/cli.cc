#include "tarn/cli/cli.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tarn/engine/duckdb_engine.h"

namespace tarn::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return 0;
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kNotFound: return 3;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return 4;
    case ErrorCode::kFailedPrecondition: return 5;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied: return 6;
    case ErrorCode::kUnavailable: return 7;
    default: return 1;
  }
}

int Fail(const Status& status) {
  std::cerr << "tarn: " << status.message() << "\n";
  return ExitCodeFor(status);
}

std::unique_ptr<lake::Lake> OpenLakeOrReport(const GlobalOptions& options, int* exit_code) {
  auto lake = lake::Lake::Open(options.lake);
  if (!lake.ok()) {
    *exit_code = Fail(lake.status());
    return nullptr;
  }
  return std::move(lake).value();
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size();
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    std::cout << out << "\n";
  };
  line(headers);
  for (const auto& r : rows) line(r);
}

int RunCli(int argc, char** argv) {
  CLI::App app{"tarn: a data lake in one binary"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  GlobalOptions options;
  app.add_option("--lake", options.lake.root, "lake root directory or s3://bucket/prefix")
      ->default_val("./lake")
      ->envname("TARN_LAKE");
  app.add_option("--catalog", options.lake.catalog_url,
                 "catalog URL: sqlite:PATH or postgresql://... (default: SQLite under the lake)")
      ->envname("TARN_CATALOG");
  app.add_flag("--json", options.json, "print JSON instead of tables");
  int exit_code = 0;

  app.add_subcommand("version", "print the tarn and DuckDB versions")->callback([] {
    std::cout << "tarn 0.1.0 (DuckDB " << engine::DuckDbVersion() << ")\n";
  });
  AddCatalogCommands(app, options, &exit_code);
  AddServeCommands(app, options, &exit_code);
  AddIngestCommands(app, options, &exit_code);
  AddSchemaCommands(app, options, &exit_code);
  AddTableCommands(app, options, &exit_code);
  AddSqlCommands(app, options, &exit_code);
  AddPromoteCommands(app, options, &exit_code);
  AddAlertCommands(app, options, &exit_code);
  AddStreamCommands(app, options, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace tarn::cli
