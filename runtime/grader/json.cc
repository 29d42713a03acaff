#include "runtime/grader/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/numbers.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

using nlohmann::json;

namespace {

const json* member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const auto& object = j.get_ref<const json::object_t&>();
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &it->second;
}

// Array element `i`, counting from the end when negative; null unless i is an integral in range.
const json* element(const json& j, double i) {
  if (!j.is_array() || i != std::trunc(i)) return nullptr;  // NaN fails i == trunc(i)
  const auto n = static_cast<double>(j.size());
  if (i < 0) i += n;
  if (!(i >= 0 && i < n)) return nullptr;
  return &j[static_cast<size_t>(i)];
}

// Reads one bracket segment starting at path[i] == '[': ["key"], ['key'] (backslash escapes the
// next character) or [integer]. Returns the node it selects (null if malformed or absent) and
// advances i past the ']'.
const json* bracket_segment(const json& node, std::string_view path, size_t& i) {
  size_t j = i + 1;
  if (j < path.size() && (path[j] == '"' || path[j] == '\'')) {
    const char quote = path[j++];
    std::string key;
    for (; j < path.size() && path[j] != quote; ++j) {
      if (path[j] == '\\' && ++j == path.size()) return nullptr;
      key += path[j];
    }
    if (j + 1 >= path.size() || path[j + 1] != ']') return nullptr;
    i = j + 2;
    return member(node, key);
  }
  const size_t close = path.find(']', j);
  if (close == std::string_view::npos) return nullptr;
  int64_t index = 0;
  const auto res = std::from_chars(path.data() + j, path.data() + close, index);
  if (res.ec != std::errc() || res.ptr != path.data() + close) return nullptr;
  i = close + 1;
  return element(node, static_cast<double>(index));
}

// Follows a path like  a.b[0].c  or  ["key with.dots"][-1]  from `root`; an empty path selects
// the root. Returns null when the path is malformed or selects nothing.
const json* walk(const json& root, std::string_view path) {
  const json* node = &root;
  for (size_t i = 0; i < path.size() && node != nullptr;) {
    if (path[i] == '[') {
      node = bracket_segment(*node, path, i);
      continue;
    }
    if (i > 0 && path[i++] != '.') return nullptr;
    size_t end = path.find_first_of(".[]", i);
    if (end == std::string_view::npos) end = path.size();
    if (end == i || (end < path.size() && path[end] == ']')) return nullptr;
    node = member(*node, path.substr(i, end - i));
    i = end;
  }
  return node;
}

void set_json(rft_value* out, const json* j) { *out = j != nullptr ? json_value(j) : rft_none(); }

}  // namespace

// Whether brackets outside strings nest deeper than `limit`. Linear and allocation-free, so it
// can run before the parser sees adversarial input.
bool json_nesting_exceeds(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

Expected<json> read_json_document(std::string_view text) {
  if (json_nesting_exceeds(text, kMaxJsonDepth)) {
    return failure("the row is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (!is_valid_utf8(text)) {
    for (const CodePoint& c : code_points(text)) {
      if (!c.valid) return failure("invalid UTF-8 at byte " + std::to_string(c.offset + 1));
    }
  }
  std::string error;
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    error = std::string("not valid JSON: ") + e.what();
  } catch (const json::out_of_range& e) {
    // 406: a number the parser cannot hold (1e999, or an integer of hundreds of digits).
    std::string what = e.what();
    const size_t quote = what.find('\'');
    std::string number = quote == std::string::npos ? "" : what.substr(quote + 1);
    if (!number.empty() && number.back() == '\'') number.pop_back();
    if (number.size() > 40)
      number = number.substr(0, 32) + "... (" + std::to_string(number.size()) + " characters)";
    error = "a number beyond the double range" + (number.empty() ? "" : " (`" + number + "`)") +
            "; write it as a string";
  } catch (const json::exception& e) {
    error = std::string("not valid JSON: ") + e.what();
  }
  return failure(error);
}

const json* parse_json(Context& ctx, std::string_view text) {
  if (json_nesting_exceeds(text, kMaxJsonDepth)) {
    ctx.flag(kFlagJsonTooDeep);
    return nullptr;
  }
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return nullptr;
  return ctx.keep(std::move(doc));
}

RFT_BUILTIN(json) { set_json(out, parse_json(Context::from(ctx), view_str(args[0]))); }

RFT_BUILTIN(get) { set_json(out, walk(json_of(args[0]), view_str(args[1]))); }

RFT_BUILTIN(json_member) { set_json(out, member(json_of(args[0]), view_str(args[1]))); }

RFT_BUILTIN(json_index) { set_json(out, element(json_of(args[0]), args[1].as.num)); }

RFT_BUILTIN(num_json) {
  const json& j = json_of(args[0]);
  std::optional<double> x;
  if (j.is_number()) {
    x = j.get<double>();
  } else if (j.is_string()) {
    x = parse_number(j.get_ref<const std::string&>());
  }
  *out = x ? rft_num(*x) : rft_none();
}

RFT_BUILTIN(as_str) {
  const json& j = json_of(args[0]);
  *out = j.is_string() ? str_value(j.get_ref<const std::string&>()) : rft_none();
}

RFT_BUILTIN(as_num) {
  const json& j = json_of(args[0]);
  *out = j.is_number() ? rft_num(j.get<double>()) : rft_none();
}

RFT_BUILTIN(as_bool) {
  const json& j = json_of(args[0]);
  *out = j.is_boolean() ? rft_bool(j.get<bool>()) : rft_none();
}

RFT_BUILTIN(as_list) {
  const json& j = json_of(args[0]);
  if (!j.is_array()) {
    *out = rft_none();
    return;
  }
  std::vector<rft_value> items;
  items.reserve(j.size());
  for (const json& e : j) items.push_back(json_value(&e));
  *out = make_list(Context::from(ctx), items);
}

// nlohmann::json keeps object members in a std::map, so keys come out sorted bytewise.
RFT_BUILTIN(keys) {
  const json& j = json_of(args[0]);
  if (!j.is_object()) {
    *out = rft_none();
    return;
  }
  std::vector<std::string_view> names;
  names.reserve(j.size());
  for (const auto& [key, value] : j.get_ref<const json::object_t&>()) names.push_back(key);
  *out = make_str_list(Context::from(ctx), names);
}

RFT_BUILTIN(has) { *out = rft_bool(member(json_of(args[0]), view_str(args[1])) != nullptr); }

RFT_BUILTIN(type_of) {
  const char* name = "null";
  switch (json_of(args[0]).type()) {
    case json::value_t::boolean:
      name = "bool";
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      name = "number";
      break;
    case json::value_t::string:
      name = "string";
      break;
    case json::value_t::array:
      name = "array";
      break;
    case json::value_t::object:
      name = "object";
      break;
    default:
      break;  // null; binary and discarded never come out of parse_json
  }
  *out = str_value(name);
}

RFT_BUILTIN(dump) {
  const std::string text = json_of(args[0]).dump(-1, ' ', false, json::error_handler_t::replace);
  *out = rft_string(Context::from(ctx).copy(text));
}

RFT_BUILTIN(len_json) {
  const json& j = json_of(args[0]);
  if (j.is_array() || j.is_object()) {
    *out = rft_num(static_cast<double>(j.size()));
  } else if (j.is_string()) {
    *out = rft_num(static_cast<double>(count_code_points(j.get_ref<const std::string&>())));
  } else {
    *out = rft_none();
  }
}

}  // namespace rft::grader
