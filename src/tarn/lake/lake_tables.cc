#include "tarn/lake/lake_tables.h"

#include <filesystem>

#include "tarn/catalog/table_pointer.h"

namespace tarn::lake {

LakeTables::LakeTables(catalog::CatalogStore& store, std::string root)
    : store_(store), root_(std::move(root)), io_(iceberg::MakeLocalFileIO()) {}

bool LakeTables::IsTableZone(const std::string& zone) {
  return zone == "curated" || zone == "serving";
}

Status LakeTables::CheckName(const std::string& zone, const std::string& name) {
  if (!IsTableZone(zone)) {
    return NotFound("no namespace '" + zone + "': tables live in 'curated' and 'serving'");
  }
  bool ok = !name.empty() && name.size() <= 255;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) {
    return InvalidArgument("table name '" + name +
                           "' must be 1-255 letters, digits, '_' or '-'");
  }
  return Status::OK();
}

std::string LakeTables::DefaultLocation(const std::string& zone, const std::string& name) const {
  return root_ + "/" + zone + "/" + name;
}

Result<std::unique_ptr<iceberg::Table>> LakeTables::Create(const std::string& zone,
                                                           const std::string& name,
                                                           const iceberg::TableMetadata& initial) {
  TARN_RETURN_IF_ERROR(CheckName(zone, name));
  std::string zone_dir = root_ + "/" + zone + "/";
  if (initial.location.compare(0, zone_dir.size(), zone_dir) != 0 ||
      initial.location.find("/..") != std::string::npos) {
    return FailedPrecondition("table location " + initial.location + " must lie under " +
                              zone_dir);
  }
  return iceberg::Table::Create(catalog::MakeTablePointer(store_, zone, name), io_, initial);
}

Result<std::unique_ptr<iceberg::Table>> LakeTables::Load(const std::string& zone,
                                                         const std::string& name) {
  TARN_RETURN_IF_ERROR(CheckName(zone, name));
  return iceberg::Table::Load(catalog::MakeTablePointer(store_, zone, name), io_);
}

Result<std::vector<catalog::TableRecord>> LakeTables::Records(const std::string& zone) {
  if (!IsTableZone(zone)) return CheckName(zone, "x");
  return store_.ListTables(zone);
}

Result<std::vector<std::string>> LakeTables::List(const std::string& zone) {
  TARN_ASSIGN_OR_RETURN(auto records, Records(zone));
  std::vector<std::string> names;
  for (const auto& r : records) names.push_back(r.name);
  return names;
}

Status LakeTables::Drop(const std::string& zone, const std::string& name, bool purge) {
  std::string location;
  if (purge) {
    TARN_ASSIGN_OR_RETURN(auto table, Load(zone, name));
    location = table->metadata().location;
  } else {
    TARN_RETURN_IF_ERROR(CheckName(zone, name));
  }
  TARN_RETURN_IF_ERROR(store_.DropTable(zone, name));
  if (!location.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(io_->LocalPath(location), ec);
    if (ec) return IOError("table dropped, but purging " + location + " failed: " + ec.message());
  }
  return Status::OK();
}

}  // namespace tarn::lake
