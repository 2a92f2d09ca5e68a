// The statement machinery both query protocols share: preparing (classifying a statement as
// local or for the query service), describing, starting portals, and streaming their rows.
#include <cstdlib>

#include "tarn/base/log.h"
#include "tarn/pgwire/catalog_compat.h"
#include "tarn/pgwire/connection.h"
#include "tarn/pgwire/param_codec.h"
#include "tarn/pgwire/sql_lexer.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

query::Column TextColumn(std::string name) {
  query::Column c;
  c.name = std::move(name);
  c.type = query::ColumnType::kVarchar;
  c.type_sql = "VARCHAR";
  return c;
}

std::vector<query::Column> ShowColumns(const LocalCommand& c) {
  if (c.kind == LocalCommand::Kind::kShowAll) {
    return {TextColumn("name"), TextColumn("setting"), TextColumn("description")};
  }
  return {TextColumn(ClientParams::CanonicalName(c.name))};
}

// The CommandComplete verb of a statement with rows: EXPLAIN answers "EXPLAIN", everything
// else the query service runs is a query ("SELECT n").
std::string VerbOf(std::string_view sql) {
  std::vector<SqlToken> t = LexSql(sql.substr(0, 64));
  if (!t.empty() && t[0].Is("explain")) return "EXPLAIN";
  return "SELECT";
}

bool IsTransactionEnd(const std::optional<LocalCommand>& local) {
  return local && (local->kind == LocalCommand::Kind::kCommit ||
                   local->kind == LocalCommand::Kind::kRollback ||
                   local->kind == LocalCommand::Kind::kRollbackTo);
}

}  // namespace

bool PgTraceEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("TARN_PG_TRACE");
    return v != nullptr && *v != '\0' && std::string_view(v) != "0";
  }();
  return on;
}

Connection::Failure Connection::Prepare(std::string sql, std::vector<int32_t> param_types,
                                        std::shared_ptr<Statement>* out, const std::string& name) {
  auto s = std::make_shared<Statement>();
  s->param_types = std::move(param_types);
  auto local = ParseLocalCommand(
      sql, [this](const std::string& name) { return params_.Get(name).has_value(); });
  if (!local.ok()) {
    return local.status().code() == ErrorCode::kUnimplemented
               ? MakeError(sqlstate::kFeatureNotSupported, local.status().message())
               : MakeError(sqlstate::kSyntaxError, local.status().message());
  }
  s->local = std::move(local).value();
  if (!s->local) {
    s->empty = LexSql(sql).empty();
    if (!s->empty) s->rewritten = RewriteCatalogQuery(sql, compat_);
  }
  if (PgTraceEnabled()) {
    std::string line = "pgwire " + std::to_string(process_id_) +
                       (name.empty() ? "" : " [" + name + "]") + ": " + sql;
    if (!s->local && s->rewritten != sql) line += "\n  rewritten: " + s->rewritten;
    LogInfo(line);
  }
  s->sql = std::move(sql);
  *out = std::move(s);
  return std::nullopt;
}

void Connection::DetachLiveStream() {
  // 64 MiB: enough for the portals JDBC and psycopg2 leave open in practice.
  if (auto live = live_.lock()) live->Detach(size_t{64} << 20);
  live_.reset();
}

Connection::Failure Connection::Describe(Statement& s) {
  if (s.info || s.local || s.empty) return std::nullopt;
  DetachLiveStream();
  auto info = session_->Describe(s.rewritten);
  if (!info.ok()) return ErrorFromStatus(info.status());
  s.info = std::move(info).value();
  return std::nullopt;
}

Connection::Failure Connection::ResultColumns(Statement& s,
                                              std::optional<std::vector<query::Column>>* out) {
  out->reset();
  if (s.empty) return std::nullopt;
  if (s.local) {
    switch (s.local->kind) {
      case LocalCommand::Kind::kShow:
      case LocalCommand::Kind::kShowAll:
        *out = ShowColumns(*s.local);
        return std::nullopt;
      case LocalCommand::Kind::kExecute: {
        auto it = statements_.find(s.local->name);
        if (it == statements_.end() || it->second->local) return std::nullopt;
        return ResultColumns(*it->second, out);
      }
      case LocalCommand::Kind::kFetch: {
        auto it = portals_.find(s.local->name);
        if (it == portals_.end()) return std::nullopt;
        if (it->second->started) {
          *out = it->second->columns;
          return std::nullopt;
        }
        return ResultColumns(*it->second->statement, out);
      }
      default:
        return std::nullopt;
    }
  }
  if (Failure f = Describe(s)) return f;
  if (!s.info->columns.empty()) *out = s.info->columns;
  return std::nullopt;
}

Connection::Failure Connection::StartPortal(Portal& portal) {
  portal.started = true;
  Statement& s = *portal.statement;
  if (tx_status_ == 'E' && !IsTransactionEnd(s.local)) {
    return MakeError(sqlstate::kInFailedTransaction,
                     "current transaction is aborted, commands ignored until end of "
                     "transaction block");
  }
  if (s.empty) {
    portal.finished = true;
    return std::nullopt;
  }
  if (s.local) return RunLocal(*s.local, portal);
  return StartStream(s, portal.params, portal);
}

Connection::Failure Connection::StartStream(Statement& s,
                                            const std::vector<std::optional<std::string>>& params,
                                            Portal& portal) {
  DetachLiveStream();
  auto stream = session_->Execute(s.rewritten, params);
  if (!stream.ok()) return ErrorFromStatus(stream.status());
  auto encoders = MakeEncoders((*stream)->columns(), portal.formats);
  if (!encoders.ok()) return MakeError(sqlstate::kProtocolViolation, encoders.status().message());
  portal.columns = (*stream)->columns();
  auto detachable = std::make_shared<DetachableStream>(std::move(stream).value());
  live_ = detachable;
  portal.stream = std::move(detachable);
  portal.encoders = std::move(encoders).value();
  portal.verb = VerbOf(s.sql);
  return std::nullopt;
}

Connection::Failure Connection::Timed(const std::function<Failure()>& step) {
  int64_t ms = params_.statement_timeout_ms();
  if (ms <= 0) return step();
  timer_.Start(ms);
  Failure f = step();
  if (timer_.Stop() && f && f->sqlstate == sqlstate::kQueryCanceled) {
    f->message =
        "canceling statement due to statement timeout (statement_timeout = " + std::to_string(ms) +
        " ms)";
  }
  return f;
}

Connection::Portal* Connection::RowSource(Portal& p) {
  if (p.cursor.empty()) return &p;
  auto it = portals_.find(p.cursor);
  return it == portals_.end() ? nullptr : it->second.get();
}

Connection::Failure Connection::StartCursor(Portal& cursor) {
  if (cursor.started) return std::nullopt;
  if (Failure f = StartPortal(cursor)) {
    cursor.finished = true;
    return f;
  }
  return std::nullopt;
}

Connection::Failure Connection::ExecutePortal(Portal& portal, int64_t limit) {
  if (!portal.started) {
    if (Failure f = StartPortal(portal)) {
      portal.finished = true;
      return f;
    }
  }
  if (portal.statement->empty) {
    out_.Begin('I');  // EmptyQueryResponse
    out_.End();
    return std::nullopt;
  }
  if (portal.verb.empty()) {
    WriteCommandComplete(portal.tag, out_);
    return std::nullopt;
  }
  // A FETCH sends its cursor's rows, as many as it asked for, and never suspends.
  bool fetch = !portal.cursor.empty();
  Portal* source = RowSource(portal);
  if (source == nullptr) {
    return MakeError(sqlstate::kUndefinedCursor, "cursor \"" + portal.cursor + "\" does not exist");
  }
  if (fetch) limit = portal.fetch_count;
  RowsSent sent;
  if (!source->finished && source->stream) {
    auto r = SendRows(*source->stream, source->encoders, limit, row_, out_);
    if (!r.ok()) {
      source->finished = true;
      source->stream.reset();
      return ErrorFromStatus(r.status());
    }
    sent = *r;
  }
  if (!fetch && !portal.finished && !sent.finished) {
    out_.Begin('s');  // PortalSuspended: Execute again for more
    out_.End();
    return std::nullopt;
  }
  if (sent.finished || !fetch) {
    source->finished = true;
    source->stream.reset();  // frees the query's resources now, not when the portal closes
  }
  portal.finished = true;
  WriteCommandComplete(portal.verb == "SELECT" || fetch
                           ? portal.verb + " " + std::to_string(sent.rows)
                           : portal.verb,
                       out_);
  return std::nullopt;
}

Connection::Failure Connection::DecodeParams(Statement& s, const std::vector<int16_t>& formats,
                                             const std::vector<std::optional<std::string>>& raw,
                                             std::vector<std::optional<std::string>>* out) {
  if (formats.size() > 1 && formats.size() != raw.size()) {
    return MakeError(sqlstate::kProtocolViolation,
                     "bind message has " + std::to_string(formats.size()) +
                         " parameter formats but " + std::to_string(raw.size()) + " parameters");
  }
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (!raw[i]) {
      out->push_back(std::nullopt);
      continue;
    }
    int16_t format = formats.empty() ? 0 : formats.size() == 1 ? formats[0] : formats[i];
    int32_t type = i < s.param_types.size() ? s.param_types[i] : 0;
    if (type == 0 && format == 1 && !s.info && !s.local) {
      if (Failure f = Describe(s)) return f;
    }
    if (type == 0 && s.info && i < s.info->parameter_types.size()) {
      type = ScalarOid(s.info->parameter_types[i]);
    }
    if (type == 0 && format == 1) {
      return MakeError(sqlstate::kProtocolViolation,
                       "could not determine the type of binary parameter $" +
                           std::to_string(i + 1) + "; declare it in Parse or send text");
    }
    auto text = ParamToText(type, format, *raw[i]);
    if (!text.ok()) {
      return MakeError(text.status().code() == ErrorCode::kUnimplemented
                           ? sqlstate::kFeatureNotSupported
                           : sqlstate::kInvalidBinaryRepresentation,
                       text.status().message());
    }
    out->push_back(std::move(text).value());
  }
  return std::nullopt;
}

}  // namespace tarn::pgwire
