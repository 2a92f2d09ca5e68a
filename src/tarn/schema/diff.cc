#include "tarn/schema/diff.h"

#include <map>
#include <nlohmann/json.hpp>

namespace tarn::schema {
namespace {

using Json = nlohmann::ordered_json;

// One field of a flattened schema.
struct Flat {
  std::string key;         // "#<id>", or "@<path>" without an id
  std::string parent_key;  // "" for top-level fields
  std::string path;
  const NestedField* field = nullptr;
};

std::string KeyOf(const NestedField& f, const std::string& path) {
  return f.id > 0 ? "#" + std::to_string(f.id) : "@" + path;
}

void Flatten(const Type& t, const std::string& parent_key, const std::string& path,
             std::vector<Flat>* out) {
  std::vector<const NestedField*> children;
  for (const NestedField& f : t.fields) children.push_back(&f);
  if (t.id == TypeId::kList) children = {&t.element};
  if (t.id == TypeId::kMap) children = {&t.key, &t.value};
  for (const NestedField* f : children) {
    std::string p = path.empty() ? f->name : path + "." + f->name;
    out->push_back({KeyOf(*f, p), parent_key, p, f});
    Flatten(*f->type, out->back().key, p, out);
  }
}

bool IsNested(TypeId id) {
  return id == TypeId::kStruct || id == TypeId::kList || id == TypeId::kMap;
}

bool Promotes(const Type& a, const Type& b) {
  auto rank = [](TypeId id) {
    switch (id) {
      case TypeId::kInt:
        return 1;
      case TypeId::kLong:
        return 2;
      case TypeId::kFloat:
        return 3;
      case TypeId::kDouble:
        return 4;
      default:
        return 0;
    }
  };
  if (rank(a.id) && rank(b.id)) return rank(a.id) < rank(b.id);
  if (a.id == TypeId::kDecimal && b.id == TypeId::kDecimal) {
    return a.scale == b.scale && b.precision > a.precision;
  }
  return (a.id == TypeId::kString && b.id == TypeId::kBinary) ||
         (a.id == TypeId::kBinary && b.id == TypeId::kString);
}

// The type as a diff shows it: primitives in full, nested types by kind.
std::string ShortType(const Type& t) {
  return IsNested(t.id) ? std::string(TypeIdName(t.id)) : TypeToString(t);
}

void CompareType(const Flat& a, const Flat& b, SchemaDiff* diff) {
  const Type& ta = *a.field->type;
  const Type& tb = *b.field->type;
  if (IsNested(ta.id) && ta.id == tb.id) return;
  std::string from = ShortType(ta), to = ShortType(tb);
  if (from == to) return;
  DiffTypeChange change{b.field->id, b.path, from, to};
  (Promotes(ta, tb) ? diff->promoted : diff->type_changed).push_back(std::move(change));
}

bool Reordered(const std::vector<Flat>& from, const std::vector<Flat>& to,
               const std::map<std::string, const Flat*>& in_from) {
  std::map<std::string, std::vector<std::string>> order_to;  // parent -> kept children, in order
  std::map<std::string, int> position;                       // key -> index in `from`
  for (size_t i = 0; i < from.size(); ++i) position[from[i].key] = static_cast<int>(i);
  for (const Flat& b : to) {
    if (in_from.count(b.key)) order_to[b.parent_key].push_back(b.key);
  }
  for (const auto& [parent, keys] : order_to) {
    for (size_t i = 1; i < keys.size(); ++i) {
      if (position[keys[i - 1]] > position[keys[i]]) return true;
    }
  }
  return false;
}

Json FieldList(const std::vector<DiffField>& fields) {
  Json out = Json::array();
  for (const DiffField& f : fields)
    out.push_back({{"id", f.id}, {"name", f.name}, {"type", f.type}});
  return out;
}

Json ChangeList(const std::vector<DiffTypeChange>& changes) {
  Json out = Json::array();
  for (const DiffTypeChange& c : changes) {
    out.push_back({{"id", c.id}, {"name", c.name}, {"from", c.from}, {"to", c.to}});
  }
  return out;
}

}  // namespace

bool SchemaDiff::empty() const {
  return added.empty() && removed.empty() && renamed.empty() && promoted.empty() &&
         type_changed.empty() && made_optional.empty() && made_required.empty() && !reordered;
}

SchemaDiff DiffSchemas(const Schema& from, const Schema& to) {
  Type root_a, root_b;
  root_a.id = root_b.id = TypeId::kStruct;
  root_a.fields = from.fields();
  root_b.fields = to.fields();
  std::vector<Flat> a, b;
  Flatten(root_a, "", "", &a);
  Flatten(root_b, "", "", &b);
  std::map<std::string, const Flat*> in_a, in_b;
  for (const Flat& f : a) in_a.emplace(f.key, &f);
  for (const Flat& f : b) in_b.emplace(f.key, &f);
  SchemaDiff diff;
  for (const Flat& f : b) {
    auto it = in_a.find(f.key);
    if (it == in_a.end()) {
      if (f.parent_key.empty() || in_a.count(f.parent_key)) {
        diff.added.push_back({f.field->id, f.path, TypeToString(*f.field->type)});
      }
      continue;
    }
    const Flat& old = *it->second;
    if (old.field->name != f.field->name) diff.renamed.push_back({f.field->id, old.path, f.path});
    CompareType(old, f, &diff);
    if (old.field->required && !f.field->required) {
      diff.made_optional.push_back({f.field->id, f.path, TypeToString(*f.field->type)});
    } else if (!old.field->required && f.field->required) {
      diff.made_required.push_back({f.field->id, f.path, TypeToString(*f.field->type)});
    }
  }
  for (const Flat& f : a) {
    if (!in_b.count(f.key) && (f.parent_key.empty() || in_b.count(f.parent_key))) {
      diff.removed.push_back({f.field->id, f.path, TypeToString(*f.field->type)});
    }
  }
  diff.reordered = Reordered(a, b, in_a);
  return diff;
}

std::string SchemaDiffToJson(const SchemaDiff& diff) {
  Json renamed = Json::array();
  for (const DiffRename& r : diff.renamed) {
    renamed.push_back({{"id", r.id}, {"from", r.from}, {"to", r.to}});
  }
  Json out = Json::object();
  out["added"] = FieldList(diff.added);
  out["removed"] = FieldList(diff.removed);
  out["renamed"] = std::move(renamed);
  out["promoted"] = ChangeList(diff.promoted);
  out["type_changed"] = ChangeList(diff.type_changed);
  out["made_optional"] = FieldList(diff.made_optional);
  out["made_required"] = FieldList(diff.made_required);
  out["reordered"] = diff.reordered;
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);  // never throws
}

}  // namespace tarn::schema
