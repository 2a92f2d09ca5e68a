#include "tarn/pgwire/catalog_compat.h"

#include <set>
#include <vector>

#include "tarn/pgwire/sql_lexer.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

using Kind = SqlToken::Kind;

// The PostgreSQL types tarn reports, with what pg_type and format_type() need and DuckDB's
// spellings of the column types that travel as each (see types.h, which maps result columns
// the same way).
struct CompatType {
  int32_t oid;
  const char* typname;
  const char* sql_name;  // format_type()'s spelling
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
      {oid::kTimestamp, "timestamp", "timestamp without time zone",
       {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}, 8, 'D'},
      {oid::kTimestampTz, "timestamptz", "timestamp with time zone", {"TIMESTAMP WITH TIME ZONE"},
       8, 'D'},
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

std::string PgTypeRelation() {
  std::string rows;
  auto add = [&](int32_t oid, const std::string& name, int16_t len, char category, int32_t elem,
                 int32_t array, bool is_array) {
    bool byval = len == 1 || len == 2 || len == 4 || len == 8;
    rows += std::string(rows.empty() ? "" : ", ") + "(" + std::to_string(oid) + ", " +
            Quote(name) + ", 11, 10, " + std::to_string(len) + ", " + (byval ? "true" : "false") +
            ", 'b', " + Quote(std::string(1, category)) + ", false, true, ',', 0, " +
            Quote(is_array ? "array_subscript_handler" : "-") + ", " + std::to_string(elem) +
            ", " + std::to_string(array) + ", " + Quote(is_array ? "array_in" : name + "in") +
            ", " + Quote(is_array ? "array_out" : name + "out") + ", " +
            Quote(is_array ? "array_recv" : name + "recv") + ", " +
            Quote(is_array ? "array_send" : name + "send") + ", " +
            (len == 8 ? "'d'" : len == 2 ? "'s'" : len == 1 ? "'c'" : "'i'") + ", " +
            (len == -1 ? "'x'" : "'p'") + ", false, 0, -1, 0, " +
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
    std::string col = columns.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!col.empty() && col.front() == ' ') col.erase(0, 1);
    size_t sp = col.find(' ');
    select += std::string(select.empty() ? "" : ", ") + "CAST(NULL AS " + col.substr(sp + 1) +
              ") AS " + col.substr(0, sp);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return "SELECT " + select + " WHERE false";
}

std::string RelationSql(const std::string& name, const CompatContext& ctx) {
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
    return Empty("oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, "
                 "polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, "
                 "polwithcheck VARCHAR");
  }
  if (name == "pg_trigger") {
    return Empty("oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, "
                 "tgfoid BIGINT, tgtype INTEGER, tgenabled VARCHAR, tgisinternal BOOLEAN, "
                 "tgconstraint BIGINT, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, "
                 "tgnargs INTEGER, tgattr VARCHAR, tgargs VARCHAR, tgqual VARCHAR");
  }
  if (name == "pg_rewrite") {
    return Empty("oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, "
                 "ev_enabled VARCHAR, is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR");
  }
  if (name == "pg_statistic_ext") {
    return Empty("oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, "
                 "stxowner BIGINT, stxstattarget INTEGER, stxkeys INTEGER[], stxkind VARCHAR[], "
                 "stxexprs VARCHAR");
  }
  if (name == "pg_publication") {
    return Empty("oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, "
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
    return Empty("partrelid BIGINT, partstrat VARCHAR, partnatts INTEGER, partdefid BIGINT, "
                 "partattrs INTEGER[]");
  }
  if (name == "pg_foreign_table") {
    return Empty("ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]");
  }
  if (name == "pg_extension") {
    return Empty("oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, "
                 "extrelocatable BOOLEAN, extversion VARCHAR");
  }
  if (name == "pg_auth_members") {
    return Empty("oid BIGINT, roleid BIGINT, member BIGINT, grantor BIGINT, "
                 "admin_option BOOLEAN");
  }
  return "";
}

const std::set<std::string>& SqlKeywords() {
  static const std::set<std::string> words = {
      "where", "join", "left", "right", "inner", "outer", "full", "cross", "on", "using",
      "group", "order", "limit", "union", "except", "intersect", "natural", "having", "window",
      "offset", "fetch", "for", "returning", "and", "or", "not", "then", "when", "else", "end",
      "lateral", "tablesample", "qualify"};
  return words;
}

bool IsRegexOp(const std::string& op) {
  return op == "~" || op == "!~" || op == "~*" || op == "!~*";
}

// DuckDB's ~ matches the whole string; PostgreSQL's matches anywhere: wrap the pattern so a
// full match of the wrapped pattern is a partial match of the original.
std::string RegexRewrite(const std::string& op, const std::string& pattern) {
  bool insensitive = op.back() == '*';
  std::string duck_op = op[0] == '!' ? "!~" : "~";
  return duck_op + " " + Quote(std::string(insensitive ? "(?is)" : "(?s)") + ".*(?:" + pattern + ").*");
}

class Rewriter {
 public:
  Rewriter(std::string_view sql, const std::vector<SqlToken>& t, const CompatContext& ctx)
      : sql_(sql), t_(t), ctx_(ctx) {}

  // The rewritten text of tokens [b, e), with the original spacing between them.
  std::string Range(size_t b, size_t e) {
    std::string out;
    size_t i = b;
    while (i < e) {
      size_t next = i + 1;
      std::string rep;
      if (TryAt(i, e, &rep, &next)) {
        out += rep;
      } else {
        out += Raw(i);
      }
      if (next < e) out += sql_.substr(t_[next - 1].end, t_[next].begin - t_[next - 1].end);
      i = next;
    }
    return out;
  }

 private:
  std::string Raw(size_t i) const {
    return std::string(sql_.substr(t_[i].begin, t_[i].end - t_[i].begin));
  }
  bool Word(size_t i, std::string_view w) const { return i < t_.size() && t_[i].Is(w); }
  bool Sym(size_t i, std::string_view s) const { return i < t_.size() && t_[i].IsSymbol(s); }

  // A name at i, possibly qualified by pg_catalog; sets the index after it.
  bool Name(size_t i, size_t e, std::string* name, size_t* after) const {
    if (i >= e) return false;
    if (Word(i, "pg_catalog") && i + 2 < e && Sym(i + 1, ".") &&
        (t_[i + 2].kind == Kind::kWord || t_[i + 2].kind == Kind::kQuotedIdent)) {
      *name = t_[i + 2].value;
      *after = i + 3;
      return true;
    }
    if (t_[i].kind != Kind::kWord && t_[i].kind != Kind::kQuotedIdent) return false;
    *name = t_[i].value;
    *after = i + 1;
    return true;
  }

  size_t MatchParen(size_t open, size_t e) const {
    int depth = 0;
    for (size_t i = open; i < e; ++i) {
      if (Sym(i, "(")) ++depth;
      if (Sym(i, ")") && --depth == 0) return i;
    }
    return std::string::npos;
  }

  std::vector<std::string> Args(size_t open, size_t close) {
    std::vector<std::string> args;
    int depth = 0;
    size_t start = open + 1;
    for (size_t i = open + 1; i < close; ++i) {
      if (Sym(i, "(") || Sym(i, "[")) ++depth;
      if (Sym(i, ")") || Sym(i, "]")) --depth;
      if (depth == 0 && Sym(i, ",")) {
        args.push_back(Range(start, i));
        start = i + 1;
      }
    }
    if (start < close) args.push_back(Range(start, close));
    return args;
  }

  bool TryAt(size_t i, size_t e, std::string* rep, size_t* next) {
    const SqlToken& tok = t_[i];
    bool qualified_by_other = i > 0 && Sym(i - 1, ".");
    // OPERATOR(pg_catalog.op) [ 'pattern' ]
    if (tok.Is("operator") && Sym(i + 1, "(")) {
      size_t close = MatchParen(i + 1, e);
      if (close == std::string::npos || close < i + 3) return false;
      std::string op = t_[close - 1].value;
      if (IsRegexOp(op) && close + 1 < e && t_[close + 1].kind == Kind::kString) {
        *rep = RegexRewrite(op, t_[close + 1].value);
        *next = close + 2;
      } else {
        *rep = op;
        *next = close + 1;
      }
      return true;
    }
    if (tok.kind == Kind::kSymbol && IsRegexOp(tok.value) && i + 1 < e &&
        t_[i + 1].kind == Kind::kString) {
      *rep = RegexRewrite(tok.value, t_[i + 1].value);
      *next = i + 2;
      return true;
    }
    // COLLATE pg_catalog.default / "C" / "POSIX": DuckDB has none of these; byte order is
    // what they mean here.
    if (tok.Is("collate")) {
      std::string name;
      size_t after;
      if (Name(i + 1, e, &name, &after) &&
          (Word(i + 1, "pg_catalog") || name == "default" || name == "C" || name == "POSIX")) {
        rep->clear();
        *next = after;
        return true;
      }
      return false;
    }
    // 'literal'::regclass and friends.
    if (tok.kind == Kind::kString && Sym(i + 1, "::")) {
      std::string type;
      size_t after;
      if (!Name(i + 2, e, &type, &after)) return false;
      std::string v = tok.value;
      if (v.rfind("pg_catalog.", 0) == 0) v = v.substr(11);
      if (type == "regclass") {
        *rep = v == "pg_class" ? "1259"
                               : "(SELECT oid FROM pg_catalog.pg_class WHERE relname = " +
                                     Quote(v) + " LIMIT 1)";
      } else if (type == "regproc" || type == "regprocedure") {
        *rep = Quote(v);
      } else if (type == "regtype") {
        int32_t oid = 0;
        for (const CompatType& t : CompatTypes()) {
          if (v == t.typname || v == t.sql_name) oid = t.oid;
        }
        *rep = std::to_string(oid);
      } else if (type == "regnamespace") {
        *rep = "(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = " + Quote(v) + " LIMIT 1)";
      } else if (type == "regrole") {
        *rep = "10";
      } else {
        return false;
      }
      *next = after;
      return true;
    }
    // ::type
    if (tok.IsSymbol("::")) {
      std::string type;
      size_t after;
      if (!Name(i + 1, e, &type, &after)) return false;
      bool qualified = Word(i + 1, "pg_catalog");
      if (type == "regclass" || type == "regtype" || type == "regproc" ||
          type == "regprocedure" || type == "regnamespace" || type == "regrole" ||
          type == "oid" || type == "xid" || type == "regoper") {
        *rep = "::BIGINT";
      } else if (type == "text" || type == "name" || type == "char" || type == "bpchar" ||
                 type == "varchar" || type == "int2vector" || type == "oidvector" ||
                 type == "pg_node_tree") {
        *rep = "::VARCHAR";
      } else if (qualified) {
        *rep = "::" + t_[i + 3].value;
      } else {
        return false;
      }
      *next = after;
      return true;
    }
    if (qualified_by_other) return false;
    // Keywords standing for the session's identity.
    if ((tok.Is("current_user") || tok.Is("session_user") || tok.Is("current_role")) &&
        !Sym(i + 1, "(")) {
      *rep = Quote(ctx_.user);
      return true;
    }
    if (tok.Is("current_catalog") && !Sym(i + 1, "(")) {
      *rep = Quote(ctx_.database);
      return true;
    }
    std::string name;
    size_t after;
    if (!Name(i, e, &name, &after) || t_[i].kind == Kind::kQuotedIdent) return false;
    if (Sym(after, "(")) {
      if (Function(name, after, e, rep, next)) return true;
      // DuckDB reads pg_catalog.f(x) as a method call on a column "pg_catalog" unless f is one
      // of its few pg_catalog macros; unqualified, f is found through the search path (which
      // ends in pg_catalog).
      if (!Word(i, "pg_catalog")) return false;
      *rep = t_[i + 2].value;
      *next = after;
      return true;
    }
    if (Sym(after, ".")) return false;  // a qualifier: pg_class.relname
    std::string relation = RelationSql(name, ctx_);
    if (relation.empty()) return false;
    bool has_alias = after < e && (t_[after].kind == Kind::kQuotedIdent ||
                                   (t_[after].kind == Kind::kWord &&
                                    !SqlKeywords().count(t_[after].value)));
    *rep = "(" + relation + ")" + (has_alias ? "" : " AS " + name);
    *next = after;
    return true;
  }

  bool Function(const std::string& name, size_t open, size_t e, std::string* rep, size_t* next) {
    size_t close = MatchParen(open, e);
    if (close == std::string::npos) return false;
    std::string r;
    if (name == "pg_get_userbyid") {
      r = Quote(ctx_.user);
    } else if (name == "pg_encoding_to_char") {
      r = "'UTF8'";
    } else if (name == "pg_relation_size" || name == "pg_table_size" ||
               name == "pg_total_relation_size" || name == "pg_indexes_size" ||
               name == "pg_database_size") {
      r = "CAST(0 AS BIGINT)";
    } else if (name == "pg_get_partkeydef" || name == "pg_get_triggerdef" ||
               name == "pg_get_ruledef" || name == "pg_get_statisticsobjdef_columns" ||
               name == "pg_get_function_identity_arguments" ||
               name == "pg_get_function_result" || name == "pg_get_function_arguments" ||
               name == "shobj_description" || name == "pg_get_indexdef" ||
               name == "pg_get_serial_sequence" || name == "pg_tablespace_location") {
      r = "CAST(NULL AS VARCHAR)";
    } else if (name == "format_type") {
      std::vector<std::string> a = Args(open, close);
      if (a.size() != 2) return false;
      r = FormatTypeSql("(" + a[0] + ")", "COALESCE((" + a[1] + "), -1)");
    } else if (name == "version") {
      r = "'PostgreSQL 15.0 (tarn) on x86_64-pc-linux-gnu, compiled by tarn, 64-bit'";
    } else if (name == "current_database") {
      r = Quote(ctx_.database);
    } else if (name == "pg_backend_pid") {
      r = std::to_string(ctx_.process_id);
    } else if (name == "pg_is_in_recovery" || name == "pg_relation_is_publishable") {
      r = "false";
    } else if (name == "array_upper" || name == "array_length") {
      std::vector<std::string> a = Args(open, close);
      if (a.empty()) return false;
      r = "len(" + a[0] + ")";
    } else if (name == "array_lower") {
      r = "1";
    } else if (name == "generate_series" || name == "unnest") {
      // PostgreSQL names the single column of `f(...) s` after the alias; DuckDB makes `s`
      // the row (a struct), so spell the column out: f(...) AS s(s).
      size_t a = close + 1;
      if (Word(a, "as")) ++a;
      if (a >= e || t_[a].kind != Kind::kWord || SqlKeywords().count(t_[a].value) ||
          Sym(a + 1, "(")) {
        return false;
      }
      *rep = name + "(" + Range(open + 1, close) + ") AS " + t_[a].value + "(" + t_[a].value + ")";
      *next = a + 1;
      return true;
    } else if (name == "pg_get_expr") {
      std::vector<std::string> a = Args(open, close);
      if (a.size() < 2) return false;
      r = "pg_get_expr(" + a[0] + ", " + a[1] + ")";
    } else {
      return false;
    }
    *rep = r;
    *next = close + 1;
    return true;
  }

  std::string_view sql_;
  const std::vector<SqlToken>& t_;
  const CompatContext& ctx_;
};

bool NeedsRewrite(const std::vector<SqlToken>& tokens) {
  static const std::set<std::string> triggers = {
      "operator", "regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole",
      "format_type", "version", "current_database", "current_user", "session_user",
      "current_role", "current_catalog", "array_upper", "array_lower", "collate"};
  for (const SqlToken& t : tokens) {
    if (t.kind != Kind::kWord) continue;
    if (t.value.rfind("pg_", 0) == 0 || triggers.count(t.value)) return true;
  }
  return false;
}

}  // namespace

std::string RewriteCatalogQuery(std::string_view sql, const CompatContext& context) {
  std::vector<SqlToken> tokens = LexSql(sql);
  if (tokens.empty() || !NeedsRewrite(tokens)) return std::string(sql);
  Rewriter r(sql, tokens, context);
  std::string out(sql.substr(0, tokens.front().begin));
  out += r.Range(0, tokens.size());
  out += sql.substr(tokens.back().end);
  return out;
}

}  // namespace tarn::pgwire
