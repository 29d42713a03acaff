#include "runtime/grader/rt.h"

#include <cmath>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "runtime/grader/builtins.h"
#include "runtime/grader/convert.h"
#include "runtime/grader/json.h"
#include "runtime/grader/regex.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {
namespace {

rft_builtin_fn builtin_named(std::string_view signature_prefix) {
  for (const auto& b : builtins()) {
    if (b.signature.starts_with(signature_prefix)) return b.fn;
  }
  return nullptr;
}

double to_num(const rft_value& v) {
  return v.tag == RFT_BOOL ? static_cast<double>(v.as.boolean) : v.as.num;
}

}  // namespace

rft_value index_value(Context& ctx, const rft_value& base, const rft_value& index) {
  if (base.tag == RFT_NONE || index.tag == RFT_NONE) return rft_none();
  if (base.tag == RFT_JSON) {
    static const rft_builtin_fn member = builtin_named("json_member(");
    static const rft_builtin_fn position = builtin_named("json_index(");
    rft_value args[2] = {base, index};
    rft_value out = rft_none();
    (index.tag == RFT_STR ? member : position)(ctx.handle(), args, &out);
    return out;
  }
  double i = to_num(index);
  if (!std::isfinite(i) || i != std::floor(i)) return rft_none();
  if (base.tag == RFT_LIST) {
    auto items = items_of(base);
    double n = static_cast<double>(items.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return rft_none();
    return items[static_cast<size_t>(i)];
  }
  // A string is indexed by code point; the result is that one character.
  std::string_view s = view_str(base);
  double n = static_cast<double>(count_code_points(s));
  if (i < 0) i += n;
  if (i < 0 || i >= n) return rft_none();
  size_t begin = byte_offset_of(s, static_cast<size_t>(i));
  size_t end = byte_offset_of(s, static_cast<size_t>(i) + 1);
  return str_value(s.substr(begin, end - begin));
}

std::string render_judge_prompt(std::string_view t, std::span<const std::string_view> params,
                                const rft_value* args, std::string_view prompt,
                                std::string_view completion, const nlohmann::json* item) {
  auto placeholder = [&](std::string_view name) -> std::string {
    for (size_t p = 0; p < params.size(); ++p) {
      if (params[p] != name) continue;
      const rft_value& v = args[p];
      return v.tag == RFT_STR ? std::string(view_str(v)) : display_value(v);
    }
    if (name == "prompt") return std::string(prompt);
    if (name == "completion") return std::string(completion);
    if (name.starts_with("item.") && item != nullptr && item->is_object()) {
      auto it = item->find(name.substr(5));
      if (it != item->end()) return it->is_string() ? it->get<std::string>() : it->dump();
    }
    return {};
  };
  // A group judge's {completions} is a NUL byte, which the judge service replaces with the
  // group's completions (runtime/judge/group.h); a NUL of the sample's own is replaced then.
  const bool group = t.find("{completions}") != std::string_view::npos;
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if ((t[i] == '{' || t[i] == '}') && i + 1 < t.size() && t[i + 1] == t[i]) {
      out += t[i++];
      continue;
    }
    size_t close = t[i] == '{' ? t.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += t[i];
      continue;
    }
    std::string_view name = t.substr(i + 1, close - i - 1);
    if (group && name == "completions") {
      out += '\0';
    } else if (group) {
      for (char c : placeholder(name)) {
        if (c == '\0') {
          out += "\xef\xbf\xbd";  // U+FFFD
        } else {
          out += c;
        }
      }
    } else {
      out += placeholder(name);
    }
    i = close;
  }
  return out;
}

rft_value zero_value(std::string_view type) {
  static const nlohmann::json json_null;
  static const std::unique_ptr<re2::RE2> empty_regex = std::move(*compile_regex(""));
  rft_value v = rft_none();
  v.as.str = {nullptr, 0};
  if (type.ends_with('?')) return v;
  if (type == "num") return rft_num(0);
  if (type == "bool") return rft_bool(0);
  if (type == "str") v.tag = RFT_STR;
  if (type.starts_with("list<")) v.tag = RFT_LIST;
  if (type == "json") return json_value(&json_null);
  if (type == "regex") return regex_value(empty_regex.get());
  return v;
}

}  // namespace rft::grader

using rft::grader::Context;
namespace g = rft::grader;

extern "C" {

int rft_rt_regex_new(const char* pattern, uint64_t len, const void** slot) {
  rft::Expected<std::unique_ptr<re2::RE2>> re = g::compile_regex({pattern, len});
  *slot = re ? std::move(re).value().release() : nullptr;
  return *slot == nullptr ? 1 : 0;
}

void rft_rt_regex_free(const void* re) { delete static_cast<const re2::RE2*>(re); }

void rft_rt_input(rft_ctx* ctx, const rft_str* in, rft_value* out) {
  std::string_view s = g::view(*in);
  if (g::is_valid_utf8(s)) {
    *out = rft_string(*in);
    return;
  }
  Context& c = Context::from(ctx);
  *out = rft_string(c.copy(g::sanitize_utf8(s, nullptr)));
  c.flag("invalid_utf8");
}

const void* rft_rt_item_doc(rft_ctx* ctx, const rft_sample* sample) {
  if (sample->item_doc != nullptr) return sample->item_doc;
  if (sample->item_json.len == 0) return nullptr;
  Context& c = Context::from(ctx);
  const nlohmann::json* doc = g::parse_json(c, g::view(sample->item_json));
  if (doc == nullptr) c.flag("bad_item_json");
  return doc;
}

void rft_rt_item_field(rft_ctx* ctx, const void* doc, const char* name, uint64_t name_len,
                       const char* type, uint64_t type_len, rft_value* out) {
  Context& c = Context::from(ctx);
  std::string_view field_name(name, name_len), field_type(type, type_len);
  const auto* item = static_cast<const nlohmann::json*>(doc);
  const nlohmann::json* field = nullptr;
  if (item != nullptr && item->is_object()) {
    auto found = item->find(field_name);
    if (found != item->end()) field = &*found;
  }
  *out = rft_none();
  if (field == nullptr) {
    if (!field_type.ends_with('?')) c.flag("bad_item:" + std::string(field_name));
  } else if (!g::value_from_json(*field, field_type, c, out)) {
    c.flag("bad_item:" + std::string(field_name));
    *out = rft_none();
  }
}

void rft_rt_equal(rft_ctx*, const rft_value* args, rft_value* out) {
  *out = rft_bool(g::values_equal(args[0], args[1]));
}

void rft_rt_num_list(rft_ctx* ctx, const rft_value* args, rft_value* out) {
  *out = g::numeric_list(Context::from(ctx), args[0]);
}

void rft_rt_concat(rft_ctx* ctx, const rft_value* args, rft_value* out) {
  *out = rft_string(rft_str_concat(ctx, args[0].as.str, args[1].as.str));
}

void rft_rt_index(rft_ctx* ctx, const rft_value* args, rft_value* out) {
  *out = g::index_value(Context::from(ctx), args[0], args[1]);
}

void rft_rt_object(rft_ctx* ctx, uint64_t n, const rft_str* keys, const rft_value* values,
                   rft_value* out) {
  nlohmann::json obj = nlohmann::json::object();
  for (uint64_t i = 0; i < n; ++i) obj[std::string(g::view(keys[i]))] = g::value_to_json(values[i]);
  *out = g::json_value(Context::from(ctx).keep(std::move(obj)));
}

void rft_rt_fuel_start(rft_ctx* ctx) {
  Context::from(ctx).refuel();
}

int rft_rt_fuel_call(rft_ctx* ctx, const char* type, uint64_t type_len, rft_value* out) {
  if (Context::from(ctx).charge(1)) return 0;
  *out = g::zero_value({type, type_len});
  return 1;
}

void rft_rt_fuel_builtin(rft_ctx* ctx, const rft_value* args, uint64_t n) {
  uint64_t units = 1;
  for (uint64_t i = 0; i < n; ++i) {
    if (args[i].tag == RFT_STR) units += args[i].as.str.len / 64;
    if (args[i].tag == RFT_LIST) units += args[i].as.list.len;
  }
  Context::from(ctx).charge(units);
}

void rft_rt_fuel_end(rft_ctx* ctx, double on_invalid, uint64_t n, double* total,
                     double* components) {
  if (!Context::from(ctx).fuel_exhausted()) return;
  *total = on_invalid;
  for (uint64_t i = 0; i < n; ++i) components[i] = 0;
}

void rft_rt_judge(rft_ctx* ctx, const rft_judge_info* judge, const rft_value* args,
                  const rft_value* prompt, const rft_value* completion, const void* item_doc,
                  rft_value* out) {
  Context& c = Context::from(ctx);
  if (c.fuel_exhausted()) {  // the result is on_invalid anyway: no judge is asked
    *out = rft_num(judge->on_error);
    return;
  }
  std::vector<std::string_view> params(judge->params, judge->params + judge->n_params);
  std::string rendered =
      g::render_judge_prompt(judge->prompt_template, params, args, g::view_str(*prompt),
                             g::view_str(*completion), static_cast<const nlohmann::json*>(item_doc));
  double score = 0;
  bool ok = c.judge_fn != nullptr &&
            c.judge_fn(c.judge_user, judge->name, rendered.data(), rendered.size(), &score) == 0 &&
            std::isfinite(score);
  if (!ok) {
    c.flag("judge_error:" + std::string(judge->name));
    *out = rft_num(judge->on_error);
    return;
  }
  *out = rft_num(std::min(std::max(score, 0.0), 1.0));
}

}  // extern "C"
