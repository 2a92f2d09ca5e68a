#include "tarn/format/json_to_avro.h"

#include <algorithm>
#include <cstring>

#include "tarn/format/json_to_avro_converter.h"
#include "tarn/format/json_to_avro_scalars.h"

namespace tarn::format {

using internal::AvroKind;
using internal::Converter;
using internal::PlanField;
using internal::PlanNode;
using internal::SchemaPlan;

Result<std::unique_ptr<JsonToAvro>> JsonToAvro::Make(const std::string& schema_json) {
  std::unique_ptr<JsonToAvro> j(new JsonToAvro());
  TARN_ASSIGN_OR_RETURN(j->plan_, SchemaPlan::Build(schema_json));
  j->iface_ = avro_generic_class_from_schema(j->plan_->avro_schema());
  if (j->iface_ == nullptr) return Internal(std::string("avro-c: ") + avro_strerror());
  j->converter_ = std::make_unique<Converter>(j->plan_.get());
  // Every default must convert into its field's type, so Convert can rely on them. (A dry
  // run: avro-c cannot build a value class for a part of a recursive schema.)
  for (const PlanNode* record : j->plan_->records()) {
    for (const PlanField& f : record->fields) {
      if (!f.has_default) continue;
      Status st = j->converter_->ConvertDefault(f);
      if (!st.ok()) {
        return InvalidArgument("field " + f.name + " of " + record->display + ": default " +
                               simdjson::minify(f.default_value) + " does not fit " +
                               f.type->display + ": " + st.message());
      }
    }
  }
  return j;
}

JsonToAvro::~JsonToAvro() {
  if (iface_) avro_value_iface_decref(iface_);
}

Status JsonToAvro::Convert(std::string_view json, ValueMode mode, avro_value_t* out) {
  return converter_->Convert(json, mode, out);
}

const std::string& JsonToAvro::schema_json() const { return plan_->canonical_json(); }

avro_schema_t JsonToAvro::avro_schema() const { return plan_->avro_schema(); }

Status JsonToAvro::NewValue(avro_value_t* out) const {
  if (avro_generic_value_new(iface_, out) != 0) {
    return Internal(std::string("avro-c: ") + avro_strerror());
  }
  return Status::OK();
}

namespace internal {

using simdjson::dom::element_type;

std::string DescribeJson(simdjson::dom::element e) {
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      constexpr size_t kMax = 60;
      std::string out = "string ";
      if (s.size() <= kMax) {
        AppendJsonString(&out, s);
      } else {
        size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        AppendJsonString(&out, s.substr(0, cut));
        out.insert(out.size() - 1, "...");
      }
      return out;
    }
    case element_type::INT64:
      return "number " + std::to_string(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return "number " + std::to_string(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return "number " + DoubleText(e.get_double().value_unsafe());
    case element_type::BOOL:
      return e.get_bool().value_unsafe() ? "boolean true" : "boolean false";
    case element_type::NULL_VALUE:
      return "null";
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
  }
  return "value";
}

Status Converter::Convert(std::string_view json, ValueMode mode, avro_value_t* out) {
  text_ = mode == ValueMode::kText;
  seen_top_ = 0;
  if (json_buf_.size() < json.size() + simdjson::SIMDJSON_PADDING) {
    json_buf_.resize(json.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(json_buf_.data(), json.data(), json.size());
  simdjson::dom::element doc;
  auto error = parser_.parse(json_buf_.data(), json.size(), false).get(doc);
  if (error)
    return InvalidArgument(std::string("not valid JSON: ") + simdjson::error_message(error));
  if (doc.type() != element_type::OBJECT) {
    return InvalidArgument("expected a JSON object, got " + DescribeJson(doc));
  }
  if (int rc = avro_value_reset(out)) return Internal("avro-c reset: " + std::to_string(rc));
  if (!Record(plan_->root(), doc, out)) return TakeError();
  return Status::OK();
}

Status Converter::ConvertDefault(const PlanField& field) {
  text_ = false;
  seen_top_ = 0;
  if (!Value(*field.type, field.default_value, nullptr)) return TakeError();
  return Status::OK();
}

bool Converter::Value(const PlanNode& n, Element e, avro_value_t* out, bool stringify) {
  switch (n.kind) {
    case AvroKind::kNull:
      return Null(n, e, out);
    case AvroKind::kBoolean:
      return Boolean(n, e, out);
    case AvroKind::kInt:
      return Int(n, e, out);
    case AvroKind::kLong:
      return Long(n, e, out);
    case AvroKind::kFloat:
    case AvroKind::kDouble:
      return Floating(n, e, out);
    case AvroKind::kString:
      return String(n, e, out, stringify);
    case AvroKind::kBytes:
    case AvroKind::kFixed:
      return BytesOrFixed(n, e, out);
    case AvroKind::kEnum:
      return Enum(n, e, out);
    case AvroKind::kArray:
      return Array(n, e, out);
    case AvroKind::kMap:
      return Map(n, e, out);
    case AvroKind::kRecord:
      return Record(n, e, out);
    case AvroKind::kUnion:
      return Union(n, e, out);
  }
  return Fail("unsupported type");
}

bool Converter::Record(const PlanNode& n, Element e, avro_value_t* out) {
  if (e.type() != element_type::OBJECT) return Expected(n, e);
  const size_t nf = n.fields.size();
  const size_t base = seen_top_;
  if (seen_.size() < base + nf) seen_.resize(base + nf);
  std::fill(seen_.begin() + base, seen_.begin() + base + nf, 0);
  seen_top_ = base + nf;
  struct Restore {
    size_t& top;
    size_t value;
    ~Restore() { top = value; }
  } restore{seen_top_, base};

  size_t expect = 0;  // JSON keys usually come in schema order: try the next field first
  const simdjson::dom::object object = e.get_object().value_unsafe();
  for (auto kv : object) {
    int idx;
    if (expect < nf && n.fields[expect].json_name == kv.key) {
      idx = static_cast<int>(expect);
    } else {
      idx = n.FieldIndex(kv.key);
      if (idx < 0) continue;  // fields the schema does not name are ignored
    }
    expect = static_cast<size_t>(idx) + 1;
    const PlanField& f = n.fields[idx];
    if (seen_[base + idx]) {
      error_path_.push_back(f.json_name);
      return Fail("duplicate key");
    }
    seen_[base + idx] = 1;
    avro_value_t storage, *child;
    if (!Child(out, idx, &storage, &child)) return false;
    if (!Value(*f.type, kv.value, child)) {
      error_path_.push_back(f.json_name);
      return false;
    }
  }
  for (size_t i = 0; i < nf; ++i) {
    if (seen_[base + i]) continue;
    avro_value_t storage, *child;
    if (!Child(out, i, &storage, &child)) return false;
    if (!Missing(n.fields[i], child)) {
      error_path_.push_back(n.fields[i].json_name);
      return false;
    }
  }
  return true;
}

bool Converter::Missing(const PlanField& f, avro_value_t* out) {
  if (f.has_default) {
    bool text = text_;
    text_ = false;  // defaults are Avro JSON, typed
    bool ok = Value(*f.type, f.default_value, out);
    text_ = text;
    return ok;
  }
  const PlanNode& t = *f.type;
  if (t.kind == AvroKind::kNull) return !out || AvroFailed(avro_value_set_null(out));
  if (t.null_branch >= 0) {
    avro_value_t storage, *branch;
    if (!Branch(out, t.null_branch, &storage, &branch)) return false;
    return !branch || AvroFailed(avro_value_set_null(branch));
  }
  return Fail("missing required field");
}

bool Converter::TryBranch(const PlanNode& n, int b, Element e, avro_value_t* out, bool stringify) {
  avro_value_t storage, *branch;
  if (!Branch(out, b, &storage, &branch)) return false;
  error_.clear();
  error_path_.clear();
  return Value(*n.branches[b], e, branch, stringify);
}

bool Converter::Union(const PlanNode& n, Element e, avro_value_t* out) {
  const auto type = e.type();
  if (type == element_type::NULL_VALUE || (n.null_branch >= 0 && IsEmptyText(e))) {
    if (n.null_branch < 0) return Expected(n, e);
    return TryBranch(n, n.null_branch, e, out, false);
  }
  // Avro's JSON encoding of unions: {"long": 5}, {"tarn.User": {...}}.
  if (type == element_type::OBJECT) {
    auto obj = e.get_object().value_unsafe();
    if (obj.size() == 1) {
      auto kv = *obj.begin();
      int b = n.BranchByTag(kv.key);
      if (b >= 0 && b != n.null_branch && TryBranch(n, b, kv.value, out, true)) return true;
      if (failed_internal_) return false;
    }
  }
  // The first branch the value converts to; strings take other scalars only as a last resort.
  int tried = 0;
  std::string first_error;
  std::vector<std::string> first_path;
  for (size_t b = 0; b < n.branches.size(); ++b) {
    if (static_cast<int>(b) == n.null_branch) continue;
    if (TryBranch(n, static_cast<int>(b), e, out, false)) return true;
    if (failed_internal_) return false;
    if (tried++ == 0) first_error = error_, first_path = error_path_;
  }
  for (size_t b = 0; b < n.branches.size(); ++b) {
    const PlanNode& branch = *n.branches[b];
    if (branch.kind != AvroKind::kString || branch.logical != internal::LogicalType::kNone) {
      continue;
    }
    if (TryBranch(n, static_cast<int>(b), e, out, true)) return true;
    if (failed_internal_) return false;
  }
  if (tried == 1) {
    error_ = std::move(first_error);
    error_path_ = std::move(first_path);
    return false;
  }
  error_path_.clear();
  return Expected(n, e);
}

bool Converter::Array(const PlanNode& n, Element e, avro_value_t* out) {
  if (e.type() != element_type::ARRAY) return Expected(n, e);
  size_t i = 0;
  const simdjson::dom::array array = e.get_array().value_unsafe();
  for (Element item : array) {
    avro_value_t storage, *child = nullptr;
    if (out != nullptr) {
      if (int rc = avro_value_append(out, &storage, nullptr)) return AvroFailed(rc);
      child = &storage;
    }
    if (!Value(*n.items, item, child)) {
      error_path_.push_back("[" + std::to_string(i) + "]");
      return false;
    }
    ++i;
  }
  return true;
}

bool Converter::Map(const PlanNode& n, Element e, avro_value_t* out) {
  if (e.type() != element_type::OBJECT) return Expected(n, e);
  const simdjson::dom::object object = e.get_object().value_unsafe();
  for (auto kv : object) {
    // simdjson keeps a NUL after every string, so kv.key.data() is a C string.
    auto key_path = [&] {
      std::string seg = "[";
      AppendJsonString(&seg, kv.key);
      return seg + "]";
    };
    if (std::memchr(kv.key.data(), '\0', kv.key.size()) != nullptr) {
      error_path_.push_back(key_path());
      return Fail("map keys may not contain U+0000");
    }
    avro_value_t storage, *child = nullptr;
    if (out != nullptr) {
      int is_new = 0;
      if (int rc = avro_value_add(out, kv.key.data(), &storage, nullptr, &is_new)) {
        return AvroFailed(rc);
      }
      if (!is_new) {
        error_path_.push_back(key_path());
        return Fail("duplicate key");
      }
      child = &storage;
    }
    if (!Value(*n.items, kv.value, child)) {
      error_path_.push_back(key_path());
      return false;
    }
  }
  return true;
}

bool Converter::Child(avro_value_t* out, size_t index, avro_value_t* storage,
                      avro_value_t** child) {
  *child = nullptr;
  if (out == nullptr) return true;
  if (int rc = avro_value_get_by_index(out, index, storage, nullptr)) return AvroFailed(rc);
  *child = storage;
  return true;
}

bool Converter::Branch(avro_value_t* out, int branch, avro_value_t* storage, avro_value_t** child) {
  *child = nullptr;
  if (out == nullptr) return true;
  if (int rc = avro_value_set_branch(out, branch, storage)) return AvroFailed(rc);
  // Selecting the current branch keeps its value: reset it, dropping a failed attempt.
  if (int rc = avro_value_reset(storage)) return AvroFailed(rc);
  *child = storage;
  return true;
}

bool Converter::IsEmptyText(Element e) const {
  return text_ && e.type() == element_type::STRING &&
         TrimAscii(e.get_string().value_unsafe()).empty();
}

bool Converter::Fail(std::string reason) {
  error_ = std::move(reason);
  return false;
}

bool Converter::Expected(const PlanNode& n, Element e) {
  return Fail("expected " + n.display + ", got " + DescribeJson(e));
}

bool Converter::EmptyValue(const PlanNode& n) {
  return Fail("expected " + n.display + ", got an empty value (the field is not nullable)");
}

bool Converter::AvroFailed(int rc) {
  if (rc == 0) return true;
  failed_internal_ = true;
  return Fail(std::string("avro-c refused the value: ") + avro_strerror());
}

Status Converter::TakeError() {
  std::string path;
  for (auto it = error_path_.rbegin(); it != error_path_.rend(); ++it) {
    if (!path.empty() && (*it)[0] != '[') path += '.';
    path += *it;
  }
  std::string message = path.empty() ? error_ : "field " + path + ": " + error_;
  bool internal = failed_internal_;
  failed_internal_ = false;
  error_.clear();
  error_path_.clear();
  if (internal) return Internal(std::move(message));
  return InvalidArgument(std::move(message));
}

}  // namespace internal
}  // namespace tarn::format
