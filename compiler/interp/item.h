// Moving values between JSON (dataset rows, test items, explain output) and the language.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "runtime/grader/abi.h"
#include "runtime/grader/context.h"
#include "runtime/grader/convert.h"

namespace rft::interp {

// Converts a JSON value to a value of type `t` (see grader::value_from_json, which compiled
// graders call with the type's spelling).
bool value_from_json(const nlohmann::json& j, const types::Type* t, grader::Context& ctx,
                     rft_value* out);

using grader::display_value;
using grader::value_to_json;

// An item field a reward reads: its name and its type as the language spells it ("str",
// "num?", "list[str]"). The same list comes from a spec's `item` declaration and from a compiled
// grader's rft_reward_info, so rows are checked alike whichever graded them.
struct ItemField {
  std::string name;
  std::string type;
};
using ItemFields = std::vector<ItemField>;

// The fields of an `item` declaration (none for null); fields whose type did not check are left
// out. And the fields a compiled reward declares.
ItemFields item_fields(const ast::ItemDecl* item);
ItemFields item_fields(const rft_reward_info& reward);

// Checks one dataset row (a JSON object) against the item's fields. Returns one message per
// problem ("field `answer`: expected str, found number"); empty when it fits.
std::vector<std::string> validate_item(const nlohmann::json& row, std::span<const ItemField> item);

// Reads one sample row as `rft grade` and `rft explain` take it: JSON text (read with
// grader::read_json_document) holding an object with a string `completion`, an optional string
// `prompt`, an optional `truncated` (a boolean or null) and `finish_reason` (a string or null),
// and the fields of `item`. Returns the row's problems joined by "; ", empty when the row can be
// graded; never throws.
std::string read_sample_row(std::string_view text, std::span<const ItemField> item,
                            nlohmann::json& row);

// Whether a row says its completion was cut off: `"truncated": true`, or `"finish_reason":
// "length"` (as OpenAI-style APIs and vLLM report it).
bool row_truncated(const nlohmann::json& row);

// What kind of JSON value this is, in words: "a string", "a number", "null", ...
std::string json_kind(const nlohmann::json& j);

}  // namespace rft::interp
