// AvroFileWriter and the readers: round trips on every codec, rejected records leave the file
// valid, corruption is reported, and python3-avro reads our files with the schema intact.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tarn/format/avro_reader.h"
#include "tarn/format/avro_writer.h"

namespace tarn::format {
namespace {

using nlohmann::json;

// Every type, in the forms ReadAvroRecordsAsJson renders (Avro's JSON encoding; decimals as
// strings), so the rendering equals the input.
const char* kAllTypes = R"({"type":"record","name":"All","namespace":"t","fields":[
  {"name":"id","type":"long"},
  {"name":"n","type":"null"},
  {"name":"b","type":"boolean"},
  {"name":"i","type":"int"},
  {"name":"f","type":"float"},
  {"name":"d","type":"double"},
  {"name":"s","type":"string"},
  {"name":"y","type":"bytes"},
  {"name":"e","type":{"type":"enum","name":"Color","symbols":["red","green","blue"]}},
  {"name":"x","type":{"type":"fixed","name":"Two","size":2}},
  {"name":"a","type":{"type":"array","items":["null","long"]}},
  {"name":"m","type":{"type":"map","values":{"type":"array","items":"string"}}},
  {"name":"r","type":{"type":"record","name":"Inner","fields":[{"name":"z","type":"Color"}]}},
  {"name":"u","type":["null","long","string","Inner"]},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]})";

const char* kRows[] = {
    R"({"id":1,"n":null,"b":true,"i":-5,"f":1.5,"d":0.1,"s":"h\u00e9llo \"w\"\n\u0001",)"
    R"("y":"\u00ff\u0000a","e":"green","x":"ab","a":[1,null,3],"m":{"k":["v","w"],"e":[]},)"
    R"("r":{"z":"blue"},"u":null,"ts":1705287600123456,"amount":"12.34"})",
    R"({"id":2,"n":null,"b":false,"i":2147483647,"f":-0.25,"d":1e+300,"s":"",)"
    R"("y":"","e":"red","x":"\u0000\u00ff","a":[],"m":{},"r":{"z":"red"},"u":42,"ts":0,)"
    R"("amount":"-1.00"})",
    R"({"id":3,"n":null,"b":true,"i":0,"f":3,"d":-2.5e-300,"s":"日本語","y":"z","e":"blue",)"
    R"("x":"zz","a":[null],"m":{"only":["x"]},"r":{"z":"green"},"u":"text","ts":-1,)"
    R"("amount":"0.00"})",
    R"({"id":4,"n":null,"b":false,"i":1,"f":0,"d":0,"s":"s","y":"y","e":"red","x":"xy",)"
    R"("a":[7],"m":{},"r":{"z":"red"},"u":{"z":"green"},"ts":1,"amount":"0.01"})",
};

class AvroFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tarn_format_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::vector<std::string> ReadAll(const std::string& path, Status* status = nullptr) {
    std::vector<std::string> rows;
    Status st = ReadAvroRecordsAsJson(path, [&](const std::string& row) {
      rows.push_back(row);
      return Status::OK();
    });
    if (status)
      *status = st;
    else
      EXPECT_TRUE(st.ok()) << st.ToString();
    return rows;
  }

  std::unique_ptr<AvroFileWriter> Writer(const std::string& path, const std::string& schema,
                                         AvroWriterOptions o = {}) {
    auto w = AvroFileWriter::Create(path, schema, o);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }

  std::string dir_;
};

class AvroCodecTest : public AvroFileTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(AvroCodecTest, RecordsReadBackAsTheyWereWritten) {
  AvroWriterOptions o;
  o.codec = GetParam();
  auto w = Writer(Path("all.avro"), kAllTypes, o);
  ASSERT_TRUE(w);
  for (const char* row : kRows) ASSERT_TRUE(w->Append(row, ValueMode::kTyped).ok()) << row;
  EXPECT_EQ(w->rows(), 4);
  auto size = w->Close();
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, static_cast<int64_t>(std::filesystem::file_size(Path("all.avro"))));

  auto summary = ReadAvroSummary(Path("all.avro"));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 4);
  EXPECT_EQ(summary->codec, GetParam());
  EXPECT_EQ(json::parse(summary->schema_json), json::parse(kAllTypes));  // logical types kept

  auto rows = ReadAll(Path("all.avro"));
  ASSERT_EQ(rows.size(), 4u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(json::parse(rows[i]), json::parse(kRows[i])) << rows[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, AvroCodecTest, ::testing::Values("null", "deflate", "snappy"));

TEST_F(AvroFileTest, ARejectedRecordIsNotWrittenAndTheFileStaysValid) {
  auto w = Writer(Path("r.avro"), kAllTypes);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append(kRows[0], ValueMode::kTyped).ok());
  Status bad = w->Append("{bad json", ValueMode::kTyped);
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  json half = json::parse(kRows[1]);
  half["r"]["z"] = "purple";  // fails deep inside, after most fields were set
  bad = w->Append(half.dump(), ValueMode::kTyped);
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "field r.z: 'purple' is not a symbol of enum t.Color (red, green, blue)");
  EXPECT_EQ(w->rows(), 1);
  ASSERT_TRUE(w->Append(kRows[2], ValueMode::kTyped).ok());
  EXPECT_EQ(w->rows(), 2);
  ASSERT_TRUE(w->Close().ok());
  auto rows = ReadAll(Path("r.avro"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(json::parse(rows[0]), json::parse(kRows[0]));
  EXPECT_EQ(json::parse(rows[1]), json::parse(kRows[2]));
}

TEST_F(AvroFileTest, LargeRecordsAndManyBlocks) {
  const std::string schema = R"({"type":"record","name":"R","fields":[
      {"name":"id","type":"long"},{"name":"s","type":"string"}]})";
  // A 100 KB record fits the default 1 MiB block (avro-c's 16 KiB default would refuse it).
  auto w = Writer(Path("big.avro"), schema);
  std::string big(100000, 'x');
  ASSERT_TRUE(w->Append(json{{"id", 1}, {"s", big}}.dump(), ValueMode::kTyped).ok());
  ASSERT_TRUE(w->Close().ok());
  auto rows = ReadAll(Path("big.avro"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(json::parse(rows[0])["s"], big);

  // Small blocks: many of them, records in order; a record larger than a block is rejected.
  AvroWriterOptions o;
  o.block_size = 4096;
  w = Writer(Path("blocks.avro"), schema, o);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(
        w->Append(json{{"id", i}, {"s", "row " + std::to_string(i)}}.dump(), ValueMode::kTyped)
            .ok());
    if (i == 2500) {
      Status st =
          w->Append(json{{"id", -1}, {"s", std::string(5000, 'y')}}.dump(), ValueMode::kTyped);
      EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(st.message(), "record encodes to 5003 bytes, more than the block size 4096");
    }
  }
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(ReadAvroSummary(Path("blocks.avro"))->rows, 5000);
  rows = ReadAll(Path("blocks.avro"));
  ASSERT_EQ(rows.size(), 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(json::parse(rows[i])["id"], i);
}

TEST_F(AvroFileTest, LifecycleAndCreateErrors) {
  const std::string schema =
      R"({"type":"record","name":"R","fields":[{"name":"id","type":"long"}]})";
  {
    auto w = Writer(Path("dtor.avro"), schema);
    ASSERT_TRUE(w->Append(R"({"id":1})", ValueMode::kTyped).ok());
    ASSERT_TRUE(w->Append(R"({"id":2})", ValueMode::kTyped).ok());
  }  // the destructor finishes the file
  EXPECT_EQ(ReadAvroSummary(Path("dtor.avro"))->rows, 2);

  auto w = Writer(Path("twice.avro"), schema);
  auto first = w->Close();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*w->Close(), *first);
  EXPECT_EQ(w->Append(R"({"id":1})", ValueMode::kTyped).code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ReadAvroSummary(Path("twice.avro"))->rows, 0);
  EXPECT_TRUE(ReadAll(Path("twice.avro")).empty());

  // An existing file is replaced.
  w = Writer(Path("dtor.avro"), schema);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(ReadAvroSummary(Path("dtor.avro"))->rows, 0);

  auto bad = AvroFileWriter::Create(Path("no/such/dir/x.avro"), schema, {});
  EXPECT_EQ(bad.status().code(), ErrorCode::kIOError);
  AvroWriterOptions zstd;
  zstd.codec = "zstd";
  EXPECT_EQ(AvroFileWriter::Create(Path("c.avro"), schema, zstd).status().code(),
            ErrorCode::kInvalidArgument);
  AvroWriterOptions tiny;
  tiny.block_size = 10;
  EXPECT_EQ(AvroFileWriter::Create(Path("c.avro"), schema, tiny).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(AvroFileWriter::Create(Path("c.avro"), "{}", {}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(Path("c.avro")));
}

TEST_F(AvroFileTest, CorruptionIsReported) {
  EXPECT_EQ(ReadAvroSummary(Path("missing.avro")).status().code(), ErrorCode::kIOError);
  Status st;
  ReadAll(Path("missing.avro"), &st);
  EXPECT_EQ(st.code(), ErrorCode::kIOError);
  std::ofstream(Path("text.avro")) << "hello, not avro";
  EXPECT_EQ(ReadAvroSummary(Path("text.avro")).status().code(), ErrorCode::kCorruption);

  AvroWriterOptions o;
  o.block_size = 4096;
  auto w = Writer(Path("c.avro"), kAllTypes, o);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(w->Append(kRows[i % 4], ValueMode::kTyped).ok());
  auto size = w->Close();
  ASSERT_TRUE(size.ok());
  std::string bytes;
  {
    std::ifstream in(Path("c.avro"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& name, const std::string& data) {
    std::ofstream(Path(name), std::ios::binary) << data;
    return Path(name);
  };
  auto truncated = ReadAvroSummary(write("t.avro", bytes.substr(0, bytes.size() - 7)));
  EXPECT_EQ(truncated.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);
  ReadAll(Path("t.avro"), &st);
  EXPECT_EQ(st.code(), ErrorCode::kCorruption);

  std::string bad_sync = bytes;
  bad_sync[bad_sync.size() - 3] ^= 0x5a;
  auto mismatch = ReadAvroSummary(write("s.avro", bad_sync));
  EXPECT_EQ(mismatch.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(mismatch.status().message().find("sync marker mismatch"), std::string::npos);

  // Damage inside compressed data: the structure is intact, the snappy CRC is not.
  std::string bad_data = bytes;
  bad_data[bytes.size() / 2] ^= 0x5a;
  bad_data[bytes.size() / 2 + 1] ^= 0x33;
  EXPECT_EQ(ReadAvroSummary(write("d.avro", bad_data))->rows, 200);
  ReadAll(Path("d.avro"), &st);
  EXPECT_EQ(st.code(), ErrorCode::kCorruption) << st.ToString();

  // fn's error stops the read and is returned.
  int calls = 0;
  st = ReadAvroRecordsAsJson(Path("c.avro"), [&](const std::string&) {
    ++calls;
    return Status(ErrorCode::kConflict, "stop");
  });
  EXPECT_EQ(st.code(), ErrorCode::kConflict);
  EXPECT_EQ(calls, 1);
}

TEST_F(AvroFileTest, FieldsRenderUnderTheirJsonNames) {
  const std::string schema = R"({"type":"record","name":"R","fields":[
      {"name":"user_id","type":"long","tarn.json_name":"user-id"},
      {"name":"n","type":{"type":"record","name":"N","fields":[
          {"name":"_1st","type":"string","tarn.json_name":"1st"}]}}]})";
  auto w = Writer(Path("names.avro"), schema);
  ASSERT_TRUE(w->Append(R"({"user-id":7,"n":{"1st":"a"}})", ValueMode::kTyped).ok());
  ASSERT_TRUE(w->Close().ok());
  auto rows = ReadAll(Path("names.avro"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], R"({"user-id":7,"n":{"1st":"a"}})");
}

bool PythonHasAvro() {
  return std::system("/usr/bin/python3 -c 'import avro.datafile, avro.io' >/dev/null 2>&1") == 0;
}

std::vector<std::string> RunPython(const std::string& script, const std::string& arg) {
  std::vector<std::string> lines;
  std::string cmd = "/usr/bin/python3 " + script + " " + arg + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return lines;
  std::string cur;
  for (int c; (c = std::fgetc(p)) != EOF;) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(c));
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  EXPECT_EQ(pclose(p), 0) << (lines.empty() ? "" : lines.back());
  return lines;
}

TEST_F(AvroFileTest, Python3AvroReadsOurFiles) {
  if (!PythonHasAvro()) GTEST_SKIP() << "/usr/bin/python3 lacks the avro module";
  const std::string script = Path("read.py");
  std::ofstream(script) << R"(import sys, json, datetime, decimal
import avro.datafile, avro.io
def conv(o):
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    if isinstance(o, decimal.Decimal):
        return "decimal:" + str(o)
    if isinstance(o, bytes):
        return o.decode("latin-1")
    raise TypeError(type(o))
with avro.datafile.DataFileReader(open(sys.argv[1], "rb"), avro.io.DatumReader()) as r:
    print(r.meta["avro.schema"].decode())
    print(r.meta["avro.codec"].decode())
    for rec in r:
        print(json.dumps(rec, default=conv))
)";
  const std::string schema = R"({"type":"record","name":"Event","namespace":"x","fields":[
    {"name":"id","type":"long"},
    {"name":"name","type":"string"},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
    {"name":"ts_ms","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"day","type":{"type":"int","logicalType":"date"}},
    {"name":"t","type":{"type":"int","logicalType":"time-millis"}},
    {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
    {"name":"uid","type":{"type":"string","logicalType":"uuid"}},
    {"name":"score","type":["null","double"],"default":null},
    {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["view","buy"]}},
    {"name":"raw","type":"bytes"},
    {"name":"tags","type":{"type":"array","items":"string"}},
    {"name":"attrs","type":{"type":"map","values":"long"}},
    {"name":"dev","type":{"type":"record","name":"Dev","fields":[{"name":"os","type":"string"}]}},
    {"name":"f","type":"float","default":0.5}]})";
  const char* in[] = {
      R"({"id":1,"name":"h\u00e9llo","ts":"2024-01-15T03:00:00.5Z","ts_ms":"2024-01-15T03:00:00Z",)"
      R"("day":"2024-01-15","t":"03:00:00","amount":"12.34",)"
      R"("uid":"123e4567-e89b-12d3-a456-426614174000","score":1.5,"kind":"buy",)"
      R"("raw":"\u00ff\u0001","tags":["a","b"],"attrs":{"k":1},"dev":{"os":"linux"}})",
      R"({"id":2,"name":"","ts":0,"ts_ms":0,"day":0,"t":0,"amount":-1,)"
      R"("uid":"00000000-0000-0000-0000-000000000000","kind":"view","raw":"",)"
      R"("tags":[],"attrs":{},"dev":{"os":""},"f":2})",
  };
  const char* expected[] = {
      R"({"id":1,"name":"h\u00e9llo","ts":"2024-01-15T03:00:00.500000+00:00",)"
      R"("ts_ms":"2024-01-15T03:00:00+00:00","day":"2024-01-15","t":"03:00:00",)"
      R"("amount":"decimal:12.34","uid":"123e4567-e89b-12d3-a456-426614174000","score":1.5,)"
      R"("kind":"buy","raw":"\u00ff\u0001","tags":["a","b"],"attrs":{"k":1},)"
      R"("dev":{"os":"linux"},"f":0.5})",
      R"({"id":2,"name":"","ts":"1970-01-01T00:00:00+00:00","ts_ms":"1970-01-01T00:00:00+00:00",)"
      R"("day":"1970-01-01","t":"00:00:00","amount":"decimal:-1.00",)"
      R"("uid":"00000000-0000-0000-0000-000000000000","score":null,"kind":"view","raw":"",)"
      R"("tags":[],"attrs":{},"dev":{"os":""},"f":2.0})",
  };
  for (const char* codec : {"null", "deflate"}) {  // python3-avro here has no snappy
    AvroWriterOptions o;
    o.codec = codec;
    const std::string path = Path(std::string("py-") + codec + ".avro");
    auto w = Writer(path, schema, o);
    for (const char* row : in) ASSERT_TRUE(w->Append(row, ValueMode::kTyped).ok()) << row;
    ASSERT_TRUE(w->Close().ok());
    auto lines = RunPython(script, path);
    ASSERT_EQ(lines.size(), 4u) << (lines.empty() ? "" : lines.back());
    EXPECT_EQ(json::parse(lines[0]), json::parse(schema));
    EXPECT_EQ(lines[1], codec);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(json::parse(lines[2 + i]), json::parse(expected[i])) << lines[2 + i];
    }
  }
}

TEST_F(AvroFileTest, WriterThroughput) {
  // Not a benchmark: prints what one core does through Append (snappy); never asserts on time.
  const std::string schema = R"({"type":"record","name":"Event","fields":[
      {"name":"event_id","type":"string"},{"name":"user_id","type":"long"},
      {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
      {"name":"kind","type":"string"},{"name":"price","type":["null","double"]},
      {"name":"page","type":"string"},{"name":"referrer","type":["null","string"]},
      {"name":"tags","type":{"type":"array","items":"string"}},
      {"name":"attrs","type":{"type":"map","values":"string"}},
      {"name":"device","type":{"type":"record","name":"Device","fields":[
          {"name":"os","type":"string"},{"name":"version","type":"string"},
          {"name":"mobile","type":"boolean"}]}}]})";
  auto w = Writer(Path("speed.avro"), schema);
  const int kRecords = 100000;
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  R"({"event_id":"123e4567-e89b-12d3-a456-%012d","user_id":%d,)"
                  R"("ts":"2024-01-15T03:%02d:%02d.123456Z","kind":"view","price":%d.25,)"
                  R"("page":"/products/category/item-%d?utm_source=newsletter&utm_medium=email",)"
                  R"("referrer":"https://www.example.com/search?q=item+%d","tags":["a","b","c"],)"
                  R"("attrs":{"campaign":"winter-sale","variant":"B","session":"s-%d"},)"
                  R"("device":{"os":"Android","version":"14.1.%d","mobile":true}})",
                  i, 1000 + i, i % 60, i % 60, i, i, i, i, i % 10);
    lines.emplace_back(buf);
  }
  size_t total = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRecords; ++i) {
    const std::string& line = lines[i % lines.size()];
    ASSERT_TRUE(w->Append(line, ValueMode::kTyped).ok());
    total += line.size();
  }
  auto size = w->Close();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(size.ok());
  std::printf(
      "AvroFileWriter (snappy): %d records in %.3f s: %.0f records/s, %.0f MB/s of JSON "
      "-> %lld bytes\n",
      kRecords, secs, kRecords / secs, total / secs / 1e6, static_cast<long long>(*size));
}

}  // namespace
}  // namespace tarn::format
