// Environment lookups, for graders configured by the job (API endpoints, thresholds as text).
#include <cstdlib>
#include <optional>
#include <string>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/context.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

// The variable's value, copied into the arena (getenv's storage may change later) and made
// valid UTF-8; none when unset or when the name cannot be a variable name.
std::optional<rft_value> lookup(rft_ctx* ctx, std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos ||
      name.find('=') != std::string_view::npos) {
    return std::nullopt;
  }
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return rft_string(Context::from(ctx).copy(sanitize_utf8(value, nullptr)));
}

}  // namespace

RFT_BUILTIN(env) { *out = lookup(ctx, view_str(args[0])).value_or(rft_none()); }

RFT_BUILTIN(env_default) { *out = lookup(ctx, view_str(args[0])).value_or(args[1]); }

}  // namespace rft::grader
