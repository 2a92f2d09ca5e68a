#include "tarn/ingest/file_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "catalog/store_fixture.h"
#include "tarn/engine/duckdb_engine.h"

namespace tarn::ingest {
namespace {

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::vector<format::SourceRecord> ReadAll(const FileSourceOptions& o) {
    auto src = FileSource::Open(o);
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    std::vector<format::SourceRecord> all;
    while (true) {
      auto more = (*src)->Next(&all, 2);  // tiny batches exercise the resumption
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
    }
    return all;
  }

  std::string dir_;
};

TEST_F(FileSourceTest, JsonLinesKeepPayloadsAndLineNumbers) {
  Write("a.jsonl", "{\"id\":1}\n\n{\"id\":2}\r\nnot json\n{\"id\":4}");
  auto recs = ReadAll({dir_ + "/a.jsonl", "jsonl", "src"});
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].payload, "{\"id\":1}");
  EXPECT_EQ(recs[1].payload, "{\"id\":2}");
  EXPECT_EQ(recs[1].position, "a.jsonl:3");
  EXPECT_EQ(recs[2].payload, "not json");
  EXPECT_EQ(recs[3].position, "a.jsonl:5");
}

TEST_F(FileSourceTest, CsvHandlesQuotesDelimitersAndMultilineFields) {
  Write("a.csv",
        "id;name;note\n1;\"Smith; John\";\"said "
        "\"\"hi\"\"\"\n2;Ann;\"two\nlines\"\n3;short\n4;x;\"open\n");
  FileSourceOptions o{dir_ + "/a.csv", "csv", "src"};
  o.delimiter = ';';
  auto recs = ReadAll(o);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].json, R"({"id":"1","name":"Smith; John","note":"said \"hi\""})");
  EXPECT_EQ(recs[0].position, "a.csv:2");
  EXPECT_EQ(recs[1].json, R"({"id":"2","name":"Ann","note":"two\nlines"})");
  EXPECT_EQ(recs[1].payload, "2;Ann;\"two\nlines\"");
  EXPECT_EQ(recs[2].error, "expected 3 fields, found 2");
  EXPECT_EQ(recs[2].position, "a.csv:5");
  EXPECT_EQ(recs[3].error, "unterminated quoted field");
}

TEST_F(FileSourceTest, DirectoriesAndGlobsReadFilesInNameOrder) {
  Write("b.jsonl", "{\"f\":\"b\"}\n");
  Write("a.jsonl", "{\"f\":\"a\"}\n");
  Write(".hidden.jsonl", "{\"f\":\"h\"}\n");
  Write("c.txt", "{\"f\":\"c\"}\n");
  auto dir = ReadAll({dir_, "jsonl", "src"});
  ASSERT_EQ(dir.size(), 3u);
  EXPECT_EQ(dir[0].payload, "{\"f\":\"a\"}");
  auto glob = ReadAll({dir_ + "/*.jsonl", "jsonl", "src"});
  EXPECT_EQ(glob.size(), 2u);
  auto none = FileSource::Open({dir_ + "/*.parquet", "parquet", "src"});
  EXPECT_EQ(none.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(FileSource::Open({dir_, "xml", "src"}).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(FileSourceTest, WindowKeyChangesWhenTheFilesChange) {
  std::string p = Write("a.jsonl", "{\"id\":1}\n");
  std::string k1 = (*FileSource::Open({p, "jsonl", "orders"}))->WindowKey();
  EXPECT_EQ((*FileSource::Open({p, "jsonl", "orders"}))->WindowKey(), k1);
  EXPECT_EQ(k1.rfind("orders-", 0), 0u);
  Write("a.jsonl", "{\"id\":1}\n{\"id\":2}\n");
  EXPECT_NE((*FileSource::Open({p, "jsonl", "orders"}))->WindowKey(), k1);
}

TEST_F(FileSourceTest, ParquetRowsArriveAsJsonObjects) {
  auto db = std::move(engine::DuckDb::Open().value());
  std::string path = dir_ + "/t.parquet";
  ASSERT_TRUE(db->Exec("COPY (SELECT i AS id, 'n' || i::VARCHAR AS name FROM range(3) t(i)) TO '" +
                       path + "' (FORMAT parquet)")
                  .ok());
  auto recs = ReadAll({path, "parquet", "src"});
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[2].payload, R"({"id":2,"name":"n2"})");
  EXPECT_EQ(recs[2].position, "t.parquet row 3");
}

}  // namespace
}  // namespace tarn::ingest
