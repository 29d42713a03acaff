#include "compiler/interp/item.h"


namespace rft::interp {

bool value_from_json(const nlohmann::json& j, const types::Type* t, grader::Context& ctx,
                     rft_value* out) {
  return grader::value_from_json(j, types::to_string(t), ctx, out);
}

std::string json_kind(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "a number";
  }
}

std::vector<std::string> validate_item(const nlohmann::json& row, const ast::ItemDecl* item) {
  std::vector<std::string> problems;
  if (item == nullptr) return problems;
  if (!row.is_object()) {
    problems.push_back("the row is " + json_kind(row) + ", not an object");
    return problems;
  }
  grader::Context ctx;
  for (const auto& f : item->fields) {
    if (f.type == nullptr || types::contains_error(f.type)) continue;
    auto it = row.find(f.name);
    if (it == row.end()) {
      if (!types::is_optional(f.type)) problems.push_back("missing field `" + f.name + "`");
      continue;
    }
    rft_value v;
    if (!value_from_json(*it, f.type, ctx, &v)) {
      problems.push_back("field `" + f.name + "`: expected " + types::to_string(f.type) +
                         ", found " + json_kind(*it));
    }
  }
  return problems;
}

}  // namespace rft::interp
