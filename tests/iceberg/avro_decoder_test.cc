// The hand-written Avro decoder: varints, unions, arrays and maps in blocks (negative counts
// with byte sizes, as Java writes them when buffering), skipping, schema parsing with named
// types, and a manifest list written with such blocks by hand.
#include "tarn/iceberg/avro_decoder.h"
#include "tarn/base/encoding.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "tarn/iceberg/manifest.h"

namespace tarn::iceberg::internal {
namespace {

std::shared_ptr<const AvroSchema> Schema(const std::string& json) {
  auto schema = AvroSchema::Parse(json);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return schema.ok() ? *schema : nullptr;
}

TEST(AvroDecoderTest, Varints) {
  std::string bytes;
  const int64_t values[] = {0,
                            -1,
                            1,
                            63,
                            -64,
                            64,
                            300,
                            -300,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) AppendAvroLong(&bytes, v);
  AvroDecoder d(bytes);
  for (int64_t v : values) EXPECT_EQ(d.Long(), v);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.remaining(), 0u);
  d.Long();  // past the end
  EXPECT_FALSE(d.ok());

  AvroDecoder truncated(std::string_view("\x80\x80", 2));
  truncated.Long();
  EXPECT_FALSE(truncated.ok());
  std::string eleven = std::string(11, '\x80') + '\x01';
  AvroDecoder too_long(eleven);
  too_long.Long();
  EXPECT_FALSE(too_long.ok());
}

TEST(AvroDecoderTest, ScalarsAndUnions) {
  auto schema = Schema(R"({"type": "record", "name": "r", "fields": [
      {"name": "a", "type": ["null", "int"]}, {"name": "b", "type": ["null", "string"]},
      {"name": "c", "type": "double"}, {"name": "d", "type": "float"},
      {"name": "e", "type": {"type": "fixed", "name": "f3", "size": 3}},
      {"name": "g", "type": "boolean"}]})");
  ASSERT_NE(schema, nullptr);
  std::string bytes;
  AppendAvroLong(&bytes, 1);  // a: int branch
  AppendAvroLong(&bytes, -7);
  AppendAvroLong(&bytes, 0);  // b: null branch
  double c = 2.5;
  float f = -0.25f;
  bytes.append(reinterpret_cast<const char*>(&c), 8);  // little-endian hosts only (test)
  bytes.append(reinterpret_cast<const char*>(&f), 4);
  bytes += "xyz";
  bytes.push_back(1);
  AvroDecoder d(bytes);
  const auto& fields = schema->root()->fields;
  AvroScalar a = d.Scalar(fields[0].type);
  EXPECT_EQ(AsLong(a), -7);
  EXPECT_FALSE(AsBytes(a).has_value());
  EXPECT_EQ(d.Scalar(fields[1].type).type, AvroType::kNull);
  EXPECT_EQ(AsDouble(d.Scalar(fields[2].type)), 2.5);
  EXPECT_EQ(AsDouble(d.Scalar(fields[3].type)), -0.25);
  EXPECT_EQ(AsBytes(d.Scalar(fields[4].type)), "xyz");
  EXPECT_EQ(AsBool(d.Scalar(fields[5].type)), true);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.remaining(), 0u);

  std::string bad_branch;
  AppendAvroLong(&bad_branch, 2);
  AvroDecoder bad(bad_branch);
  EXPECT_EQ(bad.Scalar(fields[0].type).type, AvroType::kNull);
  EXPECT_FALSE(bad.ok());
}

// {"type": "array", "items": "long"}: a block of 2 with a negative count and its byte size, a
// block of 1 with a positive count, the end.
std::string LongArrayInBlocks() {
  std::string items, bytes;
  AppendAvroLong(&items, 5);
  AppendAvroLong(&items, 1000);
  AppendAvroLong(&bytes, -2);
  AppendAvroLong(&bytes, static_cast<int64_t>(items.size()));
  bytes += items;
  AppendAvroLong(&bytes, 1);
  AppendAvroLong(&bytes, -3);
  AppendAvroLong(&bytes, 0);
  return bytes;
}

TEST(AvroDecoderTest, ArraysInBlocks) {
  auto schema = Schema(R"({"type": "array", "items": "long"})");
  ASSERT_NE(schema, nullptr);
  std::string bytes = LongArrayInBlocks() + "!";
  AvroDecoder d(bytes);
  std::vector<int64_t> got;
  ForEachItem(d, schema->root(), [&] { got.push_back(d.Long()); });
  EXPECT_EQ(got, (std::vector<int64_t>{5, 1000, -3}));
  EXPECT_EQ(d.Take(1), "!");

  AvroDecoder skip(bytes);
  skip.Skip(schema->root());
  EXPECT_TRUE(skip.ok());
  EXPECT_EQ(skip.Take(1), "!");

  // A count larger than the bytes left is corrupt, not a long loop.
  std::string huge;
  AppendAvroLong(&huge, int64_t{1} << 40);
  AvroDecoder h(huge);
  EXPECT_EQ(h.BlockCount(schema->root()), 0);
  EXPECT_FALSE(h.ok());
}

TEST(AvroDecoderTest, MapsSkipTheirKeys) {
  auto schema = Schema(R"({"type": "map", "values": "int"})");
  ASSERT_NE(schema, nullptr);
  std::string bytes;
  AppendAvroLong(&bytes, 2);
  AppendAvroBytes(&bytes, "a");
  AppendAvroLong(&bytes, 1);
  AppendAvroBytes(&bytes, "bb");
  AppendAvroLong(&bytes, 2);
  AppendAvroLong(&bytes, 0);
  AvroDecoder d(bytes);
  std::vector<int64_t> got;
  ForEachItem(d, schema->root(), [&] { got.push_back(*AsLong(d.Scalar(schema->root()->items))); });
  EXPECT_EQ(got, (std::vector<int64_t>{1, 2}));
  AvroDecoder skip(bytes);
  skip.Skip(schema->root());
  EXPECT_TRUE(skip.ok());
  EXPECT_EQ(skip.remaining(), 0u);
}

TEST(AvroDecoderTest, SchemasWithNamedTypes) {
  // A linked list (a record referring to itself) in a namespace, and a fixed reused by name.
  auto schema = Schema(R"({"type": "record", "name": "Node", "namespace": "x.y", "fields": [
      {"name": "id", "type": {"type": "fixed", "name": "Id", "size": 2}, "field-id": 7},
      {"name": "other", "type": "x.y.Id"},
      {"name": "next", "type": ["null", "Node"]}]})");
  ASSERT_NE(schema, nullptr);
  const AvroNode* node = schema->root();
  EXPECT_EQ(node->name, "Node");
  EXPECT_TRUE(node->fields[0].has_id);
  EXPECT_EQ(node->fields[0].id, 7);
  EXPECT_EQ(node->fields[1].type, node->fields[0].type);
  EXPECT_EQ(node->fields[2].type->branches[1], node);
  EXPECT_EQ(FieldWithId(node, 7), 0);
  EXPECT_EQ(FieldWithId(node, 8), -1);
  EXPECT_EQ(RecordOf(node->fields[2].type), node);

  std::string bytes = "aabb";
  AppendAvroLong(&bytes, 1);
  bytes += "ccdd";
  AppendAvroLong(&bytes, 0);
  AvroDecoder d(bytes);
  d.Skip(node);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.remaining(), 0u);

  // Parsing the same text again is a lookup.
  EXPECT_EQ(AvroSchema::Parse(R"({"type": "array", "items": "long"})")->get(),
            AvroSchema::Parse(R"({"type": "array", "items": "long"})")->get());
}

TEST(AvroDecoderTest, InvalidSchemas) {
  for (const char* json :
       {"{", R"("nope")", R"({"type": "recordz"})", R"({"type": "record", "name": "r"})",
        R"({"type": "fixed", "name": "f"})", R"(["int", ["long"]])",
        R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "r"},
            {"name": "b", "type": {"type": "record", "name": "r", "fields": []}}]})"}) {
    SCOPED_TRACE(json);
    auto schema = AvroSchema::Parse(json);
    ASSERT_FALSE(schema.ok());
    EXPECT_EQ(schema.status().code(), ErrorCode::kCorruption);
  }
}

// A container (codec null) holding `records` in one block.
std::string Container(const std::string& schema, int64_t records, const std::string& data) {
  std::string out("Obj\x01", 4);
  AppendAvroLong(&out, -2);  // the metadata map in a block with a negative count and its size
  std::string meta;
  AppendAvroBytes(&meta, "avro.schema");
  AppendAvroBytes(&meta, schema);
  AppendAvroBytes(&meta, "avro.codec");
  AppendAvroBytes(&meta, "null");
  AppendAvroLong(&out, static_cast<int64_t>(meta.size()));
  out += meta;
  AppendAvroLong(&out, 0);
  std::string sync(16, '\x5a');
  out += sync;
  AppendAvroLong(&out, records);
  AppendAvroBytes(&out, data);
  return out + sync;
}

// Another writer's list: fields in another order, extra fields, ints where tarn writes longs,
// and partition summaries in blocks with negative counts.
TEST(AvroDecoderTest, ManifestListFromAnotherWriter) {
  std::string schema = R"({"type": "record", "name": "manifest_file", "fields": [
      {"name": "extra", "type": {"type": "map", "values": "string"}},
      {"name": "added_snapshot_id", "type": "long", "field-id": 503},
      {"name": "partitions", "field-id": 507, "type": ["null", {"type": "array", "items":
          {"type": "record", "name": "r508", "fields": [
              {"name": "contains_null", "type": "boolean", "field-id": 509},
              {"name": "lower_bound", "type": ["null", "bytes"], "field-id": 510}]}}]},
      {"name": "manifest_path", "type": "string", "field-id": 500},
      {"name": "manifest_length", "type": "int", "field-id": 501},
      {"name": "partition_spec_id", "type": "int", "field-id": 502}]})";
  std::string data;
  AppendAvroLong(&data, 1);  // extra: one key-value, then the end
  AppendAvroBytes(&data, "k");
  AppendAvroBytes(&data, "v");
  AppendAvroLong(&data, 0);
  AppendAvroLong(&data, 42);  // added_snapshot_id
  AppendAvroLong(&data, 1);   // partitions: the array branch
  std::string summaries;
  summaries.push_back(1);  // contains_null
  AppendAvroLong(&summaries, 1);
  AppendAvroBytes(&summaries, "lo");
  summaries.push_back(0);
  AppendAvroLong(&summaries, 0);  // lower_bound null
  AppendAvroLong(&data, -2);
  AppendAvroLong(&data, static_cast<int64_t>(summaries.size()));
  data += summaries;
  AppendAvroLong(&data, 0);
  AppendAvroBytes(&data, "m.avro");
  AppendAvroLong(&data, 1234);
  AppendAvroLong(&data, 3);
  auto list = DecodeManifestList(Container(schema, 1, data));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  const ManifestFile& m = (*list)[0];
  EXPECT_EQ(m.manifest_path, "m.avro");
  EXPECT_EQ(m.manifest_length, 1234);
  EXPECT_EQ(m.partition_spec_id, 3);
  EXPECT_EQ(m.added_snapshot_id, 42);
  EXPECT_EQ(m.sequence_number, 0);  // v1: absent
  ASSERT_EQ(m.partitions.size(), 2u);
  EXPECT_TRUE(m.partitions[0].contains_null);
  EXPECT_EQ(m.partitions[0].lower_bound, "lo");
  EXPECT_FALSE(m.partitions[1].contains_null);
  EXPECT_FALSE(m.partitions[1].lower_bound.has_value());
  EXPECT_FALSE(m.partitions[1].contains_nan.has_value());

  // The same record cut short: corrupt, naming the entry.
  auto cut = DecodeManifestList(Container(schema, 1, data.substr(0, data.size() - 3)));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(cut.status().message().find("entry 0"), std::string::npos);
}

}  // namespace
}  // namespace tarn::iceberg::internal
