// Local commands: settings, transaction control, DISCARD, SQL-level prepared statements and
// cursors, answered by the front end without the query service.
#include "tarn/pgwire/connection.h"
#include "tarn/pgwire/param_codec.h"

namespace tarn::pgwire {
namespace {

using Kind = LocalCommand::Kind;

query::Column TextColumn(std::string name) {
  query::Column c;
  c.name = std::move(name);
  c.type = query::ColumnType::kVarchar;
  c.type_sql = "VARCHAR";
  return c;
}

PgError NoSuch(const char* what, const std::string& name, const char* code) {
  return MakeError(code, std::string(what) + " \"" + name + "\" does not exist");
}

}  // namespace

Connection::Failure Connection::RunLocal(const LocalCommand& c, Portal& portal) {
  portal.tag = c.tag;
  switch (c.kind) {
    case Kind::kSet:
    case Kind::kReset:
    case Kind::kResetAll:
    case Kind::kShow:
    case Kind::kShowAll:
      return RunSetting(c, portal);
    case Kind::kBegin:
    case Kind::kCommit:
    case Kind::kRollback:
    case Kind::kSavepoint:
    case Kind::kRelease:
    case Kind::kRollbackTo:
      return RunTransaction(c, portal);
    case Kind::kDiscardAll:
    case Kind::kDeallocate:
    case Kind::kDeallocateAll:
    case Kind::kPrepare:
    case Kind::kExecute:
      return RunPrepared(c, portal);
    case Kind::kDeclare:
    case Kind::kFetch:
    case Kind::kClose:
    case Kind::kCloseAll:
      return RunCursor(c, portal);
    case Kind::kNoop:
      return std::nullopt;
  }
  return std::nullopt;
}

Connection::Failure Connection::RunSetting(const LocalCommand& c, Portal& portal) {
  std::vector<query::Column> columns;
  std::vector<query::Row> rows;
  switch (c.kind) {
    case Kind::kSet: {
      Status st = params_.Set(c.name, c.value);
      if (st.code() == ErrorCode::kPermissionDenied) {
        return MakeError(sqlstate::kCantChangeRuntimeParam, st.message());
      }
      if (!st.ok()) return MakeError(sqlstate::kInvalidParameterValue, st.message());
      return std::nullopt;
    }
    case Kind::kReset:
      params_.Reset(c.name);
      return std::nullopt;
    case Kind::kResetAll:
      params_.ResetAll();
      return std::nullopt;
    case Kind::kShow: {
      auto value = params_.Get(c.name);
      if (!value) {
        return MakeError(sqlstate::kUndefinedObject,
                         "unrecognized configuration parameter \"" + c.name + "\"");
      }
      columns = {TextColumn(ClientParams::CanonicalName(c.name))};
      rows = {{*value}};
      break;
    }
    default:  // SHOW ALL
      columns = {TextColumn("name"), TextColumn("setting"), TextColumn("description")};
      for (auto& [name, value] : params_.All()) rows.push_back({name, value, std::string()});
  }
  auto encoders = MakeEncoders(columns, portal.formats);
  if (!encoders.ok()) return MakeError(sqlstate::kProtocolViolation, encoders.status().message());
  portal.encoders = std::move(encoders).value();
  portal.columns = columns;
  portal.stream = std::make_shared<RowsInMemory>(std::move(columns), std::move(rows));
  portal.verb = "SHOW";
  return std::nullopt;
}

Connection::Failure Connection::RunTransaction(const LocalCommand& c, Portal& portal) {
  switch (c.kind) {
    case Kind::kBegin:
      if (tx_status_ != 'I') {
        WriteNotice(out_, "WARNING", "there is already a transaction in progress");
      } else {
        tx_status_ = 'T';
      }
      return std::nullopt;
    case Kind::kCommit:
    case Kind::kRollback:
      if (tx_status_ == 'I') WriteNotice(out_, "WARNING", "there is no transaction in progress");
      // COMMIT of a failed transaction rolls it back, and says so.
      if (c.kind == Kind::kCommit && tx_status_ == 'E') portal.tag = "ROLLBACK";
      tx_status_ = 'I';
      EndTransaction(&portal);
      return std::nullopt;
    case Kind::kSavepoint:
      if (tx_status_ == 'I') {
        return MakeError(sqlstate::kNoActiveTransaction,
                         "SAVEPOINT can only be used in transaction blocks");
      }
      savepoints_.push_back(c.name);
      return std::nullopt;
    default: {  // RELEASE, ROLLBACK TO
      if (tx_status_ == 'I') {
        return MakeError(
            sqlstate::kNoActiveTransaction,
            std::string(c.kind == Kind::kRelease ? "RELEASE SAVEPOINT" : "ROLLBACK TO SAVEPOINT") +
                " can only be used in transaction blocks");
      }
      auto it = std::find(savepoints_.rbegin(), savepoints_.rend(), c.name);
      if (it == savepoints_.rend()) return NoSuch("savepoint", c.name, "3B001");
      // RELEASE drops the savepoint and later ones; ROLLBACK TO keeps it.
      savepoints_.erase(it.base() - (c.kind == Kind::kRelease ? 1 : 0), savepoints_.end());
      if (c.kind == Kind::kRollbackTo) tx_status_ = 'T';
      return std::nullopt;
    }
  }
}

Connection::Failure Connection::RunPrepared(const LocalCommand& c, Portal& portal) {
  switch (c.kind) {
    case Kind::kDiscardAll:
      if (tx_status_ != 'I') {
        return MakeError(sqlstate::kActiveTransaction,
                         "DISCARD ALL cannot run inside a transaction block");
      }
      params_.ResetAll();
      statements_.clear();
      for (auto it = portals_.begin(); it != portals_.end();) {
        it = it->second.get() == &portal ? std::next(it) : portals_.erase(it);
      }
      return std::nullopt;
    case Kind::kDeallocate:
      if (statements_.erase(c.name) == 0) {
        return NoSuch("prepared statement", c.name, sqlstate::kUndefinedPreparedStatement);
      }
      return std::nullopt;
    case Kind::kDeallocateAll:
      for (auto it = statements_.begin(); it != statements_.end();) {
        it = it->first.empty() ? std::next(it) : statements_.erase(it);
      }
      return std::nullopt;
    case Kind::kPrepare: {
      if (statements_.count(c.name)) {
        return MakeError(sqlstate::kDuplicatePreparedStatement,
                         "prepared statement \"" + c.name + "\" already exists");
      }
      std::shared_ptr<Statement> s;
      if (Failure f = Prepare(c.value, c.param_types, &s)) return f;
      if (s->local) {
        return MakeError(sqlstate::kFeatureNotSupported,
                         "PREPARE of a session command is not supported");
      }
      statements_[c.name] = std::move(s);
      return std::nullopt;
    }
    default:  // EXECUTE
      return RunExecute(c, portal);
  }
}

Connection::Failure Connection::RunExecute(const LocalCommand& c, Portal& portal) {
  auto it = statements_.find(c.name);
  if (it == statements_.end()) {
    return NoSuch("prepared statement", c.name, sqlstate::kUndefinedPreparedStatement);
  }
  std::shared_ptr<Statement> target = it->second;
  if (target->local || target->empty) {
    return MakeError(sqlstate::kFeatureNotSupported,
                     "EXECUTE of a session command is not supported");
  }
  std::vector<std::optional<std::string>> params;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (!c.args[i]) {
      params.push_back(std::nullopt);
      continue;
    }
    int32_t type = i < target->param_types.size() ? target->param_types[i] : 0;
    auto text = ParamToText(type, 0, *c.args[i]);
    if (!text.ok()) {
      return MakeError(sqlstate::kInvalidTextRepresentation, text.status().message());
    }
    params.push_back(std::move(text).value());
  }
  return StartStream(*target, params, portal);
}

Connection::Failure Connection::RunCursor(const LocalCommand& c, Portal& portal) {
  switch (c.kind) {
    case Kind::kDeclare: {
      if (tx_status_ == 'I' && !c.hold) {
        return MakeError(sqlstate::kNoActiveTransaction,
                         "DECLARE CURSOR can only be used in transaction blocks");
      }
      if (portals_.count(c.name)) {
        return MakeError("42P03", "cursor \"" + c.name + "\" already exists");
      }
      auto cursor = std::make_unique<Portal>();
      if (Failure f = Prepare(c.value, {}, &cursor->statement)) return f;
      if (cursor->statement->local || cursor->statement->empty) {
        return MakeError(sqlstate::kFeatureNotSupported, "cursors are for queries only");
      }
      if (c.binary) cursor->formats = {1};
      cursor->holdable = c.hold;
      portals_[c.name] = std::move(cursor);
      return std::nullopt;
    }
    case Kind::kFetch: {
      auto it = portals_.find(c.name);
      if (it == portals_.end()) return NoSuch("cursor", c.name, sqlstate::kUndefinedCursor);
      if (Failure f = StartCursor(*it->second)) return f;
      if (it->second->verb.empty()) {
        return MakeError(sqlstate::kFeatureNotSupported, "cursor \"" + c.name + "\" has no rows");
      }
      portal.cursor = c.name;
      portal.fetch_count = c.count;
      portal.verb = "FETCH";
      return std::nullopt;
    }
    case Kind::kClose:
      if (portals_.erase(c.name) == 0) return NoSuch("cursor", c.name, sqlstate::kUndefinedCursor);
      return std::nullopt;
    default:  // CLOSE ALL
      for (auto it = portals_.begin(); it != portals_.end();) {
        it = it->second.get() == &portal ? std::next(it) : portals_.erase(it);
      }
      return std::nullopt;
  }
}

}  // namespace tarn::pgwire
