// Shared by the Iceberg REST catalog's route files: routes_iceberg.cc (configuration,
// namespaces, unsupported operations) and routes_iceberg_tables.cc (tables).
#pragma once

#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/grants.h"
#include "tarn/server/routes.h"

namespace tarn::server::iceberg_rest {

inline constexpr const char* kPrefix = "/iceberg/v1";

// The zone that the namespace path segment `ns` names, if the caller may `access` it.
// tarn's namespaces are its table zones, "curated" and "serving". Errors: kNotFound (any other
// namespace, "raw" included), kPermissionDenied.
Result<catalog::Zone> NamespaceZone(const Call& call, const std::string& ns,
                                    catalog::Access access);

// The table routes (list, create, load, commit, drop, metrics).
std::vector<Route> TableRoutes(lake::Lake& lake);

}  // namespace tarn::server::iceberg_rest
