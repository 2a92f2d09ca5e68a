#include "tarn/schema/evolution.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>

namespace tarn::schema {
namespace {

using Json = nlohmann::json;
using Parts = std::span<const std::string>;
using FieldFn = std::function<Status(NestedField*)>;
using StructFn = std::function<Status(std::vector<NestedField>*)>;

std::vector<std::string> Split(const std::string& dotted) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    parts.push_back(dotted.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// Errors of one operation: "<op> <column>: <what>".
class OpError {
 public:
  explicit OpError(const EvolutionOp& op) : prefix_(op.op + " " + op.column + ": ") {}
  Status Rule(const std::string& what) const { return FailedPrecondition(prefix_ + what); }
  Status Bad(const std::string& what) const { return InvalidArgument(prefix_ + what); }

 private:
  std::string prefix_;
};

NestedField* FindIn(std::vector<NestedField>* fields, const std::string& name) {
  auto it = std::find_if(fields->begin(), fields->end(),
                         [&](const NestedField& f) { return f.name == name; });
  return it == fields->end() ? nullptr : &*it;
}

Status EditField(std::vector<NestedField>* fields, Parts parts, const FieldFn& fn,
                 const OpError& err);

// Applies fn to the field at `parts` (non-empty) below `f`, copying types on the way down.
Status EditBelow(NestedField* f, Parts parts, const FieldFn& fn, const OpError& err) {
  auto t = std::make_shared<Type>(*f->type);
  NestedField* child = nullptr;
  if (t->id == TypeId::kStruct) {
    TARN_RETURN_IF_ERROR(EditField(&t->fields, parts, fn, err));
  } else if (t->id == TypeId::kList || t->id == TypeId::kMap) {
    if (t->id == TypeId::kList && parts[0] == "element") child = &t->element;
    if (t->id == TypeId::kMap && parts[0] == "key") child = &t->key;
    if (t->id == TypeId::kMap && parts[0] == "value") child = &t->value;
    if (child) {
      parts = parts.subspan(1);
    } else if (t->id == TypeId::kList) {
      child = &t->element;  // a list of structs is walked through
    } else {
      return err.Rule("no column '" + parts[0] + "' in map " + f->name + " (key or value)");
    }
    TARN_RETURN_IF_ERROR(parts.empty() ? fn(child) : EditBelow(child, parts, fn, err));
  } else {
    return err.Rule(f->name + " is a " + TypeToString(*f->type) + ", not a struct");
  }
  f->type = std::move(t);
  return Status::OK();
}

Status EditField(std::vector<NestedField>* fields, Parts parts, const FieldFn& fn,
                 const OpError& err) {
  NestedField* f = FindIn(fields, parts[0]);
  if (!f) return err.Rule("no such column ('" + parts[0] + "' does not exist)");
  return parts.size() == 1 ? fn(f) : EditBelow(f, parts.subspan(1), fn, err);
}

// Applies fn to the fields of the struct at `parent` (empty: the top level).
Status EditStruct(std::vector<NestedField>* root, Parts parent, const StructFn& fn,
                  const OpError& err) {
  if (parent.empty()) return fn(root);
  return EditField(
      root, parent,
      [&](NestedField* p) -> Status {
        auto t = std::make_shared<Type>(*p->type);
        Type* s = t.get();
        std::vector<std::shared_ptr<Type>> chain;  // list elements walked through
        while (s->id == TypeId::kList) {
          chain.push_back(std::make_shared<Type>(*s->element.type));
          s->element.type = chain.back();
          s = chain.back().get();
        }
        if (s->id != TypeId::kStruct) return err.Rule(p->name + " is not a struct");
        TARN_RETURN_IF_ERROR(fn(&s->fields));
        p->type = std::move(t);
        return Status::OK();
      },
      err);
}

bool DefaultFits(const Type& t, const Json& v, bool required) {
  if (v.is_null()) return !required;
  switch (t.id) {
    case TypeId::kBoolean:
      return v.is_boolean();
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return v.is_number_integer();
    case TypeId::kFloat:
    case TypeId::kDouble:
      return v.is_number();
    case TypeId::kDecimal:
      return v.is_string() || v.is_number();
    default:
      return v.is_string();
  }
}

void CollectIds(const NestedField& f, std::vector<int>* ids) {
  ids->push_back(f.id);
  const Type& t = *f.type;
  for (const NestedField& c : t.fields) CollectIds(c, ids);
  if (t.id == TypeId::kList) CollectIds(t.element, ids);
  if (t.id == TypeId::kMap) {
    CollectIds(t.key, ids);
    CollectIds(t.value, ids);
  }
}

// The largest precision a two's-complement fixed of `length` bytes holds.
int MaxPrecision(int length) {
  double digits = (8.0 * length - 1) * 0.30102999566398120;  // log10(2)
  return static_cast<int>(digits);
}

// Applies one operation to `fields`; single use per operation.
class Applier {
 public:
  Applier(const EvolutionOp& op, std::vector<NestedField>* fields, const std::vector<int>& ident,
          int* next_id)
      : op_(op),
        err_(op),
        fields_(fields),
        ident_(ident),
        next_id_(next_id),
        parts_(Split(op.column)) {}

  Status Run() {
    if (op_.column.empty()) return err_.Bad("a column is required");
    if (op_.op == "add_column") return Add();
    if (op_.op == "rename_column") return Rename();
    if (op_.op == "widen_type") return OnField([this](NestedField* f) { return Widen(f); });
    if (op_.op == "make_optional") {
      return OnField([](NestedField* f) {
        f->required = false;  // already optional: no change
        return Status::OK();
      });
    }
    if (op_.op == "drop_column") return Drop();
    if (op_.op == "move_column") return Move();
    return InvalidArgument("unknown op '" + op_.op +
                           "' (add_column, rename_column, widen_type, "
                           "make_optional, drop_column, move_column)");
  }

 private:
  Parts Parent() const { return Parts(parts_).first(parts_.size() - 1); }
  const std::string& Leaf() const { return parts_.back(); }

  Status OnField(const FieldFn& fn) { return EditField(fields_, parts_, fn, err_); }
  Status OnParent(const StructFn& fn) { return EditStruct(fields_, Parent(), fn, err_); }

  Status Add() {
    TARN_ASSIGN_OR_RETURN(auto type, ParsePrimitiveType(op_.type));
    NestedField f;
    f.name = Leaf();
    f.type = std::move(type);
    f.required = op_.required;
    f.doc = op_.doc;
    f.default_json = op_.default_json;
    if (f.required && !f.default_json) {
      return err_.Rule("a required column needs a default (data written before has none)");
    }
    if (!f.required && !f.default_json) f.default_json = "null";
    Json def = Json::parse(*f.default_json, nullptr, false);
    if (def.is_discarded()) return err_.Bad("the default is not JSON: " + *f.default_json);
    if (!DefaultFits(*f.type, def, f.required)) {
      return err_.Rule("default " + def.dump() + " does not fit type " + TypeToString(*f.type));
    }
    return OnParent([&](std::vector<NestedField>* siblings) -> Status {
      if (FindIn(siblings, f.name)) return err_.Rule("a column named " + f.name + " exists");
      auto at = siblings->end();
      if (!op_.after.empty()) {
        NestedField* after = FindIn(siblings, op_.after);
        if (!after) return err_.Rule("no sibling named " + op_.after + " to add after");
        at = siblings->begin() + (after - siblings->data()) + 1;
      }
      f.id = ++*next_id_;
      siblings->insert(at, std::move(f));
      return Status::OK();
    });
  }

  Status Rename() {
    if (op_.new_name.empty()) return err_.Bad("new_name is required");
    return OnParent([&](std::vector<NestedField>* siblings) -> Status {
      NestedField* f = FindIn(siblings, Leaf());
      if (!f) return err_.Rule("no such column");
      if (FindIn(siblings, op_.new_name)) {
        return err_.Rule("a column named " + op_.new_name + " exists");
      }
      if (std::find(f->aliases.begin(), f->aliases.end(), f->name) == f->aliases.end()) {
        f->aliases.push_back(f->name);
      }
      std::erase(f->aliases, op_.new_name);
      f->name = op_.new_name;
      return Status::OK();
    });
  }

  Status Widen(NestedField* f) {
    TARN_ASSIGN_OR_RETURN(auto to, ParsePrimitiveType(op_.type));
    const Type& from = *f->type;
    bool ok = (from.id == TypeId::kInt && to->id == TypeId::kLong) ||
              (from.id == TypeId::kFloat && to->id == TypeId::kDouble) ||
              (from.id == TypeId::kDecimal && to->id == TypeId::kDecimal &&
               to->scale == from.scale && to->precision > from.precision);
    if (!ok) {
      return err_.Rule(TypeToString(from) + " -> " + TypeToString(*to) +
                       " is not an allowed widening (int -> long, float -> double, "
                       "decimal(P,S) -> decimal(P',S) with P' > P)");
    }
    auto widened = std::make_shared<Type>(from);
    widened->id = to->id;
    widened->precision = to->precision;
    if (from.id == TypeId::kDecimal && from.length > 0 &&
        MaxPrecision(from.length) < to->precision) {
      return err_.Rule(TypeToString(*to) + " does not fit the column's Avro fixed(" +
                       std::to_string(from.length) + ")");
    }
    f->type = std::move(widened);
    return Status::OK();
  }

  Status Drop() {
    return OnParent([&](std::vector<NestedField>* siblings) -> Status {
      NestedField* f = FindIn(siblings, Leaf());
      if (!f) return err_.Rule("no such column");
      std::vector<int> ids;
      CollectIds(*f, &ids);
      for (int id : ids) {
        if (std::find(ident_.begin(), ident_.end(), id) != ident_.end()) {
          return err_.Rule("identifier field " + std::to_string(id) + " cannot be dropped");
        }
      }
      siblings->erase(siblings->begin() + (f - siblings->data()));
      return Status::OK();
    });
  }

  Status Move() {
    return OnParent([&](std::vector<NestedField>* siblings) -> Status {
      NestedField* f = FindIn(siblings, Leaf());
      if (!f) return err_.Rule("no such column");
      if (op_.after == Leaf()) return err_.Rule("cannot move a column after itself");
      NestedField moved = std::move(*f);
      siblings->erase(siblings->begin() + (f - siblings->data()));
      auto at = siblings->begin();
      if (!op_.after.empty()) {
        NestedField* after = FindIn(siblings, op_.after);
        if (!after) return err_.Rule("no sibling named " + op_.after + " to move after");
        at = siblings->begin() + (after - siblings->data()) + 1;
      }
      siblings->insert(at, std::move(moved));
      return Status::OK();
    });
  }

  const EvolutionOp& op_;
  OpError err_;
  std::vector<NestedField>* fields_;
  const std::vector<int>& ident_;
  int* next_id_;
  std::vector<std::string> parts_;
};

}  // namespace

Result<Schema> ApplyEvolution(const Schema& schema, const std::vector<EvolutionOp>& ops,
                              int* highest_ever) {
  if (!highest_ever) return InvalidArgument("ApplyEvolution: highest_ever is null");
  int next_id = std::max(*highest_ever, schema.highest_field_id());
  std::vector<NestedField> fields = schema.fields();
  for (size_t i = 0; i < ops.size(); ++i) {
    Applier apply(ops[i], &fields, schema.identifier_field_ids(), &next_id);
    Status st = apply.Run();
    if (!st.ok()) return st.WithContext("operations[" + std::to_string(i) + "]");
  }
  TARN_ASSIGN_OR_RETURN(Schema out, Schema::Make(std::move(fields), schema.identifier_field_ids()));
  *highest_ever = next_id;
  return out;
}

}  // namespace tarn::schema
