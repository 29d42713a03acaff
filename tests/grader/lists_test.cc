#include <vector>

#include "runtime/grader/value_ops.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class ListsTest : public BuiltinTest {};

constexpr std::string_view kLen = "len(xs: list<T>) -> num";
constexpr std::string_view kSlice = "slice(xs: list<T>, start: num, end: num) -> list<T>";
constexpr std::string_view kSum = "sum(xs: list<num>) -> num";
constexpr std::string_view kMean = "mean(xs: list<num>) -> num?";
constexpr std::string_view kMin = "min(xs: list<num>) -> num?";
constexpr std::string_view kMax = "max(xs: list<num>) -> num?";
constexpr std::string_view kAny = "any(xs: list<bool>) -> bool";
constexpr std::string_view kAll = "all(xs: list<bool>) -> bool";
constexpr std::string_view kCount = "count(xs: list<T>, x: T) -> num";
constexpr std::string_view kContains = "contains(xs: list<T>, x: T) -> bool";
constexpr std::string_view kFirst = "first(xs: list<T>) -> T?";
constexpr std::string_view kLast = "last(xs: list<T>) -> T?";

TEST_F(ListsTest, LenAndSlice) {
  expect_calls({
      {kLen, {Ln({})}, "0"},
      {kLen, {Ln({1, 2, 3})}, "3"},
      {kLen, {Ls({"a", "日本"})}, "2"},
      {kLen, {L({Ln({1}), Ln({})})}, "2"},
      {kSlice, {Ln({1, 2, 3, 4, 5}), N(1), N(3)}, "[2, 3]"},
      {kSlice, {Ln({1, 2, 3, 4, 5}), N(-2), N(100)}, "[4, 5]"},
      {kSlice, {Ln({1, 2, 3, 4, 5}), N(0), N(-1)}, "[1, 2, 3, 4]"},
      {kSlice, {Ln({1, 2, 3, 4, 5}), N(3), N(1)}, "[]"},
      {kSlice, {Ln({1, 2, 3, 4, 5}), N(-100), N(100)}, "[1, 2, 3, 4, 5]"},
      {kSlice, {Ln({1, 2, 3}), N(0.9), N(2.9)}, "[1, 2]"},
      {kSlice, {Ln({}), N(0), N(1)}, "[]"},
      {kSlice, {Ls({"a", "b", "c"}), N(1), N(2)}, "[\"b\"]"},
  });
}

TEST_F(ListsTest, SliceIsAView) {
  const rft_value xs = Ln({1, 2, 3, 4});
  const rft_value r = call(kSlice, {xs, N(1), N(3)});
  EXPECT_EQ(r.as.list.items, xs.as.list.items + 1);
}

TEST_F(ListsTest, SumAndMean) {
  expect_calls({
      {kSum, {Ln({})}, "0"},
      {kSum, {Ln({1, 2, 3.5})}, "6.5"},
      {kSum, {Ln({0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1})}, "1"},
      {kSum, {Ln({1e100, 1, -1e100})}, "1"},
      {kSum, {Ln({kInf, 1})}, "inf"},
      {kSum, {Ln({kInf, -kInf})}, "nan"},
      {kSum, {Ln({1, kNan})}, "nan"},
      {kSum, {Ln({1e308, 1e308})}, "inf"},
      {kMean, {Ln({})}, "none"},
      {kMean, {Ln({1, 2, 3, 4})}, "2.5"},
      {kMean, {Ln({-1})}, "-1"},
      {kMean, {Ln({1, kNan})}, "nan"},
  });
}

TEST_F(ListsTest, MinMax) {
  expect_calls({
      {kMin, {Ln({})}, "none"},
      {kMin, {Ln({3, 1, 2})}, "1"},
      {kMin, {Ln({-kInf, 0})}, "-inf"},
      {kMin, {Ln({1, kNan, 0})}, "nan"},
      {kMin, {Ln({kNan})}, "nan"},
      {kMax, {Ln({})}, "none"},
      {kMax, {Ln({3, 1, 2})}, "3"},
      {kMax, {Ln({5})}, "5"},
      {kMax, {Ln({1, kNan})}, "nan"},
  });
}

TEST_F(ListsTest, AnyAll) {
  expect_calls({
      {kAny, {L({})}, "false"},
      {kAny, {L({B(false), B(false)})}, "false"},
      {kAny, {L({B(false), B(true)})}, "true"},
      {kAll, {L({})}, "true"},
      {kAll, {L({B(true), B(true)})}, "true"},
      {kAll, {L({B(true), B(false)})}, "false"},
  });
}

TEST_F(ListsTest, CountAndContainsUseDeepEquality) {
  const rft_value nested = L({Ls({"a", "b"}), Ls({"c"}), Ls({"a", "b"})});
  expect_calls({
      {kCount, {Ln({1, 2, 1, 1}), N(1)}, "3"},
      {kCount, {Ln({1, 2}), N(3)}, "0"},
      {kCount, {Ln({}), N(1)}, "0"},
      {kCount, {Ln({kNan, kNan}), N(kNan)}, "0"},
      {kCount, {Ln({0}), N(-0.0)}, "1"},
      {kCount, {Ls({"日本", "日本", "本"}), S("日本")}, "2"},
      {kCount, {nested, Ls({"a", "b"})}, "2"},
      {kCount, {L({J("{\"a\": [1, 2]}"), J("{\"a\": [1]}")}), J("{\"a\": [1.0, 2]}")}, "1"},
      {kCount, {L({B(true), B(false), B(true)}), B(true)}, "2"},
      {kContains, {Ln({1, 2, 3}), N(2)}, "true"},
      {kContains, {Ln({1, 2, 3}), N(4)}, "false"},
      {kContains, {Ln({}), N(1)}, "false"},
      {kContains, {Ls({"a", "b"}), S("B")}, "false"},
      {kContains, {Ls({"", "x"}), S("")}, "true"},
      {kContains, {nested, Ls({"c"})}, "true"},
      {kContains, {nested, Ls({"b", "a"})}, "false"},
      {kContains, {L({J("null")}), J("null")}, "true"},
  });
}

TEST_F(ListsTest, FirstLast) {
  expect_calls({
      {kFirst, {Ln({})}, "none"},
      {kFirst, {Ln({7, 8, 9})}, "7"},
      {kFirst, {Ls({"x"})}, "\"x\""},
      {kFirst, {L({Ln({1, 2}), Ln({})})}, "[1, 2]"},
      {kLast, {Ln({})}, "none"},
      {kLast, {Ln({7, 8, 9})}, "9"},
      {kLast, {L({B(false)})}, "false"},
  });
}

TEST_F(ListsTest, LargeLists) {
  std::vector<rft_value> items;
  for (int i = 0; i < 100'000; ++i) items.push_back(N(i));
  const rft_value xs = make_list(ctx_, items);
  expect_calls({
      {kLen, {xs}, "100000"},
      {kSum, {xs}, "4999950000"},
      {kMean, {xs}, "49999.5"},
      {kMax, {xs}, "99999"},
      {kCount, {xs, N(99'999)}, "1"},
      {kLast, {call(kSlice, {xs, N(-10), N(-5)})}, "99994"},
  });
}

}  // namespace
}  // namespace rft::grader::testing
