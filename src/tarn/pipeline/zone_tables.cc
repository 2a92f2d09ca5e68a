#include "tarn/pipeline/zone_tables.h"

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::pipeline {
namespace {

using schema::TypeId;

// The Iceberg type of a staged column.
Result<std::shared_ptr<const schema::Type>> IcebergType(const engine::Column& c) {
  auto make = [](TypeId id, int precision = 0, int scale = 0) {
    auto t = std::make_shared<schema::Type>();
    t->id = id;
    t->precision = precision;
    t->scale = scale;
    return std::shared_ptr<const schema::Type>(t);
  };
  using engine::ColumnType;
  switch (c.type) {
    case ColumnType::kBoolean: return make(TypeId::kBoolean);
    case ColumnType::kTinyInt: case ColumnType::kSmallInt: case ColumnType::kInteger:
    case ColumnType::kUTinyInt: case ColumnType::kUSmallInt:
      return make(TypeId::kInt);
    case ColumnType::kBigInt: case ColumnType::kUInteger: return make(TypeId::kLong);
    case ColumnType::kFloat: return make(TypeId::kFloat);
    case ColumnType::kDouble: return make(TypeId::kDouble);
    case ColumnType::kDecimal: return make(TypeId::kDecimal, c.precision, c.scale);
    case ColumnType::kVarchar: return make(TypeId::kString);
    case ColumnType::kBlob: return make(TypeId::kBinary);
    case ColumnType::kUuid: return make(TypeId::kUuid);
    case ColumnType::kDate: return make(TypeId::kDate);
    case ColumnType::kTimestamp: return make(TypeId::kTimestamp);
    case ColumnType::kTimestampTz: return make(TypeId::kTimestampTz);
    default:
      return FailedPrecondition("column " + c.name + " has type " + c.type_sql +
                                ", which curated tables do not store; cast it in the promotion spec");
  }
}

}  // namespace

Result<ZoneTable> LoadOrCreateTable(lake::LakeTables& tables, engine::DuckDb& db, const std::string& zone,
                                    const std::string& name, const std::string& select_sql,
                                    const std::vector<std::string>& partition_by,
                                    const std::map<std::string, std::string>& properties) {
  auto existing = tables.Load(zone, name);
  if (existing.ok()) return ZoneTable{std::move(*existing), false};
  if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
  TARN_ASSIGN_OR_RETURN(engine::StatementShape shape, db.Describe(select_sql));
  std::vector<schema::NestedField> fields;
  int id = 0;
  for (const engine::Column& c : shape.columns) {
    TARN_ASSIGN_OR_RETURN(auto type, IcebergType(c));
    schema::NestedField f;
    f.id = ++id;
    f.name = c.name;
    f.type = type;
    fields.push_back(std::move(f));
  }
  TARN_ASSIGN_OR_RETURN(auto schema, schema::Schema::Make(fields));
  iceberg::PartitionSpec spec;
  for (const std::string& p : partition_by) {
    auto field = iceberg::PartitionFieldFromText(schema, p);
    if (!field.ok()) return FailedPrecondition("partition_by: " + field.status().message());
    spec.fields.push_back(*field);
  }
  TARN_ASSIGN_OR_RETURN(auto md, iceberg::NewTableMetadata(schema, spec, iceberg::SortOrder{},
                                                           tables.DefaultLocation(zone, name), properties,
                                                           NewUuid(), Clock::System().Now() / 1000));
  auto created = tables.Create(zone, name, md);
  if (created.status().code() == ErrorCode::kAlreadyExists) {
    TARN_ASSIGN_OR_RETURN(auto loaded, tables.Load(zone, name));
    return ZoneTable{std::move(loaded), false};
  }
  if (!created.ok()) return created.status();
  return ZoneTable{std::move(*created), true};
}

}  // namespace tarn::pipeline
