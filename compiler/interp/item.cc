#include "compiler/interp/item.h"

#include <cmath>

#include "runtime/grader/json.h"
#include "runtime/grader/regex.h"
#include "runtime/grader/value_ops.h"

namespace rft::interp {

using types::Kind;

bool value_from_json(const nlohmann::json& j, const types::Type* t, grader::Context& ctx,
                     rft_value* out) {
  if (t->kind == Kind::kOptional) {
    if (j.is_null()) {
      *out = rft_none();
      return true;
    }
    return value_from_json(j, t->elem, ctx, out);
  }
  switch (t->kind) {
    case Kind::kNum:
      if (!j.is_number()) return false;
      *out = rft_num(j.get<double>());
      return true;
    case Kind::kBool:
      if (!j.is_boolean()) return false;
      *out = rft_bool(j.get<bool>());
      return true;
    case Kind::kStr: {
      if (!j.is_string()) return false;
      const std::string& s = j.get_ref<const std::string&>();
      *out = grader::str_value(s);
      return true;
    }
    case Kind::kJson: *out = grader::json_value(&j); return true;
    case Kind::kList: {
      if (!j.is_array()) return false;
      rft_value* items = ctx.alloc_values(j.size());
      size_t i = 0;
      for (const auto& e : j) {
        if (!value_from_json(e, t->elem, ctx, &items[i++])) return false;
      }
      *out = grader::list_value(items, j.size());
      return true;
    }
    default: return false;
  }
}

nlohmann::json value_to_json(const rft_value& v) {
  switch (v.tag) {
    case RFT_NONE: return nullptr;
    case RFT_BOOL: return v.as.boolean != 0;
    case RFT_NUM: {
      // Whole numbers stay integers in JSON ({"n": 2}, not {"n": 2.0}).
      double x = v.as.num;
      if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9.0e15) {
        return static_cast<int64_t>(x);
      }
      return x;
    }
    case RFT_STR: return std::string(grader::view(v.as.str));
    case RFT_JSON: return grader::json_of(v);
    case RFT_LIST: {
      nlohmann::json arr = nlohmann::json::array();
      for (const rft_value& x : grader::items_of(v)) arr.push_back(value_to_json(x));
      return arr;
    }
    case RFT_REGEX: return "<regex>";
    default: return nullptr;
  }
}

namespace {

std::string quote(std::string_view s) {
  // JSON string syntax is what users expect to read and to paste back.
  return nlohmann::json(std::string(s)).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string display_value(const rft_value& v) {
  switch (v.tag) {
    case RFT_NONE: return "none";
    case RFT_BOOL: return v.as.boolean ? "true" : "false";
    case RFT_NUM: return grader::format_num(v.as.num);
    case RFT_STR: return quote(grader::view(v.as.str));
    case RFT_JSON:
      return grader::json_of(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case RFT_LIST: {
      std::string out = "[";
      bool first = true;
      for (const rft_value& x : grader::items_of(v)) {
        if (!first) out += ", ";
        first = false;
        out += display_value(x);
      }
      return out + "]";
    }
    case RFT_REGEX: return "<regex>";
    default: return "?";
  }
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
