// A reward made ready to grade, for every program that grades (the rft commands, the training
// loop, the Python module): the spec loaded and checked, then compiled in process (jit), built
// into a shared object (aot), or run by the reference interpreter (interp); the training loop's
// grading callback, and the judges' counters for reports.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/driver/loader.h"
#include "compiler/grading/batch.h"
#include "compiler/interp/item.h"
#include "runtime/common/engine_kind.h"
#include "runtime/common/expected.h"
#include "runtime/judge/provider.h"
#include "runtime/train/pipeline.h"
#include "runtime/train/train.h"

namespace rft::codegen {
class Jit;
class JitGrader;
}  // namespace rft::codegen

namespace rft::judge {
class JudgeService;
struct ServiceOptions;
}  // namespace rft::judge

namespace rft {

// A checked spec and the reward to grade with.
struct LoadedReward {
  std::string spec;                  // the path it was loaded from
  std::unique_ptr<Program> program;  // always set: its diagnostics are the caller's to show
  const ast::RewardDecl* reward = nullptr;  // null when the spec has errors or no such reward
  const ast::Module* module = nullptr;      // the file that declares it
  // Why `reward` is null when the spec has no errors: no such reward, with a suggestion.
  std::string missing;
};

// Loads `spec` with its imports and finds reward `name`. The spec's own errors are its
// diagnostics (program->diags), a missing reward is `missing`: a spec is a user's text, whose
// problems are shown located, not as one message.
LoadedReward load_reward(const std::string& spec, const std::string& name);

class GraderEngine {
 public:
  ~GraderEngine();
  // Prepares `engine` for a loaded reward. When the reward calls
  // judges, their settings are evaluated and their endpoints checked against `judges` (null:
  // loopback only, default cache) before anything is graded. Fails with a one-line message.
  static Expected<std::unique_ptr<GraderEngine>> create(
      LoadedReward loaded, EngineKind engine, bool use_cache,
      const judge::ServiceOptions* judges = nullptr);

  const Engine& engine() const { return *engine_; }
  const Program& program() const { return *loaded_.program; }
  const ast::RewardDecl& reward() const { return *loaded_.reward; }
  const ast::ItemDecl* item() const;  // the spec's `item` declaration, or null
  const interp::ItemFields& item_fields() const { return item_fields_; }
  ValueNames value_names() const;
  // The index of the component called `name`, or when `name` is empty the first component of
  // boolean type; -1 when there is none. A name that is not a component: -2.
  int pass_component(const std::string& name) const;
  // The judges the reward calls, with their counters; null when it calls none.
  const judge::JudgeService* judges() const { return judges_.get(); }
  // The judges as the interpreter asks them (null when the reward calls none).
  interp::JudgeProvider* judge_provider() const { return judge_provider_.get(); }
  // Threads worth grading on when `requested` (0: all cores) are asked for: more when judges are
  // called, so that their requests are in flight together while the threads wait.
  int grading_threads(int requested) const;
  // Grades a batch on `threads` threads (0: all cores); results in the order of the samples.
  std::vector<Grade> grade(std::span<const Sample> samples, int threads = 0) const;
  // Checks a dataset row against the spec's `item`: one message per problem.
  std::vector<std::string> check_item(const nlohmann::json& row) const;

 private:
  GraderEngine() = default;
  // Grades batches in passes when the reward calls a group judge.
  void grade_groups();
  LoadedReward loaded_;
  interp::ItemFields item_fields_;
  std::unique_ptr<interp::Interpreter> interp_;
  std::unique_ptr<codegen::Jit> jit_;
  std::unique_ptr<codegen::JitGrader> jitted_;
  std::unique_ptr<rft_grader, void (*)(rft_grader*)> shared_{nullptr, rft_grader_close};
  std::unique_ptr<judge::JudgeService> judges_;
  std::unique_ptr<interp::JudgeProvider> judge_provider_;
  std::unique_ptr<Engine> engine_;  // last: destroyed before the code it calls
};

// A compiled grader loaded from a shared object (as `rft compile` writes): one of its rewards,
// with its engine, component and monitor names and item fields, for `rft grade --grader` and
// Python. The object carries a reward's code but not its judges' settings (endpoints, models),
// which live in the spec: a reward that calls judges is refused rather than graded with dead
// judges.
class SharedGrader {
 public:
  // Opens `path` and finds `reward` (empty: the object's only reward). Fails with one line (not
  // an ELF file, cannot load, no such reward with a suggestion and the list, several rewards
  // and none named, a reward that calls judges).
  static Expected<std::unique_ptr<SharedGrader>> open(const std::string& path,
                                                      const std::string& reward);
  const std::string& name() const { return name_; }
  const Engine& engine() const { return *engine_; }
  const ValueNames& value_names() const { return names_; }
  const interp::ItemFields& item_fields() const { return item_fields_; }

 private:
  SharedGrader() = default;
  std::unique_ptr<rft_grader, void (*)(rft_grader*)> so_{nullptr, rft_grader_close};
  std::string name_;
  ValueNames names_;
  interp::ItemFields item_fields_;
  std::unique_ptr<Engine> engine_;  // last: destroyed before the code it calls
};

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

// A grader as a training job uses it (runtime/train/pipeline.h): grade_fn, with the judge
// components skipped by gating counted over the whole job.
std::unique_ptr<train::JobGrader> job_grader(std::unique_ptr<GraderEngine> grader);

}  // namespace rft
