// Builtin signatures, parsed once from the table in runtime/grader/builtins.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "compiler/ast/type.h"

namespace rft::grader {
struct Builtin;
}

namespace rft::check {

using Literal = std::variant<double, bool, std::string>;

struct Signature {
  std::string name;
  struct Param {
    std::string name;
    const types::Type* type = nullptr;
    std::optional<Literal> default_value;
  };
  std::vector<Param> params;
  const types::Type* result = nullptr;
  const grader::Builtin* builtin = nullptr;

  std::string to_string() const;  // "contains(s: str, sub: str, ignore_case: bool = false) -> bool"
};

// Every builtin overload. Aborts at start-up if the table holds a malformed signature (a bug in
// rft, caught by the tests).
const std::vector<Signature>& builtin_signatures();
std::vector<const Signature*> builtin_overloads(std::string_view name);
std::vector<std::string> builtin_names();

// Parses a type in signature syntax: num, str?, list<T>, ... Returns null if malformed.
const types::Type* parse_signature_type(std::string_view text);

}  // namespace rft::check
