#include <string>

#include "runtime/grader/regex.h"
#include "runtime/grader/value_ops.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class RegexTest : public BuiltinTest {};

constexpr std::string_view kMatches = "matches(s: str, re: regex) -> bool";
constexpr std::string_view kFullMatch = "full_match(s: str, re: regex) -> bool";
constexpr std::string_view kCapture = "capture(s: str, re: regex, group: num = 1) -> str?";
constexpr std::string_view kFindAll = "find_all(s: str, re: regex) -> list<str>";
constexpr std::string_view kCountMatches = "count_matches(s: str, re: regex) -> num";
constexpr std::string_view kRegexReplace = "regex_replace(s: str, re: regex, rewrite: str) -> str";

TEST(CompileRegex, ReportsErrorsOnOneLine) {
  EXPECT_TRUE(compile_regex("a(b|c)*d"));
  auto unclosed = compile_regex("a(b");
  ASSERT_FALSE(unclosed);
  EXPECT_EQ(unclosed.error(), "missing ): a(b");
  auto newline = compile_regex("(\n");
  ASSERT_FALSE(newline);
  EXPECT_EQ(newline.error().find('\n'), std::string::npos) << newline.error();
  EXPECT_FALSE(compile_regex("x**"));
  EXPECT_FALSE(compile_regex("(a)\\1"));  // RE2 has no backreferences
  // A pattern whose program exceeds the memory budget is refused, not compiled.
  auto huge = compile_regex("((((a{100}){100}){100}){100})");
  ASSERT_FALSE(huge);
  EXPECT_FALSE(huge.error().empty());
}

TEST(CompileRegex, IsUtf8Aware) {
  const auto re = compile_regex("^.$");
  ASSERT_TRUE(re);
  EXPECT_TRUE(re2::RE2::FullMatch("日", **re));
  EXPECT_TRUE(re2::RE2::FullMatch("😀", **re));
}

TEST_F(RegexTest, MatchesAndFullMatch) {
  expect_calls({
      {kMatches, {S("the answer is 42"), R("\\d+")}, "true"},
      {kMatches, {S("no digits"), R("\\d+")}, "false"},
      {kMatches, {S(""), R("")}, "true"},
      {kMatches, {S(""), R("a")}, "false"},
      {kMatches, {S("Hello"), R("(?i)hello")}, "true"},
      {kMatches, {S("日本語"), R("本.")}, "true"},
      {kMatches, {S("line1\nline2"), R("^line2$")}, "false"},
      {kMatches, {S("line1\nline2"), R("(?m)^line2$")}, "true"},
      {kFullMatch, {S("42"), R("\\d+")}, "true"},
      {kFullMatch, {S("42a"), R("\\d+")}, "false"},
      {kFullMatch, {S(""), R("a*")}, "true"},
      {kFullMatch, {S("日本"), R("\\p{Han}+")}, "true"},
      {kFullMatch, {S("😀"), R(".")}, "true"},
  });
}

TEST_F(RegexTest, Capture) {
  expect_calls({
      {kCapture, {S("answer: 42"), R("answer: (\\d+)"), N(1)}, "\"42\""},
      {kCapture, {S("answer: 42"), R("answer: (\\d+)"), N(0)}, "\"answer: 42\""},
      {kCapture, {S("answer: 42"), R("answer: (\\d+)"), N(2)}, "none"},
      {kCapture, {S("answer: 42"), R("answer: (\\d+)"), N(-1)}, "none"},
      {kCapture, {S("answer: 42"), R("answer: (\\d+)"), N(0.5)}, "none"},
      {kCapture, {S("answer: 42"), R("answer: (\\d+)"), N(kNan)}, "none"},
      {kCapture, {S("no answer"), R("answer: (\\d+)"), N(1)}, "none"},
      {kCapture, {S("x=1, x=2"), R("x=(\\d)"), N(1)}, "\"1\""},  // first match
      {kCapture, {S("ac"), R("a(b)?c"), N(1)}, "none"},          // did not participate
      {kCapture, {S("ac"), R("a(b?)c"), N(1)}, "\"\""},          // participated, empty
      {kCapture, {S(""), R("(x?)"), N(1)}, "\"\""},
      {kCapture, {S("名前: 太郎"), R("名前: (\\S+)"), N(1)}, "\"太郎\""},
      {kCapture, {S("k=v"), R("(?P<key>\\w+)=(?P<val>\\w+)"), N(2)}, "\"v\""},
      {kCapture, {S("abc"), R("b"), N(1)}, "none"},  // no groups at all
  });
}

TEST_F(RegexTest, CaptureIsAView) {
  const std::string s = "id=77";
  const rft_value r = call(kCapture, {V(s), R("id=(\\d+)"), N(1)});
  EXPECT_EQ(r.as.str.ptr, s.data() + 3);
}

TEST_F(RegexTest, FindAll) {
  expect_calls({
      {kFindAll, {S("a1b22c333"), R("\\d+")}, "[\"1\", \"22\", \"333\"]"},
      {kFindAll, {S("k1=v1;k2=v2"), R("(\\w+)=\\w+")}, "[\"k1\", \"k2\"]"},
      {kFindAll, {S("none here"), R("\\d")}, "[]"},
      {kFindAll, {S(""), R("x")}, "[]"},
      {kFindAll, {S("aaaa"), R("aa")}, "[\"aa\", \"aa\"]"},
      {kFindAll, {S("ab"), R("x*")}, "[\"\", \"\", \"\"]"},
      {kFindAll, {S("baaa"), R("a*")}, "[\"\", \"aaa\"]"},
      {kFindAll, {S(""), R("x*")}, "[\"\"]"},
      {kFindAll, {S("日本"), R("")}, "[\"\", \"\", \"\"]"},  // advances by code points
      {kFindAll, {S("ac abc"), R("a(b)?c")}, "[\"\", \"b\"]"},
      {kFindAll, {S("日本語と中文"), R("\\p{Han}+")}, "[\"日本語\", \"中文\"]"},
      {kFindAll, {S("1 2 3"), R("^\\d")}, "[\"1\"]"},  // ^ only at the start of the text
  });
}

TEST_F(RegexTest, CountMatches) {
  expect_calls({
      {kCountMatches, {S("a1b22c333"), R("\\d+")}, "3"},
      {kCountMatches, {S("a1b22c333"), R("\\d")}, "6"},
      {kCountMatches, {S("abc"), R("x")}, "0"},
      {kCountMatches, {S("ab"), R("x*")}, "3"},
      {kCountMatches, {S("😀😀"), R("")}, "3"},
      {kCountMatches, {S(""), R("")}, "1"},
  });
}

TEST_F(RegexTest, RegexReplace) {
  expect_calls({
      {kRegexReplace, {S("a1b22"), R("\\d+"), S("#")}, "\"a#b#\""},
      {kRegexReplace, {S("John Smith"), R("(\\w+) (\\w+)"), S("\\2, \\1")}, "\"Smith, John\""},
      {kRegexReplace, {S("abc"), R("b"), S("[\\0]")}, "\"a[b]c\""},
      {kRegexReplace, {S("a.b"), R("\\."), S("\\\\")}, "\"a\\b\""},
      {kRegexReplace, {S("abc"), R("x"), S("y")}, "\"abc\""},
      {kRegexReplace, {S(""), R("x*"), S("-")}, "\"-\""},
      {kRegexReplace, {S("ab"), R("x*"), S("-")}, "\"-a-b-\""},
      {kRegexReplace, {S("日本"), R(""), S("|")}, "\"|日|本|\""},
      {kRegexReplace, {S("ac"), R("a(b)?c"), S("[\\1]")}, "\"[]\""},
      {kRegexReplace, {S("  lots   of   space "), R("\\s+"), S(" ")}, "\" lots of space \""},
  });
  EXPECT_FALSE(flagged(kFlagBadRewrite));
}

TEST_F(RegexTest, RegexReplaceWithAnInvalidRewriteKeepsTheInput) {
  const std::string s = "a1";
  expect_calls({
      {kRegexReplace, {V(s), R("(\\d)"), S("\\2")}, "\"a1\""},   // no group 2
      {kRegexReplace, {V(s), R("\\d"), S("\\x")}, "\"a1\""},     // bad escape
      {kRegexReplace, {V(s), R("\\d"), S("tail\\")}, "\"a1\""},  // trailing backslash
  });
  EXPECT_TRUE(flagged(kFlagBadRewrite));
  EXPECT_EQ(call(kRegexReplace, {V(s), R("(\\d)"), S("\\2")}).as.str.ptr, s.data());
}

TEST_F(RegexTest, RegexReplaceRefusesRunawayResults) {
  const std::string s(8192, 'a'), rewrite(64 * 1024, 'b');  // 512 MiB of output
  const rft_value r = call(kRegexReplace, {V(s), R("a"), V(rewrite)});
  EXPECT_EQ(r.as.str.ptr, s.data());
  EXPECT_TRUE(flagged(kFlagResultTooLarge));
}

TEST_F(RegexTest, NoCatastrophicBacktracking) {
  const std::string evil = std::string(100'000, 'a') + "b";
  expect_calls({
      {kMatches, {V(evil), R("(a+)+$")}, "false"},
      {kMatches, {V(evil), R("^(a|aa)+$")}, "false"},
      {kFullMatch, {V(evil), R("(a*)*b")}, "true"},
      {kCapture, {V(evil), R("(a+)+(b)"), N(2)}, "\"b\""},
      {kCountMatches, {V(evil), R("(a+)+$")}, "0"},
      {kCountMatches, {V(evil), R("a")}, "100000"},
  });
  const rft_value all = call(kFindAll, {V(evil), R("(a|b)")});
  EXPECT_EQ(all.as.list.len, 100'001u);
  const rft_value replaced = call(kRegexReplace, {V(evil), R("(a+)+b"), S("x")});
  EXPECT_EQ(show(replaced), "\"x\"");
}

}  // namespace
}  // namespace rft::grader::testing
