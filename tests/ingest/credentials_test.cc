#include "tarn/ingest/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tarn::ingest {
namespace {

std::string TempFile(const std::string& contents) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("tarn-cred-" + std::to_string(getpid()) + "-" + std::to_string(std::rand()));
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(ResolveSecret, ReadsEnvironmentVariable) {
  setenv("TARN_TEST_SECRET", "s3cret-value", 1);
  auto secret = ResolveSecret("env:TARN_TEST_SECRET");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, "s3cret-value");
  unsetenv("TARN_TEST_SECRET");
}

TEST(ResolveSecret, MissingVariableIsNamed) {
  unsetenv("TARN_TEST_MISSING");
  auto secret = ResolveSecret("env:TARN_TEST_MISSING");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(secret.status().message(), "environment variable TARN_TEST_MISSING is not set");
}

TEST(ResolveSecret, ReadsFileAndStripsOneNewline) {
  std::string path = TempFile("token-123\n");
  auto secret = ResolveSecret("file:" + path);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, "token-123");
  std::filesystem::remove(path);

  path = TempFile("two\n\n");
  secret = ResolveSecret("file:" + path);
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "two\n");
  std::filesystem::remove(path);

  path = TempFile("crlf\r\n");
  secret = ResolveSecret("file:" + path);
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "crlf");
  std::filesystem::remove(path);

  path = TempFile("no-newline");
  secret = ResolveSecret("file:" + path);
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "no-newline");
  std::filesystem::remove(path);
}

TEST(ResolveSecret, UnreadableFileIsNamed) {
  auto secret = ResolveSecret("file:/nonexistent/tarn/secret");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(secret.status().message().find("/nonexistent/tarn/secret"), std::string::npos);

  secret = ResolveSecret("file:" + std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().code(), ErrorCode::kFailedPrecondition);
}

TEST(ResolveSecret, RejectsLiteralSecrets) {
  for (const char* ref : {"hunter2", "", "env:", "file:", "ENV:X", "vault:x"}) {
    auto secret = ResolveSecret(ref);
    ASSERT_FALSE(secret.ok()) << ref;
    EXPECT_EQ(secret.status().code(), ErrorCode::kFailedPrecondition);
    EXPECT_EQ(secret.status().message(),
              "credentials must be references such as env:NAME or file:/path");
  }
}

}  // namespace
}  // namespace tarn::ingest
