#include "tarn/pgwire/errors.h"

#include <string_view>

namespace tarn::pgwire {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// DuckDB prefixes its messages with the error class ("Parser Error: ..."), possibly after
// tarn's context ("statement 2: Binder Error: ..."); the class decides the SQLSTATE.
std::string SqlStateOfInvalidArgument(std::string_view m) {
  if (Contains(m, "Parser Error") || Contains(m, "syntax error")) return sqlstate::kSyntaxError;
  if (Contains(m, "Catalog Error")) {
    if (Contains(m, "Function with name") || Contains(m, "Macro Function")) {
      return sqlstate::kUndefinedFunction;
    }
    if (Contains(m, "Table with name") || Contains(m, "Table Function") ||
        Contains(m, "does not exist")) {
      return Contains(m, "Type with name") ? sqlstate::kUndefinedObject : sqlstate::kUndefinedTable;
    }
    return sqlstate::kUndefinedObject;
  }
  if (Contains(m, "Binder Error")) {
    if (Contains(m, "column") || Contains(m, "Column")) return sqlstate::kUndefinedColumn;
    if (Contains(m, "function") || Contains(m, "Function")) return sqlstate::kUndefinedFunction;
    return sqlstate::kSyntaxOrAccessRule;
  }
  if (Contains(m, "Conversion Error") || Contains(m, "Invalid Input Error")) {
    return sqlstate::kInvalidTextRepresentation;
  }
  if (Contains(m, "Out of Range Error") || Contains(m, "out of range")) {
    return sqlstate::kNumericOutOfRange;
  }
  if (Contains(m, "Division by zero") || Contains(m, "division by zero")) {
    return sqlstate::kDivisionByZero;
  }
  if (Contains(m, "Not implemented Error")) return sqlstate::kFeatureNotSupported;
  return sqlstate::kSyntaxOrAccessRule;
}

}  // namespace

PgError MakeError(std::string code, std::string message, std::string hint) {
  PgError e;
  e.sqlstate = std::move(code);
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

PgError MakeFatal(std::string code, std::string message, std::string hint) {
  PgError e = MakeError(std::move(code), std::move(message), std::move(hint));
  e.severity = "FATAL";
  return e;
}

PgError ErrorFromStatus(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
      return MakeError(SqlStateOfInvalidArgument(m), m);
    case ErrorCode::kFailedPrecondition:
      return MakeError(sqlstate::kObjectNotInPrerequisiteState, m);
    case ErrorCode::kNotFound:
      return MakeError(sqlstate::kUndefinedTable, m);
    case ErrorCode::kPermissionDenied:
      return MakeError(sqlstate::kInsufficientPrivilege, m);
    case ErrorCode::kUnauthenticated:
      return MakeError(sqlstate::kInvalidPassword, m);
    case ErrorCode::kResourceExhausted:
      return MakeError(sqlstate::kOutOfMemory, m);
    case ErrorCode::kUnavailable:
      // The query service reports interrupts and the time limit as kUnavailable.
      return MakeError(
          sqlstate::kQueryCanceled,
          StartsWith(m, "canceled") ? "canceling statement due to user request: " + m : m);
    case ErrorCode::kUnimplemented:
      return MakeError(sqlstate::kFeatureNotSupported, m);
    case ErrorCode::kIOError:
      return MakeError(sqlstate::kIoError, m);
    case ErrorCode::kCorruption:
      return MakeError(sqlstate::kDataCorrupted, m);
    default:
      return MakeError(sqlstate::kInternalError, m);
  }
}

void WriteError(WireWriter& out, const PgError& e) {
  out.Begin('E');
  out.Byte('S');
  out.CString(e.severity);
  out.Byte('V');
  out.CString(e.severity);
  out.Byte('C');
  out.CString(e.sqlstate);
  out.Byte('M');
  out.CString(e.message);
  if (!e.detail.empty()) {
    out.Byte('D');
    out.CString(e.detail);
  }
  if (!e.hint.empty()) {
    out.Byte('H');
    out.CString(e.hint);
  }
  out.Byte(0);
  out.End();
}

void WriteNotice(WireWriter& out, const std::string& severity, const std::string& message) {
  out.Begin('N');
  out.Byte('S');
  out.CString(severity);
  out.Byte('V');
  out.CString(severity);
  out.Byte('C');
  out.CString("00000");
  out.Byte('M');
  out.CString(message);
  out.Byte(0);
  out.End();
}

}  // namespace tarn::pgwire
