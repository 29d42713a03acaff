// JSON values: nlohmann::json documents, parsed without exceptions and with a nesting limit.
// A JSON value is rft_value{tag = RFT_JSON, as.json = const nlohmann::json*}; the node belongs to
// a document kept alive by the context (or by the sample, for inputs).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "runtime/common/expected.h"
#include "runtime/grader/context.h"
#include "runtime/grader/value.h"

namespace rft::grader {

// Documents nested deeper than this ([[[...]]] with more than 256 brackets open) are refused, so
// that no later recursive walk (dump, equality, destruction) can exhaust the stack.
inline constexpr int kMaxJsonDepth = 256;
inline constexpr std::string_view kFlagJsonTooDeep = "json_too_deep";

// Parses one JSON document (surrounding white space allowed) into the context. Returns null for
// invalid JSON (including numbers beyond the double range and invalid UTF-8), and for documents
// nested deeper than kMaxJsonDepth, which also raise kFlagJsonTooDeep. Never throws.
const nlohmann::json* parse_json(Context& ctx, std::string_view text);

// Whether brackets outside strings nest deeper than `limit`. Linear and allocation-free: run it
// before handing untrusted text to a JSON parser.
bool json_nesting_exceeds(std::string_view text, int limit = kMaxJsonDepth);

// Reads one dataset row, sample or request body: every place rft takes a JSON document from a
// user reads it here. Fails with a message for the row's error (nesting beyond kMaxJsonDepth,
// invalid UTF-8 with its byte, invalid JSON with its position, a number beyond the double range
// such as 1e999 or a 400-digit integer, in any field). Never throws.
Expected<nlohmann::json> read_json_document(std::string_view text);

inline const nlohmann::json& json_of(const rft_value& v) {
  return *static_cast<const nlohmann::json*>(v.as.json);
}

}  // namespace rft::grader
