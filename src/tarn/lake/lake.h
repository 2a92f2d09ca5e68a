// A lake opened for work: its location, its catalog (SQLite under the lake by default, or
// PostgreSQL), and the bootstrap admin token. `tarn serve` and every CLI command open the lake
// the same way, so both can work on one lake at once. Thread-safe after Open.
#pragma once

#include <memory>
#include <string>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/lake/lake_tables.h"
#include "tarn/storage/object_store.h"

namespace tarn::lake {

struct LakeOptions {
  std::string root = "./lake";  // directory or s3://bucket/prefix
  std::string catalog_url;      // "" = sqlite:<root>/_tarn/catalog.db
};

class Lake {
 public:
  // Creates the lake's control directory if needed, opens and migrates the catalog.
  // Errors: kInvalidArgument (bad options), kIOError, kUnavailable (catalog unreachable).
  static Result<std::unique_ptr<Lake>> Open(const LakeOptions& options);

  catalog::CatalogService& catalog() { return *catalog_; }
  // The lake's object store. Errors: kFailedPrecondition for lakes on object storage, which
  // this release registers metadata for but does not read or write.
  Result<storage::ObjectStore*> objects();
  // The curated and serving zones' Iceberg tables. Errors: kFailedPrecondition for lakes on
  // object storage (not supported yet).
  Result<LakeTables*> tables();
  const std::string& catalog_url() const { return catalog_url_; }
  // "sqlite" or "postgresql".
  std::string catalog_kind() const;
  // Where a generated admin token is kept (mode 0600).
  std::string admin_token_path() const;

  // Makes sure an admin token exists: TARN_ADMIN_TOKEN when set, else the token in
  // admin_token_path(), else a new one written there. Returns where it came from
  // ("env", "file", "generated"); never the secret. Errors: kIOError.
  Result<std::string> BootstrapAdminToken();

 private:
  Lake() = default;
  std::string control_dir_;
  std::string catalog_url_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<storage::ObjectStore> objects_;
  std::unique_ptr<LakeTables> tables_;
};

// The default catalog URL for a lake at `root`.
std::string DefaultCatalogUrl(const std::string& root);

}  // namespace tarn::lake
