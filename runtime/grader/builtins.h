// The table of builtin functions that the checker types, the interpreter calls and generated
// code links against. Every entry is one overload with one C entry point of type rft_builtin_fn.
#pragma once

#include <span>
#include <string_view>

#include "runtime/grader/value.h"

namespace rft::grader {

struct Builtin {
  // The overload's signature in the language's own syntax, e.g.
  //   "contains(s: str, sub: str, ignore_case: bool = false) -> bool"
  //   "count(xs: list<T>, x: T) -> num"      (T is a type variable, bound per call)
  // Defaults are literals; the checker fills them in, so `fn` always receives every argument.
  std::string_view signature;
  // The exported C symbol of `fn`, which ahead-of-time graders link against.
  std::string_view symbol;
  rft_builtin_fn fn;
  // One sentence for the language reference and diagnostics.
  std::string_view doc;
};

// All builtins, grouped by area (text, regex, numbers, json, lists, environment).
std::span<const Builtin> builtins();

}  // namespace rft::grader
