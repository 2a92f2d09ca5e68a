// `tarn table list|show|snapshots|files|tag|expire|remove-orphans`: the curated and serving
// zones' Iceberg tables.
#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>

#include "tarn/base/time.h"
#include "tarn/cli/table_args.h"
#include "tarn/iceberg/scan.h"
#include "tarn/iceberg/table.h"

namespace tarn::cli {
namespace {

std::string Summary(const iceberg::Snapshot* s, const char* key) {
  if (s == nullptr) return "0";
  auto it = s->summary.find(key);
  return it == s->summary.end() ? "" : it->second;
}

std::string MsTime(int64_t ms) { return FormatIsoTimestamp(ms * 1000).substr(0, 19) + "Z"; }

// "7d", "12h", "30m", "45s" -> milliseconds.
Result<int64_t> ParseAge(const std::string& text) {
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  std::string unit = end ? end : "";
  int64_t ms = unit == "d" ? 86400000 : unit == "h" ? 3600000 : unit == "m" ? 60000
             : unit == "s" ? 1000 : 0;
  if (end == text.c_str() || n < 0 || ms == 0) {
    return InvalidArgument("age '" + text + "' must be a number with d, h, m or s, e.g. 7d");
  }
  return n * ms;
}

Status List(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());
  TARN_ASSIGN_OR_RETURN(auto names, tables->List(a.zone));
  std::vector<std::vector<std::string>> rows;
  for (const std::string& name : names) {
    TARN_ASSIGN_OR_RETURN(auto t, tables->Load(a.zone, name));
    const iceberg::Snapshot* s = t->metadata().CurrentSnapshot();
    rows.push_back({a.zone + "." + name, std::to_string(t->metadata().snapshots.size()),
                    Summary(s, "total-data-files"), Summary(s, "total-records"),
                    s ? MsTime(s->timestamp_ms) : "-"});
  }
  PrintTable({"TABLE", "SNAPSHOTS", "FILES", "RECORDS", "UPDATED"}, rows);
  return Status::OK();
}

Status Show(lake::Lake& lake, const TableArgs& a, bool json) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  const iceberg::TableMetadata& m = t->metadata();
  if (json) {
    std::cout << iceberg::WriteTableMetadata(m) << "\n";
    return Status::OK();
  }
  std::cout << "table     " << a.table << "\nlocation  " << m.location << "\nmetadata  "
            << t->metadata_location() << "\nuuid      " << m.table_uuid << "\n\nschema "
            << m.current_schema_id << ":\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : m.CurrentSchema()->fields()) {
    rows.push_back({std::to_string(f.id), f.name, schema::TypeToString(*f.type),
                    f.required ? "required" : "optional"});
  }
  PrintTable({"ID", "COLUMN", "TYPE", ""}, rows);
  std::cout << "\npartition spec " << m.default_spec_id << ":";
  for (const auto& f : m.DefaultSpec()->fields) {
    std::cout << " " << f.name << "=" << f.transform.ToString() << "("
              << m.CurrentSchema()->PathOf(f.source_id) << ")";
  }
  std::cout << (m.DefaultSpec()->fields.empty() ? " unpartitioned\n" : "\n") << "\nrefs:\n";
  rows.clear();
  for (const auto& [name, ref] : m.refs) {
    rows.push_back({name, ref.is_branch ? "branch" : "tag", std::to_string(ref.snapshot_id)});
  }
  PrintTable({"REF", "TYPE", "SNAPSHOT"}, rows);
  return Status::OK();
}

Status Snapshots(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : t->metadata().snapshots) {
    rows.push_back({std::to_string(s.snapshot_id),
                    s.parent_snapshot_id ? std::to_string(*s.parent_snapshot_id) : "-",
                    std::to_string(s.sequence_number), MsTime(s.timestamp_ms),
                    Summary(&s, "operation"), Summary(&s, "added-data-files"),
                    Summary(&s, "deleted-data-files"), Summary(&s, "total-records")});
  }
  PrintTable({"SNAPSHOT", "PARENT", "SEQ", "TIME", "OPERATION", "ADDED FILES", "REMOVED FILES",
              "TOTAL RECORDS"},
             rows);
  return Status::OK();
}

// The files a scan would read, after pruning, with what planning considered and skipped.
Status Files(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  const iceberg::TableMetadata& m = t->metadata();
  TARN_ASSIGN_OR_RETURN(auto filter, ParseFilter(*m.CurrentSchema(), a.where));
  TARN_ASSIGN_OR_RETURN(const iceberg::Snapshot* snap, PickSnapshot(m, a));
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(m, snap, filter, t->io()));
  std::vector<std::vector<std::string>> rows;
  for (const auto& task : plan.tasks) {
    rows.push_back({task.data_file.file_path, std::to_string(task.data_file.record_count),
                    std::to_string(task.data_file.file_size_in_bytes),
                    std::to_string(task.deletes.size())});
  }
  PrintTable({"FILE", "RECORDS", "BYTES", "DELETE FILES"}, rows);
  const auto& mt = plan.metrics;
  std::cout << "snapshot " << plan.snapshot_id << ": manifests " << mt.manifests_total - mt.manifests_skipped
            << "/" << mt.manifests_total << ", data files " << plan.tasks.size() << "/"
            << mt.data_files_considered << " considered (" << mt.data_files_skipped
            << " skipped), planned in " << mt.planning_ms << " ms\n";
  return Status::OK();
}

Status Tag(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  int64_t id = a.snapshot;
  if (id == 0) {
    if (!t->metadata().current_snapshot_id) return FailedPrecondition("the table has no snapshot");
    id = *t->metadata().current_snapshot_id;
  }
  TARN_RETURN_IF_ERROR(t->SetTag(a.tag, id));
  std::cout << "tag " << a.tag << " -> snapshot " << id << "\n";
  return Status::OK();
}

Status Expire(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  TARN_ASSIGN_OR_RETURN(int64_t age, ParseAge(a.older_than));
  TARN_ASSIGN_OR_RETURN(auto r, t->ExpireSnapshots(Clock::System().Now() / 1000 - age,
                                                    a.retain_last));
  std::cout << "expired " << r.expired_snapshots.size() << " snapshots, deleted "
            << r.deleted_files.size() << " files\n";
  return Status::OK();
}

Status RemoveOrphans(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  TARN_ASSIGN_OR_RETURN(int64_t age, ParseAge(a.older_than));
  TARN_ASSIGN_OR_RETURN(auto removed, t->RemoveOrphanFiles(Clock::System().Now() / 1000 - age));
  for (const auto& f : removed) std::cout << "removed " << f << "\n";
  std::cout << removed.size() << " orphan files removed\n";
  return Status::OK();
}

}  // namespace

void AddTableCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto* table = app.add_subcommand("table", "Iceberg tables of the curated and serving zones")
                    ->require_subcommand(1);
  auto a = std::make_shared<TableArgs>();
  auto* list = table->add_subcommand("list", "list a zone's tables");
  list->add_option("zone", a->zone, "curated | serving")->default_val("curated");
  list->callback(WithLake(o, rc, [a](lake::Lake& l) { return List(l, *a); }));
  auto* show = table->add_subcommand("show", "schema, partitioning and refs (--json: metadata)");
  show->add_option("table", a->table, "ZONE.NAME")->required();
  show->callback(WithLake(o, rc, [a, &o](lake::Lake& l) { return Show(l, *a, o.json); }));
  auto* snaps = table->add_subcommand("snapshots", "the table's snapshots");
  snaps->add_option("table", a->table, "ZONE.NAME")->required();
  snaps->callback(WithLake(o, rc, [a](lake::Lake& l) { return Snapshots(l, *a); }));
  auto* files = table->add_subcommand("files", "the files a scan reads after pruning");
  files->add_option("table", a->table, "ZONE.NAME")->required();
  files->add_option("--where", a->where, "COLUMN OP VALUE (repeatable; = < <= > >=)");
  AddSnapshotOptions(files, *a);
  files->callback(WithLake(o, rc, [a](lake::Lake& l) { return Files(l, *a); }));
  auto* tag = table->add_subcommand("tag", "tag a snapshot (default: the current one)");
  tag->add_option("table", a->table, "ZONE.NAME")->required();
  tag->add_option("tag", a->tag, "tag name")->required();
  tag->add_option("--snapshot", a->snapshot, "snapshot id");
  tag->callback(WithLake(o, rc, [a](lake::Lake& l) { return Tag(l, *a); }));
  auto* expire = table->add_subcommand("expire", "expire old snapshots and delete their files");
  expire->add_option("table", a->table, "ZONE.NAME")->required();
  expire->add_option("--older-than", a->older_than, "age, e.g. 7d")->default_val("7d");
  expire->add_option("--retain-last", a->retain_last, "snapshots always kept")->default_val(1);
  expire->callback(WithLake(o, rc, [a](lake::Lake& l) { return Expire(l, *a); }));
  auto* orphans = table->add_subcommand("remove-orphans", "delete files no snapshot references");
  orphans->add_option("table", a->table, "ZONE.NAME")->required();
  orphans->add_option("--older-than", a->older_than, "only files older than this")
      ->default_val("3d");
  orphans->callback(WithLake(o, rc, [a](lake::Lake& l) { return RemoveOrphans(l, *a); }));
  AddTableDataCommands(table, o, rc);
}

}  // namespace tarn::cli
