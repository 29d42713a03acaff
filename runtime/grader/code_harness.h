// The harness of std.code's run_python, run_cpp and run_cases: the programs that run in the
// sandbox next to the solution, and decide and report what its tests showed.
//
// The design: the solution never shares a process with what decides a verdict. A judge process
// receives the nonce that marks verdict lines, and the tests, on a standard input that only it
// can read (a socket, read before any code of the solution runs); it makes itself undumpable, so
// that no other process of the sandbox's uid can read its memory, trace it or open its files in
// /proc; and it runs the solution in processes of its own.
//
// - Python: the runner (a second interpreter) loads the solution and answers the judge's
//   requests; assert-style tests and call cases run in the judge, where the solution's names
//   are proxies whose calls go to the runner and whose answers come back as plain data (exact
//   built-in types, read without running any code of the solution's). Input/output cases run
//   the solution as a script, a process per case.
// - C++: the judge is a C program compiled apart from the solution; it runs the solution's
//   program once per test or case. The tests and the calls of call cases are compiled after the
//   solution in its translation unit (they need its declarations), once every macro that the
//   solution defined or changed is undone, with an assert of the harness's own.
//
// The values of call cases and the output of input/output cases go to rft, which compares them
// with the expected ones outside the sandbox: those never enter it. See docs/stdlib.md (std.code)
// for what each kind of test can and cannot guarantee.
#pragma once

#include <string_view>

namespace rft::grader::harness {

std::string_view python_judge();   // /work/.rft_judge.py
std::string_view python_runner();  // /work/.rft_runner.py
std::string_view cpp_judge();      // /work/.rft_judge.c
// lint_code's driver (/work/.rft_lint.py): runs the linters on /work/code.<ext>, never the code.
std::string_view python_linter();
// Appended to the solution's translation unit, before the tests: the macro reset, the harness's
// assert, and rft_detail::emit (a value as JSON) and rft_detail::put (bytes on fd 3).
std::string_view cpp_after_solution();

}  // namespace rft::grader::harness
