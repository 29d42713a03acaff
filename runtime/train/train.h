// The trainers as the `rft` command sees them, free of torch: a request (the job, its data, and
// how to grade) goes to the model runtime plugin, which runs GRPO or SFT with libtorch and writes
// checkpoints and metrics.jsonl into the job's output directory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/train/dataset.h"
#include "runtime/train/job.h"

namespace rft::train {

// One completion to grade: the example it answers and the text the model wrote.
struct Rollout {
  const Example* example = nullptr;
  std::string prompt;      // the prompt text as given to the model (chat-formatted if a chat)
  std::string completion;  // decoded, special tokens removed
  bool truncated = false;  // cut off at max_new_tokens (finish "length"): the spec's `truncated`
};

// What the reward says about one rollout.
struct Score {
  double total = 0;
  std::vector<double> components;  // in the reward's declaration order
  size_t flags = 0;                // how many flags grading raised
  std::vector<double> monitors;    // in declaration order: logged, never trained on
};

// Grades a whole batch in one call (the compiled grader on a thread pool). Results are in the
// order of the rollouts.
using GradeFn = std::function<std::vector<Score>(const std::vector<Rollout>&)>;

// One line of progress from the trainer (after every optimizer step).
struct StepReport {
  int64_t step = 0, total_steps = 0;
  double reward_mean = 0;   // GRPO: mean total reward of the step's rollouts; SFT: 0
  double loss = 0;
  double seconds = 0;       // since the start of this run
  bool skipped = false;     // the loss was NaN or infinite and the step was not applied
  std::string event;        // "", or a line to show ("eval: pass rate 0.41", "saved step-100")
};

// Where this process stands in a data-parallel job (docs/distributed.md), as torchrun describes
// it in the environment: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT. A world of one is a plain run.
struct DistributedConfig {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;        // which of this machine's ranks (the CUDA device with NCCL)
  int local_world_size = 1;  // ranks on this machine: they share its cores
  std::string master_addr;   // where rank 0 hosts the rendezvous store
  int master_port = 0;

  bool enabled() const { return world_size > 1; }
  bool is_root() const { return rank == 0; }
};

// Reads the torchrun variables; with no WORLD_SIZE set, a world of one. An error names the
// variable and its value.
Expected<DistributedConfig> distributed_from_env();

struct TrainRequest {
  const JobConfig* job = nullptr;
  DistributedConfig distributed;  // this process's rank; only rank 0 writes into output_dir
  const Dataset* train = nullptr;
  const Dataset* eval = nullptr;  // may be null
  GradeFn grade;                  // GRPO: required; SFT: for evaluation (may be null)
  std::vector<std::string> component_names;
  std::vector<std::string> monitor_names;  // the reward's `monitor` values, logged per step
  int pass_component = -1;        // index into component_names, or -1: no pass rate
  // The held-out verifier (`reward.verifier`): grades the evaluations only; may be null.
  GradeFn verify;
  int verifier_pass_component = -1;
  bool resume = false;            // continue from the newest complete checkpoint
  std::function<void(const StepReport&)> on_step;  // may be null
  // Adds fields to each metrics.jsonl line (train and eval) just before it is written, such as
  // the judge counters; may be null.
  std::function<void(nlohmann::json& line)> annotate_metrics;
};

struct TrainResult {
  std::string final_checkpoint;  // directory of the last checkpoint (a loadable model)
  int64_t steps = 0;             // steps done in total (including those before a resume)
  int64_t skipped_steps = 0;     // NaN or infinite losses
  int64_t resumed_from = 0;      // step resumed from; 0: started fresh
  double seconds = 0;
  // The alarm that stopped the run early (monitor.stop_on_alarm), as its warning; empty when the
  // run went to its end.
  std::string stopped_by;
};

// GRPO (`rft train`) and supervised fine-tuning (`rft sft`), run by the model runtime plugin.
Expected<TrainResult> run_grpo(const TrainRequest& request);
Expected<TrainResult> run_sft(const TrainRequest& request);

// The plugin's table (grpo.cc), looked up by train.cc.
struct TrainPlugin {
  Expected<TrainResult> (*grpo)(const TrainRequest& request);
  Expected<TrainResult> (*sft)(const TrainRequest& request);
};
inline constexpr const char* kTrainPluginSymbol = "rft_train_plugin";

}  // namespace rft::train
