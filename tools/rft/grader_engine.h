// The grading engine as the rft commands use it: opened with errors reported on stderr, and
// adapted to the training loop's grading callback.
#pragma once

#include <memory>
#include <string>

#include "compiler/engine/grader_engine.h"
#include "runtime/train/train.h"

namespace rft::cli {

// Loads `spec`, finds `reward` and prepares `engine` ("jit", "aot" or "interp"). On failure
// prints the diagnostics or the message (prefixed with `command`) and returns null; warnings are
// printed either way.
std::unique_ptr<GraderEngine> open_grader(const std::string& command, const std::string& spec,
                                          const std::string& reward, const std::string& engine,
                                          bool use_cache = true);

// Grades rollouts in one batch on `threads` threads (0: all cores).
train::GradeFn grade_fn(const GraderEngine& grader, int threads = 0);

}  // namespace rft::cli
