// Evaluation: generate with a model for every prompt of a dataset, grade with the reward, and
// summarize: mean total, each component's mean, the pass rate where the reward has a pass
// component, mean completion length, and a few sample outputs. `rft eval` compares several models
// side by side; `rft train` compares the base with the tuned model at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  double pass_rate = -1;       // -1: the reward has no pass component
  double mean_length = 0;      // completion tokens
  size_t flagged = 0;          // rows whose grading raised a flag
  double seconds = 0;
  std::vector<EvalSample> samples;
};

struct EvalSetup {
  GradeFn grade;
  std::vector<std::string> component_names;
  int pass_component = -1;
};

// Evaluates one model on `data`. `progress(done, total)` may be null.
Result<ModelEval> evaluate_model(model::TextGenerator& generator, const Dataset& data,
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
