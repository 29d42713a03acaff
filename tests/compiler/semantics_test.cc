// One test (or a few) per semantic rule of docs/language.md: what the interpreter, and so every
// back end, must do.
#include <gtest/gtest.h>

#include <cmath>

#include "compiler/driver/spec_tests.h"
#include "tests/compiler/spec_fixture.h"

namespace rft {
namespace {

using testing::eval;
using testing::has_flag;
using testing::Spec;

// Counts judge calls and answers with a fixed score (or fails when `fail` is set).
class CountingJudge : public interp::JudgeProvider {
 public:
  explicit CountingJudge(double s, bool f = false) : score_(s), fail_(f) {}
  std::optional<double> score(const ast::JudgeDecl&, const std::string& prompt) override {
    ++calls;
    prompts.push_back(prompt);
    if (fail_) return std::nullopt;
    return score_;
  }
  int calls = 0;
  std::vector<std::string> prompts;

 private:
  double score_;
  bool fail_;
};

const char* kJudge = R"rft(
judge polite(reply: str) {
  model = "m"
  prompt = "Q: {prompt} A: {completion} R: {reply} T: {item.topic} {{literal}}"
  scale = 1..10
  on_error = 0.25
}
)rft";

TEST(Semantics, BoolCountsAsOneOrZero) {
  Spec spec(R"rft(reward r {
    component hit = contains(completion, "x")
    total = hit + 0.5 * true + 0.25 * (1 > 2)
  })rft");
  EXPECT_DOUBLE_EQ(spec.grade("x").total, 1.5);
  EXPECT_DOUBLE_EQ(spec.grade("y").total, 0.5);
  EXPECT_EQ(spec.grade("x").components, std::vector<double>{1});
}

// Where a list<num> is due, the bools of a list count as 1 and 0 too: passed to a builtin, held
// by a declared type, or mixed with numbers in one literal.
TEST(Semantics, BoolsInAListCountAsNumbersWhereListOfNumIsDue) {
  EXPECT_EQ(eval("sum([true, true])"), "2");
  EXPECT_EQ(eval("max([true, false])"), "1");
  EXPECT_EQ(eval("mean([true, false, true, true])"), "0.75");
  EXPECT_EQ(eval("count([true, true], 1)"), "2");
  EXPECT_EQ(eval("[true, 1] == [1, 1]"), "true");
  EXPECT_EQ(eval("[true, 2]"), "[1, 2]");
  EXPECT_EQ(eval("contains([true, 2], 1)"), "true");
  Spec spec(R"rft(
reward r {
  let e: list<num> = [true, false]
  let d = dump({xs: e})
  component sum_ok = sum(e) == 1 && e == [1, 0]
  component dumped = d == "{\"xs\":[1,0]}"
  total = sum_ok + dumped
}
)rft");
  EXPECT_EQ(spec.grade("").total, 2);
  // Bool components summed as a list: the common case.
  Spec comps(R"rft(
reward r {
  component a = true
  component b = len(completion) > 3
  total = sum([a, b]) / 2
}
)rft");
  EXPECT_EQ(comps.grade("long enough").total, 1);
  EXPECT_EQ(comps.grade("no").total, 0.5);
}

TEST(Semantics, BoolComponentStaysACondition) {
  Spec spec(R"rft(reward r {
    component safe = !contains(completion, "bad")
    total = if safe then 1 else -1
  })rft");
  EXPECT_DOUBLE_EQ(spec.grade("good").total, 1);
  EXPECT_DOUBLE_EQ(spec.grade("bad").total, -1);
}

TEST(Semantics, NonePropagatesThroughCallsAndArithmetic) {
  EXPECT_EQ(eval(R"rft(len(capture("abc", r"(\d+)")))rft"), "none");
  EXPECT_EQ(eval(R"rft(num("x") + 1)rft"), "none");
  EXPECT_EQ(eval(R"rft(-num("x"))rft"), "none");
  EXPECT_EQ(eval(R"rft(!as_bool(json("1")))rft"), "none");
  EXPECT_EQ(eval(R"rft(num("2") * 3)rft"), "6");
}

TEST(Semantics, ComparisonsWithNoneAreFalse) {
  for (const char* op : {"<", "<=", ">", ">=", "==", "!=", "~="}) {
    EXPECT_EQ(eval(std::string("num(\"x\") ") + op + " 1"), "false") << op;
  }
  EXPECT_EQ(eval(R"rft(num("x") is none)rft"), "true");
  EXPECT_EQ(eval(R"rft(num("1") is not none)rft"), "true");
  EXPECT_EQ(eval(R"rft(num("x") ?? 7)rft"), "7");
  EXPECT_EQ(eval(R"rft(num("3") ?? 7)rft"), "3");
}

TEST(Semantics, NoneInConditionsCountsAsFalse) {
  EXPECT_EQ(eval(R"rft(if as_bool(json("1")) then "yes" else "no")rft"), R"rft("no")rft");
  EXPECT_EQ(eval(R"rft(as_bool(json("1")) || true)rft"), "true");
  EXPECT_EQ(eval(R"rft(as_bool(json("1")) && true)rft"), "false");
}

TEST(Semantics, NoneComponentScoresZeroAndIsFlagged) {
  Spec spec(R"rft(reward r {
    component value = num(completion)
    total = value + 1
  })rft");
  Grade r = spec.grade("not a number");
  EXPECT_EQ(r.components, std::vector<double>{0});
  EXPECT_TRUE(has_flag(r, "missing:value"));
  // The total reads the component, which is 0 after the flag.
  EXPECT_DOUBLE_EQ(r.total, 1);
  EXPECT_FALSE(has_flag(spec.grade("2"), "missing:value"));
}

TEST(Semantics, DivisionByZeroIsIeeeThenFlagged) {
  EXPECT_EQ(eval("1 / 0"), "inf");
  EXPECT_EQ(eval("-1 / 0"), "-inf");
  EXPECT_EQ(eval("0 / 0"), "nan");
  Spec spec(R"rft(reward r {
    on_invalid = -1
    total = 1 / len(completion)
  })rft");
  Grade r = spec.grade("");
  EXPECT_DOUBLE_EQ(r.total, -1);
  EXPECT_TRUE(has_flag(r, "invalid_total"));
  EXPECT_DOUBLE_EQ(spec.grade("ab").total, 0.5);
}

TEST(Semantics, NanComponentIsZeroAndFlagged) {
  Spec spec(R"rft(reward r {
    component ratio = 0 / len(completion)
    total = ratio
  })rft");
  Grade r = spec.grade("");
  EXPECT_EQ(r.components, std::vector<double>{0});
  EXPECT_TRUE(has_flag(r, "invalid:ratio"));
  EXPECT_DOUBLE_EQ(r.total, 0);
  EXPECT_FALSE(has_flag(r, "invalid_total"));
}

TEST(Semantics, NoneTotalUsesOnInvalid) {
  Spec spec(R"rft(reward r {
    on_invalid = 0.125
    total = num(completion)
  })rft");
  Grade r = spec.grade("abc");
  EXPECT_DOUBLE_EQ(r.total, 0.125);
  EXPECT_TRUE(has_flag(r, "invalid_total"));
  EXPECT_DOUBLE_EQ(spec.grade("3").total, 3);
}

TEST(Semantics, OutOfRangeIndexingIsNone) {
  EXPECT_EQ(eval("[1, 2, 3][3]"), "none");
  EXPECT_EQ(eval("[1, 2, 3][-1]"), "3");
  EXPECT_EQ(eval("[1, 2, 3][-4]"), "none");
  EXPECT_EQ(eval("[1, 2, 3][0.5]"), "none");
  EXPECT_EQ(eval(R"rft("héllo"[1])rft"), R"rft("é")rft");
  EXPECT_EQ(eval(R"rft("héllo"[9])rft"), "none");
  EXPECT_EQ(eval(R"rft(json("[1]")[5])rft"), "none");
  EXPECT_EQ(eval(R"rft(json("{\"a\": 1}").b)rft"), "none");
}

TEST(Semantics, InvalidUtf8IsRepairedAndFlagged) {
  Spec spec(R"rft(reward r {
    let n = len(completion)
    total = n
  })rft");
  Grade r = spec.grade(std::string("ab\xff\xfe" "c"));
  EXPECT_TRUE(has_flag(r, "invalid_utf8"));
  EXPECT_DOUBLE_EQ(r.total, 5);  // a, b, U+FFFD, U+FFFD, c
  EXPECT_FALSE(has_flag(spec.grade("abc"), "invalid_utf8"));
}

TEST(Semantics, ModuloTakesTheSignOfTheDivisor) {
  EXPECT_EQ(eval("-7 % 3"), "2");
  EXPECT_EQ(eval("7 % -3"), "-2");
  EXPECT_EQ(eval("7.5 % 2"), "1.5");
}

TEST(Semantics, TripleQuotedStringsDedentBeforeEscapes) {
  EXPECT_EQ(eval("\"\"\"\n    one\\ntwo\n      three\n    \"\"\""), R"rft("one\ntwo\n  three")rft");
  EXPECT_EQ(eval("\"\"\"first\n    second\n    \"\"\""), R"rft("first\nsecond")rft");
}

TEST(Semantics, StringsConcatenate) { EXPECT_EQ(eval(R"rft("a" + "é" + str(1))rft"), R"rft("aé1")rft"); }

TEST(Semantics, LetsAreLazyAndEvaluatedAtMostOnce) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
  reward r {
    let tone = polite(reply = completion)
    let unused = polite(reply = "x")
    total = tone + tone + tone
  })rft");
  CountingJudge judge(0.5);
  Grade r = spec.grade("hi", {{"topic", "t"}}, &judge);
  EXPECT_EQ(judge.calls, 1);
  EXPECT_DOUBLE_EQ(r.total, 1.5);
  auto unused = std::find_if(r.bindings.begin(), r.bindings.end(),
                             [](const auto& b) { return b.name == "unused"; });
  ASSERT_NE(unused, r.bindings.end());
  EXPECT_EQ(unused->value, "(not evaluated)");
}

TEST(Semantics, ShortCircuitSkipsJudges) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
  reward r {
    let safe = !contains(completion, "refund")
    total = if safe && polite(reply = "a") > 0.3 || false then 1 else 0
  })rft");
  CountingJudge judge(0.9);
  EXPECT_DOUBLE_EQ(spec.grade("refund now", {{"topic", "t"}}, &judge).total, 0);
  EXPECT_EQ(judge.calls, 0);
  EXPECT_DOUBLE_EQ(spec.grade("hello", {{"topic", "t"}}, &judge).total, 1);
  EXPECT_EQ(judge.calls, 1);
}

TEST(Semantics, GatedJudgeComponentIsSkipped) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
  reward r {
    component safe = !contains(completion, "refund")
    component tone = polite(reply = completion)
    total = if safe then tone else -1
  })rft");
  CountingJudge judge(0.8);
  Grade unsafe = spec.grade("guaranteed refund", {{"topic", "t"}}, &judge);
  EXPECT_EQ(judge.calls, 0);
  EXPECT_DOUBLE_EQ(unsafe.total, -1);
  EXPECT_TRUE(has_flag(unsafe, "skipped:tone"));
  EXPECT_EQ(unsafe.components, (std::vector<double>{0, 0}));
  Grade safe = spec.grade("hello", {{"topic", "t"}}, &judge);
  EXPECT_EQ(judge.calls, 1);
  EXPECT_DOUBLE_EQ(safe.total, 0.8);
  EXPECT_EQ(safe.components, (std::vector<double>{1, 0.8}));
}

TEST(Semantics, MonitorsAreLoggedAndNeverInTheTotal) {
  Spec spec(R"rft(reward r {
    let n = len(completion)
    component ok = contains(completion, "42")
    monitor length = n
    monitor strict = completion == "42"
    monitor capped = n in 0..3
    total = ok
  })rft");
  Grade g = spec.grade("the answer is 42");
  EXPECT_DOUBLE_EQ(g.total, 1);
  EXPECT_EQ(g.components, (std::vector<double>{1}));
  EXPECT_EQ(g.monitors, (std::vector<double>{16, 0, 3}));
  EXPECT_TRUE(has_flag(g, "out_of_bounds:capped"));
  Grade exact = spec.grade("42");
  EXPECT_EQ(exact.monitors, (std::vector<double>{2, 1, 2}));
  // Explain lists them in source order, as monitors.
  ASSERT_EQ(exact.bindings.size(), 5u);
  EXPECT_EQ(exact.bindings[2].name, "length");
  EXPECT_EQ(exact.bindings[2].kind, "monitor");
  EXPECT_EQ(exact.bindings[2].value, "2");
}

TEST(Semantics, MonitorsCallTheirJudgesEvenWhenGatingSkipsTheTotal) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
  reward r {
    component safe = !contains(completion, "refund")
    component tone = polite(reply = completion)
    monitor judged_tone = tone
    total = if safe then tone else -1
  })rft");
  CountingJudge judge(0.8);
  Grade unsafe = spec.grade("guaranteed refund", {{"topic", "t"}}, &judge);
  // The monitor asks for `tone`, so the judge is called and the component is not skipped.
  EXPECT_EQ(judge.calls, 1);
  EXPECT_DOUBLE_EQ(unsafe.total, -1);
  EXPECT_FALSE(has_flag(unsafe, "skipped:tone"));
  EXPECT_EQ(unsafe.components, (std::vector<double>{0, 0.8}));
  EXPECT_EQ(unsafe.monitors, (std::vector<double>{0.8}));
}

TEST(Semantics, JudgePromptIsRendered) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
  reward r { total = polite(reply = "R!") })rft");
  CountingJudge judge(0.5);
  spec.grade("the answer", {{"topic", "cats"}}, &judge, "the question");
  ASSERT_EQ(judge.prompts.size(), 1u);
  EXPECT_EQ(judge.prompts[0], "Q: the question A: the answer R: R! T: cats {literal}");
}

TEST(Semantics, FailedJudgeUsesOnErrorAndFlags) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
  reward r { total = polite(reply = completion) })rft");
  CountingJudge judge(0.5, /*fail=*/true);
  Grade r = spec.grade("x", {{"topic", "t"}}, &judge);
  EXPECT_DOUBLE_EQ(r.total, 0.25);
  EXPECT_TRUE(has_flag(r, "judge_error:polite"));
}

TEST(Semantics, ComponentBoundsClampAndFlag) {
  Spec spec(R"rft(reward r {
    component c = len(completion) / 2 - 1 in 0..1
    total = c
  })rft");
  Grade high = spec.grade("abcdefgh");
  EXPECT_DOUBLE_EQ(high.total, 1);
  EXPECT_TRUE(has_flag(high, "out_of_bounds:c"));
  Grade low = spec.grade("");
  EXPECT_DOUBLE_EQ(low.total, 0);
  EXPECT_TRUE(has_flag(low, "out_of_bounds:c"));
  EXPECT_FALSE(has_flag(spec.grade("abc"), "out_of_bounds:c"));
}

TEST(Semantics, ItemFieldsTakeTheirDeclaredTypes) {
  Spec spec(R"rft(item { n: num, ok: bool, tags: list<str>, extra: json, note: str? }
  reward r {
    let s = str(item.n) + str(item.ok) + join(item.tags, "|") + dump(item.extra) + (item.note ?? "-")
    total = len(s)
  })rft");
  nlohmann::json row = {{"n", 2}, {"ok", true}, {"tags", {"a", "b"}}, {"extra", {{"k", 1}}}};
  Grade r = spec.grade("", row);
  EXPECT_EQ(r.bindings[0].value, R"rft("2truea|b{\"k\":1}-")rft");
  EXPECT_TRUE(r.flags.empty());
}

TEST(Semantics, MissingOrMistypedItemFieldIsNoneAndFlagged) {
  Spec spec(R"rft(item { answer: str }
  reward r { total = len(item.answer) })rft");
  Grade r = spec.grade("", nlohmann::json{{"answer", 42}});
  EXPECT_TRUE(has_flag(r, "bad_item:answer"));
  EXPECT_TRUE(has_flag(r, "invalid_total"));
  EXPECT_TRUE(has_flag(spec.grade("", nlohmann::json::object()), "bad_item:answer"));
}

TEST(Semantics, ValidateItemNamesEveryProblem) {
  Spec spec(R"rft(item { answer: str, score: num?, tags: list<str> }
  reward r { total = len(item.answer) })rft");
  const interp::ItemFields item = interp::item_fields(spec.program->roots.front()->item.get());
  EXPECT_EQ(interp::validate_item(nlohmann::json{{"answer", "a"}, {"tags", {"x"}}}, item),
            std::vector<std::string>{});
  EXPECT_EQ(interp::validate_item(nlohmann::json{{"answer", 1}, {"score", "x"}}, item),
            (std::vector<std::string>{"field `answer`: expected str, found a number",
                                      "field `score`: expected num?, found a string",
                                      "missing field `tags`"}));
  EXPECT_EQ(interp::validate_item(nlohmann::json::array(), item),
            std::vector<std::string>{"the row is an array, not an object"});
}

TEST(Semantics, FunctionsWithDefaultsAndNamedArguments) {
  Spec spec(R"rft(fn score(s: str, weight: num = 2, bonus: num = 0) -> num = len(s) * weight + bonus
  reward r { total = score(completion) + score(completion, bonus = 100) + score(s = "a", weight = 1) })rft");
  EXPECT_DOUBLE_EQ(spec.grade("abc").total, 6 + 106 + 1);
}

TEST(Semantics, OptionalArgumentToFunctionPropagatesNone) {
  Spec spec(R"rft(fn twice(x: num) -> num = 2 * x
  reward r {
    let v = twice(num(completion))
    total = v ?? -5
  })rft");
  EXPECT_DOUBLE_EQ(spec.grade("4").total, 8);
  EXPECT_DOUBLE_EQ(spec.grade("four").total, -5);
}

TEST(Semantics, GradingIsDeterministic) {
  Spec spec(R"rft(import std.math
  item { answer: str }
  reward r {
    component c = math.equivalent(math.final_answer(completion), item.answer)
    total = c + 0.1 * len(completion) / 100
  })rft");
  nlohmann::json row = {{"answer", "42"}};
  Grade a = spec.grade("so \\boxed{42}", row);
  Grade b = spec.grade("so \\boxed{42}", row);
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.components, b.components);
  EXPECT_DOUBLE_EQ(a.components[0], 1);
}

// The outcomes of the spec's own `test` blocks.
std::vector<TestOutcome> run_tests(const Spec& spec) {
  if (!spec.interp) return {};
  return run_spec_tests(*spec.program, *spec.program->roots.front(), *spec.interp);
}

TEST(SpecTests, FailingExpectationShowsExpectedAndActual) {
  Spec spec(R"rft(reward r {
  component n = len(completion)
  total = n
}
test r "length" {
  completion = "abc"
  expect n == 4
  expect total ~= 3.5 within 0.1
  expect n > 1
})rft");
  std::vector<TestOutcome> out = run_tests(spec);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].passed);
  EXPECT_EQ(out[0].failures,
            (std::vector<std::string>{
                R"rft(spec.reward:7:3: test "length" (r): expected n == 4, got 3)rft",
                R"rft(spec.reward:8:3: test "length" (r): expected total ~= 3.5 within 0.1, got 3)rft"}));
}

TEST(SpecTests, JudgeWithoutAGivenValueFailsTheTest) {
  Spec spec(std::string(kJudge) + R"rft(item { topic: str }
reward r { total = polite(reply = completion) }
test r "judge value missing" {
  item = { topic: "t" }
  expect total >= 0
})rft");
  std::vector<TestOutcome> out = run_tests(spec);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].passed);
  ASSERT_EQ(out[0].failures.size(), 1u);
  EXPECT_NE(out[0].failures[0].find("judge `polite` was called but the test gives it no value"),
            std::string::npos);
}

}  // namespace
}  // namespace rft
