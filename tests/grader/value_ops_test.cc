#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/grader/json.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(FormatNum, ShortestRoundTripJavaScriptLayout) {
  struct Case {
    double x;
    const char* want;
  };
  const std::vector<Case> cases = {
      {0, "0"},
      {-0.0, "0"},
      {42, "42"},
      {-42, "-42"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 3, "0.3333333333333333"},
      {123456789, "123456789"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {1.5e300, "1.5e+300"},
      {-2.5e21, "-2.5e+21"},
      {1e-6, "0.000001"},
      {1.25e-6, "0.00000125"},
      {1e-7, "1e-7"},
      {-1.5e-7, "-1.5e-7"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {9007199254740993.0, "9007199254740992"},
      {std::nan(""), "nan"},
      {kInf, "inf"},
      {-kInf, "-inf"},
  };
  for (const Case& c : cases) EXPECT_EQ(format_num(c.x), c.want) << c.want;
}

TEST(FormatNum, RoundTrips) {
  for (double x : {0.1, 1.0 / 7, 6.02214076e23, 1e-300, 123.456, -9.87654321e-5}) {
    EXPECT_EQ(std::stod(format_num(x)), x);
  }
}

TEST(ValuesEqual, ComparesDeeply) {
  Context ctx;
  const rft_value one = rft_num(1), one_again = rft_num(1), two = rft_num(2);
  const rft_value nan = rft_num(std::nan(""));
  EXPECT_TRUE(values_equal(rft_none(), rft_none()));
  EXPECT_TRUE(values_equal(one, one_again));
  EXPECT_FALSE(values_equal(one, two));
  EXPECT_FALSE(values_equal(nan, nan));
  EXPECT_TRUE(values_equal(rft_num(0.0), rft_num(-0.0)));
  EXPECT_TRUE(values_equal(rft_bool(1), rft_bool(1)));
  EXPECT_FALSE(values_equal(rft_bool(1), rft_bool(0)));
  EXPECT_FALSE(values_equal(rft_bool(1), one));  // different tags
  EXPECT_FALSE(values_equal(rft_none(), rft_num(0)));

  std::string a = "日本", b = "日本";  // different buffers, same bytes
  EXPECT_TRUE(values_equal(str_value(a), str_value(b)));
  EXPECT_FALSE(values_equal(str_value("a"), str_value("a ")));
  EXPECT_TRUE(values_equal(str_value(""), str_value(std::string_view())));

  const rft_value j1 = json_value(parse_json(ctx, R"({"a": [1, 2.0], "b": null})"));
  const rft_value j2 = json_value(parse_json(ctx, R"({"b": null, "a": [1.0, 2]})"));
  const rft_value j3 = json_value(parse_json(ctx, R"({"a": [1, 2]})"));
  EXPECT_TRUE(values_equal(j1, j2));
  EXPECT_FALSE(values_equal(j1, j3));

  const rft_value xs[] = {one, str_value("x")};
  const rft_value ys[] = {one_again, str_value("x")};
  const rft_value zs[] = {one, str_value("y")};
  EXPECT_TRUE(values_equal(list_value(xs, 2), list_value(ys, 2)));
  EXPECT_FALSE(values_equal(list_value(xs, 2), list_value(zs, 2)));
  EXPECT_FALSE(values_equal(list_value(xs, 2), list_value(ys, 1)));
  EXPECT_TRUE(values_equal(list_value(nullptr, 0), list_value(xs, 0)));
  const rft_value nested_a[] = {list_value(xs, 2)}, nested_b[] = {list_value(ys, 2)};
  EXPECT_TRUE(values_equal(list_value(nested_a, 1), list_value(nested_b, 1)));

  EXPECT_EQ(rft_value_equal(&one, &one_again), 1);
  EXPECT_EQ(rft_value_equal(&one, &two), 0);
}

TEST(StrConcat, JoinsInTheArena) {
  Context ctx;
  const rft_str a = str_of("日本"), b = str_of("語!"), empty = str_of("");
  EXPECT_EQ(view(rft_str_concat(ctx.handle(), a, b)), "日本語!");
  EXPECT_EQ(rft_str_concat(ctx.handle(), a, empty).ptr, a.ptr);  // no copy
  EXPECT_EQ(rft_str_concat(ctx.handle(), empty, b).ptr, b.ptr);
  EXPECT_EQ(rft_str_concat(ctx.handle(), empty, empty).len, 0u);
}

TEST(SliceBounds, PythonRules) {
  struct Case {
    double start, end;
    size_t n, begin, stop;
  };
  const std::vector<Case> cases = {
      {0, 3, 5, 0, 3},
      {1, 100, 5, 1, 5},
      {-2, 5, 5, 3, 5},
      {-100, 2, 5, 0, 2},
      {3, 1, 5, 3, 3},
      {0, -1, 5, 0, 4},
      {1.9, 3.9, 5, 1, 3},
      {-1.5, 5, 5, 4, 5},
      {-0.5, 2, 5, 0, 2},
      {0, 0, 0, 0, 0},
      {std::nan(""), 2, 5, 0, 2},
      {-kInf, kInf, 5, 0, 5},
      {kInf, -kInf, 5, 5, 5},
      {1e300, 2, 5, 5, 5},
  };
  for (const Case& c : cases) {
    const SliceBounds r = slice_bounds(c.start, c.end, c.n);
    EXPECT_EQ(r.begin, c.begin) << c.start << ".." << c.end << " of " << c.n;
    EXPECT_EQ(r.end, c.stop) << c.start << ".." << c.end << " of " << c.n;
  }
}

TEST(ResultLimit, DetectsOverflowWithoutWrapping) {
  EXPECT_FALSE(exceeds_result_limit(10, 10, 10));
  EXPECT_FALSE(exceeds_result_limit(kMaxResultBytes, 0, 100));
  EXPECT_TRUE(exceeds_result_limit(kMaxResultBytes + 1, 0, 0));
  EXPECT_TRUE(exceeds_result_limit(0, size_t{1} << 40, size_t{1} << 40));
  EXPECT_TRUE(exceeds_result_limit(1, kMaxResultBytes, 1));
}

}  // namespace
}  // namespace rft::grader
