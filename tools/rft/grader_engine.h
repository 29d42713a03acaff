// A reward made ready to grade, for the commands that grade (grade, train, eval): the spec
// loaded and checked, then compiled in process (jit), built into a shared object (aot), or run by
// the reference interpreter (interp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/batch.h"
#include "runtime/train/train.h"
#include "tools/rft/cli_common.h"

namespace rft::codegen {
class Jit;
class JitGrader;
}  // namespace rft::codegen

namespace rft::cli {

class GraderEngine {
 public:
  ~GraderEngine();
  // Loads `spec`, finds `reward` and prepares `engine` ("jit", "aot" or "interp"). On failure
  // prints the diagnostics or the message (prefixed with `command`) and returns null.
  static std::unique_ptr<GraderEngine> create(const std::string& command, const std::string& spec,
                                              const std::string& reward, const std::string& engine,
                                              bool use_cache = true);

  const Engine& engine() const { return *engine_; }
  const ast::RewardDecl& reward() const { return *loaded_.reward; }
  const ast::ItemDecl* item() const;  // the spec's `item` declaration, or null
  std::vector<std::string> component_names() const;
  // The index of the component called `name`, or when `name` is empty the first component of
  // boolean type; -1 when there is none. A name that is not a component: -2.
  int pass_component(const std::string& name) const;
  // Grades rollouts in one batch on `threads` threads (0: all cores).
  train::GradeFn grade_fn(int threads = 0) const;
  // Checks a dataset row against the spec's `item` (for train::DatasetRequirements::check_item).
  std::vector<std::string> check_item(const nlohmann::json& row) const;

 private:
  GraderEngine() = default;
  LoadedReward loaded_;
  std::unique_ptr<interp::Interpreter> interp_;
  std::unique_ptr<codegen::Jit> jit_;
  std::unique_ptr<codegen::JitGrader> jitted_;
  std::unique_ptr<rft_grader, void (*)(rft_grader*)> shared_{nullptr, rft_grader_close};
  std::unique_ptr<Engine> engine_;  // last: destroyed before the code it calls
};

}  // namespace rft::cli
