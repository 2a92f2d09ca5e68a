// Arguments and helpers shared by the `tarn table` subcommands.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tarn/cli/cli.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/table.h"

namespace tarn::cli {

struct TableArgs {
  std::string table, zone = "curated", tag, as_of, older_than = "7d", file;
  std::vector<std::string> where, partition_by, key;
  int64_t snapshot = 0;
  int retain_last = 1;
  bool overwrite_partitions = false;
};

// "curated.orders" -> ("curated", "orders"). Errors: kInvalidArgument.
Result<std::pair<std::string, std::string>> SplitTableName(const std::string& ref);
// Errors: as LakeTables::Load.
Result<std::unique_ptr<iceberg::Table>> OpenTable(lake::Lake& lake, const std::string& ref);
// "COLUMN OP VALUE" conditions (OP one of = < <= > >=; VALUE as JSON or bare text) against
// `schema`. Errors: kInvalidArgument naming the condition.
Result<iceberg::Filter> ParseFilter(const schema::Schema& schema,
                                    const std::vector<std::string>& conditions);
// The snapshot --snapshot / --tag / --as-of name, else the current one (null: empty table).
// Errors: kNotFound.
Result<const iceberg::Snapshot*> PickSnapshot(const iceberg::TableMetadata& m, const TableArgs& a);
// Adds --snapshot, --tag and --as-of to `cmd`.
void AddSnapshotOptions(CLI::App* cmd, TableArgs& a);

void AddTableDataCommands(CLI::App* table, GlobalOptions& options, int* exit_code);

}  // namespace tarn::cli
