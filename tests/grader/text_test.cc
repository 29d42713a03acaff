#include <string>

#include "runtime/grader/value_ops.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class TextTest : public BuiltinTest {};

constexpr std::string_view kLen = "len(s: str) -> num";
constexpr std::string_view kByteLen = "byte_len(s: str) -> num";
constexpr std::string_view kLower = "lower(s: str) -> str";
constexpr std::string_view kUpper = "upper(s: str) -> str";
constexpr std::string_view kTrim = "trim(s: str) -> str";
constexpr std::string_view kTrimStart = "trim_start(s: str) -> str";
constexpr std::string_view kTrimEnd = "trim_end(s: str) -> str";
constexpr std::string_view kContains =
    "contains(s: str, sub: str, ignore_case: bool = false) -> bool";
constexpr std::string_view kStartsWith = "starts_with(s: str, prefix: str) -> bool";
constexpr std::string_view kEndsWith = "ends_with(s: str, suffix: str) -> bool";
constexpr std::string_view kFind = "find(s: str, sub: str) -> num?";
constexpr std::string_view kReplace = "replace(s: str, from: str, to: str) -> str";
constexpr std::string_view kSplit = "split(s: str, sep: str) -> list<str>";
constexpr std::string_view kWords = "words(s: str) -> list<str>";
constexpr std::string_view kLines = "lines(s: str) -> list<str>";
constexpr std::string_view kJoin = "join(xs: list<str>, sep: str = \"\") -> str";
constexpr std::string_view kSlice = "slice(s: str, start: num, end: num) -> str";
constexpr std::string_view kCount = "count(s: str, sub: str) -> num";
constexpr std::string_view kStrNum = "str(x: num) -> str";
constexpr std::string_view kStrBool = "str(b: bool) -> str";

TEST_F(TextTest, LenAndByteLen) {
  expect_calls({
      {kLen, {S("")}, "0"},
      {kLen, {S("hello")}, "5"},
      {kLen, {S("héllo")}, "5"},
      {kLen, {S("日本語")}, "3"},
      {kLen, {S("😀👍🏽")}, "3"},  // 👍🏽 is two code points
      {kLen, {S("e\u0301")}, "2"},       // combining accent counts separately
      {kByteLen, {S("")}, "0"},
      {kByteLen, {S("héllo")}, "6"},
      {kByteLen, {S("日本語")}, "9"},
      {kByteLen, {S("😀")}, "4"},
  });
  EXPECT_EQ(show(call(kLen, {S(std::string(1'000'000, 'x') + "é")})), "1000001");
}

TEST_F(TextTest, LowerAndUpper) {
  expect_calls({
      {kLower, {S("")}, "\"\""},
      {kLower, {S("Hello, World 123")}, "\"hello, world 123\""},
      {kLower, {S("ÀÉÎÕÜ ÇÑ ÆØÅ Þ")}, "\"àéîõü çñ æøå þ\""},
      {kLower, {S("ĀĘĞŁŇŐŒŠŸŽ")}, "\"āęğłňőœšÿž\""},
      {kLower, {S("ΑΒΓ ΆΈΉΊΌΎΏ Σ")}, "\"αβγ άέήίόύώ σ\""},
      {kLower, {S("ПРИВЕТ ЁЖ Ђ")}, "\"привет ёж ђ\""},
      {kLower, {S("İ")}, "\"i\""},
      {kLower, {S("日本語 😀 ß")}, "\"日本語 😀 ß\""},
      {kUpper, {S("Hello, World 123")}, "\"HELLO, WORLD 123\""},
      {kUpper, {S("àéîõü çñ æøå þ ÿ")}, "\"ÀÉÎÕÜ ÇÑ ÆØÅ Þ Ÿ\""},
      {kUpper, {S("āęğłňőœšž")}, "\"ĀĘĞŁŇŐŒŠŽ\""},
      {kUpper, {S("αβγ άέίόύώ ς")}, "\"ΑΒΓ ΆΈΊΌΎΏ Σ\""},
      {kUpper, {S("привет ёж")}, "\"ПРИВЕТ ЁЖ\""},
      {kUpper, {S("ı ſ µ")}, "\"I S Μ\""},
      {kUpper, {S("straße")}, "\"STRAßE\""},  // no one-to-one mapping for ß
      {kUpper, {S("中文 😀")}, "\"中文 😀\""},
  });
}

TEST_F(TextTest, LowerReturnsTheInputWhenNothingChanges) {
  const std::string s = "already lower 日本";
  const rft_value r = call(kLower, {V(s)});
  EXPECT_EQ(r.as.str.ptr, s.data());
}

TEST_F(TextTest, Trim) {
  expect_calls({
      {kTrim, {S("")}, "\"\""},
      {kTrim, {S("   ")}, "\"\""},
      {kTrim, {S("  a b  ")}, "\"a b\""},
      {kTrim, {S("\t\n\r\v\f x \n")}, "\"x\""},
      {kTrim, {S("\u00A0\u3000\u2003日本\u2028\u0085")}, "\"日本\""},
      {kTrim, {S("\u200Bx\u200B")}, "\"\u200Bx\u200B\""},  // zero-width space is not White_Space
      {kTrimStart, {S("  a b  ")}, "\"a b  \""},
      {kTrimStart, {S("\u3000")}, "\"\""},
      {kTrimEnd, {S("  a b  ")}, "\"  a b\""},
      {kTrimEnd, {S("x\u00A0")}, "\"x\""},
  });
}

TEST_F(TextTest, TrimReturnsAView) {
  const std::string s = "  padded  ";
  const rft_value r = call(kTrim, {V(s)});
  EXPECT_EQ(r.as.str.ptr, s.data() + 2);
  EXPECT_EQ(r.as.str.len, 6u);
}

TEST_F(TextTest, ContainsStartsEnds) {
  expect_calls({
      {kContains, {S("hello world"), S("o w"), B(false)}, "true"},
      {kContains, {S("hello world"), S("O W"), B(false)}, "false"},
      {kContains, {S("hello world"), S("O W"), B(true)}, "true"},
      {kContains, {S("hello"), S(""), B(false)}, "true"},
      {kContains, {S(""), S(""), B(false)}, "true"},
      {kContains, {S(""), S("a"), B(true)}, "false"},
      {kContains, {S("日本語"), S("本"), B(false)}, "true"},
      {kContains, {S("ÉCOLE"), S("école"), B(true)}, "true"},
      {kContains, {S("ПРИВЕТ"), S("привет"), B(true)}, "true"},
      {kContains, {S("abc"), S("abcd"), B(false)}, "false"},
      {kStartsWith, {S("hello"), S("he")}, "true"},
      {kStartsWith, {S("hello"), S("")}, "true"},
      {kStartsWith, {S(""), S("a")}, "false"},
      {kStartsWith, {S("日本語"), S("日")}, "true"},
      {kStartsWith, {S("he"), S("hello")}, "false"},
      {kEndsWith, {S("hello"), S("llo")}, "true"},
      {kEndsWith, {S("hello"), S("")}, "true"},
      {kEndsWith, {S("😀x"), S("😀")}, "false"},
      {kEndsWith, {S("x😀"), S("😀")}, "true"},
  });
}

TEST_F(TextTest, SubstringSearchStaysLinearOnAdversarialInput) {
  const std::string hay(1'000'000, 'a');
  const std::string needle = std::string(5'000, 'a') + "b";
  expect_calls({
      {kContains, {V(hay), V(needle), B(false)}, "false"},
      {kContains, {V(hay), V(needle), B(true)}, "false"},
      {kFind, {V(hay), V(needle)}, "none"},
      {kCount, {V(hay), V(needle)}, "0"},
      {kCount, {V(hay), S("aaa")}, "333333"},
      {kFind, {V(hay + needle), V(needle)}, "1000000"},
  });
  EXPECT_EQ(call(kReplace, {V(hay), V(needle), S("x")}).as.str.ptr, hay.data());
  EXPECT_EQ(call(kSplit, {V(hay), V(needle)}).as.list.len, 1u);
}

TEST_F(TextTest, Find) {
  expect_calls({
      {kFind, {S("hello"), S("l")}, "2"},
      {kFind, {S("hello"), S("lo")}, "3"},
      {kFind, {S("hello"), S("z")}, "none"},
      {kFind, {S("hello"), S("")}, "0"},
      {kFind, {S(""), S("")}, "0"},
      {kFind, {S(""), S("a")}, "none"},
      {kFind, {S("日本語の本"), S("本")}, "1"},
      {kFind, {S("😀😀x"), S("x")}, "2"},
  });
}

TEST_F(TextTest, Replace) {
  expect_calls({
      {kReplace, {S("a-b-c"), S("-"), S("+")}, "\"a+b+c\""},
      {kReplace, {S("aaaa"), S("aa"), S("b")}, "\"bb\""},
      {kReplace, {S("aaa"), S("aa"), S("b")}, "\"ba\""},
      {kReplace, {S("abc"), S(""), S("x")}, "\"abc\""},
      {kReplace, {S("abc"), S("b"), S("")}, "\"ac\""},
      {kReplace, {S(""), S("a"), S("b")}, "\"\""},
      {kReplace, {S("日本語"), S("本"), S("🇯🇵")}, "\"日🇯🇵語\""},
      {kReplace, {S("xyz"), S("q"), S("r")}, "\"xyz\""},
      {kReplace, {S("ab"), S("ab"), S("abab")}, "\"abab\""},
  });
  const std::string big(100'000, 'a');
  const rft_value r = call(kReplace, {V(big), S("a"), S("bc")});
  EXPECT_EQ(r.as.str.len, 200'000u);
}

TEST_F(TextTest, ReplaceRefusesRunawayResults) {
  const std::string s(1 << 20, 'a'), to(2048, 'b');  // 2 GiB of output
  const rft_value r = call(kReplace, {V(s), S("a"), V(to)});
  EXPECT_EQ(r.as.str.ptr, s.data());
  EXPECT_TRUE(flagged(kFlagResultTooLarge));
}

TEST_F(TextTest, Split) {
  expect_calls({
      {kSplit, {S("a,b,c"), S(",")}, "[\"a\", \"b\", \"c\"]"},
      {kSplit, {S("a,,b,"), S(",")}, "[\"a\", \"\", \"b\", \"\"]"},
      {kSplit, {S(""), S(",")}, "[\"\"]"},
      {kSplit, {S(","), S(",")}, "[\"\", \"\"]"},
      {kSplit, {S("abc"), S(",")}, "[\"abc\"]"},
      {kSplit, {S("a::b::c"), S("::")}, "[\"a\", \"b\", \"c\"]"},
      {kSplit, {S("日本語"), S("")}, "[\"日\", \"本\", \"語\"]"},
      {kSplit, {S(""), S("")}, "[]"},
      {kSplit, {S("a😀b"), S("😀")}, "[\"a\", \"b\"]"},
  });
  const rft_value parts = call(kSplit, {S(std::string(50'000, 'x')), S("")});
  EXPECT_EQ(parts.as.list.len, 50'000u);
}

TEST_F(TextTest, Words) {
  expect_calls({
      {kWords, {S("")}, "[]"},
      {kWords, {S("   ")}, "[]"},
      {kWords, {S("one")}, "[\"one\"]"},
      {kWords, {S("  the quick\tbrown\n\nfox ")}, "[\"the\", \"quick\", \"brown\", \"fox\"]"},
      {kWords, {S("日本\u3000語\u00A0😀")}, "[\"日本\", \"語\", \"😀\"]"},
  });
}

TEST_F(TextTest, Lines) {
  expect_calls({
      {kLines, {S("")}, "[]"},
      {kLines, {S("one")}, "[\"one\"]"},
      {kLines, {S("a\nb")}, "[\"a\", \"b\"]"},
      {kLines, {S("a\nb\n")}, "[\"a\", \"b\"]"},
      {kLines, {S("a\r\nb\r\n")}, "[\"a\", \"b\"]"},
      {kLines, {S("a\n\nb")}, "[\"a\", \"\", \"b\"]"},
      {kLines, {S("\n")}, "[\"\"]"},
      {kLines, {S("\n\n")}, "[\"\", \"\"]"},
      {kLines, {S("a\rb\r\r\n")}, "[\"a\rb\r\"]"},  // only one \r before \n is stripped
      {kLines, {S("x\r")}, "[\"x\"]"},
  });
}

TEST_F(TextTest, Join) {
  expect_calls({
      {kJoin, {Ls({}), S(",")}, "\"\""},
      {kJoin, {Ls({"a"}), S(",")}, "\"a\""},
      {kJoin, {Ls({"a", "b", "c"}), S(", ")}, "\"a, b, c\""},
      {kJoin, {Ls({"a", "b", "c"}), S("")}, "\"abc\""},
      {kJoin, {Ls({"", "", ""}), S("-")}, "\"--\""},
      {kJoin, {Ls({"日", "本"}), S("😀")}, "\"日😀本\""},
  });
}

TEST_F(TextTest, JoinRefusesRunawayResults) {
  std::vector<rft_value> many(1 << 20, str_value("x"));
  const std::string sep(2048, '-');
  const rft_value r = call(kJoin, {make_list(ctx_, many), V(sep)});
  EXPECT_EQ(show(r), "\"\"");
  EXPECT_TRUE(flagged(kFlagResultTooLarge));
}

TEST_F(TextTest, Slice) {
  expect_calls({
      {kSlice, {S("hello"), N(1), N(3)}, "\"el\""},
      {kSlice, {S("hello"), N(0), N(100)}, "\"hello\""},
      {kSlice, {S("hello"), N(-3), N(5)}, "\"llo\""},
      {kSlice, {S("hello"), N(-100), N(2)}, "\"he\""},
      {kSlice, {S("hello"), N(0), N(-1)}, "\"hell\""},
      {kSlice, {S("hello"), N(3), N(1)}, "\"\""},
      {kSlice, {S("hello"), N(5), N(10)}, "\"\""},
      {kSlice, {S("hello"), N(1.9), N(3.9)}, "\"el\""},
      {kSlice, {S("hello"), N(kNan), N(2)}, "\"he\""},
      {kSlice, {S(""), N(0), N(1)}, "\"\""},
      {kSlice, {S("日本語です"), N(1), N(3)}, "\"本語\""},
      {kSlice, {S("😀a😀b"), N(-2), N(100)}, "\"😀b\""},
      {kSlice, {S("héllo"), N(1), N(2)}, "\"é\""},
  });
}

TEST_F(TextTest, Count) {
  expect_calls({
      {kCount, {S("banana"), S("a")}, "3"},
      {kCount, {S("banana"), S("ana")}, "1"},
      {kCount, {S("aaaa"), S("aa")}, "2"},
      {kCount, {S("abc"), S("")}, "0"},
      {kCount, {S(""), S("a")}, "0"},
      {kCount, {S("日本日本日"), S("日本")}, "2"},
  });
}

TEST_F(TextTest, Str) {
  expect_calls({
      {kStrNum, {N(42)}, "\"42\""},
      {kStrNum, {N(-0.0)}, "\"0\""},
      {kStrNum, {N(0.5)}, "\"0.5\""},
      {kStrNum, {N(1e21)}, "\"1e+21\""},
      {kStrNum, {N(kNan)}, "\"nan\""},
      {kStrNum, {N(-kInf)}, "\"-inf\""},
      {kStrBool, {B(true)}, "\"true\""},
      {kStrBool, {B(false)}, "\"false\""},
  });
}

}  // namespace
}  // namespace rft::grader::testing
