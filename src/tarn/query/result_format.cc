#include "tarn/query/result_format.h"

#include <algorithm>
#include <ostream>

#include "tarn/base/encoding.h"

namespace tarn::query {
namespace {

bool IsFiniteNumber(const std::string& v) {
  return !v.empty() && v.find_first_not_of("0123456789+-.eE") == std::string::npos;
}

std::string CsvField(const std::optional<std::string>& v) {
  if (!v) return "";
  if (v->find_first_of(",\"\r\n") == std::string::npos) return *v;
  std::string out = "\"";
  for (char c : *v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

constexpr size_t kSizingRows = 1000;

// Display width: UTF-8 code points.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Result<int64_t> WriteTable(ResultStream& stream, std::ostream& out) {
  const auto& cols = stream.columns();
  std::vector<Row> head;
  Row row;
  bool more = true;
  while (head.size() < kSizingRows) {
    TARN_ASSIGN_OR_RETURN(more, stream.Next(&row));
    if (!more) break;
    head.push_back(row);
  }
  std::vector<size_t> width(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    width[c] = Width(cols[c].name);
    for (const Row& r : head) width[c] = std::max(width[c], r[c] ? Width(*r[c]) : 4);
  }
  auto print = [&](const Row& r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      std::string v = r[c] ? *r[c] : "NULL";
      std::string pad(width[c] > Width(v) ? width[c] - Width(v) : 0, ' ');
      out << (c ? " | " : " ") << (engine::IsNumeric(cols[c].type) ? pad + v : v + pad);
    }
    out << '\n';
  };
  Row header;
  for (const Column& c : cols) header.emplace_back(c.name);
  for (size_t c = 0; c < cols.size(); ++c) {
    out << (c ? " | " : " ") << header[c].value()
        << std::string(width[c] - Width(cols[c].name), ' ');
  }
  out << '\n';
  for (size_t c = 0; c < cols.size(); ++c) out << (c ? "-+-" : "-") << std::string(width[c], '-');
  out << "-\n";
  int64_t n = 0;
  for (const Row& r : head) {
    print(r);
    ++n;
  }
  while (more) {
    TARN_ASSIGN_OR_RETURN(more, stream.Next(&row));
    if (!more) break;
    print(row);
    ++n;
  }
  out << "(" << n << (n == 1 ? " row)\n" : " rows)\n");
  return n;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJsonLines;
  return InvalidArgument("format '" + name + "' must be table, csv or json");
}

void AppendJsonValue(const Column& column, const std::optional<std::string>& v, std::string* out) {
  if (!v) {
    *out += "null";
  } else if ((engine::IsNumeric(column.type) && IsFiniteNumber(*v)) || column.type == ColumnType::kBoolean) {
    *out += *v;
  } else {
    AppendJsonString(out, *v);
  }
}

std::string RowToJson(const std::vector<Column>& columns, const Row& row) {
  std::string out = "{";
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c) out += ',';
    AppendJsonString(&out, columns[c].name);
    out += ':';
    AppendJsonValue(columns[c], row[c], &out);
  }
  return out + "}";
}

void AppendJsonValues(const std::vector<Column>& columns, const Row& row, std::string* out) {
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c) *out += ',';
    AppendJsonValue(columns[c], row[c], out);
  }
}

Result<int64_t> WriteResult(ResultStream& stream, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kTable) return WriteTable(stream, out);
  const auto& cols = stream.columns();
  if (format == OutputFormat::kCsv) {
    for (size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << CsvField(cols[c].name);
    out << '\n';
  }
  int64_t n = 0;
  Row row;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, stream.Next(&row));
    if (!more) break;
    if (format == OutputFormat::kCsv) {
      for (size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << CsvField(row[c]);
      out << '\n';
    } else {
      out << RowToJson(cols, row) << '\n';
    }
    ++n;
  }
  return n;
}

}  // namespace tarn::query
