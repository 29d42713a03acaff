#include "runtime/grader/builtins.h"

#include <vector>

#include "runtime/grader/builtin_fns.h"

namespace rft::grader {

namespace {

constexpr Builtin kCore[] = {
    // Text. Positions and lengths count Unicode code points.
    RFT_ENTRY(len_str, "len(s: str) -> num", "The number of code points in s."),
    RFT_ENTRY(byte_len, "byte_len(s: str) -> num", "The number of UTF-8 bytes in s."),
    RFT_ENTRY(lower, "lower(s: str) -> str",
              "s in lower case, one code point at a time (Unicode simple mappings, every script)."),
    RFT_ENTRY(upper, "upper(s: str) -> str",
              "s in upper case, one code point at a time (Unicode simple mappings, every script)."),
    RFT_ENTRY(trim, "trim(s: str) -> str", "s without leading and trailing Unicode white space."),
    RFT_ENTRY(trim_start, "trim_start(s: str) -> str", "s without leading Unicode white space."),
    RFT_ENTRY(trim_end, "trim_end(s: str) -> str", "s without trailing Unicode white space."),
    RFT_ENTRY(contains_str, "contains(s: str, sub: str, ignore_case: bool = false) -> bool",
              "Whether sub occurs in s, optionally comparing both in lower case."),
    RFT_ENTRY(starts_with, "starts_with(s: str, prefix: str) -> bool",
              "Whether s begins with prefix."),
    RFT_ENTRY(ends_with, "ends_with(s: str, suffix: str) -> bool", "Whether s ends with suffix."),
    RFT_ENTRY(find, "find(s: str, sub: str) -> num?",
              "The code point index of the first occurrence of sub in s, or none."),
    RFT_ENTRY(replace, "replace(s: str, from: str, to: str) -> str",
              "s with every non-overlapping occurrence of from replaced by to, left to right."),
    RFT_ENTRY(split, "split(s: str, sep: str) -> list<str>",
              "The pieces of s between occurrences of sep (each code point when sep is empty)."),
    RFT_ENTRY(words, "words(s: str) -> list<str>",
              "The non-empty pieces of s between runs of Unicode white space."),
    RFT_ENTRY(lines, "lines(s: str) -> list<str>",
              "The lines of s, split at \\n with a trailing \\r removed from each."),
    RFT_ENTRY(join, "join(xs: list<str>, sep: str = \"\") -> str",
              "The strings of xs concatenated with sep between them."),
    RFT_ENTRY(slice_str, "slice(s: str, start: num, end: num) -> str",
              "The code points of s from start up to end, with Python slice rules."),
    RFT_ENTRY(count_str, "count(s: str, sub: str) -> num",
              "The number of non-overlapping occurrences of sub in s (0 for an empty sub)."),
    RFT_ENTRY(str_num, "str(x: num) -> str", "x as the shortest decimal that reads back exactly."),
    RFT_ENTRY(str_bool, "str(b: bool) -> str", "\"true\" or \"false\"."),

    // Regular expressions (RE2 syntax, compiled when the grader is loaded).
    RFT_ENTRY(matches, "matches(s: str, re: regex) -> bool", "Whether re matches anywhere in s."),
    RFT_ENTRY(full_match, "full_match(s: str, re: regex) -> bool", "Whether re matches all of s."),
    RFT_ENTRY(capture, "capture(s: str, re: regex, group: num = 1) -> str?",
              "The text of a group (0: the whole match) in the first match of re in s, or none."),
    RFT_ENTRY(find_all, "find_all(s: str, re: regex) -> list<str>",
              "Every non-overlapping match of re in s: group 1 if re has groups, else the match."),
    RFT_ENTRY(count_matches, "count_matches(s: str, re: regex) -> num",
              "The number of non-overlapping matches of re in s."),
    RFT_ENTRY(regex_replace, "regex_replace(s: str, re: regex, rewrite: str) -> str",
              "s with every match of re replaced by rewrite, where \\1 inserts group 1."),

    // Numbers (IEEE doubles: NaN and infinities flow through).
    RFT_ENTRY(num_str, "num(s: str) -> num?",
              "s read as a decimal number such as -1.5e3, or none if s is anything else."),
    RFT_ENTRY(num_bool, "num(b: bool) -> num", "1 for true, 0 for false."),
    RFT_ENTRY(num_json, "num(j: json) -> num?",
              "A JSON number, or a JSON string read as num(s) does, else none."),
    RFT_ENTRY(numbers, "numbers(s: str) -> list<num>",
              "Every number written in s, in reading order, such as -3, 1,234.5 and 2e-3."),
    RFT_ENTRY(abs, "abs(x: num) -> num", "The absolute value of x."),
    RFT_ENTRY(floor, "floor(x: num) -> num", "The largest integer not above x."),
    RFT_ENTRY(ceil, "ceil(x: num) -> num", "The smallest integer not below x."),
    RFT_ENTRY(sqrt, "sqrt(x: num) -> num", "The square root of x (NaN for negative x)."),
    RFT_ENTRY(exp, "exp(x: num) -> num", "e raised to the power x."),
    RFT_ENTRY(log, "log(x: num) -> num", "The natural logarithm of x (-inf at 0, NaN below)."),
    RFT_ENTRY(pow, "pow(x: num, y: num) -> num", "x raised to the power y."),
    RFT_ENTRY(round, "round(x: num, digits: num = 0) -> num",
              "x rounded half away from zero to digits decimals (negative: tens, hundreds...)."),
    RFT_ENTRY(min_num, "min(a: num, b: num) -> num", "The smaller of a and b (NaN if either is)."),
    RFT_ENTRY(max_num, "max(a: num, b: num) -> num", "The larger of a and b (NaN if either is)."),
    RFT_ENTRY(min_list, "min(xs: list<num>) -> num?",
              "The smallest number in xs, NaN if any is NaN, none if xs is empty."),
    RFT_ENTRY(max_list, "max(xs: list<num>) -> num?",
              "The largest number in xs, NaN if any is NaN, none if xs is empty."),
    RFT_ENTRY(clamp, "clamp(x: num, lo: num, hi: num) -> num",
              "x limited to [lo, hi]; lo if lo > hi, NaN if any argument is NaN."),
    RFT_ENTRY(is_finite, "is_finite(x: num) -> bool", "Whether x is neither infinite nor NaN."),
    RFT_ENTRY(approx, "approx(a: num, b: num, rel_tol: num = 1e-9, abs_tol: num = 1e-12) -> bool",
              "Whether a and b are close, as Python's math.isclose decides."),

    // JSON.
    RFT_ENTRY(json, "json(s: str) -> json?",
              "s parsed as one JSON document, or none if invalid or nested over 256 deep."),
    RFT_ENTRY(get, "get(j: json, path: str) -> json?",
              "The node at a path such as a.b[0].c or [\"key.with.dots\"], or none."),
    RFT_ENTRY(json_member, "json_member(j: json, key: str) -> json?",
              "The member key of object j, or none."),
    RFT_ENTRY(json_index, "json_index(j: json, i: num) -> json?",
              "Element i of array j (negative counts from the end), or none."),
    RFT_ENTRY(as_str, "as_str(j: json) -> str?", "The JSON string j, or none if j is not one."),
    RFT_ENTRY(as_num, "as_num(j: json) -> num?", "The JSON number j, or none if j is not one."),
    RFT_ENTRY(as_bool, "as_bool(j: json) -> bool?", "The JSON boolean j, or none if j is not one."),
    RFT_ENTRY(as_list, "as_list(j: json) -> list<json>?",
              "The elements of JSON array j, or none if j is not an array."),
    RFT_ENTRY(keys, "keys(j: json) -> list<str>?",
              "The member names of object j sorted bytewise, or none if j is not an object."),
    RFT_ENTRY(has, "has(j: json, key: str) -> bool", "Whether j is an object with member key."),
    RFT_ENTRY(type_of, "type_of(j: json) -> str",
              "One of \"null\", \"bool\", \"number\", \"string\", \"array\", \"object\"."),
    RFT_ENTRY(dump, "dump(j: json) -> str", "j as compact JSON text."),
    RFT_ENTRY(len_json, "len(j: json) -> num?",
              "The size of an array or object, the code points of a string, else none."),

    // Lists.
    RFT_ENTRY(len_list, "len(xs: list<T>) -> num", "The number of items in xs."),
    RFT_ENTRY(slice_list, "slice(xs: list<T>, start: num, end: num) -> list<T>",
              "The items of xs from start up to end, with Python slice rules."),
    RFT_ENTRY(sum, "sum(xs: list<num>) -> num", "The sum of xs (0 when empty), compensated."),
    RFT_ENTRY(mean, "mean(xs: list<num>) -> num?",
              "The arithmetic mean of xs, or none if xs is empty."),
    RFT_ENTRY(any, "any(xs: list<bool>) -> bool", "Whether some item of xs is true."),
    RFT_ENTRY(all, "all(xs: list<bool>) -> bool",
              "Whether every item of xs is true (true if empty)."),
    RFT_ENTRY(count_list, "count(xs: list<T>, x: T) -> num",
              "The number of items of xs equal to x."),
    RFT_ENTRY(contains_list, "contains(xs: list<T>, x: T) -> bool",
              "Whether some item of xs equals x."),
    RFT_ENTRY(first, "first(xs: list<T>) -> T?", "The first item of xs, or none if empty."),
    RFT_ENTRY(last, "last(xs: list<T>) -> T?", "The last item of xs, or none if empty."),

    // Environment.
    RFT_ENTRY(env, "env(name: str) -> str?",
              "The value of environment variable name, or none if unset."),
    RFT_ENTRY(env_default, "env(name: str, default: str) -> str",
              "The value of environment variable name, or default if unset."),
};

}  // namespace

std::span<const Builtin> core_builtins() { return kCore; }

std::span<const Builtin> builtins() {
  static const std::vector<Builtin> all = [] {
    std::vector<Builtin> v;
    for (auto area : {core_builtins(), math_builtins(), similarity_builtins(),
                      instruction_builtins(), safety_builtins(), code_builtins(),
                      ifeval_builtins()}) {
      v.insert(v.end(), area.begin(), area.end());
    }
    return v;
  }();
  return all;
}

}  // namespace rft::grader
