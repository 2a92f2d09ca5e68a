// CatalogService's schema registry: compatibility checks, field-id assignment, history, diffs
// and evolution of a dataset's schema versions.
#include <nlohmann/json.hpp>

#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/schema/diff.h"
#include "tarn/schema/field_ids.h"
#include "tarn/schema/schema.h"

namespace tarn::catalog {
namespace {

using nlohmann::json;

// Field ids are assigned by the registry, so they do not make two schemas different.
void StripFieldIds(json& j) {
  if (j.is_object()) {
    for (const char* k : {"field-id", "element-id", "key-id", "value-id"}) j.erase(k);
    for (auto& [key, value] : j.items()) StripFieldIds(value);
  } else if (j.is_array()) {
    for (auto& v : j) StripFieldIds(v);
  }
}

struct Candidate {
  std::string canonical;    // canonical JSON as given
  std::string fingerprint;  // of the canonical JSON without field ids
};

Result<Candidate> ParseCandidate(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("schema_json: not valid JSON");
  if (!j.is_object()) {
    return InvalidArgument("schema_json: must be an Avro schema document (a JSON object)");
  }
  if (!j.contains("type")) return FailedPrecondition("schema_json: an Avro schema object needs a \"type\"");
  auto parsed = schema::SchemaFromAvro(j.dump());
  if (!parsed.ok()) return InvalidArgument("schema_json: " + parsed.status().message());
  Candidate c;
  c.canonical = j.dump();
  StripFieldIds(j);
  c.fingerprint = Sha256Hex(j.dump());
  return c;
}

// The highest field id any version ever used: ids are never reused, even after a drop.
Result<int> HighestFieldId(const std::vector<SchemaVersion>& versions) {
  int highest = 0;
  for (const auto& v : versions) {
    TARN_ASSIGN_OR_RETURN(auto s, schema::SchemaFromAvro(v.schema_json));
    highest = std::max(highest, s.highest_field_id());
  }
  return highest;
}

const SchemaVersion* FindVersion(const std::vector<SchemaVersion>& versions, int number) {
  for (const auto& v : versions) {
    if (v.version == number) return &v;
  }
  return nullptr;
}

}  // namespace

Result<SchemaCheck> CatalogService::CheckSchema(const std::string& dataset_id,
                                                const std::string& schema_json) {
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(Candidate c, ParseCandidate(schema_json));
  TARN_ASSIGN_OR_RETURN(auto versions, store_->ListSchemaVersions(dataset.id));
  SchemaCheck check;
  check.mode = dataset.compatibility;
  std::vector<std::string> previous;
  for (const auto& v : versions) {
    if (v.fingerprint == c.fingerprint) return check;  // identical: nothing to check
    previous.push_back(v.schema_json);
  }
  schema::CompatibilityMode mode;
  if (!schema::ParseCompatibilityMode(dataset.compatibility, &mode)) {
    return Internal("dataset " + dataset.name + " has unknown compatibility " + dataset.compatibility);
  }
  TARN_ASSIGN_OR_RETURN(check.incompatibilities,
                        schema::CheckCompatibility(c.canonical, previous, mode));
  return check;
}

Result<RegisteredSchema> CatalogService::RegisterSchema(const std::string& dataset_id,
                                                        const std::string& schema_json,
                                                        bool set_current) {
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(Candidate c, ParseCandidate(schema_json));
  TARN_ASSIGN_OR_RETURN(auto versions, store_->ListSchemaVersions(dataset.id));
  for (const auto& v : versions) {
    if (v.fingerprint == c.fingerprint) {
      return store_->AddSchemaVersion(dataset.id, v.schema_json, v.fingerprint, set_current);
    }
  }
  TARN_ASSIGN_OR_RETURN(SchemaCheck check, CheckSchema(dataset.id, schema_json));
  if (!check.compatible()) {
    const auto& first = check.incompatibilities.front();
    return Conflict("schema is incompatible under " + check.mode + ": " + first.path + ": " +
                    first.message +
                    (check.incompatibilities.size() > 1
                         ? " (and " + std::to_string(check.incompatibilities.size() - 1) + " more)"
                         : ""));
  }
  // Ids continue from the latest version: kept by path or declared rename, new above all.
  std::optional<schema::Schema> previous;
  if (!versions.empty()) {
    TARN_ASSIGN_OR_RETURN(previous, schema::SchemaFromAvro(versions.back().schema_json));
  }
  TARN_ASSIGN_OR_RETURN(int highest, HighestFieldId(versions));
  TARN_ASSIGN_OR_RETURN(auto assigned, schema::AssignFieldIds(c.canonical, previous, highest));
  TARN_ASSIGN_OR_RETURN(std::string stored, CanonicalJson(assigned.avro_json));
  return store_->AddSchemaVersion(dataset.id, stored, c.fingerprint, set_current);
}

Status CatalogService::SetCompatibility(const std::string& dataset_id, const std::string& mode) {
  schema::CompatibilityMode parsed;
  if (!schema::ParseCompatibilityMode(mode, &parsed)) {
    return FailedPrecondition("compatibility: '" + mode +
                              "' is not one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, "
                              "FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE");
  }
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  return store_->SetCompatibility(dataset.id, std::string(schema::ToString(parsed)));
}

Result<SchemaVersion> CatalogService::SchemaAsOf(const std::string& dataset_id,
                                                 const std::string& as_of) {
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  auto at = ParseIsoTimestamp(as_of);
  if (!at.ok()) return FailedPrecondition("as_of: " + at.status().message());
  TARN_ASSIGN_OR_RETURN(auto version, store_->SchemaVersionAsOf(dataset.id, *at));
  if (!version) return NotFound("dataset " + dataset.name + " had no current schema at " + as_of);
  return *version;
}

Result<std::string> CatalogService::DiffSchemas(const std::string& dataset_id, int v1, int v2) {
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto versions, store_->ListSchemaVersions(dataset.id));
  const SchemaVersion* a = FindVersion(versions, v1);
  const SchemaVersion* b = FindVersion(versions, v2);
  if (!a || !b) {
    return NotFound("dataset " + dataset.name + " has no schema version " +
                    std::to_string(a ? v2 : v1));
  }
  TARN_ASSIGN_OR_RETURN(auto from, schema::SchemaFromAvro(a->schema_json));
  TARN_ASSIGN_OR_RETURN(auto to, schema::SchemaFromAvro(b->schema_json));
  return schema::SchemaDiffToJson(schema::DiffSchemas(from, to));
}

Result<RegisteredSchema> CatalogService::EvolveSchema(const std::string& dataset_id,
                                                      const std::vector<schema::EvolutionOp>& ops) {
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  if (dataset.zone == Zone::kRaw) {
    return FailedPrecondition("dataset raw." + dataset.name +
                              ": raw schemas follow their sources; register a new version instead");
  }
  if (ops.empty()) return FailedPrecondition("operations: none given");
  TARN_ASSIGN_OR_RETURN(auto versions, store_->ListSchemaVersions(dataset.id));
  const SchemaVersion* current = nullptr;
  for (const auto& v : versions) {
    if (v.is_current) current = &v;
  }
  if (!current) return FailedPrecondition("dataset " + dataset.name + " has no schema to evolve");
  TARN_ASSIGN_OR_RETURN(auto base, schema::SchemaFromAvro(current->schema_json));
  TARN_ASSIGN_OR_RETURN(int highest, HighestFieldId(versions));
  TARN_ASSIGN_OR_RETURN(auto evolved, schema::ApplyEvolution(base, ops, &highest));
  std::string name = json::parse(current->schema_json).value("name", dataset.name);
  TARN_ASSIGN_OR_RETURN(std::string stored, CanonicalJson(schema::SchemaToAvro(evolved, name)));
  json stripped = json::parse(stored);
  StripFieldIds(stripped);
  return store_->AddSchemaVersion(dataset.id, stored, Sha256Hex(stripped.dump()), true);
}

}  // namespace tarn::catalog
