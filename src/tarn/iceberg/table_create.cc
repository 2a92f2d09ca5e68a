// NewTableMetadata: the metadata of a table before its first commit.
#include <algorithm>
#include <memory>

#include "tarn/iceberg/table_update.h"

namespace tarn::iceberg {
namespace {

using schema::NestedField;
using schema::Type;
using schema::TypeId;

bool AllIdsSet(const NestedField& f);

bool AllIdsSet(const std::vector<NestedField>& fields) {
  return std::all_of(fields.begin(), fields.end(),
                     [](const NestedField& f) { return AllIdsSet(f); });
}

bool AllIdsSet(const NestedField& f) {
  if (f.id <= 0 || f.type == nullptr) return false;
  switch (f.type->id) {
    case TypeId::kStruct:
      return AllIdsSet(f.type->fields);
    case TypeId::kList:
      return AllIdsSet(f.type->element);
    case TypeId::kMap:
      return AllIdsSet(f.type->key) && AllIdsSet(f.type->value);
    default:
      return true;
  }
}

// Pre-order: a field's id comes before its children's.
NestedField Renumber(const NestedField& f, int& next) {
  NestedField out = f;
  out.id = next++;
  if (f.type->id != TypeId::kStruct && f.type->id != TypeId::kList && f.type->id != TypeId::kMap) {
    return out;
  }
  auto type = std::make_shared<Type>(*f.type);
  for (NestedField& child : type->fields) child = Renumber(child, next);
  if (type->id == TypeId::kList) type->element = Renumber(type->element, next);
  if (type->id == TypeId::kMap) {
    type->key = Renumber(type->key, next);
    type->value = Renumber(type->value, next);
  }
  out.type = std::move(type);
  return out;
}

Result<schema::Schema> WithFieldIds(const schema::Schema& schema) {
  if (AllIdsSet(schema.fields())) return schema;
  if (!schema.identifier_field_ids().empty()) {
    return InvalidArgument("identifier field ids need a schema whose field ids are assigned");
  }
  int next = 1;
  std::vector<NestedField> fields;
  for (const NestedField& f : schema.fields()) fields.push_back(Renumber(f, next));
  return schema::Schema::Make(std::move(fields));
}

Result<PartitionSpec> FreshSpec(const PartitionSpec& spec, const schema::Schema& schema) {
  PartitionSpec out{.spec_id = 0, .fields = spec.fields};
  for (size_t i = 0; i < out.fields.size(); ++i) {
    out.fields[i].field_id = 1000 + static_cast<int>(i);
    if (out.fields[i].name.empty()) {
      out.fields[i].name = DefaultPartitionFieldName(schema, out.fields[i]);
    }
  }
  TARN_RETURN_IF_ERROR(PartitionType(out, schema).status());
  return out;
}

Result<SortOrder> FreshOrder(const SortOrder& order, const schema::Schema& schema) {
  for (const SortField& f : order.fields) {
    if (schema.FindById(f.source_id) == nullptr) {
      return InvalidArgument("sort order: Cannot find source column: " +
                             std::to_string(f.source_id));
    }
  }
  return SortOrder{.order_id = order.fields.empty() ? 0 : 1, .fields = order.fields};
}

}  // namespace

Result<TableMetadata> NewTableMetadata(const schema::Schema& schema, const PartitionSpec& spec,
                                       const SortOrder& order, std::string location,
                                       std::map<std::string, std::string> properties,
                                       std::string uuid, int64_t now_ms) {
  if (uuid.empty()) return InvalidArgument("a new table needs a uuid");
  if (location.empty()) return InvalidArgument("a new table needs a location");
  TARN_ASSIGN_OR_RETURN(schema::Schema fresh, WithFieldIds(schema));
  TARN_ASSIGN_OR_RETURN(PartitionSpec fresh_spec, FreshSpec(spec, fresh));
  TARN_ASSIGN_OR_RETURN(SortOrder fresh_order, FreshOrder(order, fresh));
  TableMetadata md;
  md.format_version = 2;
  md.table_uuid = std::move(uuid);
  md.location = std::move(location);
  md.last_updated_ms = now_ms;
  md.last_column_id = fresh.highest_field_id();
  md.schemas.emplace_back(0, std::move(fresh));
  md.last_partition_id = 999 + static_cast<int>(fresh_spec.fields.size());
  md.specs.push_back(std::move(fresh_spec));
  md.default_sort_order_id = fresh_order.order_id;
  md.sort_orders.push_back(std::move(fresh_order));
  md.properties = std::move(properties);
  return md;
}

}  // namespace tarn::iceberg
