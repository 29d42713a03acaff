// Operations on rft_values shared by the builtins, the interpreter and generated code:
// equality, number formatting, string concatenation and constructors for arena-backed values.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "runtime/grader/context.h"
#include "runtime/grader/value.h"

extern "C" {
// 1 when the two values are equal under values_equal, else 0.
int rft_value_equal(const rft_value* a, const rft_value* b);
// a followed by b, in the context's arena (or a view of a / b when the other is empty); a result
// over kMaxResultBytes is refused (kFlagResultTooLarge, a is returned). Charges the evaluation
// budget 1 unit, plus 1 per 64 bytes of a result it builds.
rft_str rft_str_concat(rft_ctx* ctx, rft_str a, rft_str b);
}

namespace rft::grader {

// Results that could grow beyond this many bytes (replace, regex_replace, join: output size is a
// product of input sizes; `+` on strings, which doubling grows exponentially) are refused: the
// builtin raises kFlagResultTooLarge and returns its input unchanged (join: the empty string)
// instead of exhausting memory.
inline constexpr size_t kMaxResultBytes = size_t{256} << 20;
inline constexpr std::string_view kFlagResultTooLarge = "result_too_large";
// Whether base + count * each bytes would exceed kMaxResultBytes (without overflowing).
inline bool exceeds_result_limit(size_t base, size_t count, size_t each) {
  return base > kMaxResultBytes || (each != 0 && count > (kMaxResultBytes - base) / each);
}

// Deep equality: numbers by == (so NaN != NaN and -0 == 0), strings by bytes, JSON by value
// (nlohmann semantics: 1 == 1.0), lists elementwise, none == none, regexes by identity.
// Values with different tags are unequal.
bool values_equal(const rft_value& a, const rft_value& b);

// The shortest decimal that round-trips, laid out like JavaScript's Number::toString: "42",
// "0.1", "1.5e-7", "100000000000000000000", "1e+21"; "-0" prints "0"; "nan", "inf", "-inf".
std::string format_num(double x);

inline rft_value str_value(std::string_view s) { return rft_string(str_of(s)); }
inline rft_value json_value(const void* j) {
  rft_value v = rft_none();
  v.tag = RFT_JSON;
  v.as.json = j;
  return v;
}
inline rft_value list_value(const rft_value* items, size_t n) {
  rft_value v = rft_none();
  v.tag = RFT_LIST;
  v.as.list = {n == 0 ? nullptr : items, n};
  return v;
}
inline std::span<const rft_value> items_of(const rft_value& list) {
  return {list.as.list.items, static_cast<size_t>(list.as.list.len)};
}

// The half-open range [begin, end) of a sequence of length n that slice(xs, start, end) selects,
// with Python semantics: indexes are truncated toward zero (NaN counts as 0), negative ones
// count from the end, and both are clamped to [0, n]; end < begin selects nothing.
struct SliceBounds {
  size_t begin, end;
};
SliceBounds slice_bounds(double start, double end, size_t n);

// A list (nested to any depth) with every bool item turned into the number 0 or 1: how a
// list<bool>, or a literal such as [true, 2], becomes the list<num> a parameter or a declared type
// asks for. Returns `v` itself when it holds no bools (or is not a list).
rft_value numeric_list(Context& ctx, const rft_value& v);

// A list value whose items are copied into the context's arena.
rft_value make_list(Context& ctx, std::span<const rft_value> items);
// A list of string views; the bytes are not copied, so they must live at least as long as the
// list (views of an input or of the arena).
rft_value make_str_list(Context& ctx, std::span<const std::string_view> items);

}  // namespace rft::grader
