// Loading specs: reads the given files and everything they import (std modules from stdlib/,
// others from RFT_PATH or relative to the importing file), parses and checks them all, and keeps
// the result together as one Program.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace rft {

struct LoadOptions {
  // Where `import std.x` looks first; defaults to the stdlib/ that rft was built with, or
  // $RFT_STDLIB when set.
  std::string stdlib_dir;
  // Further directories for dotted imports; defaults to $RFT_PATH (colon-separated).
  std::vector<std::string> search_path;
};

// Everything one compilation read and produced. Modules are stored imports-first; `roots` are
// the files that were asked for, in order. Not copyable; addresses inside are stable.
struct Program {
  SourceManager sources;
  Diagnostics diags;
  std::vector<std::unique_ptr<ast::Module>> modules;
  std::vector<ast::Module*> roots;

  bool ok() const { return !diags.has_errors(); }
  // The reward `name` in the first root that declares it, or null.
  const ast::RewardDecl* find_reward(std::string_view name, const ast::Module** owner = nullptr) const;
};

LoadOptions default_load_options();

// Loads, parses and checks `paths`. Problems are in program->diags; a file that cannot be read is
// an error there too. Never throws on user input.
std::unique_ptr<Program> load_program(const std::vector<std::string>& paths,
                                      const LoadOptions& options = default_load_options());

// The same for a spec held in memory (tests, tools); `name` is used in diagnostics.
std::unique_ptr<Program> load_program_from_string(std::string name, std::string text,
                                                  const LoadOptions& options = default_load_options());

// Whether grading `reward` calls one of the builtins named by their C symbols ("rft_b_lint_code"),
// directly or through functions and constants.
bool reward_calls_builtin(const ast::RewardDecl& reward,
                          std::initializer_list<std::string_view> symbols);

// Whether grading `reward` can run code in the sandbox (run_python, run_cpp, run_cases, lint_code),
// directly or through functions and constants: GraderEngine then checks first that a sandbox
// can be made (grader::sandbox_problem), instead of every sample failing.
bool reward_runs_code(const ast::RewardDecl& reward);

}  // namespace rft
