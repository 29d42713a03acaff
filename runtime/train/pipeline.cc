#include "runtime/train/pipeline.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <utility>

#include "runtime/common/output_file.h"
#include "runtime/model/text_generator.h"
#include "runtime/train/progress.h"
#include "runtime/train/report.h"

namespace rft::train {
namespace {
namespace fs = std::filesystem;

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

// What training and evaluation need besides the job: the grader and the data, checked.
struct Prepared {
  JobConfig job;
  std::unique_ptr<JobGrader> grader;
  std::unique_ptr<JobGrader> verifier;  // reward.verifier, for the evaluations; may be null
  int verifier_pass = -1;
  Dataset train_data, eval_data;
  bool has_eval = false;
  int pass_component = -1;
  DistributedConfig distributed;  // this process's rank (a world of one: a plain run)

  std::vector<std::string> component_names() const {
    return grader ? grader->component_names() : std::vector<std::string>{};
  }
};

// Fails with `message`, naming this process's rank when it is one of several.
Unexpected<std::string> rank_failure(const Prepared& p, const std::string& message) {
  if (!p.distributed.enabled() || message.empty() || message.rfind("rank ", 0) == 0) {
    return failure(message);
  }
  return failure("rank " + std::to_string(p.distributed.rank) + ": " + message);
}

Expected<void> prepare(JobKind kind, const JobOptions& o, const JobGraderFactory& open_grader,
                       Prepared& p) {
  const bool sft = kind == JobKind::kSft;
  Expected<DistributedConfig> dist = distributed_from_env();
  if (!dist.ok()) return failure(dist.error());
  p.distributed = std::move(dist).value();
  Expected<JobConfig> job = load_job(o.job, /*require_reward=*/!sft);
  if (!job.ok()) return failure(job.error());
  p.job = std::move(job).value();
  if (o.max_judge_failures >= 0) p.job.max_judge_failures = o.max_judge_failures;
  if (!p.job.spec.empty()) {
    if (!open_grader) return failure(o.job + ": this front end cannot open rewards");
    Expected<std::unique_ptr<JobGrader>> grader = open_grader(p.job, o.job);
    if (!grader.ok()) return failure(grader.error());
    p.grader = std::move(grader).value();
    p.pass_component = p.grader->pass_component(p.job.pass_component);
    if (p.pass_component == -2) {
      return failure(o.job + ": `pass_component`: reward `" + p.job.reward +
                     "` has no component `" + p.job.pass_component + "`");
    }
    if (!p.job.verifier.empty()) {  // the job file has checked that a trained reward is named
      JobConfig held_out = p.job;
      held_out.reward = p.job.verifier;
      if (!p.job.verifier_spec.empty()) held_out.spec = p.job.verifier_spec;
      Expected<std::unique_ptr<JobGrader>> verifier = open_grader(held_out, o.job);
      if (!verifier.ok()) return failure(verifier.error());
      p.verifier = std::move(verifier).value();
      p.verifier_pass = p.verifier->pass_component("");
    }
  }
  DatasetRequirements req;
  req.need_completion = sft;
  if (p.grader) {
    req.check_item = [&g = *p.grader](const nlohmann::json& row) { return g.check_item(row); };
  }
  Expected<Dataset> train_data = load_dataset(p.job.train_data, req);
  if (!train_data.ok()) return failure(train_data.error());
  p.train_data = std::move(train_data).value();
  if (!p.job.eval_data.empty()) {
    DatasetRequirements eval_req;
    eval_req.check_item = req.check_item;
    if (p.verifier) {  // the eval rows are graded by both rewards
      eval_req.check_item = [&g = *p.grader, &v = *p.verifier](const nlohmann::json& row) {
        std::vector<std::string> problems = g.check_item(row);
        for (std::string& why : v.check_item(row)) problems.push_back("verifier: " + why);
        return problems;
      };
    }
    Expected<Dataset> eval_data = load_dataset(p.job.eval_data, eval_req);
    if (!eval_data.ok()) return failure(eval_data.error());
    p.eval_data = std::move(eval_data).value();
    p.has_eval = true;
  }
  if (!p.distributed.is_root()) return {};  // rank 0 writes into output_dir
  std::error_code ec;
  fs::create_directories(p.job.output_dir, ec);
  return io::write_whole((fs::path(p.job.output_dir) / "job.yaml").string(), job_to_yaml(p.job));
}

TrainRequest request_for(Prepared& p, const JobOptions& o, JobKind kind, Progress& progress) {
  TrainRequest r;
  r.job = &p.job;
  r.distributed = p.distributed;
  r.train = &p.train_data;
  r.eval = p.has_eval ? &p.eval_data : nullptr;
  if (p.grader) {
    r.grade = p.grader->grade_fn(p.job.threads, p.job.max_judge_failures);
    if (p.verifier) {
      // A verifier whose judge is dead would read as a flat verifier: it stops the job as the
      // trained reward's judges do, and says which reward it was.
      GradeFn verify = p.verifier->grade_fn(p.job.threads, p.job.max_judge_failures);
      r.verify = [verify](const std::vector<Rollout>& rollouts) {
        try {
          return verify(rollouts);
        } catch (const std::runtime_error& e) {
          throw std::runtime_error(std::string("the held-out verifier (reward.verifier): ") +
                                   e.what());
        }
      };
      r.verifier_pass_component = p.verifier_pass;
    }
    r.component_names = p.grader->component_names();
    r.monitor_names = p.grader->monitor_names();
    r.pass_component = p.pass_component;
    if (p.grader->calls_judges()) {
      // Each line carries the judge work done since the line before it: one step's grading, or
      // one evaluation's, so that a resumed run's lines read the same as an uninterrupted one's.
      auto before = std::make_shared<nlohmann::json>(p.grader->judge_counters());
      r.annotate_metrics = [&p, before](nlohmann::json& line) {
        nlohmann::json now = p.grader->judge_counters();
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
  if (p.distributed.is_root()) {
    r.on_step = [&progress, kind](const StepReport& s) {
      progress.set_total(s.total_steps);
      if (!s.event.empty()) progress.note(s.event);
      // GRPO's loss is near zero by construction (advantages are centered); its reward is what
      // moves. SFT has only its loss.
      std::string status =
          kind == JobKind::kGrpo ? "reward " + fixed(s.reward_mean) : "loss " + fixed(s.loss, 4);
      if (s.skipped) status += " (skipped)";
      progress.update(s.step, status);
    };
  }
  return r;
}

// Evaluates `models` (label, directory) on the eval set with the one evaluation loop (every eval
// row: eval_samples bounds only the evaluations during training); prints the table.
Expected<std::vector<ModelEval>> compare(
    Prepared& p, const std::vector<std::pair<std::string, std::string>>& models) {
  std::vector<ModelEval> evals;
  EvalSetup setup{p.grader->grade_fn(p.job.threads, /*max_judge_failures=*/1),
                  p.grader->component_names(), p.pass_component, p.grader->monitor_names()};
  if (p.verifier) {
    setup.verify = p.verifier->grade_fn(p.job.threads, /*max_judge_failures=*/1);
    setup.verify_pass_component = p.verifier_pass;
  }
  EvalOptions eo;
  eo.max_new_tokens = p.job.max_new_tokens;
  eo.temperature = p.job.eval_temperature;
  eo.seed = p.job.seed;
  eo.threads = p.job.threads;
  for (const auto& [label, dir] : models) {
    Expected<std::unique_ptr<model::TextGenerator>> gen = model::load_text_generator(dir);
    if (!gen.ok()) return failure(gen.error());
    Progress bar("eval " + label, static_cast<int64_t>(p.eval_data.examples.size()));
    Expected<ModelEval> e =
        evaluate_model(**gen, p.eval_data, setup, eo,
                       [&bar](size_t done, size_t) { bar.update(static_cast<int64_t>(done)); });
    bar.finish();
    if (!e.ok()) return failure(e.error());
    e->label = label;
    evals.push_back(std::move(e).value());
  }
  std::cout << format_eval_table(evals, p.grader->component_names());
  return evals;
}

// Writes OUTPUT/report.html from metrics.jsonl and the evaluations; returns its path.
Expected<std::string> write_job_report(const Prepared& p, const std::vector<ModelEval>& evals) {
  ReportInput report{&p.job, (fs::path(p.job.output_dir) / "metrics.jsonl").string(),
                     p.component_names(), evals};
  std::string path = (fs::path(p.job.output_dir) / "report.html").string();
  if (Expected<void> w = write_report(report, path); !w) return failure(w.error());
  std::cerr << "report: " << path << "\n";
  return path;
}

}  // namespace

Expected<JobOutcome> run_job(JobKind kind, const JobOptions& o,
                             const JobGraderFactory& open_grader) {
  const bool grpo = kind == JobKind::kGrpo;
  const char* name = grpo ? "train" : "sft";
  Prepared p;
  if (Expected<void> ready = prepare(kind, o, open_grader, p); !ready.ok()) {
    return rank_failure(p, ready.error());
  }
  const JobConfig& job = p.job;
  const bool root = p.distributed.is_root();
  const std::string ranks =
      p.distributed.enabled() ? ", " + std::to_string(p.distributed.world_size) + " ranks" : "";
  if (root && grpo) {
    std::cerr << "train: " << p.train_data.examples.size() << " prompts x " << job.samples_per_prompt
              << " samples, reward `" << job.reward << "` (" << engine_name(job.engine) << "), output "
              << job.output_dir << ranks << "\n";
  } else if (root) {
    std::cerr << "sft: " << p.train_data.examples.size() << " examples, output " << job.output_dir
              << "\n";
  }
  Progress progress(name, 0);
  TrainRequest request = request_for(p, o, kind, progress);
  Expected<TrainResult> result = grpo ? run_grpo(request) : run_sft(request);
  if (root) progress.finish();
  if (!result.ok()) return rank_failure(p, result.error());
  JobOutcome outcome;
  outcome.trained = std::move(result).value();
  if (!root) return outcome;  // rank 0 evaluates and writes the report
  const TrainResult& trained = outcome.trained;
  link_final(job.output_dir, trained.final_checkpoint);
  if (grpo) {
    std::cerr << "trained " << trained.steps << " steps in " << fixed(trained.seconds, 1) << " s"
              << (trained.skipped_steps > 0 ? " (" + std::to_string(trained.skipped_steps) + " skipped)" : "")
              << "; tuned model: " << trained.final_checkpoint << "\n";
    if (!trained.stopped_by.empty()) {
      std::cerr << "train: stopped early (monitor.stop_on_alarm) on " << trained.stopped_by << "\n";
    }
  } else {
    std::cerr << "trained " << trained.steps << " steps in " << fixed(trained.seconds, 1)
              << " s; model: " << trained.final_checkpoint << "\n";
  }

  if (p.has_eval && p.grader && !o.no_eval) {
    std::vector<std::pair<std::string, std::string>> models;
    if (grpo) models = {{"base", job.model}, {"tuned", trained.final_checkpoint}};
    else models = {{"sft", trained.final_checkpoint}};
    Expected<std::vector<ModelEval>> evals = compare(p, models);
    if (!evals.ok()) return failure(evals.error());
    outcome.evals = std::move(evals).value();
    if (grpo) {
      std::string eval_json = eval_to_json(outcome.evals, p.grader->component_names()).dump(2) + "\n";
      Expected<void> w =
          io::write_whole((fs::path(job.output_dir) / "eval.json").string(), eval_json);
      if (!w) return failure(w.error());
    }
  }
  if (p.grader) std::cerr << p.grader->judge_summary();
  Expected<std::string> report = write_job_report(p, outcome.evals);
  if (!report.ok()) return failure(report.error());
  outcome.report = std::move(report).value();
  return outcome;
}

}  // namespace rft::train
