// Reading and comparing final answers of math problems: a bounded cleanup of LaTeX and prose
// ("\$1,234", "\frac{1}{2}", "5 cm", "x = 3"), a recursive-descent parser of the result into an
// expression tree (numbers, + - * / ^, !, sqrt, trig, logs, pi, e, variables, tuples,
// intervals, sets, unions), and an evaluator over doubles that also keeps an exact rational
// where that is cheap.
//
// Every function here is pure, thread-safe and bounded: inputs over kMaxAnswerBytes, nesting
// over kMaxDepth and comparisons over a fixed work budget are refused (reported through
// `Limits`), so no input takes more than about a millisecond.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rft::grader::math {

// Longer answers are not parsed: they compare byte for byte after trimming.
inline constexpr size_t kMaxAnswerBytes = 4096;
// Recursion depth of the parser: each bracket, fraction, root, power or sign takes one or two
// levels, so about 60 nested brackets are read.
inline constexpr int kMaxDepth = 128;

// What a call ran into; the builtins turn it into a flag.
struct Limits {
  bool hit = false;  // a cap stopped the work: the result fell back to comparing text
};

// The content of the last \boxed{...} or \fbox{...} whose braces close (braces nest to any
// depth, \{ \} inside do not count); boxes written one after another and separated only by
// commas, "and" or spacing ("\boxed{1}, \boxed{2}") are one answer, their contents joined by
// ", ". nullopt when there is none or its content is blank.
// `end`, when given, receives where the last box ends in s.
std::optional<std::string> boxed_answer(std::string_view s, size_t* end);

// Longer texts are never read whole as an answer by reads_as_math.
inline constexpr size_t kMaxWholeAnswerBytes = 512;

// Whether s, all of it, reads as math ("\frac{10}{9}", "x^2 + 1", "(1, 2)") rather than prose;
// false for texts over kMaxWholeAnswerBytes.
bool reads_as_math(std::string_view s);

// The canonical plain form of an answer: "1/2" for \frac{1}{2}, "2*sqrt(2)" for 2\sqrt{2},
// "{1, 2}" for \{2,1\}, "[0, 1)" for [0,1); text that is not math is cleaned and its white
// space collapsed ("\text{Paris}" gives "Paris").
std::string normalize_answer(std::string_view s, Limits* limits);

// The value of an answer that is one number or a constant expression ("\frac{\pi}{2}",
// "\$1,234", "50\%" gives 50); nullopt for text, tuples, sets, free variables or undefined
// results (division by zero, overflow).
std::optional<double> answer_value(std::string_view s, Limits* limits);

// Whether two answers mean the same. Numbers and constant expressions compare with Python's
// math.isclose(rel_tol, abs_tol) (or exactly, as rationals, when both are rational); expressions
// with free variables compare at four fixed points per variable; tuples and intervals compare
// item by item with the same brackets; sets and unions compare as sets. Text compares after
// cleanup, ignoring ASCII case and runs of white space. `a` is the prediction and `b` the
// reference; only a reference may leave its last \boxed{ unclosed (read to its end).
bool answers_equal(std::string_view a, std::string_view b, double rel_tol, double abs_tol,
                   Limits* limits);

}  // namespace rft::grader::math
