#include "tarn/schema/schema.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

namespace tarn::schema {
namespace {

using IdIndex = std::map<int, std::pair<const NestedField*, std::string>>;

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// The element, key and value fields of a list or map (none for other types).
std::vector<const NestedField*> Children(const Type& t) {
  if (t.id == TypeId::kList) return {&t.element};
  if (t.id == TypeId::kMap) return {&t.key, &t.value};
  return {};
}

Status ValidateType(const Type& t, const std::string& path);

Status ValidateField(const NestedField& f, const std::string& path) {
  if (f.name.empty()) return InvalidArgument(Join(path, "?") + ": a field needs a name");
  std::string where = Join(path, f.name);
  if (!f.type) return InvalidArgument(where + ": a field needs a type");
  if (f.id < 0) return InvalidArgument(where + ": negative field id");
  if (f.default_json && !nlohmann::json::accept(*f.default_json)) {
    return InvalidArgument(where + ": the default is not JSON: " + *f.default_json);
  }
  return ValidateType(*f.type, where);
}

Status ValidateType(const Type& t, const std::string& path) {
  if (t.id == TypeId::kDecimal &&
      (t.precision < 1 || t.precision > 38 || t.scale < 0 || t.scale > t.precision)) {
    return InvalidArgument(path + ": decimal needs 1 <= precision <= 38, 0 <= scale <= precision");
  }
  if (t.id == TypeId::kFixed && t.length <= 0) {
    return InvalidArgument(path + ": fixed needs a length >= 1");
  }
  if (t.id == TypeId::kStruct) {
    std::set<std::string> names;
    for (const NestedField& f : t.fields) {
      TARN_RETURN_IF_ERROR(ValidateField(f, path));
      if (!names.insert(f.name).second) {
        return InvalidArgument(Join(path, f.name) + ": duplicate field name");
      }
    }
  }
  for (const NestedField* c : Children(t)) TARN_RETURN_IF_ERROR(ValidateField(*c, path));
  if (t.id == TypeId::kMap && !t.key.required) {
    return InvalidArgument(Join(path, "key") + ": map keys must be required");
  }
  return Status::OK();
}

void Index(const Type& t, const std::string& path, IdIndex* index, int* highest) {
  std::vector<const NestedField*> fields = Children(t);
  for (const NestedField& f : t.fields) fields.push_back(&f);
  for (const NestedField* f : fields) {
    std::string p = Join(path, f->name);
    if (f->id > 0) index->emplace(f->id, std::make_pair(f, p));
    *highest = std::max(*highest, f->id);
    Index(*f->type, p, index, highest);
  }
}

const NestedField* FindChild(const Type& t, std::string_view name) {
  for (const NestedField& f : t.fields) {
    if (f.name == name) return &f;
  }
  for (const NestedField* c : Children(t)) {
    if (c->name == name) return c;
  }
  return nullptr;
}

bool ParseInt(std::string_view s, int* out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

std::shared_ptr<const Type> MakeType(TypeId id, int precision = 0, int scale = 0, int length = 0) {
  auto t = std::make_shared<Type>();
  t->id = id;
  t->precision = precision;
  t->scale = scale;
  t->length = length;
  return t;
}

}  // namespace

std::string_view TypeIdName(TypeId id) {
  switch (id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kString:
      return "string";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kFixed:
      return "fixed";
    case TypeId::kStruct:
      return "struct";
    case TypeId::kList:
      return "list";
    case TypeId::kMap:
      return "map";
  }
  return "?";
}

std::string TypeToString(const Type& t) {
  auto opt = [](const NestedField& f) {
    return (f.required ? "" : "optional ") + TypeToString(*f.type);
  };
  switch (t.id) {
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kFixed:
      return "fixed[" + std::to_string(t.length) + "]";
    case TypeId::kList:
      return "list<" + opt(t.element) + ">";
    case TypeId::kMap:
      return "map<" + TypeToString(*t.key.type) + ", " + opt(t.value) + ">";
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        out += (i ? ", " : "") + t.fields[i].name + ": " + opt(t.fields[i]);
      }
      return out + ">";
    }
    default:
      return std::string(TypeIdName(t.id));
  }
}

Result<std::shared_ptr<const Type>> ParsePrimitiveType(std::string_view text) {
  static const std::map<std::string_view, TypeId> kSimple = {
      {"boolean", TypeId::kBoolean},
      {"int", TypeId::kInt},
      {"long", TypeId::kLong},
      {"float", TypeId::kFloat},
      {"double", TypeId::kDouble},
      {"date", TypeId::kDate},
      {"time", TypeId::kTime},
      {"timestamp", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestampTz},
      {"string", TypeId::kString},
      {"uuid", TypeId::kUuid},
      {"binary", TypeId::kBinary},
      {"bytes", TypeId::kBinary},
  };
  if (auto it = kSimple.find(text); it != kSimple.end()) return MakeType(it->second);
  auto bad = [&] { return InvalidArgument("unknown type '" + std::string(text) + "'"); };
  if (text.starts_with("decimal(") && text.ends_with(")")) {
    std::string_view inner = text.substr(8, text.size() - 9);
    size_t comma = inner.find(',');
    int p = 0, s = 0;
    if (comma == std::string_view::npos || !ParseInt(inner.substr(0, comma), &p) ||
        !ParseInt(inner.substr(comma + 1), &s)) {
      return bad();
    }
    if (p < 1 || p > 38 || s < 0 || s > p) {
      return InvalidArgument("type '" + std::string(text) +
                             "': decimal needs 1 <= precision <= 38, 0 <= scale <= precision");
    }
    return MakeType(TypeId::kDecimal, p, s);
  }
  if (text.starts_with("fixed[") && text.ends_with("]")) {
    int n = 0;
    if (!ParseInt(text.substr(6, text.size() - 7), &n) || n < 1) return bad();
    return MakeType(TypeId::kFixed, 0, 0, n);
  }
  return bad();
}

Schema::Schema() : root_(MakeType(TypeId::kStruct)), by_id_(std::make_shared<const IdIndex>()) {}

Result<Schema> Schema::Make(std::vector<NestedField> fields, std::vector<int> identifier_ids) {
  auto root = std::make_shared<Type>();
  root->id = TypeId::kStruct;
  root->fields = std::move(fields);
  TARN_RETURN_IF_ERROR(ValidateType(*root, ""));
  auto index = std::make_shared<IdIndex>();
  Schema s;
  Index(*root, "", index.get(), &s.highest_);
  for (int id : identifier_ids) {
    if (!index->count(id)) {
      return InvalidArgument("identifier field id " + std::to_string(id) + " is no field's id");
    }
  }
  s.root_ = std::move(root);
  s.by_id_ = std::move(index);
  s.identifier_ids_ = std::move(identifier_ids);
  return s;
}

const NestedField* Schema::FindById(int id) const {
  auto it = by_id_->find(id);
  return it == by_id_->end() ? nullptr : it->second.first;
}

std::string Schema::PathOf(int id) const {
  auto it = by_id_->find(id);
  return it == by_id_->end() ? std::string() : it->second.second;
}

const NestedField* Schema::FindByName(std::string_view dotted) const {
  const Type* t = root_.get();
  const NestedField* found = nullptr;
  while (!dotted.empty()) {
    size_t dot = dotted.find('.');
    std::string_view part = dotted.substr(0, dot);
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    found = FindChild(*t, part);
    // A list of structs may be walked through without naming its element.
    if (!found && t->id == TypeId::kList) found = FindChild(*t->element.type, part);
    if (!found) return nullptr;
    t = found->type.get();
  }
  return found;
}

}  // namespace tarn::schema
