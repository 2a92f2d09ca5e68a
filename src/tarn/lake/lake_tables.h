// The lake's Iceberg tables: the curated and serving zones' tables at <lake>/<zone>/<name>,
// their pointers in the control-plane catalog, and their files through a local FileIO.
// Thread-safe (each call opens its own Table).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/iceberg/table.h"

namespace tarn::lake {

class LakeTables {
 public:
  // `root`: the local lake directory. `store` must outlive this object.
  LakeTables(catalog::CatalogStore& store, std::string root);

  // True for the zones that hold Iceberg tables ("curated", "serving").
  static bool IsTableZone(const std::string& zone);
  // Errors: kNotFound for other zones (e.g. "raw": Avro files, not tables), kInvalidArgument
  // for names that are not [A-Za-z0-9_-]{1,255}.
  static Status CheckName(const std::string& zone, const std::string& name);

  std::string DefaultLocation(const std::string& zone, const std::string& name) const;
  std::shared_ptr<iceberg::FileIO> io() const { return io_; }

  // Creates a table from `initial` (NewTableMetadata; its location must lie under the zone's
  // directory). Errors: kAlreadyExists, kFailedPrecondition (location outside the lake), as
  // CheckName.
  Result<std::unique_ptr<iceberg::Table>> Create(const std::string& zone, const std::string& name,
                                                 const iceberg::TableMetadata& initial);
  // Errors: kNotFound, kIOError, kInvalidArgument (unreadable metadata).
  Result<std::unique_ptr<iceberg::Table>> Load(const std::string& zone, const std::string& name);
  Result<std::vector<std::string>> List(const std::string& zone);
  // The zone's tables with their current metadata locations, by name.
  Result<std::vector<catalog::TableRecord>> Records(const std::string& zone);
  // The local lake directory.
  const std::string& root() const { return root_; }
  // Removes the table from the catalog; with `purge`, also every file under its location.
  // Errors: kNotFound.
  Status Drop(const std::string& zone, const std::string& name, bool purge);

 private:
  catalog::CatalogStore& store_;
  std::string root_;
  std::shared_ptr<iceberg::FileIO> io_;
};

}  // namespace tarn::lake
