// rft check FILE...: parse and check specs, print every diagnostic.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  bool werror = false;
  bool json = false;
};

nlohmann::json diagnostic_json(const Diagnostic& d, const SourceManager& sources) {
  const SourceFile& f = sources.file(d.range.file);
  LineCol lc = f.line_col(d.range.begin);
  LineCol end = f.line_col(d.range.end);
  const char* severity = d.severity == Severity::kError     ? "error"
                         : d.severity == Severity::kWarning ? "warning"
                                                            : "note";
  return {{"severity", severity}, {"code", d.code},      {"file", f.path()},
          {"line", lc.line},      {"column", lc.column}, {"end_line", end.line},
          {"end_column", end.column}, {"message", d.message}, {"hint", d.hint}};
}

int run_check(const CheckOptions& o) {
  std::vector<std::string> files = expand_spec_paths(o.paths);
  if (files.empty()) {
    std::cerr << "rft check: no .reward files found in the given paths\n";
    return kUserError;
  }
  std::unique_ptr<Program> p = load_program(files);
  size_t errors = p->diags.error_count();
  size_t warnings = p->diags.warning_count();
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : p->diags.all()) out.push_back(diagnostic_json(d, p->sources));
    std::cout << out.dump(2) << "\n";
  } else {
    print_diagnostics(*p);
    std::cerr << "checked " << files.size() << (files.size() == 1 ? " file: " : " files: ")
              << errors << (errors == 1 ? " error, " : " errors, ") << warnings
              << (warnings == 1 ? " warning\n" : " warnings\n");
  }
  return errors > 0 || (o.werror && warnings > 0) ? kUserError : kOk;
}

}  // namespace

void add_check(CLI::App& app, Command& run) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("check", "Parse and check reward specs; print every problem");
  cmd->add_option("paths", o->paths, ".reward files or directories")->required();
  cmd->add_flag("--werror", o->werror, "Fail (exit 1) on warnings too");
  cmd->add_flag("--json", o->json, "Print diagnostics as a JSON array on stdout");
  cmd->callback([o, &run] { run = [o] { return run_check(*o); }; });
}

}  // namespace rft::cli
