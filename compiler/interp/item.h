// Moving values between JSON (dataset rows, test items, explain output) and the language.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/ast/ast.h"
#include "runtime/grader/context.h"
#include "runtime/grader/convert.h"

namespace rft::interp {

// Converts a JSON value to a value of type `t` (see grader::value_from_json, which compiled
// graders call with the type's spelling).
bool value_from_json(const nlohmann::json& j, const types::Type* t, grader::Context& ctx,
                     rft_value* out);

using grader::display_value;
using grader::value_to_json;

// Checks one dataset row (a JSON object) against the spec's `item` declaration. Returns one
// message per problem ("field `answer`: expected str, found number"); empty when it fits.
std::vector<std::string> validate_item(const nlohmann::json& row, const ast::ItemDecl* item);

// What kind of JSON value this is, in words: "a string", "a number", "null", ...
std::string json_kind(const nlohmann::json& j);

}  // namespace rft::interp
