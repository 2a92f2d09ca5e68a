// The SCRAM-SHA-256 server against RFC 7677's example exchange, and its refusals.
#include "tarn/pgwire/scram.h"

#include <gtest/gtest.h>

namespace tarn::pgwire {
namespace {

// RFC 7677 §3: user "user", password "pencil".
constexpr char kClientFirst[] = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr char kServerNonce[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr char kServerFirst[] =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr char kClientFinal[] =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr char kServerFinal[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

std::string Salt() { return *Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ=="); }

TEST(ScramTest, Rfc7677ExchangeVerifiesAndSigns) {
  ScramServer server(Salt(), 4096, kServerNonce);
  auto first = server.HandleClientFirst(kClientFirst);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, kServerFirst);
  ScramKeys other = DeriveScramKeys("not-pencil", Salt(), 4096);
  ScramKeys pencil = DeriveScramKeys("pencil", Salt(), 4096);
  auto final = server.HandleClientFinal(kClientFinal, {other, pencil});
  ASSERT_TRUE(final.ok()) << final.status().ToString();
  EXPECT_EQ(final->matched, 1u);
  EXPECT_EQ(final->server_final, kServerFinal);
}

TEST(ScramTest, AWrongPasswordMatchesNoCandidate) {
  ScramServer server(Salt(), 4096, kServerNonce);
  ASSERT_TRUE(server.HandleClientFirst(kClientFirst).ok());
  auto final = server.HandleClientFinal(kClientFinal, {DeriveScramKeys("pen", Salt(), 4096)});
  EXPECT_EQ(final.status().code(), ErrorCode::kUnauthenticated);
  ScramServer again(Salt(), 4096, kServerNonce);
  ASSERT_TRUE(again.HandleClientFirst(kClientFirst).ok());
  EXPECT_EQ(again.HandleClientFinal(kClientFinal, {}).status().code(), ErrorCode::kUnauthenticated);
}

TEST(ScramTest, ChannelBindingAndMalformedMessagesAreRefused) {
  ScramServer server(Salt(), 4096);
  auto cb = server.HandleClientFirst("p=tls-server-end-point,,n=,r=abc");
  EXPECT_EQ(cb.status().code(), ErrorCode::kUnimplemented);
  EXPECT_NE(cb.status().message().find("channel binding"), std::string::npos);
  EXPECT_EQ(server.HandleClientFirst("n,a=admin,n=,r=abc").status().code(),
            ErrorCode::kUnimplemented);
  EXPECT_EQ(server.HandleClientFirst("x,,n=,r=abc").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(server.HandleClientFirst("n,,r=abc").status().code(), ErrorCode::kInvalidArgument);
  // "y,,": the client could bind but the server offers no PLUS mechanism; fine.
  ScramServer y(Salt(), 4096, "srv");
  auto first = y.HandleClientFirst("y,,n=,r=cli");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->substr(0, 9), "r=clisrv,");
  // The final message must echo the gs2 header and the whole nonce.
  EXPECT_EQ(y.HandleClientFinal("c=biws,r=clisrv,p=" + Base64Encode(std::string(32, 'x')), {})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(y.HandleClientFinal("c=eSws,r=cli,p=" + Base64Encode(std::string(32, 'x')), {})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::pgwire
