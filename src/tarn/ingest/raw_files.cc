#include "tarn/ingest/raw_files.h"

#include <filesystem>

#include "tarn/base/encoding.h"
#include "tarn/base/log.h"
#include "tarn/format/avro_reader.h"

namespace tarn::ingest {

std::string HourKey(UnixMicros t) {
  std::string iso = FormatIsoTimestamp(t);
  return "dt=" + iso.substr(0, 10) + "/hour=" + iso.substr(11, 2);
}

DeadLetters::~DeadLetters() {
  if (f_) std::fclose(f_);
}

Status DeadLetters::Add(std::string_view position, std::string_view reason, std::string_view window,
                        std::string_view payload) {
  if (!f_ && !(f_ = std::fopen(path_.c_str(), "wb"))) return IOError("cannot create " + path_);
  line_.clear();
  line_ += "{\"position\":";
  AppendJsonString(&line_, position);
  line_ += ",\"reason\":";
  AppendJsonString(&line_, reason);
  line_ += ",\"window\":";
  AppendJsonString(&line_, window);
  line_ += ",\"payload\":";
  AppendJsonString(&line_, payload);
  line_ += "}\n";
  if (std::fwrite(line_.data(), 1, line_.size(), f_) != line_.size()) {
    return IOError("writing " + path_);
  }
  ++count_;
  return Status::OK();
}

Result<bool> DeadLetters::Close() {
  if (!f_) return false;
  bool ok = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok) return IOError("closing " + path_);
  return count_ > 0;
}

Status PublishRawFile(storage::ObjectStore& store, const std::string& local, const std::string& key,
                      catalog::PartitionInput* p) {
  Status st = store.PublishFile(local, key);
  if (st.code() != ErrorCode::kAlreadyExists) return st;
  LogInfo("ingest: " + key + " exists from an interrupted attempt; keeping it");
  std::filesystem::remove(local);
  if (!p) return Status::OK();
  TARN_ASSIGN_OR_RETURN(auto info, store.Stat(key));
  TARN_ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
  std::string copy = local + ".existing";
  {
    FILE* f = std::fopen(copy.c_str(), "wb");
    if (!f) return IOError("cannot create " + copy);
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok) return IOError("writing " + copy);
  }
  auto summary = format::ReadAvroSummary(copy);
  std::filesystem::remove(copy);
  TARN_RETURN_IF_ERROR(summary.status().WithContext(key));
  p->row_count = summary->rows;
  p->size_bytes = info ? info->size : static_cast<int64_t>(bytes.size());
  return Status::OK();
}

}  // namespace tarn::ingest
