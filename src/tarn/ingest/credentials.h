// Credential references: connector configurations never hold secrets, only references to where
// a secret lives ("env:PG_PASSWORD", "file:/run/secrets/api_token"). ResolveSecret turns a
// reference into the secret at run time. Secret values never appear in errors or logs.
#pragma once

#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::ingest {

// Resolves a credential reference:
//   "env:NAME"   the value of environment variable NAME (may be empty if set to "");
//   "file:/path" the file's contents, minus one trailing newline ("\n" or "\r\n").
// Thread-safe as far as getenv is (do not call concurrently with setenv).
// Errors: kFailedPrecondition: the variable is not set, the file cannot be read (message names
// the variable or path, never the value), or `ref` is not a reference of either form.
Result<std::string> ResolveSecret(std::string_view ref);

}  // namespace tarn::ingest
