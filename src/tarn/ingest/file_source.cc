#include "tarn/ingest/file_source.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "tarn/base/encoding.h"
#include "tarn/base/ids.h"
#include "tarn/engine/duckdb_engine.h"

namespace tarn::ingest {
namespace {

namespace fs = std::filesystem;

std::string BaseName(const std::string& path) { return fs::path(path).filename().string(); }

// Expands a file, a directory (its regular, non-hidden files) or a glob into sorted paths.
Result<std::vector<std::string>> ExpandPath(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (path.find_first_of("*?[") != std::string::npos) {
    glob_t g{};
    if (::glob(path.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        if (fs::is_regular_file(g.gl_pathv[i], ec)) out.push_back(g.gl_pathv[i]);
      }
    }
    ::globfree(&g);
  } else if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      if (e.is_regular_file(ec) && e.path().filename().string().front() != '.') {
        out.push_back(e.path().string());
      }
    }
  } else if (fs::is_regular_file(path, ec)) {
    out.push_back(path);
  }
  if (out.empty()) return FailedPrecondition("path: no file matches '" + path + "'");
  std::sort(out.begin(), out.end());
  return out;
}

// Reads a file in large blocks and hands out lines (without the newline), counting them.
class LineReader {
 public:
  explicit LineReader(FILE* f) : f_(f) {}
  ~LineReader() { std::fclose(f_); }

  // Returns false at end of file. `bytes` grows by what was consumed.
  bool NextLine(std::string* line, int64_t* bytes) {
    line->clear();
    while (true) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        line->append(buf_, pos_, nl - pos_);
        *bytes += static_cast<int64_t>(nl - pos_ + 1);
        pos_ = nl + 1;
        ++line_no_;
        if (!line->empty() && line->back() == '\r') line->pop_back();
        return true;
      }
      line->append(buf_, pos_, std::string::npos);
      *bytes += static_cast<int64_t>(buf_.size() - pos_);
      buf_.resize(1 << 20);
      size_t n = std::fread(buf_.data(), 1, buf_.size(), f_);
      buf_.resize(n);
      pos_ = 0;
      if (n == 0) {
        if (line->empty()) return false;
        ++line_no_;
        return true;
      }
    }
  }
  int64_t line_no() const { return line_no_; }

 private:
  FILE* f_;
  std::string buf_;
  size_t pos_ = 0;
  int64_t line_no_ = 0;
};

}  // namespace

// Reads records of one file.
class FileSource::Reader {
 public:
  virtual ~Reader() = default;
  virtual Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max, int64_t* bytes) = 0;
};

namespace {

class JsonLinesReader final : public FileSource::Reader {
 public:
  JsonLinesReader(FILE* f, std::string name) : lines_(f), name_(std::move(name)) {}
  Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max, int64_t* bytes) override {
    std::string line;
    for (size_t n = 0; n < max;) {
      if (!lines_.NextLine(&line, bytes)) return false;
      if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
      format::SourceRecord r;
      r.payload = std::move(line);
      r.position = name_ + ":" + std::to_string(lines_.line_no());
      batch->push_back(std::move(r));
      ++n;
    }
    return true;
  }

 private:
  LineReader lines_;
  std::string name_;
};

// RFC 4180 CSV: quoted fields may hold delimiters, doubled quotes and newlines.
class CsvReader final : public FileSource::Reader {
 public:
  CsvReader(FILE* f, std::string name, const FileSourceOptions& o)
      : lines_(f), name_(std::move(name)), opts_(o) {}

  Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max, int64_t* bytes) override {
    if (opts_.header && columns_.empty()) {
      std::string raw;
      std::vector<std::string> header;
      bool ok = true;
      if (!ReadRecord(&raw, &header, &ok, bytes)) return false;
      if (!ok) return FailedPrecondition(name_ + ": the CSV header has an unterminated quote");
      columns_ = std::move(header);
    }
    for (size_t n = 0; n < max; ++n) {
      format::SourceRecord r;
      std::vector<std::string> fields;
      bool ok = true;
      if (!ReadRecord(&r.payload, &fields, &ok, bytes)) return false;
      r.position = name_ + ":" + std::to_string(start_line_);
      if (columns_.empty()) {  // no header: columns are c1, c2, ...
        for (size_t i = 0; i < fields.size(); ++i) columns_.push_back("c" + std::to_string(i + 1));
      }
      if (!ok) {
        r.error = "unterminated quoted field";
      } else if (fields.size() != columns_.size()) {
        r.error = "expected " + std::to_string(columns_.size()) + " fields, found " +
                  std::to_string(fields.size());
      } else {
        r.json = "{";
        for (size_t i = 0; i < fields.size(); ++i) {
          if (i) r.json += ',';
          AppendJsonString(&r.json, columns_[i]);
          r.json += ':';
          AppendJsonString(&r.json, fields[i]);
        }
        r.json += '}';
      }
      batch->push_back(std::move(r));
    }
    return true;
  }

 private:
  // Reads one record (which may span lines); false at end of file.
  bool ReadRecord(std::string* raw, std::vector<std::string>* fields, bool* ok, int64_t* bytes) {
    std::string line;
    do {
      if (!lines_.NextLine(&line, bytes)) return false;
    } while (line.empty());
    start_line_ = lines_.line_no();
    *raw = line;
    fields->assign(1, "");
    bool quoted = false;
    for (size_t i = 0;; ++i) {
      if (i == line.size()) {
        if (!quoted) break;
        if (!lines_.NextLine(&line, bytes)) {  // end of file inside quotes
          *ok = false;
          break;
        }
        *raw += "\n" + line;
        fields->back() += '\n';
        i = static_cast<size_t>(-1);
        continue;
      }
      char c = line[i];
      if (quoted) {
        if (c == opts_.quote && i + 1 < line.size() && line[i + 1] == opts_.quote) {
          fields->back() += c;
          ++i;
        } else if (c == opts_.quote) {
          quoted = false;
        } else {
          fields->back() += c;
        }
      } else if (c == opts_.quote) {
        quoted = true;
      } else if (c == opts_.delimiter) {
        fields->emplace_back();
      } else {
        fields->back() += c;
      }
    }
    return true;
  }

  LineReader lines_;
  std::string name_;
  FileSourceOptions opts_;
  std::vector<std::string> columns_;
  int64_t start_line_ = 0;
};

// Parquet through DuckDB: each row rendered as a JSON object by DuckDB's to_json.
class ParquetReader final : public FileSource::Reader {
 public:
  static Result<std::unique_ptr<FileSource::Reader>> Open(const std::string& path) {
    std::unique_ptr<ParquetReader> r(new ParquetReader(BaseName(path)));
    TARN_ASSIGN_OR_RETURN(r->db_, engine::DuckDb::Open());
    auto cursor = r->db_->Execute("SELECT to_json(t)::VARCHAR FROM read_parquet(?) t", {path});
    if (!cursor.ok()) return FailedPrecondition(path + ": " + cursor.status().message());
    r->cursor_ = std::move(cursor).value();
    std::error_code ec;
    r->size_ = static_cast<int64_t>(fs::file_size(path, ec));
    return std::unique_ptr<FileSource::Reader>(std::move(r));
  }

  Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max, int64_t* bytes) override {
    engine::Row row;
    for (size_t n = 0; n < max; ++n) {
      TARN_ASSIGN_OR_RETURN(bool more, cursor_->Next(&row));
      if (!more) {
        *bytes += size_;  // a Parquet file counts as read once it is done
        return false;
      }
      format::SourceRecord r;
      r.payload = row[0].value_or("null");
      r.position = name_ + " row " + std::to_string(++row_no_);
      batch->push_back(std::move(r));
    }
    return true;
  }

 private:
  explicit ParquetReader(std::string name) : name_(std::move(name)) {}
  std::string name_;
  std::unique_ptr<engine::DuckDb> db_;
  std::unique_ptr<engine::QueryCursor> cursor_;
  int64_t row_no_ = 0;
  int64_t size_ = 0;
};

}  // namespace

FileSource::FileSource(FileSourceOptions options) : options_(std::move(options)) {}
FileSource::~FileSource() = default;

Result<std::unique_ptr<FileSource>> FileSource::Open(const FileSourceOptions& options) {
  if (options.format != "jsonl" && options.format != "csv" && options.format != "parquet") {
    return InvalidArgument("format: '" + options.format + "' is not one of jsonl, csv, parquet");
  }
  if (options.format == "csv" && (options.delimiter == options.quote || options.delimiter == '\n')) {
    return InvalidArgument("CSV delimiter and quote must differ and not be a newline");
  }
  std::unique_ptr<FileSource> src(new FileSource(options));
  TARN_ASSIGN_OR_RETURN(src->files_, ExpandPath(options.path));
  // The window: these files as they are now (name, size, modification time).
  std::string identity = options.format;
  for (const std::string& f : src->files_) {
    struct stat st {};
    ::stat(f.c_str(), &st);
    identity += "\n" + fs::absolute(f).string() + "|" + std::to_string(st.st_size) + "|" +
                std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }
  src->window_key_ = options.source_name + "-" + Sha256Hex(identity).substr(0, 16);
  return src;
}

std::string FileSource::WindowDescription() const {
  if (files_.size() == 1) return options_.format + " file " + files_[0];
  return std::to_string(files_.size()) + " " + options_.format + " files matching " + options_.path;
}

format::ValueMode FileSource::value_mode() const {
  return options_.format == "csv" ? format::ValueMode::kText : format::ValueMode::kTyped;
}

Status FileSource::OpenNextFile() {
  const std::string& path = files_[next_file_++];
  if (options_.format == "parquet") {
    TARN_ASSIGN_OR_RETURN(reader_, ParquetReader::Open(path));
    return Status::OK();
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return IOError("cannot open " + path);
  if (options_.format == "jsonl") {
    reader_ = std::make_unique<JsonLinesReader>(f, BaseName(path));
  } else {
    reader_ = std::make_unique<CsvReader>(f, BaseName(path), options_);
  }
  return Status::OK();
}

Result<bool> FileSource::Next(std::vector<format::SourceRecord>* batch, size_t max_records) {
  size_t start = batch->size();
  while (batch->size() - start < max_records) {
    if (!reader_) {
      if (next_file_ == files_.size()) return false;
      TARN_RETURN_IF_ERROR(OpenNextFile());
    }
    TARN_ASSIGN_OR_RETURN(bool more,
                          reader_->Next(batch, max_records - (batch->size() - start), &bytes_read_));
    if (!more) reader_.reset();
  }
  return true;
}

}  // namespace tarn::ingest
