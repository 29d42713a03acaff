// The program analyses (compiler/program/analysis.h) on checked specs: what an expression uses,
// which components call a judge, which rewards run code.
#include "compiler/program/analysis.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/compiler/spec_fixture.h"

namespace rft {
namespace {

using testing::Spec;

const ast::ComponentDecl& component(const ast::RewardDecl& r, const std::string& name) {
  for (const auto& c : r.components) {
    if (c->name == name) return *c;
  }
  ADD_FAILURE() << "no component " << name;
  return *r.components.front();
}

TEST(Analysis, UsesAreTheDirectReferences) {
  Spec spec(R"rft(item { answer: str }
  reward r {
    let a = len(completion)
    component c = a > 3
    component d = c + a
    component e = 1
    total = d + e
  })rft");
  const ast::RewardDecl& r = *spec.program->find_reward("r");
  program::Uses d;
  program::collect_uses(*component(r, "d").value, d);
  EXPECT_EQ(d.components, std::vector<const ast::ComponentDecl*>{&component(r, "c")});
  ASSERT_EQ(d.lets.size(), 1u);
  EXPECT_EQ(d.lets[0]->name, "a");
  EXPECT_FALSE(d.sample);  // only through `a`, which is not followed
  program::Uses a;
  program::collect_uses(*r.lets[0]->value, a);
  EXPECT_TRUE(a.sample);
  program::Uses e;
  program::collect_uses(*component(r, "e").value, e);
  EXPECT_TRUE(e.lets.empty() && e.components.empty() && e.judges.empty() && !e.sample);
}

TEST(Analysis, CallsJudgeFollowsLetsAndComponents) {
  Spec spec(R"rft(
  judge polite {
    model = "m"
    prompt = "Rate: {completion}"
    scale = 1..10
    on_error = 0
  }
  reward r {
    let tone = polite()
    component direct = polite()
    component through_let = tone * 2
    component through_component = through_let + 1
    component rule = contains(completion, "x")
    total = if rule then direct + through_component else 0
  })rft");
  const ast::RewardDecl& r = *spec.program->find_reward("r");
  EXPECT_TRUE(program::calls_judge(component(r, "direct")));
  EXPECT_TRUE(program::calls_judge(component(r, "through_let")));
  EXPECT_TRUE(program::calls_judge(component(r, "through_component")));
  EXPECT_FALSE(program::calls_judge(component(r, "rule")));
  // The interpreter's gating reads the same answer.
  EXPECT_TRUE(spec.interp->needs_judge(&component(r, "through_component")));
  EXPECT_FALSE(spec.interp->needs_judge(&component(r, "rule")));
}

TEST(Analysis, RunsCodeThroughFunctionsAndConstants) {
  Spec spec(R"rft(
  fn check(code: str) -> num = as_num(run_python(code, ["assert True"]).passed) ?? 0
  fn harmless(s: str) -> num = len(s)
  let no_tests: list<str> = []
  let ran = run_cpp("int main() {}", no_tests)
  reward by_function {
    total = check(completion)
  }
  reward by_constant {
    component compiled = as_bool(ran.compiled) ?? false
    total = compiled
  }
  reward none_run {
    total = harmless(completion) + len(no_tests)
  }
  reward in_default {
    total = slow(completion)
  }
  fn slow(s: str, r: json = run_python("pass", no_tests)) -> num = len(s)
  )rft");
  EXPECT_TRUE(program::runs_code(*spec.program->find_reward("by_function")));
  EXPECT_TRUE(program::runs_code(*spec.program->find_reward("by_constant")));
  EXPECT_TRUE(program::runs_code(*spec.program->find_reward("in_default")));
  EXPECT_FALSE(program::runs_code(*spec.program->find_reward("none_run")));
}

}  // namespace
}  // namespace rft
