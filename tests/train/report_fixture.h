// A synthetic training run for the report tests: a metrics.jsonl with train and eval lines (two
// components, pass rate, KL, loss, completion length) and a base and a tuned evaluation whose
// samples hold markup ("</script>", "<b>") that the page must show as text.
#pragma once

#include <string>
#include <vector>

#include "runtime/train/job.h"
#include "runtime/train/report.h"

namespace rft::train::report_fixture {

// What the synthetic run draws: 7 charts (reward, 2 components, pass rate, completion length,
// loss, KL) with 12 series in all (loss and KL have no eval series).
inline constexpr int kSampleCharts = 7;
inline constexpr int kSampleSeries = 12;
inline constexpr const char* kTrickyCompletion = "x </script><b>bold</b> & \"quoted\"";

struct SampleRun {
  JobConfig job;
  ReportInput input;  // input.job points at `job`: a SampleRun is not copied or moved
  SampleRun() = default;
  SampleRun(const SampleRun&) = delete;
  SampleRun& operator=(const SampleRun&) = delete;
};

// Writes `dir`/metrics.jsonl (`train_steps` train lines, an eval line every 5 steps and at
// step 0) and fills `run` to make a report of it.
void make_sample_run(const std::string& dir, int train_steps, SampleRun& run);

}  // namespace rft::train::report_fixture
