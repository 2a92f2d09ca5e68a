#include "tarn/engine/iceberg_read.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>
#include <vector>

#include "tarn/iceberg/delete_index.h"
#include "tarn/iceberg/literal.h"

namespace tarn::engine {
namespace {

using iceberg::DataFile;
using iceberg::FileContent;
using schema::TypeId;

// 'text' with quotes doubled.
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// "name" with quotes doubled.
std::string Ident(std::string_view s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A value as DuckDB's text form of a BLOB: every byte as \xHH.
std::string BlobText(std::string_view bytes) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
  return out;
}

// The field's initial default as a VARCHAR literal DuckDB casts to the column type, or NULL.
Result<std::string> DefaultValueSql(const schema::NestedField& field) {
  if (!field.default_json || *field.default_json == "null") return std::string("NULL");
  auto type = iceberg::PrimitiveType::From(*field.type);
  if (!type.ok()) return std::string("NULL");  // nested defaults are not applied
  auto v = iceberg::FromJson(*type, *field.default_json);
  if (!v.ok()) return v.status().WithContext("column " + field.name + ": initial default");
  if (v->is_null) return std::string("NULL");
  TypeId id = type->id;
  if (id == TypeId::kBinary || id == TypeId::kFixed) return Quote(BlobText(v->s));
  return Quote(v->ToString());
}

std::string SchemaEntry(int field_id, std::string_view name, const std::string& duck_type,
                        const std::string& default_sql) {
  return std::to_string(field_id) + ": {name: " + Quote(name) + ", type: " + Quote(duck_type) +
         ", default_value: " + default_sql + "}";
}

std::string SchemaMap(const std::vector<std::string>& entries) {
  std::string out = "map{";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? ", " : "") + entries[i];
  return out + "}";
}

std::string FileList(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) out += (i ? ", " : "") + Quote(paths[i]);
  return out + "]";
}

Status CheckParquet(const DataFile& f) {
  std::string format = f.file_format;
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (format == "PARQUET") return Status::OK();
  return InvalidArgument("file " + f.file_path + " is " + f.file_format +
                         "; only Parquet files can be read");
}

// Files sharing one set of delete files: read together, deletes applied once.
struct Group {
  std::vector<const DataFile*> files;
  const std::vector<DataFile>* deletes = nullptr;
};

std::string DeleteKey(const std::vector<DataFile>& deletes) {
  std::vector<std::string> paths;
  for (const DataFile& d : deletes) paths.push_back(d.file_path);
  std::sort(paths.begin(), paths.end());
  std::string key;
  for (const std::string& p : paths) key += p + '\n';
  return key;
}

std::vector<Group> GroupTasks(const iceberg::ScanPlan& plan) {
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  for (const iceberg::FileScanTask& task : plan.tasks) {
    auto [it, added] = index.emplace(DeleteKey(task.deletes), groups.size());
    if (added) groups.push_back(Group{{}, &task.deletes});
    groups[it->second].files.push_back(&task.data_file);
  }
  return groups;
}

class SqlBuilder {
 public:
  SqlBuilder(const schema::Schema& schema, const iceberg::FileIO& io, const ScanSqlOptions& options)
      : schema_(schema), io_(io), options_(options) {}

  Status Init() {
    if (schema_.fields().empty()) return InvalidArgument("the read schema has no columns");
    std::vector<std::string> entries;
    for (const schema::NestedField& f : schema_.fields()) {
      TARN_ASSIGN_OR_RETURN(std::string def, DefaultValueSql(f));
      entries.push_back(SchemaEntry(f.id, f.name, DuckDbType(*f.type), def));
      columns_ += (columns_.empty() ? "" : ", ") + Ident(f.name);
      d_columns_ += (d_columns_.empty() ? "d." : ", d.") + Ident(f.name);
    }
    data_map_ = SchemaMap(entries);
    return Status::OK();
  }

  std::string Empty() const {
    std::string out = "SELECT ";
    for (size_t i = 0; i < schema_.fields().size(); ++i) {
      const schema::NestedField& f = schema_.fields()[i];
      out += (i ? ", " : "") + ("CAST(NULL AS " + DuckDbType(*f.type) + ") AS " + Ident(f.name));
    }
    if (options_.row_positions) {
      out += ", CAST(NULL AS VARCHAR) AS " + Ident(kRowFileColumn) + ", CAST(NULL AS BIGINT) AS " +
             Ident(kRowPosColumn);
    }
    return out + " LIMIT 0";
  }

  Result<std::string> GroupSql(const Group& g) const {
    std::vector<std::string> paths;
    for (const DataFile* f : g.files) {
      TARN_RETURN_IF_ERROR(CheckParquet(*f));
      paths.push_back(io_.LocalPath(f->file_path));
    }
    if (g.deletes->empty() && !options_.row_positions) {
      return "SELECT " + columns_ + " FROM read_parquet(" + FileList(paths) +
             ", schema=" + data_map_ + ")";
    }
    std::string sql = "SELECT " + d_columns_ + RowPositionColumns() + " FROM read_parquet(" +
                      FileList(paths) + ", schema=" + data_map_ +
                      ", filename='_tarn_file', file_row_number=true) AS d" + RowFileJoin(g);
    TARN_ASSIGN_OR_RETURN(std::string pos, PositionDeletesJoin(g));
    TARN_ASSIGN_OR_RETURN(std::string eq, EqualityDeletesJoins(g));
    return sql + pos + eq;
  }

 private:
  // (location as in the manifest, local path) of the group's files, as a VALUES list.
  std::string FileLocations(const Group& g) const {
    std::string values;
    for (const DataFile* f : g.files) {
      values += (values.empty() ? "(" : ", (") + Quote(f->file_path) + ", " +
                Quote(io_.LocalPath(f->file_path)) + ")";
    }
    return values;
  }

  std::string RowPositionColumns() const {
    if (!options_.row_positions) return "";
    return ", _tarn_loc.loc AS " + Ident(kRowFileColumn) + ", d.file_row_number AS " +
           Ident(kRowPosColumn);
  }

  // Maps the local path DuckDB reports back to the file's location.
  std::string RowFileJoin(const Group& g) const {
    if (!options_.row_positions) return "";
    return " JOIN (VALUES " + FileLocations(g) +
           ") AS _tarn_loc(loc, p) ON d._tarn_file = _tarn_loc.p";
  }

  // Anti-join on (local path, row position); delete rows name data files by location, mapped
  // to the paths DuckDB reports through a VALUES table of the group's files.
  Result<std::string> PositionDeletesJoin(const Group& g) const {
    std::vector<std::string> files;
    for (const DataFile& d : *g.deletes) {
      if (d.content != FileContent::kPositionDeletes) continue;
      TARN_RETURN_IF_ERROR(CheckParquet(d));
      files.push_back(io_.LocalPath(d.file_path));
    }
    if (files.empty()) return std::string();
    std::string values = FileLocations(g);
    std::string map =
        SchemaMap({SchemaEntry(iceberg::kDeleteFilePathFieldId, "file_path", "VARCHAR", "NULL"),
                   SchemaEntry(iceberg::kDeletePosFieldId, "pos", "BIGINT", "NULL")});
    return " ANTI JOIN (SELECT f.p AS p, x.pos AS r FROM read_parquet(" + FileList(files) +
           ", schema=" + map + ") AS x JOIN (VALUES " + values +
           ") AS f(loc, p) ON x.file_path = f.loc) AS pd"
           " ON d._tarn_file = pd.p AND d.file_row_number = pd.r";
  }

  // One anti-join per distinct equality_ids list, over all delete files that use it.
  Result<std::string> EqualityDeletesJoins(const Group& g) const {
    std::map<std::vector<int>, std::vector<std::string>> by_ids;
    for (const DataFile& d : *g.deletes) {
      if (d.content != FileContent::kEqualityDeletes) continue;
      TARN_RETURN_IF_ERROR(CheckParquet(d));
      by_ids[d.equality_ids].push_back(io_.LocalPath(d.file_path));
    }
    std::string sql;
    int n = 0;
    for (const auto& [ids, files] : by_ids) {
      TARN_ASSIGN_OR_RETURN(std::string join, EqualityJoin(ids, files, "e" + std::to_string(n++)));
      sql += join;
    }
    return sql;
  }

  Result<std::string> EqualityJoin(const std::vector<int>& ids,
                                   const std::vector<std::string>& files,
                                   const std::string& alias) const {
    if (ids.empty()) {
      return InvalidArgument("equality delete file " + files.front() + " has no equality_ids");
    }
    std::vector<std::string> entries;
    std::string on;
    for (int id : ids) {
      const schema::NestedField* f = TopLevel(id);
      if (!f) {
        return InvalidArgument("equality delete file " + files.front() + ": field " +
                               std::to_string(id) + " is not a top-level column of the table");
      }
      std::string col = "_tarn_eq_" + std::to_string(id);
      entries.push_back(SchemaEntry(id, col, DuckDbType(*f->type), "NULL"));
      on += (on.empty() ? "" : " AND ") +
            ("d." + Ident(f->name) + " IS NOT DISTINCT FROM " + alias + "." + col);
    }
    return " ANTI JOIN read_parquet(" + FileList(files) + ", schema=" + SchemaMap(entries) +
           ") AS " + alias + " ON " + on;
  }

  const schema::NestedField* TopLevel(int id) const {
    for (const schema::NestedField& f : schema_.fields()) {
      if (f.id == id) return &f;
    }
    return nullptr;
  }

  const schema::Schema& schema_;
  const iceberg::FileIO& io_;
  const ScanSqlOptions& options_;
  std::string data_map_, columns_, d_columns_;
};

}  // namespace

std::string DuckDbType(const schema::Type& type) {
  static const std::map<TypeId, const char*> kPrimitives = {{TypeId::kBoolean, "BOOLEAN"},
                                                            {TypeId::kInt, "INTEGER"},
                                                            {TypeId::kLong, "BIGINT"},
                                                            {TypeId::kFloat, "FLOAT"},
                                                            {TypeId::kDouble, "DOUBLE"},
                                                            {TypeId::kDate, "DATE"},
                                                            {TypeId::kTime, "TIME"},
                                                            {TypeId::kTimestamp, "TIMESTAMP"},
                                                            {TypeId::kTimestampTz, "TIMESTAMPTZ"},
                                                            {TypeId::kString, "VARCHAR"},
                                                            {TypeId::kUuid, "UUID"},
                                                            {TypeId::kBinary, "BLOB"},
                                                            {TypeId::kFixed, "BLOB"}};
  switch (type.id) {
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeId::kList:
      return DuckDbType(*type.element.type) + "[]";
    case TypeId::kMap:
      return "MAP(" + DuckDbType(*type.key.type) + ", " + DuckDbType(*type.value.type) + ")";
    case TypeId::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < type.fields.size(); ++i) {
        const schema::NestedField& f = type.fields[i];
        out += (i ? ", " : "") + Ident(f.name) + " " + DuckDbType(*f.type);
      }
      return out + ")";
    }
    default:
      return kPrimitives.at(type.id);
  }
}

Result<std::string> IcebergScanSql(const iceberg::ScanPlan& plan, const schema::Schema& read_schema,
                                   const iceberg::FileIO& io, const ScanSqlOptions& options) {
  SqlBuilder builder(read_schema, io, options);
  TARN_RETURN_IF_ERROR(builder.Init());
  if (plan.tasks.empty()) return builder.Empty();
  std::string sql;
  for (const Group& g : GroupTasks(plan)) {
    TARN_ASSIGN_OR_RETURN(std::string part, builder.GroupSql(g));
    sql += (sql.empty() ? "" : " UNION ALL ") + part;
  }
  return sql;
}

}  // namespace tarn::engine
