// JSON Schema validation (runtime/grader/json_schema.cc) through the schema_errors builtin and
// the C++ API: drafts from $schema, located errors, flags for what cannot run, and adversarial
// schemas and documents that must stay bounded.
#include "runtime/grader/json_schema.h"

#include <chrono>
#include <string>

#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kSchemaErrors = "schema_errors(j: json, schema: json) -> list<str>?";

class JsonSchemaTest : public BuiltinTest {
 protected:
  // show() of schema_errors(doc, schema), and the flags it raised.
  std::string errors(std::string_view doc, std::string_view schema) {
    ctx_.reset();
    return show(call(kSchemaErrors, {J(doc), J(schema)}));
  }
  bool passes(std::string_view doc, std::string_view schema) { return errors(doc, schema) == "[]"; }
};

SchemaVerdict check(const std::string& schema, const std::string& doc,
                    SchemaDraft draft = SchemaDraft::kDraft2020_12) {
  const SchemaLoad load = load_schema(json::parse(schema), draft);
  if (load.schema == nullptr) return SchemaVerdict{load.problem, load.reason, {}};
  return validate_schema(*load.schema, json::parse(doc));
}

TEST_F(JsonSchemaTest, BooleanSchemas) {
  EXPECT_TRUE(passes("{}", "true"));
  EXPECT_FALSE(passes("{}", "false"));
  EXPECT_FALSE(passes("null", "false"));
  EXPECT_FALSE(passes(R"({"a": 1})", R"({"properties": {"a": false}})"));
  EXPECT_TRUE(passes(R"({"b": 1})", R"({"properties": {"a": false}})"));
}

TEST_F(JsonSchemaTest, PatternPropertiesAndPropertyNames) {
  const std::string_view schema = R"({"patternProperties": {"^x-": {"type": "integer"}},
                                      "additionalProperties": false,
                                      "propertyNames": {"maxLength": 4}})";
  EXPECT_TRUE(passes(R"({"x-a": 1})", schema));
  EXPECT_FALSE(passes(R"({"x-a": "1"})", schema));
  EXPECT_FALSE(passes(R"({"y": 1})", schema));      // additionalProperties
  EXPECT_FALSE(passes(R"({"x-abc": 1})", schema));  // propertyNames
  EXPECT_FALSE(flagged("json_schema_invalid"));
}

TEST_F(JsonSchemaTest, RefsAndDefs) {
  const std::string_view schema = R"({"$defs": {"pos": {"type": "integer", "minimum": 1}},
                                      "type": "array", "items": {"$ref": "#/$defs/pos"}})";
  EXPECT_TRUE(passes("[1, 2]", schema));
  EXPECT_FALSE(passes("[1, 0]", schema));
  // A recursive tree.
  const std::string_view tree = R"({"type": "object", "properties": {
      "value": {"type": "number"}, "kids": {"type": "array", "items": {"$ref": "#"}}},
      "required": ["value"]})";
  EXPECT_TRUE(passes(R"({"value": 1, "kids": [{"value": 2, "kids": []}]})", tree));
  EXPECT_FALSE(passes(R"({"value": 1, "kids": [{"kids": []}]})", tree));
}

TEST_F(JsonSchemaTest, ErrorsSayWhere) {
  const rft_value schema = J(R"({"type": "object", "required": ["a"],
                                 "properties": {"a": {"type": "integer", "maximum": 3}}})");
  EXPECT_EQ(show(call(kSchemaErrors, {J(R"({"a": 2})"), schema})), "[]");
  const rft_value list = call(kSchemaErrors, {J(R"({"a": 7})"), schema});
  ASSERT_EQ(list.tag, RFT_LIST);
  ASSERT_EQ(list.as.list.len, 1u);
  const std::string first = show(list.as.list.items[0]);
  EXPECT_NE(first.find("<root>[a]: value 7 is greater than the maximum 3"), std::string::npos)
      << first;
  EXPECT_EQ(call(kSchemaErrors, {J("[]"), schema}).as.list.len, 1u);  // not an object
  EXPECT_EQ(call(kSchemaErrors, {J("{}"), schema}).as.list.len, 1u);  // a is missing
  EXPECT_FALSE(flagged("json_schema_invalid"));
  const std::string e =
      errors(R"({"a": [1, "x"]})", R"({"properties": {"a": {"items": {"type": "integer"}}}})");
  EXPECT_NE(e.find("<root>[a][1]"), std::string::npos) << e;
  EXPECT_NE(e.find("expected type"), std::string::npos) << e;
}

TEST_F(JsonSchemaTest, DraftComesFromDollarSchema) {
  // Draft 7: items as an array is a tuple; in 2020-12 that form is refused, not ignored.
  const std::string tuple7 =
      R"({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "string"}],
          "additionalItems": false})";
  EXPECT_TRUE(check(tuple7, R"(["a"])").valid());
  EXPECT_FALSE(check(tuple7, R"(["a", 1])").valid());
  const SchemaVerdict as2020 = check(R"({"items": [{"type": "string"}]})", "[1]");
  EXPECT_EQ(as2020.problem, SchemaProblem::kInvalid);
  EXPECT_NE(as2020.reason.find("prefixItems"), std::string::npos) << as2020.reason;
  // Without $schema: 2020-12 (prefixItems applies; a draft-07 reading would ignore it).
  EXPECT_FALSE(check(R"({"prefixItems": [{"type": "string"}]})", "[1]").valid());
  // Draft 7: $ref ignores its siblings; 2020-12 applies both.
  const std::string sibling = R"({"definitions": {"a": {"type": "integer"}},
                                  "properties": {"x": {"$ref": "#/definitions/a", "maximum": 3}}})";
  EXPECT_TRUE(check(sibling, R"({"x": 5})", SchemaDraft::kDraft7).valid());
  EXPECT_FALSE(check(sibling, R"({"x": 5})").valid());
  // A draft-07 keyword in a 2020-12 schema would be ignored there: refused instead.
  EXPECT_EQ(check(R"({"dependencies": {"a": ["b"]}})", "{}").problem, SchemaProblem::kInvalid);
  EXPECT_EQ(check(R"({"unevaluatedProperties": false})", "{}", SchemaDraft::kDraft7).problem,
            SchemaProblem::kInvalid);
}

TEST_F(JsonSchemaTest, UnknownDraftIsFlagged) {
  for (const char* s : {R"({"$schema": "http://json-schema.org/draft-04/schema#"})",
                        R"({"$schema": "https://json-schema.org/draft/2019-09/schema"})",
                        R"({"$schema": "https://example.com/my-meta"})"}) {
    EXPECT_EQ(errors("{}", s), "none") << s;
    EXPECT_TRUE(flagged("json_schema_unsupported")) << s;
  }
}

TEST_F(JsonSchemaTest, PatternsRe2CannotRunAreFlagged) {
  for (const char* s : {R"({"pattern": "^(?=.*[0-9]).{8,}$"})", R"j({"pattern": "(?!x)"})j",
                        R"({"pattern": "(?<=a)b"})", R"({"pattern": "(a)\\1"})",
                        R"({"patternProperties": {"(?<!x)y": {}}})"}) {
    EXPECT_EQ(errors(R"("a1234567")", s), "none") << s;
    EXPECT_TRUE(flagged("json_schema_unsupported")) << s;
    EXPECT_FALSE(flagged("json_schema_invalid")) << s;
  }
  // ECMA-262 syntax RE2 spells differently is translated.
  EXPECT_TRUE(passes(R"("A")", R"({"pattern": "^\\u0041$"})"));
  EXPECT_TRUE(passes("\"a\\u00a0b\"", R"({"pattern": "^a\\sb$"})"));
  EXPECT_FALSE(passes("\"a\\nb\"", R"({"pattern": "^a.b$"})"));
  EXPECT_TRUE(passes(R"("ab")", R"({"pattern": "^(?<x>a)b$"})"));
  EXPECT_TRUE(passes(R"("Ελλάδα")", R"({"pattern": "^\\p{Letter}+$"})"));
  EXPECT_FALSE(passes(R"("123")", R"({"pattern": "^\\p{Letter}+$"})"));
  EXPECT_TRUE(passes(R"("Ελλάδα")", R"({"pattern": "^\\p{Script=Greek}+$"})"));
}

TEST_F(JsonSchemaTest, InvalidSchemasGiveNoneAndAFlag) {
  for (const char* bad :
       {R"({"type": 7})", R"({"type": "text"})", R"({"pattern": "(unclosed"})",
        R"({"$ref": "#/$defs/missing"})", R"({"minLength": -1})", R"({"multipleOf": 0})",
        R"({"required": "a"})", R"({"properties": {"a": 3}})", R"({"allOf": []})", "3"}) {
    EXPECT_EQ(errors("{}", bad), "none") << bad;
    EXPECT_TRUE(flagged("json_schema_invalid")) << bad;
  }
  // A reference to another document is valid but not loaded.
  EXPECT_EQ(errors("{}", R"({"$ref": "http://example.com/s.json"})"), "none");
  EXPECT_TRUE(flagged("json_schema_unsupported"));
}

TEST_F(JsonSchemaTest, FormatIsAnAnnotation) {
  EXPECT_TRUE(passes(R"("not an email")", R"({"format": "email"})"));
}

TEST_F(JsonSchemaTest, MultipleOf) {
  EXPECT_TRUE(passes("0.0075", R"({"multipleOf": 0.0001})"));
  EXPECT_TRUE(passes("0.3", R"({"multipleOf": 0.1})"));
  EXPECT_FALSE(passes("1.005", R"({"multipleOf": 0.01})"));
  EXPECT_FALSE(passes("1000000000.5", R"({"multipleOf": 1})"));
  EXPECT_TRUE(passes("9007199254740993", R"({"multipleOf": 3})"));
  EXPECT_FALSE(passes("9007199254740993", R"({"multipleOf": 2})"));  // exact on integers
  // Huge quotients and tiny divisors: a defined answer, at once.
  EXPECT_FALSE(passes("1e308", R"({"multipleOf": 1e-308})"));
  EXPECT_FALSE(passes("1e308", R"({"multipleOf": 0.123456789})"));
  EXPECT_FALSE(passes("1", R"({"multipleOf": 1e308})"));
}

TEST_F(JsonSchemaTest, RefCyclesEndWithAFlag) {
  for (const char* s :
       {R"({"$ref": "#"})", R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
           "$ref": "#/$defs/a"})",
        R"({"anyOf": [{"$ref": "#"}, {"type": "string"}]})"}) {
    EXPECT_EQ(errors("{}", s), "none") << s;
    EXPECT_TRUE(flagged("json_schema_invalid")) << s;
  }
  const SchemaVerdict v = check(R"({"$ref": "#"})", "{}");
  EXPECT_NE(v.reason.find("cycle"), std::string::npos) << v.reason;
  // Draft 7 too.
  EXPECT_EQ(check(R"({"$ref": "#"})", "{}", SchemaDraft::kDraft7).problem, SchemaProblem::kInvalid);
}

TEST_F(JsonSchemaTest, ExponentialSchemasAreCut) {
  // Each level evaluates the next twice on the same value: 2^40 evaluations if unbounded.
  json defs = json::object();
  for (int i = 0; i < 40; ++i) {
    const std::string next = "#/$defs/d" + std::to_string(i + 1);
    defs["d" + std::to_string(i)] = {{"anyOf", {{{"$ref", next}}, {{"$ref", next}}}}};
  }
  defs["d40"] = {{"type", "string"}};
  const json schema = {{"$defs", defs}, {"$ref", "#/$defs/d0"}};
  const auto start = std::chrono::steady_clock::now();
  ctx_.reset();
  EXPECT_EQ(show(call(kSchemaErrors, {J("1"), J(schema.dump())})), "none");
  EXPECT_TRUE(flagged("json_schema_too_complex"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST_F(JsonSchemaTest, DeepDocumentsAndSchemas) {
  // The deepest document parse_json accepts, against a recursive schema and against one that
  // recurses through in-place applicators at every level.
  std::string doc;
  for (int i = 0; i < 250; ++i) doc += "[";
  for (int i = 0; i < 250; ++i) doc += "]";
  EXPECT_TRUE(passes(doc, R"({"type": "array", "items": {"$ref": "#"}})"));
  const std::string e = errors(doc, R"({"items": {"allOf": [{"anyOf": [{"$ref": "#"}]}]}})");
  // Four evaluations per level of the document: past kMaxSchemaDepth, cut (within 1 MiB of stack).
  EXPECT_EQ(e, "none");
  EXPECT_TRUE(flagged("json_schema_too_complex"));
  // A schema nested as deep as the JSON limit allows.
  std::string schema, tail;
  for (int i = 0; i < 120; ++i) {
    schema += R"({"items": )";
    tail += "}";
  }
  schema += "{}" + tail;
  EXPECT_TRUE(passes("[]", schema));
}

TEST_F(JsonSchemaTest, CatastrophicRegexesAreLinear) {
  const std::string evil = "\"" + std::string(100000, 'a') + "b\"";
  EXPECT_EQ(call(kSchemaErrors, {J(evil), J(R"({"pattern": "^(a+)+$"})")}).as.list.len, 1u);
  const std::string key = "{\"" + std::string(100000, 'a') + "b\": 1}";
  EXPECT_TRUE(passes(key, R"({"patternProperties": {"^(a|aa)+$": false}})"));
  // Repetition counts RE2 cannot hold are flagged, not run.
  EXPECT_EQ(errors(R"("a")", R"({"pattern": "((a{1000}){1000}){1000}"})"), "none");
  EXPECT_TRUE(flagged("json_schema_unsupported"));
}

TEST_F(JsonSchemaTest, LargeArraysStayFast) {
  std::string doc = "[";
  for (int i = 0; i < 100000; ++i) doc += std::to_string(i) + ",";
  doc += "0]";
  const auto start = std::chrono::steady_clock::now();
  const std::string e = errors(doc, R"({"uniqueItems": true, "items": {"type": "integer"}})");
  EXPECT_NE(e.find("are equal"), std::string::npos) << e.substr(0, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST_F(JsonSchemaTest, UnevaluatedProperties) {
  const std::string_view schema = R"({"allOf": [{"properties": {"a": true}}],
                                      "anyOf": [{"properties": {"b": true}}, {"required": ["c"]}],
                                      "unevaluatedProperties": false})";
  EXPECT_TRUE(passes(R"({"a": 1, "b": 2})", schema));
  EXPECT_FALSE(passes(R"({"a": 1, "b": 2, "d": 3})", schema));
}

TEST_F(JsonSchemaTest, CachedPerSchemaText) {
  const json schema = json::parse(R"({"type": "integer"})");
  EXPECT_EQ(&cached_schema(schema), &cached_schema(json::parse(R"({"type":"integer"})")));
}

}  // namespace
}  // namespace rft::grader::testing
