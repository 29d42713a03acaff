#include <cstdlib>

#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class EnvTest : public BuiltinTest {
 protected:
  void SetUp() override {
    setenv("RFT_TEST_ENV_SET", "value 日本", 1);
    setenv("RFT_TEST_ENV_EMPTY", "", 1);
    setenv("RFT_TEST_ENV_BYTES", "bad\xFF", 1);
    unsetenv("RFT_TEST_ENV_UNSET");
  }
  void TearDown() override {
    unsetenv("RFT_TEST_ENV_SET");
    unsetenv("RFT_TEST_ENV_EMPTY");
    unsetenv("RFT_TEST_ENV_BYTES");
  }
};

constexpr std::string_view kEnv = "env(name: str) -> str?";
constexpr std::string_view kEnvDefault = "env(name: str, default: str) -> str";

TEST_F(EnvTest, Lookup) {
  expect_calls({
      {kEnv, {S("RFT_TEST_ENV_SET")}, "\"value 日本\""},
      {kEnv, {S("RFT_TEST_ENV_EMPTY")}, "\"\""},
      {kEnv, {S("RFT_TEST_ENV_UNSET")}, "none"},
      {kEnv, {S("RFT_TEST_ENV_BYTES")}, "\"bad\xEF\xBF\xBD\""},  // made valid UTF-8
      {kEnv, {S("")}, "none"},
      {kEnv, {S("RFT_TEST_ENV_SET=x")}, "none"},
      {kEnv, {S(std::string_view("RFT_TEST_ENV_SET\0x", 18))}, "none"},
      {kEnvDefault, {S("RFT_TEST_ENV_SET"), S("fallback")}, "\"value 日本\""},
      {kEnvDefault, {S("RFT_TEST_ENV_EMPTY"), S("fallback")}, "\"\""},
      {kEnvDefault, {S("RFT_TEST_ENV_UNSET"), S("fallback")}, "\"fallback\""},
  });
}

TEST_F(EnvTest, ValueIsCopied) {
  const rft_value v = call(kEnv, {S("RFT_TEST_ENV_SET")});
  setenv("RFT_TEST_ENV_SET", "changed", 1);
  EXPECT_EQ(show(v), "\"value 日本\"");
}

}  // namespace
}  // namespace rft::grader::testing
