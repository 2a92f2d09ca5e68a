#include "tarn/pgwire/scram.h"

namespace tarn::pgwire {
namespace {

// Splits "a=x,b=y" into attributes; false if any is not `letter=value`.
bool SplitAttributes(std::string_view text, std::vector<std::pair<char, std::string_view>>* out) {
  while (true) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    if (part.size() < 2 || part[1] != '=') return false;
    out->emplace_back(part[0], part.substr(2));
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

bool PrintableNonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

}  // namespace

ScramServer::ScramServer(std::string salt, int iterations, std::string server_nonce)
    : salt_(std::move(salt)), iterations_(iterations), server_nonce_(std::move(server_nonce)) {
  // Base64 of random bytes never contains ',' and is printable, as the nonce must be.
  if (server_nonce_.empty()) server_nonce_ = Base64Encode(SecureRandomBytes(18));
}

Result<std::string> ScramServer::HandleClientFirst(std::string_view client_first) {
  // gs2-header: cbind-flag "," [authzid] ","
  if (client_first.size() < 3) return InvalidArgument("malformed SCRAM client-first message");
  char flag = client_first[0];
  if (flag == 'p') {
    return Unimplemented(
        "SCRAM channel binding is not supported (tarn offers SCRAM-SHA-256 without TLS); "
        "connect with channel_binding=disable or prefer");
  }
  if ((flag != 'n' && flag != 'y') || client_first[1] != ',') {
    return InvalidArgument("malformed SCRAM gs2 header: expected 'n,,' or 'y,,'");
  }
  size_t second = client_first.find(',', 2);
  if (second == std::string_view::npos) return InvalidArgument("malformed SCRAM gs2 header");
  if (second != 2) return Unimplemented("SCRAM authorization identities are not supported");
  gs2_header_ = std::string(client_first.substr(0, 3));
  client_first_bare_ = std::string(client_first.substr(3));

  std::vector<std::pair<char, std::string_view>> attrs;
  if (!SplitAttributes(client_first_bare_, &attrs) || attrs.size() < 2 || attrs[0].first != 'n' ||
      attrs[1].first != 'r') {
    return InvalidArgument("malformed SCRAM client-first message: expected n=...,r=...");
  }
  if (!PrintableNonce(attrs[1].second)) return InvalidArgument("invalid SCRAM client nonce");
  for (size_t i = 2; i < attrs.size(); ++i) {
    if (attrs[i].first == 'm') return Unimplemented("SCRAM mandatory extensions are not supported");
  }
  nonce_ = std::string(attrs[1].second) + server_nonce_;
  server_first_ = "r=" + nonce_ + ",s=" + Base64Encode(salt_) + ",i=" + std::to_string(iterations_);
  return server_first_;
}

Result<ScramOutcome> ScramServer::HandleClientFinal(std::string_view client_final,
                                                    const std::vector<ScramKeys>& candidates) {
  if (server_first_.empty()) return InvalidArgument("SCRAM client-final before client-first");
  size_t proof_at = client_final.rfind(",p=");
  if (proof_at == std::string_view::npos) {
    return InvalidArgument("malformed SCRAM client-final message: no proof");
  }
  std::string_view without_proof = client_final.substr(0, proof_at);
  std::vector<std::pair<char, std::string_view>> attrs;
  if (!SplitAttributes(without_proof, &attrs) || attrs.size() < 2 || attrs[0].first != 'c' ||
      attrs[1].first != 'r') {
    return InvalidArgument("malformed SCRAM client-final message: expected c=...,r=...,p=...");
  }
  if (attrs[0].second != Base64Encode(gs2_header_)) {
    return InvalidArgument("SCRAM channel-binding data do not match the gs2 header");
  }
  if (attrs[1].second != nonce_) return InvalidArgument("SCRAM nonce does not match the exchange");
  auto proof = Base64Decode(client_final.substr(proof_at + 3));
  if (!proof || proof->size() != 32) return InvalidArgument("malformed SCRAM client proof");

  std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::string client_key = HmacSha256(candidates[i].stored_key, auth_message);
    for (size_t b = 0; b < client_key.size(); ++b) client_key[b] ^= (*proof)[b];
    if (ConstantTimeEquals(Sha256(client_key), candidates[i].stored_key)) {
      return ScramOutcome{i,
                          "v=" + Base64Encode(HmacSha256(candidates[i].server_key, auth_message))};
    }
  }
  return Unauthenticated("the SCRAM proof matches no live token");
}

}  // namespace tarn::pgwire
