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
// The forms math_extract(s) tries, in order.
constexpr std::string_view kDefaultOrder = "boxed,tag,gsm8k,answer_is,last_number";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

using Extracted = std::optional<std::string_view>;

Extracted non_empty(std::string_view s) {
  s = trim_white_space(s);
  return s.empty() ? Extracted() : s;
}

// The content of the last \boxed{...} or \fbox{...} whose braces close; braces nest to any
// depth, and \{ \} inside do not count.
Extracted boxed(std::string_view s) {
  struct Open {
    size_t content;  // where the group's content starts
    bool box;        // whether the group is a box's argument
  };
  std::vector<Open> open;
  Extracted found;
  size_t found_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      const std::string_view rest = s.substr(i);
      if (rest.starts_with("\\boxed{") || rest.starts_with("\\fbox{")) {
        i += rest[1] == 'b' ? 6 : 5;
        open.push_back({i + 1, true});
      } else if (rest.size() > 1 && (rest[1] == '{' || rest[1] == '}')) {
        ++i;
      }
    } else if (c == '{') {
      open.push_back({i + 1, false});
    } else if (c == '}' && !open.empty()) {
      const Open o = open.back();
      open.pop_back();
      if (o.box && (!found || o.content > found_start)) {
        found = s.substr(o.content, i - o.content);
        found_start = o.content;
      }
    }
  }
  return found ? non_empty(*found) : std::nullopt;
}

// The content of the last <answer>...</answer>.
Extracted tagged(std::string_view s) {
  const size_t close = s.rfind("</answer>");
  if (close == std::string_view::npos) return std::nullopt;
  const size_t open = s.rfind("<answer>", close);
  if (open == std::string_view::npos) return std::nullopt;
  return non_empty(s.substr(open + 8, close - open - 8));
}

// The rest of the line after the last "####" (GSM8K's marker).
Extracted gsm8k(std::string_view s) {
  const size_t mark = s.rfind("####");
  if (mark == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(mark + 4);
  rest = rest.substr(0, rest.find('\n'));
  return non_empty(rest);
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
  return non_empty(strip_markup(s.substr(i, end - i)));
}

// The last number written in s, as written: "-1,234.5" in "... is -1,234.5 dollars".
Extracted last_number(std::string_view s) {
  size_t end = s.size();
  while (end > 0 && !is_digit(s[end - 1])) --end;
  if (end == 0) return std::nullopt;
  size_t start = end;
  for (;;) {
    if (start > 0 && is_digit(s[start - 1])) {
      --start;
    } else if (start > 1 && s[start - 1] == '.' && is_digit(s[start - 2])) {
      --start;
    } else if (start > 1 && s[start - 1] == ',' && is_digit(s[start - 2]) && start + 3 <= end &&
               is_digit(s[start]) && is_digit(s[start + 1]) && is_digit(s[start + 2]) &&
               (start + 3 == end || !is_digit(s[start + 3]))) {
      --start;
    } else {
      break;
    }
  }
  if (start > 0 && s[start - 1] == '-' && (start == 1 || !is_alnum(s[start - 2]))) --start;
  return s.substr(start, end - start);
}

struct Extractor {
  std::string_view name;
  Extracted (*fn)(std::string_view);
};
constexpr Extractor kExtractors[] = {{"boxed", boxed},
                                     {"tag", tagged},
                                     {"gsm8k", gsm8k},
                                     {"answer_is", answer_is},
                                     {"last_number", last_number}};

// The first form of `order` (comma-separated extractor names) present in s.
Extracted extract(std::string_view s, std::string_view order, bool* bad_order) {
  while (!order.empty()) {
    const size_t comma = order.find(',');
    const std::string_view name = trim_white_space(order.substr(0, comma));
    order = comma == std::string_view::npos ? std::string_view() : order.substr(comma + 1);
    if (name.empty()) continue;
    bool known = false;
    for (const Extractor& e : kExtractors) {
      if (e.name != name) continue;
      known = true;
      if (const Extracted x = e.fn(s)) return x;
    }
    if (!known) *bad_order = true;
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
  *out = x ? str_value(*x) : rft_none();
}

RFT_BUILTIN(math_extract_order) {
  bool bad_order = false;
  const Extracted x = extract(view_str(args[0]), view_str(args[1]), &bad_order);
  if (bad_order) Context::from(ctx).flag(kFlagBadOrder);
  *out = x ? str_value(*x) : rft_none();
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
              "The final answer in s: boxed, else tagged, gsm8k, answer_is, last_number."),
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
