// ApplyEvolution (Iceberg's rules, errors naming the column and the rule) and DiffSchemas /
// SchemaDiffToJson by field id.
#include "tarn/schema/evolution.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tarn/schema/compatibility.h"
#include "tarn/schema/diff.h"

#include "schema/schema_test_util.h"

namespace tarn::schema {
namespace {

using nlohmann::json;

using testing::F;
using testing::Prim;

const char* kBase = R"({"type":"record","name":"R","fields":[
  {"name":"id","type":"long","field-id":1},
  {"name":"qty","type":"int","field-id":2},
  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2},
   "field-id":3},
  {"name":"ratio","type":["null","float"],"default":null,"field-id":4},
  {"name":"addr","type":{"type":"record","name":"A","fields":[
    {"name":"zip","type":"string","field-id":6}]},"field-id":5},
  {"name":"lines","type":{"type":"array","element-id":8,"items":{"type":"record","name":"L",
    "fields":[{"name":"sku","type":"string","field-id":9}]}},"field-id":7}]})";

Schema Base() {
  auto s = SchemaFromAvro(kBase);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

EvolutionOp Op(std::string op, std::string column) {
  EvolutionOp e;
  e.op = std::move(op);
  e.column = std::move(column);
  return e;
}

std::vector<std::string> Names(const std::vector<NestedField>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.name);
  return out;
}

TEST(ApplyEvolution, AddColumns) {
  EvolutionOp note = Op("add_column", "note");
  note.type = "string";
  note.doc = "free text";
  EvolutionOp country = Op("add_column", "addr.country");
  country.type = "string";
  country.required = true;
  country.default_json = "\"NL\"";
  EvolutionOp discount = Op("add_column", "lines.discount");  // walks through the list
  discount.type = "decimal(5,2)";
  discount.after = "";
  int highest = 20;  // ids up to 20 were used by earlier versions
  auto s = ApplyEvolution(Base(), {note, country, discount}, &highest);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(highest, 23);
  const NestedField* n = s->FindByName("note");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->id, 21);
  EXPECT_FALSE(n->required);
  EXPECT_EQ(n->default_json, "null");
  EXPECT_EQ(n->doc, "free text");
  EXPECT_EQ(s->FindByName("addr.country")->id, 22);
  EXPECT_TRUE(s->FindByName("addr.country")->required);
  EXPECT_EQ(s->FindByName("lines.discount")->id, 23);
  // The evolved schema reads data of the base one (BACKWARD).
  auto check = CheckCompatibility(SchemaToAvro(*s, "R"), {kBase}, CompatibilityMode::kBackward);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->empty()) << check->front().message;
}

TEST(ApplyEvolution, AddColumnRules) {
  EvolutionOp required = Op("add_column", "x");
  required.type = "long";
  required.required = true;
  EvolutionOp taken = Op("add_column", "qty");
  taken.type = "long";
  EvolutionOp bad_default = Op("add_column", "y");
  bad_default.type = "long";
  bad_default.default_json = "\"text\"";
  EvolutionOp no_parent = Op("add_column", "nope.z");
  no_parent.type = "long";
  EvolutionOp not_struct = Op("add_column", "qty.z");
  not_struct.type = "long";
  for (const EvolutionOp& op : {required, taken, bad_default, no_parent, not_struct}) {
    int highest = 9;
    auto s = ApplyEvolution(Base(), {op}, &highest);
    ASSERT_FALSE(s.ok()) << op.column;
    EXPECT_EQ(s.status().code(), ErrorCode::kFailedPrecondition) << s.status().ToString();
    EXPECT_NE(s.status().message().find(op.column), std::string::npos) << s.status().message();
    EXPECT_EQ(highest, 9);  // unchanged on failure
  }
  EvolutionOp bad_type = Op("add_column", "z");
  bad_type.type = "varchar";
  int highest = 9;
  EXPECT_EQ(ApplyEvolution(Base(), {bad_type}, &highest).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ApplyEvolution(Base(), {Op("truncate", "id")}, &highest).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(ApplyEvolution, RenameKeepsIdAndRecordsAlias) {
  EvolutionOp rename = Op("rename_column", "addr.zip");
  rename.new_name = "postcode";
  int highest = 9;
  auto s = ApplyEvolution(Base(), {rename}, &highest);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const NestedField* f = s->FindById(6);
  EXPECT_EQ(f->name, "postcode");
  EXPECT_EQ(f->aliases, std::vector<std::string>{"zip"});
  EXPECT_EQ(highest, 9);
  // The alias makes the renamed schema read old data.
  auto check = CheckCompatibility(SchemaToAvro(*s, "R"), {kBase}, CompatibilityMode::kBackward);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->empty());
  EXPECT_EQ(ApplyEvolution(Base(), {Op("rename_column", "qty")}, &highest).status().code(),
            ErrorCode::kInvalidArgument);  // no new_name
  EvolutionOp clash = Op("rename_column", "id");
  clash.new_name = "qty";
  auto bad = ApplyEvolution(Base(), {clash}, &highest);
  EXPECT_EQ(bad.status().code(), ErrorCode::kFailedPrecondition);
}

TEST(ApplyEvolution, WidenOnlyAllowedPromotions) {
  auto widen = [](const std::string& column, const std::string& type) {
    EvolutionOp op = Op("widen_type", column);
    op.type = type;
    int highest = 9;
    return ApplyEvolution(Base(), {op}, &highest);
  };
  auto ok = widen("qty", "long");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->FindById(2)->type->id, TypeId::kLong);
  EXPECT_TRUE(widen("ratio", "double").ok());
  auto dec = widen("price", "decimal(14,2)");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(TypeToString(*dec->FindById(3)->type), "decimal(14,2)");
  for (auto [column, type] :
       std::vector<std::pair<std::string, std::string>>{{"qty", "double"},
                                                        {"id", "int"},
                                                        {"price", "decimal(14,3)"},
                                                        {"price", "decimal(8,2)"},
                                                        {"addr.zip", "binary"},
                                                        {"addr", "long"}}) {
    auto bad = widen(column, type);
    ASSERT_FALSE(bad.ok()) << column << " -> " << type;
    EXPECT_EQ(bad.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(bad.status().message().find("widen_type " + column), std::string::npos);
  }
  // A widened int reads old data.
  auto check = CheckCompatibility(SchemaToAvro(*ok, "R"), {kBase}, CompatibilityMode::kBackward);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->empty());
}

TEST(ApplyEvolution, WideningAFixedDecimalMustFitItsSize) {
  auto s = SchemaFromAvro(R"({"type":"record","name":"R","fields":[{"name":"d","field-id":1,
      "type":{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":7,
      "scale":2}}]})");
  ASSERT_TRUE(s.ok());
  EvolutionOp op = Op("widen_type", "d");
  op.type = "decimal(9,2)";  // 4 bytes hold 9 digits
  int highest = 1;
  EXPECT_TRUE(ApplyEvolution(*s, {op}, &highest).ok());
  op.type = "decimal(10,2)";
  EXPECT_EQ(ApplyEvolution(*s, {op}, &highest).status().code(), ErrorCode::kFailedPrecondition);
}

TEST(ApplyEvolution, MakeOptionalDropAndMove) {
  int highest = 9;
  auto s = ApplyEvolution(Base(),
                          {Op("make_optional", "id"), Op("make_optional", "ratio"),
                           Op("drop_column", "addr"), Op("make_optional", "lines.element")},
                          &highest);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->FindById(1)->required);
  EXPECT_EQ(s->FindById(5), nullptr);
  EXPECT_EQ(s->FindById(6), nullptr);
  EXPECT_FALSE(s->FindById(8)->required);
  EXPECT_EQ(highest, 9);  // dropped ids stay retired: highest_ever does not go down
  EvolutionOp first = Op("move_column", "lines");
  EvolutionOp after = Op("move_column", "id");
  after.after = "price";
  auto moved = ApplyEvolution(Base(), {first, after}, &highest);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(Names(moved->fields()),
            (std::vector<std::string>{"lines", "qty", "price", "id", "ratio", "addr"}));
  EvolutionOp self = Op("move_column", "id");
  self.after = "id";
  EvolutionOp missing = Op("move_column", "id");
  missing.after = "nope";
  for (const EvolutionOp& op :
       {self, missing, Op("drop_column", "nope"), Op("make_optional", "addr.nope")}) {
    auto bad = ApplyEvolution(Base(), {op}, &highest);
    EXPECT_EQ(bad.status().code(), ErrorCode::kFailedPrecondition) << op.op << " " << op.column;
  }
}

TEST(ApplyEvolution, IdentifierFieldsCannotBeDropped) {
  auto int_type = Prim(TypeId::kInt);
  auto s = Schema::Make({F(1, "k", true, int_type), F(2, "v", true, int_type)}, {1});
  ASSERT_TRUE(s.ok());
  int highest = 2;
  auto bad = ApplyEvolution(*s, {Op("drop_column", "k")}, &highest);
  EXPECT_EQ(bad.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(ApplyEvolution(*s, {Op("drop_column", "v")}, &highest).ok());
}

TEST(DiffSchemas, ByFieldId) {
  EvolutionOp add = Op("add_column", "note");
  add.type = "string";
  EvolutionOp rename = Op("rename_column", "addr.zip");
  rename.new_name = "postcode";
  EvolutionOp widen = Op("widen_type", "qty");
  widen.type = "long";
  EvolutionOp move = Op("move_column", "id");
  move.after = "qty";
  int highest = 9;
  Schema base = Base();
  auto evolved = ApplyEvolution(
      base, {add, rename, widen, Op("make_optional", "price"), Op("drop_column", "lines"), move},
      &highest);
  ASSERT_TRUE(evolved.ok()) << evolved.status().ToString();
  SchemaDiff diff = DiffSchemas(base, *evolved);
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ(diff.added[0].id, 10);
  EXPECT_EQ(diff.added[0].name, "note");
  EXPECT_EQ(diff.added[0].type, "string");
  ASSERT_EQ(diff.removed.size(), 1u);  // lines only, not its element and sku
  EXPECT_EQ(diff.removed[0].name, "lines");
  ASSERT_EQ(diff.renamed.size(), 1u);
  EXPECT_EQ(diff.renamed[0].from, "addr.zip");
  EXPECT_EQ(diff.renamed[0].to, "addr.postcode");
  ASSERT_EQ(diff.promoted.size(), 1u);
  EXPECT_EQ(diff.promoted[0].from, "int");
  EXPECT_EQ(diff.promoted[0].to, "long");
  ASSERT_EQ(diff.made_optional.size(), 1u);
  EXPECT_EQ(diff.made_optional[0].id, 3);
  EXPECT_TRUE(diff.reordered);
  EXPECT_TRUE(diff.type_changed.empty());
  json j = json::parse(SchemaDiffToJson(diff));
  EXPECT_EQ(j["added"], json::parse(R"([{"id":10,"name":"note","type":"string"}])"));
  EXPECT_EQ(j["renamed"], json::parse(R"([{"id":6,"from":"addr.zip","to":"addr.postcode"}])"));
  EXPECT_EQ(j["promoted"], json::parse(R"([{"id":2,"name":"qty","from":"int","to":"long"}])"));
  EXPECT_EQ(j["made_optional"][0]["name"], "price");
  EXPECT_EQ(j["reordered"], true);
  EXPECT_EQ(j["removed"][0]["type"], "list<struct<sku: string>>");
  EXPECT_TRUE(DiffSchemas(base, base).empty());
}

TEST(DiffSchemas, TypeChangesAndMadeRequired) {
  auto a = SchemaFromAvro(R"({"type":"record","name":"R","fields":[
      {"name":"x","type":["null","long"],"field-id":1},{"name":"y","type":"string","field-id":2},
      {"name":"z","type":"double","field-id":3}]})");
  auto b = SchemaFromAvro(R"({"type":"record","name":"R","fields":[
      {"name":"x","type":"long","field-id":1},{"name":"y","type":"bytes","field-id":2},
      {"name":"z","type":"float","field-id":3}]})");
  ASSERT_TRUE(a.ok() && b.ok());
  SchemaDiff diff = DiffSchemas(*a, *b);
  ASSERT_EQ(diff.made_required.size(), 1u);
  EXPECT_EQ(diff.made_required[0].name, "x");
  ASSERT_EQ(diff.promoted.size(), 1u);  // string -> binary reads both ways
  EXPECT_EQ(diff.promoted[0].name, "y");
  ASSERT_EQ(diff.type_changed.size(), 1u);
  EXPECT_EQ(diff.type_changed[0].from, "double");
  EXPECT_EQ(diff.type_changed[0].to, "float");
  EXPECT_FALSE(diff.reordered);
}

}  // namespace
}  // namespace tarn::schema
