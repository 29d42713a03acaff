#include "tools/rft/grader_engine.h"

#include "tools/rft/cli_common.h"

namespace rft::cli {

std::unique_ptr<GraderEngine> open_grader(const std::string& command, const std::string& spec,
                                          const std::string& reward, const std::string& engine,
                                          bool use_cache) {
  LoadedReward loaded = load_reward(command, spec, reward);
  if (loaded.reward == nullptr) return nullptr;
  std::string error;
  std::unique_ptr<GraderEngine> g = GraderEngine::create(std::move(loaded), engine, use_cache, &error);
  if (g == nullptr) user_error(command, error);
  return g;
}

train::GradeFn grade_fn(const GraderEngine& grader, int threads) {
  return [&grader, threads](const std::vector<train::Rollout>& rollouts) {
    std::vector<interp::Sample> samples(rollouts.size());
    for (size_t i = 0; i < rollouts.size(); ++i) {
      samples[i] = interp::Sample{rollouts[i].prompt, rollouts[i].completion,
                                  rollouts[i].example != nullptr ? &rollouts[i].example->row : nullptr};
    }
    std::vector<interp::Result> results = grader.grade(samples, threads);
    std::vector<train::Score> scores(results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      scores[i].total = results[i].total;
      scores[i].components = std::move(results[i].components);
      scores[i].flags = results[i].flags.size();
    }
    return scores;
  };
}

}  // namespace rft::cli
