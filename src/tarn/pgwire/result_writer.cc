#include "tarn/pgwire/result_writer.h"

namespace tarn::pgwire {

Result<std::vector<ColumnEncoder>> MakeEncoders(const std::vector<query::Column>& columns,
                                                const std::vector<int16_t>& formats) {
  if (formats.size() > 1 && formats.size() != columns.size()) {
    return InvalidArgument("bind message has " + std::to_string(formats.size()) +
                           " result formats but the query has " + std::to_string(columns.size()) +
                           " columns");
  }
  std::vector<ColumnEncoder> out;
  out.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    int16_t f = formats.empty() ? 0 : formats.size() == 1 ? formats[0] : formats[i];
    TARN_ASSIGN_OR_RETURN(ColumnEncoder e, ColumnEncoder::Make(columns[i], f));
    out.push_back(e);
  }
  return out;
}

void WriteRowDescription(const std::vector<query::Column>& columns,
                         const std::vector<ColumnEncoder>& encoders, WireWriter& out) {
  out.Begin('T');
  out.Int16(static_cast<int16_t>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    const PgType& t = encoders[i].type();
    out.CString(columns[i].name);
    out.Int32(0);  // table OID: results are not tied to a table
    out.Int16(0);  // column number
    out.Int32(t.oid);
    out.Int16(t.size);
    out.Int32(t.modifier);
    out.Int16(encoders[i].format());
  }
  out.End();
}

Result<RowsSent> SendRows(query::ResultStream& stream, const std::vector<ColumnEncoder>& encoders,
                          int64_t limit, query::Row& row, WireWriter& out) {
  RowsSent sent;
  const auto ncols = static_cast<int16_t>(encoders.size());
  while (limit <= 0 || sent.rows < limit) {
    TARN_ASSIGN_OR_RETURN(bool more, stream.Next(&row));
    if (!more) {
      sent.finished = true;
      break;
    }
    std::string& b = out.buffer();
    const size_t start = b.size();
    b.push_back('D');
    b.append(4, '\0');
    AppendInt16(&b, ncols);
    for (int16_t c = 0; c < ncols; ++c) {
      const std::optional<std::string>& v = row[c];
      if (!v) {
        AppendInt32(&b, -1);
      } else if (encoders[c].verbatim()) {
        AppendInt32(&b, static_cast<int32_t>(v->size()));
        b.append(*v);
      } else {
        const size_t len_at = b.size();
        b.append(4, '\0');
        Status st = encoders[c].Append(*v, &b);
        if (!st.ok()) {
          b.resize(start);
          return st;
        }
        PatchInt32(&b, len_at, static_cast<int32_t>(b.size() - len_at - 4));
      }
    }
    PatchInt32(&b, start + 1, static_cast<int32_t>(b.size() - start - 1));
    ++sent.rows;
    TARN_RETURN_IF_ERROR(out.MaybeFlush());
  }
  return sent;
}

void WriteCommandComplete(const std::string& tag, WireWriter& out) {
  out.Begin('C');
  out.CString(tag);
  out.End();
}

Result<bool> RowsInMemory::Next(query::Row* row) {
  if (next_ >= rows_.size()) return false;
  *row = rows_[next_++];
  return true;
}

}  // namespace tarn::pgwire
