// A training job from its file to its report, for every front end (`rft train` and `rft sft`
// are thin callers): prepare (the job file, this process's rank, the reward, the data checked
// against it, OUTPUT/job.yaml), train (GRPO or SFT in the model plugin, with a progress bar),
// compare (base and tuned on the eval set, OUTPUT/eval.json) and report (OUTPUT/report.html).
// The reward comes through a JobGraderFactory, so that this library stays free of the compiler;
// compiler/grading implements it (job_grader in compiler/grading/grader.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/train/evaluate.h"
#include "runtime/train/job.h"
#include "runtime/train/train.h"

namespace rft::train {

// What a job needs of its reward.
class JobGrader {
 public:
  virtual ~JobGrader() = default;
  virtual std::vector<std::string> component_names() const = 0;
  // The reward's monitors: logged beside the components, never part of the total.
  virtual std::vector<std::string> monitor_names() const = 0;
  // The index of the component called `name`, or when `name` is empty the first boolean one; -1
  // when there is none; -2 when `name` is not a component.
  virtual int pass_component(const std::string& name) const = 0;
  // A dataset row's problems against the reward's `item`, one message each.
  virtual std::vector<std::string> check_item(const nlohmann::json& row) const = 0;
  // Grades batches on `threads` threads (0: all cores); a batch in which more than
  // `max_judge_failures` of one judge's requests fail throws, naming the judge.
  virtual GradeFn grade_fn(int threads, double max_judge_failures) = 0;
  virtual bool calls_judges() const = 0;
  // The judges' counters so far (see judge_counters in compiler/grading/grader.h).
  virtual nlohmann::json judge_counters() const = 0;
  // "judges: 12 calls, ..." and a line per failing judge; empty when the reward calls none.
  virtual std::string judge_summary() const = 0;
};

// Opens the reward a job names (job.spec, job.reward, job.engine, its judge settings;
// `job_path` for messages). On failure, the message; an empty message when the problem has
// already been reported (a spec's diagnostics).
using JobGraderFactory = std::function<Expected<std::unique_ptr<JobGrader>>(
    const JobConfig& job, const std::string& job_path)>;

enum class JobKind { kGrpo, kSft };

struct JobOptions {
  std::string job;                 // the job file (YAML)
  bool resume = false;             // continue from the newest complete checkpoint
  bool no_eval = false;            // skip the comparison at the end
  double max_judge_failures = -1;  // >= 0: overrides the job's reward.max_judge_failures
};

struct JobOutcome {
  TrainResult trained;
  // GRPO: base then tuned; SFT: the tuned model; empty without an eval set (or a reward), with
  // no_eval, and on ranks other than 0.
  std::vector<ModelEval> evals;
  std::string report;  // OUTPUT/report.html; empty on ranks other than 0
};

// Runs the job as this process's rank of a data-parallel job (torchrun's variables; none: a
// world of one). Rank 0 writes into the job's output_dir: job.yaml, checkpoints, metrics.jsonl,
// the `final` link, eval.json and report.html. Progress and notes go to stderr, the comparison
// table to stdout. An error of a rank of several starts with "rank N: ". `open_grader` may be
// null for SFT without a reward.
Expected<JobOutcome> run_job(JobKind kind, const JobOptions& options,
                             const JobGraderFactory& open_grader);

}  // namespace rft::train
