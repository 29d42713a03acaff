// The answer reader behind math_normalize, math_value and math_equal (see math_expr.h). Three
// stages: clean() turns LaTeX and prose into plain math text, Parser builds a Tree from it, and
// Comparer decides equality by evaluating subtrees (Evaluator) or, when values say nothing
// (overflow, division by zero), by comparing their printed forms (Printer).
#include "runtime/grader/math_expr.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

#include "runtime/grader/value_ops.h"

namespace rft::grader::math {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: LaTeX and prose to plain math text.

// Literal rewrites applied first, in order: Unicode math symbols, fraction variants, signs
// that never change the value (degrees, currency, percent), LaTeX's "{,}" thousands separator.
// Temperatures come first: "-18 °C" would otherwise leave a one-letter "C", which reads as a
// variable rather than a unit word.
constexpr std::pair<std::string_view, std::string_view> kRewrites[] = {{"^{\\circ}C", ""},
                                                                       {"^{\\circ}F", ""},
                                                                       {"^\\circ C", ""},
                                                                       {"^\\circ F", ""},
                                                                       {"°C", ""},
                                                                       {"°F", ""},
                                                                       {"° C", ""},
                                                                       {"° F", ""},
                                                                       {"^{\\circ}", ""},
                                                                       {"^\\circ", ""},
                                                                       {"\\circ", ""},
                                                                       {"\\degree", ""},
                                                                       {"°", ""},
                                                                       {"\\%", ""},
                                                                       {"\\$", ""},
                                                                       {",\\! ", ""},
                                                                       {",\\!", ""},
                                                                       {"{,}", ""},
                                                                       {"€", ""},
                                                                       {"£", ""},
                                                                       {"¥", ""},
                                                                       {"₹", ""},
                                                                       {"π", "\\pi "},
                                                                       {"√", "\\sqrt "},
                                                                       {"×", "\\times "},
                                                                       {"·", "\\cdot "},
                                                                       {"÷", "/"},
                                                                       {"−", "-"},
                                                                       {"∞", "\\infty "},
                                                                       {"\\dfrac", "\\frac"},
                                                                       {"\\tfrac", "\\frac"},
                                                                       {"\\cfrac", "\\frac"},
                                                                       {"\\qquad", " "},
                                                                       {"\\quad", " "},
                                                                       {"≤", "<="},
                                                                       {"≥", ">="},
                                                                       {"≠", "!="},
                                                                       {"±", "\\pm "},
                                                                       {"≈", "\\approx "},
                                                                       {"\\cup", " \\cup "},
                                                                       {"∪", " \\cup "},
                                                                       {"\\infinity", "\\infty"},
                                                                       {"\\infin", "\\infty"}};

void rewrite_all(std::string& s, std::string_view from, std::string_view to) {
  if (s.find(from) == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t done = 0;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, done)) {
    out.append(s, done, pos - done).append(to);
    done = pos + from.size();
  }
  out.append(s, done);
  s = std::move(out);
}

// For each '{', the index of its matching '}' (or npos).
std::vector<size_t> match_braces(std::string_view s) {
  std::vector<size_t> match(s.size(), std::string_view::npos);
  std::vector<size_t> open;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '{' || s[i + 1] == '}')) {
      ++i;  // \{ and \} are set braces, not groups
    } else if (s[i] == '{') {
      open.push_back(i);
    } else if (s[i] == '}' && !open.empty()) {
      match[open.back()] = i;
      open.pop_back();
    }
  }
  return match;
}

// Commands whose argument is kept as plain text: \text{ cm} gives " cm".
constexpr std::string_view kTextCommands[] = {
    "text",  "textbf", "textit", "textrm",     "textnormal", "textsf",      "texttt",
    "emph",  "mathrm", "mathbf", "mathit",     "mathsf",     "mbox",        "hbox",
    "boxed", "fbox",   "bm",     "boldsymbol", "mathnormal", "operatorname"};
// Relation commands and the operator each one stands for.
constexpr std::pair<std::string_view, std::string_view> kRelationCommands[] = {
    {"le", "<="},       {"leq", "<="}, {"leqslant", "<="}, {"ge", ">="}, {"geq", ">="},
    {"geqslant", ">="}, {"lt", "<"},   {"gt", ">"},        {"ne", "!="}, {"neq", "!="}};
// Commands that only affect layout.
constexpr std::string_view kLayoutCommands[] = {
    "left", "right", "big",          "Big",       "bigl", "bigr",  "Bigl",   "Bigr",
    "bigg", "Bigg",  "displaystyle", "textstyle", "quad", "qquad", "limits", "middle"};

template <size_t N>
bool one_of(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// Drops layout, spacing, currency and percent signs, and unwraps \text{...}-like commands.
std::string strip_latex(std::string_view s) {
  const std::vector<size_t> match = match_braces(s);
  std::vector<bool> dropped(s.size(), false);  // closing braces of unwrapped commands
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (dropped[i] || c == '$' || c == '%') {
      ++i;
    } else if (c == '~') {
      out += ' ';
      ++i;
    } else if (c == '\\') {
      size_t j = i + 1;
      while (j < s.size() && is_alpha(s[j])) ++j;
      const std::string_view name = s.substr(i + 1, j - i - 1);
      if (name.empty()) {
        // Spacing (\, \! \; \: \ ) and math delimiters (\( \) \[ \]) go; escaped symbols
        // such as \{ stay.
        const char d = j < s.size() ? s[j] : ' ';
        if (d == '\\' && j + 1 < s.size() && is_alpha(s[j + 1])) {
          ++i;  // a doubled escape, "\\frac" for "\frac"
          continue;
        }
        if (std::string_view(",!;: ()[]").find(d) == std::string_view::npos) {
          out.append(s, i, 2);
        } else if (d == ' ') {
          out += ' ';
        }
        i = std::min(s.size(), j + 1);
      } else if (const auto rel =
                     std::find_if(std::begin(kRelationCommands), std::end(kRelationCommands),
                                  [&](const auto& r) { return r.first == name; });
                 rel != std::end(kRelationCommands)) {
        out.append(" ").append(rel->second).append(" ");
        i = j;
      } else if (one_of(name, kLayoutCommands)) {
        if (name == "quad" || name == "qquad") out += ' ';
        i = j;
        if (i < s.size() && s[i] == '.' && (name == "left" || name == "right")) ++i;  // \left.
      } else if (one_of(name, kTextCommands)) {
        size_t k = j;
        while (k < s.size() && s[k] == ' ') ++k;
        if (k < s.size() && s[k] == '{' && match[k] != std::string_view::npos) {
          dropped[match[k]] = true;
          i = k + 1;
        } else {
          i = j;
        }
      } else {
        out.append(s, i, j - i);
        i = j;
      }
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// "1,234,567" becomes "1234567" outside brackets, where a comma would separate items.
std::string drop_thousands_separators(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  int depth = 0;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    const bool starts_number =
        is_digit(c) && (i == 0 || (!is_digit(s[i - 1]) && s[i - 1] != '.' && s[i - 1] != ','));
    if (depth != 0 || !starts_number) {
      out += c;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && is_digit(s[end])) ++end;
    size_t k = end;
    if (end - i <= 3) {
      while (k + 3 < s.size() && s[k] == ',' && is_digit(s[k + 1]) && is_digit(s[k + 2]) &&
             is_digit(s[k + 3]) && (k + 4 == s.size() || !is_digit(s[k + 4]))) {
        k += 4;
      }
    }
    for (size_t m = i; m < k; ++m) {
      if (s[m] != ',') out += s[m];
    }
    i = k;
  }
  return out;
}

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Names that the parser reads as math, so that they are never taken for unit words.
constexpr std::string_view kMathWords[] = {
    "sqrt",   "sin",  "cos",  "tan",  "sec",   "csc",      "cot",  "arcsin", "arccos",
    "arctan", "asin", "acos", "atan", "sinh",  "cosh",     "tanh", "ln",     "log",
    "exp",    "abs",  "pi",   "inf",  "infty", "infinity", "oo"};
// Unit abbreviations recognized even when glued to the number ("5cm").
constexpr std::string_view kGluedUnits[] = {
    "cm", "mm",    "km",      "kg",    "mg",      "ml",     "ft",     "in",  "yd",
    "mi", "lb",    "lbs",     "oz",    "hr",      "hrs",    "min",    "sec", "mph",
    "sq", "units", "dollars", "cents", "degrees", "meters", "inches", "feet"};

// Drops trailing unit words ("5 square meters", "12 apples") after something that ends like a
// number, so that "5 cm" reads as 5. Each word must have two or more ASCII letters and not be a
// math name; a word glued to the number ("5cm") must be a known unit.
std::string_view drop_units(std::string_view s) {
  s = trim_ascii(s);
  while (!s.empty() && s.back() == '.') s = trim_ascii(s.substr(0, s.size() - 1));
  size_t start = s.size();
  while (start > 0 && (is_alpha(s[start - 1]) || is_space(s[start - 1]))) --start;
  const std::string_view head = trim_ascii(s.substr(0, start));
  if (start == s.size() || head.empty() ||
      head.find_first_of("0123456789") == std::string_view::npos) {
    return s;
  }
  std::string_view first_word;
  for (std::string_view tail = s.substr(start); !(tail = trim_ascii(tail)).empty();) {
    size_t n = 0;
    while (n < tail.size() && is_alpha(tail[n])) ++n;
    const std::string_view word = tail.substr(0, n);
    if (word.size() < 2 || one_of(word, kMathWords)) return s;
    if (first_word.empty()) first_word = word;
    tail.remove_prefix(n);
  }
  const char last = head.back();
  const bool spaced = is_space(s[start]) && (is_digit(last) || last == ')' || last == '}');
  const bool glued = is_digit(s[start - 1]) && one_of(first_word, kGluedUnits);
  return spaced || glued ? head : s;
}

// "x \in [0, 1]" gives "[0, 1]", when the left side is a name.
std::string_view drop_membership(std::string_view s) {
  size_t at = std::string_view::npos;
  for (size_t k = s.find("\\in"); k != std::string_view::npos; k = s.find("\\in", k + 1)) {
    if (k + 3 == s.size() || !is_alpha(s[k + 3])) {
      if (at != std::string_view::npos) return s;  // two of them
      at = k;
    }
  }
  if (at == std::string_view::npos) return s;
  const std::string_view lhs = trim_ascii(s.substr(0, at));
  const bool is_name =
      !lhs.empty() &&
      lhs.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_{}(), \\") ==
          std::string_view::npos;
  return is_name ? trim_ascii(s.substr(at + 3)) : s;
}

std::string collapse_space(std::string_view s) {
  std::string out;
  for (char c : trim_ascii(s)) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Whether cleaned text should be read as math rather than compared as prose ("Paris", "yes").
bool looks_like_math(std::string_view s);

// In a list of answers, the words "and" and "or" and semicolons separate items as commas do:
// "1 and 2", "x = 1 or x = 2", "19, 46, and 82", "(0;1)". Runs of separators become one comma.
std::string separate_items(std::string_view s) {
  if (!looks_like_math(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  int depth = 0;
  const auto add_comma = [&] {
    while (!out.empty() && is_space(out.back())) out.pop_back();
    if (!out.empty() && out.back() != ',') out += ',';
    out += ' ';
  };
  for (size_t i = 0; i < s.size();) {
    const bool word_start = is_alpha(s[i]) && (i == 0 || !is_alpha(s[i - 1]));
    size_t n = 0;
    if (word_start) {
      while (i + n < s.size() && is_alpha(s[i + n])) ++n;
    }
    const std::string_view word = s.substr(i, n);
    // "x=1orx=2", "W(x)=1orW(x)=-1": "or" or "and" glued between a number (or a bracket) and a
    // one-letter name.
    size_t glued = 0;
    if (i > 0 && is_alpha(s[i]) && !is_alpha(s[i - 1]) && (is_digit(s[i - 1]) || s[i - 1] == ')')) {
      size_t run = 0;
      while (i + run < s.size() && is_alpha(s[i + run])) ++run;
      const std::string_view letters = s.substr(i, run);
      for (std::string_view w : {"or", "and"}) {
        if (letters.size() == w.size() + 1 && letters.starts_with(w)) glued = w.size();
      }
    }
    if (word_start && (word == "and" || word == "or") && (i == 0 || s[i - 1] != '\\')) {
      add_comma();
      i += n;
    } else if (glued > 0) {
      add_comma();
      i += glued;
    } else if (s[i] == ',' || (s[i] == ';' && depth > 0)) {
      add_comma();
      ++i;
    } else if (s[i] == ';') {
      // Between brackets a semicolon is a comma, "(0;1)"; outside, it separates groups.
      while (!out.empty() && (is_space(out.back()) || out.back() == ',')) out.pop_back();
      out += "; ";
      ++i;
    } else {
      if (s[i] == '(' || s[i] == '[' || s[i] == '{') ++depth;
      if ((s[i] == ')' || s[i] == ']' || s[i] == '}') && depth > 0) --depth;
      out += s[i++];
    }
  }
  std::string_view v = trim_ascii(out);
  while (!v.empty() && (v.front() == ',' || v.front() == ';')) v = trim_ascii(v.substr(1));
  while (!v.empty() && (v.back() == ',' || v.back() == ';')) {
    v = trim_ascii(v.substr(0, v.size() - 1));
  }
  return std::string(v);
}

// The answer as plain math text (or cleaned prose).
std::string clean(std::string_view input) {
  std::string s(trim_ascii(input));
  for (const auto& [from, to] : kRewrites) rewrite_all(s, from, to);
  s = separate_items(drop_thousands_separators(strip_latex(s)));
  std::string_view v = drop_units(s);
  v = trim_ascii(drop_membership(v));
  // A choice letter in parentheses, "(C)", is the letter.
  if (v.size() == 3 && v[0] == '(' && is_alpha(v[1]) && v[2] == ')') v = v.substr(1, 1);
  return collapse_space(v);
}

// Whether cleaned text should be read as math rather than compared as prose ("Paris", "yes").
bool looks_like_math(std::string_view s) {
  if (s.find_first_of("0123456789+-*/^=()[]{}|\\!_<>") != std::string_view::npos) return true;
  return one_of(s, kMathWords);
}

// ---------------------------------------------------------------------------------------------
// Exact rationals, kept while numerator and denominator fit in 64 bits.

struct Rational {
  int64_t p = 0, q = 1;
  bool ok = false;
};

Rational make_rational(int64_t p, int64_t q) {
  if (q == 0 || p == INT64_MIN || q == INT64_MIN) return {};
  if (q < 0) {
    p = -p;
    q = -q;
  }
  const int64_t g = std::gcd(p, q);
  return {p / g, q / g, true};
}

Rational add(Rational a, Rational b) {
  int64_t x, y, d, n;
  if (!a.ok || !b.ok || __builtin_mul_overflow(a.p, b.q, &x) ||
      __builtin_mul_overflow(b.p, a.q, &y) || __builtin_mul_overflow(a.q, b.q, &d) ||
      __builtin_add_overflow(x, y, &n)) {
    return {};
  }
  return make_rational(n, d);
}

Rational mul(Rational a, Rational b) {
  int64_t n, d;
  if (!a.ok || !b.ok || __builtin_mul_overflow(a.p, b.p, &n) ||
      __builtin_mul_overflow(a.q, b.q, &d)) {
    return {};
  }
  return make_rational(n, d);
}

Rational neg(Rational a) {
  return a.ok ? make_rational(-a.p, a.q) : Rational{};
}
Rational inv(Rational a) {
  return a.ok ? make_rational(a.q, a.p) : Rational{};
}

Rational rational_power(Rational base, int64_t n) {
  if (!base.ok || n < -64 || n > 64) return {};
  Rational r = make_rational(1, 1);
  for (int64_t i = 0; i < (n < 0 ? -n : n) && r.ok; ++i) r = mul(r, base);
  return n < 0 ? inv(r) : r;
}

// The exact square root of a rational that is a perfect square, else not ok.
Rational exact_sqrt(Rational a) {
  if (!a.ok || a.p < 0) return {};
  const auto root = [](int64_t x) -> int64_t {
    auto r = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(x))));
    for (int64_t k = std::max<int64_t>(0, r - 2); k <= r + 2; ++k) {
      if (k <= 3037000499 && k * k == x) return k;
    }
    return -1;
  };
  const int64_t p = root(a.p), q = root(a.q);
  return p < 0 || q < 0 ? Rational{} : make_rational(p, q);
}

// Arithmetic modulo the prime 2^61 - 1: a rational expression (numbers, variables, + - * /,
// integer powers) has a residue that two different values share with negligible probability,
// so residues decide equality exactly where doubles only approximate it (2^100 vs 2^100 + 1,
// (x+1)^2 vs x^2+2x+1 at a random point).
inline constexpr uint64_t kPrime = (uint64_t{1} << 61) - 1;
__extension__ typedef unsigned __int128 uint128;
__extension__ typedef __int128 int128;

uint64_t mod_mul(uint64_t a, uint64_t b) {
  const uint128 p = static_cast<uint128>(a) * b;
  uint64_t r = static_cast<uint64_t>(p & kPrime) + static_cast<uint64_t>(p >> 61);
  return r >= kPrime ? r - kPrime : r;
}
uint64_t mod_add(uint64_t a, uint64_t b) {
  const uint64_t r = a + b;
  return r >= kPrime ? r - kPrime : r;
}
uint64_t mod_neg(uint64_t a) {
  return a == 0 ? 0 : kPrime - a;
}
uint64_t mod_pow(uint64_t b, uint64_t e) {
  uint64_t r = 1;
  for (; e; e >>= 1, b = mod_mul(b, b)) {
    if (e & 1) r = mod_mul(r, b);
  }
  return r;
}
uint64_t mod_inv(uint64_t a) {
  return mod_pow(a, kPrime - 2);
}
uint64_t mod_of(int64_t x) {
  const uint64_t m = static_cast<uint64_t>(x < 0 ? -(x + 1) : x) % kPrime;
  return x < 0 ? mod_neg((m + 1) % kPrime) : m;
}

// ---------------------------------------------------------------------------------------------
// The tree.

enum class Kind : uint8_t {
  kNumber,
  kVariable,
  kPi,
  kE,
  kInfinity,
  kSum,      // children added, or subtracted where inverse
  kProduct,  // children multiplied, or divided where inverse
  kPower,    // base, exponent
  kNegate,
  kFactorial,
  kFunction,  // fn applied to its children (a root or log also has an index or base)
  kSeries,    // \sum_{name=lo}^{hi} body: body, lo, hi as children, the bound variable in `name`
  kTuple,     // (a, b), [a, b), ...: ordered, with its brackets
  kSet,       // {a, b}: unordered
  kUnion,     // A \cup B
  kRelation,  // a < b = c ...: operands as children, operators in `name` ("<", "<=", "=", "!=")
              // separated by spaces
};

enum class Fn : uint8_t {
  kSqrt,
  kRoot,  // radicand, index
  kSin,
  kCos,
  kTan,
  kSec,
  kCsc,
  kCot,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kTanh,
  kLn,
  kLogBase,  // argument, base
  kExp,
  kAbs,
};

struct FnName {
  std::string_view name;
  Fn fn;
};
constexpr FnName kFunctions[] = {
    {"sin", Fn::kSin},     {"cos", Fn::kCos},   {"tan", Fn::kTan},     {"sec", Fn::kSec},
    {"csc", Fn::kCsc},     {"cot", Fn::kCot},   {"arcsin", Fn::kAsin}, {"arccos", Fn::kAcos},
    {"arctan", Fn::kAtan}, {"asin", Fn::kAsin}, {"acos", Fn::kAcos},   {"atan", Fn::kAtan},
    {"sinh", Fn::kSinh},   {"cosh", Fn::kCosh}, {"tanh", Fn::kTanh},   {"ln", Fn::kLn},
    {"log", Fn::kLn},      {"exp", Fn::kExp},   {"abs", Fn::kAbs},     {"sqrt", Fn::kSqrt}};

std::string_view fn_name(Fn fn) {
  switch (fn) {
    case Fn::kRoot:
      return "root";
    case Fn::kLogBase:
      return "log";
    default:
      for (const FnName& f : kFunctions) {
        if (f.fn == fn) return f.name;
      }
      return "?";
  }
}

constexpr std::string_view kGreek[] = {
    "alpha",    "beta",    "gamma", "delta",  "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota",    "kappa", "lambda", "mu",      "nu",         "xi",   "rho", "sigma",
    "tau",      "upsilon", "phi",   "varphi", "chi",     "psi",        "omega"};

struct Node {
  Kind kind = Kind::kNumber;
  Fn fn = Fn::kSqrt;
  char open = 0, close = 0;       // kTuple; a matrix is 'M' holding rows 'R'. A product written
                                  // as a function applied to a name, "W(x)", is open 'f'.
  uint32_t first = 0, count = 0;  // children: Tree::kids[first, first + count)
  double value = 0;               // kNumber
  Rational exact;                 // kNumber
  uint64_t mod = 0;               // kNumber: its residue modulo kPrime, where mod_ok
  bool mod_ok = false;
  std::string name;  // kVariable: "x", "x_1", "\alpha"
};

struct Child {
  uint32_t index;
  bool inverse = false;
};

struct Tree {
  std::vector<Node> nodes;
  std::vector<Child> kids;

  uint32_t add(Node n, std::span<const Child> children = {}) {
    n.first = static_cast<uint32_t>(kids.size());
    n.count = static_cast<uint32_t>(children.size());
    kids.insert(kids.end(), children.begin(), children.end());
    nodes.push_back(std::move(n));
    return static_cast<uint32_t>(nodes.size() - 1);
  }
  std::span<const Child> children(uint32_t i) const {
    return {kids.data() + nodes[i].first, nodes[i].count};
  }
  bool scalar(uint32_t i) const { return nodes[i].kind < Kind::kTuple; }
};

// ---------------------------------------------------------------------------------------------
// The parser: recursive descent over the cleaned text, failing (nullopt) on anything else.

using Parsed = std::optional<uint32_t>;

class Parser {
 public:
  Parser(std::string_view s, Tree& tree) : s_(s), t_(tree) {}

  // The root of the answer, or nullopt; too_deep() tells whether nesting was the reason.
  Parsed parse() {
    std::vector<std::vector<Child>> groups;
    do {
      std::vector<Child> group;
      do {
        const Parsed item = relation();
        if (!item) return std::nullopt;
        group.push_back({*item});
      } while (eat(","));
      groups.push_back(std::move(group));
    } while (eat(";"));
    skip_space();
    if (pos_ != s_.size()) return std::nullopt;
    const bool grouped = groups.size() > 1;
    std::vector<Child> items;
    for (const std::vector<Child>& group : groups) {
      // Groups separated by semicolons: "p = 5, q = 2; p = 7, q = 2" is the solutions (5, 2)
      // and (7, 2).
      bool assignments = grouped && group.size() > 1;
      for (const Child& c : group) {
        const Node& n = t_.nodes[c.index];
        assignments &= n.kind == Kind::kRelation && n.name == "=" &&
                       t_.nodes[t_.children(c.index)[0].index].kind == Kind::kVariable;
      }
      if (assignments) {
        std::vector<Child> values;
        for (const Child& c : group) values.push_back({t_.children(c.index)[1].index});
        items.push_back({t_.add({.kind = Kind::kTuple, .open = '(', .close = ')'}, values)});
      } else {
        items.insert(items.end(), group.begin(), group.end());
      }
    }
    // A bare list "1, 2" is a list of solutions: a set.
    return items.size() == 1 ? Parsed(items[0].index) : Parsed(t_.add({.kind = Kind::kSet}, items));
  }

  bool too_deep() const { return too_deep_; }

 private:
  // Bounds recursion: every nested construct passes through one of these.
  struct Nest {
    explicit Nest(Parser& p) : p_(p) {
      ok = ++p_.depth_ <= kMaxDepth;
      p_.too_deep_ |= !ok;
    }
    ~Nest() { --p_.depth_; }
    Parser& p_;
    bool ok;
  };

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }
  char peek() {
    skip_space();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool eat(std::string_view token) {
    skip_space();
    if (s_.substr(pos_).starts_with(token)) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  // A backslash command, "\frac", not followed by another letter.
  bool eat_command(std::string_view name) {
    skip_space();
    const std::string_view rest = s_.substr(pos_);
    if (rest.size() > name.size() && rest[0] == '\\' && rest.substr(1).starts_with(name) &&
        (rest.size() == name.size() + 1 || !is_alpha(rest[name.size() + 1]))) {
      pos_ += name.size() + 1;
      return true;
    }
    return false;
  }
  std::string_view peek_command() {
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '\\') return {};
    size_t j = pos_ + 1;
    while (j < s_.size() && is_alpha(s_[j])) ++j;
    return s_.substr(pos_ + 1, j - pos_ - 1);
  }

  // The operator of a relation at the cursor, consumed, or empty.
  std::string_view relation_op() {
    skip_space();
    const std::string_view rest = s_.substr(pos_);
    if (rest.starts_with("\\approx") && (rest.size() == 7 || !is_alpha(rest[7]))) {
      pos_ += 7;
      return "~";
    }
    for (std::string_view op : {"<=", ">=", "!=", "==", "=<", "=>", "<", ">", "="}) {
      if (rest.starts_with(op)) {
        pos_ += op.size();
        if (op == "==") return "=";
        if (op == "=<") return "<=";
        if (op == "=>") return ">=";
        return op;
      }
    }
    return {};
  }

  // "a", or a chain "a < b <= c" of relations. An approximation ends a chain: "x = 1/3 \approx
  // 0.33" is "x = 1/3", but "x \approx 0.33" is "x = 0.33".
  Parsed relation() {
    std::vector<Child> operands;
    std::string ops;
    for (;;) {
      const Parsed item = union_();
      if (!item) return std::nullopt;
      operands.push_back({*item});
      std::string_view op = relation_op();
      if (op == "~" && !ops.empty()) {
        // Read and drop the rest of the chain.
        while (!op.empty()) {
          if (!union_()) return std::nullopt;
          op = relation_op();
        }
        break;
      }
      if (op == "~") op = "=";
      if (op.empty()) break;
      ops.append(ops.empty() ? "" : " ").append(op);
    }
    if (operands.size() == 1) return operands[0].index;
    return t_.add({.kind = Kind::kRelation, .name = ops}, operands);
  }

  Parsed union_() {
    std::vector<Child> items;
    do {
      const Parsed item = sum();
      if (!item) return std::nullopt;
      items.push_back({*item});
    } while (eat_command("cup"));
    return items.size() == 1 ? Parsed(items[0].index)
                             : Parsed(t_.add({.kind = Kind::kUnion}, items));
  }

  // A sum, product or power applies to scalars only.
  Parsed scalar(Parsed p) { return p && t_.scalar(*p) ? p : std::nullopt; }

  Parsed sum() {
    std::vector<Child> terms;
    bool negative = false;
    for (;;) {
      const Parsed term = product();
      if (!term) return std::nullopt;
      terms.push_back({*term, negative});
      if (eat("+")) {
        negative = false;
      } else if (eat("-")) {
        negative = true;
      } else {
        break;
      }
    }
    if (terms.size() == 1) return terms[0].index;
    for (const Child& c : terms) {
      if (!t_.scalar(c.index)) return std::nullopt;
    }
    return t_.add({.kind = Kind::kSum}, terms);
  }

  // Whether the next text starts a factor multiplied implicitly: "2x", "3\pi", "x(x+1)".
  bool implicit_factor_follows() {
    const char c = peek();
    if (is_alpha(c) || c == '(') return true;
    if (c != '\\') return false;
    const std::string_view cmd = peek_command();
    return cmd == "frac" || cmd == "sqrt" || cmd == "pi" || cmd == "infty" || cmd == "sum" ||
           one_of(cmd, kGreek) ||
           std::any_of(std::begin(kFunctions), std::end(kFunctions),
                       [&](const FnName& f) { return f.name == cmd; });
  }

  Parsed product() {
    std::vector<Child> factors;
    const Parsed first = unary();
    if (!first) return std::nullopt;
    factors.push_back({*first});
    bool applied = false;  // "W(x)": a one-letter name and a parenthesized name, glued
    for (;;) {
      bool inverse = false;
      const bool glued = pos_ < s_.size() && s_[pos_] == '(';
      if (eat("*") || eat_command("cdot") || eat_command("times")) {
      } else if (eat("/") || eat_command("div") || eat(":")) {  // a ratio 7:32 is 7/32
        inverse = true;
      } else if (!implicit_factor_follows()) {
        break;
      }
      const Parsed f = unary();
      if (!f) return std::nullopt;
      applied = glued && factors.size() == 1 && t_.nodes[*first].kind == Kind::kVariable &&
                t_.nodes[*first].name.size() == 1 && t_.nodes[*f].kind == Kind::kVariable;
      factors.push_back({*f, inverse});
    }
    if (factors.size() == 1) return factors[0].index;
    for (const Child& c : factors) {
      if (!t_.scalar(c.index)) return std::nullopt;
    }
    return t_.add({.kind = Kind::kProduct, .open = applied && factors.size() == 2 ? 'f' : '\0'},
                  factors);
  }

  Parsed unary() {
    Nest nest(*this);
    if (!nest.ok) return std::nullopt;
    if (eat("-")) {
      const Parsed x = scalar(unary());
      return x ? Parsed(t_.add({.kind = Kind::kNegate}, std::array{Child{*x}})) : std::nullopt;
    }
    if (eat("+")) return scalar(unary());
    return power();
  }

  Parsed power() {
    const Parsed base = postfix();
    if (!base || !eat("^")) return base;
    const Parsed exponent = peek() == '{' ? group('{', "}") : unary();
    if (!t_.scalar(*base) || !scalar(exponent)) return std::nullopt;
    return t_.add({.kind = Kind::kPower}, std::array{Child{*base}, Child{*exponent}});
  }

  Parsed postfix() {
    Parsed p = primary();
    while (p && peek() == '!' && !s_.substr(pos_).starts_with("!=")) {
      ++pos_;
      if (!t_.scalar(*p)) return std::nullopt;
      p = t_.add({.kind = Kind::kFactorial}, std::array{Child{*p}});
    }
    return p;
  }

  // "{ expr }" (or another bracket pair) holding one scalar.
  Parsed group(char open, std::string_view close) {
    if (!eat(std::string_view(&open, 1))) return std::nullopt;
    const Parsed inner = sum();
    return inner && eat(close) ? inner : std::nullopt;
  }

  // The argument of \frac, \sqrt or a function: a braced group, a parenthesized expression, a
  // single digit or letter ("\frac12"), or a command ("\frac\pi2").
  Parsed argument(bool single_char) {
    const char c = peek();
    if (c == '{') return group('{', "}");
    if (c == '(' && !single_char) return scalar(primary());
    if (single_char && is_digit(c)) {
      ++pos_;
      return number_node(std::string_view(&s_[pos_ - 1], 1));
    }
    if (single_char && is_alpha(c)) return letter();
    if (c == '\\') return scalar(primary());
    return single_char ? std::nullopt : scalar(power());
  }

  // Items separated by commas up to one of `closers` (each one character, or "\}").
  std::optional<std::vector<Child>> items(std::string_view closer_a, std::string_view closer_b,
                                          std::string_view* closed) {
    std::vector<Child> out;
    for (;;) {
      if (out.empty() && (eat(closer_a) || (!closer_b.empty() && eat(closer_b)))) {
        *closed = s_.substr(pos_ - 1, 1);
        return out;
      }
      const Parsed item = relation();
      if (!item) return std::nullopt;
      out.push_back({*item});
      if (eat(",")) continue;
      if (eat(closer_a) || (!closer_b.empty() && eat(closer_b))) {
        *closed = s_.substr(pos_ - 1, 1);
        return out;
      }
      return std::nullopt;
    }
  }

  Parsed number_node(std::string_view literal) {
    Node n{.kind = Kind::kNumber};
    const auto res = std::from_chars(literal.data(), literal.data() + literal.size(), n.value);
    if (res.ec == std::errc::result_out_of_range) {
      const size_t e = literal.find_first_of("eE");
      n.value = e != std::string_view::npos && literal.substr(e).find('-') != std::string_view::npos
                    ? 0.0
                    : HUGE_VAL;
    } else if (res.ec != std::errc()) {
      return std::nullopt;
    }
    n.exact = exact_literal(literal);
    if (n.exact.ok) {
      n.mod = mod_mul(mod_of(n.exact.p), mod_inv(mod_of(n.exact.q)));
      n.mod_ok = true;
    } else if (literal.find_first_not_of("0123456789") == std::string_view::npos) {
      // An integer too long for 64 bits keeps its residue.
      for (char c : literal) n.mod = mod_add(mod_mul(n.mod, 10), static_cast<uint64_t>(c - '0'));
      n.mod_ok = true;
    }
    return t_.add(std::move(n));
  }

  // The exact value of a decimal literal when it fits: "2.50" is 5/2, "1.5e3" is 1500.
  static Rational exact_literal(std::string_view literal) {
    const size_t e = std::min(literal.find_first_of("eE"), literal.size());
    const std::string_view mantissa = literal.substr(0, e);
    int64_t exponent = 0;
    if (e < literal.size()) {
      std::string_view digits = literal.substr(e + 1);
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
      if (r.ec != std::errc() || exponent < -18 || exponent > 18) return {};
    }
    int64_t p = 0;
    for (char c : mantissa) {
      if (c == '.') continue;
      if (__builtin_mul_overflow(p, 10, &p) || __builtin_add_overflow(p, c - '0', &p)) return {};
    }
    const size_t dot = mantissa.find('.');
    if (dot != std::string_view::npos) exponent -= static_cast<int64_t>(mantissa.size() - dot - 1);
    return mul(make_rational(p, 1), rational_power(make_rational(10, 1), exponent));
  }

  Parsed number() {
    const size_t start = pos_;
    while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1])) {
      ++pos_;
      while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    // An exponent needs a digit: "2e" is 2 times e, "1e-3" is 0.001.
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      size_t k = pos_ + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k < s_.size() && is_digit(s_[k])) {
        while (k < s_.size() && is_digit(s_[k])) ++k;
        pos_ = k;
      }
    }
    return number_node(s_.substr(start, pos_ - start));
  }

  // One letter: a variable (with its subscript, "x_1", "a_{n}"), or Euler's e.
  Parsed letter() {
    Node n{.kind = Kind::kVariable};
    n.name = std::string(1, s_[pos_++]);
    if (!subscript(&n.name) && n.name == "e") return t_.add({.kind = Kind::kE});
    return t_.add(std::move(n));
  }

  bool subscript(std::string* name) {
    if (pos_ >= s_.size() || s_[pos_] != '_') return false;
    size_t end = pos_ + 1;
    if (end < s_.size() && s_[end] == '{') {
      end = s_.find('}', end);
      if (end == std::string_view::npos) return false;
      ++end;
    } else {
      while (end < s_.size() && (is_digit(s_[end]) || (end == pos_ + 1 && is_alpha(s_[end])))) {
        ++end;
      }
    }
    std::string_view sub = s_.substr(pos_ + 1, end - pos_ - 1);
    // "x_{1}" is "x_1": braces around a name or a number do not count.
    if (sub.size() > 2 && sub.front() == '{' &&
        std::all_of(sub.begin() + 1, sub.end() - 1,
                    [](char c) { return is_alpha(c) || is_digit(c); })) {
      sub = sub.substr(1, sub.size() - 2);
    }
    name->append("_").append(sub);
    pos_ = end;
    return true;
  }

  Parsed function(Fn fn) {
    if (fn == Fn::kLn && eat("_")) {  // \log_{2} 8, \log_2(8)
      const Parsed base = argument(true);
      const Parsed arg = base ? argument(false) : std::nullopt;
      if (!arg) return std::nullopt;
      return t_.add({.kind = Kind::kFunction, .fn = Fn::kLogBase},
                    std::array{Child{*arg}, Child{*base}});
    }
    // \sin^2 x is (\sin x)^2.
    Parsed exponent;
    if (eat("^") && !(exponent = argument(true))) return std::nullopt;
    const Parsed arg = argument(false);
    if (!arg) return std::nullopt;
    const uint32_t f = t_.add({.kind = Kind::kFunction, .fn = fn}, std::array{Child{*arg}});
    if (!exponent) return f;
    return t_.add({.kind = Kind::kPower}, std::array{Child{f}, Child{*exponent}});
  }

  Parsed word(std::string_view w) {
    if (w == "pi") return t_.add({.kind = Kind::kPi});
    if (w == "infty" || w == "inf" || w == "infinity" || w == "oo") {
      return t_.add({.kind = Kind::kInfinity});
    }
    for (const FnName& f : kFunctions) {
      if (f.name == w) return function(f.fn);
    }
    return std::nullopt;
  }

  Parsed command() {
    const std::string_view cmd = peek_command();
    pos_ += cmd.size() + 1;
    if (cmd.empty()) {  // "\{ ... \}"
      if (pos_ >= s_.size() || s_[pos_] != '{') return std::nullopt;
      ++pos_;
      std::string_view closed;
      const auto xs = items("\\}", "", &closed);
      return xs ? Parsed(t_.add({.kind = Kind::kSet}, *xs)) : std::nullopt;
    }
    if (cmd == "frac") {
      const Parsed num = argument(true);
      const Parsed den = num ? argument(true) : std::nullopt;
      if (!den) return std::nullopt;
      return t_.add({.kind = Kind::kProduct}, std::array{Child{*num}, Child{*den, true}});
    }
    if (cmd == "sqrt") {
      if (eat("[")) {
        const Parsed index = sum();
        const Parsed radicand = index && eat("]") ? argument(true) : std::nullopt;
        if (!radicand) return std::nullopt;
        return t_.add({.kind = Kind::kFunction, .fn = Fn::kRoot},
                      std::array{Child{*radicand}, Child{*index}});
      }
      const Parsed radicand = argument(true);
      if (!radicand) return std::nullopt;
      return t_.add({.kind = Kind::kFunction, .fn = Fn::kSqrt}, std::array{Child{*radicand}});
    }
    if (cmd == "begin") return matrix();
    if (cmd == "sum") return series();
    if (cmd == "emptyset" || cmd == "varnothing") return t_.add({.kind = Kind::kSet});
    if (one_of(cmd, kGreek)) {
      Node n{.kind = Kind::kVariable, .name = "\\" + std::string(cmd)};
      subscript(&n.name);
      return t_.add(std::move(n));
    }
    return word(cmd);
  }

  // "\sum_{k=1}^{n} body", limits in either order; the body is the product that follows, so
  // "\sum_{k=1}^{n} k + 1" adds 1 to the sum. A sum without both limits is not read.
  Parsed series() {
    std::string var;
    Parsed lo, hi;
    for (int part = 0; part < 2; ++part) {
      if (!lo && eat("_")) {
        const bool braced = eat("{");
        skip_space();
        if (pos_ >= s_.size()) return std::nullopt;
        const Parsed v = s_[pos_] == '\\' ? primary() : is_alpha(s_[pos_]) ? letter() : Parsed();
        if (!v || t_.nodes[*v].kind != Kind::kVariable || !eat("=")) return std::nullopt;
        var = t_.nodes[*v].name;
        lo = braced ? sum() : argument(true);
        if (!lo || (braced && !eat("}"))) return std::nullopt;
      } else if (!hi && eat("^")) {
        hi = argument(true);
        if (!hi) return std::nullopt;
      }
    }
    if (!lo || !hi) return std::nullopt;
    const Parsed body = scalar(product());
    if (!body) return std::nullopt;
    return t_.add({.kind = Kind::kSeries, .name = var},
                  std::array{Child{*body}, Child{*lo}, Child{*hi}});
  }

  // The name of an environment, "{pmatrix}", after \begin or \end.
  std::string_view environment() {
    if (!eat("{")) return {};
    const size_t close = s_.find('}', pos_);
    if (close == std::string_view::npos) return {};
    const std::string_view name = s_.substr(pos_, close - pos_);
    pos_ = close + 1;
    return name;
  }

  // A matrix, "\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", as rows of cells; bmatrix,
  // matrix, smallmatrix and array (its column spec skipped) read the same.
  Parsed matrix() {
    const std::string_view env = environment();
    if (env != "pmatrix" && env != "bmatrix" && env != "matrix" && env != "smallmatrix" &&
        env != "array") {
      return std::nullopt;
    }
    if (env == "array" && peek() == '{') environment();
    std::vector<Child> rows, cells;
    for (;;) {
      if (eat_command("end")) {
        if (environment() != env) return std::nullopt;
        if (!cells.empty()) {
          rows.push_back({t_.add({.kind = Kind::kTuple, .open = 'R', .close = 'R'}, cells)});
        }
        break;
      }
      const Parsed cell = sum();
      if (!cell) return std::nullopt;
      cells.push_back({*cell});
      if (eat("&")) continue;
      if (eat("\\\\")) {
        rows.push_back({t_.add({.kind = Kind::kTuple, .open = 'R', .close = 'R'}, cells)});
        cells.clear();
        continue;
      }
      if (peek_command() != "end") return std::nullopt;
    }
    if (rows.empty()) return std::nullopt;
    return t_.add({.kind = Kind::kTuple, .open = 'M', .close = 'M'}, rows);
  }

  Parsed primary() {
    Nest nest(*this);
    if (!nest.ok) return std::nullopt;
    const char c = peek();
    if (is_digit(c) || (c == '.' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1]))) {
      return number();
    }
    if (c == '(' || c == '[') {
      const char open = s_[pos_++];
      std::string_view closed;
      const auto xs = items(")", "]", &closed);
      if (!xs) return std::nullopt;
      const bool matching = (open == '(' && closed == ")") || (open == '[' && closed == "]");
      const Node* only = xs->size() == 1 ? &t_.nodes[(*xs)[0].index] : nullptr;
      if (only && matching &&
          (t_.scalar((*xs)[0].index) || (only->kind == Kind::kTuple && only->open == 'M'))) {
        return (*xs)[0].index;  // grouping, or the brackets of an array
      }
      return t_.add({.kind = Kind::kTuple, .open = open, .close = closed[0]}, *xs);
    }
    if (c == '{') {
      ++pos_;
      std::string_view closed;
      const auto xs = items("}", "", &closed);
      if (!xs || xs->empty()) return std::nullopt;
      return xs->size() == 1 ? Parsed((*xs)[0].index) : Parsed(t_.add({.kind = Kind::kSet}, *xs));
    }
    if (c == '|') {
      ++pos_;
      const Parsed inner = sum();
      if (!inner || !eat("|") || !t_.scalar(*inner)) return std::nullopt;
      return t_.add({.kind = Kind::kFunction, .fn = Fn::kAbs}, std::array{Child{*inner}});
    }
    if (c == '\\') return command();
    if (is_alpha(c)) {
      size_t end = pos_;
      while (end < s_.size() && is_alpha(s_[end])) ++end;
      const std::string_view w = s_.substr(pos_, end - pos_);
      if (w.size() > 1 && one_of(w, kMathWords)) {
        pos_ = end;
        return word(w);
      }
      return letter();  // "xy" is x times y: the next letter follows as an implicit factor
    }
    return std::nullopt;
  }

  std::string_view s_;
  Tree& t_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool too_deep_ = false;
};

// ---------------------------------------------------------------------------------------------
// Evaluation at a point: every variable gets a value fixed by its name and the point.

inline constexpr int kPoints = 4;

double variable_value(std::string_view name, int point) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, then a splitmix64 finalizer
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  h += 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(point + 1);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  const double unit = static_cast<double>(h >> 11) * 0x1p-53;  // [0, 1)
  // Three points in [0.5, 3) keep roots and logs defined; the last one, in (-3, -0.5], tells
  // |x| from x.
  const double magnitude = 0.5 + 2.5 * unit;
  return point == kPoints - 1 ? -magnitude : magnitude;
}

// Residues of the variables at a point: random-looking, fixed by the name and the point.
uint64_t variable_residue(std::string_view name, int point) {
  uint64_t h = 14695981039346656037ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  h += 0xd1b54a32d192ed03ull * static_cast<uint64_t>(point + 7);
  h = (h ^ (h >> 31)) * 0x7fb5d329728ea185ull;
  h = (h ^ (h >> 27)) * 0x81dadef4bc2dd44dull;
  h ^= h >> 33;
  return h % kPrime;
}

// The most terms a sum with integer limits adds up, and the values of the bound variable at
// which a sum with limits in variables is sampled.
inline constexpr int64_t kMaxSeriesTerms = 100000;
inline constexpr int kSeriesSamples = 3;

// The largest n whose n! is computed (as a residue past 170!, where doubles overflow).
inline constexpr int64_t kMaxFactorial = 100000;

struct Value {
  double v = 0;
  Rational exact;
  uint64_t mod = 0;  // the residue, where mod_ok
  bool mod_ok = false;
};

class Evaluator {
 public:
  Evaluator(const Tree& t, int point, int64_t* budget) : t_(t), point_(point), budget_(budget) {}

  // Gives the variable `name` the value x (as a double only) instead of its value at the point.
  void fix(std::string_view name, double x) {
    fixed_name_ = name;
    fixed_value_ = x;
  }

  Value eval(uint32_t i) {
    Value r = eval_node(i);
    if (r.exact.ok && !r.mod_ok) {
      r.mod = mod_mul(mod_of(r.exact.p), mod_inv(mod_of(r.exact.q)));
      r.mod_ok = true;
    }
    return r;
  }

  bool undefined = false;  // a finite input gave NaN or infinity (overflow, 1/0, sqrt(-1))
  bool has_variables = false;
  // An exact power or factorial overflowed a double: only its residue is meaningful.
  bool overflowed = false;

 private:
  Value eval_node(uint32_t i) {
    --*budget_;
    const Node& n = t_.nodes[i];
    const auto kids = t_.children(i);
    switch (n.kind) {
      case Kind::kNumber:
        if (!std::isfinite(n.value) && !n.mod_ok) undefined = true;
        return {n.value, n.exact, n.mod, n.mod_ok};
      case Kind::kVariable:
        if (!fixed_name_.empty() && n.name == fixed_name_) return {fixed_value_, {}, 0, false};
        for (size_t k = bound_.size(); k-- > 0;) {
          if (bound_[k].first == n.name) return bound_[k].second;
        }
        has_variables = true;
        return {variable_value(n.name, point_), {}, variable_residue(n.name, point_), true};
      case Kind::kPi:
        return {std::numbers::pi, {}};
      case Kind::kE:
        return {std::numbers::e, {}};
      case Kind::kInfinity:
        return {HUGE_VAL, {}};
      case Kind::kSum: {
        Value acc{0, make_rational(0, 1), 0, true};
        for (const Child& c : kids) {
          Value x = eval(c.index);
          if (c.inverse) x = {-x.v, neg(x.exact), mod_neg(x.mod), x.mod_ok};
          acc = plus(acc, x);
        }
        return acc;
      }
      case Kind::kSeries:
        return series(n, kids);
      case Kind::kProduct: {
        Value acc{1, make_rational(1, 1), 1, true};
        for (const Child& c : kids) {
          Value x = eval(c.index);
          if (c.inverse) {
            x = checked(
                x.v, 1,
                {1 / x.v, inv(x.exact), x.mod ? mod_inv(x.mod) : 0, x.mod_ok && x.mod != 0});
          }
          acc = checked(acc.v, x.v,
                        {acc.v * x.v, mul(acc.exact, x.exact), mod_mul(acc.mod, x.mod),
                         acc.mod_ok && x.mod_ok});
        }
        return acc;
      }
      case Kind::kPower: {
        const Value b = eval(kids[0].index), e = eval(kids[1].index);
        Value r{std::pow(b.v, e.v), {}, 0, false};
        if (e.exact.ok && e.exact.q == 1) {
          r.exact = rational_power(b.exact, e.exact.p);
          const uint64_t m = mod_pow(b.mod, static_cast<uint64_t>(std::abs(e.exact.p)));
          r.mod_ok = b.mod_ok && (e.exact.p >= 0 || m != 0);
          r.mod = e.exact.p >= 0 || m == 0 ? m : mod_inv(m);
        }
        // An exact power too large for a double still has a residue: 2^{10000} vs 2^{10000}+1.
        if (r.mod_ok && !std::isfinite(r.v) && std::isfinite(b.v) && std::isfinite(e.v)) {
          overflowed = true;
          return r;
        }
        return checked(b.v, e.v, r);
      }
      case Kind::kNegate: {
        const Value x = eval(kids[0].index);
        return {-x.v, neg(x.exact), mod_neg(x.mod), x.mod_ok};
      }
      case Kind::kFactorial: {
        const Value x = eval(kids[0].index);
        if (!(x.v >= 0 && x.v == std::floor(x.v)) || !x.exact.ok || x.exact.q != 1 ||
            x.exact.p > kMaxFactorial) {
          return checked(x.v, 0, {kNaN, {}});
        }
        double f = 1;
        uint64_t m = 1;
        for (int64_t k = 2; k <= x.exact.p; ++k) {
          f *= static_cast<double>(k);
          m = mod_mul(m, static_cast<uint64_t>(k));
        }
        *budget_ -= x.exact.p;
        if (!std::isfinite(f)) overflowed = true;
        return {f, x.v <= 20 ? make_rational(static_cast<int64_t>(f), 1) : Rational{}, m, true};
      }
      case Kind::kFunction:
        return function(n.fn, kids);
      default:
        undefined = true;
        return {kNaN, {}};
    }
  }

  Value plus(const Value& a, const Value& b) {
    return checked(a.v, b.v,
                   {a.v + b.v, add(a.exact, b.exact), mod_add(a.mod, b.mod), a.mod_ok && b.mod_ok});
  }

  // A sum with integer limits is added up term by term. With limits in variables it is a
  // pseudo-random linear functional of its body: the body at a few fixed values of the bound
  // variable, weighted by functions of the limits' values (smooth for doubles, a hash of the
  // residues for residues). Two sums with the same limits and bodies equal as functions of the
  // bound variable agree; different bodies or limits differ with overwhelming probability, so
  // nothing wrong is accepted, while identities that change the limits or sum a closed form
  // ("\sum_{k=1}^{n} k" and "n(n+1)/2") are not recognized.
  Value series(const Node& n, std::span<const Child> kids) {
    const Value lo = eval(kids[1].index), hi = eval(kids[2].index);
    Value acc{0, make_rational(0, 1), 0, true};
    if (lo.exact.ok && hi.exact.ok && lo.exact.q == 1 && hi.exact.q == 1) {
      if (static_cast<int128>(hi.exact.p) - lo.exact.p >= kMaxSeriesTerms) {
        undefined = true;  // compared as written
        return {kNaN, {}};
      }
      for (int64_t k = lo.exact.p; k <= hi.exact.p && *budget_ >= 0; ++k) {
        bound_.emplace_back(n.name, Value{static_cast<double>(k), make_rational(k, 1), mod_of(k),
                                          true});
        const Value x = eval(kids[0].index);
        bound_.pop_back();
        acc = plus(acc, x);
      }
      return acc;
    }
    acc.exact = {};
    for (int j = 0; j < kSeriesSamples && *budget_ >= 0; ++j) {
      const std::string name = "\\sum#" + std::to_string(j);
      bound_.emplace_back(
          n.name, Value{variable_value(name, point_), {}, variable_residue(name, point_), true});
      const Value x = eval(kids[0].index);
      bound_.pop_back();
      const double w = 0.75 + 0.5 * std::sin(1.7 * (j + 1) * lo.v + 1.1 * (j + 2) * hi.v + j);
      uint64_t h = lo.mod * 0x9e3779b97f4a7c15ull ^ (hi.mod + 0x632be59bd9b4e019ull) *
                                                        (0xbf58476d1ce4e5b9ull + 2 * j);
      h = (h ^ (h >> 31)) * 0x94d049bb133111ebull;
      const uint64_t wm = (h ^ (h >> 29)) % kPrime;
      acc = checked(acc.v, x.v,
                    {acc.v + w * x.v, {}, mod_add(acc.mod, mod_mul(wm, x.mod)),
                     acc.mod_ok && lo.mod_ok && hi.mod_ok && x.mod_ok});
    }
    has_variables = true;
    return acc;
  }

  Value checked(double a, double b, Value r) {
    if (std::isfinite(a) && std::isfinite(b) && !std::isfinite(r.v)) undefined = true;
    if (std::isnan(r.v)) undefined = true;
    return r;
  }

  Value function(Fn fn, std::span<const Child> kids) {
    const Value x = eval(kids[0].index);
    const double v = x.v;
    switch (fn) {
      case Fn::kSqrt:
        return checked(v, 0, {std::sqrt(v), exact_sqrt(x.exact)});
      case Fn::kRoot: {
        const double k = eval(kids[1].index).v;
        const bool odd = k == std::floor(k) && std::fmod(std::fabs(k), 2) == 1;
        const double r = v < 0 && odd ? -std::pow(-v, 1 / k) : std::pow(v, 1 / k);
        return checked(v, k, {r, {}});
      }
      case Fn::kSin:
        return checked(v, 0, {std::sin(v), {}});
      case Fn::kCos:
        return checked(v, 0, {std::cos(v), {}});
      case Fn::kTan:
        return checked(v, 0, {std::tan(v), {}});
      case Fn::kSec:
        return checked(v, 0, {1 / std::cos(v), {}});
      case Fn::kCsc:
        return checked(v, 0, {1 / std::sin(v), {}});
      case Fn::kCot:
        return checked(v, 0, {1 / std::tan(v), {}});
      case Fn::kAsin:
        return checked(v, 0, {std::asin(v), {}});
      case Fn::kAcos:
        return checked(v, 0, {std::acos(v), {}});
      case Fn::kAtan:
        return checked(v, 0, {std::atan(v), {}});
      case Fn::kSinh:
        return checked(v, 0, {std::sinh(v), {}});
      case Fn::kCosh:
        return checked(v, 0, {std::cosh(v), {}});
      case Fn::kTanh:
        return checked(v, 0, {std::tanh(v), {}});
      case Fn::kLn:
        return checked(v, 0, {std::log(v), {}});
      case Fn::kLogBase: {
        const double base = eval(kids[1].index).v;
        return checked(v, base, {std::log(v) / std::log(base), {}});
      }
      case Fn::kExp:
        return checked(v, 0, {std::exp(v), {}});
      case Fn::kAbs:
        return {std::fabs(v),
                x.exact.ok ? make_rational(std::abs(x.exact.p), x.exact.q) : Rational{}};
    }
    return {kNaN, {}};
  }

  const Tree& t_;
  int point_;
  int64_t* budget_;
  std::string_view fixed_name_;
  double fixed_value_ = 0;
  std::vector<std::pair<std::string_view, Value>> bound_;  // the bound variables of sums
};

// ---------------------------------------------------------------------------------------------
// Printing the canonical form.

int precedence(const Node& n) {
  switch (n.kind) {
    case Kind::kSum:
      return 1;
    case Kind::kProduct:
      return 2;
    case Kind::kNegate:
      return 3;
    case Kind::kPower:
      return 4;
    default:
      return 5;
  }
}

class Printer {
 public:
  explicit Printer(const Tree& t) : t_(t) {}

  std::string print(uint32_t i) {
    const Node& n = t_.nodes[i];
    const auto kids = t_.children(i);
    switch (n.kind) {
      case Kind::kNumber:
        return format_num(n.value);
      case Kind::kVariable:
        return n.name;
      case Kind::kPi:
        return "pi";
      case Kind::kE:
        return "e";
      case Kind::kInfinity:
        return "inf";
      case Kind::kSum: {
        std::string out;
        for (size_t k = 0; k < kids.size(); ++k) {
          if (kids[k].inverse) {
            out += "-";
            out += wrap(kids[k].index, 2);
          } else {
            if (k > 0) out += "+";
            out += wrap(kids[k].index, 2);
          }
        }
        return out;
      }
      case Kind::kProduct: {
        std::string out;
        for (size_t k = 0; k < kids.size(); ++k) {
          if (k == 0 && kids[k].inverse) out += "1";
          if (k > 0 || kids[k].inverse) out += kids[k].inverse ? "/" : "*";
          out += wrap(kids[k].index, k == 0 && !kids[k].inverse ? 3 : 4);
        }
        return out;
      }
      case Kind::kPower:
        return wrap(kids[0].index, 5) + "^" + wrap(kids[1].index, 5);
      case Kind::kNegate:
        return "-" + wrap(kids[0].index, 3);
      case Kind::kFactorial:
        return wrap(kids[0].index, 5) + "!";
      case Kind::kSeries:
        return "sum(" + n.name + "=" + print(kids[1].index) + ".." + print(kids[2].index) + ", " +
               print(kids[0].index) + ")";
      case Kind::kFunction: {
        std::string out = std::string(fn_name(n.fn)) + "(" + print(kids[0].index);
        if (kids.size() > 1) out += ", " + print(kids[1].index);
        return out + ")";
      }
      case Kind::kTuple:
        if (n.open == 'M' || n.open == 'R') return "[" + list(kids, false) + "]";
        return std::string(1, n.open) + list(kids, false) + n.close;
      case Kind::kRelation: {
        std::string out = print(kids[0].index);
        std::string_view ops = n.name;
        for (size_t k = 1; k < kids.size(); ++k) {
          const size_t space = ops.find(' ');
          out.append(" ").append(ops.substr(0, space)).append(" ").append(print(kids[k].index));
          ops = space == std::string_view::npos ? std::string_view() : ops.substr(space + 1);
        }
        return out;
      }
      case Kind::kSet:
        return "{" + list(kids, true) + "}";
      case Kind::kUnion: {
        std::string out;
        for (const std::string& item : sorted(kids)) out += (out.empty() ? "" : " U ") + item;
        return out;
      }
    }
    return "?";
  }

 private:
  std::string wrap(uint32_t i, int min_precedence) {
    std::string s = print(i);
    return precedence(t_.nodes[i]) < min_precedence ? "(" + s + ")" : s;
  }

  std::vector<std::string> sorted(std::span<const Child> kids) {
    std::vector<std::pair<double, std::string>> keyed;
    for (const Child& c : kids) {
      int64_t budget = 1 << 20;
      Evaluator ev(t_, 0, &budget);
      // Items sort by value; intervals by their left end.
      const Node& n = t_.nodes[c.index];
      const uint32_t key = t_.scalar(c.index) || n.kind != Kind::kTuple || n.count == 0
                               ? c.index
                               : t_.children(c.index)[0].index;
      const double v = t_.scalar(key) ? ev.eval(key).v : kNaN;
      const bool numeric = !ev.undefined && !ev.has_variables && !std::isnan(v);
      keyed.emplace_back(numeric ? v : HUGE_VAL, print(c.index));
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::string> out;
    for (auto& [key, text] : keyed) out.push_back(std::move(text));
    return out;
  }

  std::string list(std::span<const Child> kids, bool sort) {
    std::vector<std::string> items;
    if (sort) {
      items = sorted(kids);
    } else {
      for (const Child& c : kids) items.push_back(print(c.index));
    }
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
  }

  const Tree& t_;
};

// ---------------------------------------------------------------------------------------------
// Comparison.

bool is_close(double a, double b, double rel_tol, double abs_tol) {
  if (a == b) return true;
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  const double diff = std::fabs(a - b);
  return diff <= rel_tol * std::max(std::fabs(a), std::fabs(b)) || diff <= abs_tol;
}

// Node evaluations and item pairs one comparison may spend: about a millisecond.
inline constexpr int64_t kWorkBudget = 200000;

class Comparer {
 public:
  Comparer(const Tree& a, const Tree& b, double rel_tol, double abs_tol)
      : a_(a), b_(b), rel_(rel_tol > 0 ? rel_tol : 0), abs_(abs_tol > 0 ? abs_tol : 0) {}

  // Whether answer i of the first tree (the prediction) equals answer j of the second (the
  // reference). Relations follow Math-Verify: an equation predicted for a reference that is not
  // one is read by its last side ("x = 5" for 5), a reference that assigns a name is read by its
  // value when the prediction is no equation (5 for "x = 5", but not 1 for "2x + z = 1"), and an
  // inequality on one variable is the interval it describes ("-2 <= x < 7" is [-2, 7)).
  bool equal(uint32_t i, uint32_t j) {
    if (--budget_ < 0) return false;
    const Node &x = a_.nodes[i], &y = b_.nodes[j];
    const bool rx = x.kind == Kind::kRelation, ry = y.kind == Kind::kRelation;
    if (rx && ry) return relations_equal(i, j);
    if (rx) {
      if (is_equation(x)) return equal(a_.children(i).back().index, j);
      return interval_equal(b_, j, a_, i, true);
    }
    if (ry) {
      if (is_assignment(b_, j)) return equal(i, b_.children(j).back().index);
      return interval_equal(a_, i, b_, j, false);
    }
    if (a_.scalar(i) && b_.scalar(j)) return scalars_equal(i, j);
    if (x.kind != y.kind) return false;
    const auto xs = a_.children(i), ys = b_.children(j);
    if (x.kind == Kind::kTuple) {
      if (x.open != y.open || x.close != y.close || xs.size() != ys.size()) return false;
      for (size_t k = 0; k < xs.size(); ++k) {
        if (!equal(xs[k].index, ys[k].index)) return false;
      }
      return true;
    }
    // Sets and unions: each item has an equal one on the other side. The search starts at the
    // same position, so sets written in the same order cost linear work.
    const auto covered = [&](std::span<const Child> from, std::span<const Child> to, bool swap) {
      for (size_t k = 0; k < from.size(); ++k) {
        bool found = false;
        for (size_t m = 0; m < to.size() && !found; ++m) {
          const Child& t = to[(k + m) % to.size()];
          found = swap ? equal(t.index, from[k].index) : equal(from[k].index, t.index);
        }
        if (!found) return false;
      }
      return true;
    };
    return covered(xs, ys, false) && covered(ys, xs, true);
  }

  bool exhausted() const { return budget_ < 0; }

 private:
  static std::vector<std::string_view> ops_of(const Node& n) {
    std::vector<std::string_view> out;
    std::string_view ops = n.name;
    while (!ops.empty()) {
      const size_t space = ops.find(' ');
      out.push_back(ops.substr(0, space));
      ops = space == std::string_view::npos ? std::string_view() : ops.substr(space + 1);
    }
    return out;
  }
  static bool is_equation(const Node& n) {
    for (std::string_view op : ops_of(n)) {
      if (op != "=") return false;
    }
    return true;
  }
  // A name, or names multiplied, divided or in a tuple: "x", "a_1", "f(x)", "(p, q)", "NO/BO".
  static bool is_names(const Tree& t, uint32_t i) {
    const Node& n = t.nodes[i];
    if (n.kind == Kind::kVariable || n.kind == Kind::kE) return true;
    const bool abs = n.kind == Kind::kFunction && n.fn == Fn::kAbs;
    if (n.kind != Kind::kProduct && n.kind != Kind::kTuple && !abs) return false;
    for (const Child& c : t.children(i)) {
      if (!is_names(t, c.index)) return false;
    }
    return true;
  }
  static bool is_assignment(const Tree& t, uint32_t i) {
    return is_equation(t.nodes[i]) && is_names(t, t.children(i)[0].index);
  }

  static bool is_interval(const Tree& t, uint32_t i) {
    const Node& n = t.nodes[i];
    return n.kind == Kind::kTuple && n.count == 2 && (n.open == '(' || n.open == '[') &&
           (n.close == ')' || n.close == ']');
  }

  // The one variable of subtree i, or empty when it has none or several ("" also when the walk
  // is over budget).
  std::string_view only_variable(const Tree& t, uint32_t i, std::string_view found, bool* many) {
    if (--budget_ < 0) {
      *many = true;
      return {};
    }
    const Node& n = t.nodes[i];
    if (n.kind == Kind::kVariable) {
      if (!found.empty() && found != n.name) *many = true;
      return n.name;
    }
    for (const Child& c : t.children(i)) {
      const std::string_view v = only_variable(t, c.index, found, many);
      if (!v.empty()) found = v;
      if (*many) return {};
    }
    return found;
  }

  // Relation r (tree tr, in one variable) against s (tree ts), an interval or a union of
  // intervals with constant ends: "1 <= |z| <= 3/2" is [-3/2, -1] U [1, 3/2]. Decided by the
  // truth of r at the ends of s, just inside and outside each, between them and far out.
  bool sampled_set_equal(const Tree& ts, uint32_t s, const Tree& tr, uint32_t r) {
    struct Range {
      double lo, hi;
      bool lo_closed, hi_closed;
    };
    std::vector<Range> ranges;
    const Node& sn = ts.nodes[s];
    std::vector<uint32_t> parts;
    if (sn.kind == Kind::kUnion) {
      for (const Child& c : ts.children(s)) parts.push_back(c.index);
    } else {
      parts.push_back(s);
    }
    for (uint32_t part : parts) {
      if (!is_interval(ts, part)) return false;
      Evaluator e(ts, 0, &budget_);
      const auto kids = ts.children(part);
      const double lo = e.eval(kids[0].index).v, hi = e.eval(kids[1].index).v;
      if (e.has_variables || e.undefined || std::isnan(lo) || std::isnan(hi)) return false;
      ranges.push_back({lo, hi, ts.nodes[part].open == '[', ts.nodes[part].close == ']'});
    }
    bool many = false;
    const std::string_view var = only_variable(tr, r, {}, &many);
    if (var.empty() || many) return false;
    std::vector<double> points = {-1e6, 1e6, 0};
    for (const Range& g : ranges) {
      for (double e : {g.lo, g.hi}) {
        if (!std::isfinite(e)) continue;
        const double d = 1e-6 * std::max(1.0, std::fabs(e));
        points.insert(points.end(), {e, e - d, e + d, e - 1, e + 1});
      }
      if (std::isfinite(g.lo) && std::isfinite(g.hi)) points.push_back((g.lo + g.hi) / 2);
    }
    const std::vector<std::string_view> ops = ops_of(tr.nodes[r]);
    const auto kids = tr.children(r);
    int defined = 0;
    for (double x : points) {
      bool member = false;
      for (const Range& g : ranges) {
        member |= (g.lo_closed ? x >= g.lo : x > g.lo) && (g.hi_closed ? x <= g.hi : x < g.hi);
      }
      Evaluator e(tr, 0, &budget_);
      e.fix(var, x);
      bool holds = true;
      double left = e.eval(kids[0].index).v;
      for (size_t k = 0; k + 1 < kids.size(); ++k) {
        const double right = e.eval(kids[k + 1].index).v;
        const std::string_view op = ops[k];
        holds &= op == "<"    ? left < right
                 : op == "<=" ? left <= right
                 : op == ">"  ? left > right
                 : op == ">=" ? left >= right
                 : op == "="  ? left == right
                              : left != right;
        left = right;
      }
      if (budget_ < 0) return false;
      if (e.undefined) continue;
      if (holds != member) return false;
      ++defined;
    }
    return defined > 0;
  }

  // Relation r of tree tr against interval (or tuple) s of tree ts: r must bound one variable,
  // "a < x <= b", "x >= a", "b > x". `r_first` says which tree is the prediction.
  bool interval_equal(const Tree& ts, uint32_t s, const Tree& tr, uint32_t r, bool r_first) {
    const Node& sn = ts.nodes[s];
    if (sn.kind == Kind::kUnion) return sampled_set_equal(ts, s, tr, r);
    if (!is_interval(ts, s)) return false;
    const std::vector<std::string_view> ops = ops_of(tr.nodes[r]);
    const auto kids = tr.children(r);
    bool less = true, greater = true;
    for (std::string_view op : ops) {
      less &= op == "<" || op == "<=";
      greater &= op == ">" || op == ">=";
    }
    if (!less && !greater) return false;
    // The variable's position, and each end: {bound, closed}, or none for an infinite one.
    size_t var = kids.size();
    for (size_t k = 0; k < kids.size(); ++k) {
      if (is_names(tr, kids[k].index)) {
        if (var != kids.size()) return false;
        var = k;
      }
    }
    if (var == kids.size() || kids.size() > 3 || (kids.size() == 3 && var != 1)) {
      return sampled_set_equal(ts, s, tr, r);
    }
    struct End {
      std::optional<uint32_t> bound;
      bool closed = false;
    };
    End lo, hi;
    for (size_t k = 0; k + 1 < kids.size(); ++k) {
      const bool closed = ops[k].size() == 2;
      const uint32_t other = k == var ? kids[k + 1].index : kids[k].index;
      // "a < x": a is the lower end when less; "x < b": b the upper one.
      const bool is_lower = (k + 1 == var) == less;
      (is_lower ? lo : hi) = {other, closed};
    }
    const auto ts_kids = ts.children(s);
    const auto end_equal = [&](const End& e, uint32_t item, bool closed, bool low) {
      const Node& n = ts.nodes[item];
      if (!e.bound) {
        const bool inf = n.kind == Kind::kInfinity ||
                         (n.kind == Kind::kNegate &&
                          ts.nodes[ts.children(item)[0].index].kind == Kind::kInfinity);
        return inf && (n.kind == Kind::kNegate) == low && !closed;
      }
      if (e.closed != closed) return false;
      return r_first ? equal(*e.bound, item) : equal(item, *e.bound);
    };
    return end_equal(lo, ts_kids[0].index, sn.open == '[', true) &&
           end_equal(hi, ts_kids[1].index, sn.close == ']', false);
  }

  // Two relations: the same chain of operands, or each link the same relation up to sides and a
  // factor ("2x + 4y - 3 = 0" is "y = -x/2 + 3/4"; "x < 1" is "-x > -1", never "x > 1").
  bool relations_equal(uint32_t i, uint32_t j) {
    const Node &x = a_.nodes[i], &y = b_.nodes[j];
    const auto xs = a_.children(i), ys = b_.children(j);
    const std::vector<std::string_view> ox = ops_of(x), oy = ops_of(y);
    // Assignment chains are read as their first and last sides: "x = 2 + 3 = 5" is "x = 5".
    if (is_assignment(a_, i) && is_assignment(b_, j) && (xs.size() > 2 || ys.size() > 2)) {
      return equal(xs[0].index, ys[0].index) && equal(xs.back().index, ys.back().index);
    }
    if (xs.size() != ys.size()) return false;
    if (same_function_values(i, j)) return true;
    if (ox == oy) {
      bool same = true;
      for (size_t k = 0; k < xs.size() && same; ++k) same = equal(xs[k].index, ys[k].index);
      if (same) return true;
    }
    const auto links = [&](bool reversed) {
      for (size_t k = 0; k + 1 < xs.size(); ++k) {
        const size_t m = reversed ? xs.size() - 2 - k : k;
        if (!link_equal(xs[k].index, ox[k], xs[k + 1].index, ys[m].index, oy[m], ys[m + 1].index)) {
          return false;
        }
      }
      return true;
    };
    return links(false) || (xs.size() > 2 && links(true));
  }

  // "W(n) = 1" and "W(x) = 1": the same one-letter function of one name, given values that do
  // not depend on that name, are one statement whatever the name.
  bool same_function_values(uint32_t i, uint32_t j) {
    const auto applied = [](const Tree& t, uint32_t r, std::string_view* fn, std::string_view* var) {
      const Node& n = t.nodes[r];
      if (n.kind != Kind::kRelation || n.name != "=" || n.count != 2) return false;
      const Node& lhs = t.nodes[t.children(r)[0].index];
      if (lhs.kind != Kind::kProduct || lhs.open != 'f') return false;
      *fn = t.nodes[t.children(t.children(r)[0].index)[0].index].name;
      *var = t.nodes[t.children(t.children(r)[0].index)[1].index].name;
      return true;
    };
    std::string_view fx, vx, fy, vy;
    if (!applied(a_, i, &fx, &vx) || !applied(b_, j, &fy, &vy) || fx != fy || vx == vy) {
      return false;
    }
    const uint32_t rx = a_.children(i)[1].index, ry = b_.children(j)[1].index;
    if (mentions(a_, rx, vx) || mentions(b_, ry, vy)) return false;
    return equal(rx, ry);
  }

  // Whether subtree i names the variable `name`.
  bool mentions(const Tree& t, uint32_t i, std::string_view name) {
    if (--budget_ < 0) return true;
    if (t.nodes[i].kind == Kind::kVariable && t.nodes[i].name == name) return true;
    for (const Child& c : t.children(i)) {
      if (mentions(t, c.index, name)) return true;
    }
    return false;
  }

  // l1 op1 r1 against l2 op2 r2 as relations on their variables: op1 and op2 of one kind after
  // flipping (a > b is b < a), and (l1 - r1) a constant multiple of (l2 - r2), positive for an
  // inequality, at every point.
  bool link_equal(uint32_t l1, std::string_view op1, uint32_t r1, uint32_t l2, std::string_view op2,
                  uint32_t r2) {
    const auto normal = [](std::string_view op, bool* flip) -> std::string_view {
      *flip = op == ">" || op == ">=";
      if (op == ">") return "<";
      if (op == ">=") return "<=";
      return op;
    };
    bool f1 = false, f2 = false;
    const std::string_view n1 = normal(op1, &f1), n2 = normal(op2, &f2);
    if (n1 != n2) return false;
    if (f1) std::swap(l1, r1);
    if (f2) std::swap(l2, r2);
    if (!a_.scalar(l1) || !a_.scalar(r1) || !b_.scalar(l2) || !b_.scalar(r2)) {
      return f1 == f2 && equal(l1, l2) && equal(r1, r2);
    }
    const bool ordered = n1 == "<" || n1 == "<=";
    bool variables = false, have_ratio = false;
    Value ratio;
    for (int point = 0; point < kPoints; ++point) {
      Evaluator e1(a_, point, &budget_), e2(b_, point, &budget_);
      const Value a = e1.eval(l1), b = e1.eval(r1), c = e2.eval(l2), d = e2.eval(r2);
      if (budget_ < 0) return false;
      variables |= e1.has_variables || e2.has_variables;
      if (e1.undefined || e2.undefined || e1.overflowed || e2.overflowed) continue;
      // d1 = l1 - r1 and d2 = l2 - r2, exactly as residues where both sides are rational.
      const bool mod = a.mod_ok && b.mod_ok && c.mod_ok && d.mod_ok;
      const double d1 = a.v - b.v, d2 = c.v - d.v;
      const uint64_t m1 = mod_add(a.mod, mod_neg(b.mod)), m2 = mod_add(c.mod, mod_neg(d.mod));
      const bool zero1 = mod ? m1 == 0 : is_close(a.v, b.v, rel_, abs_);
      const bool zero2 = mod ? m2 == 0 : is_close(c.v, d.v, rel_, abs_);
      if (zero1 != zero2) return false;
      if (zero1) continue;
      if (ordered && (d1 > 0) != (d2 > 0)) return false;
      const Value r{d1 / d2, {}, mod ? mod_mul(m1, mod_inv(m2)) : 0, mod};
      if (!have_ratio) {
        ratio = r;
        have_ratio = true;
      } else if (ratio.mod_ok && r.mod_ok ? ratio.mod != r.mod
                                          : !is_close(ratio.v, r.v, 1e-9, 1e-12)) {
        return false;
      }
    }
    // Without variables the sides themselves must agree.
    if (!variables) return f1 == f2 && equal(l1, l2) && equal(r1, r2);
    return have_ratio;
  }

 public:
 private:
  // Values at one point: 1 equal, 0 different, -1 nothing to tell (undefined somewhere).
  int values_equal(const Value& va, const Value& vb, bool variables) {
    if (va.exact.ok && vb.exact.ok) return exact_equal(va.exact, vb.exact) ? 1 : 0;
    // Rational expressions whose exact value does not fit 64 bits: residues decide.
    if (va.mod_ok && vb.mod_ok && (variables || !va.exact.ok || !vb.exact.ok)) {
      return va.mod == vb.mod ? 1 : 0;
    }
    return is_close(va.v, vb.v, rel_, abs_) ? 1 : 0;
  }

  // Two exact rationals. Integers and fractions that do not end in decimals compare exactly (an
  // integer and a non-integer within the absolute tolerance only); a tolerance applies between
  // decimals (0.3333333 and 0.33333333), and between a fraction and a decimal only if the
  // decimal is the fraction correctly rounded to its places (1/3 and 0.3333333, never 0.333 or
  // 0.3333334).
  bool exact_equal(Rational x, Rational y) {
    if (x.p == y.p && x.q == y.q) return true;
    if (x.q == 1 && y.q == 1) return false;
    // An integer against a non-integer: only the absolute tolerance, which is for values near
    // zero (0 and 1e-12), never the relative one (7905220 and 7905219.5).
    if (x.q == 1 || y.q == 1) {
      return std::fabs(static_cast<double>(x.p) / static_cast<double>(x.q) -
                       static_cast<double>(y.p) / static_cast<double>(y.q)) <= abs_;
    }
    const int dx = decimal_places(x.q), dy = decimal_places(y.q);
    if (dx < 0 && dy < 0) return false;
    if (!is_close(static_cast<double>(x.p) / static_cast<double>(x.q),
                  static_cast<double>(y.p) / static_cast<double>(y.q), rel_, abs_)) {
      return false;
    }
    if (dx >= 0 && dy >= 0) return true;
    const Rational& dec = dx >= 0 ? x : y;
    const Rational& frac = dx >= 0 ? y : x;
    // dec = n / 10^k exactly; frac rounds to n at k places when |frac * 10^k - n| <= 1/2.
    const int k = std::max(dx, dy);
    int128 scale = 1;
    for (int t = 0; t < k; ++t) scale *= 10;
    const int128 n = static_cast<int128>(dec.p) * (scale / dec.q);
    int128 diff = static_cast<int128>(frac.p) * scale - n * frac.q;
    if (diff < 0) diff = -diff;
    return 2 * diff <= static_cast<int128>(frac.q);
  }

  // The number of decimal places of 1/q when it has finitely many (q = 2^a 5^b), else -1.
  static int decimal_places(int64_t q) {
    int twos = 0, fives = 0;
    while (q % 2 == 0) q /= 2, ++twos;
    while (q % 5 == 0) q /= 5, ++fives;
    return q == 1 && std::max(twos, fives) <= 18 ? std::max(twos, fives) : -1;
  }

  bool scalars_equal(uint32_t i, uint32_t j) {
    int usable = 0;
    for (int point = 0; point < kPoints; ++point) {
      Evaluator ea(a_, point, &budget_), eb(b_, point, &budget_);
      const Value va = ea.eval(i), vb = eb.eval(j);
      if (budget_ < 0) return false;
      const bool variables = ea.has_variables || eb.has_variables;
      const bool residues = va.mod_ok && vb.mod_ok;
      if (!residues && (ea.undefined || eb.undefined || ea.overflowed || eb.overflowed)) {
        // A constant that overflows or divides by zero has no value to compare: compare how it
        // is written. An expression undefined on one side only at a point differs there.
        // With variables, a point where either side is undefined tells nothing (x^{2/3} and
        // \sqrt[3]{x}^2 differ in their domains, not their values).
        if (!variables) return Printer(a_).print(i) == Printer(b_).print(j);
        continue;
      }
      if (values_equal(va, vb, variables) == 0) return false;
      ++usable;
      if (!variables) return true;
    }
    return usable > 0 || Printer(a_).print(i) == Printer(b_).print(j);
  }

  const Tree &a_, &b_;
  double rel_, abs_;
  int64_t budget_ = kWorkBudget;
};

// An answer read as far as it goes: cleaned text, and its tree when the text is math.
struct Reading {
  std::string text;
  Tree tree;
  Parsed root;
};

// Where the one \pm (or \mp) of s is, or npos when there is none or more than one.
size_t single_plus_minus(std::string_view s) {
  size_t at = std::string_view::npos;
  for (size_t k = s.find('\\'); k != std::string_view::npos; k = s.find('\\', k + 1)) {
    const std::string_view rest = s.substr(k + 1);
    if ((rest.starts_with("pm") || rest.starts_with("mp")) &&
        (rest.size() == 2 || !is_alpha(rest[2]))) {
      if (at != std::string_view::npos) return std::string_view::npos;
      at = k;
    }
  }
  return at;
}

// The text after the last "\boxed{" when that box never closes, or nullopt.
std::optional<std::string> unclosed_box(std::string_view s) {
  const size_t at = s.rfind("\\boxed{");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(at + 7);
  int depth = 1;
  for (size_t k = 0; k < rest.size(); ++k) {
    if (rest[k] == '\\' && k + 1 < rest.size() && (rest[k + 1] == '{' || rest[k + 1] == '}')) {
      ++k;
    } else if (rest[k] == '{') {
      ++depth;
    } else if (rest[k] == '}' && --depth == 0) {
      return std::nullopt;
    }
  }
  rest = trim_ascii(rest);
  while (!rest.empty() && rest.back() == '$') rest = trim_ascii(rest.substr(0, rest.size() - 1));
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

// `reference`: s is a reference answer, whose last box may be unclosed (a dataset row cut
// short, "\boxed{W(n) = 1"): it is read to the end. A prediction's box must close.
Reading read(std::string_view s, Limits* limits, bool reference = false) {
  std::optional<std::string> boxes = boxed_answer(s, nullptr);
  if (!boxes && reference) boxes = unclosed_box(s);
  if (boxes) s = *boxes;
  Reading r{clean(s), {}, std::nullopt};
  if (!looks_like_math(r.text)) return r;
  const auto parse = [&](std::string_view text) {
    Parser parser(text, r.tree);
    const Parsed root = parser.parse();
    if (parser.too_deep()) limits->hit = true;
    return root;
  };
  // One \pm stands for both signs: "\pm 2" is {2, -2}, "1 \pm \sqrt{2}" two numbers.
  if (const size_t pm = single_plus_minus(r.text); pm != std::string::npos) {
    std::string plus = r.text, minus = r.text;
    plus.replace(pm, 3, " + ");
    minus.replace(pm, 3, " - ");
    const Parsed p = parse(plus), m = p ? parse(minus) : std::nullopt;
    if (!p || !m) return r;
    std::vector<Child> items;
    for (const Parsed root : {p, m}) {
      if (r.tree.nodes[*root].kind == Kind::kSet) {
        for (const Child& c : r.tree.children(*root)) items.push_back(c);
      } else {
        items.push_back({*root});
      }
    }
    r.root = r.tree.add({.kind = Kind::kSet}, items);
    return r;
  }
  r.root = parse(r.text);
  return r;
}

std::string text_key(std::string_view s) {
  std::string out = collapse_space(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Whether the text between two boxes separates items of one answer: only white space, commas,
// semicolons, math delimiters and spacing ("\boxed{1}, \boxed{2}", "$\boxed{1}$ and
// $\boxed{2}$"), or a short phrase with "and" or "or" ("\boxed{1} papers and \boxed{2} bins",
// "\boxed{(3, 3)} \text{ for part (a) and } \boxed{(1, 1)}"), but not other prose
// ("\boxed{1}, no, \boxed{2}", "\boxed{1} then \boxed{2}"). A divider of three or more of one
// symbol separates too ("\boxed{35} ++++++ \boxed{4}"); a single "+" or "-" is an operator.
bool separates_boxes(std::string_view gap) {
  static constexpr std::string_view kMarkup[] = {"\\text", "\\quad", "\\qquad", "\\(", "\\)", "\\[",
                                                 "\\]",    "\\,",    "\\;",     "\\ ", "\\!"};
  bool and_or = false, words = false;
  size_t letters = 0;
  for (size_t i = 0; i < gap.size();) {
    const char c = gap[i];
    if (std::string_view(" \t\n\r;${}&~.").find(c) != std::string_view::npos) {
      ++i;
      continue;
    }
    if (c == ',') {
      ++i;
      continue;
    }
    const auto markup =
        std::find_if(std::begin(kMarkup), std::end(kMarkup),
                     [&](std::string_view m) { return gap.substr(i).starts_with(m); });
    if (markup != std::end(kMarkup)) {
      i += markup->size();
      continue;
    }
    if (c == '=' && and_or) {  // "\boxed{1} and y_2 = \boxed{2}": the next item's name
      ++i;
      continue;
    }
    if (c == '_') {  // a subscript: "_2", "_{37}"
      ++i;
      while (i < gap.size() &&
             (is_digit(gap[i]) || is_alpha(gap[i]) || gap[i] == '{' || gap[i] == '}')) {
        ++i;
      }
      continue;
    }
    // A divider drawn with a symbol repeated, "++++++" or "-----", is no operator.
    if (std::string_view("+-*=#|/").find(c) != std::string_view::npos) {
      size_t n = 0;
      while (i + n < gap.size() && gap[i + n] == c) ++n;
      if (n < 3) return false;
      i += n;
      continue;
    }
    if (c == '\\' && i + 1 == gap.size()) {  // the first backslash of a doubled "\\boxed"
      ++i;
      continue;
    }
    if (!is_alpha(c) && c != '(' && c != ')') return false;
    size_t n = 0;
    while (i + n < gap.size() && (is_alpha(gap[i + n]) || gap[i + n] == '(' || gap[i + n] == ')')) {
      ++n;
    }
    const std::string_view word = gap.substr(i, n);
    if (word == "and" || word == "or") {
      and_or = true;
    } else {
      words = true;
      letters += n;
    }
    i += n;
  }
  return !words || (and_or && letters <= 24);
}

}  // namespace

std::optional<std::string> boxed_answer(std::string_view s, size_t* end) {
  struct Box {
    size_t command;  // where "\boxed{" starts
    size_t content;  // where its content starts
    size_t close;    // its closing brace
  };
  struct Open {
    size_t command, content;
    bool box;  // whether the group is a box's argument
  };
  std::vector<Open> open;
  std::vector<Box> closed;     // in the order they close
  std::optional<size_t> last;  // the box whose content starts last
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      const std::string_view rest = s.substr(i);
      if (rest.starts_with("\\boxed{") || rest.starts_with("\\fbox{")) {
        const size_t command = i;
        i += rest[1] == 'b' ? 6 : 5;
        open.push_back({command, i + 1, true});
      } else if (rest.size() > 1 && (rest[1] == '{' || rest[1] == '}')) {
        ++i;
      }
    } else if (c == '{') {
      open.push_back({i, i + 1, false});
    } else if (c == '}' && !open.empty()) {
      const Open o = open.back();
      open.pop_back();
      if (!o.box) continue;
      closed.push_back({o.command, o.content, i});
      if (!last || o.content > closed[*last].content) last = closed.size() - 1;
    }
  }
  if (!last) return std::nullopt;
  // Boxes written one after another, "\boxed{1}, \boxed{2}", are one answer: a list.
  std::vector<size_t> chain = {*last};
  for (size_t k = *last; k-- > 0;) {
    const Box& next = closed[chain.back()];
    if (closed[k].close > next.command) continue;  // nested in a later box
    if (!separates_boxes(s.substr(closed[k].close + 1, next.command - closed[k].close - 1))) {
      break;
    }
    chain.push_back(k);
  }
  if (end) *end = closed[*last].close + 1;
  std::string out;
  for (size_t c = chain.size(); c-- > 0;) {
    const Box& b = closed[chain[c]];
    const std::string_view content = trim_ascii(s.substr(b.content, b.close - b.content));
    if (content.empty()) continue;
    out.append(out.empty() ? "" : ", ").append(content);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

bool reads_as_math(std::string_view s) {
  if (s.size() > kMaxWholeAnswerBytes) return false;
  Limits limits;
  const Reading r = read(s, &limits);
  return r.root.has_value() && !limits.hit;
}

std::string normalize_answer(std::string_view s, Limits* limits) {
  if (s.size() > kMaxAnswerBytes) {
    limits->hit = true;
    return std::string(trim_ascii(s));
  }
  const Reading r = read(s, limits);
  if (!r.root) return r.text;
  // "x = 3" prints as its value.
  const Node& root = r.tree.nodes[*r.root];
  if (root.kind == Kind::kRelation && root.name.find_first_not_of("= ") == std::string::npos &&
      r.tree.nodes[r.tree.children(*r.root)[0].index].kind == Kind::kVariable) {
    return Printer(r.tree).print(r.tree.children(*r.root).back().index);
  }
  return Printer(r.tree).print(*r.root);
}

std::optional<double> answer_value(std::string_view s, Limits* limits) {
  if (s.size() > kMaxAnswerBytes) {
    limits->hit = true;
    return std::nullopt;
  }
  const Reading r = read(s, limits);
  if (!r.root || !r.tree.scalar(*r.root)) return std::nullopt;
  int64_t budget = kWorkBudget;
  Evaluator ev(r.tree, 0, &budget);
  const double v = ev.eval(*r.root).v;
  if (budget < 0) {  // a sum of sums stopped part way: no value
    limits->hit = true;
    return std::nullopt;
  }
  if (ev.undefined || ev.overflowed || ev.has_variables) return std::nullopt;
  return v;
}

bool answers_equal(std::string_view a, std::string_view b, double rel_tol, double abs_tol,
                   Limits* limits) {
  if (a.size() > kMaxAnswerBytes || b.size() > kMaxAnswerBytes) {
    limits->hit = true;
    return trim_ascii(a) == trim_ascii(b);
  }
  const Reading ra = read(a, limits), rb = read(b, limits, /*reference=*/true);
  if (ra.root && rb.root) {
    Comparer cmp(ra.tree, rb.tree, rel_tol, abs_tol);
    const bool same = cmp.equal(*ra.root, *rb.root);
    if (cmp.exhausted()) limits->hit = true;
    return same;
  }
  return text_key(ra.text) == text_key(rb.text);
}

}  // namespace rft::grader::math
