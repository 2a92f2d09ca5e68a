#include "tarn/lake/lake.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tarn/base/ids.h"

namespace tarn::lake {
namespace {

Status Errno(const std::string& what) { return IOError(what + ": " + std::strerror(errno)); }

// Writes `content` to `path` with mode 0600 atomically (temp + fsync + rename).
Status WriteSecretFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("creating " + tmp);
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) return Errno("writing " + path);
  return Status::OK();
}

}  // namespace

std::string DefaultCatalogUrl(const std::string& root) {
  auto loc = storage::LakeLocation::Make(root);
  std::string base = loc.ok() ? loc->root() : root;
  return "sqlite:" + base + "/_tarn/catalog.db";
}

Result<std::unique_ptr<Lake>> Lake::Open(const LakeOptions& options) {
  TARN_ASSIGN_OR_RETURN(auto location, storage::LakeLocation::Make(options.root));
  std::unique_ptr<Lake> lake(new Lake());
  if (location.is_local()) {
    lake->control_dir_ = location.root() + "/_tarn";
    std::error_code ec;
    std::filesystem::create_directories(lake->control_dir_, ec);
    if (ec) return IOError("creating " + lake->control_dir_ + ": " + ec.message());
  } else if (options.catalog_url.empty() || options.catalog_url.rfind("sqlite:", 0) == 0) {
    return InvalidArgument("a lake on object storage needs a PostgreSQL catalog (--catalog)");
  }
  lake->catalog_url_ =
      options.catalog_url.empty() ? "sqlite:" + lake->control_dir_ + "/catalog.db" : options.catalog_url;
  if (location.is_local()) {
    TARN_ASSIGN_OR_RETURN(lake->objects_, storage::MakeLocalObjectStore(location.root()));
  }
  TARN_ASSIGN_OR_RETURN(auto store, catalog::CatalogStore::Open(lake->catalog_url_));
  bool local = location.is_local();
  std::string root = location.root();
  lake->catalog_ = std::make_unique<catalog::CatalogService>(std::move(store), std::move(location));
  if (local) lake->tables_ = std::make_unique<LakeTables>(lake->catalog_->store(), root);
  return lake;
}

std::string Lake::catalog_kind() const {
  return catalog_url_.rfind("sqlite:", 0) == 0 ? "sqlite" : "postgresql";
}

Result<storage::ObjectStore*> Lake::objects() {
  if (!objects_) {
    return FailedPrecondition("lake " + catalog_->lake().root() +
                              ": reading and writing data on object storage is not supported yet");
  }
  return objects_.get();
}

Result<LakeTables*> Lake::tables() {
  if (!tables_) {
    return FailedPrecondition("lake " + catalog_->lake().root() +
                              ": Iceberg tables on object storage are not supported yet");
  }
  return tables_.get();
}

std::string Lake::admin_token_path() const { return control_dir_ + "/admin.token"; }

Result<std::string> Lake::BootstrapAdminToken() {
  if (const char* env = std::getenv("TARN_ADMIN_TOKEN"); env && *env) {
    TARN_RETURN_IF_ERROR(catalog_->EnsureAdminToken("bootstrap-admin (TARN_ADMIN_TOKEN)", env));
    return std::string("env");
  }
  if (control_dir_.empty()) {
    return InvalidArgument("set TARN_ADMIN_TOKEN: a lake on object storage keeps no token file");
  }
  std::string path = admin_token_path();
  std::ifstream in(path);
  std::string secret;
  if (in && std::getline(in, secret) && !secret.empty()) {
    TARN_RETURN_IF_ERROR(catalog_->EnsureAdminToken("bootstrap-admin", secret));
    return std::string("file");
  }
  secret = NewSecretToken("tarn_");
  TARN_RETURN_IF_ERROR(WriteSecretFile(path, secret + "\n"));
  TARN_RETURN_IF_ERROR(catalog_->EnsureAdminToken("bootstrap-admin", secret));
  return std::string("generated");
}

}  // namespace tarn::lake
