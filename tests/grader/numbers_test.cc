#include <string>

#include "runtime/grader/numbers.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class NumbersTest : public BuiltinTest {};

constexpr std::string_view kNumStr = "num(s: str) -> num?";
constexpr std::string_view kNumBool = "num(b: bool) -> num";
constexpr std::string_view kNumbers = "numbers(s: str) -> list<num>";
constexpr std::string_view kAbs = "abs(x: num) -> num";
constexpr std::string_view kFloor = "floor(x: num) -> num";
constexpr std::string_view kCeil = "ceil(x: num) -> num";
constexpr std::string_view kSqrt = "sqrt(x: num) -> num";
constexpr std::string_view kExp = "exp(x: num) -> num";
constexpr std::string_view kLog = "log(x: num) -> num";
constexpr std::string_view kPow = "pow(x: num, y: num) -> num";
constexpr std::string_view kRound = "round(x: num, digits: num = 0) -> num";
constexpr std::string_view kMin = "min(a: num, b: num) -> num";
constexpr std::string_view kMax = "max(a: num, b: num) -> num";
constexpr std::string_view kClamp = "clamp(x: num, lo: num, hi: num) -> num";
constexpr std::string_view kIsFinite = "is_finite(x: num) -> bool";
constexpr std::string_view kApprox =
    "approx(a: num, b: num, rel_tol: num = 1e-9, abs_tol: num = 1e-12) -> bool";

TEST_F(NumbersTest, NumFromStringIsStrict) {
  expect_calls({
      {kNumStr, {S("42")}, "42"},
      {kNumStr, {S("-42")}, "-42"},
      {kNumStr, {S("+42")}, "42"},
      {kNumStr, {S("3.25")}, "3.25"},
      {kNumStr, {S("12.")}, "12"},
      {kNumStr, {S(".5")}, "0.5"},
      {kNumStr, {S("-.5")}, "-0.5"},
      {kNumStr, {S("1e3")}, "1000"},
      {kNumStr, {S("1.5E-3")}, "0.0015"},
      {kNumStr, {S("2e+2")}, "200"},
      {kNumStr, {S("007")}, "7"},
      {kNumStr, {S("-0")}, "0"},
      {kNumStr, {S("  7 \n")}, "7"},
      {kNumStr, {S("\u00A07\u3000")}, "7"},
      {kNumStr, {S("1e400")}, "inf"},
      {kNumStr, {S("-1e400")}, "-inf"},
      {kNumStr, {S("1e-400")}, "0"},
      {kNumStr, {S("0.000001e-999999999999999999999")}, "0"},
      {kNumStr, {S("1e99999999999999999999")}, "inf"},
      {kNumStr, {S("0e99999")}, "0"},
      {kNumStr, {S("123456789012345678901234567890")}, "1.2345678901234568e+29"},
      {kNumStr, {S("")}, "none"},
      {kNumStr, {S("   ")}, "none"},
      {kNumStr, {S(".")}, "none"},
      {kNumStr, {S("-")}, "none"},
      {kNumStr, {S("+-1")}, "none"},
      {kNumStr, {S("- 1")}, "none"},
      {kNumStr, {S("1,000")}, "none"},
      {kNumStr, {S("1 000")}, "none"},
      {kNumStr, {S("1e")}, "none"},
      {kNumStr, {S("1e+")}, "none"},
      {kNumStr, {S("e5")}, "none"},
      {kNumStr, {S("1.2.3")}, "none"},
      {kNumStr, {S("inf")}, "none"},
      {kNumStr, {S("-infinity")}, "none"},
      {kNumStr, {S("nan")}, "none"},
      {kNumStr, {S("0x1F")}, "none"},
      {kNumStr, {S("42abc")}, "none"},
      {kNumStr, {S("٤٢")}, "none"},  // Arabic-Indic digits
      {kNumBool, {B(true)}, "1"},
      {kNumBool, {B(false)}, "0"},
  });
  EXPECT_EQ(show(call(kNumStr, {S("1" + std::string(100'000, '0'))})), "inf");
  EXPECT_EQ(show(call(kNumStr, {S("0." + std::string(100'000, '0') + "1")})), "0");
  EXPECT_EQ(parse_number(" 2.5 "), 2.5);
}

TEST_F(NumbersTest, NumbersFindsEveryNumberInProse) {
  expect_calls({
      {kNumbers, {S("")}, "[]"},
      {kNumbers, {S("no numbers here")}, "[]"},
      {kNumbers, {S("The answer is 42.")}, "[42]"},
      {kNumbers, {S("-3 and +4 and 5")}, "[-3, 4, 5]"},
      {kNumbers, {S("x=-2.5, y=.5")}, "[-2.5, 0.5]"},
      {kNumbers, {S("1,234,567 people")}, "[1234567]"},
      {kNumbers, {S("$1,234.50")}, "[1234.5]"},
      {kNumbers, {S("-1,000")}, "[-1000]"},
      {kNumbers, {S("1,2,3")}, "[1, 2, 3]"},
      {kNumbers, {S("1234,567")}, "[1234, 567]"},
      {kNumbers, {S("1,2345")}, "[1, 2345]"},
      {kNumbers, {S("12,345,67")}, "[12345, 67]"},
      {kNumbers, {S("1.5e3 and 2E-2 and 3e")}, "[1500, 0.02, 3]"},
      {kNumbers, {S("3.14.15")}, "[3.14, 15]"},
      {kNumbers, {S("v1.2.3")}, "[1.2, 3]"},
      {kNumbers, {S("2024-01-15")}, "[2024, 1, 15]"},
      {kNumbers, {S("pages 3-4")}, "[3, 4]"},
      {kNumbers, {S("n-1")}, "[1]"},
      {kNumbers, {S("--5")}, "[-5]"},
      {kNumbers, {S("5. Next")}, "[5]"},
      {kNumbers, {S("H2O")}, "[2]"},
      {kNumbers, {S("答案是 42，不是 ４２")}, "[42]"},
      {kNumbers, {S("1e999 tiny 1e-999")}, "[inf, 0]"},
      {kNumbers, {S("\\boxed{-7/2}")}, "[-7, 2]"},
  });
  std::string many;
  for (int i = 0; i < 10'000; ++i) many += std::to_string(i) + " ";
  const rft_value found = call(kNumbers, {S(many)});
  ASSERT_EQ(found.as.list.len, 10'000u);
  EXPECT_EQ(found.as.list.items[9'999].as.num, 9'999);
}

TEST_F(NumbersTest, Math) {
  expect_calls({
      {kAbs, {N(-3.5)}, "3.5"},
      {kAbs, {N(-0.0)}, "0"},
      {kAbs, {N(-kInf)}, "inf"},
      {kFloor, {N(2.7)}, "2"},
      {kFloor, {N(-2.1)}, "-3"},
      {kCeil, {N(2.1)}, "3"},
      {kCeil, {N(-2.7)}, "-2"},
      {kSqrt, {N(16)}, "4"},
      {kSqrt, {N(2)}, "1.4142135623730951"},
      {kSqrt, {N(-1)}, "nan"},
      {kExp, {N(0)}, "1"},
      {kExp, {N(1000)}, "inf"},
      {kLog, {N(1)}, "0"},
      {kLog, {N(0)}, "-inf"},
      {kLog, {N(-1)}, "nan"},
      {kLog, {N(std::exp(2.0))}, "2"},
      {kPow, {N(2), N(10)}, "1024"},
      {kPow, {N(2), N(-1)}, "0.5"},
      {kPow, {N(0), N(0)}, "1"},
      {kPow, {N(-8), N(1.0 / 3)}, "nan"},
      {kPow, {N(10), N(400)}, "inf"},
      {kIsFinite, {N(1)}, "true"},
      {kIsFinite, {N(kInf)}, "false"},
      {kIsFinite, {N(kNan)}, "false"},
  });
}

TEST_F(NumbersTest, RoundHalfAwayFromZero) {
  expect_calls({
      {kRound, {N(2.5), N(0)}, "3"},
      {kRound, {N(-2.5), N(0)}, "-3"},
      {kRound, {N(0.5), N(0)}, "1"},
      {kRound, {N(1.4999), N(0)}, "1"},
      {kRound, {N(-0.4), N(0)}, "0"},
      {kRound, {N(3.14159), N(2)}, "3.14"},
      {kRound, {N(2.675), N(2)}, "2.68"},
      {kRound, {N(1.005), N(2)}, "1"},  // 1.005 is 1.00499999999999989... in binary
      {kRound, {N(-1.25), N(1)}, "-1.3"},
      {kRound, {N(1234.5), N(-2)}, "1200"},
      {kRound, {N(1250), N(-2)}, "1300"},
      {kRound, {N(-1250), N(-2)}, "-1300"},
      {kRound, {N(123), N(-400)}, "0"},
      {kRound, {N(0.1), N(400)}, "0.1"},
      {kRound, {N(1e300), N(10)}, "1e+300"},
      {kRound, {N(4503599627370497.0), N(0)}, "4503599627370497"},
      {kRound, {N(2.5), N(0.9)}, "3"},  // digits truncated toward zero
      {kRound, {N(2.5), N(kNan)}, "3"},
      {kRound, {N(kNan), N(2)}, "nan"},
      {kRound, {N(-kInf), N(2)}, "-inf"},
  });
}

TEST_F(NumbersTest, MinMaxClamp) {
  expect_calls({
      {kMin, {N(1), N(2)}, "1"},
      {kMin, {N(2), N(-1)}, "-1"},
      {kMin, {N(kNan), N(1)}, "nan"},
      {kMin, {N(1), N(kNan)}, "nan"},
      {kMin, {N(-kInf), N(0)}, "-inf"},
      {kMax, {N(1), N(2)}, "2"},
      {kMax, {N(1), N(kNan)}, "nan"},
      {kMax, {N(kInf), N(0)}, "inf"},
      {kClamp, {N(5), N(0), N(10)}, "5"},
      {kClamp, {N(-5), N(0), N(10)}, "0"},
      {kClamp, {N(15), N(0), N(10)}, "10"},
      {kClamp, {N(kInf), N(0), N(1)}, "1"},
      {kClamp, {N(kNan), N(0), N(1)}, "nan"},
      {kClamp, {N(0.5), N(kNan), N(1)}, "nan"},
      {kClamp, {N(5), N(10), N(0)}, "10"},  // lo > hi: lo
      {kClamp, {N(-5), N(10), N(0)}, "10"},
  });
}

TEST_F(NumbersTest, ApproxFollowsMathIsclose) {
  expect_calls({
      {kApprox, {N(1), N(1), N(1e-9), N(1e-12)}, "true"},
      {kApprox, {N(0.1 + 0.2), N(0.3), N(1e-9), N(1e-12)}, "true"},
      {kApprox, {N(1), N(1.0001), N(1e-9), N(1e-12)}, "false"},
      {kApprox, {N(1), N(1.0001), N(1e-3), N(0)}, "true"},
      {kApprox, {N(1e10), N(1e10 + 1), N(1e-9), N(0)}, "true"},
      {kApprox, {N(0), N(1e-13), N(1e-9), N(1e-12)}, "true"},
      {kApprox, {N(0), N(1e-11), N(1e-9), N(1e-12)}, "false"},
      {kApprox, {N(0), N(1e-11), N(1e-9), N(1e-10)}, "true"},
      {kApprox, {N(kInf), N(kInf), N(1e-9), N(1e-12)}, "true"},
      {kApprox, {N(kInf), N(-kInf), N(1e-9), N(1e-12)}, "false"},
      {kApprox, {N(kInf), N(1e308), N(1), N(kInf)}, "false"},
      {kApprox, {N(kNan), N(kNan), N(1e-9), N(1e-12)}, "false"},
      {kApprox, {N(1), N(1.5), N(-1), N(-1)}, "false"},
  });
}

}  // namespace
}  // namespace rft::grader::testing
