// rft: reinforcement fine-tuning with reward specs compiled to native graders.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "runtime/common/suggest.h"

#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"rft — reward specs for reinforcement fine-tuning of language models", "rft"};
  app.set_version_flag("--version", "rft " RFT_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  rft::cli::Command command;
  rft::cli::add_check(app, command);
  rft::cli::add_test(app, command);
  rft::cli::add_explain(app, command);
  rft::cli::add_grade(app, command);
  rft::cli::add_compile(app, command);
  rft::cli::add_generate(app, command);
  rft::cli::add_eval(app, command);
  rft::cli::add_train(app, command);
  rft::cli::add_serve(app, command);
  rft::cli::add_tokenize(app, command);

  // CLI11 would say "a subcommand is required" for a misspelled one; say what is wrong.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::string hint = rft::did_you_mean(argv[1], names);
      std::fprintf(stderr, "rft: unknown command `%s`%s%s\nRun `rft --help` for the commands.\n",
                   argv[1], hint.empty() ? "" : "; ", hint.c_str());
      return rft::cli::kUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return rft::cli::kUsage;
  }
  return command ? command() : rft::cli::kUsage;
}
