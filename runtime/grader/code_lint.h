// std.code's linting (lint_code, in code.cc): the languages it lints, the style guides it takes
// and the tools it needs, for the builtin and for the checks before grading starts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace rft::grader {

// "python", "cpp" or "shell" for a language name lint_code accepts ("py", "c++", "sh", "bash",
// ...); empty for any other.
std::string lint_language(std::string_view name);

// Empty when `style` is a style guide lint_code accepts for `lang` (a name lint_language knows;
// empty: for some language); else what is wrong with it, e.g. an unknown rule name.
std::string lint_style_problem(std::string_view lang, const nlohmann::json& style);

// Empty when the linters of `lang` (empty: of every language) are installed; else which is
// missing and the Debian package that provides it. `root` prefixes their paths (tests).
std::string lint_tools_problem(std::string_view lang, std::string_view root = "");

}  // namespace rft::grader
