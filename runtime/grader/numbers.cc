// Number builtins: parsing, extraction from prose, and IEEE arithmetic (NaN and ±inf flow through
// every function instead of failing).
#include "runtime/grader/numbers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/context.h"
#include "runtime/grader/unicode.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t skip_digits(std::string_view s, size_t i) {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

// Power of ten of the leading nonzero digit of a literal (see to_double), or INT64_MIN for zero.
int64_t decimal_magnitude(std::string_view literal) {
  const size_t e = literal.find_first_of("eE");
  const std::string_view mantissa = literal.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    const bool negative = literal[e + 1] == '-';
    for (char c : literal.substr(e + 1)) {
      if (is_digit(c)) exponent = std::min<int64_t>(exponent * 10 + (c - '0'), int64_t{1} << 40);
    }
    if (negative) exponent = -exponent;
  }
  const size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) return std::numeric_limits<int64_t>::min();
  const size_t dot = std::min(mantissa.find('.'), mantissa.size());
  const auto place =
      first < dot ? static_cast<int64_t>(dot - first - 1) : -static_cast<int64_t>(first - dot);
  return place + exponent;
}

// Converts a literal matching -?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? to the nearest double.
double to_double(std::string_view literal) {
  double value = 0;
  const auto res = std::from_chars(literal.data(), literal.data() + literal.size(), value);
  if (res.ec != std::errc::result_out_of_range) return value;
  // from_chars leaves `value` alone when the result is out of range: overflow or underflow?
  const double magnitude =
      decimal_magnitude(literal) >= 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return literal.starts_with('-') ? -magnitude : magnitude;
}

// The end of digits, fraction and exponent starting at i, in the syntax of to_double (without
// the sign), or i itself when no number starts there. `group_thousands` also accepts "1,234,567"
// (a first group of 1-3 digits, then groups of exactly 3); the commas are left out of *literal.
size_t scan_unsigned(std::string_view s, size_t i, bool group_thousands, std::string* literal) {
  const size_t int_end = skip_digits(s, i);
  size_t k = int_end;
  literal->append(s.substr(i, int_end - i));
  if (group_thousands && int_end - i >= 1 && int_end - i <= 3) {
    while (k < s.size() && s[k] == ',' && skip_digits(s, k + 1) == k + 4) {
      literal->append(s.substr(k + 1, 3));
      k += 4;
    }
  }
  const size_t frac_end = k < s.size() && s[k] == '.' ? skip_digits(s, k + 1) : k;
  const bool has_fraction = frac_end > k + 1;
  if (k == i && !has_fraction) return i;  // neither digits nor ".5"
  // A bare trailing dot ("12.") belongs to the number only for num().
  if (has_fraction || (!group_thousands && frac_end == k + 1)) {
    literal->append(s.substr(k, frac_end - k));
    k = frac_end;
  }
  if (k < s.size() && (s[k] == 'e' || s[k] == 'E')) {
    size_t m = k + 1;
    if (m < s.size() && (s[m] == '+' || s[m] == '-')) ++m;
    const size_t exp_end = skip_digits(s, m);
    if (exp_end > m) {
      literal->append(s.substr(k, exp_end - k));
      k = exp_end;
    }
  }
  return k;
}

double round_half_away(double x, double digits) {
  if (!std::isfinite(x)) return x;
  const double d = std::isnan(digits) ? 0 : std::trunc(std::clamp(digits, -400.0, 400.0));
  if (d >= 0) {
    const double scale = std::pow(10.0, d);
    const double scaled = x * scale;
    // From 2^52 on a double has no fraction bits, so x is already exact at this precision.
    if (!std::isfinite(scaled) || std::fabs(scaled) >= 0x1p52) return x;
    return std::round(scaled) / scale;
  }
  const double scale = std::pow(10.0, -d);
  if (!std::isfinite(scale)) return std::copysign(0.0, x);
  return std::round(x / scale) * scale;
}

}  // namespace

std::optional<double> parse_number(std::string_view s) {
  s = trim_white_space(s);
  size_t i = 0;
  std::string literal;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (s[i] == '-') literal += '-';
    ++i;
  }
  const size_t end = scan_unsigned(s, i, false, &literal);
  if (end == i || end != s.size()) return std::nullopt;
  return to_double(literal);
}

RFT_BUILTIN(num_str) {
  const std::optional<double> x = parse_number(view_str(args[0]));
  *out = x ? rft_num(*x) : rft_none();
}

RFT_BUILTIN(num_bool) { *out = rft_num(args[0].as.boolean != 0 ? 1 : 0); }

// Reading rules (for the language reference): a '-' directly before the digits is a sign unless
// it follows an ASCII letter or digit ("3-4" and "x-1" give 3, 4 and 1); a '.' directly after a
// number does not start a new one ("3.14.15" gives 3.14 and 15, "v1.2.3" gives 1.2 and 3);
// a trailing '.' is not part of a number ("5." gives 5); commas group thousands only in the exact
// form 1,234,567 ("1,2" gives 1 and 2).
RFT_BUILTIN(numbers) {
  const std::string_view s = view_str(args[0]);
  std::vector<rft_value> found;
  std::string literal;
  for (size_t i = 0; i < s.size();) {
    // Only a digit, '-' or '.' can start a number: skip everything else without scanning.
    if (!is_digit(s[i]) && s[i] != '-' && s[i] != '.') {
      ++i;
      continue;
    }
    const char prev = i > 0 ? s[i - 1] : ' ';
    literal.clear();
    size_t start = i;
    if (s[i] == '-' && !is_ascii_alnum(prev)) {
      literal += '-';
      ++start;
    } else if (s[i] == '.' && is_digit(prev)) {
      ++i;
      continue;
    }
    const size_t end = scan_unsigned(s, start, true, &literal);
    if (end == start) {
      ++i;
      continue;
    }
    found.push_back(rft_num(to_double(literal)));
    i = end;
  }
  *out = make_list(Context::from(ctx), found);
}

RFT_BUILTIN(abs) { *out = rft_num(std::fabs(args[0].as.num)); }
RFT_BUILTIN(floor) { *out = rft_num(std::floor(args[0].as.num)); }
RFT_BUILTIN(ceil) { *out = rft_num(std::ceil(args[0].as.num)); }
RFT_BUILTIN(sqrt) { *out = rft_num(std::sqrt(args[0].as.num)); }
RFT_BUILTIN(exp) { *out = rft_num(std::exp(args[0].as.num)); }
RFT_BUILTIN(log) { *out = rft_num(std::log(args[0].as.num)); }
RFT_BUILTIN(pow) { *out = rft_num(std::pow(args[0].as.num, args[1].as.num)); }

RFT_BUILTIN(round) { *out = rft_num(round_half_away(args[0].as.num, args[1].as.num)); }

RFT_BUILTIN(min_num) {
  const double a = args[0].as.num, b = args[1].as.num;
  *out = rft_num(std::isnan(a) || std::isnan(b) ? std::nan("") : (b < a ? b : a));
}

RFT_BUILTIN(max_num) {
  const double a = args[0].as.num, b = args[1].as.num;
  *out = rft_num(std::isnan(a) || std::isnan(b) ? std::nan("") : (b > a ? b : a));
}

// NaN in any argument gives NaN; when lo > hi the result is lo (max(lo, min(x, hi))).
RFT_BUILTIN(clamp) {
  const double x = args[0].as.num, lo = args[1].as.num, hi = args[2].as.num;
  *out = rft_num(std::isnan(x) || std::isnan(lo) || std::isnan(hi) ? std::nan("")
                                                                   : std::max(lo, std::min(x, hi)));
}

RFT_BUILTIN(is_finite) { *out = rft_bool(std::isfinite(args[0].as.num)); }

// Python's math.isclose: |a - b| <= max(rel_tol * max(|a|, |b|), abs_tol); equal infinities are
// close, any other infinity or NaN is not. Negative tolerances act like 0.
RFT_BUILTIN(approx) {
  const double a = args[0].as.num, b = args[1].as.num;
  const double rel_tol = args[2].as.num, abs_tol = args[3].as.num;
  if (a == b) {
    *out = rft_bool(true);
    return;
  }
  if (!std::isfinite(a) || !std::isfinite(b)) {
    *out = rft_bool(false);
    return;
  }
  const double diff = std::fabs(a - b);
  *out = rft_bool(diff <= rel_tol * std::max(std::fabs(a), std::fabs(b)) || diff <= abs_tol);
}

}  // namespace rft::grader
