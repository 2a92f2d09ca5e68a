#include "tarn/format/schema_inference.h"

#include <simdjson.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "tarn/format/json_to_avro.h"
#include "tarn/format/json_to_avro_converter.h"
#include "tarn/format/json_to_avro_scalars.h"

namespace tarn::format {
namespace {

using Json = nlohmann::ordered_json;
using simdjson::dom::element_type;

struct ObjectShape;

// What one field (or array element) held across the samples; nulls leave no trace.
struct Shape {
  bool boolean = false, integer = false, real = false, text = false;
  bool object = false, array = false;
  std::unique_ptr<ObjectShape> fields;  // when object
  std::unique_ptr<Shape> items;         // when array
};

struct ObjectShape {
  std::vector<std::pair<std::string, Shape>> fields;  // first-appearance order
  std::unordered_map<std::string, size_t> index;
};

bool IsAvroName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string Sanitize(std::string_view key) {
  std::string out;
  for (char c : key) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "_");
  return out;
}

// Accumulates Shapes over the samples, then renders them as Avro types. Single use.
class Inferrer {
 public:
  explicit Inferrer(bool text) : text_(text) {
    // Named types may not take a primitive type's name.
    for (const char* p : {"null", "boolean", "int", "long", "float", "double", "string", "bytes"}) {
      names_.insert(p);
    }
  }

  void Observe(Shape& s, simdjson::dom::element e) {
    switch (e.type()) {
      case element_type::NULL_VALUE:
        return;
      case element_type::BOOL:
        s.boolean = true;
        return;
      case element_type::INT64:
        s.integer = true;
        return;
      case element_type::UINT64:
      case element_type::DOUBLE:
        s.real = true;
        return;
      case element_type::STRING:
        ObserveString(s, e.get_string().value_unsafe());
        return;
      case element_type::ARRAY:
        s.array = true;
        if (!s.items) s.items = std::make_unique<Shape>();
        for (simdjson::dom::element item : simdjson::dom::array(e.get_array().value_unsafe())) {
          Observe(*s.items, item);
        }
        return;
      case element_type::OBJECT:
        s.object = true;
        if (!s.fields) s.fields = std::make_unique<ObjectShape>();
        for (auto kv : simdjson::dom::object(e.get_object().value_unsafe())) {
          std::string key(kv.key);
          auto [it, fresh] = s.fields->index.emplace(key, s.fields->fields.size());
          if (fresh) s.fields->fields.emplace_back(key, Shape());
          Observe(s.fields->fields[it->second].second, kv.value);
        }
        return;
    }
  }

  // The nullable Avro type of a field: ["null", T].
  Json Nullable(const Shape& s, const std::string& path) {
    return Json::array({"null", Type(s, path)});
  }

  Json Record(const ObjectShape& shape, const std::string& name, const std::string& path) {
    Json fields = Json::array();
    std::set<std::string> used;
    for (const auto& [key, shape] : shape.fields) {
      std::string field = IsAvroName(key) ? key : Sanitize(key);
      for (int n = 2; used.count(field); ++n) field = Sanitize(key) + "_" + std::to_string(n);
      used.insert(field);
      std::string sub = path.empty() ? field : path + "_" + field;
      Json f = {{"name", field}, {"type", Nullable(shape, sub)}, {"default", nullptr}};
      if (field != key) f["tarn.json_name"] = key;
      fields.push_back(std::move(f));
    }
    return Json{{"type", "record"}, {"name", name}, {"fields", std::move(fields)}};
  }

  std::string UniqueName(const std::string& base) {
    std::string name = base;
    for (int n = 2; !names_.insert(name).second; ++n) name = base + "_" + std::to_string(n);
    return name;
  }

 private:
  void ObserveString(Shape& s, std::string_view v) {
    if (!text_) {
      s.text = true;
      return;
    }
    bool b;
    if (internal::TrimAscii(v).empty()) return;  // kText reads "" as null
    if (internal::ParseBoolText(v, &b)) {
      s.boolean = true;
    } else if (internal::IsPlainIntText(v)) {
      s.integer = true;
    } else if (internal::IsPlainNumberText(v)) {
      s.real = true;
    } else {
      s.text = true;
    }
  }

  Json Type(const Shape& s, const std::string& path) {
    int scalar = s.boolean + (s.integer || s.real) + s.text;
    int kinds = scalar + s.object + s.array;
    if (kinds != 1) return "string";  // never seen, or mixed
    if (s.object) return Record(*s.fields, UniqueName(path), path);
    if (s.array) {
      return Json{{"type", "array"}, {"items", Nullable(*s.items, path + "_item")}};
    }
    if (s.text) return "string";
    if (s.boolean) return "boolean";
    return s.real ? "double" : "long";
  }

  bool text_;
  std::set<std::string> names_;
};

}  // namespace

Result<std::string> InferAvroSchema(const std::vector<std::string>& json_samples, ValueMode mode,
                                    const std::string& name) {
  if (json_samples.empty()) return InvalidArgument("no samples to infer a schema from");
  const std::string record_name = IsAvroName(name) ? name : Sanitize(name);
  Inferrer inferrer(mode == ValueMode::kText);
  Shape top;
  simdjson::dom::parser parser;
  for (size_t i = 0; i < json_samples.size(); ++i) {
    simdjson::dom::element doc;
    if (auto error = parser.parse(json_samples[i]).get(doc)) {
      return InvalidArgument("sample " + std::to_string(i) +
                             ": not valid JSON: " + simdjson::error_message(error));
    }
    if (doc.type() != element_type::OBJECT) {
      return InvalidArgument("sample " + std::to_string(i) + ": expected a JSON object, got " +
                             internal::DescribeJson(doc));
    }
    inferrer.Observe(top, doc);
  }
  (void)inferrer.UniqueName(record_name);
  static const ObjectShape kEmpty;
  Json schema = inferrer.Record(top.fields ? *top.fields : kEmpty, record_name, "");
  schema["namespace"] = "tarn.inferred";
  // Key order: type, name, namespace, fields.
  Json ordered = {{"type", "record"},
                  {"name", record_name},
                  {"namespace", "tarn.inferred"},
                  {"fields", schema["fields"]}};
  std::string text = ordered.dump();
  auto check = JsonToAvro::Make(text);
  if (!check.ok()) return Internal("inferred an unusable schema: " + check.status().message());
  return text;
}

}  // namespace tarn::format
