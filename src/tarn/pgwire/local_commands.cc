#include "tarn/pgwire/local_commands.h"

#include <cctype>

#include "tarn/pgwire/client_params.h"
#include "tarn/pgwire/sql_lexer.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

using Kind = LocalCommand::Kind;
using Tokens = std::vector<SqlToken>;

LocalCommand Make(Kind kind, std::string tag) {
  LocalCommand c;
  c.kind = kind;
  c.tag = std::move(tag);
  return c;
}

// A parameter name: a word or quoted identifier, possibly dotted (custom.name).
std::string NameAt(const Tokens& t, size_t* i) {
  std::string name = t[*i].value;
  ++*i;
  while (*i + 1 < t.size() && t[*i].IsSymbol(".")) {
    name += "." + t[*i + 1].value;
    *i += 2;
  }
  return name;
}

// SET's value list: strings unquoted, words and numbers as written, joined by ", ".
std::string ValueList(const Tokens& t, size_t from) {
  std::string out;
  for (size_t i = from; i < t.size(); ++i) {
    if (t[i].IsSymbol(",")) {
      out += ", ";
      continue;
    }
    if (t[i].kind == SqlToken::Kind::kSymbol && (t[i].value == "-" || t[i].value == "+") &&
        i + 1 < t.size()) {
      out += t[i].value;
      continue;
    }
    if (!out.empty() && out.back() != ' ' && out.back() != '-' && out.back() != '+') out += " ";
    out += t[i].value;
  }
  return out;
}

Result<std::optional<LocalCommand>> ParseSet(std::string_view sql, const Tokens& t) {
  // SET of a name that is no client parameter (a DuckDB setting such as memory_limit) goes to
  // the query service, which refuses it clearly.
  size_t i = 1;
  if (i < t.size() && (t[i].Is("session") || t[i].Is("local"))) {
    if (t[i].Is("session") && i + 1 < t.size() && t[i + 1].Is("characteristics")) {
      return std::optional(Make(Kind::kNoop, "SET"));
    }
    if (t[i].Is("session") && i + 1 < t.size() && t[i + 1].Is("authorization")) {
      return std::optional(Make(Kind::kNoop, "SET"));
    }
    ++i;
  }
  if (i >= t.size()) return InvalidArgument("syntax error at end of input: SET needs a name");
  if (t[i].Is("transaction")) return std::optional(Make(Kind::kNoop, "SET"));
  LocalCommand c = Make(Kind::kSet, "SET");
  if (t[i].Is("time") && i + 1 < t.size() && t[i + 1].Is("zone")) {
    c.name = "TimeZone";
    i += 2;
  } else if (t[i].Is("names")) {
    c.name = "client_encoding";
    ++i;
  } else if (t[i].Is("role")) {
    c.name = "role";
    ++i;
  } else {
    c.name = NameAt(t, &i);
    if (!ClientParams::IsClientParameter(c.name)) return std::optional<LocalCommand>();
    if (i >= t.size() || !(t[i].IsSymbol("=") || t[i].Is("to"))) {
      return InvalidArgument("syntax error in SET: expected '=' or TO after \"" + c.name + "\"");
    }
    ++i;
  }
  if (i >= t.size()) return InvalidArgument("syntax error in SET: no value for \"" + c.name + "\"");
  if (t[i].Is("default") || (c.name == "TimeZone" && t[i].Is("local"))) {
    c.kind = Kind::kReset;
    return std::optional(std::move(c));
  }
  c.value = ValueList(t, i);
  (void)sql;
  return std::optional(std::move(c));
}

Result<std::optional<LocalCommand>> ParseShow(
    const Tokens& t, const std::function<bool(const std::string&)>& is_param) {
  if (t.size() == 2 && t[1].Is("all")) return std::optional(Make(Kind::kShowAll, "SHOW"));
  LocalCommand c = Make(Kind::kShow, "SHOW");
  if (t.size() >= 3 && t[1].Is("time") && t[2].Is("zone")) {
    c.name = "TimeZone";
    return std::optional(std::move(c));
  }
  if (t.size() >= 4 && t[1].Is("transaction") && t[2].Is("isolation") && t[3].Is("level")) {
    c.name = "transaction_isolation";
    return std::optional(std::move(c));
  }
  if (t.size() >= 3 && t[1].Is("session") && t[2].Is("authorization")) {
    c.name = "session_authorization";
    return std::optional(std::move(c));
  }
  size_t i = 1;
  if (i >= t.size()) return std::optional<LocalCommand>();
  c.name = NameAt(t, &i);
  if (i != t.size() || !is_param(c.name)) return std::optional<LocalCommand>();
  return std::optional(std::move(c));
}

// A literal argument of EXECUTE: a number (maybe signed), a string, NULL, TRUE/FALSE, each
// optionally followed by ::type (the cast is left to the statement's parameter type).
Result<std::vector<std::optional<std::string>>> ExecuteArgs(const Tokens& t, size_t i) {
  std::vector<std::optional<std::string>> args;
  if (i >= t.size()) return args;
  if (!t[i].IsSymbol("(") || !t.back().IsSymbol(")")) {
    return InvalidArgument("syntax error in EXECUTE: expected (arguments)");
  }
  ++i;
  size_t end = t.size() - 1;
  while (i < end) {
    std::string sign;
    if (t[i].IsSymbol("-") || t[i].IsSymbol("+")) {
      sign = t[i].value == "-" ? "-" : "";
      ++i;
    }
    if (i >= end) break;
    const SqlToken& a = t[i];
    if (a.kind == SqlToken::Kind::kNumber) {
      args.push_back(sign + a.value);
    } else if (a.kind == SqlToken::Kind::kString && sign.empty()) {
      args.push_back(a.value);
    } else if (a.Is("null") && sign.empty()) {
      args.push_back(std::nullopt);
    } else if ((a.Is("true") || a.Is("false")) && sign.empty()) {
      args.push_back(a.value);
    } else {
      return InvalidArgument(
          "EXECUTE arguments must be literals (numbers, strings, NULL, "
          "TRUE/FALSE); got \"" +
          a.value + "\"");
    }
    ++i;
    if (i < end && t[i].IsSymbol("::")) {
      i += 2;  // ::type
      while (i < end && !t[i].IsSymbol(",")) ++i;
    }
    if (i < end) {
      if (!t[i].IsSymbol(",")) return InvalidArgument("syntax error in EXECUTE arguments");
      ++i;
    }
  }
  return args;
}

Result<std::optional<LocalCommand>> ParsePrepare(std::string_view sql, const Tokens& t) {
  if (t.size() >= 2 && t[1].Is("transaction")) {
    return Unimplemented("PREPARE TRANSACTION is not supported: tarn is read-only");
  }
  if (t.size() < 4)
    return InvalidArgument("syntax error in PREPARE: expected PREPARE name AS statement");
  LocalCommand c = Make(Kind::kPrepare, "PREPARE");
  c.name = t[1].value;
  size_t i = 2;
  if (t[i].IsSymbol("(")) {
    ++i;
    std::string type;
    for (; i < t.size() && !t[i].IsSymbol(")"); ++i) {
      if (t[i].IsSymbol(",")) {
        c.param_types.push_back(TypeOidByName(type));
        type.clear();
      } else {
        if (!type.empty()) type += " ";
        type += t[i].value;
      }
    }
    if (!type.empty()) c.param_types.push_back(TypeOidByName(type));
    ++i;
  }
  if (i >= t.size() || !t[i].Is("as") || i + 1 >= t.size()) {
    return InvalidArgument("syntax error in PREPARE: expected AS statement");
  }
  c.value = std::string(sql.substr(t[i + 1].begin));
  return std::optional(std::move(c));
}

Result<std::optional<LocalCommand>> ParseDeclare(std::string_view sql, const Tokens& t) {
  // DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR
  //   [{WITH | WITHOUT} HOLD] FOR query
  if (t.size() < 4)
    return InvalidArgument("syntax error in DECLARE: expected DECLARE name CURSOR FOR query");
  LocalCommand c = Make(Kind::kDeclare, "DECLARE CURSOR");
  c.name = t[1].value;
  size_t i = 2;
  for (; i < t.size() && !t[i].Is("cursor"); ++i) {
    if (t[i].Is("binary")) c.binary = true;
    if (t[i].Is("scroll") && !(i > 2 && t[i - 1].Is("no"))) {
      return Unimplemented("SCROLL cursors are not supported: tarn's cursors read forward only");
    }
  }
  if (i + 1 < t.size() && (t[i + 1].Is("with") || t[i + 1].Is("without"))) {
    c.hold = t[i + 1].Is("with");
    i += 2;  // HOLD
  }
  ++i;
  if (i >= t.size() || !t[i].Is("for") || i + 1 >= t.size()) {
    return InvalidArgument("syntax error in DECLARE: expected CURSOR FOR query");
  }
  c.value = std::string(sql.substr(t[i + 1].begin));
  return std::optional(std::move(c));
}

Result<std::optional<LocalCommand>> ParseFetch(const Tokens& t) {
  // FETCH [NEXT | FORWARD [n | ALL] | n | ALL] [FROM | IN] name
  LocalCommand c = Make(Kind::kFetch, "FETCH");
  c.count = 1;
  size_t i = 1;
  if (i < t.size() && (t[i].Is("prior") || t[i].Is("backward") || t[i].Is("absolute") ||
                       t[i].Is("relative") || t[i].Is("first") || t[i].Is("last"))) {
    return Unimplemented("FETCH " + t[i].value +
                         " is not supported: tarn's cursors read forward only");
  }
  if (i < t.size() && (t[i].Is("next") || t[i].Is("forward"))) ++i;
  if (i < t.size() && t[i].Is("all")) {
    c.count = 0;
    ++i;
  } else if (i < t.size() && t[i].kind == SqlToken::Kind::kNumber) {
    c.count = std::stoll(t[i].value);
    if (c.count <= 0) return Unimplemented("FETCH of a count below 1 is not supported");
    ++i;
  }
  if (i < t.size() && (t[i].Is("from") || t[i].Is("in"))) ++i;
  if (i + 1 != t.size()) return InvalidArgument("syntax error in FETCH: expected a cursor name");
  c.name = t[i].value;
  return std::optional(std::move(c));
}

}  // namespace

int32_t TypeOidByName(const std::string& raw) {
  std::string n = raw;
  size_t paren = n.find(" (");
  if (paren != std::string::npos) n.resize(paren);
  if (n.rfind("pg_catalog . ", 0) == 0) n = n.substr(13);
  struct Entry {
    const char* name;
    int32_t oid;
  };
  static constexpr Entry kNames[] = {
      {"int", oid::kInt4},
      {"integer", oid::kInt4},
      {"int4", oid::kInt4},
      {"bigint", oid::kInt8},
      {"int8", oid::kInt8},
      {"smallint", oid::kInt2},
      {"int2", oid::kInt2},
      {"text", oid::kText},
      {"varchar", oid::kVarchar},
      {"character varying", oid::kVarchar},
      {"bool", oid::kBool},
      {"boolean", oid::kBool},
      {"real", oid::kFloat4},
      {"float4", oid::kFloat4},
      {"double precision", oid::kFloat8},
      {"float8", oid::kFloat8},
      {"float", oid::kFloat8},
      {"numeric", oid::kNumeric},
      {"decimal", oid::kNumeric},
      {"date", oid::kDate},
      {"time", oid::kTime},
      {"timestamp", oid::kTimestamp},
      {"timestamp without time zone", oid::kTimestamp},
      {"timestamptz", oid::kTimestampTz},
      {"timestamp with time zone", oid::kTimestampTz},
      {"interval", oid::kInterval},
      {"uuid", oid::kUuid},
      {"bytea", oid::kBytea},
      {"json", oid::kJson},
      {"jsonb", oid::kJsonb},
  };
  for (const Entry& e : kNames) {
    if (n == e.name) return e.oid;
  }
  return oid::kUnspecified;
}

Result<std::optional<LocalCommand>> ParseLocalCommand(
    std::string_view sql, const std::function<bool(const std::string&)>& is_param) {
  Tokens t = LexSql(sql);
  while (!t.empty() && t.back().IsSymbol(";")) t.pop_back();
  if (t.empty() || t[0].kind != SqlToken::Kind::kWord) return std::optional<LocalCommand>();
  const std::string& w = t[0].value;
  auto next_is = [&](size_t i, std::string_view word) { return i < t.size() && t[i].Is(word); };

  if (w == "set") return ParseSet(sql, t);
  if (w == "reset") {
    if (next_is(1, "all")) return std::optional(Make(Kind::kResetAll, "RESET"));
    if (t.size() < 2) return InvalidArgument("syntax error in RESET: expected a name or ALL");
    LocalCommand c = Make(Kind::kReset, "RESET");
    size_t i = 1;
    if (next_is(1, "time") && next_is(2, "zone")) {
      c.name = "TimeZone";
    } else {
      c.name = NameAt(t, &i);
      if (!ClientParams::IsClientParameter(c.name)) return std::optional<LocalCommand>();
    }
    return std::optional(std::move(c));
  }
  if (w == "show") return ParseShow(t, is_param);
  if (w == "begin" || (w == "start" && next_is(1, "transaction"))) {
    return std::optional(Make(Kind::kBegin, w == "begin" ? "BEGIN" : "START TRANSACTION"));
  }
  if (w == "commit" || w == "end") {
    if (next_is(1, "prepared")) return Unimplemented("COMMIT PREPARED is not supported");
    return std::optional(Make(Kind::kCommit, "COMMIT"));
  }
  if (w == "rollback" || w == "abort") {
    if (next_is(1, "prepared")) return Unimplemented("ROLLBACK PREPARED is not supported");
    for (size_t i = 1; i < t.size(); ++i) {
      if (t[i].Is("to")) {
        LocalCommand c = Make(Kind::kRollbackTo, "ROLLBACK");
        c.name = t.back().value;
        return std::optional(std::move(c));
      }
    }
    return std::optional(Make(Kind::kRollback, "ROLLBACK"));
  }
  if (w == "savepoint" && t.size() == 2) {
    LocalCommand c = Make(Kind::kSavepoint, "SAVEPOINT");
    c.name = t[1].value;
    return std::optional(std::move(c));
  }
  if (w == "release" && t.size() >= 2) {
    LocalCommand c = Make(Kind::kRelease, "RELEASE");
    c.name = t.back().value;
    return std::optional(std::move(c));
  }
  if (w == "discard" && t.size() == 2) {
    if (t[1].Is("all")) return std::optional(Make(Kind::kDiscardAll, "DISCARD ALL"));
    if (t[1].Is("plans") || t[1].Is("sequences") || t[1].Is("temp") || t[1].Is("temporary")) {
      std::string what = t[1].Is("temporary") ? "TEMP" : t[1].value;
      for (char& ch : what) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return std::optional(Make(Kind::kNoop, "DISCARD " + what));
    }
  }
  if (w == "deallocate") {
    size_t i = next_is(1, "prepare") ? 2 : 1;
    if (next_is(i, "all")) return std::optional(Make(Kind::kDeallocateAll, "DEALLOCATE ALL"));
    if (i >= t.size()) return InvalidArgument("syntax error in DEALLOCATE: expected a name or ALL");
    LocalCommand c = Make(Kind::kDeallocate, "DEALLOCATE");
    c.name = t[i].value;
    return std::optional(std::move(c));
  }
  if (w == "prepare") return ParsePrepare(sql, t);
  if (w == "declare") return ParseDeclare(sql, t);
  if (w == "fetch") return ParseFetch(t);
  if (w == "close" && t.size() == 2) {
    if (t[1].Is("all")) return std::optional(Make(Kind::kCloseAll, "CLOSE CURSOR ALL"));
    LocalCommand c = Make(Kind::kClose, "CLOSE CURSOR");
    c.name = t[1].value;
    return std::optional(std::move(c));
  }
  if (w == "execute" && t.size() >= 2) {
    LocalCommand c = Make(Kind::kExecute, "");
    c.name = t[1].value;
    TARN_ASSIGN_OR_RETURN(c.args, ExecuteArgs(t, 2));
    return std::optional(std::move(c));
  }
  return std::optional<LocalCommand>();
}

}  // namespace tarn::pgwire
