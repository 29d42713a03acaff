// The builtins behind std.format: sentences, paragraphs, tags_in_order and count_present,
// including inputs a model could produce to hurt the grader (schema_errors: json_schema_test.cc).
#include <string>

#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class InstructionsTest : public BuiltinTest {};

constexpr std::string_view kSentences = "sentences(s: str) -> list<str>";
constexpr std::string_view kParagraphs = "paragraphs(s: str, separator: str = \"\") -> list<str>";
constexpr std::string_view kTagsInOrder =
    "tags_in_order(s: str, tags: list<str>, strict: bool = false) -> bool";
constexpr std::string_view kCountPresent =
    "count_present(s: str, needles: list<str>, ignore_case: bool = false, "
    "whole_words: bool = false) -> num";
constexpr std::string_view kCapitalWords = "capital_words(s: str) -> list<str>";

TEST_F(InstructionsTest, Sentences) {
  expect_calls({
      {kSentences, {S("")}, "[]"},
      {kSentences, {S("   ")}, "[]"},
      {kSentences, {S("One. Two! Three? Four")}, R"(["One.", "Two!", "Three?", "Four"])"},
      {kSentences, {S("Mr. Smith met Dr. Who. Fine.")}, R"(["Mr. Smith met Dr. Who.", "Fine."])"},
      {kSentences, {S("It costs 3.50 now. Ok")}, R"(["It costs 3.50 now.", "Ok"])"},
      {kSentences, {S("Wait... what?! Yes.")}, R"(["Wait... what?!", "Yes."])"},
      {kSentences, {S("e.g. this one. Next")}, R"(["e.g. this one.", "Next"])"},
      {kSentences, {S("Title\n\nBody text.")}, R"(["Title", "Body text."])"},
      {kSentences, {S("一。二！三？")}, R"(["一。", "二！", "三？"])"},
      {kSentences, {S("(He left.) She stayed.")}, R"x(["(He left.)", "She stayed."])x"},
      // All-lowercase prose still has sentences; an ellipsis or a dotted abbreviation before a
      // lower-case word does not end one.
      {kSentences,
       {S("all lower case. no capitals. three")},
       R"(["all lower case.", "no capitals.", "three"])"},
      {kSentences, {S("at 3 p.m. today. then home")}, R"(["at 3 p.m. today.", "then home"])"},
      {kSentences, {S("so... maybe not. ok")}, R"(["so... maybe not.", "ok"])"},
  });
}

TEST_F(InstructionsTest, CapitalWordsInEveryScript) {
  expect_calls({
      {kCapitalWords, {S("")}, "[]"},
      {kCapitalWords, {S("NASA and the ESA met at CERN2 in 2024")}, R"(["NASA", "ESA", "CERN2"])"},
      {kCapitalWords, {S("ПРИВЕТ мир, ΓΕΙΆ σου, ÉCOLE Normale")}, R"(["ПРИВЕТ", "ΓΕΙΆ", "ÉCOLE"])"},
      // No case: Han, Arabic and digits are not capitals; a title-case digraph is not either.
      {kCapitalWords, {S("日本 مرحبا 42 ǅemal I")}, R"(["I"])"},
      {kCapitalWords, {S("DON'T (STOP) co-OP")}, R"(["DON'T", "STOP", "OP"])"},
  });
}

TEST_F(InstructionsTest, Paragraphs) {
  expect_calls({
      {kParagraphs, {S(""), S("")}, "[]"},
      {kParagraphs, {S("a\nb"), S("")}, "[\"a\nb\"]"},
      {kParagraphs, {S("a\n\n\nb\r\n \t\r\nc"), S("")}, R"(["a", "b", "c"])"},
      {kParagraphs, {S("\n\na\n\n"), S("")}, R"(["a"])"},
      {kParagraphs, {S("a\n***\nb\n\nc"), S("***")}, "[\"a\", \"b\n\nc\"]"},
      {kParagraphs, {S("***\na\n  ***  \n***\nb"), S(" *** ")}, R"(["a", "b"])"},
      {kParagraphs, {S("a *** b"), S("***")}, R"(["a *** b"])"},
  });
}

TEST_F(InstructionsTest, TagsInOrder) {
  const rft_value tags = Ls({"think", "answer"});
  expect_calls({
      {kTagsInOrder, {S("<think>a</think><answer>b</answer>"), tags, B(false)}, "true"},
      {kTagsInOrder, {S("<answer>b</answer><think>a</think>"), tags, B(false)}, "false"},
      {kTagsInOrder, {S("x<think>a</think>y<answer>b</answer>z"), tags, B(false)}, "true"},
      {kTagsInOrder, {S("x<think>a</think><answer>b</answer>"), tags, B(true)}, "false"},
      {kTagsInOrder, {S(" <think>a</think>\n<answer>b</answer> "), tags, B(true)}, "true"},
      {kTagsInOrder, {S("<think>a</think><answer>b</answer>!"), tags, B(true)}, "false"},
      {kTagsInOrder, {S("<think></think><answer>"), tags, B(false)}, "false"},
      {kTagsInOrder, {S("anything"), Ls({}), B(false)}, "true"},
  });
}

TEST_F(InstructionsTest, CountPresent) {
  expect_calls({
      {kCountPresent, {S("The cat sat"), Ls({"cat", "dog", "The"}), B(false), B(false)}, "2"},
      {kCountPresent, {S("The cat sat"), Ls({"the", "CAT"}), B(false), B(false)}, "0"},
      {kCountPresent, {S("The cat sat"), Ls({"the", "CAT"}), B(true), B(false)}, "2"},
      {kCountPresent, {S("concatenate"), Ls({"cat"}), B(false), B(false)}, "1"},
      {kCountPresent, {S("concatenate"), Ls({"cat"}), B(false), B(true)}, "0"},
      {kCountPresent, {S("a cat, a cat."), Ls({"cat"}), B(false), B(true)}, "1"},
      {kCountPresent, {S("Ünïcode Straße"), Ls({"ünïcode", "STRASSE"}), B(true), B(true)}, "1"},
      {kCountPresent, {S("日本語です"), Ls({"日本"}), B(false), B(true)}, "0"},
      {kCountPresent, {S("x"), Ls({""}), B(false), B(true)}, "1"},
  });
}

TEST_F(InstructionsTest, LargeAdversarialText) {
  // A megabyte of terminal punctuation, of blank lines and of unclosed tags.
  const std::string dots(1 << 20, '.');
  EXPECT_EQ(call(kSentences, {S(dots)}).as.list.len, 1u);
  std::string blank_lines(1 << 20, '\n');
  EXPECT_EQ(call(kParagraphs, {S(blank_lines), S("")}).as.list.len, 0u);
  std::string opens;
  for (int i = 0; i < 100000; ++i) opens += "<a>";
  EXPECT_EQ(show(call(kTagsInOrder, {S(opens), Ls({"a", "a"}), B(false)})), "false");
  std::string words;
  for (int i = 0; i < 100000; ++i) words += "ab ";
  EXPECT_EQ(show(call(kCountPresent, {S(words), Ls({"ab a", "b"}), B(true), B(true)})), "0");
  EXPECT_EQ(show(call(kCountPresent, {S(words), Ls({"ab ab", "b"}), B(true), B(true)})), "1");
}

}  // namespace
}  // namespace rft::grader::testing
