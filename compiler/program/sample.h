// What every engine takes and gives: a sample (the prompt, the completion, the dataset row, whether
// the completion was cut off) and its grade (the total, the components, the flags). The
// interpreter, compiled graders (through runtime/grader/abi.h) and every front end share them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rft {

struct Sample {
  std::string_view prompt;
  std::string_view completion;
  const nlohmann::json* item = nullptr;  // the dataset row; its fields are the item's
  bool truncated = false;  // the completion was cut off at the token limit (finish "length")
};

struct Grade {
  double total = 0;
  std::vector<double> components;  // in declaration order, never NaN or inf
  std::vector<double> monitors;    // likewise; logged, never part of the total
  std::vector<std::string> flags;
  // Every let, component and monitor with its value as text, in source order (explain only).
  struct Binding {
    std::string name;
    std::string kind;  // "let", "component" or "monitor"
    std::string value;
    bool evaluated = false;
  };
  std::vector<Binding> bindings;
};

}  // namespace rft
