// The builtins as the language calls them: overload resolution, defaults, regex literals,
// bool→num and none propagation around the same C functions that compiled code calls. (The
// builtins' own edge cases are in tests/grader.)
#include <gtest/gtest.h>

#include "compiler/check/signature.h"
#include "tests/compiler/spec_fixture.h"

namespace rft {
namespace {

using testing::eval;

struct Row {
  const char* expr;
  const char* expected;
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.expr; }

class BuiltinCallTest : public ::testing::TestWithParam<Row> {};

TEST_P(BuiltinCallTest, Evaluates) {
  EXPECT_EQ(eval(GetParam().expr), GetParam().expected) << GetParam().expr;
}

const Row kRows[] = {
    // text
    {R"rft(len("héllo"))rft", "5"},
    {R"rft(byte_len("héllo"))rft", "6"},
    {R"rft(lower("ÀB"))rft", R"rft("àb")rft"},
    {R"rft(upper("àb"))rft", R"rft("ÀB")rft"},
    {R"rft(trim("  a b  "))rft", R"rft("a b")rft"},
    {R"rft(trim_start("  a "))rft", R"rft("a ")rft"},
    {R"rft(trim_end("  a "))rft", R"rft("  a")rft"},
    {R"rft(contains("Hello", "ELL"))rft", "false"},
    {R"rft(contains("Hello", "ELL", ignore_case = true))rft", "true"},
    {R"rft(contains("Hello", "ELL", true))rft", "true"},
    {R"rft(starts_with("rft", "rf"))rft", "true"},
    {R"rft(ends_with("rft", "t"))rft", "true"},
    {R"rft(find("日本語", "語"))rft", "2"},
    {R"rft(find("abc", "z"))rft", "none"},
    {R"rft(replace("a-b-c", "-", "+"))rft", R"rft("a+b+c")rft"},
    {R"rft(split("a,b,,c", ","))rft", R"rft(["a", "b", "", "c"])rft"},
    {R"rft(words("  one two\tthree "))rft", R"rft(["one", "two", "three"])rft"},
    {R"rft(lines("a\r\nb\n"))rft", R"rft(["a", "b"])rft"},
    {R"rft(join(["a", "b"], "-"))rft", R"rft("a-b")rft"},
    {R"rft(join(["a", "b"]))rft", R"rft("ab")rft"},
    {R"rft(slice("héllo", 1, -1))rft", R"rft("éll")rft"},
    {R"rft(slice([1, 2, 3], -2, 10))rft", "[2, 3]"},
    {R"rft(count("banana", "an"))rft", "2"},
    {R"rft(str(0.5))rft", R"rft("0.5")rft"},
    {R"rft(str(42))rft", R"rft("42")rft"},
    {R"rft(str(true))rft", R"rft("true")rft"},
    // regex: string literals become regexes where a regex is expected
    {R"rft(matches("abc123", r"\d+"))rft", "true"},
    {R"rft(full_match("abc123", r"\d+"))rft", "false"},
    {R"rft(capture("x = 42;", r"x = (\d+)"))rft", R"rft("42")rft"},
    {R"rft(capture("x = 42;", r"(x) = (\d+)", 2))rft", R"rft("42")rft"},
    {R"rft(capture("nothing", r"(\d+)"))rft", "none"},
    {R"rft(find_all("a1 b22 c333", r"[a-z](\d+)"))rft", R"rft(["1", "22", "333"])rft"},
    {R"rft(count_matches("aXbXc", "X"))rft", "2"},
    {R"rft(regex_replace("2024-01-15", r"(\d+)-(\d+)-(\d+)", "\\3/\\2/\\1"))rft", R"rft("15/01/2024")rft"},
    // numbers
    {R"rft(num(" 3.5 "))rft", "3.5"},
    {R"rft(num("1,000"))rft", "none"},
    {R"rft(num(true))rft", "1"},
    {R"rft(numbers("from 1,234.5 to -7 and 1e3"))rft", "[1234.5, -7, 1000]"},
    {R"rft(abs(-2))rft", "2"},
    {R"rft(floor(-1.5))rft", "-2"},
    {R"rft(ceil(1.2))rft", "2"},
    {R"rft(sqrt(16))rft", "4"},
    {R"rft(exp(0))rft", "1"},
    {R"rft(log(1))rft", "0"},
    {R"rft(pow(2, 10))rft", "1024"},
    {R"rft(round(2.5))rft", "3"},
    {R"rft(round(3.14159, 2))rft", "3.14"},
    {R"rft(min(3, 4))rft", "3"},
    {R"rft(max(3, 4))rft", "4"},
    {R"rft(min([5, 2, 9]))rft", "2"},
    {R"rft(max([5, 2, 9]))rft", "9"},
    {R"rft(clamp(7, 0, 5))rft", "5"},
    {R"rft(is_finite(1 / 0))rft", "false"},
    {R"rft(approx(0.1 + 0.2, 0.3))rft", "true"},
    // json
    {R"rft(json("{\"a\": [1, 2]}"))rft", R"rft({"a":[1,2]})rft"},
    {R"rft(json("{oops"))rft", "none"},
    {R"rft(get(json("{\"a\": {\"b\": [5, 6]}}"), "a.b[1]"))rft", "6"},
    {R"rft(get(json("{\"a\": 1}"), "a.b"))rft", "none"},
    {R"rft(as_num(json("{\"a\": 2}").a))rft", "2"},
    {R"rft(as_str(json("[\"x\", \"y\"]")[1]))rft", R"rft("y")rft"},
    {R"rft(as_bool(json("{\"ok\": true}")["ok"]))rft", "true"},
    {R"rft(as_list(json("[1, 2]")))rft", "[1, 2]"},
    {R"rft(keys(json("{\"b\": 1, \"a\": 2}")))rft", R"rft(["a", "b"])rft"},
    {R"rft(has(json("{\"a\": 1}"), "a"))rft", "true"},
    {R"rft(type_of(json("[]")))rft", R"rft("array")rft"},
    {R"rft(dump(json(" { \"a\" : 1 } ")))rft", R"rft("{\"a\":1}")rft"},
    {R"rft(len(json("[1, 2, 3]")))rft", "3"},
    {R"rft(json_member(json("{\"k\": 1}"), "k"))rft", "1"},
    {R"rft(json_index(json("[7, 8]"), -1))rft", "8"},
    {R"rft(num(json("\"12\"")))rft", "12"},
    // lists
    {R"rft(len([1, 2, 3]))rft", "3"},
    {R"rft(sum([1, 2, 3.5]))rft", "6.5"},
    {R"rft(mean([1, 2]))rft", "1.5"},
    {R"rft(mean(slice([1], 1, 1)))rft", "none"},
    {R"rft(any([false, true]))rft", "true"},
    {R"rft(all([true, false]))rft", "false"},
    {R"rft(count(["a", "b", "a"], "a"))rft", "2"},
    {R"rft(contains([1, 2], 2))rft", "true"},
    {R"rft(first(["x", "y"]))rft", R"rft("x")rft"},
    {R"rft(last(["x", "y"]))rft", R"rft("y")rft"},
    // instructions and formats (std.format)
    {R"rft(sentences("Dr. Who came. Then? Yes!"))rft", R"rft(["Dr. Who came.", "Then?", "Yes!"])rft"},
    {R"rft(paragraphs("a\n\n\nb"))rft", R"rft(["a", "b"])rft"},
    {R"rft(paragraphs("a\n***\nb", "***"))rft", R"rft(["a", "b"])rft"},
    {R"rft(tags_in_order("<a>1</a> <b>2</b>", ["a", "b"], true))rft", "true"},
    {R"rft(count_present("The cat sat", ["cat", "CAT", "dog"]))rft", "1"},
    {R"rft(schema_errors(json("{\"a\": 1}"), json("{\"required\": [\"a\"]}")))rft", "[]"},
    // math answers (std.math)
    {R"rft(math_extract("so \\boxed{\\frac{1}{2}}"))rft", R"rft("\\frac{1}{2}")rft"},
    {R"rft(math_extract("#### 7 and 9", "last_number"))rft", R"rft("9")rft"},
    {R"rft(math_value("2\\sqrt{2}"))rft", "2.8284271247461903"},
    {R"rft(math_equal("\\frac{1}{2}", "0.5"))rft", "true"},
    {R"rft(math_equal("[0, 1)", "[0, 1]"))rft", "false"},
    {R"rft(math_normalize(" 1,000 "))rft", R"rft("1000")rft"},
    // text similarity (std.text)
    {R"rft(levenshtein("kitten", "sitting"))rft", "3"},
    {R"rft(fuzzy_ratio("abc", "abd"))rft", "0.6666666666666666"},
    {R"rft(bleu("the cat sat on the mat", "the cat sat on the mat"))rft", "1"},
    {R"rft(rouge_n("a b c", "a b d"))rft", "0.6666666666666666"},
    {R"rft(rouge_l("a b c", "a c"))rft", "0.8"},
    {R"rft(token_f1("The cat!", "a cat"))rft", "1"},
    // safety (std.safety)
    {R"rft(repetition("a b a b a b", 2))rft", "0.6"},
    {R"rft(find_phrases("No  way, José", ["no way", "yes"]))rft", R"rft(["no way"])rft"},
    {R"rft(len(phone_numbers("call +1 415 555 0100 now")))rft", "1"},
    {R"rft(credit_cards("card 4111 1111 1111 1111, not 4111 1111 1111 1112"))rft", R"rft(["4111 1111 1111 1111"])rft"},
    // code execution (std.code)
    {R"rft(code_blocks("```python\nx = 1\n```", "python"))rft", R"rft(["x = 1"])rft"},
    {R"rft(as_str(run_python("x = 1", ["assert x == 1", "assert x == 2"]).status))rft", R"rft("ok")rft"},
    {R"rft(as_num(run_python("x = 1", ["assert x == 1", "assert x == 2"]).passed))rft", "1"},
    {R"rft(as_num(run_cpp("int f() { return 2; }", ["assert(f() == 2);"]).passed))rft", "1"},
    {R"rft(as_num(run_cases("def f(x):\n    return 2 * x", "python", [{call: "f(2)", "expect": 4}, {call: "f(3)", "expect": 7}, {stdin: "", stdout: ""}]).passed))rft", "2"},
    {R"rft(as_num(lint_code("import os\n", "python", {}).count))rft", "1"},
    {R"rft(as_bool(lint_code("x = 1\n", "python", {}).clean))rft", "true"},
    // instruction following (std.format, std.ifeval)
    {R"rft(capital_words("NASA and ПРИВЕТ, not Nasa"))rft", R"rft(["NASA", "ПРИВЕТ"])rft"},
    {R"rft(ifeval_check("hello world", "punctuation:no_comma", {}))rft", "true"},
    {R"rft(ifeval_check("a, b", "punctuation:no_comma", {}))rft", "false"},
    {R"rft(ifeval_check("x", "no:such_instruction", {}))rft", "none"},
    {R"rft(ifeval_follows("HELLO, WORLD", ["change_case:english_capital", "punctuation:no_comma"], [{}, {}]))rft",
     "[true, false]"},
    {R"rft(ifeval_words("Hello, wide world!"))rft", "3"},
    {R"rft(ifeval_sentences("It rained. Dr. Smith stayed home. We left."))rft", "3"},
    {R"rft(ifeval_language("Der schnelle braune Fuchs springt über den faulen Hund."))rft",
     R"rft("de")rft"},
    {R"rft(ifeval_language("12345 !!!"))rft", "none"},
    // environment
    {R"rft(env("RFT_TEST_SURELY_UNSET"))rft", "none"},
    {R"rft(env("RFT_TEST_SURELY_UNSET", "fallback"))rft", R"rft("fallback")rft"},
};

// Test names: the row number and the builtin called, e.g. `row12_find`.
INSTANTIATE_TEST_SUITE_P(Builtins, BuiltinCallTest, ::testing::ValuesIn(kRows),
                         [](const auto& param_info) {
                           std::string name = "row" + std::to_string(param_info.index) + "_";
                           for (const char* c = param_info.param.expr; std::isalnum(*c) || *c == '_'; ++c) {
                             name += *c == '_' ? 'x' : *c;
                           }
                           return name;
                         });

TEST(BuiltinCall, EveryBuiltinIsCalledByTheTable) {
  // Each builtin name must appear in at least one row above, so that a new builtin gets a
  // language-level test too.
  std::string all;
  for (const Row& r : kRows) all += r.expr;
  for (const std::string& name : check::builtin_names()) {
    EXPECT_NE(all.find(name + "("), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace rft
