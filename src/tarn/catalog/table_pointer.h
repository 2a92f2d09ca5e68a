// The catalog's implementation of iceberg::TablePointer: a table's metadata location kept in
// the iceberg_tables row of (namespace, name), swapped by compare-and-swap.
#pragma once

#include <memory>
#include <string>

#include "tarn/catalog/catalog_store.h"
#include "tarn/iceberg/table.h"

namespace tarn::catalog {

// `store` must outlive the pointer. Thread-safe as the store is.
std::unique_ptr<iceberg::TablePointer> MakeTablePointer(CatalogStore& store, std::string ns,
                                                        std::string name);

}  // namespace tarn::catalog
