#include "tarn/pgwire/catalog_relations.h"

#include <cctype>
#include <vector>

#include "tarn/pgwire/sql_lexer.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

// The PostgreSQL types tarn reports, with what pg_type and format_type() need and DuckDB's
// spellings of the column types that travel as each (see types.h, which maps result columns
// the same way).
struct CompatType {
  int32_t oid;
  const char* typname;
  const char* sql_name;           // format_type()'s spelling
  std::vector<const char*> duck;  // DuckDB data_type spellings; "DECIMAL" matches DECIMAL(p,s)
  int16_t len;
  char category;
};

const std::vector<CompatType>& CompatTypes() {
  static const std::vector<CompatType> types = {
      {oid::kBool, "bool", "boolean", {"BOOLEAN"}, 1, 'B'},
      {oid::kBytea, "bytea", "bytea", {"BLOB"}, -1, 'U'},
      {oid::kChar, "char", "\"char\"", {}, 1, 'S'},
      {oid::kName, "name", "name", {}, 64, 'S'},
      {oid::kInt8, "int8", "bigint", {"BIGINT", "UINTEGER"}, 8, 'N'},
      {oid::kInt2, "int2", "smallint", {"SMALLINT", "TINYINT", "UTINYINT"}, 2, 'N'},
      {oid::kInt4, "int4", "integer", {"INTEGER", "USMALLINT"}, 4, 'N'},
      {oid::kText, "text", "text", {"VARCHAR"}, -1, 'S'},
      {oid::kOid, "oid", "oid", {}, 4, 'N'},
      {oid::kJson, "json", "json", {}, -1, 'U'},
      {oid::kFloat4, "float4", "real", {"FLOAT"}, 4, 'N'},
      {oid::kFloat8, "float8", "double precision", {"DOUBLE"}, 8, 'N'},
      {oid::kBpchar, "bpchar", "character", {}, -1, 'S'},
      {oid::kVarchar, "varchar", "character varying", {}, -1, 'S'},
      {oid::kDate, "date", "date", {"DATE"}, 4, 'D'},
      {oid::kTime, "time", "time without time zone", {"TIME"}, 8, 'D'},
      {oid::kTimestamp,
       "timestamp",
       "timestamp without time zone",
       {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"},
       8,
       'D'},
      {oid::kTimestampTz,
       "timestamptz",
       "timestamp with time zone",
       {"TIMESTAMP WITH TIME ZONE"},
       8,
       'D'},
      {oid::kInterval, "interval", "interval", {"INTERVAL"}, 16, 'T'},
      {oid::kNumeric, "numeric", "numeric", {"DECIMAL", "HUGEINT", "UBIGINT", "UHUGEINT"}, -1, 'N'},
      {oid::kUuid, "uuid", "uuid", {"UUID"}, 16, 'U'},
      {oid::kJsonb, "jsonb", "jsonb", {}, -1, 'U'},
  };
  return types;
}

std::string Quote(std::string_view s) { return QuoteSqlString(s); }

// SQL mapping DuckDB's data_type text in `e` to a scalar PostgreSQL OID (0 if none).
std::string ScalarOidCase(const std::string& e) {
  std::string out = "CASE";
  for (const CompatType& t : CompatTypes()) {
    std::string in;
    bool decimal = false;
    for (const char* d : t.duck) {
      if (std::string_view(d) == "DECIMAL") {
        decimal = true;
      } else {
        in += (in.empty() ? "" : ", ") + Quote(d);
      }
    }
    if (in.empty() && !decimal) continue;
    std::string cond = in.empty() ? "" : e + " IN (" + in + ")";
    if (decimal) cond += (cond.empty() ? "" : " OR ") + e + " LIKE 'DECIMAL(%'";
    out += " WHEN " + cond + " THEN " + std::to_string(t.oid);
  }
  return out + " ELSE 0 END";
}

// DuckDB data_type -> the OID result columns of that type travel as: scalars, one-level lists
// of scalars as arrays, everything else as text.
std::string DuckTypeOidSql(const std::string& e) {
  std::string element = "substr(" + e + ", 1, length(" + e + ") - 2)";
  std::string arrays = "CASE " + ScalarOidCase(element);
  for (const CompatType& t : CompatTypes()) {
    if (!t.duck.empty()) {
      arrays += " WHEN " + std::to_string(t.oid) + " THEN " + std::to_string(ArrayOidOf(t.oid));
    }
  }
  arrays += " ELSE 25 END";
  return "(CASE WHEN " + e + " LIKE '%[]' AND " + e + " NOT LIKE '%[][]' AND " + e +
         " NOT LIKE '%)[]' AND " + e + " NOT LIKE 'DECIMAL(%' THEN " + arrays + " WHEN " + e +
         " LIKE 'DECIMAL(%)[]' THEN 1231 WHEN " + e + " LIKE '%[]' THEN 25 ELSE COALESCE(NULLIF(" +
         ScalarOidCase(e) + ", 0), 25) END)";
}

}  // namespace

std::string FormatTypeSql(const std::string& type, const std::string& mod) {
  std::string names = "CASE " + type;
  for (const CompatType& t : CompatTypes()) {
    names += " WHEN " + std::to_string(t.oid) + " THEN " + Quote(t.sql_name);
    if (int32_t a = ArrayOidOf(t.oid)) {
      names += " WHEN " + std::to_string(a) + " THEN " + Quote(std::string(t.sql_name) + "[]");
    }
  }
  names += " ELSE '-' END";
  return "(" + names + " || CASE WHEN " + type + " = 1700 AND " + mod + " > 4 THEN '(' || " +
         "CAST(((" + mod + ") - 4) // 65536 AS VARCHAR) || ',' || CAST(((" + mod +
         ") - 4) % 65536 AS VARCHAR) || ')' ELSE '' END)";
}

namespace {

std::string PgTypeRelation() {
  std::string rows;
  auto add = [&](int32_t oid, const std::string& name, int16_t len, char category, int32_t elem,
                 int32_t array, bool is_array) {
    bool byval = len == 1 || len == 2 || len == 4 || len == 8;
    rows += std::string(rows.empty() ? "" : ", ") + "(" + std::to_string(oid) + ", " + Quote(name) +
            ", 11, 10, " + std::to_string(len) + ", " + (byval ? "true" : "false") + ", 'b', " +
            Quote(std::string(1, category)) + ", false, true, ',', 0, " +
            Quote(is_array ? "array_subscript_handler" : "-") + ", " + std::to_string(elem) + ", " +
            std::to_string(array) + ", " + Quote(is_array ? "array_in" : name + "in") + ", " +
            Quote(is_array ? "array_out" : name + "out") + ", " +
            Quote(is_array ? "array_recv" : name + "recv") + ", " +
            Quote(is_array ? "array_send" : name + "send") + ", " +
            (len == 8   ? "'d'"
             : len == 2 ? "'s'"
             : len == 1 ? "'c'"
                        : "'i'") +
            ", " + (len == -1 ? "'x'" : "'p'") + ", false, 0, -1, 0, " +
            ((category == 'S' || (is_array && elem == oid::kText)) ? "100" : "0") + ")";
  };
  for (const CompatType& t : CompatTypes()) {
    int32_t array = ArrayOidOf(t.oid);
    add(t.oid, t.typname, t.len, t.category, 0, array, false);
    if (array != 0) add(array, std::string("_") + t.typname, -1, 'A', t.oid, 0, true);
  }
  return "SELECT oid, typname, typnamespace, typowner, typlen, typbyval, typtype, typcategory, "
         "typispreferred, typisdefined, typdelim, typrelid, typsubscript, typelem, typarray, "
         "typinput, typoutput, typreceive, typsend, '-' AS typmodin, '-' AS typmodout, "
         "'-' AS typanalyze, typalign, typstorage, typnotnull, typbasetype, typtypmod, "
         "0 AS typndims, typcollation, CAST(NULL AS VARCHAR) AS typdefaultbin, "
         "CAST(NULL AS VARCHAR) AS typdefault, CAST(NULL AS VARCHAR[]) AS typacl FROM (VALUES " +
         rows +
         ") AS t(oid, typname, typnamespace, typowner, typlen, typbyval, typtype, typcategory, "
         "typispreferred, typisdefined, typdelim, typrelid, typsubscript, typelem, typarray, "
         "typinput, typoutput, typreceive, typsend, typalign, typstorage, typnotnull, "
         "typbasetype, typtypmod, typcollation)";
}

std::string PgAttributeRelation() {
  return "SELECT table_oid AS attrelid, column_name AS attname, " + DuckTypeOidSql("data_type") +
         " AS atttypid, -1 AS attstattarget, -1 AS attlen, column_index AS attnum, 0 AS attndims, "
         "-1 AS attcacheoff, CASE WHEN data_type LIKE 'DECIMAL(%' THEN numeric_precision * 65536 "
         "+ numeric_scale + 4 ELSE -1 END AS atttypmod, false AS attbyval, 'p' AS attstorage, "
         "'i' AS attalign, NOT is_nullable AS attnotnull, column_default IS NOT NULL AS atthasdef, "
         "false AS atthasmissing, '' AS attidentity, '' AS attgenerated, false AS attisdropped, "
         "true AS attislocal, 0 AS attinhcount, 0 AS attcollation, "
         "CAST(NULL AS VARCHAR) AS attcompression, CAST(NULL AS VARCHAR[]) AS attacl, "
         "CAST(NULL AS VARCHAR[]) AS attoptions, CAST(NULL AS VARCHAR[]) AS attfdwoptions, "
         "CAST(NULL AS VARCHAR) AS attmissingval FROM duckdb_columns()";
}

// An empty relation with these columns ("name TYPE, ...").
std::string Empty(const std::string& columns) {
  std::string select;
  size_t start = 0;
  while (start < columns.size()) {
    size_t comma = columns.find(',', start);
    std::string col =
        columns.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!col.empty() && col.front() == ' ') col.erase(0, 1);
    size_t sp = col.find(' ');
    select += std::string(select.empty() ? "" : ", ") + "CAST(NULL AS " + col.substr(sp + 1) +
              ") AS " + col.substr(0, sp);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return "SELECT " + select + " WHERE false";
}

// PostgreSQL's server settings as pg_settings and current_setting() report them.
constexpr const char* kSettings[][3] = {
    {"block_size", "8192", "integer"},
    {"DateStyle", "ISO, MDY", "string"},
    {"default_transaction_read_only", "on", "bool"},
    {"integer_datetimes", "on", "bool"},
    {"IntervalStyle", "postgres", "enum"},
    {"lc_collate", "C", "string"},
    {"lc_ctype", "C", "string"},
    {"max_identifier_length", "63", "integer"},
    {"max_index_keys", "32", "integer"},
    {"server_encoding", "UTF8", "string"},
    {"server_version", "15.0 (tarn)", "string"},
    {"server_version_num", "150000", "integer"},
    {"standard_conforming_strings", "on", "bool"},
    {"TimeZone", "UTC", "string"},
    {"transaction_read_only", "on", "bool"},
};

std::string PgSettingsRelation() {
  std::string rows;
  for (const auto& s : kSettings) {
    rows += std::string(rows.empty() ? "" : ", ") + "(" + Quote(s[0]) + ", " + Quote(s[1]) + ", " +
            Quote(s[2]) + ")";
  }
  return "SELECT name, setting, CAST(NULL AS VARCHAR) AS unit, 'tarn' AS category, "
         "name AS short_desc, CAST(NULL AS VARCHAR) AS extra_desc, 'internal' AS context, "
         "vartype, 'default' AS source, CAST(NULL AS VARCHAR) AS min_val, "
         "CAST(NULL AS VARCHAR) AS max_val, CAST(NULL AS VARCHAR[]) AS enumvals, "
         "setting AS boot_val, setting AS reset_val, CAST(NULL AS VARCHAR) AS sourcefile, "
         "CAST(NULL AS INTEGER) AS sourceline, false AS pending_restart FROM (VALUES " +
         rows + ") AS t(name, setting, vartype)";
}

}  // namespace

std::string ServerSettingSql(const std::string& name) {
  for (const auto& s : kSettings) {
    std::string lower = s[0];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == name) return Quote(s[1]);
  }
  return "";
}

std::string CatalogRelationSql(const std::string& name, const CompatContext& ctx) {
  if (name == "pg_settings") return PgSettingsRelation();
  if (name == "pg_attribute") return PgAttributeRelation();
  if (name == "pg_type") return PgTypeRelation();
  if (name == "pg_namespace") {
    return "SELECT oid, nspname, CAST(10 AS BIGINT) AS nspowner, CAST(NULL AS VARCHAR[]) AS nspacl "
           "FROM pg_catalog.pg_namespace UNION ALL SELECT 11, 'pg_catalog', 10, NULL "
           "UNION ALL SELECT 13000, 'information_schema', 10, NULL";
  }
  if (name == "pg_class") {
    return "SELECT * REPLACE (CAST(10 AS BIGINT) AS relowner, CASE WHEN relkind IN ('r', 'm') "
           "THEN CAST(2 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS relam, "
           "CAST(NULL AS VARCHAR[]) AS reloptions, CAST(NULL AS VARCHAR[]) AS relacl, "
           "'d' AS relreplident), "
           "false AS relforcerowsecurity FROM pg_catalog.pg_class";
  }
  if (name == "pg_am") {
    return "SELECT CAST(2 AS BIGINT) AS oid, 'heap' AS amname, 'heap_tableam_handler' AS "
           "amhandler, 't' AS amtype";
  }
  if (name == "pg_database") {
    return "SELECT CAST(1 AS BIGINT) AS oid, " + Quote(ctx.database) +
           " AS datname, CAST(10 AS BIGINT) AS datdba, 6 AS encoding, 'c' AS datlocprovider, "
           "false AS datistemplate, true AS datallowconn, -1 AS datconnlimit, "
           "CAST(0 AS BIGINT) AS datfrozenxid, CAST(0 AS BIGINT) AS datminmxid, "
           "CAST(1663 AS BIGINT) AS dattablespace, 'C' AS datcollate, 'C' AS datctype, "
           "CAST(NULL AS VARCHAR) AS daticulocale, CAST(NULL AS VARCHAR) AS datcollversion, "
           "CAST(NULL AS VARCHAR[]) AS datacl";
  }
  if (name == "pg_roles" || name == "pg_authid") {
    return "SELECT CAST(10 AS BIGINT) AS oid, " + Quote(ctx.user) +
           " AS rolname, false AS rolsuper, true AS rolinherit, false AS rolcreaterole, "
           "false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, "
           "-1 AS rolconnlimit, CAST(NULL AS VARCHAR) AS rolpassword, "
           "CAST(NULL AS TIMESTAMPTZ) AS rolvaliduntil, false AS rolbypassrls, "
           "CAST(NULL AS VARCHAR[]) AS rolconfig";
  }
  if (name == "pg_user") {
    return "SELECT " + Quote(ctx.user) +
           " AS usename, CAST(10 AS BIGINT) AS usesysid, false AS usecreatedb, "
           "false AS usesuper, false AS userepl, false AS usebypassrls, '********' AS passwd, "
           "CAST(NULL AS TIMESTAMPTZ) AS valuntil, CAST(NULL AS VARCHAR[]) AS useconfig";
  }
  if (name == "pg_inherits") {
    return Empty("inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN");
  }
  if (name == "pg_policy") {
    return Empty(
        "oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, "
        "polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, "
        "polwithcheck VARCHAR");
  }
  if (name == "pg_trigger") {
    return Empty(
        "oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, "
        "tgfoid BIGINT, tgtype INTEGER, tgenabled VARCHAR, tgisinternal BOOLEAN, "
        "tgconstraint BIGINT, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, "
        "tgnargs INTEGER, tgattr VARCHAR, tgargs VARCHAR, tgqual VARCHAR");
  }
  if (name == "pg_rewrite") {
    return Empty(
        "oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, "
        "ev_enabled VARCHAR, is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR");
  }
  if (name == "pg_statistic_ext") {
    return Empty(
        "oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, "
        "stxowner BIGINT, stxstattarget INTEGER, stxkeys INTEGER[], stxkind VARCHAR[], "
        "stxexprs VARCHAR");
  }
  if (name == "pg_publication") {
    return Empty(
        "oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, "
        "pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, "
        "pubtruncate BOOLEAN, pubviaroot BOOLEAN");
  }
  if (name == "pg_publication_rel") {
    return Empty("oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs INTEGER[]");
  }
  if (name == "pg_publication_namespace") {
    return Empty("oid BIGINT, pnpubid BIGINT, pnnspid BIGINT");
  }
  if (name == "pg_partitioned_table") {
    return Empty(
        "partrelid BIGINT, partstrat VARCHAR, partnatts INTEGER, partdefid BIGINT, "
        "partattrs INTEGER[]");
  }
  if (name == "pg_foreign_table") {
    return Empty("ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]");
  }
  if (name == "pg_extension") {
    return Empty(
        "oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, "
        "extrelocatable BOOLEAN, extversion VARCHAR");
  }
  if (name == "pg_auth_members") {
    return Empty(
        "oid BIGINT, roleid BIGINT, member BIGINT, grantor BIGINT, "
        "admin_option BOOLEAN");
  }
  return "";
}

int32_t CompatTypeOid(const std::string& name) {
  for (const CompatType& t : CompatTypes()) {
    if (name == t.typname || name == t.sql_name) return t.oid;
  }
  return 0;
}

}  // namespace tarn::pgwire
