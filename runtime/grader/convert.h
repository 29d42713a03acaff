// Moving values between JSON (dataset rows, test items, object literals, machine output) and the
// language, and showing them as a user would write them. Shared by the interpreter and compiled
// graders, so both read an `item` field the same way.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/grader/context.h"

namespace rft::grader {

// Converts a JSON value to a value of the type spelled `type` in the language's syntax ("num",
// "str?", "list<num>", "json", "list<list<str>>?"). Strings are views into `j`, which must
// outlive the result. Returns false if the JSON does not have that type (or `type` is not a
// type); null fits T? only.
bool value_from_json(const nlohmann::json& j, std::string_view type, Context& ctx, rft_value* out);

// The JSON form of a value (none → null; whole numbers below 2^53 as integers).
nlohmann::json value_to_json(const rft_value& v);

// A value as the user would write it: "text" with escapes, 0.5, true, none, [1, 2], {"a":1}.
std::string display_value(const rft_value& v);

}  // namespace rft::grader
