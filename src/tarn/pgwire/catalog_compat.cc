#include "tarn/pgwire/catalog_compat.h"

#include <map>
#include <set>
#include <vector>

#include "tarn/pgwire/catalog_relations.h"
#include "tarn/pgwire/sql_lexer.h"

namespace tarn::pgwire {
namespace {

using Kind = SqlToken::Kind;

std::string Quote(std::string_view s) { return QuoteSqlString(s); }

const std::set<std::string>& SqlKeywords() {
  static const std::set<std::string> words = {
      "where",  "join",      "left",    "right",       "inner",  "outer",  "full",
      "cross",  "on",        "using",   "group",       "order",  "limit",  "union",
      "except", "intersect", "natural", "having",      "window", "offset", "fetch",
      "for",    "returning", "and",     "or",          "not",    "then",   "when",
      "else",   "end",       "lateral", "tablesample", "qualify"};
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
  return duck_op + " " +
         Quote(std::string(insensitive ? "(?is)" : "(?s)") + ".*(?:" + pattern + ").*");
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

  // A name at i, possibly qualified by pg_catalog or information_schema; sets the index after
  // it.
  bool Name(size_t i, size_t e, std::string* name, size_t* after) const {
    if (i >= e) return false;
    if ((Word(i, "pg_catalog") || Word(i, "information_schema")) && i + 2 < e && Sym(i + 1, ".") &&
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

  // A rewrite starting at token i (tokens up to e): the replacement text and the token after
  // what it replaces. On false, neither output is touched.
  bool TryAt(size_t i, size_t e, std::string* rep, size_t* next) {
    const SqlToken& tok = t_[i];
    if (tok.Is("operator") && Sym(i + 1, "(")) return Operator(i, e, rep, next);
    if (tok.kind == Kind::kSymbol && IsRegexOp(tok.value) && i + 1 < e &&
        t_[i + 1].kind == Kind::kString) {
      *rep = RegexRewrite(tok.value, t_[i + 1].value);
      *next = i + 2;
      return true;
    }
    if (tok.Is("collate")) return Collate(i, e, rep, next);
    if (tok.kind == Kind::kString && Sym(i + 1, "::")) return LiteralCast(i, e, rep, next);
    if (tok.IsSymbol("::")) return Cast(i, e, rep, next);
    if (i > 0 && Sym(i - 1, ".")) return false;  // qualified by something else
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
    return NameRef(i, e, rep, next);
  }

  // OPERATOR(pg_catalog.op) [ 'pattern' ]
  bool Operator(size_t i, size_t e, std::string* rep, size_t* next) {
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

  // COLLATE pg_catalog.default / "C" / "POSIX": DuckDB has none of these; byte order is what
  // they mean here.
  bool Collate(size_t i, size_t e, std::string* rep, size_t* next) {
    std::string name;
    size_t after;
    if (!Name(i + 1, e, &name, &after) ||
        !(Word(i + 1, "pg_catalog") || name == "default" || name == "C" || name == "POSIX")) {
      return false;
    }
    rep->clear();
    *next = after;
    return true;
  }

  // 'name'::regclass and the other object-identifier casts of literals.
  bool LiteralCast(size_t i, size_t e, std::string* rep, size_t* next) {
    std::string type;
    size_t after;
    if (!Name(i + 2, e, &type, &after)) return false;
    std::string v = t_[i].value;
    if (v.rfind("pg_catalog.", 0) == 0) v = v.substr(11);
    if (type == "regclass") {
      *rep = v == "pg_class"
                 ? "1259"
                 : "(SELECT oid FROM pg_catalog.pg_class WHERE relname = " + Quote(v) + " LIMIT 1)";
    } else if (type == "regproc" || type == "regprocedure") {
      *rep = Quote(v);
    } else if (type == "regtype") {
      *rep = std::to_string(CompatTypeOid(v));
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

  // ::type for the types DuckDB lacks; pg_catalog-qualified types lose the qualifier.
  bool Cast(size_t i, size_t e, std::string* rep, size_t* next) {
    static const std::set<std::string> kIds = {"regclass",     "regtype",      "regproc",
                                               "regprocedure", "regnamespace", "regrole",
                                               "oid",          "xid",          "regoper"};
    static const std::set<std::string> kTexts = {
        "text", "name", "char", "bpchar", "varchar", "int2vector", "oidvector", "pg_node_tree"};
    std::string type;
    size_t after;
    if (!Name(i + 1, e, &type, &after)) return false;
    if (kIds.count(type)) {
      *rep = "::BIGINT";
    } else if (kTexts.count(type)) {
      *rep = "::VARCHAR";
    } else if (Word(i + 1, "pg_catalog")) {
      *rep = "::" + t_[i + 3].value;
    } else {
      return false;
    }
    *next = after;
    return true;
  }

  // A function call or a relation, maybe qualified by pg_catalog.
  bool NameRef(size_t i, size_t e, std::string* rep, size_t* next) {
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
    std::string relation = CatalogRelationSql(name, ctx_);
    if (relation.empty()) return false;
    bool has_alias =
        after < e && (t_[after].kind == Kind::kQuotedIdent ||
                      (t_[after].kind == Kind::kWord && !SqlKeywords().count(t_[after].value)));
    *rep = "(" + relation + ")" + (has_alias ? "" : " AS " + name);
    *next = after;
    return true;
  }

  // Calls answered by a constant: missing functions whose answer is fixed in tarn.
  std::string ConstantCall(const std::string& name) const {
    static const std::map<std::string, std::string> kConstants = {
        {"pg_encoding_to_char", "'UTF8'"},
        {"version", "'PostgreSQL 15.0 (tarn) on x86_64-pc-linux-gnu, compiled by tarn, 64-bit'"},
        {"pg_is_in_recovery", "false"},
        {"pg_relation_is_publishable", "false"},
        {"array_lower", "1"},
        {"pg_relation_size", "CAST(0 AS BIGINT)"},
        {"pg_table_size", "CAST(0 AS BIGINT)"},
        {"pg_total_relation_size", "CAST(0 AS BIGINT)"},
        {"pg_indexes_size", "CAST(0 AS BIGINT)"},
        {"pg_database_size", "CAST(0 AS BIGINT)"},
        {"pg_get_partkeydef", "CAST(NULL AS VARCHAR)"},
        {"pg_get_triggerdef", "CAST(NULL AS VARCHAR)"},
        {"pg_get_ruledef", "CAST(NULL AS VARCHAR)"},
        {"pg_get_statisticsobjdef_columns", "CAST(NULL AS VARCHAR)"},
        {"pg_get_function_identity_arguments", "CAST(NULL AS VARCHAR)"},
        {"pg_get_function_result", "CAST(NULL AS VARCHAR)"},
        {"pg_get_function_arguments", "CAST(NULL AS VARCHAR)"},
        {"pg_get_indexdef", "CAST(NULL AS VARCHAR)"},
        {"pg_get_serial_sequence", "CAST(NULL AS VARCHAR)"},
        {"pg_tablespace_location", "CAST(NULL AS VARCHAR)"},
        {"shobj_description", "CAST(NULL AS VARCHAR)"},
    };
    if (name == "pg_get_userbyid") return Quote(ctx_.user);
    if (name == "current_database") return Quote(ctx_.database);
    if (name == "pg_backend_pid") return std::to_string(ctx_.process_id);
    auto it = kConstants.find(name);
    return it == kConstants.end() ? "" : it->second;
  }

  // A call of `name` with arguments at tokens (open, close of the parentheses).
  bool Function(const std::string& name, size_t open, size_t e, std::string* rep, size_t* next) {
    size_t close = MatchParen(open, e);
    if (close == std::string::npos) return false;
    if (std::string c = ConstantCall(name); !c.empty()) {
      *rep = c;
      *next = close + 1;
      return true;
    }
    if (name == "generate_series" || name == "unnest")
      return SetFunction(name, open, close, e, rep, next);
    if (name == "current_setting" && close == open + 2 && t_[open + 1].kind == Kind::kString) {
      std::string lower = t_[open + 1].value;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = ServerSettingSql(lower);
      if (value.empty()) return false;
      *rep = value;
      *next = close + 1;
      return true;
    }
    if (name == "_pg_expandarray") {
      // information_schema._pg_expandarray(a): the elements with their positions, (x, n). The
      // lambda's parameter names must not be table aliases of the query (JDBC's uses "i").
      std::vector<std::string> a = Args(open, close);
      if (a.size() != 1) return false;
      *rep = "unnest(list_transform(COALESCE(" + a[0] +
             ", []), (tarn_elem, tarn_pos) -> struct_pack(x := tarn_elem, n := tarn_pos)))";
      *next = close + 1;
      return true;
    }
    std::vector<std::string> a = Args(open, close);
    if (name == "format_type" && a.size() == 2) {
      *rep = FormatTypeSql("(" + a[0] + ")", "COALESCE((" + a[1] + "), -1)");
    } else if ((name == "array_upper" || name == "array_length") && !a.empty()) {
      *rep = "len(" + a[0] + ")";
    } else if (name == "pg_get_expr" && a.size() >= 2) {
      *rep = "pg_get_expr(" + a[0] + ", " + a[1] + ")";  // DuckDB's takes no pretty flag
    } else {
      return false;
    }
    *next = close + 1;
    return true;
  }

  // PostgreSQL names the single column of `f(...) s` after the alias; DuckDB makes `s` the row
  // (a struct), so spell the column out: f(...) AS s(s).
  bool SetFunction(const std::string& name, size_t open, size_t close, size_t e, std::string* rep,
                   size_t* next) {
    size_t a = close + 1;
    if (Word(a, "as")) ++a;
    if (a >= e || t_[a].kind != Kind::kWord || SqlKeywords().count(t_[a].value) ||
        Sym(a + 1, "(")) {
      return false;
    }
    *rep = name + "(" + Range(open + 1, close) + ") AS " + t_[a].value + "(" + t_[a].value + ")";
    *next = a + 1;
    return true;
  }

  std::string_view sql_;
  const std::vector<SqlToken>& t_;
  const CompatContext& ctx_;
};

bool NeedsRewrite(const std::vector<SqlToken>& tokens) {
  static const std::set<std::string> triggers = {
      "operator",     "regclass",     "regtype",         "regproc",         "regprocedure",
      "regnamespace", "regrole",      "format_type",     "version",         "current_database",
      "current_user", "session_user", "current_role",    "current_catalog", "array_upper",
      "array_lower",  "collate",      "current_setting", "_pg_expandarray"};
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
