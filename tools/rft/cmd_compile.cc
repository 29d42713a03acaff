// rft compile SPEC -o OUT.so: compile a spec's rewards ahead of time into a shared object (or a
// relocatable object, for OUT.o) that needs only librft_grader to load and run.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "compiler/codegen/codegen.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct CompileCliOptions {
  std::string spec;
  std::string out;
  int opt_level = 2;
  std::string cpu = "generic";
};

int run_compile(const CompileCliOptions& o) {
  std::unique_ptr<Program> program = load_program({o.spec});
  print_diagnostics(*program);
  if (!program->ok()) return kUserError;
  size_t rewards = 0;
  for (const auto* m : program->roots) rewards += m->rewards.size();
  if (rewards == 0) return user_error("compile", "`" + o.spec + "` declares no reward");
  codegen::CompileOptions options;
  options.opt_level = o.opt_level;
  options.cpu = o.cpu;
  if (Expected<void> written = codegen::compile_to_file(*program, options, o.out); !written) {
    return user_error("compile", written.error());
  }
  std::cerr << "wrote " << o.out << ":";
  const char* sep = " ";
  for (const auto* m : program->roots) {
    for (const auto& r : m->rewards) {
      std::cerr << sep << r->name << " (" << r->components.size() << " components";
      if (!r->monitors.empty()) std::cerr << ", " << r->monitors.size() << " monitors";
      std::cerr << ")";
      sep = ", ";
    }
  }
  std::cerr << "\n";
  return kOk;
}

}  // namespace

void add_compile(CLI::App& app, Command& run) {
  auto o = std::make_shared<CompileCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compile", "Compile a spec's rewards to a shared object (or .o) for the grader ABI");
  cmd->add_option("spec", o->spec, "The .reward file")->required();
  cmd->add_option("-o,--out", o->out,
                  "The output: NAME.so (shared object), NAME.o (object) or NAME.ll (LLVM IR)")
      ->required();
  cmd->add_option("-O,--opt", o->opt_level, "Optimization level")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  cmd->add_option("--cpu", o->cpu,
                  "generic (runs on any x86-64) or host (tuned for this machine's CPU)")
      ->check(CLI::IsMember({"generic", "host"}))
      ->capture_default_str();
  cmd->callback([o, &run] { run = [o] { return run_compile(*o); }; });
}

}  // namespace rft::cli
