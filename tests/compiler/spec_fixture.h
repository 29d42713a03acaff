// Helpers for tests that compile a spec from a string and run it with the interpreter.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/driver/loader.h"
#include "compiler/interp/interpreter.h"
#include "compiler/interp/item.h"

namespace rft::testing {

// A loaded spec that must check without errors, with its interpreter.
struct Spec {
  std::unique_ptr<Program> program;
  std::unique_ptr<interp::Interpreter> interp;

  explicit Spec(const std::string& source) {
    program = load_program_from_string("spec.reward", source);
    EXPECT_TRUE(program->ok()) << render_all(program->diags, program->sources);
    if (program->ok()) interp = std::make_unique<interp::Interpreter>(*program);
  }

  // Grades reward `name` on one sample; item fields come from `row`.
  Grade grade(std::string_view completion, const nlohmann::json& row = {},
                       interp::JudgeProvider* judges = nullptr, std::string_view prompt = {},
                       const std::string& name = "r") {
    if (!interp) return {};
    const ast::RewardDecl* reward = program->find_reward(name);
    EXPECT_NE(reward, nullptr);
    if (reward == nullptr) return {};
    grader::Context ctx;
    Sample sample{prompt, completion, &row};
    return interp->grade(*reward, sample, ctx, judges, /*record_bindings=*/true);
  }
};

// The value of `let v = <expr>` as displayed by `rft explain`, in a reward graded on
// `completion`.
inline std::string eval(const std::string& expr, std::string_view completion = "") {
  Spec spec("reward r {\n  let v = " + expr + "\n  total = if v is none then 0 else 1\n}\n");
  Grade r = spec.grade(completion);
  for (const auto& b : r.bindings) {
    if (b.name == "v") return b.value;
  }
  return "<no value>";
}

inline bool has_flag(const Grade& r, const std::string& flag) {
  return std::find(r.flags.begin(), r.flags.end(), flag) != r.flags.end();
}

}  // namespace rft::testing
