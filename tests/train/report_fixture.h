// A synthetic training run for the report tests: a metrics.jsonl with train and eval lines (two
// components, a monitor, pass rate, a held-out verifier, KL, loss, completion length, entropy, the
// monitors' signals and one alarm) and a base and a tuned evaluation whose samples hold markup
// ("</script>",
// "<b>") that the page must show as text.
#pragma once

#include <string>
#include <vector>

#include "runtime/train/job.h"
#include "runtime/train/report.h"

namespace rft::train::report_fixture {

// What the synthetic run draws: 14 charts (reward, 2 components, a monitor, pass rate, the
// held-out verifier and its gap, completion length, loss, KL, entropy, reward-length correlation,
// 2 advantage shares) with 20 series in all (the verifier's two are eval only, the last six train
// only).
inline constexpr int kSampleCharts = 14;
inline constexpr int kSampleSeries = 20;
inline constexpr const char* kTrickyCompletion = "x </script><b>bold</b> & \"quoted\"";
// The alarm raised at kAlarmStep, whose message holds markup too.
inline constexpr int kAlarmStep = 20;
inline constexpr const char* kAlarmMessage = "format carries <i>most</i> of the advantage";

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
