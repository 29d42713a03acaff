// JSON Schema drafts 7 and 2020-12: loading (resource and anchor index, $ref resolution, keyword
// checks, RE2 patterns) and validation with the annotations unevaluatedProperties/Items need.
#include "runtime/grader/json_schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/json.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

using nlohmann::json;

// ---- URIs (RFC 3986 reference resolution) ----

struct Uri {
  std::string scheme, authority, path, query, fragment;
  bool has_authority = false, has_query = false, has_fragment = false;
};

Uri parse_uri(std::string_view s) {
  Uri u;
  size_t i = 0;
  if (!s.empty() && std::isalpha(static_cast<unsigned char>(s[0]))) {
    size_t j = 1;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '+' ||
                            s[j] == '-' || s[j] == '.')) {
      ++j;
    }
    if (j < s.size() && s[j] == ':') {
      u.scheme = std::string(s.substr(0, j));
      i = j + 1;
    }
  }
  if (s.substr(i, 2) == "//") {
    u.has_authority = true;
    const size_t end = s.find_first_of("/?#", i + 2);
    u.authority =
        std::string(s.substr(i + 2, end == std::string_view::npos ? s.npos : end - i - 2));
    i = end == std::string_view::npos ? s.size() : end;
  }
  size_t end = s.find_first_of("?#", i);
  u.path = std::string(s.substr(i, end == std::string_view::npos ? s.npos : end - i));
  i = end == std::string_view::npos ? s.size() : end;
  if (i < s.size() && s[i] == '?') {
    u.has_query = true;
    end = s.find('#', i);
    u.query = std::string(s.substr(i + 1, end == std::string_view::npos ? s.npos : end - i - 1));
    i = end == std::string_view::npos ? s.size() : end;
  }
  if (i < s.size() && s[i] == '#') {
    u.has_fragment = true;
    u.fragment = std::string(s.substr(i + 1));
  }
  return u;
}

std::string remove_dot_segments(std::string in) {
  std::string out;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.erase(0, 3);
    } else if (in.starts_with("./")) {
      in.erase(0, 2);
    } else if (in.starts_with("/./")) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in == "/.." ? "/" : in.substr(3);
      const size_t slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      const size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      out += in.substr(0, next);
      in.erase(0, next == std::string::npos ? in.size() : next);
    }
  }
  return out;
}

std::string to_string(const Uri& u, bool with_fragment) {
  std::string out;
  if (!u.scheme.empty()) out += u.scheme + ":";
  if (u.has_authority) out += "//" + u.authority;
  out += u.path;
  if (u.has_query) out += "?" + u.query;
  if (with_fragment && u.has_fragment) out += "#" + u.fragment;
  return out;
}

Uri resolve_uri(const Uri& base, const Uri& r) {
  Uri t;
  if (!r.scheme.empty()) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    if (r.has_authority) {
      t.authority = r.authority;
      t.has_authority = true;
      t.path = remove_dot_segments(r.path);
      t.query = r.query;
      t.has_query = r.has_query;
    } else {
      if (r.path.empty()) {
        t.path = base.path;
        t.query = r.has_query ? r.query : base.query;
        t.has_query = r.has_query || base.has_query;
      } else {
        if (r.path[0] == '/') {
          t.path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (base.has_authority && base.path.empty()) {
            merged = "/" + r.path;
          } else {
            const size_t slash = base.path.rfind('/');
            merged = (slash == std::string::npos ? "" : base.path.substr(0, slash + 1)) + r.path;
          }
          t.path = remove_dot_segments(merged);
        }
        t.query = r.query;
        t.has_query = r.has_query;
      }
      t.authority = base.authority;
      t.has_authority = base.has_authority;
    }
    t.scheme = base.scheme;
  }
  t.fragment = r.fragment;
  t.has_fragment = r.has_fragment;
  return t;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The base of a schema without $id: any absolute URI that no real reference names.
constexpr std::string_view kDefaultBase = "rft-schema://local/root.json";

// ---- patterns: ECMA-262 regexes on RE2 ----

// White space as ECMA-262 defines \s (RE2's \s is ASCII only).
constexpr std::string_view kEcmaSpace =
    "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}"
    "\\x{3000}\\x{feff}";

// ECMA-262's \p{...} names (long General_Category names, `Script=`, `gc=`) in RE2's spelling.
bool unicode_property(std::string_view spec, std::string& out) {
  static const std::map<std::string_view, std::string_view> kCategories = {
      {"Letter", "L"},
      {"Cased_Letter", "L"},
      {"Uppercase_Letter", "Lu"},
      {"Lowercase_Letter", "Ll"},
      {"Titlecase_Letter", "Lt"},
      {"Modifier_Letter", "Lm"},
      {"Other_Letter", "Lo"},
      {"Mark", "M"},
      {"Combining_Mark", "M"},
      {"Nonspacing_Mark", "Mn"},
      {"Spacing_Mark", "Mc"},
      {"Enclosing_Mark", "Me"},
      {"Number", "N"},
      {"Decimal_Number", "Nd"},
      {"digit", "Nd"},
      {"Letter_Number", "Nl"},
      {"Other_Number", "No"},
      {"Punctuation", "P"},
      {"punct", "P"},
      {"Connector_Punctuation", "Pc"},
      {"Dash_Punctuation", "Pd"},
      {"Open_Punctuation", "Ps"},
      {"Close_Punctuation", "Pe"},
      {"Initial_Punctuation", "Pi"},
      {"Final_Punctuation", "Pf"},
      {"Other_Punctuation", "Po"},
      {"Symbol", "S"},
      {"Math_Symbol", "Sm"},
      {"Currency_Symbol", "Sc"},
      {"Modifier_Symbol", "Sk"},
      {"Other_Symbol", "So"},
      {"Separator", "Z"},
      {"Space_Separator", "Zs"},
      {"Line_Separator", "Zl"},
      {"Paragraph_Separator", "Zp"},
      {"Other", "C"},
      {"Control", "Cc"},
      {"cntrl", "Cc"},
      {"Format", "Cf"},
      {"Private_Use", "Co"},
      {"Surrogate", "Cs"},
      {"Unassigned", "Cn"}};
  const size_t eq = spec.find('=');
  std::string_view value = spec;
  if (eq != std::string_view::npos) {
    const std::string_view key = spec.substr(0, eq);
    value = spec.substr(eq + 1);
    if (key == "Script" || key == "sc" || key == "Script_Extensions" || key == "scx") {
      out = std::string(value);  // RE2 knows scripts by their long names
      return true;
    }
    if (key != "General_Category" && key != "gc") return false;
  }
  auto it = kCategories.find(value);
  out = std::string(it == kCategories.end() ? value : it->second);
  return true;
}

// Rewrites an ECMA-262 pattern into RE2 syntax, or says which feature RE2 cannot run.
bool ecma_to_re2(std::string_view p, std::string& out, std::string& unsupported) {
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if (e >= '1' && e <= '9' && !in_class) {
        unsupported = "a back-reference (\\" + std::string(1, e) + ")";
        return false;
      }
      if (e == 'k' && i + 2 < p.size() && p[i + 2] == '<') {
        unsupported = "a named back-reference (\\k<...>)";
        return false;
      }
      if (e == 'u' && i + 5 < p.size() &&
          std::all_of(p.begin() + static_cast<long>(i) + 2, p.begin() + static_cast<long>(i) + 6,
                      [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; })) {
        out += "\\x{" + std::string(p.substr(i + 2, 4)) + "}";
        i += 5;
        continue;
      }
      if (e == 'u' && i + 2 < p.size() && p[i + 2] == '{') {
        out += "\\x";  // \u{1F600} → \x{1F600}
        i += 1;
        continue;
      }
      if (e == 's') {
        out += in_class ? std::string(kEcmaSpace) : "[" + std::string(kEcmaSpace) + "]";
        i += 1;
        continue;
      }
      if (e == 'S' && !in_class) {
        out += "[^" + std::string(kEcmaSpace) + "]";
        i += 1;
        continue;
      }
      if ((e == 'p' || e == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
        const size_t close = p.find('}', i + 3);
        if (close != std::string_view::npos) {
          std::string name;
          if (!unicode_property(p.substr(i + 3, close - i - 3), name)) {
            unsupported = "the Unicode property " + std::string(p.substr(i, close - i + 1));
            return false;
          }
          out += "\\" + std::string(1, e) + "{" + name + "}";
          i = close;
          continue;
        }
      }
      if (e == 'c' && i + 2 < p.size() && std::isalpha(static_cast<unsigned char>(p[i + 2]))) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\x{%x}", static_cast<unsigned>(p[i + 2] % 32));
        out += buf;
        i += 2;
        continue;
      }
      out += c;
      out += e;
      i += 1;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') {  // a leading ] is a literal in RE2, empty in ECMA
        unsupported = "an empty character class ([] or [^])";
        return false;
      }
      continue;
    }
    if (c == '(' && p.substr(i, 3) == "(?=") {
      unsupported = "a look-ahead ((?=...))";
      return false;
    }
    if (c == '(' && p.substr(i, 3) == "(?!") {
      unsupported = "a negative look-ahead ((?!...))";
      return false;
    }
    if (c == '(' && (p.substr(i, 4) == "(?<=" || p.substr(i, 4) == "(?<!")) {
      unsupported = "a look-behind ((?<=...) or (?<!...))";
      return false;
    }
    if (c == '(' && p.substr(i, 3) == "(?<") {
      out += "(?P<";
      i += 2;
      continue;
    }
    if (c == '.') {
      out += "[^\\n\\r\\x{2028}\\x{2029}]";
      continue;
    }
    out += c;
  }
  return true;
}

// ---- loading ----

struct DynamicRef {
  const json* target = nullptr;  // the static resolution
  std::string anchor;            // non-empty when the target's resource has this $dynamicAnchor
};

struct Problem {
  SchemaProblem problem;
  std::string reason;
};

}  // namespace

class CompiledSchema {
 public:
  json doc;
  SchemaDraft draft = SchemaDraft::kDraft2020_12;
  std::set<std::string> uris;                                       // interned resource URIs
  std::unordered_map<const json*, const std::string*> resource_of;  // each subschema's resource
  std::unordered_map<const json*, const json*> refs;                // $ref holders → targets
  std::unordered_map<const json*, DynamicRef> dynamic_refs;         // $dynamicRef holders
  std::map<std::pair<std::string, std::string>, const json*> dynamic_anchors;
  std::unordered_map<const json*, std::unique_ptr<re2::RE2>> patterns;  // `pattern` holders
  std::unordered_map<const json*, std::vector<std::pair<std::unique_ptr<re2::RE2>, const json*>>>
      pattern_properties;  // patternProperties holders → (regex, subschema)
};

namespace {

class Loader {
 public:
  explicit Loader(CompiledSchema& s) : s_(s) {}

  void load() {
    const json& root = s_.doc;
    const std::string base(kDefaultBase);
    resources_[base] = &root;
    walk(root, base, "#");
    // Targets reached by a JSON pointer into a place no keyword walks (an unknown keyword) are
    // walked too, with the base of their resource.
    for (size_t i = 0; i < pending_refs_.size(); ++i) {
      auto [holder, ref, base_uri, where, dynamic] = pending_refs_[i];
      const json* target = resolve(ref, base_uri, where);
      if (!visited_.contains(target)) walk(*target, resource_base_of(ref, base_uri), where);
      if (!dynamic) {
        s_.refs[holder] = target;
      } else {
        DynamicRef d{target, ""};
        const Uri u = resolve_uri(parse_uri(base_uri), parse_uri(ref));
        const std::string frag = percent_decode(u.fragment);
        if (u.has_fragment && !frag.empty() && frag[0] != '/' &&
            s_.dynamic_anchors.contains({to_string(u, false), frag})) {
          d.anchor = frag;
        }
        s_.dynamic_refs[holder] = d;
      }
    }
  }

 private:
  struct PendingRef {
    const json* holder;
    std::string ref, base;
    std::string where;
    bool dynamic;
  };

  [[noreturn]] void fail(SchemaProblem p, const std::string& where, const std::string& why) {
    throw Problem{p, "schema " + where + ": " + why};
  }

  bool draft7() const { return s_.draft == SchemaDraft::kDraft7; }

  std::string resource_base_of(const std::string& ref, const std::string& base) {
    return to_string(resolve_uri(parse_uri(base), parse_uri(ref)), false);
  }

  const json* resolve(const std::string& ref, const std::string& base, const std::string& where) {
    const Uri u = resolve_uri(parse_uri(base), parse_uri(ref));
    const std::string doc_uri = to_string(u, false);
    auto res = resources_.find(doc_uri);
    if (res == resources_.end()) {
      fail(SchemaProblem::kUnsupported, where,
           "$ref \"" + ref + "\" names another document (" + doc_uri +
               "), and only the schema itself is loaded");
    }
    const std::string frag = percent_decode(u.fragment);
    if (frag.empty()) return res->second;
    if (frag[0] != '/') {
      auto a = anchors_.find({doc_uri, frag});
      if (a == anchors_.end()) fail(SchemaProblem::kInvalid, where, "no anchor \"" + frag + "\"");
      return a->second;
    }
    const json* node = res->second;
    size_t pos = 1;
    while (true) {
      const size_t next = frag.find('/', pos);
      std::string token =
          frag.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      std::string key;
      for (size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size() &&
            (token[i + 1] == '0' || token[i + 1] == '1')) {
          key += token[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          key += token[i];
        }
      }
      if (node->is_object() && node->contains(key)) {
        node = &(*node)[key];
      } else if (node->is_array() && !key.empty() &&
                 std::all_of(key.begin(), key.end(), [](char c) { return std::isdigit(c) != 0; }) &&
                 key.size() < 10 && std::stoul(key) < node->size()) {
        node = &(*node)[std::stoul(key)];
      } else {
        fail(SchemaProblem::kInvalid, where, "$ref \"" + ref + "\" points at nothing");
      }
      if (next == std::string::npos) break;
      pos = next + 1;
    }
    if (!node->is_object() && !node->is_boolean()) {
      fail(SchemaProblem::kInvalid, where, "$ref \"" + ref + "\" points at a non-schema");
    }
    return node;
  }

  static std::string child(const std::string& where, std::string_view key) {
    return where + "/" + std::string(key);
  }

  const json& schema_member(const json& node, const char* key, const std::string& where) {
    const json& v = node.at(key);
    if (!v.is_object() && !v.is_boolean()) {
      fail(SchemaProblem::kInvalid, child(where, key), "must be a schema (an object or a boolean)");
    }
    return v;
  }

  static bool is_count(const json& v) {
    if (v.is_number_unsigned()) return true;
    if (v.is_number_integer()) return v.get<int64_t>() >= 0;
    if (v.is_number_float()) {
      const double d = v.get<double>();
      return d >= 0 && std::floor(d) == d && std::isfinite(d);
    }
    return false;
  }

  std::unique_ptr<re2::RE2> compile_pattern(const std::string& pattern, const std::string& where) {
    std::string translated, unsupported;
    if (!ecma_to_re2(pattern, translated, unsupported)) {
      fail(SchemaProblem::kUnsupported, where,
           "pattern \"" + pattern + "\" uses " + unsupported + ", which RE2 cannot run");
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>(translated, options);
    if (!re->ok()) {
      const bool too_big = re->error_code() == re2::RE2::ErrorPatternTooLarge ||
                           re->error_code() == re2::RE2::ErrorRepeatSize;
      fail(too_big ? SchemaProblem::kUnsupported : SchemaProblem::kInvalid, where,
           "pattern \"" + pattern + "\": " + re->error());
    }
    return re;
  }

  void check_keywords(const json& node, const std::string& where) {
    static const std::set<std::string> kNumbers = {"multipleOf", "maximum", "exclusiveMaximum",
                                                   "minimum", "exclusiveMinimum"};
    static const std::set<std::string> kCounts = {"maxLength",   "minLength",     "maxItems",
                                                  "minItems",    "maxProperties", "minProperties",
                                                  "maxContains", "minContains"};
    static const std::set<std::string> kTypes = {"null",   "boolean", "object", "array",
                                                 "number", "string",  "integer"};
    // Keywords of the other draft: silently ignoring them would drop a constraint the author meant.
    static const std::set<std::string> kOnly7 = {"dependencies", "additionalItems"};
    static const std::set<std::string> kOnly2020 = {
        "prefixItems",      "dependentSchemas",      "dependentRequired",
        "unevaluatedItems", "unevaluatedProperties", "$dynamicRef",
        "$dynamicAnchor",   "minContains",           "maxContains"};
    for (const auto& [key, v] : node.items()) {
      const std::string at = child(where, key);
      if (kNumbers.contains(key) && !v.is_number())
        fail(SchemaProblem::kInvalid, at, "must be a number");
      if (key == "multipleOf" && !(v.get<double>() > 0)) {
        fail(SchemaProblem::kInvalid, at, "must be greater than 0");
      }
      if (kCounts.contains(key) && !is_count(v)) {
        fail(SchemaProblem::kInvalid, at, "must be a non-negative integer");
      }
      if (draft7() && kOnly2020.contains(key)) {
        fail(SchemaProblem::kInvalid, at,
             "is a 2020-12 keyword in a draft-07 schema (set $schema to "
             "https://json-schema.org/draft/2020-12/schema)");
      }
      if (!draft7() && kOnly7.contains(key)) {
        fail(SchemaProblem::kInvalid, at,
             "is a draft-07 keyword, not part of 2020-12 (set $schema to "
             "http://json-schema.org/draft-07/schema#, or use " +
                 std::string(key == "dependencies" ? "dependentRequired/dependentSchemas"
                                                   : "prefixItems and items") +
                 ")");
      }
      if (key == "type") {
        const auto ok = [](const json& t) {
          return t.is_string() && kTypes.contains(t.get<std::string>());
        };
        if (!(ok(v) || (v.is_array() && std::all_of(v.begin(), v.end(), ok)))) {
          fail(SchemaProblem::kInvalid, at, "must be a type name or a list of them");
        }
      }
      if (key == "enum" && !v.is_array()) fail(SchemaProblem::kInvalid, at, "must be an array");
      if (key == "required" && !(v.is_array() && std::all_of(v.begin(), v.end(), [](const json& r) {
                                   return r.is_string();
                                 }))) {
        fail(SchemaProblem::kInvalid, at, "must be an array of strings");
      }
      if (key == "uniqueItems" && !v.is_boolean())
        fail(SchemaProblem::kInvalid, at, "must be a boolean");
      if ((key == "$ref" || key == "$id" || key == "$anchor" || key == "$dynamicRef" ||
           key == "$dynamicAnchor" || key == "$schema") &&
          !v.is_string()) {
        fail(SchemaProblem::kInvalid, at, "must be a string");
      }
      if (key == "pattern") {
        if (!v.is_string()) fail(SchemaProblem::kInvalid, at, "must be a string");
        s_.patterns[&node] = compile_pattern(v.get<std::string>(), at);
      }
      if (key == "dependentRequired" || (key == "dependencies")) {
        if (!v.is_object()) fail(SchemaProblem::kInvalid, at, "must be an object");
        for (const auto& [name, dep] : v.items()) {
          if (dep.is_array()) {
            for (const json& r : dep) {
              if (!r.is_string()) fail(SchemaProblem::kInvalid, at, "must list property names");
            }
          } else if (key == "dependentRequired" || (!dep.is_object() && !dep.is_boolean())) {
            fail(SchemaProblem::kInvalid, at, "must map names to lists of names");
          }
        }
      }
    }
    if (!draft7() && node.contains("items") && node["items"].is_array()) {
      fail(SchemaProblem::kInvalid, child(where, "items"),
           "is an array, the draft-07 form: in 2020-12 use prefixItems (or set $schema to "
           "http://json-schema.org/draft-07/schema#)");
    }
  }

  void walk(const json& node, std::string base, const std::string& where) {
    if (node.is_boolean()) return;
    if (!node.is_object())
      fail(SchemaProblem::kInvalid, where, "must be a schema (an object or a boolean)");
    if (!visited_.insert(&node).second) return;
    if (++walked_ > kMaxSchemaSteps) fail(SchemaProblem::kTooComplex, where, "too many subschemas");
    // Draft 7: a $ref makes every sibling keyword, $id included, ignored.
    if (draft7() && node.contains("$ref")) {
      if (!node["$ref"].is_string())
        fail(SchemaProblem::kInvalid, child(where, "$ref"), "must be a string");
      pending_refs_.push_back({&node, node["$ref"].get<std::string>(), base, where, false});
      return;
    }
    check_keywords(node, where);
    if (node.contains("$id")) {
      const Uri id = parse_uri(node["$id"].get<std::string>());
      const Uri resolved = resolve_uri(parse_uri(base), id);
      if (draft7() && id.scheme.empty() && !id.has_authority && id.path.empty() && !id.has_query) {
        anchors_[{base, percent_decode(id.fragment)}] = &node;  // "$id": "#name", an anchor
      } else {
        if (!draft7() && id.has_fragment && !id.fragment.empty()) {
          fail(SchemaProblem::kInvalid, child(where, "$id"), "must not have a fragment");
        }
        base = to_string(resolved, false);
        resources_[base] = &node;
        if (draft7() && !resolved.fragment.empty()) {
          anchors_[{base, percent_decode(resolved.fragment)}] = &node;
        }
      }
    }
    s_.resource_of[&node] = &*s_.uris.insert(base).first;
    if (!draft7()) {
      if (node.contains("$anchor")) anchors_[{base, node["$anchor"].get<std::string>()}] = &node;
      if (node.contains("$dynamicAnchor")) {
        const std::string name = node["$dynamicAnchor"].get<std::string>();
        anchors_[{base, name}] = &node;
        s_.dynamic_anchors[{base, name}] = &node;
      }
      if (node.contains("$dynamicRef")) {
        pending_refs_.push_back({&node, node["$dynamicRef"].get<std::string>(), base, where, true});
      }
    }
    if (node.contains("$ref")) {
      pending_refs_.push_back({&node, node["$ref"].get<std::string>(), base, where, false});
    }
    const auto one = [&](const char* key) {
      if (node.contains(key)) walk(schema_member(node, key, where), base, child(where, key));
    };
    const auto list = [&](const char* key) {
      if (!node.contains(key)) return;
      const json& v = node[key];
      if (!v.is_array() || v.empty())
        fail(SchemaProblem::kInvalid, child(where, key), "must be a non-empty array of schemas");
      for (size_t i = 0; i < v.size(); ++i)
        walk(v[i], base, child(where, key) + "/" + std::to_string(i));
    };
    const auto map = [&](const char* key, bool arrays_allowed) {
      if (!node.contains(key)) return;
      const json& v = node[key];
      if (!v.is_object())
        fail(SchemaProblem::kInvalid, child(where, key), "must be an object of schemas");
      for (const auto& [name, sub] : v.items()) {
        if (arrays_allowed && sub.is_array()) continue;
        walk(sub, base, child(child(where, key), name));
      }
    };
    for (const char* key :
         {"additionalProperties", "propertyNames", "contains", "not", "if", "then", "else"}) {
      one(key);
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"}) list(key);
    map("properties", false);
    map("patternProperties", false);
    if (node.contains("patternProperties")) {
      auto& compiled = s_.pattern_properties[&node];
      for (const auto& [pattern, sub] : node["patternProperties"].items()) {
        compiled.emplace_back(
            compile_pattern(pattern, child(child(where, "patternProperties"), pattern)), &sub);
      }
    }
    if (draft7()) {
      map("definitions", false);
      map("dependencies", true);
      if (node.contains("items") && node["items"].is_array()) {
        const json& items = node["items"];
        for (size_t i = 0; i < items.size(); ++i)
          walk(items[i], base, child(where, "items") + "/" + std::to_string(i));
      } else {
        one("items");
      }
      one("additionalItems");
    } else {
      map("$defs", false);
      map("dependentSchemas", false);
      if (node.contains("prefixItems")) list("prefixItems");
      one("items");
      one("unevaluatedItems");
      one("unevaluatedProperties");
    }
  }

  CompiledSchema& s_;
  std::unordered_set<const json*> visited_;
  std::map<std::string, const json*> resources_;
  std::map<std::pair<std::string, std::string>, const json*> anchors_;
  std::vector<PendingRef> pending_refs_;
  size_t walked_ = 0;
};

// ---- validation ----

// What a successful subschema evaluated, for unevaluatedProperties and unevaluatedItems.
struct Evaluated {
  std::unordered_set<std::string> properties;
  std::vector<bool> items;  // sized to the array on first use
  void item(size_t i, size_t n) {
    if (items.size() < n) items.resize(n, false);
    items[i] = true;
  }
  void merge(Evaluated&& other) {
    if (properties.empty()) {
      properties = std::move(other.properties);
    } else {
      properties.merge(other.properties);
    }
    if (items.size() < other.items.size()) items.resize(other.items.size(), false);
    for (size_t i = 0; i < other.items.size(); ++i) {
      if (other.items[i]) items[i] = true;
    }
  }
};

bool is_integer(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

bool has_type(const json& v, const std::string& type) {
  if (type == "integer") return is_integer(v);
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "boolean") return v.is_boolean();
  return v.is_null();
}

const char* type_name(const json& v) {
  if (v.is_number()) return is_integer(v) ? "integer" : "number";
  if (v.is_string()) return "string";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_boolean()) return "boolean";
  return "null";
}

// A text equal for values JSON Schema calls equal (1 and 1.0 alike), for uniqueItems.
void canonical(const json& v, std::string& out) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (v.is_number_unsigned()) {
      out += std::to_string(v.get<uint64_t>());
    } else if (v.is_number_integer()) {
      out += std::to_string(v.get<int64_t>());
    } else if (std::floor(d) == d && std::fabs(d) < 9.2e18) {
      out += std::to_string(static_cast<int64_t>(d));
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      out += buf;
    }
  } else if (v.is_array()) {
    out += '[';
    for (const json& x : v) {
      canonical(x, out);
      out += ',';
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    for (const auto& [k, x] : v.items()) {  // std::map: sorted keys
      out += json(k).dump();
      out += ':';
      canonical(x, out);
      out += ',';
    }
    out += '}';
  } else {
    out += v.dump();
  }
}

// |v| for a JSON integer, exactly.
uint64_t magnitude(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  const int64_t x = v.get<int64_t>();
  return x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
}

bool is_multiple(const json& v, const json& divisor) {
  const auto integral = [](const json& x) {
    return x.is_number_integer() || x.is_number_unsigned();
  };
  if (integral(v) && integral(divisor)) return magnitude(v) % magnitude(divisor) == 0;
  const double q = v.get<double>() / divisor.get<double>();
  if (!std::isfinite(q)) return false;  // no finite quotient: not a multiple
  // The quotient of two doubles is off by a few units in the last place (and so are decimal
  // divisors such as 0.0001): a multiple is within that of an integer, relative to the quotient.
  const double diff = std::fabs(q - std::round(q));
  return diff <= 4 * std::numeric_limits<double>::epsilon() * std::fabs(q);
}

std::string short_dump(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

const json* member(const json& schema, const char* key) {
  auto it = schema.find(key);
  return it == schema.end() ? nullptr : &*it;
}

struct Abort {
  SchemaProblem problem;
  std::string reason;
};

class Validator {
 public:
  Validator(const CompiledSchema& s, size_t max_errors) : s_(s), max_errors_(max_errors) {}

  std::vector<std::string> errors;

  bool check(const json& instance) {
    Evaluated ev;
    reporting_ = max_errors_ > 0;
    return valid(s_.doc, instance, ev);
  }

 private:
  std::string where() const {
    std::string out = "<root>";
    for (const std::string& p : path_) out += "[" + p + "]";
    return out;
  }

  // A subschema's own errors say what is wrong; the applicator adds its message only for a
  // `false` subschema, which has none of its own.
  static std::string about(const json& sub, std::string why) {
    return sub.is_boolean() ? std::move(why) : std::string();
  }

  void report(const std::string& why) {
    if (why.empty()) return;
    if (reporting_ && errors.size() < max_errors_) errors.push_back(where() + ": " + why);
  }

  // Evaluates `schema` without reporting (the caller reports one summary error).
  bool silently(const json& schema, const json& inst, Evaluated& ev) {
    const bool saved = reporting_;
    reporting_ = false;
    const bool ok = valid(schema, inst, ev);
    reporting_ = saved;
    return ok;
  }

  struct PathPush {
    PathPush(std::vector<std::string>& path, std::string part) : path_(path) {
      path_.push_back(std::move(part));
    }
    ~PathPush() { path_.pop_back(); }
    std::vector<std::string>& path_;
  };

  bool valid_child(const json& schema, const json& inst, std::string part) {
    PathPush push(path_, std::move(part));
    Evaluated ignored;
    return valid(schema, inst, ignored);
  }

  bool follow(const json& target, const json& inst, Evaluated& ev) {
    for (const auto& [t, i] : ref_stack_) {
      if (t == &target && i == &inst) {
        throw Abort{SchemaProblem::kInvalid,
                    "schema: a $ref cycle at " + where() + " that never reaches a deeper value"};
      }
    }
    if (target.is_boolean() && !target.get<bool>()) {
      report("no value is allowed here (a $ref leads to the false schema)");
      return false;
    }
    ref_stack_.emplace_back(&target, &inst);
    Evaluated sub;
    const bool ok = valid(target, inst, sub);
    ref_stack_.pop_back();
    if (ok) ev.merge(std::move(sub));
    return ok;
  }

  const json* dynamic_target(const DynamicRef& d) const {
    if (d.anchor.empty()) return d.target;
    for (const std::string* uri : scope_) {  // the outermost resource with the anchor wins
      auto it = s_.dynamic_anchors.find({*uri, d.anchor});
      if (it != s_.dynamic_anchors.end()) return it->second;
    }
    return d.target;
  }

  bool valid(const json& schema, const json& inst, Evaluated& ev) {
    if (++steps_ > kMaxSchemaSteps) {
      throw Abort{SchemaProblem::kTooComplex,
                  "schema: more than " + std::to_string(kMaxSchemaSteps) + " evaluations"};
    }
    if (schema.is_boolean()) {
      if (schema.get<bool>()) return true;
      if (depth_ == 0) report("no value is allowed (the schema is false)");
      return false;  // elsewhere, the keyword that holds `false` says why
    }
    if (depth_ >= kMaxSchemaDepth) {
      throw Abort{SchemaProblem::kTooComplex,
                  "schema: evaluation nested deeper than " + std::to_string(kMaxSchemaDepth)};
    }
    ++depth_;
    // Entering another resource (at its root or through a $ref into it) extends the dynamic scope.
    auto resource = s_.resource_of.find(&schema);
    const bool entered =
        resource != s_.resource_of.end() && (scope_.empty() || scope_.back() != resource->second);
    if (entered) scope_.push_back(resource->second);
    Evaluated local;
    const bool ok = keywords(schema, inst, local);
    if (entered) scope_.pop_back();
    --depth_;
    if (ok) ev.merge(std::move(local));
    return ok;
  }

  bool keywords(const json& schema, const json& inst, Evaluated& ev) {
    bool ok = true;
    // Records a failure; true when evaluation can stop (nobody wants the messages).
    const auto fail = [&](const std::string& why) {
      ok = false;
      report(why);
      return !reporting_;
    };
    const bool draft7 = s_.draft == SchemaDraft::kDraft7;
    if (draft7 && schema.contains("$ref")) return follow(*s_.refs.at(&schema), inst, ev);
    const auto kw = [&](const char* key) { return member(schema, key); };
    if (kw("$ref") != nullptr && !follow(*s_.refs.at(&schema), inst, ev)) {
      ok = false;
      if (!reporting_) return false;
    }
    if (!draft7 && kw("$dynamicRef") != nullptr) {
      if (!follow(*dynamic_target(s_.dynamic_refs.at(&schema)), inst, ev)) {
        ok = false;
        if (!reporting_) return false;
      }
    }
    if (const json* t = kw("type")) {
      const bool matches = t->is_string() ? has_type(inst, t->get<std::string>())
                                          : std::any_of(t->begin(), t->end(), [&](const json& one) {
                                              return has_type(inst, one.get<std::string>());
                                            });
      if (!matches &&
          fail(std::string("expected type ") + t->dump() + ", got " + type_name(inst))) {
        return false;
      }
    }
    if (const json* e = kw("enum")) {
      if (std::none_of(e->begin(), e->end(), [&](const json& x) { return x == inst; }) &&
          fail("value " + short_dump(inst) + " is not one of the enum values")) {
        return false;
      }
    }
    if (const json* c = kw("const")) {
      if (!(*c == inst) &&
          fail("value " + short_dump(inst) + " is not the const " + short_dump(*c))) {
        return false;
      }
    }
    if (inst.is_number()) {
      const double x = inst.get<double>();
      if (const json* m = kw("multipleOf")) {
        if (!is_multiple(inst, *m) &&
            fail("value " + inst.dump() + " is not a multiple of " + m->dump())) {
          return false;
        }
      }
      if (const json* m = kw("maximum")) {
        if (x > m->get<double>() &&
            fail("value " + inst.dump() + " is greater than the maximum " + m->dump())) {
          return false;
        }
      }
      if (const json* m = kw("exclusiveMaximum")) {
        if (x >= m->get<double>() &&
            fail("value " + inst.dump() + " is not less than the exclusive maximum " + m->dump())) {
          return false;
        }
      }
      if (const json* m = kw("minimum")) {
        if (x < m->get<double>() &&
            fail("value " + inst.dump() + " is less than the minimum " + m->dump())) {
          return false;
        }
      }
      if (const json* m = kw("exclusiveMinimum")) {
        if (x <= m->get<double>() &&
            fail("value " + inst.dump() + " is not greater than the exclusive minimum " +
                 m->dump())) {
          return false;
        }
      }
    }
    if (inst.is_string()) {
      const std::string& str = inst.get_ref<const std::string&>();
      const json* max_len = kw("maxLength");
      const json* min_len = kw("minLength");
      if (max_len != nullptr || min_len != nullptr) {
        const double n = static_cast<double>(count_code_points(str));
        if (max_len != nullptr && n > max_len->get<double>() &&
            fail("string is longer than " + max_len->dump() + " characters")) {
          return false;
        }
        if (min_len != nullptr && n < min_len->get<double>() &&
            fail("string is shorter than " + min_len->dump() + " characters")) {
          return false;
        }
      }
      if (kw("pattern") != nullptr) {
        const re2::RE2& re = *s_.patterns.at(&schema);
        if (!re2::RE2::PartialMatch(str, re) &&
            fail("string does not match the pattern " + schema["pattern"].dump())) {
          return false;
        }
      }
    }
    if (inst.is_array() && !array_keywords(schema, inst, ev, fail, draft7)) return false;
    if (inst.is_object() && !object_keywords(schema, inst, ev, fail, draft7)) return false;
    if (!ok && !reporting_) return false;

    // In-place applicators: their annotations count for this schema's unevaluated* keywords.
    if (const json* all = kw("allOf")) {
      for (const json& sub : *all) {
        if (!valid(sub, inst, ev) && fail(about(sub, "does not match every allOf schema")))
          return false;
      }
    }
    if (const json* any = kw("anyOf")) {
      bool matched = false;
      for (const json& sub : *any) matched = silently(sub, inst, ev) || matched;
      if (!matched && fail("matches none of the anyOf schemas")) return false;
    }
    if (const json* one = kw("oneOf")) {
      size_t matched = 0;
      Evaluated first;
      for (const json& sub : *one) {
        Evaluated branch;
        if (silently(sub, inst, branch) && ++matched == 1) first = std::move(branch);
      }
      if (matched == 1) {
        ev.merge(std::move(first));
      } else if (fail(matched == 0 ? "matches none of the oneOf schemas"
                                   : "matches " + std::to_string(matched) +
                                         " of the oneOf schemas, not exactly one")) {
        return false;
      }
    }
    if (const json* n = kw("not")) {
      Evaluated ignored;
      if (silently(*n, inst, ignored) && fail("matches the schema under not")) return false;
    }
    if (const json* if_schema = kw("if")) {
      if (silently(*if_schema, inst, ev)) {
        if (const json* then = kw("then")) {
          if (!valid(*then, inst, ev) && fail(about(*then, "matches if but not then")))
            return false;
        }
      } else if (const json* else_schema = kw("else")) {
        if (!valid(*else_schema, inst, ev) &&
            fail(about(*else_schema, "does not match if, nor else")))
          return false;
      }
    }
    if (!ok) return false;

    // unevaluated* see everything above (2020-12 only; refused in draft-07 schemas).
    if (inst.is_array()) {
      if (const json* u = kw("unevaluatedItems")) {
        for (size_t i = 0; i < inst.size(); ++i) {
          if (i < ev.items.size() && ev.items[i]) continue;
          if (!valid_child(*u, inst[i], std::to_string(i)) &&
              fail(
                  about(*u, "item " + std::to_string(i) + " is not allowed by unevaluatedItems"))) {
            return false;
          }
        }
        for (size_t i = 0; i < inst.size(); ++i) ev.item(i, inst.size());
      }
    }
    if (inst.is_object()) {
      if (const json* u = kw("unevaluatedProperties")) {
        for (const auto& [name, value] : inst.items()) {
          if (ev.properties.contains(name)) continue;
          if (!valid_child(*u, value, name) &&
              fail(
                  about(*u, "property \"" + name + "\" is not allowed by unevaluatedProperties"))) {
            return false;
          }
        }
        for (const auto& [name, value] : inst.items()) ev.properties.insert(name);
      }
    }
    return ok;
  }

  template <typename Fail>
  bool array_keywords(const json& schema, const json& inst, Evaluated& ev, const Fail& fail,
                      bool draft7) {
    const auto kw = [&](const char* key) { return member(schema, key); };
    const size_t n = inst.size();
    if (const json* m = kw("maxItems")) {
      if (static_cast<double>(n) > m->get<double>() &&
          fail("array has more than " + m->dump() + " items")) {
        return false;
      }
    }
    if (const json* m = kw("minItems")) {
      if (static_cast<double>(n) < m->get<double>() &&
          fail("array has fewer than " + m->dump() + " items")) {
        return false;
      }
    }
    if (const json* u = kw("uniqueItems"); u != nullptr && u->get<bool>()) {
      std::unordered_map<std::string, size_t> seen;
      for (size_t i = 0; i < n; ++i) {
        std::string key;
        canonical(inst[i], key);
        auto [it, fresh] = seen.emplace(std::move(key), i);
        if (!fresh && fail("items " + std::to_string(it->second) + " and " + std::to_string(i) +
                           " are equal, and uniqueItems is set")) {
          return false;
        }
        if (!fresh) break;
      }
    }
    // Tuple items and the schema for the rest.
    size_t prefix = 0;
    const json* rest = nullptr;
    if (draft7) {
      if (const json* items = kw("items")) {
        if (items->is_array()) {
          prefix = items->size();
          rest = kw("additionalItems");
          for (size_t i = 0; i < std::min(prefix, n); ++i) {
            if (!valid_child((*items)[i], inst[i], std::to_string(i)) &&
                fail(about((*items)[i],
                           "item " + std::to_string(i) + " does not match its items schema"))) {
              return false;
            }
          }
        } else {
          rest = items;
        }
      }
    } else {
      if (const json* p = kw("prefixItems")) {
        prefix = p->size();
        for (size_t i = 0; i < std::min(prefix, n); ++i) {
          if (!valid_child((*p)[i], inst[i], std::to_string(i)) &&
              fail(about((*p)[i],
                         "item " + std::to_string(i) + " does not match its prefixItems schema"))) {
            return false;
          }
          ev.item(i, n);
        }
      }
      rest = kw("items");
    }
    if (rest != nullptr) {
      for (size_t i = prefix; i < n; ++i) {
        if (!valid_child(*rest, inst[i], std::to_string(i)) &&
            fail(about(*rest, "item " + std::to_string(i) + " does not match the items schema"))) {
          return false;
        }
        ev.item(i, n);
      }
    }
    if (const json* c = kw("contains")) {
      size_t matched = 0;
      for (size_t i = 0; i < n; ++i) {
        PathPush push(path_, std::to_string(i));
        Evaluated ignored;
        if (silently(*c, inst[i], ignored)) {
          ++matched;
          ev.item(i, n);
        }
      }
      const json* min_c = draft7 ? nullptr : kw("minContains");
      const json* max_c = draft7 ? nullptr : kw("maxContains");
      const double min = min_c != nullptr ? min_c->get<double>() : 1;
      if (static_cast<double>(matched) < min &&
          fail(min == 1 ? std::string("no item matches the contains schema")
                        : "fewer than " + min_c->dump() + " items match the contains schema")) {
        return false;
      }
      if (max_c != nullptr && static_cast<double>(matched) > max_c->get<double>() &&
          fail("more than " + max_c->dump() + " items match the contains schema")) {
        return false;
      }
    }
    return true;
  }

  template <typename Fail>
  bool object_keywords(const json& schema, const json& inst, Evaluated& ev, const Fail& fail,
                       bool draft7) {
    const auto kw = [&](const char* key) { return member(schema, key); };
    const double n = static_cast<double>(inst.size());
    if (const json* m = kw("maxProperties")) {
      if (n > m->get<double>() && fail("object has more than " + m->dump() + " properties"))
        return false;
    }
    if (const json* m = kw("minProperties")) {
      if (n < m->get<double>() && fail("object has fewer than " + m->dump() + " properties"))
        return false;
    }
    if (const json* r = kw("required")) {
      for (const json& name : *r) {
        if (!inst.contains(name.get<std::string>()) &&
            fail("required property " + name.dump() + " is missing")) {
          return false;
        }
      }
    }
    const auto require_all = [&](const std::string& name, const json& names) {
      for (const json& dep : names) {
        if (!inst.contains(dep.get<std::string>()) &&
            fail("property " + dep.dump() + " is required when \"" + name + "\" is present")) {
          return false;
        }
      }
      return true;
    };
    if (const json* deps = kw(draft7 ? "dependencies" : "dependentRequired")) {
      for (const auto& [name, dep] : deps->items()) {
        if (!inst.contains(name)) continue;
        if (dep.is_array()) {
          if (!require_all(name, dep)) return false;
        } else if (!valid(dep, inst, ev) &&
                   fail(about(dep, "does not match the schema that \"" + name + "\" depends on"))) {
          return false;
        }
      }
    }
    if (!draft7) {
      if (const json* deps = kw("dependentSchemas")) {
        for (const auto& [name, dep] : deps->items()) {
          if (inst.contains(name) && !valid(dep, inst, ev) &&
              fail(about(dep, "does not match the schema that \"" + name + "\" depends on"))) {
            return false;
          }
        }
      }
    }
    if (const json* names = kw("propertyNames")) {
      for (const auto& [name, value] : inst.items()) {
        if (!valid_child(*names, json(name), name) &&
            fail(about(*names, "property name \"" + name + "\" does not match propertyNames"))) {
          return false;
        }
      }
    }
    const json* props = kw("properties");
    auto patterns = s_.pattern_properties.find(&schema);
    const json* additional = kw("additionalProperties");
    if (props == nullptr && patterns == s_.pattern_properties.end() && additional == nullptr) {
      return true;
    }
    for (const auto& [name, value] : inst.items()) {
      bool covered = false;
      if (props != nullptr) {
        auto p = props->find(name);
        if (p != props->end()) {
          covered = true;
          if (!valid_child(*p, value, name) &&
              fail(about(*p, "property \"" + name + "\" is not allowed")))
            return false;
        }
      }
      if (patterns != s_.pattern_properties.end()) {
        for (const auto& [re, sub] : patterns->second) {
          if (!re2::RE2::PartialMatch(name, *re)) continue;
          covered = true;
          if (!valid_child(*sub, value, name) &&
              fail(about(*sub, "property \"" + name + "\" does not match the schema for pattern " +
                                   re->pattern()))) {
            return false;
          }
        }
      }
      if (!covered && additional != nullptr) {
        if (!valid_child(*additional, value, name) &&
            fail(about(*additional,
                       "property \"" + name + "\" is not allowed by additionalProperties"))) {
          return false;
        }
        covered = true;
      }
      if (covered) ev.properties.insert(name);
    }
    return true;
  }

  const CompiledSchema& s_;
  size_t max_errors_;
  bool reporting_ = true;
  size_t steps_ = 0;
  int depth_ = 0;
  std::vector<std::string> path_;
  std::vector<const std::string*> scope_;  // the dynamic scope: resources entered, outermost first
  std::vector<std::pair<const json*, const json*>> ref_stack_;
};

std::optional<SchemaDraft> draft_of(const std::string& uri) {
  std::string u = uri;
  if (u.ends_with("#")) u.pop_back();
  if (u == "http://json-schema.org/draft-07/schema" ||
      u == "https://json-schema.org/draft-07/schema") {
    return SchemaDraft::kDraft7;
  }
  if (u == "https://json-schema.org/draft/2020-12/schema" ||
      u == "http://json-schema.org/draft/2020-12/schema") {
    return SchemaDraft::kDraft2020_12;
  }
  return std::nullopt;
}

}  // namespace

std::string_view schema_problem_flag(SchemaProblem problem) {
  switch (problem) {
    case SchemaProblem::kNone:
      return "";
    case SchemaProblem::kInvalid:
      return "json_schema_invalid";
    case SchemaProblem::kUnsupported:
      return "json_schema_unsupported";
    case SchemaProblem::kTooComplex:
      return "json_schema_too_complex";
  }
  return "json_schema_invalid";
}

SchemaLoad load_schema(const nlohmann::json& schema, SchemaDraft default_draft) {
  SchemaLoad out;
  auto compiled = std::make_shared<CompiledSchema>();
  compiled->doc = schema;
  compiled->draft = default_draft;
  try {
    if (schema.is_object() && schema.contains("$schema")) {
      const json& declared = schema["$schema"];
      if (!declared.is_string())
        throw Problem{SchemaProblem::kInvalid, "schema #/$schema: must be a string"};
      const auto draft = draft_of(declared.get<std::string>());
      if (!draft) {
        throw Problem{SchemaProblem::kUnsupported,
                      "schema #/$schema: " + declared.dump() +
                          " is not a supported draft (draft-07 or 2020-12)"};
      }
      compiled->draft = *draft;
    }
    Loader(*compiled).load();
  } catch (const Problem& p) {
    out.problem = p.problem;
    out.reason = p.reason;
    return out;
  } catch (const std::exception& e) {  // a keyword value of the wrong JSON type
    out.problem = SchemaProblem::kInvalid;
    out.reason = std::string("schema: ") + e.what();
    return out;
  }
  out.schema = std::move(compiled);
  return out;
}

SchemaVerdict validate_schema(const CompiledSchema& schema, const nlohmann::json& instance,
                              size_t max_errors) {
  SchemaVerdict verdict;
  Validator v(schema, max_errors);
  try {
    const bool ok = v.check(instance);
    verdict.errors = std::move(v.errors);
    if (!ok && verdict.errors.empty())
      verdict.errors.push_back("<root>: does not match the schema");
  } catch (const Abort& a) {
    verdict.problem = a.problem;
    verdict.reason = a.reason;
    verdict.errors.clear();
  } catch (const std::exception& e) {  // not expected: the loader checked every keyword
    verdict.problem = SchemaProblem::kInvalid;
    verdict.reason = std::string("schema: ") + e.what();
    verdict.errors.clear();
  }
  return verdict;
}

const SchemaLoad& cached_schema(const nlohmann::json& schema) {
  thread_local std::unordered_map<std::string, SchemaLoad> cache;
  std::string key = schema.dump();
  auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(std::move(key), load_schema(schema)).first->second;
}

RFT_BUILTIN(schema_errors) {
  Context& c = Context::from(ctx);
  const SchemaLoad& load = cached_schema(json_of(args[1]));
  if (load.schema == nullptr) {
    c.flag(schema_problem_flag(load.problem));
    *out = rft_none();
    return;
  }
  SchemaVerdict verdict = validate_schema(*load.schema, json_of(args[0]));
  if (verdict.problem != SchemaProblem::kNone) {
    c.flag(schema_problem_flag(verdict.problem));
    *out = rft_none();
    return;
  }
  std::vector<std::string_view> messages;
  for (const std::string& m : verdict.errors) messages.push_back(view(c.copy(m)));
  *out = make_str_list(c, messages);
}

}  // namespace rft::grader
