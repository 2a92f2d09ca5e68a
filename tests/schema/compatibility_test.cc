// CheckCompatibility against the data-driven corpus (compatibility_corpus.txt: every mode, every
// kind of change), and CheckReadable's paths, types and errors.
#include "tarn/schema/compatibility.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

namespace tarn::schema {
namespace {

struct Verdict {
  std::string mode;
  std::string expect;  // "compatible" or "incompatible <rule>"
  int line = 0;
};

struct CorpusBlock {
  std::string title;
  std::vector<std::string> previous;
  std::string candidate;
  std::vector<Verdict> verdicts;
};

std::string CorpusPath() {
  return std::string(TARN_SOURCE_DIR) + "/tests/schema/compatibility_corpus.txt";
}

// Parses the corpus; reports malformed lines as test failures.
void LoadCorpus(std::vector<CorpusBlock>* out) {
  std::ifstream in(CorpusPath());
  ASSERT_TRUE(in.good()) << CorpusPath();
  std::vector<CorpusBlock>& blocks = *out;
  std::string line, section;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line.starts_with("# ") || line == "#") continue;
    if (line.starts_with("### ")) {
      blocks.push_back({line.substr(4), {}, {}, {}});
      section.clear();
      continue;
    }
    ASSERT_FALSE(blocks.empty()) << "line " << n << ": outside a block: " << line;
    CorpusBlock& b = blocks.back();
    if (line == "previous:" || line == "candidate:") {
      section = line;
    } else if (line.starts_with("mode: ")) {
      b.verdicts.push_back({line.substr(6), "", n});
    } else if (line.starts_with("expect: ")) {
      ASSERT_FALSE(b.verdicts.empty() || !b.verdicts.back().expect.empty())
          << "line " << n << ": expect without a mode";
      b.verdicts.back().expect = line.substr(8);
    } else if (section == "previous:") {
      b.previous.push_back(line);
    } else if (section == "candidate:") {
      ASSERT_TRUE(b.candidate.empty()) << "line " << n << ": one candidate per block";
      b.candidate = line;
    } else {
      ADD_FAILURE() << "line " << n << ": unexpected: " << line;
    }
  }
}

TEST(CompatibilityCorpus, EveryVerdictHolds) {
  std::vector<CorpusBlock> blocks;
  ASSERT_NO_FATAL_FAILURE(LoadCorpus(&blocks));
  int verdicts = 0;
  std::map<std::string, int> per_mode;
  for (const CorpusBlock& b : blocks) {
    ASSERT_FALSE(b.previous.empty()) << b.title;
    ASSERT_FALSE(b.candidate.empty()) << b.title;
    ASSERT_FALSE(b.verdicts.empty()) << b.title;
    for (const Verdict& v : b.verdicts) {
      SCOPED_TRACE("line " + std::to_string(v.line) + ": " + b.title + " [" + v.mode + "]");
      CompatibilityMode mode;
      ASSERT_TRUE(ParseCompatibilityMode(v.mode, &mode)) << v.mode;
      auto result = CheckCompatibility(b.candidate, b.previous, mode);
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      ++verdicts;
      ++per_mode[v.mode];
      std::string found;
      for (const Incompatibility& i : *result) {
        found += "\n  " + i.path + " [" + i.rule + "] " + i.old_type + " -> " + i.new_type + ": " +
                 i.message;
        EXPECT_FALSE(i.path.empty());
        EXPECT_FALSE(i.rule.empty());
        EXPECT_FALSE(i.message.empty());
        EXPECT_FALSE(i.old_type.empty());
        EXPECT_FALSE(i.new_type.empty());
      }
      if (v.expect == "compatible") {
        EXPECT_TRUE(result->empty()) << "expected compatible, got:" << found;
        continue;
      }
      ASSERT_TRUE(v.expect.starts_with("incompatible ")) << v.expect;
      std::string rule = v.expect.substr(13);
      bool has_rule = false;
      for (const Incompatibility& i : *result) has_rule |= i.rule == rule;
      EXPECT_TRUE(has_rule) << "expected rule " << rule << ", got:" << found;
    }
  }
  EXPECT_GE(verdicts, 60);
  EXPECT_EQ(per_mode.size(), 7u) << "every mode is covered";
}

std::string Rec(const std::string& fields, const std::string& name = "R") {
  return R"({"type":"record","name":")" + name + R"(","fields":[)" + fields + "]}";
}

TEST(CheckReadable, ReportsEveryProblemWithPathTypesAndRule) {
  std::string writer = Rec(R"({"name":"id","type":"long"},
      {"name":"address","type":{"type":"record","name":"Address","fields":[
        {"name":"zip","type":"string"}]}},
      {"name":"tags","type":{"type":"array","items":"string"}},
      {"name":"attrs","type":{"type":"map","values":"long"}})");
  std::string reader = Rec(R"({"name":"id","type":"int"},
      {"name":"address","type":{"type":"record","name":"Address","fields":[
        {"name":"zip","type":"int"},{"name":"country","type":"string"}]}},
      {"name":"tags","type":{"type":"array","items":"long"}},
      {"name":"attrs","type":{"type":"map","values":"int"}})");
  auto result = CheckReadable(reader, writer);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::map<std::string, Incompatibility> by_path;
  for (const auto& i : *result) by_path[i.path] = i;
  ASSERT_EQ(by_path.size(), 5u);
  EXPECT_EQ(by_path["id"].rule, "type_narrowing");
  EXPECT_EQ(by_path["id"].old_type, "long");  // the writer
  EXPECT_EQ(by_path["id"].new_type, "int");   // the reader
  EXPECT_EQ(by_path["address.zip"].rule, "type_mismatch");
  EXPECT_EQ(by_path["address.country"].rule, "reader_field_missing_default");
  EXPECT_EQ(by_path["address.country"].old_type, "(missing)");
  EXPECT_EQ(by_path["tags[]"].rule, "type_mismatch");
  EXPECT_EQ(by_path["attrs{}"].rule, "type_narrowing");
}

TEST(CheckReadable, AliasesRenamesAndUnions) {
  std::string writer = Rec(R"({"name":"old","type":["null","int"]})");
  std::string reader = Rec(R"({"name":"new","aliases":["old"],"type":["null","long","string"]})");
  auto ok = CheckReadable(reader, writer);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->empty());
  auto back = CheckReadable(writer, reader);  // old reads new: no "new", no default
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].path, "old");
  EXPECT_EQ((*back)[0].rule, "reader_field_missing_default");
}

TEST(CheckReadable, RecursiveTypesAndNamedReferences) {
  std::string list = Rec(R"({"name":"value","type":"long"},
      {"name":"next","type":["null","Node"],"default":null})",
                         "Node");
  auto same = CheckReadable(list, list);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(same->empty());
  std::string narrowed = Rec(R"({"name":"value","type":"int"},
      {"name":"next","type":["null","Node"],"default":null})",
                             "Node");
  auto bad = CheckReadable(narrowed, list);
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->size(), 1u);
  EXPECT_EQ((*bad)[0].path, "value");
}

TEST(CheckReadable, TopLevelProblemsHaveARootPath) {
  auto r = CheckReadable(R"("string")", R"("int")");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].path, "(root)");
}

TEST(CheckReadable, BadSchemasAreInvalidArgument) {
  for (const std::string& bad :
       {std::string("{not json"), Rec(R"({"name":"a","type":"Missing"})"),
        Rec(R"({"name":"a","type":["int","int"]})"), Rec(R"({"name":"a"})"),
        std::string(R"({"type":"enum","name":"E","symbols":["A","A"]})"),
        Rec(R"({"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":2,
               "scale":3}})"),
        Rec(R"({"name":"a","type":"int"},{"name":"a","type":"int"})")}) {
    auto r = CheckReadable(bad, Rec(R"({"name":"a","type":"int"})"));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(CheckCompatibility, DirectionsAndVersionsInMessages) {
  std::vector<std::string> previous = {Rec(R"({"name":"a","type":"int"})"),
                                       Rec(R"({"name":"a","type":"long"})")};
  std::string candidate = Rec(R"({"name":"a","type":"int"})");
  auto r = CheckCompatibility(candidate, previous, CompatibilityMode::kFullTransitive);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);  // only "the candidate reads previous #2" fails
  EXPECT_EQ((*r)[0].old_type, "long");
  EXPECT_EQ((*r)[0].new_type, "int");
  EXPECT_NE((*r)[0].message.find("previous #2 of 2"), std::string::npos) << (*r)[0].message;
  auto none = CheckCompatibility("{bad", previous, CompatibilityMode::kNone);
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidArgument);
  auto first = CheckCompatibility(candidate, {}, CompatibilityMode::kFull);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty());
}

TEST(CompatibilityMode, NamesRoundTrip) {
  std::set<std::string> names;
  for (auto m :
       {CompatibilityMode::kBackward, CompatibilityMode::kBackwardTransitive,
        CompatibilityMode::kForward, CompatibilityMode::kForwardTransitive,
        CompatibilityMode::kFull, CompatibilityMode::kFullTransitive, CompatibilityMode::kNone}) {
    CompatibilityMode parsed;
    ASSERT_TRUE(ParseCompatibilityMode(ToString(m), &parsed));
    EXPECT_EQ(parsed, m);
    names.insert(std::string(ToString(m)));
  }
  EXPECT_EQ(names.size(), 7u);
  CompatibilityMode m;
  EXPECT_FALSE(ParseCompatibilityMode("backward", &m));
  EXPECT_FALSE(ParseCompatibilityMode("", &m));
}

}  // namespace
}  // namespace tarn::schema
