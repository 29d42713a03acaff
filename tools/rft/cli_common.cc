#include "tools/rft/cli_common.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>


namespace rft::cli {

std::vector<std::string> expand_spec_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".reward") {
        found.push_back(it->path().string());
      }
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

bool use_color() {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDERR_FILENO) != 0 && (no_color == nullptr || *no_color == '\0');
}

void print_diagnostics(const Program& p) {
  std::string text = render_all(p.diags, p.sources, use_color());
  std::fwrite(text.data(), 1, text.size(), stderr);
}

int user_error(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "rft %s: %s\n", command.c_str(), message.c_str());
  return kUserError;
}

LoadedReward load_reward(const std::string& command, const std::string& spec,
                         const std::string& name) {
  LoadedReward out = rft::load_reward(spec, name);
  print_diagnostics(*out.program);
  if (!out.missing.empty()) user_error(command, out.missing);
  return out;
}

void add_judge_flags(CLI::App* cmd, judge::ServiceOptions* judges, bool cache_flag) {
  if (cache_flag) {
    cmd->add_flag_callback(
        "--no-judge-cache", [judges] { judges->use_cache = false; },
        "Ask the judges anew instead of reusing their cached replies");
  }
  cmd->add_option("--allow-endpoint", judges->allowed_endpoints,
                  "A judge endpoint off this machine that may receive prompts and completions "
                  "(repeatable; loopback endpoints are always allowed)");
}

void add_engine_option(CLI::App* cmd, EngineKind* engine, const std::string& help) {
  std::vector<std::string> names;
  for (const auto& [name, kind] : kEngineKinds) names.emplace_back(name);
  cmd->add_option_function<std::string>(
         "--engine", [engine](const std::string& name) { *engine = *parse_engine_kind(name); }, help)
      ->check(CLI::IsMember(names))
      ->default_str(std::string(engine_name(*engine)));
}

std::unique_ptr<GraderEngine> open_grader(const std::string& command, const std::string& spec,
                                          const std::string& reward, EngineKind engine,
                                          bool use_cache, const judge::ServiceOptions* judges) {
  LoadedReward loaded = load_reward(command, spec, reward);
  if (loaded.reward == nullptr) return nullptr;
  Expected<std::unique_ptr<GraderEngine>> g =
      GraderEngine::create(std::move(loaded), engine, use_cache, judges);
  if (!g) {
    user_error(command, g.error());
    return nullptr;
  }
  return std::move(g).value();
}

}  // namespace rft::cli
