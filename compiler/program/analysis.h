// What a checked program does, read from its AST: the bindings and judges an expression uses,
// whether a component calls a judge, whether a reward runs code. The checker's warnings, the
// interpreter's and the compiled graders' gating, and the engine's sandbox check all ask here,
// so that they agree.
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"

namespace rft::program {

// What an expression refers to directly (not through the lets and components it names): the
// reward bindings it reads, the judges it calls, and whether it reads the sample.
struct Uses {
  std::vector<const ast::LetDecl*> lets;
  std::vector<const ast::ComponentDecl*> components;
  std::vector<const ast::JudgeDecl*> judges;
  bool sample = false;  // prompt, completion or item
};
void collect_uses(const ast::Expr& e, Uses& out);

// Whether a component's value (through the lets and components it uses) calls a judge. Such a
// component is skipped when the total does not need it, so that gating saves the call.
bool calls_judge(const ast::ComponentDecl& c);

// Whether grading `reward` calls one of the builtins named by their C symbols
// ("rft_b_lint_code"), directly or through functions and constants.
bool calls_builtin(const ast::RewardDecl& reward, std::initializer_list<std::string_view> symbols);

// Whether grading `reward` can run code in the sandbox (run_python, run_cpp, run_cases,
// lint_code), directly or through functions and constants: a grader engine then checks first
// that a sandbox can be made (grader::sandbox_problem), instead of every sample failing.
bool runs_code(const ast::RewardDecl& reward);

}  // namespace rft::program
