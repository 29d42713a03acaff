// Moving values between JSON (dataset rows, test items, explain output) and the language.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ast/ast.h"
#include "runtime/grader/context.h"

namespace rft::interp {

// Converts a JSON value to a value of type `t` (strings are views into `j`, which must outlive
// the result). Returns false if the JSON does not have that type; null or absent fits T? only.
bool value_from_json(const nlohmann::json& j, const types::Type* t, grader::Context& ctx,
                     rft_value* out);

// The JSON form of a value (none → null); used for object literals and machine output.
nlohmann::json value_to_json(const rft_value& v);

// A value as the user would write it: "text" with escapes, 0.5, true, none, [1, 2], {"a":1}.
std::string display_value(const rft_value& v);

// Checks one dataset row (a JSON object) against the spec's `item` declaration. Returns one
// message per problem ("field `answer`: expected str, found number"); empty when it fits.
std::vector<std::string> validate_item(const nlohmann::json& row, const ast::ItemDecl* item);

// What kind of JSON value this is, in words: "a string", "a number", "null", ...
std::string json_kind(const nlohmann::json& j);

}  // namespace rft::interp
