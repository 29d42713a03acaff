// The server's grading endpoint (/v1/grade): completions graded with the reward that
// `rft serve --spec SPEC --reward NAME` loaded, so that a client (the playground page, a script)
// sees each answer's total and components the way training would score it.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/common/expected.h"
#include "runtime/serve/api_error.h"

namespace rft {
class GraderEngine;
}

namespace rft::serve {

class Grading {
 public:
  // `grader` must outlive this. `threads`: grading threads for one request (0: all cores).
  Grading(const GraderEngine& grader, std::string spec, int threads);

  // GET /v1/grade: the reward, its components and monitors (with their types, and whether they
  // call a judge),
  // the judges it calls and the item fields a sample must carry.
  nlohmann::ordered_json describe() const;

  // POST /v1/grade: {"samples": [{"completion", "prompt"?, "item"?}, ...]} graded in one batch;
  // one result per sample, in order, each {"index", "total", "components", "monitors" (when the
  // reward has any), "flags"} or
  // {"index", "error"} for a sample that cannot be graded (an item field missing, ...).
  Expected<nlohmann::ordered_json, ApiError> grade(std::string_view body) const;

  static constexpr size_t kMaxSamples = 1024;

 private:
  const GraderEngine& grader_;
  std::string spec_;
  int threads_;
};

}  // namespace rft::serve
