#include "tarn/schema/cdc_envelope.h"

namespace tarn::schema {
namespace {

int IndexOf(const std::vector<NestedField>& fields, std::string_view name) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status Missing(const std::string& what) {
  return FailedPrecondition("not a change-event (CDC) schema: " + what);
}

}  // namespace

Result<CdcEnvelope> FindCdcEnvelope(const Schema& schema) {
  const std::vector<NestedField>& fields = schema.fields();
  CdcEnvelope e;
  e.op = IndexOf(fields, "op");
  e.before = IndexOf(fields, "before");
  e.after = IndexOf(fields, "after");
  e.source = IndexOf(fields, "source");
  e.ts_ms = IndexOf(fields, "ts_ms");
  if (e.op < 0 || fields[e.op].type->id != TypeId::kString) {
    return Missing("no string field 'op'");
  }
  for (int i : {e.before, e.after}) {
    if (i < 0 || fields[i].type->id != TypeId::kStruct) {
      return Missing("'before' and 'after' must be records of the table's columns");
    }
  }
  e.before_row = fields[e.before].type.get();
  e.row = fields[e.after].type.get();
  if (e.source < 0 || fields[e.source].type->id != TypeId::kStruct) {
    return Missing("no record field 'source'");
  }
  const std::vector<NestedField>& source = fields[e.source].type->fields;
  e.lsn = IndexOf(source, "lsn");
  if (e.lsn < 0 ||
      (source[e.lsn].type->id != TypeId::kLong && source[e.lsn].type->id != TypeId::kInt)) {
    return Missing("no long field 'source.lsn' (the change's position in the source's log)");
  }
  if (e.ts_ms >= 0 && fields[e.ts_ms].type->id != TypeId::kLong) e.ts_ms = -1;
  return e;
}

}  // namespace tarn::schema
