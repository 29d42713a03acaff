// The per-sample evaluation context behind the C handle `rft_ctx`: an arena for the strings,
// lists and JSON documents that builtins create, and the flags raised while grading one sample.
//
// One Context per thread; reuse it across samples with reset(), which frees everything the
// previous sample allocated in O(1) amortized time.
#pragma once

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runtime/grader/abi.h"
#include "runtime/grader/value.h"

// The C handle is an empty base of Context, so a cast between the two is free.
struct rft_ctx {};

namespace rft::grader {

class Context : public rft_ctx {
 public:
  Context();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  static Context& from(rft_ctx* ctx) { return *static_cast<Context*>(ctx); }
  rft_ctx* handle() { return this; }

  // Frees every allocation and clears the flags; values handed out before become invalid.
  void reset();

  void* alloc(size_t bytes, size_t align);
  rft_str copy(std::string_view s);
  // A list value with room for `n` items, to be filled by the caller.
  rft_value* alloc_values(size_t n) {
    return static_cast<rft_value*>(alloc(n * sizeof(rft_value), alignof(rft_value)));
  }
  // Keeps a parsed JSON document alive until reset() and returns a stable pointer to it.
  const nlohmann::json* keep(nlohmann::json&& doc);

  // Raises a flag once. Once the evaluation budget is spent no further flag is raised: what
  // comes after is not a result (docs/language.md, "Evaluation budget").
  void flag(std::string_view name);
  const std::vector<std::string>& flags() const { return flags_; }

  // The evaluation budget (fuel) of one sample: units charged by user-function calls, builtin
  // calls and string concatenation, the same in the interpreter and in generated code. refuel()
  // (also done by reset()) starts a sample's budget; charge() spends `units` and returns false
  // once the budget is spent, raising kFlagFuelExhausted the first time.
  static constexpr uint64_t kFuel = 10'000'000;
  void refuel() {
    fuel_ = kFuel;
    fuel_out_ = false;
  }
  bool charge(uint64_t units) {
    if (units <= fuel_) {
      fuel_ -= units;
      return true;
    }
    spend_all();
    return false;
  }
  bool fuel_exhausted() const { return fuel_out_; }

  // The judge callback of compiled graders (see rft_ctx_set_judge); kept across reset().
  rft_judge_fn judge_fn = nullptr;
  void* judge_user = nullptr;

 private:
  std::unique_ptr<std::byte[]> first_block_;
  std::pmr::monotonic_buffer_resource arena_;
  std::vector<std::unique_ptr<nlohmann::json>> documents_;
  std::vector<std::string> flags_;
  uint64_t fuel_ = kFuel;
  bool fuel_out_ = false;
  void spend_all();
};

// Raised when a sample's evaluation budget is spent: its total is the reward's on_invalid value
// and every component 0.
inline constexpr std::string_view kFlagFuelExhausted = "fuel_exhausted";

inline std::string_view view(rft_str s) { return {s.ptr, static_cast<size_t>(s.len)}; }
inline std::string_view view_str(const rft_value& v) { return view(v.as.str); }
inline rft_str str_of(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace rft::grader
