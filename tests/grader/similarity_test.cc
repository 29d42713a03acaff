// The similarity builtins on hand-computed cases; tests/stdlib/similarity_reference.py compares
// them with NLTK and python-Levenshtein on random text.
#include <cmath>
#include <string>

#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class SimilarityTest : public BuiltinTest {
 protected:
  double num(std::string_view signature, const std::vector<rft_value>& args) {
    const rft_value v = call(signature, args);
    EXPECT_EQ(v.tag, RFT_NUM) << signature;
    return v.as.num;
  }
};

constexpr std::string_view kLevenshtein = "levenshtein(a: str, b: str) -> num";
constexpr std::string_view kFuzzy = "fuzzy_ratio(a: str, b: str) -> num";
constexpr std::string_view kBleu =
    "bleu(candidate: str, reference: str, max_n: num = 4, smooth: bool = true) -> num";
constexpr std::string_view kRougeN = "rouge_n(candidate: str, reference: str, n: num = 1) -> num";
constexpr std::string_view kRougeL = "rouge_l(candidate: str, reference: str) -> num";
constexpr std::string_view kTokenF1 = "token_f1(candidate: str, reference: str) -> num";
constexpr std::string_view kCapped = "similarity_capped";

TEST_F(SimilarityTest, LevenshteinCountsCodePointEdits) {
  expect_calls({
      {kLevenshtein, {S("kitten"), S("sitting")}, "3"},
      {kLevenshtein, {S("sitting"), S("kitten")}, "3"},
      {kLevenshtein, {S("flaw"), S("lawn")}, "2"},
      {kLevenshtein, {S(""), S("abc")}, "3"},
      {kLevenshtein, {S("abc"), S("")}, "3"},
      {kLevenshtein, {S(""), S("")}, "0"},
      {kLevenshtein, {S("Abc"), S("abc")}, "1"},      // case counts
      {kLevenshtein, {S("日本語"), S("日本")}, "1"},  // code points, not bytes
      {kLevenshtein, {S("café"), S("cafe")}, "1"},
      {kLevenshtein, {S("😀👍🏽"), S("👍")}, "2"},  // 👍🏽 is two code points
  });
  EXPECT_FALSE(flagged(kCapped));
}

TEST_F(SimilarityTest, FuzzyRatioIsTwiceTheLcsOverTheLengths) {
  EXPECT_DOUBLE_EQ(num(kFuzzy, {S("abc"), S("abd")}), 4.0 / 6);
  EXPECT_DOUBLE_EQ(num(kFuzzy, {S("kitten"), S("sitting")}), 8.0 / 13);  // LCS "ittn"
  EXPECT_EQ(num(kFuzzy, {S(""), S("")}), 1);
  EXPECT_EQ(num(kFuzzy, {S("a"), S("")}), 0);
  EXPECT_EQ(num(kFuzzy, {S("same"), S("same")}), 1);
  EXPECT_DOUBLE_EQ(num(kFuzzy, {S("日本語"), S("日本")}), 0.8);
}

TEST_F(SimilarityTest, QuadraticMetricsLookAtTheFirst5000Items) {
  EXPECT_EQ(num(kLevenshtein, {S(std::string(1'000'000, 'a')), S("")}), 5000);
  EXPECT_TRUE(flagged(kCapped));
  ctx_.reset();
  EXPECT_EQ(num(kFuzzy, {S(std::string(6000, 'x')), S(std::string(7000, 'x'))}), 1);
  EXPECT_TRUE(flagged(kCapped));
  ctx_.reset();
  std::string many;
  for (int i = 0; i < 6000; ++i) many += "w ";
  EXPECT_DOUBLE_EQ(num(kRougeL, {S(many), S("w w")}), 2.0 * 2 / (5000 + 2));
  EXPECT_TRUE(flagged(kCapped));
  ctx_.reset();
  EXPECT_EQ(num(kLevenshtein, {S(std::string(5000, 'a')), S("")}), 5000);
  EXPECT_FALSE(flagged(kCapped));
}

TEST_F(SimilarityTest, BleuFollowsNltkSentenceBleu) {
  const rft_value c = S("the cat sat on the mat"), r = S("the cat is on the mat");
  // Clipped precisions 5/6, 3/5, 1/4 and 0/3; equal lengths, so no brevity penalty.
  EXPECT_DOUBLE_EQ(num(kBleu, {c, r, N(2), B(false)}), std::sqrt(5.0 / 6 * 3 / 5));
  EXPECT_NEAR(num(kBleu, {c, r, N(3), B(false)}), 0.5, 1e-15);
  EXPECT_EQ(num(kBleu, {c, r, N(4), B(false)}), 0);  // no matching 4-gram
  // method1 smoothing: the empty 4-gram precision counts as 0.1 / 3.
  EXPECT_NEAR(num(kBleu, {c, r, N(4), B(true)}), std::pow(5.0 / 6 * 3 / 5 / 4 * 0.1 / 3, 0.25),
              1e-15);
  EXPECT_NEAR(num(kBleu, {c, r, N(kNan), B(true)}), std::pow(5.0 / 6 * 3 / 5 / 4 * 0.1 / 3, 0.25),
              1e-15);  // NaN: the default order 4
  // Brevity penalty exp(1 - 6 / 2) for a two-token candidate.
  EXPECT_DOUBLE_EQ(num(kBleu, {S("the cat"), S("the cat sat on the mat"), N(2), B(false)}),
                   std::exp(-2.0));
  EXPECT_EQ(num(kBleu, {S("The CAT, sat!"), S("the cat sat"), N(3), B(false)}), 1);
  EXPECT_EQ(num(kBleu, {S("a b c d e"), S("a b c d e"), N(4), B(true)}), 1);
  EXPECT_EQ(num(kBleu, {S(""), S(""), N(4), B(true)}), 0);  // no unigram matches, as NLTK
  EXPECT_EQ(num(kBleu, {S("x y"), S("a b"), N(4), B(true)}), 0);
}

TEST_F(SimilarityTest, RougeNIsTheF1OfNgramOverlap) {
  EXPECT_EQ(num(kRougeN, {S("the cat"), S("the dog"), N(1)}), 0.5);
  EXPECT_EQ(num(kRougeN, {S("the cat"), S("the dog"), N(2)}), 0);
  EXPECT_EQ(num(kRougeN, {S("the the the"), S("the"), N(1)}), 0.5);  // overlap clipped to 1
  // Bigrams: "a b", "b c", "c d" against "a b", "b c", "c e", "e d": overlap 2.
  EXPECT_DOUBLE_EQ(num(kRougeN, {S("A b. C d"), S("a b c e d"), N(2)}), 2.0 * 2 / (3 + 4));
  EXPECT_EQ(num(kRougeN, {S(""), S(""), N(1)}), 0);
  EXPECT_EQ(num(kRougeN, {S("Привет, мир"), S("привет МИР"), N(2)}), 1);
}

TEST_F(SimilarityTest, RougeLUsesTheLongestCommonTokenSubsequence) {
  EXPECT_DOUBLE_EQ(num(kRougeL, {S("a b c d"), S("a c d")}), 6.0 / 7);
  EXPECT_DOUBLE_EQ(num(kRougeL, {S("d c b a"), S("a b c d")}), 2.0 / 8);
  EXPECT_EQ(num(kRougeL, {S("x"), S("y")}), 0);
  EXPECT_EQ(num(kRougeL, {S("日本 東京"), S("日本 東京")}), 1);
}

TEST_F(SimilarityTest, TokenF1FollowsSquad) {
  EXPECT_EQ(num(kTokenF1, {S("The Cat!"), S("cat")}), 1);
  EXPECT_DOUBLE_EQ(num(kTokenF1, {S("don't stop"), S("dont")}), 2.0 / 3);  // ' is deleted
  EXPECT_DOUBLE_EQ(num(kTokenF1, {S("Paris, France"), S("in Paris")}), 0.5);
  EXPECT_EQ(num(kTokenF1, {S(""), S("")}), 1);
  EXPECT_EQ(num(kTokenF1, {S("the"), S("")}), 1);  // only an article: empty on both sides
  EXPECT_EQ(num(kTokenF1, {S("cat"), S("")}), 0);
  EXPECT_EQ(num(kTokenF1, {S("an apple"), S("a pear")}), 0);
}

}  // namespace
}  // namespace rft::grader::testing
