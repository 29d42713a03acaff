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
                                                                       {"\\approx", "="},
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
constexpr std::string_view kTextCommands[] = {"text",   "textbf",       "textit", "textrm",
                                              "mathrm", "mathbf",       "mathit", "mbox",
                                              "hbox",   "operatorname", "boxed",  "fbox"};
// Commands that only affect layout.
constexpr std::string_view kLayoutCommands[] = {
    "left", "right",        "big",       "Big",  "bigl",  "bigr",   "Bigl",
    "Bigr", "displaystyle", "textstyle", "quad", "qquad", "limits", "middle"};

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
        // Spacing (\, \! \; \: \ ) goes; escaped symbols such as \{ stay.
        const char d = j < s.size() ? s[j] : ' ';
        if (std::string_view(",!;: ").find(d) == std::string_view::npos) out.append(s, i, 2);
        i = std::min(s.size(), j + 1);
      } else if (one_of(name, kLayoutCommands)) {
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

// "x = 3" and "f(x) = 2x" give the right-hand side, when the left one is a name.
std::string_view drop_name_equals(std::string_view s) {
  const size_t eq = s.find('=');
  if (eq == std::string_view::npos || s.find('=', eq + 1) != std::string_view::npos) return s;
  const std::string_view lhs = trim_ascii(s.substr(0, eq));
  const bool is_name =
      !lhs.empty() &&
      lhs.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_{}() \\") ==
          std::string_view::npos;
  return is_name || lhs.empty() ? trim_ascii(s.substr(eq + 1)) : s;
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

// The answer as plain math text (or cleaned prose).
std::string clean(std::string_view input) {
  std::string s(trim_ascii(input));
  for (const auto& [from, to] : kRewrites) rewrite_all(s, from, to);
  s = drop_thousands_separators(strip_latex(s));
  std::string_view v = drop_units(s);
  v = drop_name_equals(v);
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
  kTuple,     // (a, b), [a, b), ...: ordered, with its brackets
  kSet,       // {a, b}: unordered
  kUnion,     // A \cup B
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
  char open = 0, close = 0;       // kTuple
  uint32_t first = 0, count = 0;  // children: Tree::kids[first, first + count)
  double value = 0;               // kNumber
  Rational exact;                 // kNumber
  std::string name;               // kVariable: "x", "x_1", "\alpha"
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
    std::vector<Child> items;
    do {
      const Parsed item = union_();
      if (!item) return std::nullopt;
      items.push_back({*item});
    } while (eat(","));
    skip_space();
    if (pos_ != s_.size()) return std::nullopt;
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
    return cmd == "frac" || cmd == "sqrt" || cmd == "pi" || cmd == "infty" || one_of(cmd, kGreek) ||
           std::any_of(std::begin(kFunctions), std::end(kFunctions),
                       [&](const FnName& f) { return f.name == cmd; });
  }

  Parsed product() {
    std::vector<Child> factors;
    const Parsed first = unary();
    if (!first) return std::nullopt;
    factors.push_back({*first});
    for (;;) {
      bool inverse = false;
      if (eat("*") || eat_command("cdot") || eat_command("times")) {
      } else if (eat("/") || eat_command("div")) {
        inverse = true;
      } else if (!implicit_factor_follows()) {
        break;
      }
      const Parsed f = unary();
      if (!f) return std::nullopt;
      factors.push_back({*f, inverse});
    }
    if (factors.size() == 1) return factors[0].index;
    for (const Child& c : factors) {
      if (!t_.scalar(c.index)) return std::nullopt;
    }
    return t_.add({.kind = Kind::kProduct}, factors);
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
      const Parsed item = union_();
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
    name->append(s_.substr(pos_, end - pos_));
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
    if (cmd == "emptyset" || cmd == "varnothing") return t_.add({.kind = Kind::kSet});
    if (one_of(cmd, kGreek)) {
      Node n{.kind = Kind::kVariable, .name = "\\" + std::string(cmd)};
      subscript(&n.name);
      return t_.add(std::move(n));
    }
    return word(cmd);
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
      if (xs->size() == 1 && t_.scalar((*xs)[0].index) &&
          ((open == '(' && closed == ")") || (open == '[' && closed == "]"))) {
        return (*xs)[0].index;  // grouping
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

struct Value {
  double v = 0;
  Rational exact;
};

class Evaluator {
 public:
  Evaluator(const Tree& t, int point, int64_t* budget) : t_(t), point_(point), budget_(budget) {}

  Value eval(uint32_t i) {
    --*budget_;
    const Node& n = t_.nodes[i];
    const auto kids = t_.children(i);
    switch (n.kind) {
      case Kind::kNumber:
        if (!std::isfinite(n.value)) undefined = true;
        return {n.value, n.exact};
      case Kind::kVariable:
        has_variables = true;
        return {variable_value(n.name, point_), {}};
      case Kind::kPi:
        return {std::numbers::pi, {}};
      case Kind::kE:
        return {std::numbers::e, {}};
      case Kind::kInfinity:
        return {HUGE_VAL, {}};
      case Kind::kSum: {
        Value acc{0, make_rational(0, 1)};
        for (const Child& c : kids) {
          Value x = eval(c.index);
          if (c.inverse) x = {-x.v, neg(x.exact)};
          acc = checked(acc.v, x.v, {acc.v + x.v, add(acc.exact, x.exact)});
        }
        return acc;
      }
      case Kind::kProduct: {
        Value acc{1, make_rational(1, 1)};
        for (const Child& c : kids) {
          Value x = eval(c.index);
          if (c.inverse) x = checked(x.v, 1, {1 / x.v, inv(x.exact)});
          acc = checked(acc.v, x.v, {acc.v * x.v, mul(acc.exact, x.exact)});
        }
        return acc;
      }
      case Kind::kPower: {
        const Value b = eval(kids[0].index), e = eval(kids[1].index);
        Rational exact;
        if (e.exact.ok && e.exact.q == 1) exact = rational_power(b.exact, e.exact.p);
        return checked(b.v, e.v, {std::pow(b.v, e.v), exact});
      }
      case Kind::kNegate: {
        const Value x = eval(kids[0].index);
        return {-x.v, neg(x.exact)};
      }
      case Kind::kFactorial: {
        const Value x = eval(kids[0].index);
        if (!(x.v >= 0 && x.v <= 170 && x.v == std::floor(x.v))) return checked(x.v, 0, {kNaN, {}});
        double f = 1;
        for (int k = 2; k <= static_cast<int>(x.v); ++k) f *= k;
        return {f, x.v <= 20 ? make_rational(static_cast<int64_t>(f), 1) : Rational{}};
      }
      case Kind::kFunction:
        return function(n.fn, kids);
      default:
        undefined = true;
        return {kNaN, {}};
    }
  }

  bool undefined = false;  // a finite input gave NaN or infinity (overflow, 1/0, sqrt(-1))
  bool has_variables = false;

 private:
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
      case Kind::kFunction: {
        std::string out = std::string(fn_name(n.fn)) + "(" + print(kids[0].index);
        if (kids.size() > 1) out += ", " + print(kids[1].index);
        return out + ")";
      }
      case Kind::kTuple:
        return std::string(1, n.open) + list(kids, false) + n.close;
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

  bool equal(uint32_t i, uint32_t j) {
    if (--budget_ < 0) return false;
    const Node &x = a_.nodes[i], &y = b_.nodes[j];
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
  bool scalars_equal(uint32_t i, uint32_t j) {
    int usable = 0;
    for (int point = 0; point < kPoints; ++point) {
      Evaluator ea(a_, point, &budget_), eb(b_, point, &budget_);
      const Value va = ea.eval(i), vb = eb.eval(j);
      if (budget_ < 0) return false;
      const bool variables = ea.has_variables || eb.has_variables;
      if (ea.undefined || eb.undefined) {
        // A constant that overflows or divides by zero has no value to compare: compare how it
        // is written. An expression undefined on one side only at a point differs there.
        if (!variables) return Printer(a_).print(i) == Printer(b_).print(j);
        if (ea.undefined != eb.undefined) return false;
        continue;
      }
      const bool same =
          (va.exact.ok && vb.exact.ok && va.exact.p == vb.exact.p && va.exact.q == vb.exact.q) ||
          is_close(va.v, vb.v, rel_, abs_);
      if (!same) return false;
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

Reading read(std::string_view s, Limits* limits) {
  Reading r{clean(s), {}, std::nullopt};
  if (looks_like_math(r.text)) {
    Parser parser(r.text, r.tree);
    r.root = parser.parse();
    if (parser.too_deep()) limits->hit = true;
  }
  return r;
}

std::string text_key(std::string_view s) {
  std::string out = collapse_space(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace

std::string normalize_answer(std::string_view s, Limits* limits) {
  if (s.size() > kMaxAnswerBytes) {
    limits->hit = true;
    return std::string(trim_ascii(s));
  }
  const Reading r = read(s, limits);
  return r.root ? Printer(r.tree).print(*r.root) : r.text;
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
  if (ev.undefined || ev.has_variables) return std::nullopt;
  return v;
}

bool answers_equal(std::string_view a, std::string_view b, double rel_tol, double abs_tol,
                   Limits* limits) {
  if (a.size() > kMaxAnswerBytes || b.size() > kMaxAnswerBytes) {
    limits->hit = true;
    return trim_ascii(a) == trim_ascii(b);
  }
  const Reading ra = read(a, limits), rb = read(b, limits);
  if (ra.root && rb.root) {
    Comparer cmp(ra.tree, rb.tree, rel_tol, abs_tol);
    const bool same = cmp.equal(*ra.root, *rb.root);
    if (cmp.exhausted()) limits->hit = true;
    return same;
  }
  return text_key(ra.text) == text_key(rb.text);
}

}  // namespace rft::grader::math
