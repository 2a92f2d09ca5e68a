// The simple query protocol: one Query message, one or more statements, each answered with
// RowDescription, DataRows and CommandComplete (or EmptyQueryResponse); the first error ends
// the message's remaining statements. Then ReadyForQuery.
#include "tarn/pgwire/connection.h"

namespace tarn::pgwire {

bool Connection::HandleQuery(std::string_view body) {
  BodyReader r(body);
  std::string sql(r.CString());
  if (!r.ok()) {
    SendProtocolViolation("invalid Query message");
    return false;
  }
  // A Query message discards the unnamed statement and portal.
  statements_.erase("");
  portals_.erase("");
  std::vector<std::string> parts = query::SplitStatements(sql);
  if (parts.empty()) {
    out_.Begin('I');  // EmptyQueryResponse
    out_.End();
  }
  for (std::string& part : parts) {
    Portal portal;
    Failure failed = Prepare(std::move(part), {}, &portal.statement);
    if (!failed) {
      failed = Timed([&]() -> Failure {
        if (Failure f = StartPortal(portal)) return f;
        if (!portal.verb.empty()) {
          if (Portal* source = RowSource(portal)) {
            WriteRowDescription(source->columns, source->encoders, out_);
          }
        }
        return ExecutePortal(portal, 0);
      });
    }
    if (out_.broken()) return false;
    if (failed) {
      SendError(*failed);
      break;
    }
  }
  // Outside a transaction block the message was its own transaction: its portals end.
  if (tx_status_ == 'I') EndTransaction();
  SendParameterChanges();
  SendReadyForQuery();
  return out_.Flush().ok();
}

}  // namespace tarn::pgwire
