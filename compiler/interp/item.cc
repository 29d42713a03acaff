#include "compiler/interp/item.h"

#include "runtime/common/suggest.h"
#include "runtime/grader/json.h"

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

ItemFields item_fields(const ast::ItemDecl* item) {
  ItemFields out;
  if (item == nullptr) return out;
  for (const auto& f : item->fields) {
    if (f.type == nullptr || types::contains_error(f.type)) continue;
    out.push_back({f.name, types::to_string(f.type)});
  }
  return out;
}

ItemFields item_fields(const rft_reward_info& reward) {
  ItemFields out;
  for (uint32_t i = 0; i < reward.n_item_fields; ++i) {
    out.push_back({reward.item_fields[i], reward.item_types[i]});
  }
  return out;
}

std::vector<std::string> validate_item(const nlohmann::json& row, std::span<const ItemField> item) {
  std::vector<std::string> problems;
  if (!row.is_object()) {
    problems.push_back("the row is " + json_kind(row) + ", not an object");
    return problems;
  }
  grader::Context ctx;
  for (const ItemField& f : item) {
    auto it = row.find(f.name);
    if (it == row.end()) {
      if (f.type.ends_with("?")) continue;
      std::vector<std::string> keys;
      for (const auto& [key, value] : row.items()) keys.push_back(key);
      std::string hint = did_you_mean(f.name, keys);
      problems.push_back("missing field `" + f.name + "`" + (hint.empty() ? "" : " (" + hint + ")"));
      continue;
    }
    rft_value v;
    if (!grader::value_from_json(*it, f.type, ctx, &v)) {
      problems.push_back("field `" + f.name + "`: expected " + f.type + ", found " +
                         json_kind(*it));
    }
  }
  return problems;
}

std::string read_sample_row(std::string_view text, std::span<const ItemField> item,
                            nlohmann::json& row) {
  Expected<nlohmann::json> read = grader::read_json_document(text);
  if (!read) {
    row = nlohmann::json();
    return std::move(read).error();
  }
  row = std::move(read).value();
  std::string error;
  if (!row.is_object()) return "the row is " + json_kind(row) + ", not an object";
  auto completion = row.find("completion");
  if (completion == row.end()) return "`completion` is missing";
  if (!completion->is_string()) {
    return "`completion` is " + json_kind(*completion) + ", not a string";
  }
  auto prompt = row.find("prompt");
  if (prompt != row.end() && !prompt->is_string()) {
    return "`prompt` is " + json_kind(*prompt) + ", not a string";
  }
  auto truncated = row.find("truncated");
  if (truncated != row.end() && !truncated->is_boolean() && !truncated->is_null()) {
    return "`truncated` is " + json_kind(*truncated) + ", not a boolean";
  }
  auto finish = row.find("finish_reason");
  if (finish != row.end() && !finish->is_string() && !finish->is_null()) {
    return "`finish_reason` is " + json_kind(*finish) + ", not a string";
  }
  std::vector<std::string> problems = validate_item(row, item);
  for (size_t i = 0; i < problems.size(); ++i) error += (i ? "; " : "") + problems[i];
  return error;
}

bool row_truncated(const nlohmann::json& row) {
  if (!row.is_object()) return false;
  auto truncated = row.find("truncated");
  if (truncated != row.end() && truncated->is_boolean()) return truncated->get<bool>();
  auto finish = row.find("finish_reason");
  return finish != row.end() && finish->is_string() &&
         finish->get_ref<const std::string&>() == "length";
}

}  // namespace rft::interp
