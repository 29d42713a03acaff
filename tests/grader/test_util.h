// Helpers for the builtin tests: builtins are looked up through the table by their exact
// signature, so every test also checks that the table entry exists and is wired correctly.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/value.h"

namespace rft::grader::testing {

inline constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// A signature of the table split into its parts: "name(p: T, q: U = lit) -> R".
struct Param {
  std::string name, type, default_value;  // default_value empty when there is none
};
struct Signature {
  std::string name;
  std::vector<Param> params;
  std::string result;
};
// Parses the simple signature form; nullopt when it does not match.
std::optional<Signature> parse_signature(std::string_view text);

// Whether a value could be of the given type ("num", "list<str>", "T?", ...).
bool value_has_type(const rft_value& v, std::string_view type);

// A readable rendering for expectations: none, true, 42, "text", [1, "a"], json:{"a":1}, regex.
std::string show(const rft_value& v);

// One expected call: the builtin's exact signature, its arguments, and show() of the result.
struct Case {
  std::string_view signature;
  std::vector<rft_value> args;
  std::string want;
};

class BuiltinTest : public ::testing::Test {
 protected:
  // Calls the builtin with exactly this signature. Fails the test if there is none, if the
  // argument count is wrong, or if the result does not have the declared result type.
  rft_value call(std::string_view signature, const std::vector<rft_value>& args);
  // Runs every case and compares show(result) with `want`.
  void expect_calls(const std::vector<Case>& cases);

  // Argument constructors. S copies into the arena so temporaries are fine; V makes a view.
  rft_value S(std::string_view s);
  static rft_value V(std::string_view s);
  static rft_value N(double x);
  static rft_value B(bool b);
  rft_value L(std::initializer_list<rft_value> items);
  rft_value Ls(std::initializer_list<std::string_view> items);
  rft_value Ln(std::initializer_list<double> items);
  // Parsed JSON (the test fails if the text is invalid) and a compiled regex.
  rft_value J(std::string_view text);
  rft_value R(std::string_view pattern);

  bool flagged(std::string_view flag) const;

  Context ctx_;

 private:
  std::deque<std::unique_ptr<re2::RE2>> regexes_;
};

}  // namespace rft::grader::testing
