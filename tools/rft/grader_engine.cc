#include "tools/rft/grader_engine.h"

#include <CLI/CLI.hpp>

#include "tools/rft/cli_common.h"

namespace rft::cli {

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

std::unique_ptr<GraderEngine> open_grader(const std::string& command, const std::string& spec,
                                          const std::string& reward, const std::string& engine,
                                          bool use_cache, const judge::ServiceOptions* judges) {
  LoadedReward loaded = load_reward(command, spec, reward);
  if (loaded.reward == nullptr) return nullptr;
  std::string error;
  std::unique_ptr<GraderEngine> g =
      GraderEngine::create(std::move(loaded), engine, use_cache, &error, judges);
  if (g == nullptr) user_error(command, error);
  return g;
}

train::GradeFn grade_fn(const GraderEngine& grader, int threads, std::atomic<long>* skipped) {
  return [&grader, threads, skipped](const std::vector<train::Rollout>& rollouts) {
    std::vector<interp::Sample> samples(rollouts.size());
    for (size_t i = 0; i < rollouts.size(); ++i) {
      samples[i] =
          interp::Sample{rollouts[i].prompt, rollouts[i].completion,
                         rollouts[i].example != nullptr ? &rollouts[i].example->row : nullptr};
    }
    std::vector<interp::Result> results = grader.grade(samples, threads);
    std::vector<train::Score> scores(results.size());
    long gated = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      gated += static_cast<long>(interp::skipped_by_gating(results[i]));
      scores[i].total = results[i].total;
      scores[i].components = std::move(results[i].components);
      scores[i].flags = results[i].flags.size();
    }
    if (skipped != nullptr) *skipped += gated;
    return scores;
  };
}

nlohmann::json judge_counters(const GraderEngine& grader, long skipped) {
  const judge::JudgeService* j = grader.judges();
  if (j == nullptr) return nlohmann::json();
  judge::JudgeCounters c = j->counters();
  return {{"calls", c.calls},
          {"cache_hits", c.cache_hits},
          {"misses", c.misses},
          {"skipped", skipped},
          {"errors", c.errors}};
}

std::string judge_summary(const GraderEngine& grader, long skipped) {
  const judge::JudgeService* j = grader.judges();
  if (j == nullptr) return "";
  judge::JudgeCounters c = j->counters();
  std::string out = "judges: " + std::to_string(c.calls) + " calls, " +
                    std::to_string(c.cache_hits) + " cache hits, " + std::to_string(c.misses) +
                    " misses, " + std::to_string(skipped) + " skipped by gating, " +
                    std::to_string(c.errors) + " errors\n";
  for (const std::string& line : j->error_summary()) out += line + "\n";
  return out;
}

}  // namespace rft::cli
