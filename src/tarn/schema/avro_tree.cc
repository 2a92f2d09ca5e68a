#include "tarn/schema/avro_tree.h"

#include <map>
#include <set>

namespace tarn::schema::internal {
namespace {

const std::map<std::string, AvroKind>& PrimitiveKinds() {
  static const std::map<std::string, AvroKind> kKinds = {
      {"null", AvroKind::kNull},   {"boolean", AvroKind::kBoolean}, {"int", AvroKind::kInt},
      {"long", AvroKind::kLong},   {"float", AvroKind::kFloat},     {"double", AvroKind::kDouble},
      {"bytes", AvroKind::kBytes}, {"string", AvroKind::kString},
  };
  return kKinds;
}

std::string_view KindName(AvroKind kind) {
  switch (kind) {
    case AvroKind::kNull:
      return "null";
    case AvroKind::kBoolean:
      return "boolean";
    case AvroKind::kInt:
      return "int";
    case AvroKind::kLong:
      return "long";
    case AvroKind::kFloat:
      return "float";
    case AvroKind::kDouble:
      return "double";
    case AvroKind::kBytes:
      return "bytes";
    case AvroKind::kString:
      return "string";
    case AvroKind::kRecord:
      return "record";
    case AvroKind::kEnum:
      return "enum";
    case AvroKind::kArray:
      return "array";
    case AvroKind::kMap:
      return "map";
    case AvroKind::kFixed:
      return "fixed";
    case AvroKind::kUnion:
      return "union";
  }
  return "?";
}

bool IsAvroName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

Status Bad(const std::string& where, const std::string& what) {
  return InvalidArgument((where.empty() ? std::string("schema") : where) + ": " + what);
}

// The string value of `key`, or "" when absent or not a string.
std::string StringProp(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// A union branch's identity: unnamed kinds by kind, named types by full name.
std::string BranchKey(const AvroNode* n) {
  std::string key(KindName(n->kind));
  if (!n->full_name.empty()) key += " " + n->full_name;
  return key;
}

}  // namespace

std::string ShortName(const std::string& name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string DescribeAvro(const AvroNode* n) {
  std::string base(KindName(n->kind));
  if (n->logical_type == "decimal") {
    std::string d =
        "decimal(" + std::to_string(n->precision) + "," + std::to_string(n->scale) + ")";
    return n->kind == AvroKind::kFixed ? "fixed " + ShortName(n->full_name) + " " + d : d;
  }
  switch (n->kind) {
    case AvroKind::kRecord:
    case AvroKind::kEnum:
      return base + " " + ShortName(n->full_name);
    case AvroKind::kFixed:
      return "fixed " + ShortName(n->full_name) + "(" + std::to_string(n->size) + ")";
    case AvroKind::kArray:
      return "array<" + DescribeAvro(n->items) + ">";
    case AvroKind::kMap:
      return "map<" + DescribeAvro(n->items) + ">";
    case AvroKind::kUnion: {
      std::string out = "union[";
      for (size_t i = 0; i < n->branches.size(); ++i) {
        out += (i ? ", " : "") + DescribeAvro(n->branches[i]);
      }
      return out + "]";
    }
    default:
      return n->logical_type.empty() ? base : n->logical_type;
  }
}

// Builds an AvroTree; single use.
class AvroParser {
 public:
  explicit AvroParser(AvroTree* tree) : tree_(tree) {}

  Result<const AvroNode*> Parse(const Json& j, const std::string& ns, const std::string& where) {
    if (j.is_string()) return ParseName(j.get<std::string>(), ns, where, nullptr);
    if (j.is_array()) return ParseUnion(j, ns, where);
    if (!j.is_object()) return Bad(where, "a type must be a name, an object or a union array");
    auto t = j.find("type");
    if (t == j.end()) return Bad(where, "type object without \"type\"");
    if (t->is_object() || t->is_array()) return Parse(*t, ns, where);
    if (!t->is_string()) return Bad(where, "\"type\" must be a string");
    const std::string type = t->get<std::string>();
    if (type == "record" || type == "error") return ParseRecord(j, ns, where);
    if (type == "enum") return ParseEnum(j, ns, where);
    if (type == "fixed") return ParseFixed(j, ns, where);
    if (type == "array" || type == "map") return ParseContainer(j, type == "array", ns, where);
    return ParseName(type, ns, where, &j);
  }

 private:
  AvroNode* New(AvroKind kind, const Json* json) {
    tree_->nodes_.push_back(std::make_unique<AvroNode>());
    AvroNode* n = tree_->nodes_.back().get();
    n->kind = kind;
    n->json = json;
    return n;
  }

  Result<const AvroNode*> ParseName(const std::string& name, const std::string& ns,
                                    const std::string& where, const Json* j) {
    auto p = PrimitiveKinds().find(name);
    if (p != PrimitiveKinds().end()) {
      AvroNode* n = New(p->second, j);
      if (j) TARN_RETURN_IF_ERROR(ApplyLogicalType(*j, n, where));
      return n;
    }
    std::string full = name.find('.') != std::string::npos || ns.empty() ? name : ns + "." + name;
    for (const std::string& candidate : {full, name}) {
      auto it = named_.find(candidate);
      if (it != named_.end()) return it->second;
    }
    return Bad(where, "unknown type '" + name + "' (a named type must be defined before use)");
  }

  // Registers a named type; returns its namespace for nested definitions.
  Result<std::string> Define(AvroNode* n, const Json& j, const std::string& ns,
                             const std::string& where) {
    std::string name = StringProp(j, "name");
    std::string own_ns = ns;
    if (auto it = j.find("namespace"); it != j.end() && it->is_string()) own_ns = *it;
    std::string full =
        name.find('.') != std::string::npos || own_ns.empty() ? name : own_ns + "." + name;
    std::string short_name = ShortName(full);
    if (!IsAvroName(short_name)) return Bad(where, "'" + name + "' is not a valid Avro name");
    if (PrimitiveKinds().count(short_name)) {
      return Bad(where, "a named type may not be called '" + short_name + "'");
    }
    if (!named_.emplace(full, n).second) return Bad(where, "type " + full + " is defined twice");
    n->full_name = full;
    if (auto a = j.find("aliases"); a != j.end()) {
      if (!a->is_array()) return Bad(where, "\"aliases\" must be an array of names");
      for (const Json& alias : *a) {
        if (!alias.is_string()) return Bad(where, "\"aliases\" must be an array of names");
        n->aliases.push_back(alias.get<std::string>());
      }
    }
    size_t dot = full.rfind('.');
    return dot == std::string::npos ? std::string() : full.substr(0, dot);
  }

  Result<const AvroNode*> ParseRecord(const Json& j, const std::string& ns,
                                      const std::string& where) {
    AvroNode* n = New(AvroKind::kRecord, &j);
    TARN_ASSIGN_OR_RETURN(std::string inner_ns, Define(n, j, ns, where));
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) {
      return Bad(where, "record " + n->full_name + " needs a \"fields\" array");
    }
    std::set<std::string> seen;
    for (const Json& f : *fields) {
      if (!f.is_object()) return Bad(where, "a record field must be an object");
      AvroField field;
      field.json = &f;
      field.name = StringProp(f, "name");
      std::string path = Join(where, field.name);
      if (!IsAvroName(field.name))
        return Bad(path, "'" + field.name + "' is not a valid field name");
      if (!seen.insert(field.name).second) return Bad(path, "duplicate field name");
      if (!f.contains("type")) return Bad(path, "field without a type");
      TARN_ASSIGN_OR_RETURN(field.type, Parse(f["type"], inner_ns, path));
      if (auto a = f.find("aliases"); a != f.end()) {
        if (!a->is_array()) return Bad(path, "\"aliases\" must be an array of names");
        for (const Json& alias : *a) {
          if (!alias.is_string()) return Bad(path, "\"aliases\" must be an array of names");
          field.aliases.push_back(alias.get<std::string>());
        }
      }
      n->fields.push_back(std::move(field));
    }
    return n;
  }

  Result<const AvroNode*> ParseEnum(const Json& j, const std::string& ns,
                                    const std::string& where) {
    AvroNode* n = New(AvroKind::kEnum, &j);
    TARN_RETURN_IF_ERROR(Define(n, j, ns, where).status());
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array()) {
      return Bad(where, "enum " + n->full_name + " needs a \"symbols\" array");
    }
    std::set<std::string> seen;
    for (const Json& s : *symbols) {
      if (!s.is_string() || !IsAvroName(s.get<std::string>())) {
        return Bad(where, "enum " + n->full_name + ": symbol " + s.dump() + " is not an Avro name");
      }
      if (!seen.insert(s.get<std::string>()).second) {
        return Bad(where, "enum " + n->full_name + ": duplicate symbol " + s.dump());
      }
      n->symbols.push_back(s.get<std::string>());
    }
    if (auto d = j.find("default"); d != j.end()) {
      if (!d->is_string() || !seen.count(d->get<std::string>())) {
        return Bad(where, "enum " + n->full_name + ": default " + d->dump() + " is not a symbol");
      }
      n->enum_default = d->get<std::string>();
    }
    return n;
  }

  Result<const AvroNode*> ParseFixed(const Json& j, const std::string& ns,
                                     const std::string& where) {
    AvroNode* n = New(AvroKind::kFixed, &j);
    TARN_RETURN_IF_ERROR(Define(n, j, ns, where).status());
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
        size->get<int64_t>() > (1 << 30)) {
      return Bad(where, "fixed " + n->full_name + " needs a non-negative integer \"size\"");
    }
    n->size = size->get<int>();
    TARN_RETURN_IF_ERROR(ApplyLogicalType(j, n, where));
    return n;
  }

  Result<const AvroNode*> ParseContainer(const Json& j, bool array, const std::string& ns,
                                         const std::string& where) {
    AvroNode* n = New(array ? AvroKind::kArray : AvroKind::kMap, &j);
    const char* key = array ? "items" : "values";
    if (!j.contains(key))
      return Bad(where, std::string(array ? "array" : "map") + " without \"" + key + "\"");
    TARN_ASSIGN_OR_RETURN(n->items, Parse(j[key], ns, where + (array ? "[]" : "{}")));
    if (auto lt = j.find("logicalType"); lt != j.end() && lt->is_string()) n->logical_type = *lt;
    return n;
  }

  Result<const AvroNode*> ParseUnion(const Json& j, const std::string& ns,
                                     const std::string& where) {
    AvroNode* n = New(AvroKind::kUnion, &j);
    std::set<std::string> keys;
    for (const Json& b : j) {
      TARN_ASSIGN_OR_RETURN(const AvroNode* branch, Parse(b, ns, where));
      if (branch->kind == AvroKind::kUnion) return Bad(where, "a union may not contain a union");
      if (!keys.insert(BranchKey(branch)).second) {
        return Bad(where, "union has two branches of type " + BranchKey(branch));
      }
      n->branches.push_back(branch);
    }
    if (n->branches.empty()) return Bad(where, "empty union");
    return n;
  }

  Status ApplyLogicalType(const Json& j, AvroNode* n, const std::string& where) {
    auto lt = j.find("logicalType");
    if (lt == j.end() || !lt->is_string()) return Status::OK();
    n->logical_type = lt->get<std::string>();
    if (n->logical_type != "decimal") return Status::OK();
    if (n->kind != AvroKind::kBytes && n->kind != AvroKind::kFixed) {
      return Bad(where, "decimal must be bytes or fixed, not " + std::string(KindName(n->kind)));
    }
    const Json precision = j.value("precision", Json(0));
    const Json scale = j.value("scale", Json(0));
    if (!precision.is_number_integer() || !scale.is_number_integer() ||
        precision.get<int64_t>() < 1 || precision.get<int64_t>() > 38 || scale.get<int64_t>() < 0 ||
        scale.get<int64_t>() > precision.get<int64_t>()) {
      return Bad(where, "decimal needs integer precision 1..38 and 0 <= scale <= precision");
    }
    n->precision = precision.get<int>();
    n->scale = scale.get<int>();
    return Status::OK();
  }

  AvroTree* tree_;
  std::map<std::string, const AvroNode*> named_;  // full name -> definition
};

Result<AvroTree> AvroTree::Parse(const std::string& text) {
  AvroTree tree;
  try {
    tree.doc_ = std::make_unique<Json>(Json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("schema is not valid JSON: ") + e.what());
  }
  try {
    AvroParser parser(&tree);
    TARN_ASSIGN_OR_RETURN(tree.root_, parser.Parse(*tree.doc_, "", ""));
  } catch (const nlohmann::json::exception& e) {  // a property of an unexpected JSON type
    return InvalidArgument(std::string("schema: ") + e.what());
  }
  return tree;
}

}  // namespace tarn::schema::internal
