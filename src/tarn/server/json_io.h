// JSON in and out of the REST API: typed reads of request fields that name the field on error,
// and the representations of catalog entities (shared with the CLI's --json output).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"

namespace tarn::server {

using Json = nlohmann::json;

// A request body that must be a JSON object. Field readers return kInvalidArgument naming the
// field when it is missing (if required) or of the wrong type.
class JsonBody {
 public:
  // Errors: kInvalidArgument if `text` is not a JSON object.
  static Result<JsonBody> Parse(const std::string& text);
  explicit JsonBody(Json j) : j_(std::move(j)) {}

  // Errors: kInvalidArgument for a field not in `known` (catches typos).
  Status CheckKnown(std::initializer_list<const char*> known) const;
  Result<std::string> String(const char* field, bool required) const;
  Result<int64_t> Int(const char* field, int64_t fallback) const;
  Result<std::optional<double>> OptNumber(const char* field) const;
  Result<bool> Bool(const char* field, bool fallback) const;
  // The field as JSON text, or "" if absent.
  Result<std::string> Document(const char* field, bool required) const;
  bool Has(const char* field) const { return j_.contains(field); }
  const Json& json() const { return j_; }

 private:
  Json j_;
};

Json ToJson(const catalog::DataSource& s);
Json ToJson(const catalog::Dataset& d);
Json ToJson(const catalog::SchemaVersion& v);
Json ToJson(const catalog::Partition& p, const storage::LakeLocation& lake);
// The same JSON as ToJson(p).dump(), appended to `out` directly: listings render thousands of
// partitions per response, and building a document for them costs more than the query.
void AppendPartitionJson(std::string* out, const catalog::Partition& p,
                         const storage::LakeLocation& lake);
void AppendPartitionJson(std::string* out, const catalog::PartitionRow& p,
                         const storage::LakeLocation& lake);
Json ToJson(const catalog::QualityRun& r);
Json ToJson(const catalog::ApiToken& t);
Json ToJson(const catalog::IngestRun& r);
// An alert delivery; `payload` is the JSON document that was sent (redacted), as JSON.
Json ToJson(const catalog::AlertDelivery& d);

}  // namespace tarn::server
