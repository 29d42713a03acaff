#include "tests/train/report_fixture.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace rft::train::report_fixture {

void make_sample_run(const std::string& dir, int train_steps, SampleRun& run) {
  std::filesystem::create_directories(dir);
  std::string metrics = dir + "/metrics.jsonl";
  std::ofstream out(metrics, std::ios::trunc);
  auto eval_line = [&](int step) {
    double r = 0.3 + 0.02 * step;
    out << nlohmann::json{{"kind", "eval"},
                          {"step", step},
                          {"reward_mean", r},
                          {"components", {{"correct", r}, {"format", 0.9}}},
                          {"pass_rate", r},
                          {"completion_length", 40 - step * 0.5},
                          {"verifier", {{"reward_mean", r - 0.1}, {"gap", 0.1}}},
                          {"monitors", {{"raw_length", 120 - step}}},
                          {"rows", 20}}
               .dump()
        << "\n";
  };
  eval_line(0);
  for (int step = 1; step <= train_steps; ++step) {
    double r = 0.3 + 0.02 * step + 0.05 * std::sin(step);
    nlohmann::json line = {{"kind", "train"},
                           {"step", step},
                           {"epoch", step / 10.0},
                           {"lr", 1e-5},
                           {"reward_mean", r},
                           {"reward_std", 0.3},
                           {"components", {{"correct", r}, {"format", 0.8 + 0.005 * step}}},
                           {"pass_rate", r},
                           {"kl", 0.001 * step},
                           {"completion_length", 42 - step * 0.4},
                           {"loss", -0.01 * std::cos(step)},
                           {"entropy", 2.0 - 0.03 * step},
                           {"monitors", {{"raw_length", 118 - step}}},
                           {"signals",
                            {{"length_correlation", 0.1 * std::sin(step)},
                             {"advantage_share", {{"correct", 0.6}, {"format", 0.2}}}}},
                           {"skipped", false},
                           {"elapsed", 1.5 * step}};
    if (step == kAlarmStep) {
      line["alarms"] = {{{"signal", "component_dominance"},
                         {"message", kAlarmMessage},
                         {"chart", "advantage_share.format"}}};
    }
    out << line.dump() << "\n";
    if (step % 5 == 0) eval_line(step);
  }

  run.job.model = "models/tiny <base>";
  run.job.spec = "gsm8k.reward";
  run.job.reward = "gsm8k";
  run.job.output_dir = dir;
  run.input.job = &run.job;
  run.input.metrics_path = metrics;
  run.input.component_names = {"correct", "format"};
  ModelEval base, tuned;
  base.model = "models/tiny";
  base.label = "base";
  base.rows = 20;
  base.reward_mean = 0.3;
  base.component_means = {0.3, 0.9};
  base.monitor_means = {{"raw_length", 120}};
  base.pass_rate = 0.3;
  base.mean_length = 40;
  base.samples = {{0, "What is 2+3?", kTrickyCompletion, 0}, {1, "What is 4*4?", "16", 1}};
  tuned = base;
  tuned.model = dir + "/final";
  tuned.label = "tuned";
  tuned.reward_mean = 0.7;
  tuned.component_means = {0.7, 0.95};
  tuned.monitor_means = {{"raw_length", 100}};
  tuned.pass_rate = 0.7;
  tuned.mean_length = 30;
  tuned.samples = {{0, "What is 2+3?", "\\boxed{5}", 1}, {1, "What is 4*4?", "16", 1}};
  run.input.evals = {base, tuned};
}

}  // namespace rft::train::report_fixture
