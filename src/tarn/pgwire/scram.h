// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: no channel
// binding (gs2 header "n,," or "y,,"; "p=" is refused since tarn offers no
// SCRAM-SHA-256-PLUS), the user name in the client-first message ignored, one salt and
// iteration count for all credentials. The proof is checked against every candidate
// credential, because the client's identity is the token it holds and nothing names it
// beforehand. Pure computation, no I/O; one exchange per instance; not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/crypto.h"
#include "tarn/base/status.h"

namespace tarn::pgwire {

struct ScramOutcome {
  size_t matched = 0;        // index of the candidate whose StoredKey the proof matches
  std::string server_final;  // "v=<ServerSignature>"
};

class ScramServer {
 public:
  // `server_nonce` is the server's part of the nonce: random unless a test fixes it.
  ScramServer(std::string salt, int iterations, std::string server_nonce = "");

  // The server-first message for a client-first message. Errors: kInvalidArgument (malformed),
  // kUnimplemented (channel binding or an authorization identity requested).
  Result<std::string> HandleClientFirst(std::string_view client_first);

  // Verifies the client-final message's proof against `candidates`. Errors: kInvalidArgument
  // (malformed, or the nonce or channel-binding data do not match the exchange),
  // kUnauthenticated (the proof matches no candidate).
  Result<ScramOutcome> HandleClientFinal(std::string_view client_final,
                                         const std::vector<ScramKeys>& candidates);

 private:
  std::string salt_;
  int iterations_;
  std::string server_nonce_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;  // client's and server's parts
};

}  // namespace tarn::pgwire
