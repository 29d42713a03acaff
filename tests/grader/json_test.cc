#include <string>

#include "runtime/grader/json.h"
#include "runtime/grader/value_ops.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class JsonTest : public BuiltinTest {};

constexpr std::string_view kJson = "json(s: str) -> json?";
constexpr std::string_view kGet = "get(j: json, path: str) -> json?";
constexpr std::string_view kMember = "json_member(j: json, key: str) -> json?";
constexpr std::string_view kIndex = "json_index(j: json, i: num) -> json?";
constexpr std::string_view kAsStr = "as_str(j: json) -> str?";
constexpr std::string_view kAsNum = "as_num(j: json) -> num?";
constexpr std::string_view kAsBool = "as_bool(j: json) -> bool?";
constexpr std::string_view kAsList = "as_list(j: json) -> list<json>?";
constexpr std::string_view kKeys = "keys(j: json) -> list<str>?";
constexpr std::string_view kHas = "has(j: json, key: str) -> bool";
constexpr std::string_view kTypeOf = "type_of(j: json) -> str";
constexpr std::string_view kDump = "dump(j: json) -> str";
constexpr std::string_view kLen = "len(j: json) -> num?";
constexpr std::string_view kNum = "num(j: json) -> num?";

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_F(JsonTest, Parse) {
  expect_calls({
      {kJson, {S(R"({"a": 1})")}, R"(json:{"a":1})"},
      {kJson, {S("  [1, 2.5, \"x\", null, true]\n")}, R"(json:[1,2.5,"x",null,true])"},
      {kJson, {S("42")}, "json:42"},
      {kJson, {S("\"日本\"")}, "json:\"日本\""},
      {kJson, {S("null")}, "json:null"},
      {kJson, {S(R"({"a": 1, "a": 2})")}, R"(json:{"a":2})"},  // the last duplicate wins
      {kJson, {S("")}, "none"},
      {kJson, {S("   ")}, "none"},
      {kJson, {S("{")}, "none"},
      {kJson, {S("{'a': 1}")}, "none"},
      {kJson, {S("[1, 2,]")}, "none"},
      {kJson, {S("{\"a\": 1} trailing")}, "none"},
      {kJson, {S("[1] [2]")}, "none"},
      {kJson, {S("NaN")}, "none"},
      {kJson, {S("1e400")}, "none"},
      {kJson, {S("// comment\n1")}, "none"},
      {kJson, {S("\"\xFF\"")}, "none"},     // invalid UTF-8 inside a string
      {kJson, {S("\"\\ud800\"")}, "none"},  // lone surrogate escape
  });
  EXPECT_FALSE(flagged(kFlagJsonTooDeep));
}

TEST_F(JsonTest, NestingLimit) {
  EXPECT_EQ(show(call(kJson, {S(nested(kMaxJsonDepth))})).substr(0, 8), "json:[[[");
  EXPECT_FALSE(flagged(kFlagJsonTooDeep));
  EXPECT_EQ(show(call(kJson, {S(nested(kMaxJsonDepth + 1))})), "none");
  EXPECT_TRUE(flagged(kFlagJsonTooDeep));
}

TEST_F(JsonTest, DeepNestingIsRefusedWithoutCrashing) {
  expect_calls({
      {kJson, {S(nested(10'000))}, "none"},
      {kJson, {S(std::string(10'000, '['))}, "none"},
      {kJson, {S(std::string(1'000'000, '{'))}, "none"},
      {kJson, {S("[" + std::string(10'000, '{') + "]")}, "none"},
  });
  EXPECT_TRUE(flagged(kFlagJsonTooDeep));
}

TEST_F(JsonTest, BracketsInsideStringsDoNotCount) {
  const std::string text =
      "[\"" + std::string(10'000, '[') + "\\\"" + std::string(10'000, '{') + "\"]";
  const rft_value j = call(kJson, {S(text)});
  EXPECT_EQ(j.tag, RFT_JSON);
  EXPECT_FALSE(flagged(kFlagJsonTooDeep));
  EXPECT_EQ(show(call(kLen, {call(kIndex, {j, N(0)})})), "20001");
}

TEST_F(JsonTest, Get) {
  const rft_value doc = J(R"({
      "a": {"b": [10, {"c": "deep"}, [true]]},
      "key with.dots": {"x": 1},
      "quote\"d": 2,
      "": "empty key",
      "0": "zero",
      "items": [1, 2, 3]
  })");
  expect_calls({
      {kGet, {doc, S("a.b[0]")}, "json:10"},
      {kGet, {doc, S("a.b[1].c")}, "json:\"deep\""},
      {kGet, {doc, S("a.b[2][0]")}, "json:true"},
      {kGet, {doc, S("a.b[-1][0]")}, "json:true"},
      {kGet, {doc, S("a.b[-3]")}, "json:10"},
      {kGet, {doc, S("a.b[-4]")}, "none"},
      {kGet, {doc, S("a.b[3]")}, "none"},
      {kGet, {doc, S("a.b")}, R"(json:[10,{"c":"deep"},[true]])"},
      {kGet, {doc, S("")}, "json:" + json_of(doc).dump()},
      {kGet, {doc, S("[\"key with.dots\"].x")}, "json:1"},
      {kGet, {doc, S("['key with.dots']")}, R"(json:{"x":1})"},
      {kGet, {doc, S("[\"quote\\\"d\"]")}, "json:2"},
      {kGet, {doc, S("[\"\"]")}, "json:\"empty key\""},
      {kGet, {doc, S("0")}, "json:\"zero\""},
      {kGet, {doc, S("items[1]")}, "json:2"},
      {kGet, {doc, S("items.1")}, "none"},  // arrays take [i] only
      {kGet, {doc, S("missing")}, "none"},
      {kGet, {doc, S("a.missing.b")}, "none"},
      {kGet, {doc, S("a.b.c")}, "none"},  // member of an array
      {kGet, {doc, S("items[0].x")}, "none"},
      // Malformed paths.
      {kGet, {doc, S(".a")}, "none"},
      {kGet, {doc, S("a.")}, "none"},
      {kGet, {doc, S("a..b")}, "none"},
      {kGet, {doc, S("a.b[")}, "none"},
      {kGet, {doc, S("a.b[]")}, "none"},
      {kGet, {doc, S("a.b[x]")}, "none"},
      {kGet, {doc, S("a.b[1.5]")}, "none"},
      {kGet, {doc, S("a.b[0]c")}, "none"},
      {kGet, {doc, S("a]")}, "none"},
      {kGet, {doc, S("[\"unterminated]")}, "none"},
      {kGet, {doc, S("[\"a\"")}, "none"},
      {kGet, {doc, S("a.b[99999999999999999999999]")}, "none"},
  });
  const rft_value scalar = J("5");
  expect_calls({
      {kGet, {scalar, S("")}, "json:5"},
      {kGet, {scalar, S("a")}, "none"},
      {kGet, {scalar, S("[0]")}, "none"},
  });
}

TEST_F(JsonTest, MemberAndIndex) {
  const rft_value obj = J(R"({"name": "Ada", "tags": ["x", "y", "z"], "日本": 1})");
  const rft_value arr = J(R"([10, 20, 30])");
  expect_calls({
      {kMember, {obj, S("name")}, "json:\"Ada\""},
      {kMember, {obj, S("日本")}, "json:1"},
      {kMember, {obj, S("missing")}, "none"},
      {kMember, {obj, S("")}, "none"},
      {kMember, {arr, S("0")}, "none"},
      {kIndex, {arr, N(0)}, "json:10"},
      {kIndex, {arr, N(2)}, "json:30"},
      {kIndex, {arr, N(3)}, "none"},
      {kIndex, {arr, N(-1)}, "json:30"},
      {kIndex, {arr, N(-3)}, "json:10"},
      {kIndex, {arr, N(-4)}, "none"},
      {kIndex, {arr, N(0.5)}, "none"},
      {kIndex, {arr, N(kNan)}, "none"},
      {kIndex, {arr, N(kInf)}, "none"},
      {kIndex, {arr, N(1e300)}, "none"},
      {kIndex, {obj, N(0)}, "none"},
      {kIndex, {J("[]"), N(0)}, "none"},
  });
}

TEST_F(JsonTest, Conversions) {
  expect_calls({
      {kAsStr, {J("\"hi 😀\"")}, "\"hi 😀\""},
      {kAsStr, {J("\"\"")}, "\"\""},
      {kAsStr, {J("1")}, "none"},
      {kAsStr, {J("null")}, "none"},
      {kAsNum, {J("1")}, "1"},
      {kAsNum, {J("-2.5e3")}, "-2500"},
      {kAsNum, {J("18446744073709551615")}, "18446744073709552000"},
      {kAsNum, {J("\"1\"")}, "none"},
      {kAsNum, {J("true")}, "none"},
      {kAsBool, {J("true")}, "true"},
      {kAsBool, {J("false")}, "false"},
      {kAsBool, {J("0")}, "none"},
      {kAsList, {J("[1, \"a\", [2]]")}, "[json:1, json:\"a\", json:[2]]"},
      {kAsList, {J("[]")}, "[]"},
      {kAsList, {J("{\"a\": 1}")}, "none"},
      {kAsList, {J("\"abc\"")}, "none"},
      {kNum, {J("3.5")}, "3.5"},
      {kNum, {J("-7")}, "-7"},
      {kNum, {J("\" 42 \"")}, "42"},
      {kNum, {J("\"4,2\"")}, "none"},
      {kNum, {J("true")}, "none"},
      {kNum, {J("null")}, "none"},
      {kNum, {J("[1]")}, "none"},
  });
}

TEST_F(JsonTest, KeysHasTypeOf) {
  const rft_value obj = J(R"({"b": 1, "a": 2, "B": 3, "é": 4})");
  expect_calls({
      {kKeys, {obj}, "[\"B\", \"a\", \"b\", \"é\"]"},  // sorted bytewise
      {kKeys, {J("{}")}, "[]"},
      {kKeys, {J("[1]")}, "none"},
      {kHas, {obj, S("a")}, "true"},
      {kHas, {obj, S("A")}, "false"},
      {kHas, {J("[\"a\"]"), S("a")}, "false"},
      {kHas, {J("\"a\""), S("a")}, "false"},
      {kTypeOf, {J("null")}, "\"null\""},
      {kTypeOf, {J("false")}, "\"bool\""},
      {kTypeOf, {J("1")}, "\"number\""},
      {kTypeOf, {J("-1")}, "\"number\""},
      {kTypeOf, {J("1.5")}, "\"number\""},
      {kTypeOf, {J("\"s\"")}, "\"string\""},
      {kTypeOf, {J("[]")}, "\"array\""},
      {kTypeOf, {J("{}")}, "\"object\""},
  });
}

TEST_F(JsonTest, DumpAndLen) {
  expect_calls({
      {kDump,
       {J(R"( { "b" : [1, 2.5, "x\n"], "a": null } )")},
       R"("{"a":null,"b":[1,2.5,"x\n"]}")"},
      {kDump, {J("\"日本\"")}, "\"\"日本\"\""},
      {kDump, {J("1.0")}, "\"1.0\""},
      {kDump, {J("[]")}, "\"[]\""},
      {kLen, {J("[1, 2, 3]")}, "3"},
      {kLen, {J("{\"a\": 1}")}, "1"},
      {kLen, {J("\"日本語\"")}, "3"},
      {kLen, {J("\"\"")}, "0"},
      {kLen, {J("{}")}, "0"},
      {kLen, {J("42")}, "none"},
      {kLen, {J("null")}, "none"},
      {kLen, {J("true")}, "none"},
  });
}

TEST_F(JsonTest, DumpNeverThrowsOnInvalidUtf8) {
  // Documents built outside parse_json (e.g. sample inputs) may hold invalid UTF-8.
  const nlohmann::json* doc = ctx_.keep(nlohmann::json("bad \xFF byte"));
  EXPECT_EQ(show(call(kDump, {json_value(doc)})), "\"\"bad \xEF\xBF\xBD byte\"\"");
}

TEST_F(JsonTest, ValuesAreViewsIntoTheDocument) {
  const rft_value doc = J(R"({"s": "a long string value, longer than any small buffer"})");
  const rft_value member = call(kMember, {doc, S("s")});
  EXPECT_EQ(member.as.json, &json_of(doc)["s"]);
  const rft_value s = call(kAsStr, {member});
  EXPECT_EQ(s.as.str.ptr, json_of(doc)["s"].get_ref<const std::string&>().data());
}

}  // namespace
}  // namespace rft::grader::testing
