// A reward made ready to grade, for every program that grades (the rft commands, the training
// loop, the Python module): the spec loaded and checked, then compiled in process (jit), built
// into a shared object (aot), or run by the reference interpreter (interp).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "compiler/driver/batch.h"
#include "compiler/interp/item.h"
#include "compiler/driver/loader.h"

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
};

// Loads `spec` with its imports and finds reward `name`. When the reward is missing (not when
// the spec has errors, which its diagnostics tell), *error says so and suggests a name.
LoadedReward load_reward(const std::string& spec, const std::string& name, std::string* error);

class GraderEngine {
 public:
  ~GraderEngine();
  // Prepares `engine` ("jit", "aot" or "interp") for a loaded reward. When the reward calls
  // judges, their settings are evaluated and their endpoints checked against `judges` (null:
  // loopback only, default cache) before anything is graded. On failure returns null and sets
  // *error to a one-line message.
  static std::unique_ptr<GraderEngine> create(LoadedReward loaded, const std::string& engine,
                                              bool use_cache, std::string* error,
                                              const judge::ServiceOptions* judges = nullptr);

  const Engine& engine() const { return *engine_; }
  const Program& program() const { return *loaded_.program; }
  const ast::RewardDecl& reward() const { return *loaded_.reward; }
  const ast::ItemDecl* item() const;  // the spec's `item` declaration, or null
  const interp::ItemFields& item_fields() const { return item_fields_; }
  std::vector<std::string> component_names() const;
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
  std::vector<interp::Result> grade(std::span<const interp::Sample> samples, int threads = 0) const;
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

}  // namespace rft
