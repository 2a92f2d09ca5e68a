#include "tarn/catalog/catalog_service.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "tarn/base/crypto.h"
#include "tarn/base/encoding.h"
#include "tarn/base/ids.h"
#include "tarn/catalog/partition_key.h"

namespace tarn::catalog {
namespace {

using nlohmann::json;

Status Rule(std::string message) { return FailedPrecondition(std::move(message)); }

bool IsNameChar(char c, bool allow_dot) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || (allow_dot && c == '.');
}

// Dataset names become directory names and SQL identifiers (zone.name): letters, digits, '_'
// and '-', starting with a letter or '_'. Source names may also contain '.'.
Status CheckName(std::string_view field, const std::string& name, bool allow_dot) {
  if (name.empty()) return Rule(std::string(field) + ": must not be empty");
  if (name.size() > 255) return Rule(std::string(field) + ": longer than 255 characters");
  bool first_ok = std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_' ||
                  (allow_dot && std::isdigit(static_cast<unsigned char>(name[0])));
  for (char c : name) {
    if (!first_ok || !IsNameChar(c, allow_dot)) {
      return Rule(std::string(field) + ": '" + name + "' may contain only letters, digits, '_'" +
                  (allow_dot ? ", '-' and '.'" : " and '-'") + ", and must start with a letter");
    }
  }
  return Status::OK();
}

Status CheckOwner(const std::string& owner) {
  if (owner.empty()) return Rule("owner: must not be empty");
  if (owner.size() > 255) return Rule("owner: longer than 255 characters");
  return Status::OK();
}

bool IsCredentialKey(std::string key) {
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* k : {"password", "passwd", "secret", "token", "api_key", "apikey",
                        "credential", "auth_header", "private_key"}) {
    if (key.find(k) != std::string::npos) return true;
  }
  return false;
}

bool IsReference(const std::string& v) { return v.rfind("env:", 0) == 0 || v.rfind("file:", 0) == 0; }

// True if `v` is a URL with a password in its userinfo ("scheme://user:pass@host").
bool HasUrlPassword(const std::string& v) {
  size_t scheme = v.find("://");
  if (scheme == std::string::npos) return false;
  size_t at = v.find('@', scheme + 3);
  size_t slash = v.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return false;
  return v.substr(scheme + 3, at - scheme - 3).find(':') != std::string::npos;
}

// Credentials in a connection config must be references (env:NAME, file:/path), never clear
// text: the catalog is readable by every operator and backed up everywhere.
Status CheckNoClearSecrets(const json& j, const std::string& path) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      std::string p = path + "." + k;
      if (v.is_string() && IsCredentialKey(k) && !IsReference(v.get<std::string>())) {
        return Rule(p + ": credentials must be references such as env:NAME or file:/path, "
                        "never clear text");
      }
      TARN_RETURN_IF_ERROR(CheckNoClearSecrets(v, p));
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      TARN_RETURN_IF_ERROR(CheckNoClearSecrets(j[i], path + "[" + std::to_string(i) + "]"));
    }
  } else if (j.is_string() && HasUrlPassword(j.get<std::string>())) {
    return Rule(path + ": contains a password in a URL; use a reference such as env:NAME");
  }
  return Status::OK();
}

Status CheckCount(std::string_view field, int64_t v) {
  if (v < 0) return Rule(std::string(field) + ": must not be negative (got " + std::to_string(v) + ")");
  return Status::OK();
}

template <typename E>
Result<E> ParseEnum(std::string_view field, const std::string& value, std::string_view allowed) {
  E out;
  if (!Parse(value, &out)) {
    return Rule(std::string(field) + ": '" + value + "' is not one of " + std::string(allowed));
  }
  return out;
}

std::string EncodeCursor(std::string_view key, std::string_view id) {
  return Base64UrlEncode(std::string(key) + "\n" + std::string(id));
}

Result<std::pair<std::string, std::string>> DecodeCursor(const std::string& cursor) {
  auto raw = Base64UrlDecode(cursor);
  size_t nl = raw ? raw->find('\n') : std::string::npos;
  if (nl == std::string::npos || !IsUuid(raw->substr(nl + 1))) {
    return Rule("cursor: '" + cursor + "' is not a cursor returned by this endpoint");
  }
  return std::make_pair(raw->substr(0, nl), raw->substr(nl + 1));
}

Status CheckId(std::string_view what, const std::string& id) {
  if (!IsUuid(id)) return NotFound("no " + std::string(what) + " with id '" + id + "'");
  return Status::OK();
}

void SetScramKeys(const std::string& secret, ApiToken* t) {
  ScramKeys keys = DeriveScramKeys(secret, kTokenScramSalt, kTokenScramIterations);
  t->scram_stored_key = HexEncode(keys.stored_key);
  t->scram_server_key = HexEncode(keys.server_key);
}

}  // namespace

Result<std::string> CanonicalJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("not valid JSON");
  return j.dump();
}

Result<DataSource> CatalogService::CreateSource(const SourceSpec& spec) {
  TARN_RETURN_IF_ERROR(CheckName("name", spec.name, true));
  TARN_ASSIGN_OR_RETURN(SourceType type,
                        ParseEnum<SourceType>("type", spec.type, "batch, streaming, cdc"));
  TARN_RETURN_IF_ERROR(CheckOwner(spec.owner));
  json config = spec.connection_config.empty() ? json::object()
                                               : json::parse(spec.connection_config, nullptr, false);
  if (config.is_discarded()) return InvalidArgument("connection_config: not valid JSON");
  if (!config.is_object()) return InvalidArgument("connection_config: must be a JSON object");
  TARN_RETURN_IF_ERROR(CheckNoClearSecrets(config, "connection_config"));
  DataSource s;
  s.name = spec.name;
  s.type = type;
  s.connection_config = config.dump();
  s.owner = spec.owner;
  return store_->CreateSource(s);
}

Result<DataSource> CatalogService::SetSourceConfig(const std::string& ref, const std::string& connection_config) {
  TARN_ASSIGN_OR_RETURN(auto source, ResolveSource(ref));
  json config = json::parse(connection_config, nullptr, false);
  if (config.is_discarded()) return InvalidArgument("connection_config: not valid JSON");
  if (!config.is_object()) return InvalidArgument("connection_config: must be a JSON object");
  TARN_RETURN_IF_ERROR(CheckNoClearSecrets(config, "connection_config"));
  return store_->SetSourceConfig(source.id, config.dump());
}

Result<DataSource> CatalogService::GetSource(const std::string& id) {
  TARN_RETURN_IF_ERROR(CheckId("source", id));
  return store_->GetSource(id);
}

Result<DataSource> CatalogService::ResolveSource(const std::string& ref) {
  if (IsUuid(ref)) return store_->GetSource(ref);
  TARN_ASSIGN_OR_RETURN(auto found, store_->FindSourceByName(ref));
  if (!found) return NotFound("no source named '" + ref + "'");
  return *found;
}

Result<UpsertedDataset> CatalogService::UpsertDataset(const DatasetSpec& spec) {
  if (spec.source_id.empty()) return Rule("source_id: must be given");
  TARN_RETURN_IF_ERROR(CheckId("source", spec.source_id));
  TARN_RETURN_IF_ERROR(CheckName("name", spec.name, false));
  TARN_ASSIGN_OR_RETURN(Zone zone, ParseEnum<Zone>("zone", spec.zone, "raw, curated, serving"));
  TARN_RETURN_IF_ERROR(CheckOwner(spec.owner));
  if (spec.sla_hours <= 0 || spec.sla_hours > 24 * 366) {
    return Rule("sla_hours: must be between 1 and 8784 (got " + std::to_string(spec.sla_hours) + ")");
  }
  Dataset d;
  d.source_id = spec.source_id;
  d.name = spec.name;
  d.zone = zone;
  d.owner = spec.owner;
  d.sla_hours = static_cast<int>(spec.sla_hours);
  return store_->UpsertDataset(d);
}

Result<Dataset> CatalogService::GetDataset(const std::string& id) {
  TARN_RETURN_IF_ERROR(CheckId("dataset", id));
  return store_->GetDataset(id);
}

Result<Dataset> CatalogService::ResolveDataset(const std::string& ref) {
  if (IsUuid(ref)) return store_->GetDataset(ref);
  DatasetFilter filter;
  size_t dot = ref.find('.');
  Zone zone;
  if (dot != std::string::npos && Parse(ref.substr(0, dot), &zone)) {
    filter.zone = zone;
    filter.name = ref.substr(dot + 1);
  } else {
    filter.name = ref;
  }
  TARN_ASSIGN_OR_RETURN(auto found, store_->ListDatasets(filter));
  if (found.empty()) return NotFound("no dataset '" + ref + "'");
  if (found.size() > 1) {
    return FailedPrecondition("dataset name '" + ref +
                              "' exists in several zones; write it as zone.name");
  }
  return found[0];
}

Result<std::vector<Dataset>> CatalogService::ListDatasets(const std::string& zone,
                                                          const std::string& source) {
  DatasetFilter filter;
  if (!zone.empty()) {
    TARN_ASSIGN_OR_RETURN(filter.zone, ParseEnum<Zone>("zone", zone, "raw, curated, serving"));
  }
  if (!source.empty()) {
    TARN_ASSIGN_OR_RETURN(auto src, ResolveSource(source));
    filter.source_id = src.id;
  }
  return store_->ListDatasets(filter);
}

Result<std::vector<SchemaVersion>> CatalogService::ListSchemas(const std::string& dataset_id) {
  TARN_ASSIGN_OR_RETURN(auto d, GetDataset(dataset_id));
  return store_->ListSchemaVersions(d.id);
}

Result<std::vector<RegisteredPartition>> CatalogService::RegisterPartitions(
    const std::string& dataset_id, const std::vector<PartitionSpec>& specs) {
  TARN_RETURN_IF_ERROR(CheckId("dataset", dataset_id));
  if (specs.empty()) return Rule("partitions: none given");
  if (specs.size() > kMaxBatch) {
    return Rule("partitions: at most " + std::to_string(kMaxBatch) + " per request");
  }
  std::vector<PartitionInput> inputs;
  inputs.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const PartitionSpec& s = specs[i];
    auto ctx = [&](const Status& st) {
      return specs.size() == 1 ? st : st.WithContext("partitions[" + std::to_string(i) + "]");
    };
    PartitionInput in;
    auto key = ParsePartitionKey(s.partition_key);
    if (!key.ok()) return ctx(key.status());
    in.partition_key = s.partition_key;
    if (s.file_path.empty()) return ctx(Rule("file_path: must be given"));
    auto rel = lake_.Relativize(s.file_path);
    if (!rel.ok()) return ctx(rel.status());
    in.file_path = *rel;
    auto fmt = ParseEnum<FileFormat>("format", s.format, "parquet, avro, json");
    if (!fmt.ok()) return ctx(fmt.status());
    in.format = *fmt;
    Status counts = CheckCount("row_count", s.row_count);
    if (counts.ok()) counts = CheckCount("size_bytes", s.size_bytes);
    if (!counts.ok()) return ctx(counts);
    in.row_count = s.row_count;
    in.size_bytes = s.size_bytes;
    inputs.push_back(std::move(in));
  }
  return store_->RegisterPartitions(dataset_id, inputs);
}

Result<Partition> CatalogService::GetPartition(const std::string& id) {
  TARN_RETURN_IF_ERROR(CheckId("partition", id));
  return store_->GetPartition(id);
}

Result<PartitionListing> CatalogService::ListPartitions(const std::string& dataset_id,
                                                        const PartitionListSpec& spec) {
  TARN_ASSIGN_OR_RETURN(auto dataset, GetDataset(dataset_id));
  return ListPartitions(dataset, spec);
}

// The store query for a listing request. Errors: kInvalidArgument / kFailedPrecondition
// naming the bad parameter.
Result<PartitionQuery> CatalogService::PartitionQueryFor(const Dataset& dataset,
                                                         const PartitionListSpec& spec) {
  PartitionQuery q;
  q.dataset_id = dataset.id;
  if (spec.from) {
    TARN_ASSIGN_OR_RETURN(q.key_from, PartitionKeyBound("from", *spec.from));
  }
  if (spec.to) {
    TARN_ASSIGN_OR_RETURN(q.key_to, PartitionKeyBound("to", *spec.to));
  }
  if (q.key_from && q.key_to && *q.key_to < *q.key_from) {
    return Rule("to: '" + *spec.to + "' is before from '" + *spec.from + "'");
  }
  if (spec.status) {
    TARN_ASSIGN_OR_RETURN(q.status, ParseEnum<PartitionStatus>(
                                        "status", *spec.status, "landed, passed, quarantined, promoted"));
  }
  if (spec.cursor) {
    TARN_ASSIGN_OR_RETURN(q.after, DecodeCursor(*spec.cursor));
  }
  if (spec.limit < 1 || spec.limit > kMaxPartitionPage) {
    return Rule("limit: must be between 1 and " + std::to_string(kMaxPartitionPage));
  }
  q.limit = static_cast<int>(spec.limit);
  return q;
}

Result<PartitionListing> CatalogService::ListPartitions(const Dataset& dataset,
                                                        const PartitionListSpec& spec) {
  TARN_ASSIGN_OR_RETURN(PartitionQuery q, PartitionQueryFor(dataset, spec));
  TARN_ASSIGN_OR_RETURN(auto page, store_->ListPartitions(q));
  PartitionListing out;
  if (page.has_more) {
    out.next_cursor = EncodeCursor(page.partitions.back().partition_key, page.partitions.back().id);
  }
  out.partitions = std::move(page.partitions);
  return out;
}

Result<std::optional<std::string>> CatalogService::VisitPartitions(
    const Dataset& dataset, const PartitionListSpec& spec,
    const std::function<Status(const PartitionRow&)>& fn) {
  TARN_ASSIGN_OR_RETURN(PartitionQuery q, PartitionQueryFor(dataset, spec));
  std::string last_key, last_id;
  TARN_ASSIGN_OR_RETURN(bool has_more, store_->VisitPartitions(q, [&](const PartitionRow& r) {
    last_key = r.partition_key;
    last_id = r.id;
    return fn(r);
  }));
  if (!has_more) return std::optional<std::string>();
  return std::optional<std::string>(EncodeCursor(last_key, last_id));
}

Result<QualityRunOutcome> CatalogService::RecordQualityRun(const std::string& partition_id,
                                                           const QualityRunSpec& spec) {
  TARN_RETURN_IF_ERROR(CheckId("partition", partition_id));
  TARN_ASSIGN_OR_RETURN(QualityStatus status,
                        ParseEnum<QualityStatus>("status", spec.status, "passed, failed, skipped"));
  TARN_RETURN_IF_ERROR(CheckCount("rules_passed", spec.rules_passed));
  TARN_RETURN_IF_ERROR(CheckCount("rules_failed", spec.rules_failed));
  if (spec.rules_passed > INT32_MAX || spec.rules_failed > INT32_MAX) {
    return Rule("rules_passed/rules_failed: too large");
  }
  if (status == QualityStatus::kPassed && spec.rules_failed > 0) {
    return Rule("status: 'passed' contradicts rules_failed=" + std::to_string(spec.rules_failed) +
                "; a partition with failed rules must not pass");
  }
  if (spec.anomaly_score && (!std::isfinite(*spec.anomaly_score) || *spec.anomaly_score < 0)) {
    return Rule("anomaly_score: must be a finite number >= 0");
  }
  QualityRun run;
  run.partition_id = partition_id;
  run.status = status;
  run.rules_passed = static_cast<int>(spec.rules_passed);
  run.rules_failed = static_cast<int>(spec.rules_failed);
  run.anomaly_score = spec.anomaly_score;
  run.details = spec.details;
  TARN_ASSIGN_OR_RETURN(auto recorded, store_->RecordQualityRun(run));
  QualityRunOutcome out{recorded.run, recorded.partition_status, false};
  // Promotion needs a passing run: only passed (or already promoted) partitions may go on.
  out.promotion_blocked = recorded.partition_status != PartitionStatus::kPassed &&
                          recorded.partition_status != PartitionStatus::kPromoted;
  return out;
}

Result<std::vector<QualityRun>> CatalogService::ListQualityRuns(const std::string& partition_id) {
  TARN_ASSIGN_OR_RETURN(auto p, GetPartition(partition_id));
  return store_->ListQualityRuns(p.id);
}

Result<IngestRun> CatalogService::GetIngestRun(const std::string& id) {
  TARN_RETURN_IF_ERROR(CheckId("ingest run", id));
  return store_->GetIngestRun(id);
}

Result<IssuedToken> CatalogService::IssueToken(const std::string& name, const std::string& grants) {
  if (name.empty() || name.size() > 255) return Rule("name: must be 1 to 255 characters");
  TARN_ASSIGN_OR_RETURN(Grants g, Grants::Parse(grants));
  IssuedToken out;
  out.secret = NewSecretToken("tarn_");
  ApiToken t;
  t.name = name;
  t.token_hash = Sha256Hex(out.secret);
  t.grants = g.ToString();
  SetScramKeys(out.secret, &t);
  TARN_ASSIGN_OR_RETURN(out.token, store_->CreateToken(t));
  return out;
}

Result<Grants> CatalogService::Authenticate(const std::string& secret) {
  if (secret.empty()) return Unauthenticated("no token given");
  TARN_ASSIGN_OR_RETURN(auto token, store_->FindToken(Sha256Hex(secret)));
  if (!token) return Unauthenticated("the token is unknown or revoked");
  return Grants::Parse(token->grants);
}

Status CatalogService::RevokeToken(const std::string& id) {
  TARN_RETURN_IF_ERROR(CheckId("token", id));
  return store_->RevokeToken(id);
}

Status CatalogService::EnsureAdminToken(const std::string& name, const std::string& secret) {
  std::string hash = Sha256Hex(secret);
  ApiToken t;
  SetScramKeys(secret, &t);
  TARN_ASSIGN_OR_RETURN(auto existing, store_->FindToken(hash));
  if (existing) {
    if (existing->scram_stored_key == t.scram_stored_key &&
        existing->scram_server_key == t.scram_server_key) {
      return Status::OK();
    }
    return store_->SetTokenScramKeys(existing->id, t.scram_stored_key, t.scram_server_key);
  }
  t.name = name;
  t.token_hash = hash;
  t.grants = Grants::Admin().ToString();
  Status st = store_->CreateToken(t).status();
  // Another process may have registered the same token concurrently.
  return st.code() == ErrorCode::kAlreadyExists ? Status::OK() : st;
}

Result<std::vector<TokenScramVerifier>> CatalogService::ScramVerifiers() {
  TARN_ASSIGN_OR_RETURN(auto tokens, store_->ListTokens());
  std::vector<TokenScramVerifier> out;
  for (const ApiToken& t : tokens) {
    if (t.revoked_at) continue;
    auto stored = HexDecode(t.scram_stored_key);
    auto server = HexDecode(t.scram_server_key);
    if (!stored || !server || stored->size() != 32 || server->size() != 32) continue;
    auto grants = Grants::Parse(t.grants);
    if (!grants.ok()) continue;  // unreachable: grants are stored in canonical form
    out.push_back({t.id, std::move(*stored), std::move(*server), *grants});
  }
  return out;
}

}  // namespace tarn::catalog
