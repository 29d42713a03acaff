// Running the `test` blocks of a spec (`rft test`).
#pragma once

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/interp/interpreter.h"
#include "compiler/program/program.h"

namespace rft {

struct TestOutcome {
  const ast::TestDecl* test = nullptr;
  bool passed = false;
  // One line per failed expectation: "path:line:col: ...: expected total >= 1, got 0.2".
  std::vector<std::string> failures;
};

// Runs every test of `module` (which must have checked without errors) with the reference
// interpreter. Tests are deterministic: judges take the values the test gives them.
std::vector<TestOutcome> run_spec_tests(const Program& program, const ast::Module& module,
                                        const interp::Interpreter& interp);

}  // namespace rft
