#include "tarn/pipeline/raw_stage.h"

#include <avro.h>

#include "tarn/engine/iceberg_read.h"
#include "tarn/format/avro_reader.h"
#include "tarn/quality/rules.h"

namespace tarn::pipeline {
namespace {

using quality::QuoteIdent;
using schema::TypeId;

// How a raw field comes out of the record: the type it is appended as, and the SQL turning
// that into its typed value.
std::pair<std::string, std::string> InputColumn(const schema::NestedField& f) {
  std::string c = QuoteIdent(f.name);
  switch (f.type->id) {
    case TypeId::kBoolean:
      return {"BOOLEAN", c};
    case TypeId::kInt:
      return {"INTEGER", c};
    case TypeId::kLong:
      return {"BIGINT", c};
    case TypeId::kFloat:
      return {"FLOAT", c};
    case TypeId::kDouble:
      return {"DOUBLE", c};
    case TypeId::kDate:
      return {"INTEGER", "(DATE '1970-01-01' + " + c + ")"};
    case TypeId::kTimestamp:
      return {"BIGINT", "make_timestamp(" + c + ")"};
    case TypeId::kTimestampTz:
      return {"BIGINT", "make_timestamptz(" + c + ")"};
    case TypeId::kDecimal:
      return {"VARCHAR", "CAST(" + c + " AS " + engine::DuckDbType(*f.type) + ")"};
    case TypeId::kString:
      return {"VARCHAR", "NULLIF(trim(" + c + "), '')"};  // '' and '  ' are NULL
    default:
      return {"VARCHAR", "CAST(" + c + " AS VARCHAR)"};  // nested values as their JSON
  }
}

// `v` with a union resolved to its branch; false when it is null or cannot be read.
bool Resolve(avro_value_t& v) {
  if (avro_value_get_type(&v) == AVRO_UNION) {
    avro_value_t branch;
    if (avro_value_get_current_branch(&v, &branch) != 0) return false;
    v = branch;
  }
  return avro_value_get_type(&v) != AVRO_NULL;
}

// Field `index` of an avro-c record, resolved; false when absent (-1) or null.
bool FieldOf(avro_value_t& record, int index, avro_value_t* out) {
  if (index < 0 || avro_value_get_by_index(&record, index, out, nullptr) != 0) return false;
  return Resolve(*out);
}

// Appends field `index` of an avro-c record (-1: absent from the file, NULL) as InputColumn
// declares it: numbers and strings as themselves, decimals as exact decimal text, anything
// nested as its JSON.
void AppendField(avro_value_t& record, int index, const schema::NestedField& field,
                 engine::Appender& out) {
  avro_value_t v;
  if (!FieldOf(record, index, &v)) return out.Null();
  if (field.type->id == TypeId::kDecimal) {
    std::string text = format::AvroDecimalText(v, field.type->scale);
    return text.empty() ? out.Null() : out.Varchar(text);
  }
  switch (avro_value_get_type(&v)) {
    case AVRO_BOOLEAN: {
      int b = 0;
      avro_value_get_boolean(&v, &b);
      return out.Bool(b != 0);
    }
    case AVRO_INT32: {
      int32_t i = 0;
      avro_value_get_int(&v, &i);
      return out.Int32(i);
    }
    case AVRO_INT64: {
      int64_t i = 0;
      avro_value_get_long(&v, &i);
      return out.Int64(i);
    }
    case AVRO_FLOAT: {
      float f = 0;
      avro_value_get_float(&v, &f);
      return out.Float(f);
    }
    case AVRO_DOUBLE: {
      double d = 0;
      avro_value_get_double(&v, &d);
      return out.Double(d);
    }
    case AVRO_STRING: {
      const char* str = nullptr;
      size_t size = 0;
      avro_value_get_string(&v, &str, &size);
      return out.Varchar(std::string_view(str, size ? size - 1 : 0));  // size counts the NUL
    }
    case AVRO_ENUM: {
      int symbol = 0;
      avro_value_get_enum(&v, &symbol);
      const char* name = avro_schema_enum_get(avro_value_get_schema(&v), symbol);
      return name ? out.Varchar(name) : out.Null();
    }
    default:
      return out.Varchar(format::AvroValueToJson(v));
  }
}

// For each of `wanted`, the index of the field with its id among `fields` (-1: none).
std::vector<int> IndexesById(const std::vector<schema::NestedField>& wanted,
                             const std::vector<schema::NestedField>& fields) {
  std::vector<int> out;
  for (const schema::NestedField& f : wanted) {
    int index = -1;
    for (size_t j = 0; j < fields.size(); ++j) {
      if (fields[j].id == f.id) index = static_cast<int>(j);
    }
    out.push_back(index);
  }
  return out;
}

// For each of `after_index` (indexes into `after`), the index of the field of the same name
// among `before` (-1: none): the two images are matched by column name.
std::vector<int> IndexesByName(const std::vector<int>& after_index,
                               const std::vector<schema::NestedField>& after,
                               const std::vector<schema::NestedField>& before) {
  std::vector<int> out;
  for (int a : after_index) {
    int index = -1;
    for (size_t j = 0; a >= 0 && j < before.size(); ++j) {
      if (before[j].name == after[a].name) index = static_cast<int>(j);
    }
    out.push_back(index);
  }
  return out;
}

}  // namespace

Result<RawStager> RawStager::Make(const schema::Schema& current, bool cdc) {
  if (!cdc) return RawStager(current.fields(), false);
  TARN_ASSIGN_OR_RETURN(schema::CdcEnvelope envelope, schema::FindCdcEnvelope(current));
  return RawStager(envelope.row->fields, true);
}

std::string RawStager::InputColumns() const {
  std::string columns = "_tarn_seq BIGINT";
  if (cdc_) columns += std::string(", ") + kOpColumn + " VARCHAR, " + kLsnColumn + " BIGINT";
  for (const schema::NestedField& f : row_fields_) {
    columns += ", " + QuoteIdent(f.name) + " " + InputColumn(f).first;
  }
  return columns;
}

std::string RawStager::TypedColumns() const {
  std::string columns = "_tarn_seq";
  if (cdc_) columns += std::string(", ") + kOpColumn + ", " + kLsnColumn;
  for (const schema::NestedField& f : row_fields_) {
    columns += ", " + InputColumn(f).second + " AS " + QuoteIdent(f.name);
  }
  return columns;
}

Status RawStager::Append(const std::string& path, const schema::Schema& written,
                         engine::Appender& out, int64_t* rows) const {
  if (cdc_) return AppendEvents(path, written, out, rows);
  std::vector<int> source = IndexesById(row_fields_, written.fields());
  return format::ReadAvroValues(path, [&](avro_value_t& record) -> Status {
    out.Int64(++*rows);
    for (size_t i = 0; i < source.size(); ++i) AppendField(record, source[i], row_fields_[i], out);
    return out.EndRow();
  });
}

Status RawStager::AppendEvents(const std::string& path, const schema::Schema& written,
                               engine::Appender& out, int64_t* rows) const {
  TARN_ASSIGN_OR_RETURN(schema::CdcEnvelope e, schema::FindCdcEnvelope(written));
  std::vector<int> after = IndexesById(row_fields_, e.row->fields);
  std::vector<int> before = IndexesByName(after, e.row->fields, e.before_row->fields);
  return format::ReadAvroValues(path, [&](avro_value_t& record) -> Status {
    out.Int64(++*rows);
    avro_value_t v;
    std::string op;
    if (FieldOf(record, e.op, &v) && avro_value_get_type(&v) == AVRO_STRING) {
      const char* str = nullptr;
      size_t size = 0;
      avro_value_get_string(&v, &str, &size);
      op.assign(str, size ? size - 1 : 0);
    }
    op.empty() ? out.Null() : out.Varchar(op);
    avro_value_t source, lsn;
    if (FieldOf(record, e.source, &source) && FieldOf(source, e.lsn, &lsn)) {
      int64_t x = 0;
      int32_t i = 0;
      if (avro_value_get_type(&lsn) == AVRO_INT64) avro_value_get_long(&lsn, &x);
      if (avro_value_get_type(&lsn) == AVRO_INT32 && avro_value_get_int(&lsn, &i) == 0) x = i;
      out.Int64(x);
    } else {
      out.Null();
    }
    // The row image: before for deletes, after otherwise.
    bool is_delete = op == "d";
    avro_value_t image;
    bool present = FieldOf(record, is_delete ? e.before : e.after, &image);
    const std::vector<int>& index = is_delete ? before : after;
    for (size_t i = 0; i < row_fields_.size(); ++i) {
      if (present) {
        AppendField(image, index[i], row_fields_[i], out);
      } else {
        out.Null();
      }
    }
    return out.EndRow();
  });
}

}  // namespace tarn::pipeline
