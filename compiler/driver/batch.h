// Batch grading of JSONL datasets (`rft grade`): rows in, one result line per row out, in input
// order, graded on a thread pool.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/interp/interpreter.h"

namespace rft {

struct BatchOptions {
  int threads = 0;          // 0: all cores
  size_t chunk_rows = 4096;  // rows read, graded and written at a time (bounds memory)
};

struct BatchSummary {
  size_t rows = 0;    // rows graded or rejected (blank lines do not count)
  size_t errors = 0;  // rows rejected: not JSON, no completion, item fields missing, ...
  double seconds = 0;
  double total_sum = 0;
  std::vector<std::string> component_names;
  std::vector<double> component_sums;  // over graded rows
  size_t flagged = 0;                  // graded rows with at least one flag
};

// Reads JSONL from `in`: each line an object with a string `completion`, an optional string
// `prompt`, and the fields of the spec's `item`. Writes one JSON line per non-blank input line
// to `out`, in input order:
//   {"line":3,"total":1.2,"components":{"correct":1,...},"flags":[...]}
//   {"line":4,"error":"`completion` is missing"}
// A bad row never stops the batch. `progress` (optional) is called with the rows done so far.
BatchSummary grade_jsonl(const ast::RewardDecl& reward, const ast::ItemDecl* item,
                         const interp::Interpreter& interp, std::istream& in, std::ostream& out,
                         const BatchOptions& options,
                         const std::function<void(size_t)>& progress = nullptr);

}  // namespace rft
