// ObjectStore: where the lake's bytes live, addressed by keys relative to the lake root
// ("raw/events/dt=2024-01-15/hour=03/x.avro"). Objects are immutable: publishing never replaces
// an existing key, which is what keeps the raw zone append-only. Writers that need a local file
// (Avro C) build it under staging_dir() and publish it when complete, so readers never see a
// partial object. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::storage {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Durably publishes the finished local file at `key` and removes the local file.
  // Errors: kAlreadyExists (the key exists; the local file is left in place), kIOError,
  // kInvalidArgument (bad key).
  virtual Status PublishFile(const std::string& local_path, const std::string& key) = 0;
  // Durably writes `data` at `key`. Errors: as PublishFile.
  virtual Status Put(const std::string& key, std::string_view data) = 0;
  // Errors: kNotFound, kIOError.
  virtual Result<std::string> Get(const std::string& key) = 0;
  // Up to `length` bytes from `offset`. Errors: kNotFound, kIOError.
  virtual Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) = 0;
  // Objects whose key starts with `prefix`, in key order. Errors: kIOError.
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  // nullopt if absent. Errors: kIOError.
  virtual Result<std::optional<ObjectInfo>> Stat(const std::string& key) = 0;
  // A local directory for files being built before PublishFile.
  virtual const std::string& staging_dir() const = 0;
};

// Objects as files under a local directory. Publishing is link(2) into place (never
// replacing) after fsync of the file, with fsync of every directory it touched.
// Errors from Make: kIOError if the root or staging directory cannot be created.
Result<std::unique_ptr<ObjectStore>> MakeLocalObjectStore(const std::string& root);

}  // namespace tarn::storage
