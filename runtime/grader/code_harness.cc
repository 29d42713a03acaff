#include "runtime/grader/code_harness.h"

#include <string>

namespace rft::grader::harness {
namespace {
#include "runtime/grader/code_harness_cpp.inc"
#include "runtime/grader/code_harness_py.inc"
#include "runtime/grader/code_lint_py.inc"
}  // namespace

std::string_view python_judge() {
  static const std::string s = std::string(kPlainPy) + kJudgePy;
  return s;
}
std::string_view python_runner() {
  static const std::string s = std::string(kPlainPy) + kRunnerPy;
  return s;
}
std::string_view cpp_judge() {
  return kCppJudge;
}
std::string_view python_linter() {
  return kLintPy;
}
std::string_view cpp_after_solution() {
  return kCppAfterSolution;
}

}  // namespace rft::grader::harness
