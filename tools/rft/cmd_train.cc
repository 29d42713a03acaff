// rft train JOB.yaml: GRPO with a reward spec, then base-vs-tuned evaluation and report.html;
// rft sft JOB.yaml: supervised fine-tuning on prompt/completion pairs. The job itself runs in
// runtime/train/pipeline.h; this file holds the options and the reward's opening.
// Both run as one rank of a data-parallel job when torchrun's variables are set, and start the
// ranks themselves with --nproc N (tools/rft/launch.h, docs/distributed.md).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <memory>

#include "runtime/train/job.h"
#include "runtime/train/pipeline.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"
#include "tools/rft/launch.h"

namespace rft::cli {
namespace {

struct TrainOptions {
  std::string job;
  bool resume = false;
  bool no_eval = false;
  int nproc = 0;  // start this many ranks on this machine; 0: run as the environment says
  double max_judge_failures = -1;  // >= 0: overrides the job's reward.max_judge_failures
};

// --nproc N: checks the job once, then runs N ranks of this command (without --nproc).
int launch(const std::string& command, const TrainOptions& o, bool sft) {
  if (std::getenv("WORLD_SIZE") != nullptr) {
    return user_error(command, "--nproc starts its own ranks, but WORLD_SIZE is already set (a "
                               "launcher such as torchrun started this process); drop --nproc");
  }
  Expected<train::JobConfig> job = train::load_job(o.job, /*require_reward=*/!sft);
  if (!job.ok()) return user_error(command, job.error());
  std::vector<std::string> args{command, o.job};
  if (o.resume) args.emplace_back("--resume");
  if (o.no_eval) args.emplace_back("--no-eval");
  if (o.max_judge_failures >= 0) {
    args.emplace_back("--max-judge-failures");
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.17g", o.max_judge_failures);
    args.emplace_back(rate);
  }
  std::cerr << command << ": " << o.nproc << " ranks on this machine\n";
  if (Expected<void> ran = launch_local_ranks(o.nproc, args); !ran) {
    return user_error(command, ran.error());
  }
  return kOk;
}

// The job's reward, opened as every command opens one: diagnostics and errors printed here.
train::JobGraderFactory grader_factory(const std::string& command) {
  return [command](const train::JobConfig& job,
                   const std::string& job_path) -> Expected<std::unique_ptr<train::JobGrader>> {
    judge::ServiceOptions judges;
    judges.allowed_endpoints = job.allow_endpoints;
    judges.use_cache = job.judge_cache;
    judges.allow_how = "by listing it under `reward.allow_endpoints` in " + job_path + ":";
    std::unique_ptr<GraderEngine> g = open_grader(command, job.spec, job.reward, job.engine, true, &judges);
    if (!g) return failure("");  // reported
    return job_grader(std::move(g));
  };
}

int run_job(const std::string& command, const TrainOptions& o, train::JobKind kind) {
  const bool sft = kind == train::JobKind::kSft;
  if (o.nproc > 1) return launch(command, o, sft);
  train::JobOptions job{o.job, o.resume, o.no_eval, o.max_judge_failures};
  Expected<train::JobOutcome> outcome = train::run_job(kind, job, grader_factory(command));
  if (!outcome.ok()) return outcome.error().empty() ? kUserError : user_error(command, outcome.error());
  // A run that an alarm stopped has its checkpoint, evaluation and report, and is not a success.
  if (!outcome->trained.stopped_by.empty()) return kUserError;
  return kOk;
}

void add_job_options(CLI::App* cmd, TrainOptions& o) {
  cmd->add_option("job", o.job, "The job file (YAML; see docs/training.md)")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--resume", o.resume,
                "Continue from the newest complete checkpoint in the job's output_dir");
  cmd->add_flag("--no-eval", o.no_eval, "Skip the evaluation at the end");
  cmd->add_option("--nproc", o.nproc,
                  "Train with N ranks (processes) on this machine, data-parallel (docs/distributed.md)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--max-judge-failures", o.max_judge_failures,
                  "Stop when more than this fraction of one judge's requests in a step fail "
                  "(0 to 1; overrides reward.max_judge_failures, default 0.5; 1: never)")
      ->check(CLI::Range(0.0, 1.0));
}

}  // namespace

void add_train(CLI::App& app, Command& run) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Reinforcement fine-tuning (GRPO) of a model with a reward spec, then base-vs-tuned evaluation");
  add_job_options(cmd, *o);
  cmd->callback([o, &run] { run = [o] { return run_job("train", *o, train::JobKind::kGrpo); }; });

  auto s = std::make_shared<TrainOptions>();
  CLI::App* sft = app.add_subcommand("sft", "Supervised fine-tuning on prompt/completion pairs");
  add_job_options(sft, *s);
  sft->callback([s, &run] { run = [s] { return run_job("sft", *s, train::JobKind::kSft); }; });
}

}  // namespace rft::cli
