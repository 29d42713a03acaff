// The reference interpreter: evaluates a checked reward on one sample. It defines the language's
// semantics (docs/language.md) and is the oracle the compiled back ends are tested against.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "compiler/ast/ast.h"
#include "compiler/program/sample.h"
#include "runtime/grader/context.h"

namespace re2 {
class RE2;
}

namespace rft {
struct Program;
}

namespace rft::interp {

// Supplies judge scores, normalized to [0, 1]. nullopt means the judge failed: the judge's
// `on_error` value is used and the sample is flagged `judge_error:<name>`.
class JudgeProvider {
 public:
  virtual ~JudgeProvider() = default;
  virtual std::optional<double> score(const ast::JudgeDecl& judge,
                                      const std::string& rendered_prompt) = 0;
};

// How many of a result's components gating skipped (flags `skipped:<component>`): the judge
// calls it saved.
size_t skipped_by_gating(const Grade& r);
// How many of its flags tell of a problem: every flag but the `skipped:` of gating, which is a
// component the total did not need. The `flagged` metrics count rows where this is not 0.
size_t problem_flags(const Grade& r);

// Holds what a loaded program needs at run time: compiled regex literals and which components
// depend on judges. Immutable after construction; grading is safe from many threads as long as
// each thread uses its own grader::Context and JudgeProvider.
class Interpreter {
 public:
  explicit Interpreter(const Program& program);
  ~Interpreter();

  Grade grade(const ast::RewardDecl& reward, const Sample& sample, grader::Context& ctx,
               JudgeProvider* judges = nullptr, bool record_bindings = false) const;

  const re2::RE2* regex(const ast::StringExpr* literal) const;
  bool needs_judge(const ast::ComponentDecl* c) const { return needs_judge_.count(c) != 0; }
  // Empty for a field without a checked type (which no checked program reads).
  std::string_view item_type(const ast::ItemField* f) const {
    auto it = item_types_.find(f);
    return it == item_types_.end() ? std::string_view() : it->second;
  }
  // The `item` declaration of the file that declares `reward`, or null.
  const ast::ItemDecl* item_of(const ast::RewardDecl* reward) const {
    auto it = item_decls_.find(reward);
    return it == item_decls_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<const ast::RewardDecl*, const ast::ItemDecl*> item_decls_;
  // Each item field's type as the runtime reads it ("list<num>?"), spelled once at load.
  std::unordered_map<const ast::ItemField*, std::string> item_types_;
  std::unordered_map<const ast::StringExpr*, std::unique_ptr<re2::RE2>> regexes_;
  std::unordered_map<const ast::ComponentDecl*, bool> needs_judge_;
};

// One sample's evaluation state. Bindings are evaluated on demand and at most once.
class Evaluation {
 public:
  Evaluation(const Interpreter& interp, const ast::RewardDecl& reward, const Sample& sample,
             grader::Context& ctx, JudgeProvider* judges);
  ~Evaluation();

  Grade run(bool record_bindings);
  // Evaluates an expression in the reward's scope (a test's `expect`); `total` is the total
  // computed by run().
  rft_value eval(const ast::Expr& e);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rft::interp
