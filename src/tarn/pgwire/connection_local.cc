// Local commands: settings, transaction control, DISCARD and SQL-level prepared statements,
// answered by the front end without the query service.
#include "tarn/pgwire/connection.h"
#include "tarn/pgwire/param_codec.h"

namespace tarn::pgwire {
namespace {

query::Column TextColumn(std::string name) {
  query::Column c;
  c.name = std::move(name);
  c.type = query::ColumnType::kVarchar;
  c.type_sql = "VARCHAR";
  return c;
}

}  // namespace

Connection::Failure Connection::RunLocal(const LocalCommand& c, Portal& portal) {
  using Kind = LocalCommand::Kind;
  portal.tag = c.tag;
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
      std::vector<query::Row> rows = {{*value}};
      portal.stream = std::make_unique<RowsInMemory>(
          std::vector<query::Column>{TextColumn(ClientParams::CanonicalName(c.name))},
          std::move(rows));
      break;
    }
    case Kind::kShowAll: {
      std::vector<query::Row> rows;
      for (auto& [name, value] : params_.All()) rows.push_back({name, value, std::string()});
      portal.stream = std::make_unique<RowsInMemory>(
          std::vector<query::Column>{TextColumn("name"), TextColumn("setting"),
                                     TextColumn("description")},
          std::move(rows));
      break;
    }
    case Kind::kBegin:
      if (tx_status_ != 'I') {
        WriteNotice(out_, "WARNING", "there is already a transaction in progress");
      }
      if (tx_status_ == 'I') tx_status_ = 'T';
      return std::nullopt;
    case Kind::kCommit:
    case Kind::kRollback:
      if (tx_status_ == 'I') {
        WriteNotice(out_, "WARNING", "there is no transaction in progress");
      }
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
    case Kind::kRelease:
    case Kind::kRollbackTo: {
      if (tx_status_ == 'I') {
        return MakeError(sqlstate::kNoActiveTransaction,
                         std::string(c.kind == Kind::kRelease ? "RELEASE SAVEPOINT"
                                                              : "ROLLBACK TO SAVEPOINT") +
                             " can only be used in transaction blocks");
      }
      auto it = std::find(savepoints_.rbegin(), savepoints_.rend(), c.name);
      if (it == savepoints_.rend()) {
        return MakeError("3B001", "savepoint \"" + c.name + "\" does not exist");
      }
      // RELEASE drops the savepoint and later ones; ROLLBACK TO keeps it.
      savepoints_.erase(it.base() - (c.kind == Kind::kRelease ? 1 : 0), savepoints_.end());
      if (c.kind == Kind::kRollbackTo) tx_status_ = 'T';
      return std::nullopt;
    }
    case Kind::kDiscardAll: {
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
    }
    case Kind::kDeallocate:
      if (statements_.erase(c.name) == 0) {
        return MakeError(sqlstate::kUndefinedPreparedStatement,
                         "prepared statement \"" + c.name + "\" does not exist");
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
    case Kind::kExecute: {
      auto it = statements_.find(c.name);
      if (it == statements_.end()) {
        return MakeError(sqlstate::kUndefinedPreparedStatement,
                         "prepared statement \"" + c.name + "\" does not exist");
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
        if (!text.ok()) return MakeError(sqlstate::kInvalidTextRepresentation, text.status().message());
        params.push_back(std::move(text).value());
      }
      return StartStream(*target, params, portal);
    }
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
      if (it == portals_.end()) {
        return MakeError(sqlstate::kUndefinedCursor, "cursor \"" + c.name + "\" does not exist");
      }
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
      if (portals_.erase(c.name) == 0) {
        return MakeError(sqlstate::kUndefinedCursor, "cursor \"" + c.name + "\" does not exist");
      }
      return std::nullopt;
    case Kind::kCloseAll:
      for (auto it = portals_.begin(); it != portals_.end();) {
        it = it->second.get() == &portal ? std::next(it) : portals_.erase(it);
      }
      return std::nullopt;
    case Kind::kNoop:
      return std::nullopt;
  }
  // Statements with rows from a local answer.
  portal.columns = portal.stream->columns();
  auto encoders = MakeEncoders(portal.columns, portal.formats);
  if (!encoders.ok()) return MakeError(sqlstate::kProtocolViolation, encoders.status().message());
  portal.encoders = std::move(encoders).value();
  portal.verb = "SHOW";
  return std::nullopt;
}

}  // namespace tarn::pgwire
