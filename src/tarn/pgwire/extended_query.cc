// The extended query protocol: Parse, Bind, Describe, Execute (with row limits and
// PortalSuspended), Close, Sync. Replies are buffered until Sync or Flush; after an error
// every message up to Sync is discarded.
#include "tarn/base/log.h"
#include "tarn/pgwire/connection.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {

bool Connection::HandleParse(std::string_view body) {
  BodyReader r(body);
  std::string name(r.CString());
  std::string sql(r.CString());
  int16_t n = r.Int16();
  std::vector<int32_t> types;
  for (int16_t i = 0; i < n && r.ok(); ++i) types.push_back(r.Int32());
  if (!r.ok() || n < 0) {
    SendProtocolViolation("invalid Parse message");
    return false;
  }
  if (!name.empty() && statements_.count(name)) {
    SendError(MakeError(sqlstate::kDuplicatePreparedStatement,
                        "prepared statement \"" + name + "\" already exists"));
    skip_until_sync_ = true;
    return true;
  }
  // A Parse message holds at most one statement.
  std::vector<std::string> parts = query::SplitStatements(sql);
  if (parts.size() > 1) {
    SendError(MakeError(sqlstate::kSyntaxError,
                        "cannot insert multiple commands into a prepared statement"));
    skip_until_sync_ = true;
    return true;
  }
  std::shared_ptr<Statement> s;
  if (Failure f = Prepare(parts.empty() ? std::string() : std::move(parts[0]), std::move(types), &s,
                          name)) {
    SendError(*f);
    skip_until_sync_ = true;
    return true;
  }
  statements_[name] = std::move(s);
  out_.Begin('1');  // ParseComplete
  out_.End();
  return true;
}

bool Connection::HandleBind(std::string_view body) {
  BodyReader r(body);
  std::string portal_name(r.CString());
  std::string statement_name(r.CString());
  std::vector<int16_t> param_formats(static_cast<size_t>(std::max<int16_t>(r.Int16(), 0)));
  for (auto& f : param_formats) f = r.Int16();
  int16_t nparams = r.Int16();
  std::vector<std::optional<std::string>> raw;
  for (int16_t i = 0; i < nparams && r.ok(); ++i) {
    int32_t len = r.Int32();
    if (len < 0) {
      raw.push_back(std::nullopt);
    } else {
      raw.push_back(std::string(r.Bytes(static_cast<size_t>(len))));
    }
  }
  auto portal = std::make_unique<Portal>();
  portal->formats.resize(static_cast<size_t>(std::max<int16_t>(r.Int16(), 0)));
  for (auto& f : portal->formats) f = r.Int16();
  if (!r.ok() || nparams < 0) {
    SendProtocolViolation("invalid Bind message");
    return false;
  }
  auto fail = [this](const PgError& e) {
    SendError(e);
    skip_until_sync_ = true;
    return true;
  };
  auto it = statements_.find(statement_name);
  if (it == statements_.end()) {
    return fail(MakeError(sqlstate::kUndefinedPreparedStatement,
                          statement_name.empty()
                              ? std::string("unnamed prepared statement does not exist")
                              : "prepared statement \"" + statement_name + "\" does not exist"));
  }
  if (!portal_name.empty() && portals_.count(portal_name)) {
    return fail(MakeError("42P03", "portal \"" + portal_name + "\" already exists"));
  }
  portal->statement = it->second;
  if (Failure f = DecodeParams(*portal->statement, param_formats, raw, &portal->params)) {
    return fail(*f);
  }
  if (PgTraceEnabled()) {
    int binary_params = 0, binary_results = 0;
    for (int16_t f : param_formats) binary_params += f == 1;
    for (int16_t f : portal->formats) binary_results += f == 1;
    if (binary_params + binary_results > 0) {
      LogInfo("pgwire " + std::to_string(process_id_) + " bind [" + statement_name +
              "]: binary formats for " + std::to_string(binary_params) + " parameter(s), " +
              std::to_string(binary_results) + " result column(s)");
    }
  }
  portals_[portal_name] = std::move(portal);
  out_.Begin('2');  // BindComplete
  out_.End();
  return true;
}

bool Connection::HandleDescribe(std::string_view body) {
  BodyReader r(body);
  char kind = static_cast<char>(r.Byte());
  std::string name(r.CString());
  if (!r.ok() || (kind != 'S' && kind != 'P')) {
    SendProtocolViolation("invalid Describe message");
    return false;
  }
  auto fail = [this](const PgError& e) {
    SendError(e);
    skip_until_sync_ = true;
    return true;
  };
  if (kind == 'S') {
    auto it = statements_.find(name);
    if (it == statements_.end()) {
      return fail(MakeError(sqlstate::kUndefinedPreparedStatement,
                            "prepared statement \"" + name + "\" does not exist"));
    }
    Statement& s = *it->second;
    std::optional<std::vector<query::Column>> columns;
    if (Failure f = ResultColumns(s, &columns)) return fail(*f);
    // ParameterDescription: declared types, else what DuckDB inferred.
    size_t count = s.param_types.size();
    if (s.info) count = std::max(count, static_cast<size_t>(s.info->parameter_count));
    out_.Begin('t');
    out_.Int16(static_cast<int16_t>(count));
    for (size_t i = 0; i < count; ++i) {
      int32_t type = i < s.param_types.size() ? s.param_types[i] : 0;
      if (type == 0 && s.info && i < s.info->parameter_types.size()) {
        type = ScalarOid(s.info->parameter_types[i]);
      }
      out_.Int32(type == 0 ? oid::kText : type);
    }
    out_.End();
    if (!columns) {
      out_.Begin('n');  // NoData
      out_.End();
      return true;
    }
    auto encoders = MakeEncoders(*columns, {});
    WriteRowDescription(*columns, *encoders, out_);
    return true;
  }
  auto it = portals_.find(name);
  if (it == portals_.end()) {
    return fail(MakeError(sqlstate::kUndefinedCursor, "portal \"" + name + "\" does not exist"));
  }
  Portal& p = *it->second;
  // A portal's columns are those of its running statement; start it to learn them (its rows
  // are then read by Execute).
  if (!p.started) {
    if (Failure f = Timed([&] { return StartPortal(p); })) {
      p.finished = true;
      return fail(*f);
    }
  }
  if (p.verb.empty()) {
    out_.Begin('n');
    out_.End();
    return true;
  }
  Portal* source = RowSource(p);
  if (source == nullptr) {
    return fail(
        MakeError(sqlstate::kUndefinedCursor, "cursor \"" + p.cursor + "\" does not exist"));
  }
  WriteRowDescription(source->columns, source->encoders, out_);
  return true;
}

bool Connection::HandleExecute(std::string_view body) {
  BodyReader r(body);
  std::string name(r.CString());
  int32_t limit = r.Int32();
  if (!r.ok()) {
    SendProtocolViolation("invalid Execute message");
    return false;
  }
  auto it = portals_.find(name);
  if (it == portals_.end()) {
    SendError(MakeError(sqlstate::kUndefinedCursor, "portal \"" + name + "\" does not exist"));
    skip_until_sync_ = true;
    return true;
  }
  Portal& portal = *it->second;
  if (Failure f = Timed([&] { return ExecutePortal(portal, limit); })) {
    SendError(*f);
    skip_until_sync_ = true;
  }
  return !out_.broken();
}

bool Connection::HandleClose(std::string_view body) {
  BodyReader r(body);
  char kind = static_cast<char>(r.Byte());
  std::string name(r.CString());
  if (!r.ok() || (kind != 'S' && kind != 'P')) {
    SendProtocolViolation("invalid Close message");
    return false;
  }
  // Closing something that does not exist is not an error.
  if (kind == 'S') {
    statements_.erase(name);
  } else {
    portals_.erase(name);
  }
  out_.Begin('3');  // CloseComplete
  out_.End();
  return true;
}

void Connection::HandleSync() {
  skip_until_sync_ = false;
  // Outside a transaction block, Sync ends the implicit transaction and its portals.
  if (tx_status_ == 'I') EndTransaction();
  SendParameterChanges();
  SendReadyForQuery();
  (void)out_.Flush();
}

}  // namespace tarn::pgwire
