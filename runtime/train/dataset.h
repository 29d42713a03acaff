// Training and evaluation data: JSONL, one example per line. An example has `prompt` (text) or
// `messages` (a chat: [{"role": ..., "content": ...}], formatted with the model's chat format),
// for SFT a `completion`, and any other fields, which become `item` for the reward spec.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/model/chat_format.h"
#include "runtime/model/tokenizer.h"

namespace rft::train {

struct Example {
  size_t line = 0;                          // 1-based line in the file
  std::string prompt;                       // when the row has `prompt`
  std::vector<model::ChatMessage> messages;  // when the row has `messages`
  std::string completion;                   // SFT target (`completion`), if present
  nlohmann::json row;                       // the whole row: the spec's `item`
  bool is_chat() const { return !messages.empty(); }
};

struct Dataset {
  std::string path;
  std::vector<Example> examples;
};

// A problem with one row, reported before any training starts.
struct RowError {
  size_t line = 0;
  std::string message;  // "`prompt` is missing", "field `answer`: expected str, found a number"
};

// What load_dataset checks for each row besides its shape.
struct DatasetRequirements {
  bool need_completion = false;  // SFT
  // Checks a row against the reward's `item` declaration; returns one message per problem (empty
  // when it fits). Null: no check.
  std::function<std::vector<std::string>(const nlohmann::json&)> check_item;
};

// Reads a JSONL file. Every bad row is reported (by line, up to a limit) and the result is an
// error naming the file: "train.jsonl: 3 bad rows:\n  line 4: ...". Blank lines are skipped.
// An empty dataset is an error.
Expected<Dataset> load_dataset(const std::string& path, const DatasetRequirements& req);

// The text given to the model for an example: `prompt` as it is, or `messages` in the
// tokenizer's chat format with the assistant header appended (an error when the tokenizer has no
// chat format rft knows).
Expected<std::string> prompt_text(const Example& example, const model::Tokenizer& tokenizer);

}  // namespace rft::train
