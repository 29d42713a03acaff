// What GRPO and SFT share: the policy on its device with its tokenizer, the optimizer, the
// encoded prompts, the step -> examples schedule, evaluation with the policy, checkpoints,
// metrics.jsonl and progress, and resuming all of it from the newest checkpoint. With several ranks
// (docs/distributed.md) each process has its own Session: the weights start as rank 0's, the
// gradients are summed over the ranks before every optimizer step, evaluation is split over them,
// and only rank 0 writes checkpoints and metrics.jsonl.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model/tokenizer.h"
#include "runtime/model/torch/generate.h"
#include "runtime/train/metrics.h"
#include "runtime/train/monitor.h"
#include "runtime/train/torch/distributed.h"
#include "runtime/train/train.h"

namespace rft::train {

struct EncodedExample {
  std::string text;             // the prompt as the model sees it
  std::vector<int64_t> prompt;  // its tokens (the end kept when longer than max_prompt_length)
  std::vector<int64_t> target;  // SFT: the completion's tokens and an EOS
};

class Session {
 public:
  // Loads the tokenizer and the model (the base, or the newest checkpoint when resuming), sets
  // the thread count, encodes the datasets, creates the optimizer, opens metrics.jsonl (rank 0),
  // and with several ranks joins them and takes rank 0's weights.
  static Expected<std::unique_ptr<Session>> open(const TrainRequest& request, bool sft);

  const JobConfig& job() const { return *request_.job; }
  const TrainRequest& request() const { return request_; }
  model::Transformer& policy() { return policy_; }
  const model::Tokenizer& tokenizer() const { return *tokenizer_; }
  torch::optim::Optimizer& optimizer() { return *optimizer_; }
  std::vector<torch::Tensor> parameters() { return policy_->parameters(); }
  const std::vector<int64_t>& eos_ids() const { return eos_ids_; }
  const std::vector<EncodedExample>& train_examples() const { return train_; }
  ProcessGroup& group() { return *group_; }
  bool is_root() const { return group_->is_root(); }

  int64_t start_step() const { return start_step_; }   // the first step this run does
  int64_t total_steps() const { return total_steps_; }
  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  int64_t skipped_steps() const { return skipped_; }

  // Ends an optimizer step whose gradients have been accumulated: sums them over the ranks,
  // clips their norm at job.max_grad_norm and steps AdamW. When `loss_finite` is false on any
  // rank or the norm is not finite, drops the gradients instead, leaving the weights as they
  // were, counts a skipped step and returns false (on every rank alike). *grad_norm gets the
  // norm before clipping (0 when skipped early). Every rank must call it.
  bool apply_gradients(bool loss_finite, double* grad_norm);

  // The train examples of `step` (0-based): a seeded permutation per epoch, read in order.
  std::vector<size_t> batch(int64_t step) const;
  // A seed for `step`'s sampling, so that a resumed run samples what an uninterrupted one would.
  uint64_t step_seed(int64_t step) const;
  // The seed of the group of the prompt at `position` in `step`'s batch: it does not depend on
  // which rank samples the group, so any number of ranks samples the same rollouts.
  uint64_t group_seed(int64_t step, size_t position) const;
  // Sets the optimizer's learning rate for `step`; returns it.
  double set_learning_rate(int64_t step);

  std::string decode(const std::vector<int64_t>& tokens) const;

  // Generates for the eval set (job.eval_samples rows) with the policy, grades, and writes a
  // "kind":"eval" line for `step`. Returns the score stop_at_eval_score compares against (the
  // pass rate when there is one, else the mean reward), or -1 when there is nothing to evaluate.
  // The rows are split over the ranks; every rank must call it and gets the same score.
  double evaluate(int64_t step);
  // "eval at step 40: pass rate 0.325" (or "mean reward ..."), for progress notes.
  std::string eval_note(int64_t step, double score) const;

  // Rank 0 writes `step`'s checkpoint and prunes old ones; every rank must call it and learns
  // whether that worked. Returns the checkpoint's folder.
  Expected<std::string> save(int64_t step);

  // Rank 0 only; other ranks' lines are dropped. GRPO's lines pass through the monitors first
  // (runtime/train/monitor.h): an alarm is added to the line and shown as a progress note.
  void write_metrics(nlohmann::json line);
  // With monitor.stop_on_alarm, the first alarm this run raised (rank 0's, for every rank); none
  // otherwise. Every rank must call it at the same point.
  std::optional<Alarm> stopping_alarm();
  void report(const StepReport& r) const {
    if (request_.on_step && is_root()) request_.on_step(r);
  }
  double elapsed() const;
  // Builds the result of the run after the final checkpoint.
  TrainResult result(const std::string& final_checkpoint, int64_t steps) const;

 private:
  explicit Session(const TrainRequest& r) : request_(r), device_(torch::kCPU) {}

  TrainRequest request_;
  torch::Device device_;
  std::optional<model::Tokenizer> tokenizer_;
  model::Transformer policy_{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::vector<int64_t> eos_ids_;
  std::vector<EncodedExample> train_, eval_;
  int64_t start_step_ = 0, total_steps_ = 0, steps_per_epoch_ = 1, skipped_ = 0;
  double elapsed_before_ = 0;  // seconds spent before a resume
  MetricsWriter metrics_;
  std::optional<RewardMonitor> monitor_;  // GRPO on rank 0, unless monitor.enabled is false
  size_t alarms_before_ = 0;              // raised before a resume
  std::unique_ptr<ProcessGroup> group_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rft::train
