// report.html: one self-contained page (no network) in the output directory with the reward and
// component curves, the completion-length curve, the eval curves, the base-vs-tuned table and
// sample completions before and after.
#pragma once

#include <string>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/train/evaluate.h"
#include "runtime/train/job.h"

namespace rft::train {

struct ReportInput {
  const JobConfig* job = nullptr;
  std::string metrics_path;                  // metrics.jsonl
  std::vector<std::string> component_names;
  std::vector<ModelEval> evals;              // base first, then the tuned model; may be empty
};

// Writes `path` atomically (a temporary file, then rename).
Expected<void> write_report(const ReportInput& input, const std::string& path);

}  // namespace rft::train
