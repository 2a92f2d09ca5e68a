#include "tarn/pgwire/auth.h"

#include "tarn/pgwire/scram.h"

namespace tarn::pgwire {
namespace {

constexpr int32_t kAuthOk = 0;
constexpr int32_t kAuthCleartext = 3;
constexpr int32_t kAuthSasl = 10;
constexpr int32_t kAuthSaslContinue = 11;
constexpr int32_t kAuthSaslFinal = 12;
constexpr char kMechanism[] = "SCRAM-SHA-256";

void SendAuth(WireWriter& out, int32_t code, std::string_view payload = {}) {
  out.Begin('R');
  out.Int32(code);
  out.Bytes(payload);
  out.End();
}

// The client's next authentication message ('p'), after flushing what was written.
Result<std::string_view> ReadPasswordMessage(MessageReader& in, WireWriter& out) {
  TARN_RETURN_IF_ERROR(out.Flush());
  TARN_ASSIGN_OR_RETURN(Message m, in.Read());
  if (m.type != 'p') {
    return InvalidArgument("expected a password message, got message type '" +
                           std::string(1, m.type) + "'");
  }
  return m.body;
}

Result<catalog::Grants> Cleartext(catalog::CatalogService& catalog, MessageReader& in,
                                  WireWriter& out) {
  SendAuth(out, kAuthCleartext);
  TARN_ASSIGN_OR_RETURN(std::string_view body, ReadPasswordMessage(in, out));
  BodyReader r(body);
  std::string password(r.CString());
  if (!r.ok()) return InvalidArgument("malformed password message");
  return catalog.Authenticate(password);
}

Result<catalog::Grants> Scram(catalog::CatalogService& catalog, MessageReader& in,
                              WireWriter& out) {
  std::string mechanisms = std::string(kMechanism) + '\0' + '\0';
  SendAuth(out, kAuthSasl, mechanisms);
  TARN_ASSIGN_OR_RETURN(std::string_view initial, ReadPasswordMessage(in, out));
  BodyReader r(initial);
  std::string_view mechanism = r.CString();
  int32_t len = r.Int32();
  std::string_view client_first = len < 0 ? std::string_view() : r.Bytes(static_cast<size_t>(len));
  if (!r.ok()) return InvalidArgument("malformed SASLInitialResponse message");
  if (mechanism != kMechanism) {
    return InvalidArgument("client selected an invalid SASL authentication mechanism '" +
                           std::string(mechanism) + "'");
  }
  ScramServer scram(catalog::kTokenScramSalt, catalog::kTokenScramIterations);
  TARN_ASSIGN_OR_RETURN(std::string server_first, scram.HandleClientFirst(client_first));
  SendAuth(out, kAuthSaslContinue, server_first);
  TARN_ASSIGN_OR_RETURN(std::string_view client_final, ReadPasswordMessage(in, out));

  TARN_ASSIGN_OR_RETURN(auto verifiers, catalog.ScramVerifiers());
  std::vector<ScramKeys> candidates;
  candidates.reserve(verifiers.size());
  for (const auto& v : verifiers) candidates.push_back({v.stored_key, v.server_key});
  TARN_ASSIGN_OR_RETURN(ScramOutcome outcome, scram.HandleClientFinal(client_final, candidates));
  SendAuth(out, kAuthSaslFinal, outcome.server_final);
  return verifiers[outcome.matched].grants;
}

}  // namespace

Result<AuthMethod> ParseAuthMethod(const std::string& text) {
  if (text == "scram" || text == "scram-sha-256") return AuthMethod::kScramSha256;
  if (text == "password" || text == "cleartext") return AuthMethod::kPassword;
  return InvalidArgument("unknown PostgreSQL auth method '" + text +
                         "': use scram (SCRAM-SHA-256) or password (cleartext)");
}

Result<catalog::Grants> AuthenticateClient(AuthMethod method, catalog::CatalogService& catalog,
                                           MessageReader& in, WireWriter& out) {
  TARN_ASSIGN_OR_RETURN(catalog::Grants grants, method == AuthMethod::kScramSha256
                                                    ? Scram(catalog, in, out)
                                                    : Cleartext(catalog, in, out));
  SendAuth(out, kAuthOk);
  return grants;
}

}  // namespace tarn::pgwire
