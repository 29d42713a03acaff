// rft: reinforcement fine-tuning with reward specs compiled to native graders.
#include <CLI/CLI.hpp>

#include <cstdio>

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
