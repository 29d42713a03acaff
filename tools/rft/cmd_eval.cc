// rft eval --model DIR [--model DIR2 ...] --data FILE.jsonl --spec SPEC --reward NAME: generate
// with each model for every prompt, grade with the reward, and compare the models side by side.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "runtime/grader/value_ops.h"
#include "runtime/train/evaluate.h"
#include "runtime/train/progress.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct EvalCliOptions {
  std::vector<std::string> models;
  std::string data, spec, reward, pass_component;
  EngineKind engine = EngineKind::kJit;
  train::EvalOptions eval;
  bool json = false;
  judge::ServiceOptions judges;
};

int fail(const std::string& msg) {
  return user_error("eval", msg);
}

// Column labels: each directory's name, or the path as given where two names are the same.
std::vector<std::string> model_labels(const std::vector<std::string>& dirs) {
  std::vector<std::string> names;
  for (const std::string& d : dirs) {
    std::filesystem::path p = std::filesystem::path(d).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();  // "base/" -> "base"
    names.push_back(p.filename().empty() ? d : p.filename().string());
  }
  std::vector<std::string> labels = names;
  for (size_t i = 0; i < names.size(); ++i) {
    if (std::count(names.begin(), names.end(), names[i]) > 1) labels[i] = dirs[i];
  }
  return labels;
}

// A sample's text on one line: JSON-quoted (newlines and control characters escaped) and cut
// after about 200 bytes.
std::string quoted(const std::string& text) {
  std::string s =
      nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  constexpr size_t kMax = 200;
  if (s.size() <= kMax) return s;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole chars
  return s.substr(0, cut) + "...\"";
}

void print_samples(const train::ModelEval& e) {
  for (const train::EvalSample& s : e.samples) {
    std::printf("\n%s, line %zu: total %s\n  prompt:     %s\n  completion: %s\n", e.label.c_str(),
                s.line, grader::format_num(s.total).c_str(), quoted(s.prompt).c_str(),
                quoted(s.completion).c_str());
  }
}

int run_eval(const EvalCliOptions& o) {
  std::unique_ptr<GraderEngine> grader = open_grader("eval", o.spec, o.reward, o.engine, true, &o.judges);
  if (!grader) return kUserError;
  int pass = grader->pass_component(o.pass_component);
  if (pass == -2) {
    return fail("reward `" + o.reward + "` has no component `" + o.pass_component + "`");
  }
  train::DatasetRequirements req;
  req.check_item = [&g = *grader](const nlohmann::json& row) { return g.check_item(row); };
  Expected<train::Dataset> data = train::load_dataset(o.data, req);
  if (!data.ok()) return fail(data.error());

  const ValueNames names = grader->value_names();
  const std::vector<std::string>& components = names.components;
  std::atomic<long> judge_skips{0};
  train::EvalSetup setup{grade_fn(*grader, o.eval.threads, &judge_skips), components, pass,
                         names.monitors};
  std::vector<std::string> labels = model_labels(o.models);
  size_t rows = data->examples.size();
  if (o.eval.limit > 0) rows = std::min(rows, static_cast<size_t>(o.eval.limit));
  bool tty = isatty(STDERR_FILENO) != 0;
  std::vector<train::ModelEval> evals;
  for (size_t i = 0; i < o.models.size(); ++i) {
    // One model in memory at a time.
    Expected<std::unique_ptr<model::TextGenerator>> gen = model::load_text_generator(o.models[i]);
    if (!gen.ok()) return fail(gen.error());
    std::optional<train::Progress> bar;
    if (tty) bar.emplace("eval " + labels[i], static_cast<int64_t>(rows));
    Expected<train::ModelEval> e =
        train::evaluate_model(**gen, *data, setup, o.eval, [&bar](size_t done, size_t) {
          if (bar) bar->update(static_cast<int64_t>(done));
        });
    if (bar) bar->finish();
    if (!e.ok()) return fail(e.error());
    e->model = o.models[i];
    e->label = labels[i];
    evals.push_back(std::move(e).value());
  }
  std::cerr << judge_summary(*grader, judge_skips);

  if (o.json) {
    std::cout << train::eval_to_json(evals, components)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return kOk;
  }
  std::cout << train::format_eval_table(evals, components);
  std::cout.flush();
  for (const train::ModelEval& e : evals) print_samples(e);
  std::fflush(stdout);
  return kOk;
}

}  // namespace

void add_eval(CLI::App& app, Command& run) {
  auto o = std::make_shared<EvalCliOptions>();
  o->eval.temperature = 0;
  CLI::App* cmd = app.add_subcommand(
      "eval", "Generate with one or more models on a dataset, grade with a reward, compare");
  cmd->add_option("--model", o->models,
                  "A model directory (repeatable; the first is the baseline the others are "
                  "compared with)")
      ->required();
  cmd->add_option("--data", o->data,
                  "JSONL rows with a `prompt` (or chat `messages`) and the spec's item fields")
      ->required();
  cmd->add_option("--spec", o->spec, "The .reward file")->required();
  cmd->add_option("--reward", o->reward, "Which reward to grade with")->required();
  cmd->add_option("--pass-component", o->pass_component,
                  "The component whose mean is the pass rate (default: the first boolean one)");
  add_engine_option(cmd, &o->engine, "How to evaluate the reward: jit, aot or interp (as for `rft grade`)");
  cmd->add_option("--max-new-tokens", o->eval.max_new_tokens, "New tokens at most per completion")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--temperature", o->eval.temperature, "0 for greedy")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--limit", o->eval.limit, "Evaluate only the first N rows (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", o->eval.batch, "Prompts per generation batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o->eval.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o->eval.seed, "Random seed (with --temperature above 0)")
      ->capture_default_str();
  cmd->add_option("--samples", o->eval.samples_shown, "Sample outputs shown per model")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_judge_flags(cmd, &o->judges);
  cmd->add_flag("--json", o->json, "Print the results as JSON");
  cmd->callback([o, &run] { run = [o] { return run_eval(*o); }; });
}

}  // namespace rft::cli
