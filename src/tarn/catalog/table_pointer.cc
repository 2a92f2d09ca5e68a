#include "tarn/catalog/table_pointer.h"

namespace tarn::catalog {
namespace {

class CatalogTablePointer final : public iceberg::TablePointer {
 public:
  CatalogTablePointer(CatalogStore& store, std::string ns, std::string name)
      : store_(store), ns_(std::move(ns)), name_(std::move(name)) {}

  Result<std::string> Load() override {
    TARN_ASSIGN_OR_RETURN(auto record, store_.GetTable(ns_, name_));
    return record.metadata_location;
  }
  Status Create(const std::string& metadata_location) override {
    return store_.CreateTable(ns_, name_, metadata_location).status();
  }
  Status Swap(const std::string& expected, const std::string& next) override {
    return store_.SwapTableMetadata(ns_, name_, expected, next);
  }

 private:
  CatalogStore& store_;
  std::string ns_, name_;
};

}  // namespace

std::unique_ptr<iceberg::TablePointer> MakeTablePointer(CatalogStore& store, std::string ns,
                                                        std::string name) {
  return std::make_unique<CatalogTablePointer>(store, std::move(ns), std::move(name));
}

}  // namespace tarn::catalog
