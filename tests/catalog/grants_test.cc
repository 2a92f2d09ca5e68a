#include "tarn/catalog/grants.h"

#include <gtest/gtest.h>

namespace tarn::catalog {
namespace {

TEST(GrantsTest, WriteImpliesReadPerZone) {
  auto g = *Grants::Parse("raw:write, curated:read");
  EXPECT_TRUE(g.Allows(Zone::kRaw, Access::kWrite));
  EXPECT_TRUE(g.Allows(Zone::kRaw, Access::kRead));
  EXPECT_TRUE(g.Allows(Zone::kCurated, Access::kRead));
  EXPECT_FALSE(g.Allows(Zone::kCurated, Access::kWrite));
  EXPECT_FALSE(g.Allows(Zone::kServing, Access::kRead));
  EXPECT_FALSE(g.admin());
  EXPECT_EQ(g.ToString(), "raw:write,curated:read");
}

TEST(GrantsTest, AdminAllowsEverything) {
  auto g = *Grants::Parse("admin");
  EXPECT_TRUE(g.admin());
  EXPECT_TRUE(g.Allows(Zone::kServing, Access::kWrite));
  EXPECT_EQ(g.ToString(), "admin");
}

TEST(GrantsTest, RejectsUnknownEntries) {
  for (const char* bad : {"", "root", "raw", "raw:delete", "bronze:read", "raw:read,,x"}) {
    EXPECT_FALSE(Grants::Parse(bad).ok()) << bad;
  }
}

TEST(GrantsTest, DefaultGrantsAllowNothing) {
  Grants none;
  EXPECT_FALSE(none.Allows(Zone::kRaw, Access::kRead));
  EXPECT_FALSE(none.AllowsAny(Access::kRead));
}

}  // namespace
}  // namespace tarn::catalog
