#include "compiler/check/signature.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "runtime/grader/builtins.h"
#include "runtime/grader/value_ops.h"

namespace rft::check {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits on commas that are not inside <...>.
std::vector<std::string_view> split_top(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>') --depth;
    if (s[i] == ',' && depth == 0) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (!trim(s.substr(start)).empty()) out.push_back(trim(s.substr(start)));
  return out;
}

std::optional<Literal> parse_literal(std::string_view s) {
  if (s == "true") return Literal{true};
  if (s == "false") return Literal{false};
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    return Literal{std::string(s.substr(1, s.size() - 2))};
  }
  double v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec == std::errc() && res.ptr == s.data() + s.size()) return Literal{v};
  return std::nullopt;
}

std::optional<Signature> parse_signature(std::string_view text) {
  Signature sig;
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  size_t arrow = text.rfind("->");
  if (open == text.npos || close == text.npos || arrow == text.npos || arrow < close) {
    return std::nullopt;
  }
  sig.name = std::string(trim(text.substr(0, open)));
  for (std::string_view p : split_top(text.substr(open + 1, close - open - 1))) {
    Signature::Param param;
    size_t colon = p.find(':');
    if (colon == p.npos) return std::nullopt;
    param.name = std::string(trim(p.substr(0, colon)));
    std::string_view rest = p.substr(colon + 1);
    size_t eq = rest.find('=');
    if (eq != rest.npos) {
      param.default_value = parse_literal(trim(rest.substr(eq + 1)));
      if (!param.default_value) return std::nullopt;
      rest = rest.substr(0, eq);
    }
    param.type = parse_signature_type(trim(rest));
    if (param.type == nullptr) return std::nullopt;
    sig.params.push_back(std::move(param));
  }
  sig.result = parse_signature_type(trim(text.substr(arrow + 2)));
  if (sig.result == nullptr || sig.name.empty()) return std::nullopt;
  return sig;
}

std::string literal_text(const Literal& l) {
  if (const double* d = std::get_if<double>(&l)) return grader::format_num(*d);
  if (const bool* b = std::get_if<bool>(&l)) return *b ? "true" : "false";
  return "\"" + std::get<std::string>(l) + "\"";
}

}  // namespace

const types::Type* parse_signature_type(std::string_view text) {
  text = trim(text);
  bool optional = !text.empty() && text.back() == '?';
  if (optional) text.remove_suffix(1);
  const types::Type* t = nullptr;
  if (text == "num") t = types::num();
  else if (text == "bool") t = types::boolean();
  else if (text == "str") t = types::str();
  else if (text == "json") t = types::json();
  else if (text == "regex") t = types::regex();
  else if (text.size() == 1 && text[0] >= 'A' && text[0] <= 'Z') t = types::var(text[0]);
  else if (text.starts_with("list<") && text.ends_with(">")) {
    const types::Type* elem = parse_signature_type(text.substr(5, text.size() - 6));
    if (elem != nullptr) t = types::list_of(elem);
  }
  if (t == nullptr) return nullptr;
  return optional ? types::optional_of(t) : t;
}

std::string Signature::to_string() const {
  std::string out = name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += ", ";
    out += params[i].name + ": " + types::to_string(params[i].type);
    if (params[i].default_value) out += " = " + literal_text(*params[i].default_value);
  }
  return out + ") -> " + types::to_string(result);
}

const std::vector<Signature>& builtin_signatures() {
  static const std::vector<Signature>* sigs = [] {
    auto* out = new std::vector<Signature>;
    for (const grader::Builtin& b : grader::builtins()) {
      std::optional<Signature> sig = parse_signature(b.signature);
      if (!sig) {
        std::fprintf(stderr, "rft: internal error: malformed builtin signature `%.*s`\n",
                     static_cast<int>(b.signature.size()), b.signature.data());
        std::abort();
      }
      sig->builtin = &b;
      out->push_back(std::move(*sig));
    }
    return out;
  }();
  return *sigs;
}

std::vector<const Signature*> builtin_overloads(std::string_view name) {
  std::vector<const Signature*> out;
  for (const Signature& s : builtin_signatures()) {
    if (s.name == name) out.push_back(&s);
  }
  return out;
}

std::vector<std::string> builtin_names() {
  std::set<std::string> names;
  for (const Signature& s : builtin_signatures()) names.insert(s.name);
  return {names.begin(), names.end()};
}

}  // namespace rft::check
