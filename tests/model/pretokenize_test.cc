// The hand-written splitters against splits worked out from the regexes by hand, including the
// backtracking cases (\s+(?!\S), \s*[\r\n]+) that make these patterns hard.
#include "runtime/model/tokenizer/pretokenize.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rft::model {
namespace {

struct SplitCase {
  std::string text;
  std::vector<std::string> pieces;
};

void expect_splits(SplitPattern pattern, const std::vector<SplitCase>& cases) {
  for (const SplitCase& c : cases) {
    std::vector<std::string> got;
    for (std::string_view p : split_pretokens(pattern, c.text)) got.emplace_back(p);
    EXPECT_EQ(got, c.pieces) << "text: \"" << c.text << "\"";
  }
}

TEST(SplitPretokens, Llama3) {
  expect_splits(SplitPattern::kLlama3, {
                                           {"Hello world", {"Hello", " world"}},
                                           {"I'M here", {"I", "'M", " here"}},
                                           {"don't", {"don", "'t"}},
                                           {"'sup", {"'s", "up"}},
                                           {"1234567", {"123", "456", "7"}},
                                           {" 123", {" ", "123"}},
                                           {"  hi", {" ", " hi"}},
                                           {"a\n\n  b", {"a", "\n\n", " ", " b"}},
                                           {"x  \n y", {"x", "  \n", " y"}},
                                           {"hello!!!\n\nworld", {"hello", "!!!\n\n", "world"}},
                                           {"(hello)", {"(hello", ")"}},
                                           {"a\tb", {"a", "\tb"}},
                                           {"end  ", {"end", "  "}},
                                           {"\r\n\r\nx", {"\r\n\r\n", "x"}},
                                           {"😀😀 hi", {"😀😀", " hi"}},
                                           {" !!", {" !!"}},
                                           {"中文abc", {"中文abc"}},
                                           {"a\xff\xfe"
                                            "b",
                                            {"a", "\xff\xfe", "b"}},
                                           {"", {}},
                                       });
}

TEST(SplitPretokens, Qwen2TakesOneDigitAtATime) {
  expect_splits(SplitPattern::kQwen2,
                {{"1234", {"1", "2", "3", "4"}}, {"x١٢", {"x", "١", "٢"}}, {"I'Ll", {"I", "'Ll"}}});
}

TEST(SplitPretokens, Gpt2) {
  expect_splits(SplitPattern::kGpt2, {
                                         {"Hello world", {"Hello", " world"}},
                                         {"I'M", {"I", "'", "M"}},
                                         {"I'm", {"I", "'m"}},
                                         {"1234 56", {"1234", " 56"}},
                                         {"  hi", {" ", " hi"}},
                                         {"a\n\nb", {"a", "\n", "\n", "b"}},
                                         {"a  ", {"a", "  "}},
                                         {" !!x", {" !!", "x"}},
                                         {"\tx", {"\t", "x"}},
                                     });
}

TEST(RecognizeSplitPattern, KnownAndUnknown) {
  // As Qwen2 and Qwen3's tokenizer.json write it.
  EXPECT_EQ(
      recognize_split_pattern(R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|)"
                              R"( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"),
      SplitPattern::kQwen2);
  for (SplitPattern p : {SplitPattern::kGpt2, SplitPattern::kLlama3, SplitPattern::kQwen2}) {
    EXPECT_EQ(recognize_split_pattern(split_pattern_regex(p)), p);
  }
  EXPECT_EQ(recognize_split_pattern(R"(\p{N}{1,3})"), std::nullopt);
}

}  // namespace
}  // namespace rft::model
