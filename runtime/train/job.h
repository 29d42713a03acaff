// Training jobs: one YAML file that says which base model, which data, which reward, which
// hyperparameters and where the results go. `rft train` (GRPO) and `rft sft` read the same format.
// Hyperparameter names follow the managed fine-tuning services where they have one (epochs,
// batch_size, learning_rate, samples_per_prompt, eval_interval, max_prompt_length,
// max_new_tokens). Relative paths are relative to the YAML file's folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/common/engine_kind.h"
#include "runtime/common/expected.h"
#include "runtime/train/monitor.h"

namespace rft::train {

enum class LossAggregation {
  kGrpo,    // "grpo": each sequence's token mean, then the mean over sequences
  kDapo,    // "dapo": the mean over every token of the batch
  kDrGrpo,  // "dr_grpo": the sum over tokens divided by (sequences x max_new_tokens)
};

enum class RewardScaling {
  kGroup,  // "group": (r - group mean) / group std
  kBatch,  // "batch": (r - group mean) / batch std
  kNone,   // "none":  r - group mean (Dr. GRPO)
};

enum class LrSchedule { kCosine, kLinear, kConstant };

struct JobConfig {
  std::string path;  // the YAML file (for messages); empty for jobs built in code

  // What to train.
  std::string model;       // `model`: base model directory (Hugging Face layout)
  std::string train_data;  // `data.train`: JSONL
  std::string eval_data;   // `data.eval`: JSONL; empty: no evaluation
  std::string spec;        // `reward.spec`: the .reward file (required by `rft train`)
  std::string reward;      // `reward.name`: which reward in it
  EngineKind engine = EngineKind::kJit;  // `reward.engine`: jit | aot | interp
  // `reward.pass_component`: the component whose mean is the pass rate; empty: the reward's
  // first boolean component, if it has one.
  std::string pass_component;
  // `reward.allow_endpoints`: judge endpoints off this machine that may receive prompts and
  // completions (loopback endpoints always may); any other stops the job before it starts.
  std::vector<std::string> allow_endpoints;
  bool judge_cache = true;  // `reward.judge_cache`: reuse judges' cached replies
  // `reward.max_judge_failures`: the job stops when more than this fraction of one judge's
  // requests in a step's grading fail (1: never).
  double max_judge_failures = 0.5;
  // `reward.verifier`: a held-out reward, graded on the eval set at every evaluation beside the
  // trained one and never trained on (docs/training.md#monitors); in `verifier_spec`
  // (`reward.verifier_spec`) when set, else in `spec`.
  std::string verifier;
  std::string verifier_spec;
  std::string output_dir;  // `output_dir` (required)

  // `hyperparameters:` (GRPO and SFT share what applies to both).
  int epochs = 1;
  int64_t max_steps = 0;          // 0: as many as `epochs` take
  int batch_size = 16;            // prompts per step (SFT: examples per step)
  int samples_per_prompt = 8;     // G
  double learning_rate = 1e-5;
  int64_t warmup_steps = 0;
  double warmup_ratio = 0;        // of the total steps; used when warmup_steps is 0
  LrSchedule lr_schedule = LrSchedule::kCosine;
  double min_lr_ratio = 0;        // the schedule's floor, as a fraction of learning_rate
  double weight_decay = 0;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_epsilon = 1e-8;
  int64_t max_prompt_length = 512;  // tokens; longer prompts keep their end
  int64_t max_new_tokens = 256;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;
  double beta = 0;                // KL coefficient (k3 estimator against the frozen base); 0: no reference model
  double clip_epsilon_low = 0.2;
  double clip_epsilon_high = 0.2;  // > low: DAPO's clip-higher
  LossAggregation loss_aggregation = LossAggregation::kGrpo;
  RewardScaling reward_scaling = RewardScaling::kGroup;
  int inner_epochs = 1;           // optimizer passes over each batch of rollouts
  int gradient_accumulation = 1;  // micro-batches per optimizer step
  double max_grad_norm = 1.0;     // 0: no clipping
  // GRPO: completions cut off at max_new_tokens get no loss (TRL's mask_truncated_completions);
  // they still count in the reward statistics.
  bool mask_truncated_completions = false;
  int64_t eval_interval = 0;      // steps; 0: only at the end
  int64_t eval_samples = 0;       // eval rows used; 0: all
  double eval_temperature = 0;    // 0: greedy
  int64_t save_interval = 0;      // steps; 0: only at the end
  int keep_last = 2;              // checkpoints kept (the final one always is)
  uint64_t seed = 0;
  int threads = 0;                // torch intra-op threads; 0: all cores
  std::string device = "cpu";     // cpu | cuda | cuda:N
  std::string dtype = "float32";  // float32 | bfloat16
  // SFT only: stop once the eval pass rate (or mean reward) reaches this; 0: never.
  double stop_at_eval_score = 0;
  // Several ranks (docs/distributed.md): seconds a collective waits for the other ranks before
  // the job ends with an error (a rank that died or hangs).
  double collective_timeout = 300;

  // `monitor:`: reward-hacking signals and alarms for GRPO (docs/training.md#monitors).
  MonitorOptions monitor;

  bool operator==(const JobConfig&) const = default;
};

// Reads and checks a job file. Errors name the file, the line and the key, and for a bad value
// the allowed values: "job.yaml:7: `loss_aggregation`: `dpo` is not one of grpo, dapo, dr_grpo".
// Unknown keys are errors (with a did-you-mean). `require_reward`: `rft train` needs `reward`.
Expected<JobConfig> load_job(const std::string& path, bool require_reward);

// The same from YAML text (tests); `name` stands for the file in messages and relative paths
// resolve against `base_dir`.
Expected<JobConfig> parse_job(const std::string& yaml_text, const std::string& name,
                              const std::string& base_dir, bool require_reward);

// The job as YAML with every field, defaults included (written next to the checkpoints).
std::string job_to_yaml(const JobConfig& job);

std::string_view loss_aggregation_name(LossAggregation a);
std::string_view reward_scaling_name(RewardScaling s);
std::string_view lr_schedule_name(LrSchedule s);

}  // namespace rft::train
