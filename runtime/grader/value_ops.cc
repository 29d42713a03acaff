#include "runtime/grader/value_ops.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

namespace rft::grader {

bool values_equal(const rft_value& a, const rft_value& b) {
  if (a.tag != b.tag) return false;
  switch (a.tag) {
    case RFT_NONE:
      return true;
    case RFT_BOOL:
      return (a.as.boolean != 0) == (b.as.boolean != 0);
    case RFT_NUM:
      return a.as.num == b.as.num;
    case RFT_STR:
      return view_str(a) == view_str(b);
    case RFT_JSON:
      return *static_cast<const nlohmann::json*>(a.as.json) ==
             *static_cast<const nlohmann::json*>(b.as.json);
    case RFT_REGEX:
      return a.as.regex == b.as.regex;
    case RFT_LIST: {
      const auto xs = items_of(a), ys = items_of(b);
      if (xs.size() != ys.size()) return false;
      for (size_t i = 0; i < xs.size(); ++i) {
        if (!values_equal(xs[i], ys[i])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

std::string format_num(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0) return "0";
  // Shortest round-trip digits in scientific form, "-d.ddde+XX", re-laid out below.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  int exponent = 0;
  const char* exp_begin = sci.data() + e_pos + 1;
  if (*exp_begin == '+') ++exp_begin;
  std::from_chars(exp_begin, sci.data() + sci.size(), exponent);

  // ECMAScript Number::toString: k significant digits, decimal point after n of them.
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  std::string out = x < 0 ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out += '.';
    out.append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += n - 1 >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

SliceBounds slice_bounds(double start, double end, size_t n) {
  const double len = static_cast<double>(n);
  const auto clamp_index = [len](double i) {
    i = std::isnan(i) ? 0 : std::trunc(i);
    if (i < 0) i += len;
    return static_cast<size_t>(std::clamp(i, 0.0, len));
  };
  const size_t b = clamp_index(start);
  return {b, std::max(b, clamp_index(end))};
}

namespace {

bool holds_bool(const rft_value& v) {
  if (v.tag == RFT_BOOL) return true;
  if (v.tag != RFT_LIST) return false;
  for (const rft_value& x : items_of(v)) {
    if (holds_bool(x)) return true;
  }
  return false;
}

}  // namespace

rft_value numeric_list(Context& ctx, const rft_value& v) {
  if (v.tag != RFT_LIST || !holds_bool(v)) return v;
  auto items = items_of(v);
  rft_value* out = ctx.alloc_values(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const rft_value& x = items[i];
    out[i] = x.tag == RFT_BOOL ? rft_num(static_cast<double>(x.as.boolean)) : numeric_list(ctx, x);
  }
  return list_value(out, items.size());
}

rft_value make_list(Context& ctx, std::span<const rft_value> items) {
  if (items.empty()) return list_value(nullptr, 0);
  rft_value* copy = ctx.alloc_values(items.size());
  std::memcpy(copy, items.data(), items.size() * sizeof(rft_value));
  return list_value(copy, items.size());
}

rft_value make_str_list(Context& ctx, std::span<const std::string_view> items) {
  if (items.empty()) return list_value(nullptr, 0);
  rft_value* values = ctx.alloc_values(items.size());
  for (size_t i = 0; i < items.size(); ++i) values[i] = str_value(items[i]);
  return list_value(values, items.size());
}

}  // namespace rft::grader

using rft::grader::Context;

extern "C" int rft_value_equal(const rft_value* a, const rft_value* b) {
  return rft::grader::values_equal(*a, *b) ? 1 : 0;
}

extern "C" rft_str rft_str_concat(rft_ctx* ctx, rft_str a, rft_str b) {
  Context& c = Context::from(ctx);
  if (rft::grader::exceeds_result_limit(a.len, 1, b.len)) {
    c.charge(1);
    c.flag(rft::grader::kFlagResultTooLarge);
    return a;
  }
  c.charge(1 + (a.len + b.len) / 64);
  if (b.len == 0) return a;
  if (a.len == 0) return b;
  auto* buf = static_cast<char*>(c.alloc(a.len + b.len, 1));
  std::memcpy(buf, a.ptr, a.len);
  std::memcpy(buf + a.len, b.ptr, b.len);
  return {buf, a.len + b.len};
}
