// Evaluation: generate with a model for every prompt of a dataset, grade with the reward, and
// summarize: mean total, each component's and monitor's mean, the pass rate where the reward has a
// pass component, mean completion length, and a few sample outputs. One loop (evaluate_rows) serves
// every evaluation: `rft eval` comparing models side by side, `rft train`/`rft sft` comparing the
// base with the tuned model at the end, and the evaluations during training (Session::evaluate,
// split over ranks). Every row samples from a seed of its own, so a row's completion does not
// depend on the batch, chunk or rank that generates it.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model/text_generator.h"
#include "runtime/train/dataset.h"
#include "runtime/train/train.h"

namespace rft::train {

struct EvalOptions {
  int64_t max_new_tokens = 256;
  double temperature = 0;  // 0: greedy
  double top_p = 1.0;
  uint64_t seed = 0;
  int64_t limit = 0;       // rows evaluated; 0: all
  int batch = 32;          // prompts per generation batch
  int threads = 0;
  int samples_shown = 3;   // sample outputs kept per model (the first rows)
};

struct EvalSample {
  size_t line = 0;
  std::string prompt, completion;
  double total = 0;
};

struct ModelEval {
  std::string model;  // the directory, as given
  std::string label;  // "base", "tuned", or the directory's name
  size_t rows = 0;
  double reward_mean = 0;
  std::vector<double> component_means;
  // Each monitor of the reward (its `monitor` values, never part of the total) and its mean.
  std::vector<std::pair<std::string, double>> monitor_means;
  double pass_rate = -1;       // -1: the reward has no pass component
  double mean_length = 0;      // completion tokens
  size_t flagged = 0;          // rows whose grading raised a flag
  double seconds = 0;
  std::vector<EvalSample> samples;
  // The held-out verifier's mean total and pass rate (the job's `reward.verifier`), when there
  // is one and (for the pass rate) it has a pass component.
  std::optional<double> verifier_mean, verifier_pass_rate;
};

struct EvalSetup {
  GradeFn grade;
  std::vector<std::string> component_names;
  int pass_component = -1;
  std::vector<std::string> monitor_names;
  // A second reward that grades the same completions and is never trained on (may be null).
  GradeFn verify;
  int verify_pass_component = -1;
};

// What the model wrote for one row.
struct RowGeneration {
  std::string text;        // decoded, special tokens removed
  bool truncated = false;  // cut off at max_new_tokens
  int64_t new_tokens = 0;
};

// Generates rows [from, to) of an evaluation, row i from seed row_seeds[i - from]; one result
// per row, in order.
using GenerateRows = std::function<Expected<std::vector<RowGeneration>>(
    size_t from, size_t to, const std::vector<uint64_t>& row_seeds)>;

// The sums over the rows an evaluation has done (the means divide them by `rows`).
struct EvalSums {
  size_t rows = 0;
  double total = 0, length = 0;  // length: completion tokens
  std::vector<double> components;
  std::vector<double> monitors;
  size_t flagged = 0;
  std::vector<EvalSample> samples;  // the first rows, up to samples_shown
  double verifier_total = 0, verifier_pass = 0;  // with setup.verify
};

// The one evaluation loop: rows [from, to) of `data` (their prompts as the model sees them in
// `prompts`, indexed like data.examples), generated in chunks of `chunk` with row i seeded by
// row_seed(seed, i), graded chunk by chunk. `progress(done, total)` (may be null) counts the rows
// of [from, to).
Expected<EvalSums> evaluate_rows(const Dataset& data, const std::vector<std::string>& prompts,
                                 size_t from, size_t to, size_t chunk, uint64_t seed,
                                 const GenerateRows& generate, const EvalSetup& setup,
                                 int samples_shown = 0,
                                 const std::function<void(size_t, size_t)>& progress = nullptr);

// Evaluates one model on `data`. `progress(done, total)` may be null.
Expected<ModelEval> evaluate_model(model::TextGenerator& generator, const Dataset& data,
                                   const EvalSetup& setup, const EvalOptions& options,
                                   const std::function<void(size_t, size_t)>& progress = nullptr);

// The side-by-side table, one column per model (the first is the baseline; later columns show
// the change against it), as aligned text.
std::string format_eval_table(const std::vector<ModelEval>& evals,
                              const std::vector<std::string>& component_names);

// The same as JSON (`rft eval --json`, report.html).
nlohmann::json eval_to_json(const std::vector<ModelEval>& evals,
                            const std::vector<std::string>& component_names);

}  // namespace rft::train
