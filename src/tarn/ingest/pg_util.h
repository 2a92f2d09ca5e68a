// libpq helpers shared by the PostgreSQL connectors (PostgresSource, PgCdcStream): connecting
// without leaking passwords, errors mapped to tarn codes, identifier quoting, and rendering
// PostgreSQL's text output of a value as JSON by its type. Stateless; thread-safe.
#pragma once

#include <libpq-fe.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::ingest::pg {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Owns a connection (null until set), closed on destruction.
struct Conn {
  PGconn* conn = nullptr;
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    if (conn) PQfinish(conn);
  }
};

// Connects with a 10 s connect timeout unless the DSN sets one, plus `extra` connection
// parameters (e.g. {"replication", "database"}). libpq's messages name host, port, user and
// database, never the password; any occurrence is masked all the same.
// Errors: kInvalidArgument (a malformed DSN), kUnavailable (cannot connect).
Result<PGconn*> Connect(const std::string& dsn,
                        const std::map<std::string, std::string>& extra = {});

// Whether `dsn` (a libpq keyword/value string or URL) carries a password.
bool HasPassword(const std::string& dsn);

// Maps a failed command to a Status: lost connections are kUnavailable, rejected SQL
// kInvalidArgument, missing privileges kPermissionDenied, anything else kIOError. The message
// is `what`, the server's message and its hint, if any.
Status Error(PGconn* conn, const PGresult* res, std::string_view what);

// Runs one statement with text parameters whose types PostgreSQL infers from their use.
// Errors: Error's.
Result<ResultPtr> Exec(PGconn* conn, const std::string& sql, const std::vector<std::string>& params,
                       std::string_view what);

// Checks a name (non-empty, at most 63 bytes, no control characters).
// Errors: kInvalidArgument naming `what`.
Status ValidateIdentifier(std::string_view name, std::string_view what);
// The quoted identifier. Errors: ValidateIdentifier's, kInvalidArgument (libpq refusing it).
Result<std::string> QuoteIdentifier(PGconn* conn, std::string_view name, std::string_view what);

// How a column's text output becomes JSON.
enum class Kind { kBool, kInteger, kFloat, kNumeric, kJson, kTimestamp, kText };
Kind KindOf(Oid type);

// Appends `text` (PostgreSQL's output for a value of `kind`) as JSON: booleans; integers and
// finite floats and numerics as numbers (numerics as strings when `numeric_as_string`, which
// keeps every digit); json/jsonb embedded, compacted; timestamps as ISO-8601 with 'T';
// anything else (NaN, infinities included) as a string.
void AppendValue(std::string* out, Kind kind, std::string_view text,
                 bool numeric_as_string = false);
void AppendJsonString(std::string* out, std::string_view s);

// One line from libpq's multi-line messages.
std::string TrimMessage(std::string_view text);

}  // namespace tarn::ingest::pg
