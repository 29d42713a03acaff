// rft test PATH...: run the `test` blocks in specs.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "compiler/driver/spec_tests.h"
#include "compiler/interp/interpreter.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct TestOptions {
  std::vector<std::string> paths;
  bool verbose = false;
};

int run_test(const TestOptions& o) {
  std::vector<std::string> files = expand_spec_paths(o.paths);
  if (files.empty()) {
    std::cerr << "rft test: no .reward files found in the given paths\n";
    return kUserError;
  }
  size_t passed = 0, failed = 0;
  for (const auto& file : files) {
    // Each file on its own, so that one broken file does not hide the results of the others.
    std::unique_ptr<Program> p = load_program({file});
    if (!p->ok() || p->roots.empty()) {
      print_diagnostics(*p);
      size_t n = std::max<size_t>(p->roots.empty() ? 0 : p->roots.front()->tests.size(), 1);
      std::cout << file << ": does not check; counted as " << n
                << (n == 1 ? " failed test\n" : " failed tests\n");
      failed += n;
      continue;
    }
    interp::Interpreter interp(*p);
    for (const TestOutcome& t : run_spec_tests(*p, *p->roots.front(), interp)) {
      if (t.passed) {
        ++passed;
        if (o.verbose) {
          std::cout << "ok   " << file << ": " << t.test->reward << " \"" << t.test->description
                    << "\"\n";
        }
        continue;
      }
      ++failed;
      for (const auto& f : t.failures) std::cout << f << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? kUserError : kOk;
}

}  // namespace

void add_test(CLI::App& app, Command& run) {
  auto o = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand("test", "Run the `test` blocks of reward specs");
  cmd->add_option("paths", o->paths, ".reward files or directories")->required();
  cmd->add_flag("-v,--verbose", o->verbose, "Also list the tests that pass");
  cmd->callback([o, &run] { run = [o] { return run_test(*o); }; });
}

}  // namespace rft::cli
