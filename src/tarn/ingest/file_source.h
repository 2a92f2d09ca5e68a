// FileSource: the "file" connector. Reads a file, every file of a directory, or a glob, as
// JSON lines, CSV (header, delimiter, quoting) or Parquet (through DuckDB). The window is the
// set of files with their sizes and modification times, so re-reading unchanged files is the
// same window. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tarn/ingest/record_source.h"

namespace tarn::ingest {

struct FileSourceOptions {
  std::string path;    // file, directory or glob (*, ?, [...])
  std::string format;  // jsonl | csv | parquet
  std::string source_name;
  // CSV only.
  bool header = true;
  char delimiter = ',';
  char quote = '"';
};

class FileSource final : public RecordSource {
 public:
  // Errors: kInvalidArgument (bad format or CSV options), kFailedPrecondition (no file matches).
  static Result<std::unique_ptr<FileSource>> Open(const FileSourceOptions& options);
  ~FileSource() override;

  std::string WindowKey() const override { return window_key_; }
  std::string WindowDescription() const override;
  format::ValueMode value_mode() const override;
  Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max_records) override;
  int64_t bytes_read() const override { return bytes_read_; }

  const std::vector<std::string>& files() const { return files_; }

  class Reader;  // reads the records of one file (defined in the .cc)

 private:
  explicit FileSource(FileSourceOptions options);
  Status OpenNextFile();

  FileSourceOptions options_;
  std::vector<std::string> files_;
  std::string window_key_;
  size_t next_file_ = 0;
  std::unique_ptr<Reader> reader_;
  int64_t bytes_read_ = 0;
};

}  // namespace tarn::ingest
