#include "tarn/schema/compatibility.h"

#include <algorithm>
#include <set>
#include <utility>

#include "tarn/schema/avro_tree.h"

namespace tarn::schema {
namespace {

using internal::AvroField;
using internal::AvroKind;
using internal::AvroNode;
using internal::AvroTree;
using internal::DescribeAvro;
using internal::ShortName;

constexpr std::string_view kMissing = "(missing)";

// A problem found by Checker, in reader/writer terms; mapped to old/new by the caller.
struct Problem {
  std::string path, reader_type, writer_type, rule, message;
};

bool IsNumeric(AvroKind k) {
  return k == AvroKind::kInt || k == AvroKind::kLong || k == AvroKind::kFloat ||
         k == AvroKind::kDouble;
}

bool IsPrimitive(AvroKind k) { return k <= AvroKind::kString; }

// Avro's promotions: a writer value of kind `w` can be read as kind `r`.
bool Promotes(AvroKind w, AvroKind r) {
  if (w == r) return true;
  if (IsNumeric(w) && IsNumeric(r)) return static_cast<int>(w) < static_cast<int>(r);
  return (w == AvroKind::kString && r == AvroKind::kBytes) ||
         (w == AvroKind::kBytes && r == AvroKind::kString);
}

// Unqualified names equal, or a reader alias naming the writer.
bool NamesMatch(const AvroNode* r, const AvroNode* w) {
  std::string wn = ShortName(w->full_name);
  if (ShortName(r->full_name) == wn) return true;
  return std::any_of(r->aliases.begin(), r->aliases.end(),
                     [&](const std::string& a) { return ShortName(a) == wn; });
}

// Same kind (and name for named types): the union branch a value of `w` is meant to land in.
bool SameShape(const AvroNode* r, const AvroNode* w) {
  if (r->kind != w->kind) return false;
  if (r->full_name.empty()) return true;
  return NamesMatch(r, w);
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

const AvroField* FindWriterField(const AvroNode* w, const AvroField& rf) {
  for (const AvroField& wf : w->fields) {
    if (wf.name == rf.name) return &wf;
  }
  for (const std::string& alias : rf.aliases) {
    for (const AvroField& wf : w->fields) {
      if (wf.name == ShortName(alias)) return &wf;
    }
  }
  return nullptr;
}

// Walks a reader/writer pair and collects every Problem. Single use.
class Checker {
 public:
  std::vector<Problem> problems;

  void Check(const AvroNode* r, const AvroNode* w, const std::string& path) {
    if (!active_.insert({r, w}).second) return;  // recursive type: assume it matches
    if (w->kind == AvroKind::kUnion) {
      CheckWriterUnion(r, w, path);
    } else if (r->kind == AvroKind::kUnion) {
      CheckReaderUnion(r, w, path);
    } else {
      CheckPlain(r, w, path);
    }
    active_.erase({r, w});
  }

 private:
  void Add(const std::string& path, const std::string& reader_type, const std::string& writer_type,
           std::string rule, std::string message) {
    problems.push_back({path.empty() ? "(root)" : path, reader_type, writer_type, std::move(rule),
                        std::move(message)});
  }

  bool Resolves(const AvroNode* r, const AvroNode* w) {
    Checker trial;
    trial.active_ = active_;
    trial.Check(r, w, "");
    return trial.problems.empty();
  }

  // The reader branch for writer type `w`: the same-shaped one, else one that resolves.
  const AvroNode* PickBranch(const AvroNode* reader_union, const AvroNode* w, bool* same) {
    *same = true;
    for (const AvroNode* b : reader_union->branches) {
      if (SameShape(b, w)) return b;
    }
    *same = false;
    for (const AvroNode* b : reader_union->branches) {
      if (Resolves(b, w)) return b;
    }
    return nullptr;
  }

  void CheckWriterUnion(const AvroNode* r, const AvroNode* w, const std::string& path) {
    for (const AvroNode* wb : w->branches) {
      if (r->kind == AvroKind::kUnion) {
        bool same = false;
        const AvroNode* rb = PickBranch(r, wb, &same);
        if (same) {
          Check(rb, wb, path);
        } else if (!rb) {
          Add(path, DescribeAvro(r), DescribeAvro(w), "missing_union_branch",
              "writer union branch " + DescribeAvro(wb) +
                  " has no reader union branch that can "
                  "read it");
        }
      } else if (wb->kind == AvroKind::kNull && r->kind != AvroKind::kNull) {
        Add(path, DescribeAvro(r), DescribeAvro(w), "missing_union_branch",
            "writer union branch null cannot be read as " + DescribeAvro(r) +
                " (the reader does not accept null)");
      } else {
        Check(r, wb, path);  // every other branch must resolve to the reader type
      }
    }
  }

  void CheckReaderUnion(const AvroNode* r, const AvroNode* w, const std::string& path) {
    bool same = false;
    const AvroNode* rb = PickBranch(r, w, &same);
    if (same) {
      Check(rb, w, path);
    } else if (!rb) {
      Add(path, DescribeAvro(r), DescribeAvro(w), "missing_union_branch",
          "no branch of reader union " + DescribeAvro(r) + " can read writer type " +
              DescribeAvro(w));
    }
  }

  void CheckPlain(const AvroNode* r, const AvroNode* w, const std::string& path) {
    if (IsPrimitive(r->kind) && IsPrimitive(w->kind) && Promotes(w->kind, r->kind)) {
      if (r->kind == w->kind) CheckDecimal(r, w, path);
      return;
    }
    if (r->kind != w->kind) {
      bool narrowing = IsNumeric(r->kind) && IsNumeric(w->kind);
      Add(path, DescribeAvro(r), DescribeAvro(w), narrowing ? "type_narrowing" : "type_mismatch",
          "writer type " + DescribeAvro(w) + " cannot be read as " + DescribeAvro(r) +
              (narrowing ? " (narrowing)" : ""));
      return;
    }
    switch (r->kind) {
      case AvroKind::kRecord:
        return CheckRecord(r, w, path);
      case AvroKind::kEnum:
        return CheckEnum(r, w, path);
      case AvroKind::kFixed:
        return CheckFixed(r, w, path);
      case AvroKind::kArray:
        return Check(r->items, w->items, path + "[]");
      case AvroKind::kMap:
        return Check(r->items, w->items, path + "{}");
      default:
        return;
    }
  }

  bool CheckName(const AvroNode* r, const AvroNode* w, const std::string& path) {
    if (NamesMatch(r, w)) return true;
    Add(path, DescribeAvro(r), DescribeAvro(w), "name_mismatch",
        "writer type " + DescribeAvro(w) + " cannot be read as " + DescribeAvro(r) +
            ": the names differ and no reader alias names " + ShortName(w->full_name));
    return false;
  }

  void CheckRecord(const AvroNode* r, const AvroNode* w, const std::string& path) {
    if (!CheckName(r, w, path)) return;
    for (const AvroField& rf : r->fields) {
      std::string fpath = Join(path, rf.name);
      if (const AvroField* wf = FindWriterField(w, rf)) {
        Check(rf.type, wf->type, fpath);
      } else if (!rf.has_default()) {
        Add(fpath, DescribeAvro(rf.type), std::string(kMissing), "reader_field_missing_default",
            "reader field '" + rf.name + "' is not in writer record " + ShortName(w->full_name) +
                " (by name or alias) and has no default");
      }
    }
  }

  void CheckEnum(const AvroNode* r, const AvroNode* w, const std::string& path) {
    if (!CheckName(r, w, path) || r->enum_default) return;
    for (const std::string& s : w->symbols) {
      if (std::find(r->symbols.begin(), r->symbols.end(), s) != r->symbols.end()) continue;
      Add(path, DescribeAvro(r), DescribeAvro(w), "enum_symbol_missing",
          "writer symbol '" + s + "' is not in reader enum " + ShortName(r->full_name) +
              ", which has no default");
    }
  }

  void CheckFixed(const AvroNode* r, const AvroNode* w, const std::string& path) {
    CheckName(r, w, path);
    if (r->size != w->size) {
      Add(path, DescribeAvro(r), DescribeAvro(w), "fixed_size_mismatch",
          "writer fixed size " + std::to_string(w->size) + " differs from reader size " +
              std::to_string(r->size));
      return;
    }
    CheckDecimal(r, w, path);
  }

  void CheckDecimal(const AvroNode* r, const AvroNode* w, const std::string& path) {
    if (r->logical_type != "decimal" || w->logical_type != "decimal") return;
    if (r->scale != w->scale) {
      Add(path, DescribeAvro(r), DescribeAvro(w), "decimal_scale_mismatch",
          "writer " + DescribeAvro(w) + " cannot be read as " + DescribeAvro(r) +
              ": decimal scales must be equal");
    } else if (r->precision < w->precision) {
      Add(path, DescribeAvro(r), DescribeAvro(w), "decimal_precision_narrowed",
          "writer " + DescribeAvro(w) + " cannot be read as " + DescribeAvro(r) +
              ": the reader's precision must be at least the writer's");
    }
  }

  std::set<std::pair<const AvroNode*, const AvroNode*>> active_;
};

Result<AvroTree> ParseAs(const std::string& text, const std::string& what) {
  auto tree = AvroTree::Parse(text);
  if (!tree.ok()) return tree.status().WithContext(what);
  return tree;
}

std::vector<Problem> Resolve(const AvroTree& reader, const AvroTree& writer) {
  Checker checker;
  checker.Check(reader.root(), writer.root(), "");
  return std::move(checker.problems);
}

// Appends `problems` as Incompatibility; `candidate_reads` says which side the candidate is.
void Append(std::vector<Problem> problems, bool candidate_reads, const std::string& context,
            std::vector<Incompatibility>* out) {
  for (Problem& p : problems) {
    Incompatibility i;
    i.path = std::move(p.path);
    i.old_type = candidate_reads ? p.writer_type : p.reader_type;
    i.new_type = candidate_reads ? p.reader_type : p.writer_type;
    i.rule = std::move(p.rule);
    i.message = context + p.message;
    out->push_back(std::move(i));
  }
}

}  // namespace

std::string_view ToString(CompatibilityMode mode) {
  switch (mode) {
    case CompatibilityMode::kBackward:
      return "BACKWARD";
    case CompatibilityMode::kBackwardTransitive:
      return "BACKWARD_TRANSITIVE";
    case CompatibilityMode::kForward:
      return "FORWARD";
    case CompatibilityMode::kForwardTransitive:
      return "FORWARD_TRANSITIVE";
    case CompatibilityMode::kFull:
      return "FULL";
    case CompatibilityMode::kFullTransitive:
      return "FULL_TRANSITIVE";
    case CompatibilityMode::kNone:
      return "NONE";
  }
  return "NONE";
}

bool ParseCompatibilityMode(std::string_view text, CompatibilityMode* mode) {
  for (CompatibilityMode m :
       {CompatibilityMode::kBackward, CompatibilityMode::kBackwardTransitive,
        CompatibilityMode::kForward, CompatibilityMode::kForwardTransitive,
        CompatibilityMode::kFull, CompatibilityMode::kFullTransitive, CompatibilityMode::kNone}) {
    if (ToString(m) == text) {
      *mode = m;
      return true;
    }
  }
  return false;
}

Result<std::vector<Incompatibility>> CheckReadable(const std::string& reader_avro,
                                                   const std::string& writer_avro) {
  TARN_ASSIGN_OR_RETURN(AvroTree reader, ParseAs(reader_avro, "reader schema"));
  TARN_ASSIGN_OR_RETURN(AvroTree writer, ParseAs(writer_avro, "writer schema"));
  std::vector<Incompatibility> out;
  Append(Resolve(reader, writer), true, "", &out);
  return out;
}

Result<std::vector<Incompatibility>> CheckCompatibility(
    const std::string& candidate_avro, const std::vector<std::string>& previous_avro,
    CompatibilityMode mode) {
  TARN_ASSIGN_OR_RETURN(AvroTree candidate, ParseAs(candidate_avro, "candidate schema"));
  std::vector<Incompatibility> out;
  if (mode == CompatibilityMode::kNone || previous_avro.empty()) return out;
  const bool transitive = mode == CompatibilityMode::kBackwardTransitive ||
                          mode == CompatibilityMode::kForwardTransitive ||
                          mode == CompatibilityMode::kFullTransitive;
  const bool backward =
      mode != CompatibilityMode::kForward && mode != CompatibilityMode::kForwardTransitive;
  const bool forward =
      mode != CompatibilityMode::kBackward && mode != CompatibilityMode::kBackwardTransitive;
  const size_t n = previous_avro.size();
  for (size_t i = transitive ? 0 : n - 1; i < n; ++i) {
    std::string which = "previous #" + std::to_string(i + 1) + " of " + std::to_string(n);
    TARN_ASSIGN_OR_RETURN(AvroTree prev, ParseAs(previous_avro[i], which + " schema"));
    if (backward) {
      Append(Resolve(candidate, prev), true,
             "the candidate cannot read data written with " + which + ": ", &out);
    }
    if (forward) {
      Append(Resolve(prev, candidate), false,
             which + " cannot read data written with the candidate: ", &out);
    }
  }
  return out;
}

}  // namespace tarn::schema
