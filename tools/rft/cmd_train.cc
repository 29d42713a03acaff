// rft train JOB.yaml: GRPO with a reward spec, then base-vs-tuned evaluation and report.html;
// rft sft JOB.yaml: supervised fine-tuning on prompt/completion pairs.
// Both run as one rank of a data-parallel job when torchrun's variables are set, and start the
// ranks themselves with --nproc N (tools/rft/launch.h, docs/distributed.md).
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "runtime/train/evaluate.h"
#include "runtime/train/job.h"
#include "runtime/train/progress.h"
#include "runtime/train/report.h"
#include "runtime/train/train.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"
#include "tools/rft/launch.h"

namespace rft::cli {
namespace {
namespace fs = std::filesystem;

struct TrainOptions {
  std::string job;
  bool resume = false;
  bool no_eval = false;
  int nproc = 0;  // start this many ranks on this machine; 0: run as the environment says
  double max_judge_failures = -1;  // >= 0: overrides the job's reward.max_judge_failures
};

std::string fixed(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Points OUTPUT/final at the last checkpoint (a relative symlink, replaced atomically).
void link_final(const std::string& output_dir, const std::string& checkpoint) {
  std::error_code ec;
  fs::path link = fs::path(output_dir) / "final";
  fs::path tmp = fs::path(output_dir) / ".final.tmp";
  fs::remove(tmp, ec);
  fs::create_directory_symlink(fs::relative(checkpoint, output_dir, ec), tmp, ec);
  if (!ec) fs::rename(tmp, link, ec);
}

// Writes `text` to `path` whole or not at all.
std::string write_whole(const fs::path& path, const std::string& text) {
  return io::write_whole(path.string(), text);
}

// What training and evaluation need besides the job: the grader and the data, checked.
struct Prepared {
  train::JobConfig job;
  std::unique_ptr<GraderEngine> grader;
  train::Dataset train_data, eval_data;
  bool has_eval = false;
  int pass_component = -1;
  std::atomic<long> judge_skips{0};  // judge components skipped by gating, over the whole run
  train::DistributedConfig distributed;  // this process's rank (a world of one: a plain run)
};

// Messages of a rank of several start with "rank N: ", unless they already name it.
std::string from_rank(const Prepared& p, const std::string& message) {
  if (!p.distributed.enabled() || message.rfind("rank ", 0) == 0) return message;
  return "rank " + std::to_string(p.distributed.rank) + ": " + message;
}

int prepare(const std::string& command, const TrainOptions& o, bool sft, Prepared& p) {
  model::Result<train::DistributedConfig> dist = train::distributed_from_env();
  if (!dist.ok()) return user_error(command, dist.error());
  p.distributed = std::move(dist).value();
  model::Result<train::JobConfig> job = train::load_job(o.job, /*require_reward=*/!sft);
  if (!job.ok()) return user_error(command, job.error());
  p.job = std::move(job).value();
  if (o.max_judge_failures >= 0) p.job.max_judge_failures = o.max_judge_failures;
  if (!p.job.spec.empty()) {
    judge::ServiceOptions judges;
    judges.allowed_endpoints = p.job.allow_endpoints;
    judges.use_cache = p.job.judge_cache;
    judges.allow_how = "by listing it under `reward.allow_endpoints` in " + o.job + ":";
    p.grader = open_grader(command, p.job.spec, p.job.reward, p.job.engine, true, &judges);
    if (!p.grader) return kUserError;
    p.pass_component = p.grader->pass_component(p.job.pass_component);
    if (p.pass_component == -2) {
      return user_error(command, o.job + ": `pass_component`: reward `" + p.job.reward +
                                     "` has no component `" + p.job.pass_component + "`");
    }
  }
  train::DatasetRequirements req;
  req.need_completion = sft;
  if (p.grader) req.check_item = [&g = *p.grader](const nlohmann::json& row) { return g.check_item(row); };
  model::Result<train::Dataset> train_data = train::load_dataset(p.job.train_data, req);
  if (!train_data.ok()) return user_error(command, train_data.error());
  p.train_data = std::move(train_data).value();
  if (!p.job.eval_data.empty()) {
    train::DatasetRequirements eval_req;
    eval_req.check_item = req.check_item;
    model::Result<train::Dataset> eval_data = train::load_dataset(p.job.eval_data, eval_req);
    if (!eval_data.ok()) return user_error(command, eval_data.error());
    p.eval_data = std::move(eval_data).value();
    p.has_eval = true;
  }
  if (!p.distributed.is_root()) return kOk;  // rank 0 writes into output_dir
  std::error_code ec;
  fs::create_directories(p.job.output_dir, ec);
  if (std::string why = write_whole(fs::path(p.job.output_dir) / "job.yaml", train::job_to_yaml(p.job));
      !why.empty()) {
    return user_error(command, why);
  }
  return kOk;
}

train::TrainRequest request_for(Prepared& p, const TrainOptions& o, bool grpo,
                                train::Progress& progress) {
  train::TrainRequest r;
  r.job = &p.job;
  r.distributed = p.distributed;
  r.train = &p.train_data;
  r.eval = p.has_eval ? &p.eval_data : nullptr;
  if (p.grader) {
    r.grade = grade_fn(*p.grader, p.job.threads, &p.judge_skips, p.job.max_judge_failures);
    r.component_names = p.grader->component_names();
    r.pass_component = p.pass_component;
    if (p.grader->judges() != nullptr) {
      // Each line carries the judge work done since the line before it: one step's grading, or
      // one evaluation's, so that a resumed run's lines read the same as an uninterrupted one's.
      auto before = std::make_shared<nlohmann::json>(judge_counters(*p.grader, p.judge_skips));
      r.annotate_metrics = [&p, before](nlohmann::json& line) {
        nlohmann::json now = judge_counters(*p.grader, p.judge_skips);
        nlohmann::json delta = nlohmann::json::object();
        for (const auto& [key, value] : now.items()) {
          delta[key] = value.get<long>() - (*before)[key].get<long>();
        }
        *before = std::move(now);
        line["judges"] = std::move(delta);
      };
    }
  }
  r.resume = o.resume;
  r.on_step = [&progress, grpo](const train::StepReport& s) {
    progress.set_total(s.total_steps);
    if (!s.event.empty()) progress.note(s.event);
    // GRPO's loss is near zero by construction (advantages are centered); its reward is what
    // moves. SFT has only its loss.
    std::string status = grpo ? "reward " + fixed(s.reward_mean) : "loss " + fixed(s.loss, 4);
    if (s.skipped) status += " (skipped)";
    progress.update(s.step, status);
  };
  return r;
}

// Evaluates `models` (label, directory) on the eval set; prints the table.
std::vector<train::ModelEval> compare(const std::string& command, Prepared& p,
                                      const std::vector<std::pair<std::string, std::string>>& models) {
  std::vector<train::ModelEval> evals;
  train::EvalSetup setup{grade_fn(*p.grader, p.job.threads, &p.judge_skips),
                         p.grader->component_names(), p.pass_component};
  train::EvalOptions eo;
  eo.max_new_tokens = p.job.max_new_tokens;
  eo.temperature = p.job.eval_temperature;
  // The final comparison uses every eval row; eval_samples bounds the evaluations during training.
  eo.seed = p.job.seed;
  eo.threads = p.job.threads;
  for (const auto& [label, dir] : models) {
    model::Result<std::unique_ptr<model::TextGenerator>> gen = model::load_text_generator(dir);
    if (!gen.ok()) {
      user_error(command, gen.error());
      return {};
    }
    train::Progress bar("eval " + label, static_cast<int64_t>(p.eval_data.examples.size()));
    model::Result<train::ModelEval> e = train::evaluate_model(
        **gen, p.eval_data, setup, eo,
        [&bar](size_t done, size_t) { bar.update(static_cast<int64_t>(done)); });
    bar.finish();
    if (!e.ok()) {
      user_error(command, e.error());
      return {};
    }
    e->label = label;
    evals.push_back(std::move(e).value());
  }
  std::cout << train::format_eval_table(evals, p.grader->component_names());
  return evals;
}

// Writes OUTPUT/report.html from metrics.jsonl and the evaluations.
int write_report(const std::string& command, const Prepared& p,
                 const std::vector<train::ModelEval>& evals) {
  std::vector<std::string> components;
  if (p.grader) components = p.grader->component_names();
  train::ReportInput report{&p.job, (fs::path(p.job.output_dir) / "metrics.jsonl").string(),
                            components, evals};
  std::string path = (fs::path(p.job.output_dir) / "report.html").string();
  if (std::string why = train::write_report(report, path); !why.empty()) return user_error(command, why);
  std::cerr << "report: " << path << "\n";
  return kOk;
}

// --nproc N: checks the job once, then runs N ranks of this command (without --nproc).
int launch(const std::string& command, const TrainOptions& o, bool sft) {
  if (std::getenv("WORLD_SIZE") != nullptr) {
    return user_error(command, "--nproc starts its own ranks, but WORLD_SIZE is already set (a "
                               "launcher such as torchrun started this process); drop --nproc");
  }
  model::Result<train::JobConfig> job = train::load_job(o.job, /*require_reward=*/!sft);
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
  std::string error;
  if (!launch_local_ranks(o.nproc, args, &error)) return user_error(command, error);
  return kOk;
}

int run_train(const TrainOptions& o) {
  if (o.nproc > 1) return launch("train", o, /*sft=*/false);
  Prepared p;
  if (int rc = prepare("train", o, /*sft=*/false, p); rc != kOk) return rc;
  const train::JobConfig& job = p.job;
  const bool root = p.distributed.is_root();
  if (root) {
    std::cerr << "train: " << p.train_data.examples.size() << " prompts x " << job.samples_per_prompt
              << " samples, reward `" << job.reward << "` (" << job.engine << "), output "
              << job.output_dir
              << (p.distributed.enabled() ? ", " + std::to_string(p.distributed.world_size) + " ranks" : "")
              << "\n";
  }
  train::Progress progress("train", 0);
  train::TrainRequest request = request_for(p, o, /*grpo=*/true, progress);
  if (!root) request.on_step = nullptr;
  model::Result<train::TrainResult> result = train::run_grpo(request);
  if (root) progress.finish();
  if (!result.ok()) return user_error("train", from_rank(p, result.error()));
  if (!root) return kOk;  // rank 0 evaluates and writes the report
  link_final(job.output_dir, result->final_checkpoint);
  std::cerr << "trained " << result->steps << " steps in " << fixed(result->seconds, 1) << " s"
            << (result->skipped_steps > 0 ? " (" + std::to_string(result->skipped_steps) + " skipped)" : "")
            << "; tuned model: " << result->final_checkpoint << "\n";

  std::vector<train::ModelEval> evals;
  if (p.has_eval && !o.no_eval) {
    evals = compare("train", p, {{"base", job.model}, {"tuned", result->final_checkpoint}});
    if (evals.empty()) return kUserError;
    std::string eval_json = train::eval_to_json(evals, p.grader->component_names()).dump(2) + "\n";
    if (std::string why = write_whole(fs::path(job.output_dir) / "eval.json", eval_json); !why.empty()) {
      return user_error("train", why);
    }
  }
  std::cerr << judge_summary(*p.grader, p.judge_skips);
  return write_report("train", p, evals);
}

int run_sft(const TrainOptions& o) {
  if (o.nproc > 1) return launch("sft", o, /*sft=*/true);
  Prepared p;
  if (int rc = prepare("sft", o, /*sft=*/true, p); rc != kOk) return rc;
  const bool root = p.distributed.is_root();
  if (root) {
    std::cerr << "sft: " << p.train_data.examples.size() << " examples, output " << p.job.output_dir << "\n";
  }
  train::Progress progress("sft", 0);
  train::TrainRequest request = request_for(p, o, /*grpo=*/false, progress);
  if (!root) request.on_step = nullptr;
  model::Result<train::TrainResult> result = train::run_sft(request);
  if (root) progress.finish();
  if (!result.ok()) return user_error("sft", from_rank(p, result.error()));
  if (!root) return kOk;
  link_final(p.job.output_dir, result->final_checkpoint);
  std::cerr << "trained " << result->steps << " steps in " << fixed(result->seconds, 1)
            << " s; model: " << result->final_checkpoint << "\n";
  std::vector<train::ModelEval> evals;
  if (p.has_eval && p.grader && !o.no_eval) {
    evals = compare("sft", p, {{"sft", result->final_checkpoint}});
    if (evals.empty()) return kUserError;
  }
  if (p.grader) std::cerr << judge_summary(*p.grader, p.judge_skips);
  return write_report("sft", p, evals);
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
  cmd->callback([o, &run] { run = [o] { return run_train(*o); }; });

  auto s = std::make_shared<TrainOptions>();
  CLI::App* sft = app.add_subcommand("sft", "Supervised fine-tuning on prompt/completion pairs");
  add_job_options(sft, *s);
  sft->callback([s, &run] { run = [s] { return run_sft(*s); }; });
}

}  // namespace rft::cli
