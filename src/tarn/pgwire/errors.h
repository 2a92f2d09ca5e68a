// Errors as PostgreSQL clients see them: the one mapping from tarn's Status codes (and
// DuckDB's message prefixes) to SQLSTATE, and the ErrorResponse/NoticeResponse encoding.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {

// SQLSTATE codes tarn sends (PostgreSQL Appendix A).
namespace sqlstate {
inline constexpr char kSyntaxError[] = "42601";
inline constexpr char kUndefinedColumn[] = "42703";
inline constexpr char kUndefinedTable[] = "42P01";
inline constexpr char kUndefinedFunction[] = "42883";
inline constexpr char kUndefinedObject[] = "42704";
inline constexpr char kDuplicatePreparedStatement[] = "42P05";
inline constexpr char kUndefinedPreparedStatement[] = "26000";
inline constexpr char kUndefinedCursor[] = "34000";
inline constexpr char kSyntaxOrAccessRule[] = "42000";
inline constexpr char kInsufficientPrivilege[] = "42501";
inline constexpr char kInvalidPassword[] = "28P01";
inline constexpr char kInvalidAuthorization[] = "28000";
inline constexpr char kProtocolViolation[] = "08P01";
inline constexpr char kFeatureNotSupported[] = "0A000";
inline constexpr char kInvalidParameterValue[] = "22023";
inline constexpr char kInvalidTextRepresentation[] = "22P02";
inline constexpr char kInvalidBinaryRepresentation[] = "22P03";
inline constexpr char kNumericOutOfRange[] = "22003";
inline constexpr char kDivisionByZero[] = "22012";
inline constexpr char kDataException[] = "22000";
inline constexpr char kUndefinedParameter[] = "42704";
inline constexpr char kCantChangeRuntimeParam[] = "55P02";
inline constexpr char kInFailedTransaction[] = "25P02";
inline constexpr char kNoActiveTransaction[] = "25P01";
inline constexpr char kActiveTransaction[] = "25001";
inline constexpr char kOutOfMemory[] = "53200";
inline constexpr char kTooManyConnections[] = "53300";
inline constexpr char kQueryCanceled[] = "57014";
inline constexpr char kAdminShutdown[] = "57P01";
inline constexpr char kObjectNotInPrerequisiteState[] = "55000";
inline constexpr char kIoError[] = "58030";
inline constexpr char kDataCorrupted[] = "XX001";
inline constexpr char kInternalError[] = "XX000";
}  // namespace sqlstate

struct PgError {
  std::string severity = "ERROR";  // ERROR, or FATAL for errors that end the connection
  std::string sqlstate = sqlstate::kInternalError;
  std::string message;
  std::string detail;
  std::string hint;
};

PgError MakeError(std::string sqlstate, std::string message, std::string hint = "");
PgError MakeFatal(std::string sqlstate, std::string message, std::string hint = "");

// The SQLSTATE for a query-service error: kInvalidArgument by DuckDB's message (Parser Error
// -> 42601, an unknown column -> 42703, an unknown table -> 42P01, an unknown function ->
// 42883, conversions -> 22P02, ...), kNotFound -> 42P01, kPermissionDenied -> 42501,
// kResourceExhausted -> 53200, kUnavailable (canceled or timed out) -> 57014,
// kUnimplemented -> 0A000, else XX000.
PgError ErrorFromStatus(const Status& status);

// Appends an ErrorResponse ('E') or a NoticeResponse ('N', severity NOTICE/WARNING).
void WriteError(WireWriter& out, const PgError& error);
void WriteNotice(WireWriter& out, const std::string& severity, const std::string& message);

}  // namespace tarn::pgwire
