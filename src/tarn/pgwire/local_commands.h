// The statements the PostgreSQL front end answers itself instead of handing them to the query
// service: session settings (SET, RESET, SHOW of a known parameter), transaction control
// (BEGIN, COMMIT, ROLLBACK, SAVEPOINT: tarn is read-only, so these only keep the transaction
// status clients expect), DISCARD, SQL-level prepared statements (PREPARE, EXECUTE,
// DEALLOCATE) and cursors (DECLARE, FETCH forward, CLOSE). Parsing only; the connection carries
// them out. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::pgwire {

struct LocalCommand {
  enum class Kind {
    kSet,    // name, value
    kReset,  // name
    kResetAll,
    kShow,  // name
    kShowAll,
    kBegin,
    kCommit,
    kRollback,
    kSavepoint,
    kRelease,
    kRollbackTo,
    kDiscardAll,
    kDeallocate,  // name
    kDeallocateAll,
    kPrepare,  // name, body, param_types
    kExecute,  // name, args
    kDeclare,  // name, value (the query), binary, hold
    kFetch,    // name, count (0: all)
    kClose,    // name
    kCloseAll,
    kNoop,  // accepted and ignored (SET TRANSACTION ...); tag says what to answer
  };
  Kind kind = Kind::kNoop;
  std::string tag;  // the CommandComplete tag
  std::string name;
  std::string value;                             // SET's value; PREPARE's statement text
  std::vector<int32_t> param_types;              // PREPARE name (type, ...)
  std::vector<std::optional<std::string>> args;  // EXECUTE name (literal, ...)
  int64_t count = 0;                             // FETCH: rows wanted (0: all)
  bool binary = false;                           // DECLARE ... BINARY CURSOR
  bool hold = false;                             // DECLARE ... CURSOR WITH HOLD
};

// Parses `sql` if it is one of the statements above. SET and RESET count for PostgreSQL's
// client parameters (ClientParams::IsClientParameter); others, DuckDB's settings among them,
// go to the query service (which refuses them). SHOW counts only when `is_param` says the
// name is a parameter the connection has (SHOW TABLES and SHOW zone.table go to the query
// service).
// nullopt: not a local command. Errors: kInvalidArgument (a malformed local command, e.g.
// EXECUTE with an argument that is not a literal), kUnimplemented (PREPARE TRANSACTION).
Result<std::optional<LocalCommand>> ParseLocalCommand(
    std::string_view sql, const std::function<bool(const std::string&)>& is_param);

// The OID of a type name as PREPARE's parameter list spells it, 0 if unknown.
int32_t TypeOidByName(const std::string& name);

}  // namespace tarn::pgwire
