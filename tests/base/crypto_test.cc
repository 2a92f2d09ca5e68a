#include "tarn/base/crypto.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

TEST(CryptoTest, DigestsMatchPublishedVectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 7914 §11 (first 32 bytes of the 64-byte key).
  EXPECT_EQ(HexEncode(Pbkdf2Sha256("passwd", "salt", 1)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

TEST(CryptoTest, ScramKeysMatchRfc7677) {
  // RFC 7677 §3: the server signature there is HMAC(ServerKey, AuthMessage), so ServerKey is
  // checked through it; StoredKey through the client proof in the pgwire SCRAM tests.
  auto salt = Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  ASSERT_TRUE(salt.has_value());
  ScramKeys keys = DeriveScramKeys("pencil", *salt, 4096);
  std::string auth_message =
      "n=user,r=rOprNGfwEbeRWgbNEkqO,"
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  EXPECT_EQ(Base64Encode(HmacSha256(keys.server_key, auth_message)),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_EQ(keys.stored_key.size(), 32u);
}

TEST(CryptoTest, HexAndBase64RoundTrip) {
  std::string data;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(*HexDecode(HexEncode(data)), data);
    EXPECT_EQ(*Base64Decode(Base64Encode(data)), data);
    data.push_back(static_cast<char>(i * 53));
  }
  EXPECT_EQ(Base64Encode("biws"), "Yml3cw==");
  EXPECT_EQ(Base64Encode("n,,"), "biws");
  EXPECT_EQ(*HexDecode("01FF"), std::string("\x01\xff", 2));
  EXPECT_FALSE(HexDecode("0").has_value());
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("a=bc").has_value());
  EXPECT_FALSE(Base64Decode("ab-c").has_value());
}

TEST(CryptoTest, ConstantTimeEqualsComparesLengthAndBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_EQ(SecureRandomBytes(18).size(), 18u);
}

}  // namespace
}  // namespace tarn
