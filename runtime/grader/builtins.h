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

// All builtins: the concatenation of the area tables below, in that order.
std::span<const Builtin> builtins();

// One table per area, each defined next to its implementations.
std::span<const Builtin> core_builtins();        // builtins.cc: text, regex, numbers, JSON, lists, environment
std::span<const Builtin> math_builtins();        // math_answer.cc: answer normalization and equivalence
std::span<const Builtin> similarity_builtins();  // similarity.cc: edit distance, BLEU, ROUGE, token F1
std::span<const Builtin> instruction_builtins(); // instructions.cc: instruction-following checks, JSON Schema
std::span<const Builtin> safety_builtins();      // safety.cc: repetition, PII, penalties
std::span<const Builtin> code_builtins();        // code.cc: fenced code extraction, sandboxed execution
std::span<const Builtin> ifeval_builtins();      // ifeval.cc: Google IFEval's checks, verdict for verdict

}  // namespace rft::grader
