#include "tarn/base/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace tarn {
namespace {

TEST(IdsTest, UuidV7IsCanonicalVersion7AndTimeOrdered) {
  std::string a = NewUuidV7(1705287600000000);
  std::string b = NewUuidV7(1705287600001000);
  EXPECT_TRUE(IsUuid(a));
  EXPECT_EQ(a[14], '7');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  EXPECT_LT(a, b);
  EXPECT_EQ(a.substr(0, 13), "018d0b0f-c780");  // 1705287600000 ms in hex
}

TEST(IdsTest, UuidsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(NewUuid()).second);
}

TEST(IdsTest, IsUuidRejectsOtherText) {
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("018d0b8e-4c80-7000-8000-00000000000"));
  EXPECT_FALSE(IsUuid("018d0b8e-4c80-7000-8000-00000000000g"));
  EXPECT_TRUE(IsUuid("018D0B8E-4C80-7000-8000-000000000000"));
}

TEST(IdsTest, SecretTokensAreLongRandomAndPrefixed) {
  std::string a = NewSecretToken("tarn_"), b = NewSecretToken("tarn_");
  EXPECT_EQ(a.rfind("tarn_", 0), 0u);
  EXPECT_EQ(a.size(), 5u + 44u);
  EXPECT_NE(a, b);
}

TEST(IdsTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace tarn
