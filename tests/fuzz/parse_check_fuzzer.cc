// libFuzzer target: one `.reward` file, in memory, through the whole front end.
//
//   load_program_from_string  parse (ANTLR + AST builder), resolve imports, check
//   render_all                every diagnostic with its source line and caret, and as JSON
//                             the way `rft check --json` writes it
//   run_spec_tests            when it checks cleanly: every `test` block, on the interpreter
//
// Nothing is caught on purpose: none of these may throw or crash on any input, so an exception
// that escapes is a finding (libFuzzer reports it as a crash via std::terminate).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/loader.h"
#include "compiler/driver/spec_tests.h"
#include "compiler/interp/interpreter.h"

namespace {

// The stdlib of this checkout (std imports resolve there), without RFT_PATH: a fuzz input must
// not pick up whatever .reward files happen to lie around.
rft::LoadOptions fuzz_options() {
  rft::LoadOptions o;
  o.stdlib_dir = RFT_FUZZ_STDLIB_DIR;
  return o;
}

// The input's name, in a folder that does not exist: relative imports then find nothing, so a
// run does not depend on the files in the working directory.
constexpr const char* kName = "<fuzz>/input.reward";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const rft::LoadOptions options = fuzz_options();
  std::string text(reinterpret_cast<const char*>(data), size);

  std::unique_ptr<rft::Program> program =
      rft::load_program_from_string(kName, std::move(text), options);

  std::string rendered = rft::render_all(program->diags, program->sources);
  // Colored output takes other branches of the renderer.
  rendered += rft::render_all(program->diags, program->sources, /*color=*/true);
  if (!program->diags.all().empty() && rendered.empty()) __builtin_trap();
  // JSON output throws on text that is not UTF-8: messages must never cut a character in two.
  nlohmann::json json = nlohmann::json::array();
  for (const rft::Diagnostic& d : program->diags.all()) {
    json.push_back({{"file", program->sources.file(d.range.file).path()},
                    {"code", d.code},
                    {"message", d.message},
                    {"hint", d.hint}});
  }
  rendered += json.dump();

  if (program->ok()) {
    rft::interp::Interpreter interp(*program);
    for (const rft::ast::Module* root : program->roots) {
      if (root == nullptr) continue;
      for (const rft::TestOutcome& outcome : rft::run_spec_tests(*program, *root, interp)) {
        if (outcome.test == nullptr) __builtin_trap();
      }
    }
  }
  return 0;
}
