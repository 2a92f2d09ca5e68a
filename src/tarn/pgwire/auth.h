// Password authentication of a PostgreSQL connection, where the password is a tarn API token:
// SCRAM-SHA-256 (the token never crosses the wire; verified against the stored verifiers of
// all live tokens) or cleartext (AuthenticationCleartextPassword; for loopback and clients
// without SCRAM). Runs on the connection's thread.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {

enum class AuthMethod { kScramSha256, kPassword };

// "scram" / "scram-sha-256" or "password". Errors: kInvalidArgument naming the choices.
Result<AuthMethod> ParseAuthMethod(const std::string& text);

// Runs the exchange after the startup packet, up to and including AuthenticationOk. Returns
// the grants of the token the client proved it holds.
// Errors: kUnauthenticated (wrong or revoked token), kInvalidArgument (a malformed or
// unexpected message: a protocol violation), kUnimplemented (SCRAM channel binding),
// kUnavailable/kIOError (the client went away), errors of the catalog.
Result<catalog::Grants> AuthenticateClient(AuthMethod method, catalog::CatalogService& catalog,
                                           MessageReader& in, WireWriter& out);

}  // namespace tarn::pgwire
