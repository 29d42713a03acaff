// Batch grading of JSONL datasets (`rft grade`): rows in, one result line per row out, in input
// order, graded on a thread pool.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/interp/interpreter.h"
#include "compiler/interp/item.h"
#include "runtime/grader/abi.h"

namespace rft {

// A batch graded in passes, for a reward that calls a group judge, which scores the
// completions of several samples in one request (runtime/judge/group.h): the first pass collects
// the calls, and each later pass grades again the samples whose group scores have come back.
class GradingPasses {
 public:
  virtual ~GradingPasses() = default;
  // On the grading thread, around the grading of sample `index`.
  virtual void enter(size_t index) = 0;
  virtual void leave() = 0;
  // After a pass: the samples to grade again; empty when the batch is done.
  virtual std::vector<size_t> after_pass(int threads) = 0;
};
using PassesFactory =
    std::function<std::unique_ptr<GradingPasses>(std::span<const Sample> samples)>;

// How one sample is graded: by the reference interpreter or by a compiled grader. Engines are
// immutable and thread-safe; each thread passes its own context.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual Grade grade(const Sample& sample, grader::Context& ctx) const = 0;
  // Batches are graded in passes when a factory is set (before grading starts).
  void set_passes(PassesFactory f) { passes_ = std::move(f); }
  std::unique_ptr<GradingPasses> passes(std::span<const Sample> samples) const {
    return passes_ ? passes_(samples) : nullptr;
  }

 private:
  PassesFactory passes_;
};

// `judges` (optional, thread-safe, outlives the engine) scores the reward's judge calls.
class InterpEngine final : public Engine {
 public:
  InterpEngine(const interp::Interpreter& interp, const ast::RewardDecl& reward,
               interp::JudgeProvider* judges = nullptr)
      : interp_(interp), reward_(reward), judges_(judges) {}
  Grade grade(const Sample& sample, grader::Context& ctx) const override {
    return interp_.grade(reward_, sample, ctx, judges_);
  }

 private:
  const interp::Interpreter& interp_;
  const ast::RewardDecl& reward_;
  interp::JudgeProvider* judges_;
};

// A reward compiled to native code (JIT or a shared object), called through the grader ABI.
// `judge` (optional, thread-safe) is set on each context it grades with (rft_ctx_set_judge).
class NativeEngine final : public Engine {
 public:
  explicit NativeEngine(const rft_reward_info& reward, rft_judge_fn judge = nullptr,
                        void* judge_user = nullptr)
      : reward_(reward), judge_(judge), judge_user_(judge_user) {}
  Grade grade(const Sample& sample, grader::Context& ctx) const override;

 private:
  const rft_reward_info& reward_;
  rft_judge_fn judge_;
  void* judge_user_;
};

// Grades a whole batch in one call on `threads` threads (0: all cores); results are in the
// order of the samples. This is the entry point for training loops.
std::vector<Grade> grade_batch(const Engine& engine, std::span<const Sample> samples,
                                        int threads = 0);

// What a reward logs beside its total, by name, each in declaration order.
struct ValueNames {
  std::vector<std::string> components;
  std::vector<std::string> monitors;
};

struct BatchOptions {
  int threads = 0;          // 0: all cores
  size_t chunk_rows = 4096;  // rows read, graded and written at a time (bounds memory)
  // Optional: adds fields to a graded row's result line (`row` is the row as its sample's
  // item pointed at it while it was graded), just before the line is written.
  std::function<void(const nlohmann::json& row, nlohmann::ordered_json& line)> annotate;
};

struct BatchSummary {
  size_t rows = 0;    // rows graded or rejected (blank lines do not count)
  size_t errors = 0;  // rows rejected: not JSON, no completion, item fields missing, ...
  double seconds = 0;
  double total_sum = 0;
  ValueNames names;
  std::vector<double> component_sums;  // over graded rows
  std::vector<double> monitor_sums;
  size_t flagged = 0;                  // graded rows with a flag other than gating's skipped:
  size_t skipped = 0;  // components that would have called a judge, skipped by gating
};

// Reads JSONL from `in`: each line an object with a string `completion`, an optional string
// `prompt`, and the fields of the reward's `item` (`item`: from a spec or a compiled grader,
// interp::item_fields). `names` names the reward's components and monitors. Writes one JSON line
// per non-blank input line to `out`, in input order:
//   {"line":3,"total":1.2,"components":{"correct":1,...},"flags":[...]}
//   {"line":4,"error":"`completion` is missing"}
// with "monitors":{...} after the components when the reward has monitors. A bad row never stops
// the batch. `progress` (optional) is called with the rows done so far.
BatchSummary grade_jsonl(const ValueNames& names, std::span<const interp::ItemField> item,
                         const Engine& engine, std::istream& in, std::ostream& out,
                         const BatchOptions& options,
                         const std::function<void(size_t)>& progress = nullptr);

}  // namespace rft
