#include "tools/rft/grader_engine.h"

#include <CLI/CLI.hpp>
#include <cstdio>

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

namespace {

// Throws JudgeFailures when, between `before` and now, more than `limit` of some judge's
// requests failed.
void check_judge_failures(const judge::JudgeService& judges,
                          const std::vector<judge::JudgeTally>& before, double limit) {
  std::vector<judge::JudgeTally> now = judges.tallies();
  for (size_t i = 0; i < now.size() && i < before.size(); ++i) {
    const long asked = now[i].asked - before[i].asked;
    const long failed = now[i].failed - before[i].failed;
    if (asked <= 0 || static_cast<double>(failed) <= limit * static_cast<double>(asked)) continue;
    char share[32];
    std::snprintf(share, sizeof share, "%g", limit * 100);
    throw JudgeFailures(
        "judge `" + now[i].judge + "` failed " + std::to_string(failed) + " of " +
        std::to_string(asked) + " requests in one batch, more than the " + share +
        "% that `reward.max_judge_failures` allows (first error: " + now[i].first_error +
        "); the job stops rather than train on its on_error values");
  }
}

}  // namespace

train::GradeFn grade_fn(const GraderEngine& grader, int threads, std::atomic<long>* skipped,
                        double max_judge_failures) {
  return
      [&grader, threads, skipped, max_judge_failures](const std::vector<train::Rollout>& rollouts) {
        const judge::JudgeService* judges = max_judge_failures < 1 ? grader.judges() : nullptr;
        std::vector<judge::JudgeTally> before;
        if (judges != nullptr) before = judges->tallies();
        std::vector<interp::Sample> samples(rollouts.size());
        for (size_t i = 0; i < rollouts.size(); ++i) {
          samples[i] =
              interp::Sample{rollouts[i].prompt, rollouts[i].completion,
                             rollouts[i].example != nullptr ? &rollouts[i].example->row : nullptr,
                             rollouts[i].truncated};
        }
        std::vector<interp::Result> results = grader.grade(samples, threads);
        std::vector<train::Score> scores(results.size());
        long gated = 0;
        for (size_t i = 0; i < results.size(); ++i) {
          gated += static_cast<long>(interp::skipped_by_gating(results[i]));
          scores[i].total = results[i].total;
          scores[i].components = std::move(results[i].components);
          scores[i].flags = interp::problem_flags(results[i]);
        }
        if (skipped != nullptr) *skipped += gated;
        if (judges != nullptr) check_judge_failures(*judges, before, max_judge_failures);
        return scores;
      };
}

nlohmann::json judge_exchanges_json(const std::vector<judge::JudgeExchange>& exchanges) {
  nlohmann::json out = nlohmann::json::array();
  for (const judge::JudgeExchange& e : exchanges) {
    nlohmann::json j = {{"judge", e.judge}, {"prompt", e.prompt}, {"reply", e.reply}};
    if (!e.error.empty()) j["error"] = e.error;
    j["cached"] = e.cached;
    out.push_back(std::move(j));
  }
  return out;
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
