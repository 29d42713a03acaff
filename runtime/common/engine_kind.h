// Which engine grades a reward: the reference interpreter, code compiled in process (the ORC
// JIT), or a shared object built for it (ahead of time). Named once here for every place that
// reads the choice (job files, the commands' --engine, Python's `engine=`).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rft {

enum class EngineKind { kJit, kAot, kInterp };

// The names, in the order help texts list them.
inline constexpr std::array<std::pair<std::string_view, EngineKind>, 3> kEngineKinds = {{
    {"jit", EngineKind::kJit},
    {"aot", EngineKind::kAot},
    {"interp", EngineKind::kInterp},
}};

inline std::string_view engine_name(EngineKind kind) {
  for (const auto& [name, k] : kEngineKinds) {
    if (k == kind) return name;
  }
  return "?";
}

// The kind called `name`, or none.
inline std::optional<EngineKind> parse_engine_kind(std::string_view name) {
  for (const auto& [n, k] : kEngineKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

// "jit, aot or interp", for messages.
inline std::string engine_choices() {
  std::string out;
  for (size_t i = 0; i < kEngineKinds.size(); ++i) {
    if (i > 0) out += i + 1 == kEngineKinds.size() ? " or " : ", ";
    out += kEngineKinds[i].first;
  }
  return out;
}

}  // namespace rft
