// Regular expressions: RE2 (linear time, no backtracking), compiled once when a grader is loaded.
// A regex value is rft_value{tag = RFT_REGEX, as.regex = const re2::RE2*}.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "runtime/common/expected.h"
#include "runtime/grader/value.h"

namespace rft::grader {

// Memory RE2 may use per regex (compiled program and DFA cache); bigger patterns fail to compile.
inline constexpr int64_t kRegexMaxMem = int64_t{16} << 20;
// Raised by regex_replace when its rewrite string is invalid for the regex (e.g. "\2" with one
// group, or a backslash before something other than a digit or a backslash).
inline constexpr std::string_view kFlagBadRewrite = "bad_rewrite";

// Compiles `pattern` (UTF-8, RE2 syntax); a failure is RE2's message on one line.
Expected<std::unique_ptr<re2::RE2>> compile_regex(std::string_view pattern);

inline rft_value regex_value(const re2::RE2* re) {
  rft_value v = rft_none();
  v.tag = RFT_REGEX;
  v.as.regex = re;
  return v;
}

}  // namespace rft::grader
