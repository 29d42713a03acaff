// The math answer builtins: extraction, normalization, values and equivalence, and the bounds
// that keep adversarial answers cheap. Expected values are worked out by hand.
#include <string>

#include "runtime/grader/math_expr.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class MathAnswerTest : public BuiltinTest {
 protected:
  std::string extract(std::string_view s) { return show(call(kExtract, {S(s)})); }
  std::string extract(std::string_view s, std::string_view order) {
    return show(call(kExtractOrder, {S(s), S(order)}));
  }
  std::string normalize(std::string_view s) { return show(call(kNormalize, {S(s)})); }
  std::string value(std::string_view s) { return show(call(kValue, {S(s)})); }
  bool equal(std::string_view a, std::string_view b, double rel_tol = 1e-6, double abs_tol = 1e-9) {
    return call(kEqual, {S(a), S(b), N(rel_tol), N(abs_tol)}).as.boolean != 0;
  }

  static constexpr std::string_view kExtract = "math_extract(s: str) -> str?";
  static constexpr std::string_view kExtractOrder = "math_extract(s: str, order: str) -> str?";
  static constexpr std::string_view kNormalize = "math_normalize(s: str) -> str";
  static constexpr std::string_view kValue = "math_value(s: str) -> num?";
  static constexpr std::string_view kEqual =
      "math_equal(a: str, b: str, rel_tol: num = 1e-6, abs_tol: num = 1e-9) -> bool";
};

TEST_F(MathAnswerTest, ExtractsEachForm) {
  EXPECT_EQ(extract("so \\boxed{\\frac{1}{\\sqrt{2}}} done", "boxed"), R"("\frac{1}{\sqrt{2}}")");
  EXPECT_EQ(extract("\\boxed{1} then \\fbox{2}", "boxed"), "\"2\"");
  EXPECT_EQ(extract("\\boxed{\\{1,2\\}}", "boxed"), R"("\{1,2\}")");
  EXPECT_EQ(extract("\\boxed{unclosed", "boxed"), "none");
  EXPECT_EQ(extract("\\boxed{ }", "boxed"), "none");
  EXPECT_EQ(extract("<answer>1</answer> <answer> 7 </answer>", "tag"), "\"7\"");
  EXPECT_EQ(extract("<answer>7", "tag"), "none");
  EXPECT_EQ(extract("48/2 = 24\n#### 72\n", "gsm8k"), "\"72\"");
  EXPECT_EQ(extract("#### ", "gsm8k"), "none");
  EXPECT_EQ(extract("The answer is $1,234.", "answer_is"), "\"1,234\"");
  EXPECT_EQ(extract("answer is 1. No, the ANSWER  IS: **3.5**.\nBye", "answer_is"), "\"3.5\"");
  EXPECT_EQ(extract("the answer is $\\frac{1}{2}$", "answer_is"), R"("\frac{1}{2}")");
  EXPECT_EQ(extract("my answer isn't known", "answer_is"), "none");
  EXPECT_EQ(extract("costs -1,234.5 dollars.", "last_number"), "\"-1,234.5\"");
  EXPECT_EQ(extract("x-3 and 4, 5", "last_number"), "\"5\"");
  EXPECT_EQ(extract("a-3", "last_number"), "\"3\"");
  EXPECT_EQ(extract("no digits", "last_number"), "none");
  EXPECT_EQ(extract("so \\boxed{(2,1)}, \\boxed{(1,2)}.", "boxed"), "\"(2,1), (1,2)\"");
  EXPECT_EQ(extract("\\boxed{1} papers and \\boxed{2} bins", "boxed"), "\"1, 2\"");
  EXPECT_EQ(extract("\\boxed{1} then \\boxed{2}", "boxed"), "\"2\"");
  EXPECT_EQ(extract("\\boxed{1}, no, \\boxed{2}", "boxed"), "\"2\"");
  EXPECT_EQ(extract("\\boxed{1} no no no no \\boxed{2}", "boxed"), "\"2\"");
  EXPECT_EQ(extract("Answer $ \\frac{1}{2} \\$ = 3 $ done", "latex"), R"("\frac{1}{2} \$ = 3")");
  EXPECT_EQ(extract("so \\[ \n x = 9 \n \\] and $y$", "latex"), "\"y\"");
  EXPECT_EQ(extract("so \\[ \n 9 \n \\]", "latex"), "\"9\"");
  EXPECT_EQ(extract("$$a$$ then \\(b\\)", "latex"), "\"b\"");
  EXPECT_EQ(extract("Answer $ \n 9 \n $", "latex"), "none");  // inline math ends on its line
  EXPECT_EQ(extract("costs \\$5 and \\$6", "latex"), "none");
}

TEST_F(MathAnswerTest, ExtractFollowsTheOrder) {
  const std::string_view s = "The answer is 5.\n#### 6\n<answer>7</answer> \\boxed{8} 9";
  EXPECT_EQ(extract(s), "\"8\"");
  EXPECT_EQ(extract(s, "boxed,tag,gsm8k,answer_is,last_number"), "\"8\"");
  EXPECT_EQ(extract(s, "tag,boxed"), "\"7\"");
  EXPECT_EQ(extract(s, "gsm8k"), "\"6\"");
  EXPECT_EQ(extract(s, "answer_is"), "\"5\"");
  EXPECT_EQ(extract(s, " last_number "), "\"9\"");
  EXPECT_FALSE(flagged("bad_math_order"));
  EXPECT_EQ(extract(s, "nonsense,tag"), "\"7\"");
  EXPECT_TRUE(flagged("bad_math_order"));
  EXPECT_EQ(extract(s, ""), "none");
}

TEST_F(MathAnswerTest, NormalizesSurfaceForms) {
  EXPECT_EQ(normalize("\\$1,234.50"), "\"1234.5\"");
  EXPECT_EQ(normalize("12.0"), "\"12\"");
  EXPECT_EQ(normalize("+5"), "\"5\"");
  EXPECT_EQ(normalize("50\\%"), "\"50\"");
  EXPECT_EQ(normalize("1.5e3"), "\"1500\"");
  EXPECT_EQ(normalize("90^\\circ"), "\"90\"");
  EXPECT_EQ(normalize("10 \\text{ square units}"), "\"10\"");
  EXPECT_EQ(normalize("5cm"), "\"5\"");
  EXPECT_EQ(normalize("x = 3"), "\"3\"");
  EXPECT_EQ(normalize("\\dfrac{1}{2}"), "\"1/2\"");
  EXPECT_EQ(normalize("\\frac12"), "\"1/2\"");
  EXPECT_EQ(normalize("2\\sqrt{2}"), "\"2*sqrt(2)\"");
  EXPECT_EQ(normalize("\\frac{\\pi}{2}"), "\"pi/2\"");
  EXPECT_EQ(normalize("\\left( 3, 4 \\right)"), "\"(3, 4)\"");
  EXPECT_EQ(normalize("\\{3, 1, 2\\}"), "\"{1, 2, 3}\"");
  EXPECT_EQ(normalize("[0,1)"), "\"[0, 1)\"");
  EXPECT_EQ(normalize("(2,3] \\cup [0,1)"), "\"[0, 1) U (2, 3]\"");
  EXPECT_EQ(normalize("(-\\infty, 3]"), "\"(-inf, 3]\"");
  EXPECT_EQ(normalize("\\text{Paris}"), "\"Paris\"");
  EXPECT_EQ(normalize("  New   York "), "\"New York\"");
}

TEST_F(MathAnswerTest, ValuesOfConstantExpressions) {
  EXPECT_EQ(value("\\frac{3}{4}"), "0.75");
  EXPECT_EQ(value("-\\frac{3}{4}"), "-0.75");
  EXPECT_EQ(value("\\$1,234"), "1234");
  EXPECT_EQ(value("1.2\\times10^{3}"), "1200");
  EXPECT_EQ(value("\\sqrt[3]{27}"), "3");
  EXPECT_EQ(value("\\log_2 8"), "3");
  EXPECT_EQ(value("5!"), "120");
  EXPECT_EQ(value("2^-1"), "0.5");
  EXPECT_EQ(value("|-4|"), "4");
  EXPECT_EQ(value("\\frac{\\pi}{2}"), "1.5707963267948966");
  EXPECT_EQ(value("\\infty"), "inf");
  EXPECT_EQ(value("x + 1"), "none");  // a free variable
  EXPECT_EQ(value("(1, 2)"), "none");
  EXPECT_EQ(value("1/0"), "none");  // undefined
  EXPECT_EQ(value("\\sqrt{-1}"), "none");
  EXPECT_EQ(value("10^{10^{10}}"), "none");  // overflows a double
  EXPECT_EQ(value("Paris"), "none");
  EXPECT_EQ(value(""), "none");
}

TEST_F(MathAnswerTest, EqualityOfNumbersAndExpressions) {
  EXPECT_TRUE(equal("2\\sqrt{2}", "\\sqrt{8}"));
  EXPECT_TRUE(equal("\\frac{\\pi}{2}", "1.5707963267948966"));
  EXPECT_TRUE(equal("1/3", "0.3333333"));
  EXPECT_FALSE(equal("1/3", "0.333"));
  EXPECT_TRUE(equal("1/3", "0.333", 0.01));
  EXPECT_FALSE(equal("0.001", "0.002", 1e-6, 0));
  EXPECT_TRUE(equal("0.001", "0.002", 0, 0.01));
  EXPECT_TRUE(equal("\\frac{1}{10}+\\frac{2}{10}", "0.3", 0, 0));  // exact rationals
  EXPECT_FALSE(equal("0.1000001", "0.1", 0, 0));
  EXPECT_TRUE(equal("\\$1,234", "1234.00"));
  EXPECT_TRUE(equal("5 cm", "5"));
  EXPECT_TRUE(equal("x^2+2x+1", "(x+1)^2"));
  EXPECT_FALSE(equal("x^2+1", "(x+1)^2"));
  EXPECT_FALSE(equal("\\sqrt{x^2}", "x"));  // differs at a negative point
  EXPECT_FALSE(equal("x", "y"));
  EXPECT_TRUE(equal("\\frac{x}{2}", "0.5x"));
  EXPECT_TRUE(equal("\\sin^2", "\\sin^2"));  // not math: compared as text
  EXPECT_TRUE(equal("\\text{Paris}", "paris"));
  EXPECT_FALSE(equal("Paris", "Rome"));
  EXPECT_TRUE(equal("1/0", "1/0"));  // undefined: compared as written
  EXPECT_FALSE(equal("1/0", "2/0"));
  EXPECT_FALSE(equal("10^{10^{10}}", "10^{10^{10}}+1"));
  EXPECT_TRUE(equal("-\\infty", "-\\infty"));
  EXPECT_FALSE(equal("\\infty", "-\\infty"));
  EXPECT_FALSE(equal("1", "2", kNan, kNan));
  EXPECT_FALSE(equal("1", "2", kInf, 0));  // integers compare exactly, at any tolerance
  EXPECT_TRUE(equal("1.5", "2.5", kInf, 0));
}

TEST_F(MathAnswerTest, IntegersAndSmallFractionsCompareExactly) {
  // The relative tolerance never credits a wrong integer, however large.
  EXPECT_FALSE(equal("7905219", "7905220"));
  EXPECT_FALSE(equal("7905220", "7905219"));
  EXPECT_FALSE(equal("123456789012", "123456789013"));
  EXPECT_FALSE(equal("1000000000000000001", "1000000000000000000"));
  EXPECT_FALSE(equal("123456789012345678901234567890", "123456789012345678901234567891"));
  EXPECT_TRUE(equal("123456789012345678901234567890", "123456789012345678901234567890"));
  EXPECT_FALSE(equal("2^{100}", "2^{100}+1"));  // exact past 64 bits: residues differ
  EXPECT_TRUE(equal("2^{100}", "1267650600228229401496703205376"));
  EXPECT_FALSE(equal("25!", "25!+1"));
  EXPECT_TRUE(equal("7,905,220", "7905220"));
  EXPECT_TRUE(equal("7905220.0", "7905220"));
  EXPECT_FALSE(equal("7905219.99", "7905220"));
  EXPECT_FALSE(equal("4", "3.9999999"));
  EXPECT_FALSE(equal("7905219.5", "7905220"));
  EXPECT_TRUE(equal("0", "1e-12"));  // the absolute tolerance, near zero
  // A fraction against a decimal: only the decimal that rounds to it, with enough places.
  EXPECT_FALSE(equal("1/3", "0.333"));
  EXPECT_FALSE(equal("0.333", "\\frac{1}{3}"));
  EXPECT_FALSE(equal("2/7", "0.2857"));
  EXPECT_FALSE(equal("2/7", "0.28571"));
  EXPECT_TRUE(equal("2/7", "0.2857143"));
  EXPECT_FALSE(equal("2/7", "0.2857142"));  // truncated, not rounded
  EXPECT_TRUE(equal("\\frac{2}{7}", "0.28571428571"));
  EXPECT_FALSE(equal("1/3", "0.3333334"));
  // Two different fractions never compare within a tolerance.
  EXPECT_FALSE(equal("1/3", "3333333/10000001"));
  EXPECT_FALSE(equal("\\frac{1}{7}", "\\frac{1428571}{10000001}"));
  // Irrational values keep the tolerance.
  EXPECT_TRUE(equal("\\sqrt{2}\\cdot\\sqrt{2}", "2"));
  EXPECT_TRUE(equal("\\sqrt{17}", "4.1231056"));
  EXPECT_FALSE(equal("\\sqrt{17}", "4.123"));
}

TEST_F(MathAnswerTest, ExpressionsInVariablesCompareExactly) {
  EXPECT_TRUE(equal("(x+1)^3", "x^3+3x^2+3x+1"));
  EXPECT_FALSE(equal("(x+1)^3", "x^3+3x^2+3x+1+10^{-12}"));  // below any tolerance, still wrong
  EXPECT_TRUE(equal("\\frac{x^2-1}{x-1}", "x+1"));
  EXPECT_TRUE(equal("\\frac{1}{x}+\\frac{1}{y}", "\\frac{x+y}{xy}"));
  EXPECT_FALSE(equal("\\frac{1}{x}+\\frac{1}{y}", "\\frac{2}{x+y}"));
  EXPECT_TRUE(equal("(a-b)(a+b)", "a^2-b^2"));
  EXPECT_FALSE(equal("(a-b)(a+b)", "a^2+b^2"));
  EXPECT_TRUE(equal("\\tan^2(y)+1", "\\sec^2(y)"));
  EXPECT_TRUE(equal("\\sin^2 x + \\cos^2 x", "1"));
  EXPECT_FALSE(equal("\\sin x", "\\cos x"));
}

TEST_F(MathAnswerTest, RelationsFollowTheReference) {
  EXPECT_TRUE(equal("x = 5", "5"));
  EXPECT_TRUE(equal("5", "x = 5"));
  EXPECT_FALSE(equal("1", "2x + z = 1"));
  EXPECT_TRUE(equal("x = 5", "x=5"));
  EXPECT_FALSE(equal("y = 5", "x = 5"));
  EXPECT_TRUE(equal("y=-\\frac12x+\\frac34", "2x+4y-3=0"));
  EXPECT_FALSE(equal("y=-\\frac12x+\\frac35", "2x+4y-3=0"));
  EXPECT_TRUE(equal("x<1", "-x>-1"));
  EXPECT_TRUE(equal("1 > x", "x < 1"));
  EXPECT_FALSE(equal("x < 5", "x > 5"));
  EXPECT_FALSE(equal("x \\le 5", "x < 5"));
  EXPECT_TRUE(equal("x \\geq 2", "2 \\leq x"));
  EXPECT_TRUE(equal("(-793, 10)", "-793 < a < 10"));
  EXPECT_TRUE(equal("[-2, 7]", "-2 \\le x \\le 7"));
  EXPECT_TRUE(equal("-2 \\le x \\le 7", "x \\in [-2,7]"));
  EXPECT_FALSE(equal("(-2, 7]", "-2 \\le x \\le 7"));
  EXPECT_TRUE(equal("(-\\infty, 3)", "x < 3"));
  EXPECT_FALSE(equal("(3, \\infty)", "x < 3"));
}

TEST_F(MathAnswerTest, ListsChoicesMatricesAndMarkup) {
  EXPECT_TRUE(equal("(1,2),(2,1)", "\\boxed{(2,1)}, \\boxed{(1,2)}"));
  EXPECT_TRUE(equal("1 and 2", "2, 1"));
  EXPECT_TRUE(equal("x=1 or x=2", "1, 2"));
  EXPECT_TRUE(equal("19, 46, \\text{ and } 82", "19, 46, and 82"));
  EXPECT_FALSE(equal("1 and 3", "1, 2"));
  EXPECT_TRUE(equal("\\pm 2021", "\\{-2021, 2021\\}"));
  EXPECT_FALSE(equal("2021", "\\pm 2021"));
  EXPECT_TRUE(equal("\\text{(C)}", "C"));
  EXPECT_TRUE(equal("(C)", "C"));
  EXPECT_FALSE(equal("B", "C"));
  EXPECT_TRUE(equal("\\textnormal{125 miles}", "125"));
  EXPECT_TRUE(equal("125\\textnormal{ miles}", "125"));
  EXPECT_TRUE(equal("\\mathrm{12}", "12"));
  EXPECT_TRUE(equal("\\frac13", "1/3"));
  EXPECT_TRUE(equal("\\frac3{3}", "1"));
  EXPECT_TRUE(equal("1{,}234", "1234"));
  EXPECT_TRUE(equal("1,\\!234", "1234"));
  EXPECT_TRUE(equal("1\\,234", "1234"));
  EXPECT_TRUE(equal("$$f(y) = y$$", "$$f(y) = y$$"));
  EXPECT_TRUE(equal("\\(9\\)", "9"));
  EXPECT_TRUE(equal("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
                    "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}"));
  EXPECT_FALSE(equal("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
                     "\\begin{pmatrix} 1 & 2 \\\\ 3 & 5 \\end{pmatrix}"));
  EXPECT_FALSE(
      equal("\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"));
  EXPECT_TRUE(equal("\\left[\\begin{array}{cc}1 & 2 \\\\ 3 & 4\\end{array}\\right]",
                    "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}"));
}

TEST_F(MathAnswerTest, EqualityOfTuplesSetsAndIntervals) {
  EXPECT_TRUE(equal("(1, 2)", "(1,2)"));
  EXPECT_FALSE(equal("(1, 2)", "(2, 1)"));
  EXPECT_FALSE(equal("(1, 2)", "(1, 2, 3)"));
  EXPECT_TRUE(equal("\\{1,2\\}", "\\{2,1\\}"));
  EXPECT_TRUE(equal("\\{1,2,2\\}", "\\{2,1\\}"));
  EXPECT_FALSE(equal("\\{1,2\\}", "\\{1,3\\}"));
  EXPECT_TRUE(equal("1, 2", "\\{2, 1\\}"));  // a bare list of solutions is a set
  EXPECT_TRUE(equal("[0, 1)", "[0,1)"));
  EXPECT_FALSE(equal("[0,1)", "[0,1]"));
  EXPECT_FALSE(equal("(1,2)", "\\{1,2\\}"));
  EXPECT_TRUE(equal("(-\\infty, \\frac{1}{2}]", "(-\\infty, 0.5]"));
  EXPECT_TRUE(equal("[0,1) \\cup (2,3]", "(2,3] \\cup [0,1)"));
  EXPECT_TRUE(equal("\\{(1,2), (3,4)\\}", "\\{(3,4), (1,2)\\}"));
  EXPECT_TRUE(equal("\\emptyset", "\\{\\}"));
  EXPECT_FALSE(equal("(1, 2)", "3"));
}

// Adversarial inputs: the caps (input bytes, depth, work steps) decide what each call returns.
// Time per call is measured and reported by tests/stdlib/math_sympy_agreement.py, not asserted
// here; a call that hung would show as this test's timeout.
class MathAnswerBoundsTest : public MathAnswerTest {
 protected:
  template <typename F>
  void bounded(F f, std::string_view what) {
    SCOPED_TRACE(what);
    f();
  }
};

TEST_F(MathAnswerBoundsTest, DeepNestingIsRefused) {
  const std::string deep = std::string(200, '(') + "1" + std::string(200, ')');
  bounded([&] { EXPECT_EQ(value(deep), "none"); }, "parentheses");
  EXPECT_TRUE(flagged("math_too_complex"));
  const std::string shallow = std::string(30, '(') + "1" + std::string(30, ')');
  EXPECT_EQ(value(shallow), "1");
  std::string fracs;
  for (int i = 0; i < 500; ++i) fracs += "\\frac{1}{";
  fracs += "2" + std::string(500, '}');
  bounded([&] { EXPECT_EQ(value(fracs), "none"); }, "nested fractions");
  bounded([&] { EXPECT_FALSE(equal(std::string(1000, '-') + "1", "1")); }, "signs");
  bounded([&] { EXPECT_EQ(value(std::string(3000, '{')), "none"); }, "braces");
}

TEST_F(MathAnswerBoundsTest, LongInputsAreCheap) {
  const std::string mb(1 << 20, '9');
  bounded([&] { EXPECT_EQ(value(mb), "none"); }, "1 MB number");
  EXPECT_TRUE(flagged("math_too_complex"));
  const std::string spaced = " " + mb;
  math::Limits limits;
  bounded([&] { EXPECT_TRUE(math::answers_equal(mb, spaced, 1e-6, 1e-9, &limits)); },
          "1 MB comparison");
  bounded([&] { EXPECT_EQ(math::normalize_answer(spaced, &limits), mb); }, "1 MB normalize");
  EXPECT_TRUE(limits.hit);
  std::string boxes;
  for (int i = 0; i < 100000; ++i) boxes += "\\boxed{";
  bounded([&] { EXPECT_EQ(extract(boxes + "7}"), "\"7\""); }, "unclosed boxes");
  const std::string dollars(1 << 20, '$');
  bounded([&] { extract(dollars); }, "1 MB of dollars");
  std::string opens;
  for (int i = 0; i < 100000; ++i) opens += "\\[ \\( x ";
  opens += "$$ y";
  bounded([&] { EXPECT_EQ(extract(opens, "latex"), "none"); }, "unclosed math spans");
  std::string many_boxes;
  for (int i = 0; i < 50000; ++i) many_boxes += "\\boxed{1}, ";
  bounded([&] { EXPECT_FALSE(equal(many_boxes, "1")); }, "50,000 boxes: past the input cap");
  EXPECT_TRUE(flagged("math_too_complex"));
  const std::string prose(1 << 20, 'a');
  bounded([&] { EXPECT_EQ(extract(prose), "none"); }, "1 MB of prose");
  std::string answer_is;
  for (int i = 0; i < 50000; ++i) answer_is += "answer is ";
  bounded([&] { EXPECT_EQ(extract(answer_is + "4", "answer_is"), "\"4\""); }, "repeated markers");
}

TEST_F(MathAnswerBoundsTest, FlatChainsAndHugeNumbersStayBounded) {
  // Just under the input cap: long sums and fraction chains parse and evaluate.
  std::string sum = "1";
  while (sum.size() < math::kMaxAnswerBytes - 2) sum += "+1";
  bounded([&] { EXPECT_EQ(value(sum), show(N(static_cast<double>(sum.size() / 2 + 1)))); },
          "long sum");
  std::string chain;
  while (chain.size() < math::kMaxAnswerBytes - 12) chain += "\\frac{1}{1}";
  bounded([&] { EXPECT_EQ(value(chain), "1"); }, "fraction chain");
  bounded([&] { EXPECT_FALSE(equal("10^{10^{10^{10}}}", "10^{10^{10}}")); }, "towers");
  bounded([&] { EXPECT_EQ(value("170!"), "7.257415615307994e+306"); }, "170!");
  EXPECT_EQ(value("171!"), "none");
  EXPECT_EQ(value("1e999"), "none");
  EXPECT_EQ(value("1e-999"), "0");
  EXPECT_EQ(value("123456789012345678901234567890"), "1.2345678901234568e+29");
  // Sets of sets compare pairwise: the work budget stops them, with a flag.
  std::string sets = "\\{";
  for (int i = 0; i < 60; ++i) {
    sets += (i ? ",\\{" : "\\{");
    for (int j = 0; j < 8; ++j) sets += (j ? "," : "") + std::to_string(i * 8 + j);
    sets += "\\}";
  }
  sets += "\\}";
  ASSERT_LE(sets.size(), math::kMaxAnswerBytes);
  bounded([&] { equal(sets, sets + " "); }, "sets of sets");
  // Huge exponents and factorials: residues are computed in O(log n), factorials up to a cap.
  bounded([&] { EXPECT_FALSE(equal("2^{9223372036854775807}", "2^{9223372036854775806}")); },
          "huge exponent");
  bounded([&] { EXPECT_TRUE(equal("x^{1000000000000}", "x^{1000000000000}")); },
          "huge exponent of a variable");
  bounded([&] { EXPECT_FALSE(equal("100000!", "100000!+1")); }, "100000!");
  bounded([&] { EXPECT_TRUE(equal("1000000!", "1000000!")); }, "1000000! is past the cap");
  EXPECT_EQ(value("2^{100000}"), "none");
  // 10,000 characters of relations and lists stay under the budget or are flagged.
  std::string relations = "x";
  while (relations.size() < 10000) relations += " < x";
  bounded([&] { equal(relations, relations); }, "10k relation chain");
  std::string ors = "x = 1";
  while (ors.size() < 10000) ors += " or x = 1";
  bounded([&] { equal(ors, "1"); }, "10k list of equations");
  std::string pm = "1 \\pm ";
  while (pm.size() < 4000) pm += "(1+";
  bounded([&] { equal(pm, pm); }, "unbalanced plus-minus");
}

TEST_F(MathAnswerBoundsTest, SumsStayBounded) {
  EXPECT_EQ(value("\\sum_{k=1}^{100} k"), "5050");
  EXPECT_EQ(value("\\sum_{k=1}^{0} k"), "0");  // empty
  // Too many terms: compared as written, never added up.
  bounded([&] { EXPECT_EQ(value("\\sum_{k=1}^{10^{18}} k"), "none"); }, "10^18 terms");
  bounded([&] { EXPECT_TRUE(equal("\\sum_{k=1}^{10^{18}} k", "\\sum_{k=1}^{10^{18}} k")); },
          "10^18 terms, the same text");
  // Nested sums multiply their terms: the work budget stops them, with a flag.
  const std::string nested = "\\sum_{a=1}^{99999} \\sum_{b=1}^{99999} a \\cdot b";
  bounded([&] { EXPECT_FALSE(equal(nested, "1")); }, "nested sums");
  EXPECT_TRUE(flagged("math_too_complex"));
  bounded([&] { EXPECT_EQ(value(nested), "none"); }, "nested sums have no value");
  EXPECT_TRUE(flagged("math_too_complex"));
  std::string deep;
  for (int i = 0; i < 50; ++i) deep += "\\sum_{k=1}^{2} ";
  bounded([&] { equal(deep + "k", deep + "k"); }, "2^50 terms");
  EXPECT_TRUE(flagged("math_too_complex"));
  EXPECT_EQ(value(deep + "k"), "none");
  std::string symbolic;  // limits in a variable: three samples per level, 3^50 without the budget
  for (int i = 0; i < 50; ++i) symbolic += "\\sum_{k=1}^{n} ";
  bounded([&] { equal(symbolic + "k", symbolic + "k^2"); }, "3^50 samples");
  EXPECT_TRUE(flagged("math_too_complex"));
  bounded([&] { EXPECT_EQ(value("\\sum_{k=-9223372036854775807}^{9223372036854775807} k"), "none"); },
          "the widest integer limits");
}

}  // namespace
}  // namespace rft::grader::testing
