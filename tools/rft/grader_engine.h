// The grading engine as the rft commands use it: opened with errors reported on stderr, adapted
// to the training loop's grading callback, and the judges' counters for reports.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "compiler/engine/grader_engine.h"
#include "runtime/judge/provider.h"
#include "runtime/train/train.h"

namespace CLI {
class App;
}  // namespace CLI

namespace rft::cli {

// The judge flags of the commands that grade with judges (rft grade, eval, serve), set into
// `judges`: --allow-endpoint URL (repeatable), and --no-judge-cache unless `cache_flag` is false.
void add_judge_flags(CLI::App* cmd, judge::ServiceOptions* judges, bool cache_flag = true);

// Loads `spec`, finds `reward` and prepares `engine` ("jit", "aot" or "interp"). `judges` (null:
// loopback endpoints only, the default cache) says where judges may send data; a refused
// endpoint fails here, before anything is graded, and the message tells how to allow it
// (`judges->allow_how`). On failure prints the
// diagnostics or the message (prefixed with `command`) and returns null; warnings are printed
// either way.
std::unique_ptr<GraderEngine> open_grader(const std::string& command, const std::string& spec,
                                          const std::string& reward, const std::string& engine,
                                          bool use_cache = true,
                                          const judge::ServiceOptions* judges = nullptr);

// Grades rollouts in one batch on `threads` threads (0: all cores). `skipped` (optional) counts
// the judge components that gating skipped. When more than `max_judge_failures` (a fraction;
// 1: no limit) of one judge's requests in a batch fail, the batch throws JudgeFailures, naming
// the judge and its first error: a training job stops rather than learn from on_error values.
train::GradeFn grade_fn(const GraderEngine& grader, int threads = 0,
                        std::atomic<long>* skipped = nullptr, double max_judge_failures = 1);

struct JudgeFailures : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Judge requests as JSON: [{"judge", "prompt", "reply", "error", "cached"}, ...] ("error" only
// when the request gave no usable score).
nlohmann::json judge_exchanges_json(const std::vector<judge::JudgeExchange>& exchanges);

// The judges' counters so far: {"calls", "cache_hits", "misses", "skipped", "errors"}; `skipped`
// as counted by grade_fn. Empty when the reward calls no judge.
nlohmann::json judge_counters(const GraderEngine& grader, long skipped);

// "judges: 12 calls, 4 cache hits, 8 misses, 3 skipped by gating, 0 errors", and a line per
// failing judge; empty when the reward calls no judge.
std::string judge_summary(const GraderEngine& grader, long skipped);

}  // namespace rft::cli
