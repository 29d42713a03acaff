#include "tests/grader/test_util.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "runtime/grader/json.h"
#include "runtime/grader/regex.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader::testing {

namespace {

bool is_ident(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// type := ident ('<' type '>')? '?'?
bool is_type(std::string_view t) {
  if (t.ends_with('?')) t.remove_suffix(1);
  const size_t lt = t.find('<');
  if (lt == std::string_view::npos) return is_ident(t);
  return t.ends_with('>') && is_ident(t.substr(0, lt)) &&
         is_type(t.substr(lt + 1, t.size() - lt - 2));
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Signature> parse_signature(std::string_view text) {
  const size_t open = text.find('('), close = text.rfind(')');
  const std::string_view arrow = " -> ";
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      text.substr(close + 1, arrow.size()) != arrow) {
    return std::nullopt;
  }
  Signature sig;
  sig.name = text.substr(0, open);
  sig.result = text.substr(close + 1 + arrow.size());
  if (!is_ident(sig.name) || !is_type(sig.result)) return std::nullopt;
  std::string_view params = text.substr(open + 1, close - open - 1);
  while (!params.empty()) {
    // Defaults are simple literals without commas.
    const size_t comma = params.find(',');
    const std::string_view p = strip(params.substr(0, comma));
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
    const size_t colon = p.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    Param param;
    param.name = strip(p.substr(0, colon));
    std::string_view type = strip(p.substr(colon + 1));
    if (const size_t eq = type.find('='); eq != std::string_view::npos) {
      param.default_value = strip(type.substr(eq + 1));
      type = strip(type.substr(0, eq));
      if (param.default_value.empty()) return std::nullopt;
    } else if (!sig.params.empty() && !sig.params.back().default_value.empty()) {
      return std::nullopt;  // a parameter without default after one with
    }
    param.type = type;
    if (!is_ident(param.name) || !is_type(param.type)) return std::nullopt;
    sig.params.push_back(param);
  }
  return sig;
}

bool value_has_type(const rft_value& v, std::string_view type) {
  if (type.ends_with('?')) {
    return v.tag == RFT_NONE || value_has_type(v, type.substr(0, type.size() - 1));
  }
  if (type.size() == 1) return v.tag <= RFT_REGEX;  // a type variable
  if (type == "num") return v.tag == RFT_NUM;
  if (type == "bool") return v.tag == RFT_BOOL && v.as.boolean <= 1;
  if (type == "str") return v.tag == RFT_STR && (v.as.str.ptr != nullptr || v.as.str.len == 0);
  if (type == "json") return v.tag == RFT_JSON && v.as.json != nullptr;
  if (type == "regex") return v.tag == RFT_REGEX && v.as.regex != nullptr;
  if (type.starts_with("list<") && type.ends_with('>')) {
    if (v.tag != RFT_LIST) return false;
    const std::string_view elem = type.substr(5, type.size() - 6);
    const auto items = items_of(v);
    return std::all_of(items.begin(), items.end(),
                       [elem](const rft_value& x) { return value_has_type(x, elem); });
  }
  return false;
}

std::string show(const rft_value& v) {
  switch (v.tag) {
    case RFT_NONE:
      return "none";
    case RFT_BOOL:
      return v.as.boolean != 0 ? "true" : "false";
    case RFT_NUM:
      return format_num(v.as.num);
    case RFT_STR:
      return "\"" + std::string(view_str(v)) + "\"";
    case RFT_JSON:
      return "json:" + json_of(v).dump();
    case RFT_REGEX:
      return "regex";
    case RFT_LIST: {
      std::string out = "[";
      for (const rft_value& x : items_of(v)) out += (out.size() > 1 ? ", " : "") + show(x);
      return out + "]";
    }
    default:
      return "<bad tag " + std::to_string(v.tag) + ">";
  }
}

rft_value BuiltinTest::call(std::string_view signature, const std::vector<rft_value>& args) {
  const auto table = builtins();
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const Builtin& b) { return b.signature == signature; });
  if (it == table.end()) {
    ADD_FAILURE() << "no builtin with signature " << signature;
    return rft_none();
  }
  const std::optional<Signature> sig = parse_signature(signature);
  if (!sig || sig->params.size() != args.size()) {
    ADD_FAILURE() << signature << ": called with " << args.size() << " arguments";
    return rft_none();
  }
  rft_value out;
  out.tag = 99;  // must be overwritten
  out.reserved = 0;
  out.as.num = 0;
  it->fn(ctx_.handle(), args.data(), &out);
  EXPECT_TRUE(value_has_type(out, sig->result))
      << signature << " returned " << show(out) << ", not a " << sig->result;
  return out;
}

void BuiltinTest::expect_calls(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    std::string args;
    for (const rft_value& a : c.args) args += (args.empty() ? "" : ", ") + show(a);
    EXPECT_EQ(show(call(c.signature, c.args)), c.want) << c.signature << " with (" << args << ")";
  }
}

rft_value BuiltinTest::S(std::string_view s) { return rft_string(ctx_.copy(s)); }
rft_value BuiltinTest::V(std::string_view s) { return str_value(s); }
rft_value BuiltinTest::N(double x) { return rft_num(x); }
rft_value BuiltinTest::B(bool b) { return rft_bool(b ? 1 : 0); }

rft_value BuiltinTest::L(std::initializer_list<rft_value> items) {
  return make_list(ctx_, {items.begin(), items.size()});
}

rft_value BuiltinTest::Ls(std::initializer_list<std::string_view> items) {
  std::vector<rft_value> values;
  for (std::string_view s : items) values.push_back(S(s));
  return make_list(ctx_, values);
}

rft_value BuiltinTest::Ln(std::initializer_list<double> items) {
  std::vector<rft_value> values;
  for (double x : items) values.push_back(N(x));
  return make_list(ctx_, values);
}

rft_value BuiltinTest::J(std::string_view text) {
  const nlohmann::json* j = parse_json(ctx_, text);
  EXPECT_NE(j, nullptr) << "invalid test JSON: " << text;
  return j != nullptr ? json_value(j) : rft_none();
}

rft_value BuiltinTest::R(std::string_view pattern) {
  auto re = compile_regex(pattern);
  EXPECT_TRUE(re) << "invalid test regex " << pattern << ": " << re.error();
  if (!re) return rft_none();
  regexes_.push_back(std::move(re).value());
  return regex_value(regexes_.back().get());
}

bool BuiltinTest::flagged(std::string_view flag) const {
  const auto& flags = ctx_.flags();
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace rft::grader::testing
