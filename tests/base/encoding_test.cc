#include "tarn/base/encoding.h"

#include <gtest/gtest.h>

namespace tarn {
namespace {

TEST(EncodingTest, Base64UrlRoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(data)), data);
    data.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(EncodingTest, Base64UrlRejectsInvalidText) {
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab=").has_value());
}

}  // namespace
}  // namespace tarn
