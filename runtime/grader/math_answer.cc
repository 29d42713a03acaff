// Math answer builtins: extracting a completion's final answer, and normalizing and comparing
// answers through the reader of math_expr.h. Extraction is a linear scan from the end of the
// completion, so a megabyte of text costs about a millisecond.
#include <optional>
#include <string_view>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/math_expr.h"
#include "runtime/grader/unicode.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

constexpr std::string_view kFlagTooComplex = "math_too_complex";
constexpr std::string_view kFlagBadOrder = "bad_math_order";
// The forms math_extract(s) tries, in order; of forms joined by "|", the one written last wins.
constexpr std::string_view kDefaultOrder = "boxed|answer_is,tag,gsm8k,latex|last_number";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// An answer found in s, and where its form ends in s (which decides between forms joined by
// "|" in an order).
struct Found {
  std::string text;
  size_t end = 0;
};
using Extracted = std::optional<Found>;

Extracted non_empty(std::string_view s, size_t end) {
  s = trim_white_space(s);
  return s.empty() ? Extracted() : Extracted(Found{std::string(s), end});
}

// The content of the last \boxed{...} or \fbox{...}, or of boxes written one after another.
Extracted boxed(std::string_view s) {
  size_t end = 0;
  std::optional<std::string> b = math::boxed_answer(s, &end);
  if (!b) return std::nullopt;
  return Found{std::move(*b), end};
}

// The content of the last <answer>...</answer>.
Extracted tagged(std::string_view s) {
  const size_t close = s.rfind("</answer>");
  if (close == std::string_view::npos) return std::nullopt;
  const size_t open = s.rfind("<answer>", close);
  if (open == std::string_view::npos) return std::nullopt;
  return non_empty(s.substr(open + 8, close - open - 8), close + 9);
}

// The rest of the line after the last "####" (GSM8K's marker).
Extracted gsm8k(std::string_view s) {
  const size_t mark = s.rfind("####");
  if (mark == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(mark + 4);
  rest = rest.substr(0, rest.find('\n'));
  return non_empty(rest, mark + 4 + rest.size());
}

// Surrounding markup that is not part of an answer: "$...$", "**...**", a final period.
std::string_view strip_markup(std::string_view s) {
  for (bool changed = true; changed;) {
    const size_t before = s.size();
    s = trim_white_space(s);
    while (!s.empty() && (s.front() == '$' || s.front() == '*')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == '$' || s.back() == '*' || s.back() == '.')) {
      s.remove_suffix(1);
    }
    changed = s.size() != before;
  }
  return s;
}

// What follows the last "answer is" (any case, any white space between the words), up to the
// end of its sentence or line.
Extracted answer_is(std::string_view s) {
  size_t start = std::string_view::npos;
  for (size_t i = 0; i + 6 <= s.size(); ++i) {
    static constexpr std::string_view kAnswer = "answer";
    size_t k = 0;
    while (k < 6 && (s[i + k] | 0x20) == kAnswer[k]) ++k;
    if (k < 6) continue;
    size_t j = i + 6;
    const size_t gap = j;
    while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n')) ++j;
    if (j == gap || j + 2 > s.size() || (s[j] | 0x20) != 'i' || (s[j + 1] | 0x20) != 's' ||
        (j + 2 < s.size() && is_alnum(s[j + 2]))) {
      continue;
    }
    start = j + 2;
    i = start - 1;
  }
  if (start == std::string_view::npos) return std::nullopt;
  size_t i = start;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ':')) ++i;
  size_t end = i;
  // A period ends the sentence unless a digit follows it ("3.5").
  while (end < s.size() && s[end] != '\n' &&
         !(s[end] == '.' && (end + 1 == s.size() || !is_digit(s[end + 1])))) {
    ++end;
  }
  return non_empty(strip_markup(s.substr(i, end - i)), end);
}

// The content of the last LaTeX math span: $...$, $$...$$, \(...\) or \[...\]. An inline span
// ($, \() ends on its line; "\$" is a dollar sign, not a delimiter. Without spans, the whole
// of s when it reads as math ("\frac{10}{9}", "x^2 + 1").
Extracted latex(std::string_view s) {
  std::optional<std::string_view> found;
  size_t found_end = 0;
  // For each kind of span, the position before which an opening delimiter has no match: a
  // search that failed once is not repeated, so the scan stays linear.
  size_t no_match[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < s.size();) {
    std::string_view close;
    size_t open = 0;
    bool inline_span = false;
    int kind = 0;
    if (s[i] == '\\' && i + 1 < s.size()) {
      if (s[i + 1] == '[') {
        close = "\\]";
        kind = 1;
      } else if (s[i + 1] == '(') {
        close = "\\)";
        inline_span = true;
        kind = 2;
      } else {
        i += 2;  // an escaped character: \$, \\, \{
        continue;
      }
      open = 2;
    } else if (s[i] == '$') {
      const bool display = i + 1 < s.size() && s[i + 1] == '$';
      close = display ? "$$" : "$";
      open = display ? 2 : 1;
      inline_span = !display;
      kind = display ? 3 : 0;
    } else {
      ++i;
      continue;
    }
    if (i < no_match[kind]) {
      i += open;
      continue;
    }
    // The matching close, skipping escaped characters.
    size_t j = i + open;
    size_t end = std::string_view::npos;
    for (; j < s.size(); ++j) {
      if (inline_span && s[j] == '\n') break;
      if (s.substr(j).starts_with(close)) {
        end = j;
        break;
      }
      if (s[j] == '\\') ++j;
    }
    if (end == std::string_view::npos) {
      no_match[kind] = j;
      i += open;  // not a span: go on after the opening delimiter
      continue;
    }
    const std::string_view span = trim_white_space(s.substr(i + open, end - i - open));
    if (!span.empty()) {
      found = span;
      found_end = end + close.size();
    }
    i = end + close.size();
  }
  if (!found) {
    if (math::reads_as_math(s)) return non_empty(s, s.size());
    return std::nullopt;
  }
  return non_empty(strip_markup(*found), found_end);
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Where the number that ends at `end` starts: digits, a decimal point, thousands separators.
size_t number_start(std::string_view s, size_t end) {
  size_t start = end;
  for (;;) {
    if (start > 0 && is_digit(s[start - 1])) {
      --start;
    } else if (start > 0 && s[start - 1] == '.' && start < end && is_digit(s[start])) {
      --start;  // "3.5", and ".4"
      if (start == 0 || !is_digit(s[start - 1])) break;
    } else if (start > 1 && s[start - 1] == ',' && is_digit(s[start - 2]) && start + 3 <= end &&
               is_digit(s[start]) && is_digit(s[start + 1]) && is_digit(s[start + 2]) &&
               (start + 3 == end || !is_digit(s[start + 3]))) {
      --start;
    } else {
      break;
    }
  }
  return start;
}

// The last number written in s, as written: "-1,234.5" in "... is -1,234.5 dollars"; a simple
// fraction "2/3" whole. A number glued to a letter before it ("AZ2") is part of a word.
Extracted last_number(std::string_view s) {
  size_t end = s.size();
  for (;;) {
    while (end > 0 && !is_digit(s[end - 1])) --end;
    if (end == 0) return std::nullopt;
    size_t start = number_start(s, end);
    if (start > 0 && is_alpha(s[start - 1])) {
      end = start;
      continue;
    }
    // "2/3": a fraction of two integers.
    if (start > 1 && s[start - 1] == '/' && is_digit(s[start - 2]) &&
        s.substr(start, end - start).find_first_not_of("0123456789") == std::string_view::npos) {
      const size_t num = number_start(s, start - 1);
      if (s.substr(num, start - 1 - num).find_first_not_of("0123456789") ==
              std::string_view::npos &&
          (num == 0 || !is_alpha(s[num - 1]))) {
        start = num;
      }
    }
    if (start > 0 && s[start - 1] == '-' && (start == 1 || !is_alnum(s[start - 2]))) --start;
    return Found{std::string(s.substr(start, end - start)), end};
  }
}

struct Extractor {
  std::string_view name;
  Extracted (*fn)(std::string_view);
};
constexpr Extractor kExtractors[] = {{"boxed", boxed}, {"tag", tagged},
                                     {"gsm8k", gsm8k}, {"answer_is", answer_is},
                                     {"latex", latex}, {"last_number", last_number}};

// The first form of `order` (comma-separated extractor names) present in s; of names joined by
// "|" ("boxed|answer_is"), the form that ends last in s.
Extracted extract(std::string_view s, std::string_view order, bool* bad_order) {
  while (!order.empty()) {
    const size_t comma = order.find(',');
    std::string_view group = order.substr(0, comma);
    order = comma == std::string_view::npos ? std::string_view() : order.substr(comma + 1);
    Extracted best;
    while (!group.empty()) {
      const size_t bar = group.find('|');
      const std::string_view name = trim_white_space(group.substr(0, bar));
      group = bar == std::string_view::npos ? std::string_view() : group.substr(bar + 1);
      if (name.empty()) continue;
      bool known = false;
      for (const Extractor& e : kExtractors) {
        if (e.name != name) continue;
        known = true;
        Extracted x = e.fn(s);
        if (x && (!best || x->end > best->end)) best = std::move(x);
      }
      if (!known) *bad_order = true;
    }
    if (best) return best;
  }
  return std::nullopt;
}

void report(rft_ctx* ctx, const math::Limits& limits) {
  if (limits.hit) Context::from(ctx).flag(kFlagTooComplex);
}

}  // namespace

RFT_BUILTIN(math_extract) {
  bool bad_order = false;
  const Extracted x = extract(view_str(args[0]), kDefaultOrder, &bad_order);
  *out = x ? rft_string(Context::from(ctx).copy(x->text)) : rft_none();
}

RFT_BUILTIN(math_extract_order) {
  bool bad_order = false;
  const Extracted x = extract(view_str(args[0]), view_str(args[1]), &bad_order);
  if (bad_order) Context::from(ctx).flag(kFlagBadOrder);
  *out = x ? rft_string(Context::from(ctx).copy(x->text)) : rft_none();
}

RFT_BUILTIN(math_normalize) {
  math::Limits limits;
  const std::string s = math::normalize_answer(view_str(args[0]), &limits);
  report(ctx, limits);
  *out = rft_string(Context::from(ctx).copy(s));
}

RFT_BUILTIN(math_value) {
  math::Limits limits;
  const std::optional<double> v = math::answer_value(view_str(args[0]), &limits);
  report(ctx, limits);
  *out = v ? rft_num(*v) : rft_none();
}

RFT_BUILTIN(math_equal) {
  math::Limits limits;
  *out = rft_bool(math::answers_equal(view_str(args[0]), view_str(args[1]), args[2].as.num,
                                      args[3].as.num, &limits));
  report(ctx, limits);
}

namespace {

constexpr Builtin kMath[] = {
    RFT_ENTRY(math_extract, "math_extract(s: str) -> str?",
              "The final answer in s: boxed|answer_is (the later), else tag, gsm8k, then "
              "latex|last_number."),
    RFT_ENTRY(math_extract_order, "math_extract(s: str, order: str) -> str?",
              "The final answer in s in the first form of a comma-separated order present."),
    RFT_ENTRY(
        math_normalize, "math_normalize(s: str) -> str",
        "An answer in canonical plain form, such as 1/2 for \\frac{1}{2} or {1, 2} for \\{2,1\\}."),
    RFT_ENTRY(math_value, "math_value(s: str) -> num?",
              "The value of an answer that is a constant expression, or none."),
    RFT_ENTRY(
        math_equal, "math_equal(a: str, b: str, rel_tol: num = 1e-6, abs_tol: num = 1e-9) -> bool",
        "Whether two answers are equal as numbers, expressions, tuples, intervals, sets or text."),
};

}  // namespace

std::span<const Builtin> math_builtins() {
  return kMath;
}

}  // namespace rft::grader
