#include "tarn/ingest/pg_cdc_schema.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "tarn/ingest/pg_util.h"

namespace tarn::ingest {
namespace {

using nlohmann::ordered_json;

// The Avro type of a column by its information_schema data_type.
ordered_json AvroType(const std::string& type, const char* precision, const char* scale) {
  if (type == "smallint" || type == "integer") return "int";
  if (type == "bigint") return "long";
  if (type == "real") return "float";
  if (type == "double precision") return "double";
  if (type == "boolean") return "boolean";
  if (type == "date") return {{"type", "int"}, {"logicalType", "date"}};
  if (type == "timestamp with time zone")
    return {{"type", "long"}, {"logicalType", "timestamp-micros"}};
  if (type == "timestamp without time zone") {
    return {{"type", "long"}, {"logicalType", "local-timestamp-micros"}};
  }
  if (type == "numeric" && precision && scale) {
    int p = std::atoi(precision), s = std::atoi(scale);
    if (p >= 1 && p <= 38)
      return {{"type", "bytes"}, {"logicalType", "decimal"}, {"precision", p}, {"scale", s}};
  }
  return "string";  // text, varchar, uuid, json, unconstrained numeric, ...: PostgreSQL's text
}

// `name` as an Avro name: [A-Za-z_][A-Za-z0-9_]*.
std::string AvroName(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

}  // namespace

Result<std::string> CdcEnvelopeSchema(PGconn* conn, const std::string& schema,
                                      const std::string& table) {
  TARN_ASSIGN_OR_RETURN(
      auto res, pg::Exec(conn,
                         "SELECT column_name, data_type, numeric_precision::text, "
                         "numeric_scale::text FROM information_schema.columns "
                         "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                         {schema, table}, "reading the columns of " + schema + "." + table));
  if (PQntuples(res.get()) == 0)
    return NotFound("table " + schema + "." + table + " (no columns visible)");
  ordered_json fields = ordered_json::array();
  std::set<std::string> names;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::string column = PQgetvalue(res.get(), r, 0);
    auto text = [&](int c) {
      return PQgetisnull(res.get(), r, c) ? nullptr : PQgetvalue(res.get(), r, c);
    };
    std::string name = AvroName(column);
    while (!names.insert(name).second) name += "_";
    ordered_json field = {
        {"name", name},
        {"type", {"null", AvroType(PQgetvalue(res.get(), r, 1), text(2), text(3))}},
        {"default", nullptr}};
    if (name != column) field["tarn.json_name"] = column;
    fields.push_back(std::move(field));
  }
  ordered_json row = {{"type", "record"}, {"name", "Row"}, {"fields", fields}};
  ordered_json source = {{"type", "record"},
                         {"name", "Source"},
                         {"fields",
                          {{{"name", "lsn"}, {"type", "long"}},
                           {{"name", "ts_ms"}, {"type", {"null", "long"}}, {"default", nullptr}},
                           {{"name", "table"}, {"type", {"null", "string"}}, {"default", nullptr}},
                           {{"name", "txId"}, {"type", {"null", "long"}}, {"default", nullptr}}}}};
  ordered_json envelope = {
      {"type", "record"},
      {"name", AvroName(table) + "_change"},
      {"namespace", "tarn.cdc." + AvroName(schema)},
      {"fields",
       {{{"name", "op"}, {"type", "string"}},
        {{"name", "before"}, {"type", {"null", row}}, {"default", nullptr}},
        {{"name", "after"}, {"type", {"null", "Row"}}, {"default", nullptr}},
        {{"name", "source"}, {"type", source}},
        {{"name", "ts_ms"}, {"type", {"null", "long"}}, {"default", nullptr}}}}};
  return envelope.dump();
}

}  // namespace tarn::ingest
