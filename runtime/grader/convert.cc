#include "runtime/grader/convert.h"

#include <cmath>

#include "runtime/grader/json.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

bool value_from_json(const nlohmann::json& j, std::string_view type, Context& ctx,
                     rft_value* out) {
  if (type.ends_with('?')) {
    if (j.is_null()) {
      *out = rft_none();
      return true;
    }
    return value_from_json(j, type.substr(0, type.size() - 1), ctx, out);
  }
  if (type == "num") {
    if (!j.is_number()) return false;
    *out = rft_num(j.get<double>());
    return true;
  }
  if (type == "bool") {
    if (!j.is_boolean()) return false;
    *out = rft_bool(j.get<bool>());
    return true;
  }
  if (type == "str") {
    if (!j.is_string()) return false;
    *out = str_value(j.get_ref<const std::string&>());
    return true;
  }
  if (type == "json") {
    *out = json_value(&j);
    return true;
  }
  if (type.starts_with("list<") && type.ends_with('>')) {
    if (!j.is_array()) return false;
    std::string_view elem = type.substr(5, type.size() - 6);
    rft_value* items = ctx.alloc_values(j.size());
    size_t i = 0;
    for (const auto& e : j) {
      if (!value_from_json(e, elem, ctx, &items[i++])) return false;
    }
    *out = list_value(items, j.size());
    return true;
  }
  return false;
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
    case RFT_STR: return std::string(view(v.as.str));
    case RFT_JSON: return json_of(v);
    case RFT_LIST: {
      nlohmann::json arr = nlohmann::json::array();
      for (const rft_value& x : items_of(v)) arr.push_back(value_to_json(x));
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
    case RFT_NUM: return format_num(v.as.num);
    case RFT_STR: return quote(view(v.as.str));
    case RFT_JSON: return json_of(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case RFT_LIST: {
      std::string out = "[";
      bool first = true;
      for (const rft_value& x : items_of(v)) {
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

}  // namespace rft::grader
