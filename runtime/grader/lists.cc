// List builtins. Lists are immutable arrays of rft_values; slices are views of the same items.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/context.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

// Neumaier-compensated sum, so that sum([0.1] * 10) is exactly 1. Infinities and NaN make the
// compensation meaningless; the plain sum is then the IEEE answer.
double compensated_sum(std::span<const rft_value> xs) {
  double sum = 0, plain = 0, compensation = 0;
  for (const rft_value& x : xs) {
    const double v = x.as.num;
    const double t = sum + v;
    compensation += std::fabs(sum) >= std::fabs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
    plain += v;
  }
  const double total = sum + compensation;
  return std::isfinite(total) ? total : plain;
}

// The smallest (`want_min`) or largest number; NaN if any item is NaN; none for an empty list.
rft_value extreme(std::span<const rft_value> xs, bool want_min) {
  if (xs.empty()) return rft_none();
  double best = xs[0].as.num;
  for (const rft_value& x : xs) {
    const double v = x.as.num;
    if (std::isnan(v)) return rft_num(v);
    if (want_min ? v < best : v > best) best = v;
  }
  return rft_num(best);
}

bool is_true(const rft_value& x) { return x.as.boolean != 0; }

}  // namespace

RFT_BUILTIN(len_list) { *out = rft_num(static_cast<double>(args[0].as.list.len)); }

RFT_BUILTIN(slice_list) {
  const auto xs = items_of(args[0]);
  const SliceBounds r = slice_bounds(args[1].as.num, args[2].as.num, xs.size());
  *out = list_value(xs.data() + r.begin, r.end - r.begin);
}

RFT_BUILTIN(sum) { *out = rft_num(compensated_sum(items_of(args[0]))); }

RFT_BUILTIN(mean) {
  const auto xs = items_of(args[0]);
  *out = xs.empty() ? rft_none() : rft_num(compensated_sum(xs) / static_cast<double>(xs.size()));
}

RFT_BUILTIN(min_list) { *out = extreme(items_of(args[0]), true); }
RFT_BUILTIN(max_list) { *out = extreme(items_of(args[0]), false); }

RFT_BUILTIN(any) {
  const auto xs = items_of(args[0]);
  *out = rft_bool(std::any_of(xs.begin(), xs.end(), is_true));
}

RFT_BUILTIN(all) {
  const auto xs = items_of(args[0]);
  *out = rft_bool(std::all_of(xs.begin(), xs.end(), is_true));
}

RFT_BUILTIN(count_list) {
  const auto xs = items_of(args[0]);
  const auto n = std::count_if(xs.begin(), xs.end(),
                               [&](const rft_value& y) { return values_equal(y, args[1]); });
  *out = rft_num(static_cast<double>(n));
}

RFT_BUILTIN(contains_list) {
  const auto xs = items_of(args[0]);
  *out = rft_bool(std::any_of(xs.begin(), xs.end(),
                              [&](const rft_value& y) { return values_equal(y, args[1]); }));
}

RFT_BUILTIN(first) {
  const auto xs = items_of(args[0]);
  *out = xs.empty() ? rft_none() : xs.front();
}

RFT_BUILTIN(last) {
  const auto xs = items_of(args[0]);
  *out = xs.empty() ? rft_none() : xs.back();
}

}  // namespace rft::grader
