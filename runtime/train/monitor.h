// Reward-hacking monitors (docs/training.md#monitors): signals computed from each GRPO step's
// rollouts and the metrics' history, and alarms with stated rules that say, while the run is
// still cheap, that the reward and the task may have come apart. Torch-free: the trainer hands in
// plain numbers, and the rules read the lines of metrics.jsonl.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rft::train {

// The job's `monitor:` section. The defaults are the thresholds docs/training.md gives.
struct MonitorOptions {
  bool enabled = true;         // `enabled`: compute the signals and check the rules
  bool stop_on_alarm = false;  // `stop_on_alarm`: save a checkpoint and stop at the first alarm
  int64_t window = 10;         // `window`: steps each rule averages over
  // `length_correlation`: within-group correlation of reward with completion length (the mean
  // over the last `window` steps) at or above which, with the length grown by `length_growth`
  // (a fraction of the first window's mean length), the reward pays for length.
  double length_correlation = 0.5;
  double length_growth = 0.25;
  // `component_share`: a component other than the pass component carrying at least this share of
  // the advantage (mean over `window` steps) while the pass component carries under a quarter of
  // it: the policy learns from the bonus, not from the task.
  double component_share = 0.8;
  // `entropy_floor`: the mean entropy of the last `window` steps below this fraction of the first
  // window's: the policy has collapsed onto few answers.
  double entropy_floor = 0.1;
  // `eval_window`: evaluations over which the mean reward rose (by at least `min_reward_rise`)
  // while the pass rate did not: the reward improves and the task does not.
  int64_t eval_window = 3;
  double min_reward_rise = 0.02;

  bool operator==(const MonitorOptions&) const = default;
};

// What one batch's rollouts say, groups of `group_size` consecutive rollouts sharing a prompt.
struct BatchSignals {
  // The mean over groups of the Pearson correlation between total and completion length within
  // the group; none when no group varies in both.
  std::optional<double> length_correlation;
  // Per component: the share of the advantage its within-group variation explains, the squared
  // correlation between the advantages and the component's deviations from its group mean over
  // the batch (0 when the component does not vary within groups). In [0, 1].
  std::vector<double> advantage_share;
};

// `components[k]` holds component k's value for each rollout, in the order of `totals`.
BatchSignals batch_signals(std::span<const double> totals, std::span<const double> lengths,
                           const std::vector<std::vector<double>>& components,
                           std::span<const double> advantages, size_t group_size);

// The least-squares slope of `values` per position (0 when fewer than two).
double slope(std::span<const double> values);

struct Alarm {
  // length_hacking | component_dominance | entropy_collapse | reward_without_pass |
  // reward_without_verifier
  std::string signal;
  int64_t step = 0;
  std::string message;  // one line: the values that tripped the rule
  std::string chart;    // the report's chart of the signal ("entropy", "advantage_share.bonus")
};

// Reads the metrics lines of one run in order and checks the rules. Each rule raises its alarm
// once per run, at the first step it holds.
class RewardMonitor {
 public:
  // `pass_component`: the index of the pass component in `components`, or -1.
  RewardMonitor(MonitorOptions options, std::vector<std::string> components, int pass_component);

  // A "train" or "eval" line as it is about to be written: a train line's "signals" object (from
  // batch_signals) gets the trends (length_trend, entropy_trend, entropy_acceleration, kl_trend,
  // kl_acceleration), and the alarms raised at this line are added to it as "alarms" and
  // returned.
  std::vector<Alarm> observe(nlohmann::json& line);
  // The alarms raised so far (those of a resumed run's earlier lines too).
  const std::vector<Alarm>& raised() const { return raised_; }
  const MonitorOptions& options() const { return options_; }

 private:
  bool raise(const std::string& signal, int64_t step, const std::string& message,
             const std::string& chart, std::vector<Alarm>& out);
  std::vector<Alarm> observe_train(nlohmann::json& line, int64_t step);
  std::vector<Alarm> observe_eval(const nlohmann::json& line, int64_t step);

  MonitorOptions options_;
  std::vector<std::string> components_;
  int pass_ = -1;
  std::vector<double> length_, entropy_, kl_;
  std::vector<std::optional<double>> length_corr_;
  std::vector<std::vector<double>> share_;  // per step, per component
  std::vector<double> eval_reward_, eval_pass_;
  std::vector<Alarm> raised_;
};

// The alarm as a terminal warning: "alarm at step 24: length_hacking: ...
// (docs/training.md#monitors)".
std::string alarm_warning(const Alarm& a);

}  // namespace rft::train
