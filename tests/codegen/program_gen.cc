#include "tests/codegen/program_gen.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <utility>

#include "runtime/grader/builtins.h"

namespace rft::difftest {
namespace {

// ---- types, as the checker sees them ----

struct Ty {
  enum K : uint8_t { kNum, kBool, kStr, kJson, kList, kRegex, kVar };
  K k = kNum;
  bool opt = false;
  std::shared_ptr<const Ty> elem;  // kList only
};

Ty make(Ty::K k, bool opt = false) {
  Ty t;
  t.k = k;
  t.opt = opt;
  return t;
}

Ty list_of(const Ty& e, bool opt = false) {
  Ty t = make(Ty::kList, opt);
  t.elem = std::make_shared<const Ty>(e);
  return t;
}

Ty with_opt(Ty t, bool opt) {
  t.opt = opt;
  return t;
}

Ty strip(const Ty& t) { return with_opt(t, false); }

bool same(const Ty& a, const Ty& b) {
  if (a.k != b.k || a.opt != b.opt) return false;
  return a.k != Ty::kList || same(*a.elem, *b.elem);
}

bool same_base(const Ty& a, const Ty& b) { return same(strip(a), strip(b)); }

bool numeric(const Ty& t) { return t.k == Ty::kNum || t.k == Ty::kBool; }

// types::assignable: T → T?, bool → num (top level only).
bool assignable(const Ty& from, const Ty& to) {
  if (same(from, to)) return true;
  if (to.opt) return assignable(strip(from), strip(to));
  if (from.opt) return false;
  return from.k == Ty::kBool && to.k == Ty::kNum;
}

// The checker's join: the type both branches of an `if` (or two list elements) take.
std::optional<Ty> join(const Ty& a, const Ty& b) {
  if (same(a, b)) return a;
  bool opt = a.opt || b.opt;
  if (same_base(a, b)) return with_opt(strip(a), opt);
  if (numeric(a) && numeric(b)) return make(Ty::kNum, opt);
  return std::nullopt;
}

std::string spell(const Ty& t) {
  std::string s;
  switch (t.k) {
    case Ty::kNum: s = "num"; break;
    case Ty::kBool: s = "bool"; break;
    case Ty::kStr: s = "str"; break;
    case Ty::kJson: s = "json"; break;
    case Ty::kList: s = "list<" + spell(*t.elem) + ">"; break;
    case Ty::kRegex: s = "regex"; break;
    case Ty::kVar: s = "T"; break;
  }
  return t.opt ? s + "?" : s;
}

Ty parse_type(std::string_view s) {
  bool opt = false;
  if (!s.empty() && s.back() == '?') {
    opt = true;
    s.remove_suffix(1);
  }
  if (s.starts_with("list<") && s.ends_with(">")) {
    return list_of(parse_type(s.substr(5, s.size() - 6)), opt);
  }
  if (s == "num") return make(Ty::kNum, opt);
  if (s == "bool") return make(Ty::kBool, opt);
  if (s == "str") return make(Ty::kStr, opt);
  if (s == "json") return make(Ty::kJson, opt);
  if (s == "regex") return make(Ty::kRegex, opt);
  return make(Ty::kVar, opt);  // "T"
}

bool has_var(const Ty& t) {
  return t.k == Ty::kVar || (t.k == Ty::kList && has_var(*t.elem));
}

Ty subst(const Ty& t, const Ty& v) {
  if (t.k == Ty::kVar) return with_opt(v, t.opt || v.opt);
  if (t.k == Ty::kList) return list_of(subst(*t.elem, v), t.opt);
  return t;
}

// ---- builtin signatures, parsed from the runtime's table ----

struct Param {
  std::string name;
  Ty type;
  bool has_default = false;
};

struct Sig {
  std::string text;
  std::string name;
  std::vector<Param> params;
  Ty result;
  bool generic = false;  // uses the type variable T
};

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

const std::vector<Sig>& signatures() {
  static const std::vector<Sig> all = [] {
    std::vector<Sig> out;
    // Code execution starts sandboxed processes: too slow for thousands of random calls, and
    // covered by its own tests.
    const auto code = grader::code_builtins();
    for (const auto& b : grader::builtins()) {
      if (std::any_of(code.begin(), code.end(),
                      [&](const grader::Builtin& c) { return c.symbol == b.symbol; })) {
        continue;
      }
      std::string_view s = b.signature;
      Sig sig;
      sig.text = std::string(s);
      size_t open = s.find('(');
      size_t close = s.rfind(')');
      sig.name = std::string(s.substr(0, open));
      std::string_view params = s.substr(open + 1, close - open - 1);
      // Parameters are separated by ", "; types and default literals hold no commas.
      while (!params.empty()) {
        size_t comma = params.find(", ");
        std::string_view p = comma == std::string_view::npos ? params : params.substr(0, comma);
        params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 2);
        Param param;
        size_t colon = p.find(':');
        param.name = std::string(trim_view(p.substr(0, colon)));
        std::string_view rest = p.substr(colon + 1);
        size_t eq = rest.find(" = ");
        if (eq != std::string_view::npos) {
          param.has_default = true;
          rest = rest.substr(0, eq);
        }
        param.type = parse_type(trim_view(rest));
        sig.generic = sig.generic || has_var(param.type);
        sig.params.push_back(std::move(param));
      }
      size_t arrow = s.find("->", close);
      sig.result = parse_type(trim_view(s.substr(arrow + 2)));
      sig.generic = sig.generic || has_var(sig.result);
      out.push_back(std::move(sig));
    }
    return out;
  }();
  return all;
}

// ---- the standard library's public functions, read from its files ----

struct FnSig {
  std::string name;
  std::vector<Param> params;
  Ty result;
};

struct StdModule {
  std::string dotted;  // "std.math"
  std::string stem;    // "math": the name `import std.math` binds
  std::vector<FnSig> fns;
};

// `fn name(p: T, q: T = default) -> R ...` on one line; functions without a declared result,
// private ones and anything unexpected are left out.
std::optional<FnSig> parse_fn_line(std::string_view line) {
  if (!line.starts_with("fn ")) return std::nullopt;
  size_t open = line.find('(');
  size_t close = line.find(')', open);
  size_t arrow = line.find(") -> ", open);
  if (open == std::string_view::npos || close == std::string_view::npos || arrow != close) {
    return std::nullopt;
  }
  FnSig f;
  f.name = std::string(trim_view(line.substr(3, open - 3)));
  if (f.name.empty() || f.name[0] == '_') return std::nullopt;
  std::string_view params = line.substr(open + 1, close - open - 1);
  while (!params.empty()) {
    size_t comma = params.find(',');
    std::string_view p = trim_view(params.substr(0, comma));
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
    size_t colon = p.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    Param param;
    param.name = std::string(trim_view(p.substr(0, colon)));
    std::string_view type = trim_view(p.substr(colon + 1));
    if (size_t eq = type.find('='); eq != std::string_view::npos) {
      param.has_default = true;
      type = trim_view(type.substr(0, eq));
    }
    param.type = parse_type(type);
    f.params.push_back(std::move(param));
  }
  std::string_view rest = line.substr(close + 5);
  size_t end = rest.find_first_of(" ={");
  f.result = parse_type(trim_view(rest.substr(0, end)));
  if (has_var(f.result)) return std::nullopt;  // not a type we know
  return f;
}

const std::vector<StdModule>& stdlib_modules() {
  static const std::vector<StdModule> all = [] {
    std::vector<StdModule> out;
#ifdef RFT_STDLIB_DIR
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(fs::path(RFT_STDLIB_DIR) / "std", ec)) {
      if (entry.path().extension() == ".reward") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      StdModule m;
      m.stem = file.stem().string();
      m.dotted = "std." + m.stem;
      std::ifstream in(file);
      std::string line;
      while (std::getline(in, line)) {
        if (auto f = parse_fn_line(line)) m.fns.push_back(std::move(*f));
      }
      if (!m.fns.empty()) out.push_back(std::move(m));
    }
#endif
    return out;
  }();
  return all;
}

// ---- literal pools ----

const std::vector<std::string> kNumbers = {
    "0",    "1",     "2",       "3",         "0.5",   "10",   "100",  "1e-3",
    "2.5E+4", "0.1", "1e300",   "7",         "42",    "1234.5678", "9007199254740993",
    "0.30000000000000004", "1e-300", "1e308", "255", "256",  "0.25", "1.5"};

// Text values for string literals (escaped as needed when written).
const std::vector<std::string> kStrings = {
    "",       "a",        "x",        "42",      "yes",      "YES",          "no",
    " ",      "\n",       "\xc3\xa9", "h\xc3\xa9llo w\xc3\xb6rld", "\xe6\x97\xa5\xe6\x9c\xac",
    "\xf0\x9f\x98\x80",   "\\boxed{", "}",       "{",        "answer",       "1,234",
    "-3.5",   "####",     "<answer>", "</answer>", "a.b",    "a.b[0]",       "[0]",
    "name",   "price",    "\"",       "\\",      ",",        "true",         "null",
    "nan",    "inf",      "1e5",      "\t",      "\xc7\x85", "\xc3\x89" "COLE", "\r\n",
    std::string("a\0b", 3), "{\"a\": 1}", "[1, 2, 3]", "[[[]]]", "The answer is 42.",
    "  padded  ", "\\1", "line1\nline2", "aaaa", "\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1"};

// RE2 patterns (no `"`: they are written as raw strings).
const std::vector<std::string> kRegexes = {
    R"(\d+)",          R"((\d+))",           R"([a-z]+)",          R"((?i)yes)",
    R"(\\boxed\{([^}]*)\})", R"(^\s*$)",     R"((a+)+$)",          R"((\w+)\s+(\w+))",
    "",                R"(a*)",              R"(x?)",              R"((?s)<answer>(.*)</answer>)",
    R"((-?\d+(?:\.\d+)?))", R"(\pL+)",       R"(\b)",              "\xc3\xa9+",
    R"((.))",          R"([{}\[\]])",        R"(####\s*([^\n]+))", R"(\x22)",
    R"((?m)^(\w+)$)",  R"([^\x00-\x7f]+)",   R"((a|b)*c)",         R"(\s+)",
    R"((\d)(\d)?)",    R"((?U)a+)",          R"(.)",               R"(\p{Han}+)"};

const std::vector<std::string> kRewrites = {"\\\\1", "\\\\0", "", "x", "\\\\2", "\\\\\\\\",
                                            "<\\\\1>", "$1", "\\\\9"};
const std::vector<std::string> kPaths = {"a", "a.b", "a.b[0]", "[0]", "[\\\"key with spaces\\\"]",
                                         "xs[-1]", "name", "x.y.z", "", "a.b[1].c", "[\\\"a.b\\\"]"};
const std::vector<std::string> kKeys = {"a", "b", "name", "price", "xs", "answer", "k", "n"};
const std::vector<std::string> kQuotedKeys = {"\"key with spaces\"", "\"\xc3\xa9\"", "\"a.b\"",
                                              "\"\""};
const std::vector<std::string> kEnvNames = {"RFT_DIFF_ENV_VAR", "RFT_DIFF_UNSET_VAR"};

struct FieldPool {
  const char* name;
  const char* type;
};
const FieldPool kItemFields[] = {
    {"answer", "str"},         {"score", "num"},      {"ok", "bool"},
    {"meta", "json"},          {"nums", "list<num>"}, {"tags", "list<str>"},
    {"marks", "list<bool>"},   {"hint", "str?"},      {"weight", "num?"},
    {"extra", "json?"},        {"opt_tags", "list<str>?"}, {"docs", "list<json>"},
    {"level", "num"},          {"maybe", "bool?"}};

// ---- writing literals ----

// Decodes one UTF-8 sequence at s[i] (the pools hold valid UTF-8); returns its length.
size_t decode(const std::string& s, size_t i, uint32_t* cp) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  uint32_t c = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
  for (size_t k = 1; k < n && i + k < s.size(); ++k) {
    c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  }
  *cp = c;
  return n;
}

struct Expr {
  enum Form : uint8_t { kOther, kNone, kEmptyList };
  std::string text;
  Ty type;
  bool atomic = true;  // can take a postfix `.x`, `[i]` or be an operand without parentheses
  Form form = kOther;
};

// What a position asks for.
struct Want {
  Ty t;                   // the type; t.opt: an optional is accepted there
  bool none_ok = false;   // checked against an expected type, so a bare `none` is typed
  bool empty_ok = false;  // likewise for `[]`
  bool strict = false;    // a num that may not be a bool (an index)
};

Want want(const Ty& t, bool none_ok = false, bool empty_ok = false) {
  Want w;
  w.t = t;
  w.none_ok = none_ok && t.opt;
  w.empty_ok = empty_ok;
  return w;
}

enum class Place { kConst, kFn, kReward };

struct Var {
  std::string ref;
  Ty type;
};

struct FnInfo {
  std::string name;
  std::vector<Param> params;
  Ty result;
};

struct Scope {
  Place place = Place::kReward;
  std::vector<Var> vars;
  size_t fns = 0;  // user functions [0, fns) may be called
  bool judges = false;
};

std::string wrap(const Expr& e) { return e.atomic ? e.text : "(" + e.text + ")"; }

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  GeneratedProgram run();

 private:
  std::mt19937_64 rng_;
  GeneratedProgram out_;
  std::vector<FnInfo> fns_;
  std::vector<FnInfo> judges_;
  std::vector<FnInfo> imported_;  // `module.fn`, callable from functions and rewards
  std::vector<Var> globals_;  // constants (regex ones included)
  std::vector<Var> item_;

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  }
  void feature(const std::string& f) { ++out_.features[f]; }

  Ty random_type(bool allow_opt);
  Ty random_elem_type();

  std::string string_literal(const std::string& value, bool allow_raw);
  Expr str_lit();
  std::string json_doc_literal();
  Expr num_lit();
  Expr regex_arg(const Scope& s);
  Expr special_arg(const Sig& sig, const Param& p, const Scope& s, bool* used);

  Expr gen(const Want& w, int depth, const Scope& s);
  Expr terminal(const Want& w, int depth, const Scope& s);
  bool fits(const Expr& e, const Want& w) const;
  std::optional<Expr> production(const Want& w, int depth, const Scope& s);

  std::optional<Expr> p_if(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_coalesce(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_builtin(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_call(const Want& w, int depth, const Scope& s, bool judge);
  std::optional<Expr> p_index(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_member(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_arith(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_compare(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_equal(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_logic(const Want& w, int depth, const Scope& s);
  std::optional<Expr> p_is_none(const Want& w, int depth, const Scope& s);
  Expr list_literal(const Want& w, int depth, const Scope& s);
  Expr object_literal(int depth, const Scope& s);

  std::string call_args(const std::vector<Param>& params, const std::vector<bool>& given,
                        const std::vector<std::string>& texts, bool builtin);

  void gen_imports(std::vector<std::string>& decls);
  void gen_item(std::vector<std::string>& decls);
  void gen_constants(std::vector<std::string>& decls);
  void gen_judges(std::vector<std::string>& decls);
  void gen_functions(std::vector<std::string>& decls);
  std::string gen_reward(const std::string& name);
};

Ty Gen::random_type(bool allow_opt) {
  static const double weights[] = {3, 2, 3, 1.5, 1, 1, 0.3, 0.4, 0.15};
  std::discrete_distribution<int> d(std::begin(weights), std::end(weights));
  Ty t;
  switch (d(rng_)) {
    case 0: t = make(Ty::kNum); break;
    case 1: t = make(Ty::kBool); break;
    case 2: t = make(Ty::kStr); break;
    case 3: t = make(Ty::kJson); break;
    case 4: t = list_of(make(Ty::kNum)); break;
    case 5: t = list_of(make(Ty::kStr)); break;
    case 6: t = list_of(make(Ty::kBool)); break;
    case 7: t = list_of(make(Ty::kJson)); break;
    default: t = list_of(list_of(make(Ty::kNum))); break;
  }
  t.opt = allow_opt && chance(0.35);
  return t;
}

Ty Gen::random_elem_type() {
  switch (uniform(0, 5)) {
    case 0: return make(Ty::kNum);
    case 1: return make(Ty::kStr);
    case 2: return make(Ty::kBool);
    case 3: return make(Ty::kJson);
    case 4: return list_of(make(Ty::kNum));
    default: return make(Ty::kStr);
  }
}

// A string literal with the given value, in one of the three forms.
std::string Gen::string_literal(const std::string& value, bool allow_raw) {
  bool raw_ok = allow_raw && value.find_first_of("\"\n\r") == std::string::npos &&
                value.find('\0') == std::string::npos;
  int form = uniform(0, 9);
  if (raw_ok && form <= 1) {
    feature("raw_string");
    return "r\"" + value + "\"";
  }
  bool triple = form == 2;
  bool unicode_escapes = chance(0.3);
  std::string out;
  for (size_t i = 0; i < value.size();) {
    char c = value[i];
    auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) {
      uint32_t cp = 0;
      size_t n = decode(value, i, &cp);
      if (unicode_escapes) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\u{%X}", cp);
        out += buf;
        feature("unicode_escape");
      } else {
        out += value.substr(i, n);
      }
      i += n;
      continue;
    }
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += triple ? "\\u{22}" : "\\\""; break;  // `\""""` would end a triple
      case '\n': out += triple ? "\n" : "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out += c; break;
    }
    ++i;
  }
  if (triple) {
    feature("triple_string");
    if (chance(0.5)) return "\"\"\"\n      " + out + "\n    \"\"\"";
    return "\"\"\"" + out + "\"\"\"";
  }
  return "\"" + out + "\"";
}

// A string literal holding a JSON document (sometimes invalid, sometimes nested too deep).
std::string Gen::json_doc_literal() {
  static const std::vector<std::string> docs = {
      R"("{\"a\": {\"b\": [10, 20]}, \"name\": \"x\", \"price\": 24.99}")",
      R"("[1, 2, 3]")", R"("\"str\"")", R"("null")", R"("{\"a\": 1,}")", R"("true")",
      R"("{\"xs\": [1, \"2\", null], \"key with spaces\": {\"c\": false}}")"};
  if (chance(0.25)) {
    // Nested too deep: json_too_deep, raised wherever (and whenever) this is evaluated.
    feature("deep_json_literal");
    return "\"" + std::string(300, '[') + std::string(300, ']') + "\"";
  }
  return pick(docs);
}

Expr Gen::str_lit() {
  Expr e;
  e.text = string_literal(pick(kStrings), true);
  e.type = make(Ty::kStr);
  return e;
}

Expr Gen::num_lit() {
  Expr e;
  e.text = pick(kNumbers);
  e.type = make(Ty::kNum);
  return e;
}

Expr Gen::regex_arg(const Scope& s) {
  std::vector<const Var*> vars;
  for (const auto& v : s.vars) {
    if (v.type.k == Ty::kRegex) vars.push_back(&v);
  }
  Expr e;
  e.type = make(Ty::kRegex);
  if (!vars.empty() && chance(0.4)) {
    e.text = pick(vars)->ref;
    feature("regex_var");
    return e;
  }
  const std::string& re = pick(kRegexes);
  if (chance(0.15)) {
    // A plain (escaped) string literal becomes a regex too.
    std::string out = "\"";
    for (char c : re) {
      if (c == '\\') out += "\\\\";
      else out += c;
    }
    e.text = out + "\"";
    feature("regex_plain_string");
    return e;
  }
  e.text = "r\"" + re + "\"";
  return e;
}

bool Gen::fits(const Expr& e, const Want& w) const {
  if (w.strict && strip(e.type).k != Ty::kNum && w.t.k == Ty::kNum) return false;
  return assignable(e.type, w.t);
}

Expr Gen::gen(const Want& w, int depth, const Scope& s) {
  // bool counts as num wherever a number is expected.
  if (w.t.k == Ty::kNum && !w.strict && chance(0.07)) {
    Want b = w;
    b.t = make(Ty::kBool, w.t.opt);
    b.empty_ok = false;
    feature("bool_as_num");
    return gen(b, depth, s);
  }
  if (w.t.opt && w.none_ok && chance(0.06)) {
    feature("none");
    Expr e;
    e.text = "none";
    e.type = w.t;
    e.form = Expr::kNone;
    return e;
  }
  if (w.t.k == Ty::kJson && w.t.opt && chance(0.15)) {
    // JSON mostly comes from parsing text: the completion, or a document literal.
    Expr e;
    e.type = make(Ty::kJson, true);
    bool sample = s.place == Place::kReward && chance(0.6);
    e.text = "json(" + (sample ? std::string("completion") : json_doc_literal()) + ")";
    feature("builtin:json(s: str) -> json?");
    if (sample) feature("completion");
    return e;
  }
  if (depth <= 0 || chance(0.12)) return terminal(w, depth, s);
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::optional<Expr> e = production(w, depth, s);
    if (e && fits(*e, w)) return *e;
  }
  return terminal(w, depth, s);
}

Expr Gen::terminal(const Want& w, int depth, const Scope& s) {
  std::vector<const Var*> vars;
  for (const auto& v : s.vars) {
    Expr probe;
    probe.type = v.type;
    if (v.type.k != Ty::kRegex && fits(probe, w)) vars.push_back(&v);
  }
  if (!vars.empty() && chance(0.6)) {
    const Var* v = pick(vars);
    if (v->ref.starts_with("item.")) feature("item_ref");
    Expr e;
    e.text = v->ref;
    e.type = v->type;
    return e;
  }
  Ty t = strip(w.t);
  switch (t.k) {
    case Ty::kNum: return num_lit();
    case Ty::kBool: {
      Expr e;
      e.text = chance(0.5) ? "true" : "false";
      e.type = t;
      return e;
    }
    case Ty::kStr:
      if (s.place == Place::kReward && chance(0.6)) {
        Expr e;
        e.text = chance(0.8) ? "completion" : "prompt";
        feature(e.text);
        e.type = t;
        return e;
      }
      return str_lit();
    case Ty::kJson: return object_literal(std::min(depth, 1), s);
    case Ty::kList:
      if (w.empty_ok && chance(0.3)) {
        feature("empty_list");
        Expr e;
        e.text = "[]";
        e.type = t;
        e.form = Expr::kEmptyList;
        return e;
      }
      return list_literal(w, 0, s);
    default: break;
  }
  return num_lit();
}

Expr Gen::list_literal(const Want& w, int depth, const Scope& s) {
  feature("list_literal");
  Ty list = strip(w.t);
  const Ty& elem = *list.elem;
  // The elements see the list's expected element type only when the list has one.
  Want ew = want(elem, false, w.empty_ok);
  std::vector<Expr> items;
  int n = uniform(1, 4);
  for (int i = 0; i < n; ++i) items.push_back(gen(ew, depth - 1, s));
  auto joined = [&]() -> std::optional<Ty> {
    std::optional<Ty> j = items[0].type;
    for (size_t i = 1; i < items.size() && j; ++i) j = join(*j, items[i].type);
    return j;
  };
  std::optional<Ty> j = joined();
  if (!w.empty_ok && (!j || !same(*j, elem))) {
    // Without an expected type, a list of bools is a list<bool>: make one element a number.
    if (elem.k == Ty::kNum) items[0] = num_lit();
    j = joined();
  }
  Expr e;
  e.text = "[";
  for (size_t i = 0; i < items.size(); ++i) e.text += (i ? ", " : "") + items[i].text;
  e.text += "]";
  e.type = list;
  if (!j || !(same(*j, elem) || (w.empty_ok && assignable(*j, elem)))) {
    e.type = list_of(j ? *j : make(Ty::kNum));  // rejected by fits() unless it happens to fit
  }
  return e;
}

Expr Gen::object_literal(int depth, const Scope& s) {
  feature("object_literal");
  int n = uniform(0, 3);
  std::set<std::string> used;
  std::string text = "{";
  for (int i = 0; i < n; ++i) {
    std::string key = chance(0.75) ? pick(kKeys) : pick(kQuotedKeys);
    if (!used.insert(key).second) continue;
    std::string value;
    if (chance(0.08)) {
      value = "none";
    } else {
      Ty t = random_type(true);
      Expr v = gen(want(t), depth - 1, s);
      value = v.text;
    }
    text += (used.size() > 1 ? ", " : " ") + key + ": " + value;
  }
  text += used.empty() ? "}" : " }";
  Expr e;
  e.text = text;
  e.type = make(Ty::kJson);
  return e;
}

std::optional<Expr> Gen::production(const Want& w, int depth, const Scope& s) {
  Ty t = strip(w.t);
  // name → weight, filtered by what applies to the wanted type.
  std::vector<std::pair<int, double>> options;
  enum { kIf, kCoalesce, kBuiltin, kCall, kJudge, kIndex, kMember, kArith, kNeg, kCompare,
         kEqual, kLogic, kNot, kIsNone, kConcat, kListLit, kObject, kVar };
  bool has_fn = s.fns > 0;
  // Bindings, parameters and item fields, at any depth: rewards are mostly made of them.
  size_t fitting = 0;
  for (const auto& v : s.vars) {
    Expr probe;
    probe.type = v.type;
    if (v.type.k != Ty::kRegex && fits(probe, w)) ++fitting;
  }
  if (fitting > 0) options.push_back({kVar, s.place == Place::kReward ? 3.0 : 1.5});
  options.push_back({kIf, 1});
  options.push_back({kCoalesce, 2});
  options.push_back({kBuiltin, 6});
  if (has_fn || (s.place != Place::kConst && !imported_.empty())) options.push_back({kCall, 2.5});
  if (w.t.opt) options.push_back({kIndex, 1.5});
  switch (t.k) {
    case Ty::kNum:
      options.push_back({kArith, 4});
      options.push_back({kNeg, 0.7});
      if (s.judges && !judges_.empty()) options.push_back({kJudge, 1});
      break;
    case Ty::kBool:
      options.push_back({kCompare, 3});
      options.push_back({kEqual, 2});
      options.push_back({kLogic, 2});
      options.push_back({kNot, 1});
      options.push_back({kIsNone, 2});
      break;
    case Ty::kStr: options.push_back({kConcat, 2}); break;
    case Ty::kJson:
      options.push_back({kObject, 2});
      if (w.t.opt) options.push_back({kMember, 2});
      break;
    case Ty::kList: options.push_back({kListLit, 3}); break;
    default: break;
  }
  std::vector<double> weights;
  for (auto& o : options) weights.push_back(o.second);
  std::discrete_distribution<size_t> d(weights.begin(), weights.end());
  switch (options[d(rng_)].first) {
    case kIf: return p_if(w, depth, s);
    case kCoalesce: return p_coalesce(w, depth, s);
    case kBuiltin: return p_builtin(w, depth, s);
    case kCall: return p_call(w, depth, s, false);
    case kJudge: return p_call(w, depth, s, true);
    case kIndex: return p_index(w, depth, s);
    case kMember: return p_member(w, depth, s);
    case kArith: return p_arith(w, depth, s);
    case kNeg: {
      Expr x = gen(want(make(Ty::kNum, w.t.opt)), depth - 1, s);
      feature("op:neg");
      Expr e;
      e.text = "-" + wrap(x);
      e.type = make(Ty::kNum, x.type.opt);
      e.atomic = false;
      return e;
    }
    case kCompare: return p_compare(w, depth, s);
    case kEqual: return p_equal(w, depth, s);
    case kLogic: return p_logic(w, depth, s);
    case kNot: {
      Expr x = gen(want(make(Ty::kBool, w.t.opt)), depth - 1, s);
      feature("op:not");
      Expr e;
      e.text = "!" + wrap(x);
      e.type = x.type;  // `!none` is none
      e.atomic = false;
      return e;
    }
    case kIsNone: return p_is_none(w, depth, s);
    case kConcat: {
      Expr l = gen(want(make(Ty::kStr, w.t.opt)), depth - 1, s);
      Expr r = gen(want(make(Ty::kStr, w.t.opt)), depth - 1, s);
      feature("op:str+");
      Expr e;
      e.text = wrap(l) + " + " + wrap(r);
      e.type = make(Ty::kStr, l.type.opt || r.type.opt);
      e.atomic = false;
      return e;
    }
    case kListLit: return list_literal(w, depth, s);
    case kObject: return object_literal(depth, s);
    case kVar: {
      std::vector<const Var*> vars;
      for (const auto& v : s.vars) {
        Expr probe;
        probe.type = v.type;
        if (v.type.k != Ty::kRegex && fits(probe, w)) vars.push_back(&v);
      }
      const Var* v = pick(vars);
      if (v->ref.starts_with("item.")) feature("item_ref");
      Expr e;
      e.text = v->ref;
      e.type = v->type;
      return e;
    }
    default: break;
  }
  return std::nullopt;
}

std::optional<Expr> Gen::p_if(const Want& w, int depth, const Scope& s) {
  Expr c = gen(want(make(Ty::kBool, true)), depth - 1, s);
  // The `then` branch is checked without an expected type (a bare `none` there takes the type
  // of the `else`); the `else` is checked against the `then`'s type.
  bool then_none = w.t.opt && chance(0.12);
  Expr t, f;
  if (then_none) {
    f = gen(want(w.t), depth - 1, s);
    t.text = "none";
    t.form = Expr::kNone;
    t.type = with_opt(f.type, true);
    feature("none");
  } else {
    t = gen(want(w.t), depth - 1, s);
    Want fw = want(w.t, true, true);
    if (strip(t.type).k != strip(w.t).k) fw.empty_ok = false;
    f = gen(fw, depth - 1, s);
    if (f.form == Expr::kNone) f.type = with_opt(t.type, true);
    if (f.form == Expr::kEmptyList) f.type = strip(t.type);
  }
  std::optional<Ty> j = join(t.type, f.type);
  if (!j) return std::nullopt;
  feature("if");
  Expr e;
  e.text = "if " + wrap(c) + " then " + wrap(t) + " else " + wrap(f);
  e.type = *j;
  e.atomic = false;
  return e;
}

std::optional<Expr> Gen::p_coalesce(const Want& w, int depth, const Scope& s) {
  Expr l = gen(want(with_opt(w.t, true)), depth - 1, s);
  // The default is checked against the left side's type without its `?`.
  Want rw = want(w.t, true, true);
  if (l.type.k != w.t.k) rw.empty_ok = false;
  Expr r = gen(rw, depth - 1, s);
  if (r.form == Expr::kNone) r.type = with_opt(strip(l.type), true);
  if (r.form == Expr::kEmptyList) r.type = strip(l.type);
  std::optional<Ty> j = join(strip(l.type), r.type);
  if (!j) return std::nullopt;
  feature("op:??");
  Expr e;
  e.text = wrap(l) + " ?? " + wrap(r);
  e.type = *j;
  e.atomic = false;
  return e;
}

// Positional arguments first (a prefix of the parameters), then named ones in any order.
std::string Gen::call_args(const std::vector<Param>& params, const std::vector<bool>& given,
                           const std::vector<std::string>& texts, bool builtin) {
  size_t prefix = 0;
  while (prefix < params.size() && given[prefix]) ++prefix;
  size_t positional = prefix;
  if (prefix > 0 && chance(0.2)) positional = static_cast<size_t>(uniform(0, static_cast<int>(prefix)));
  std::vector<std::string> parts;
  for (size_t i = 0; i < positional; ++i) parts.push_back(texts[i]);
  std::vector<std::string> named;
  for (size_t i = positional; i < params.size(); ++i) {
    if (given[i]) named.push_back(params[i].name + " = " + texts[i]);
  }
  std::shuffle(named.begin(), named.end(), rng_);
  if (!named.empty()) feature(builtin ? "builtin_named_arg" : "named_arg");
  for (auto& n : named) parts.push_back(n);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

// Literal arguments that make builtins do something meaningful more often.
Expr Gen::special_arg(const Sig& sig, const Param& p, const Scope& /*s*/, bool* used) {
  *used = true;
  Expr e;
  e.type = make(Ty::kStr);
  const std::string& n = sig.name;
  if (n == "env" && p.name == "name") {
    e.text = "\"" + pick(kEnvNames) + "\"";
  } else if (n == "get" && p.name == "path" && chance(0.7)) {
    e.text = "\"" + pick(kPaths) + "\"";
  } else if ((n == "json_member" || n == "has") && p.name == "key" && chance(0.6)) {
    e.text = "\"" + pick(kKeys) + "\"";
  } else if (n == "regex_replace" && p.name == "rewrite" && chance(0.7)) {
    e.text = "\"" + pick(kRewrites) + "\"";
  } else if (n == "json" && p.name == "s" && chance(0.6)) {
    e.text = json_doc_literal();
  } else if (n == "capture" && p.name == "group" && chance(0.7)) {
    static const std::vector<std::string> groups = {"0", "1", "2", "3"};
    e.text = pick(groups);
    e.type = make(Ty::kNum);
  } else if (n == "round" && p.name == "digits" && chance(0.7)) {
    static const std::vector<std::string> digits = {"0", "1", "2", "(-1)", "(-2)", "0.5", "400"};
    e.text = pick(digits);
    e.type = make(Ty::kNum);
  } else if ((p.name == "sep" || p.name == "sub" || p.name == "from" || p.name == "prefix" ||
              p.name == "suffix") && p.type.k == Ty::kStr && chance(0.6)) {
    static const std::vector<std::string> seps = {"", " ", ",", "\n", "a", "\xc3\xa9", "42", "ab"};
    e.text = string_literal(pick(seps), true);
  } else {
    *used = false;
  }
  return e;
}

std::optional<Expr> Gen::p_builtin(const Want& w, int depth, const Scope& s) {
  Ty wt = strip(w.t);
  struct Cand {
    const Sig* sig;
    Ty var;
  };
  std::vector<Cand> cands;
  for (const Sig& sig : signatures()) {
    if (sig.name == "env" && !chance(0.15)) continue;
    Ty var = random_elem_type();
    const Ty& r = sig.result;
    if (r.k == Ty::kVar) {
      var = wt;
    } else if (r.k == Ty::kList && r.elem->k == Ty::kVar) {
      if (wt.k != Ty::kList) continue;
      var = *wt.elem;
    } else if (!same_base(r, wt)) {
      continue;
    }
    if (r.opt && !w.t.opt) continue;
    cands.push_back({&sig, var});
  }
  if (cands.empty()) return std::nullopt;
  // The generic list builtins fit every type and would crowd out the rest; extraction (results
  // that may be none), regexes and JSON are what model output exercises most.
  std::vector<double> weights;
  for (const Cand& c : cands) {
    const Sig& g = *c.sig;
    bool regex = false, json = false;
    for (const Param& p : g.params) {
      regex = regex || p.type.k == Ty::kRegex;
      json = json || p.type.k == Ty::kJson;
    }
    double weight = has_var(g.result) ? 0.4 : 1.0;
    if (g.result.opt) weight *= 3;
    if (regex || json) weight *= 2;
    weights.push_back(weight);
  }
  std::discrete_distribution<size_t> choose(weights.begin(), weights.end());
  const Cand& c = cands[choose(rng_)];
  const Sig& sig = *c.sig;
  std::vector<bool> given(sig.params.size(), false);
  std::vector<std::string> texts(sig.params.size());
  bool any_opt = false;
  for (size_t i = 0; i < sig.params.size(); ++i) {
    const Param& p = sig.params[i];
    if (p.has_default && !chance(0.4)) continue;
    given[i] = true;
    Ty pt = subst(p.type, c.var);
    if (pt.k == Ty::kRegex) {
      texts[i] = regex_arg(s).text;
      continue;
    }
    // The list-free fast paths of compiled code: last/first/len of find_all, len of words.
    if ((sig.name == "last" || sig.name == "first" || sig.name == "len") && pt.k == Ty::kList &&
        pt.elem->k == Ty::kStr && chance(0.4)) {
      const std::string subject = s.place == Place::kReward && chance(0.6)
                                      ? std::string("completion")
                                      : wrap(gen(want(make(Ty::kStr)), depth - 1, s));
      texts[i] = sig.name == "len" && chance(0.4)
                     ? "words(" + subject + ")"
                     : "find_all(" + subject + ", " + regex_arg(s).text + ")";
      feature("fast_path");
      continue;
    }
    bool special = false;
    Expr lit = special_arg(sig, p, s, &special);
    if (special) {
      texts[i] = lit.text;
      continue;
    }
    // The text a builtin works on is most often the sample's, in a reward.
    if (p.name == "s" && pt.k == Ty::kStr && s.place == Place::kReward && chance(0.45)) {
      texts[i] = chance(0.85) ? "completion" : "prompt";
      feature(texts[i]);
      continue;
    }
    Want aw = want(with_opt(pt, w.t.opt));  // builtin arguments have no expected type
    if (pt.k == Ty::kList && pt.elem->k == Ty::kNum && !has_var(p.type) && chance(0.1)) {
      // list<bool> passes for list<num> (the conversion applies inside the list).
      aw.t = list_of(make(Ty::kBool), w.t.opt);
      feature("list_bool_as_list_num");
    }
    Expr a = gen(aw, depth - 1, s);
    if (a.type.opt) any_opt = true;
    texts[i] = a.text;
  }
  // Arguments whose names pick another overload would change the result's type; the checker
  // would then disagree with us and the program is dropped, which fits() below cannot see. Named
  // arguments are therefore only used where the name is unique to this overload or harmless.
  std::string args = call_args(sig.params, given, texts, true);
  feature("builtin:" + sig.text);
  if (any_opt) feature("unwrap");
  Expr e;
  e.text = sig.name + "(" + args + ")";
  e.type = subst(sig.result, c.var);
  e.type.opt = e.type.opt || any_opt;
  return e;
}

std::optional<Expr> Gen::p_call(const Want& w, int depth, const Scope& s, bool judge) {
  Ty wt = strip(w.t);
  std::vector<const FnInfo*> cands;
  if (judge) {
    for (const auto& j : judges_) cands.push_back(&j);
  } else {
    auto consider = [&](const FnInfo& f) {
      if (!same_base(f.result, wt) && !(wt.k == Ty::kNum && strip(f.result).k == Ty::kBool)) return;
      if (f.result.opt && !w.t.opt) return;
      cands.push_back(&f);
    };
    for (size_t i = 0; i < s.fns; ++i) consider(fns_[i]);
    if (s.place != Place::kConst) {
      for (const auto& f : imported_) consider(f);
    }
  }
  if (cands.empty()) return std::nullopt;
  const FnInfo& f = *pick(cands);
  std::vector<bool> given(f.params.size(), false);
  std::vector<std::string> texts(f.params.size());
  bool unwrap = false;
  for (size_t i = 0; i < f.params.size(); ++i) {
    const Param& p = f.params[i];
    if (p.has_default && chance(0.5)) continue;
    given[i] = true;
    if (p.type.k == Ty::kRegex) {
      texts[i] = regex_arg(s).text;
      continue;
    }
    // Arguments are checked against the parameter's type: `none` and `[]` are typed.
    Expr a = gen(want(with_opt(p.type, p.type.opt || w.t.opt), true, true), depth - 1, s);
    if (a.type.opt && !p.type.opt) unwrap = true;
    texts[i] = a.text;
  }
  feature(judge ? "judge_call" : f.name.find('.') != std::string::npos ? "module_call" : "fn_call");
  if (unwrap) feature("unwrap_user");
  Expr e;
  e.text = f.name + "(" + call_args(f.params, given, texts, false) + ")";
  e.type = with_opt(f.result, f.result.opt || unwrap);
  return e;
}

std::optional<Expr> Gen::p_index(const Want& w, int depth, const Scope& s) {
  Ty wt = strip(w.t);
  Want iw = want(make(Ty::kNum, true));
  iw.strict = true;
  auto index_text = [&]() {
    static const std::vector<std::string> small = {"0", "1", "2", "-1", "-2", "0.5", "100", "-100"};
    if (chance(0.6)) return pick(small);
    return gen(iw, depth - 1, s).text;
  };
  Expr base;
  std::string index;
  int pickk = uniform(0, 2);
  if (wt.k == Ty::kStr && pickk == 0) {
    base = gen(want(make(Ty::kStr, true)), depth - 1, s);
    index = index_text();
    feature("index_str");
  } else if (wt.k == Ty::kJson && pickk != 2) {
    base = gen(want(make(Ty::kJson, true)), depth - 1, s);
    if (chance(0.5)) {
      index = index_text();
    } else {
      index = string_literal(chance(0.7) ? pick(kKeys) : "key with spaces", false);
    }
    feature("index_json");
  } else {
    base = gen(want(list_of(wt, true)), depth - 1, s);
    index = index_text();
    feature("index_list");
  }
  Expr e;
  e.text = wrap(base) + "[" + index + "]";
  e.type = with_opt(wt, true);
  return e;
}

std::optional<Expr> Gen::p_member(const Want& w, int depth, const Scope& s) {
  (void)w;
  Expr base = gen(want(make(Ty::kJson, true)), depth - 1, s);
  feature("member");
  Expr e;
  e.text = wrap(base) + "." + pick(kKeys);
  e.type = make(Ty::kJson, true);
  return e;
}

std::optional<Expr> Gen::p_arith(const Want& w, int depth, const Scope& s) {
  static const std::vector<std::string> ops = {"+", "-", "*", "/", "%"};
  const std::string& op = pick(ops);
  Expr l = gen(want(make(Ty::kNum, w.t.opt)), depth - 1, s);
  Expr r = gen(want(make(Ty::kNum, w.t.opt)), depth - 1, s);
  feature("op:" + op);
  Expr e;
  e.text = wrap(l) + " " + op + " " + wrap(r);
  e.type = make(Ty::kNum, l.type.opt || r.type.opt);
  e.atomic = false;
  return e;
}

std::optional<Expr> Gen::p_compare(const Want& w, int depth, const Scope& s) {
  (void)w;
  static const std::vector<std::string> ops = {"<", "<=", ">", ">=", "~=", "\xe2\x89\x88"};
  const std::string& op = pick(ops);
  Expr l = gen(want(make(Ty::kNum, true)), depth - 1, s);
  Expr r = gen(want(make(Ty::kNum, true)), depth - 1, s);
  feature("op:" + op);
  Expr e;
  e.text = wrap(l) + " " + op + " " + wrap(r);
  e.type = make(Ty::kBool);
  e.atomic = false;
  return e;
}

std::optional<Expr> Gen::p_equal(const Want& w, int depth, const Scope& s) {
  (void)w;
  Ty t = random_type(false);
  Expr l = gen(want(with_opt(t, true)), depth - 1, s);
  // The right side is checked against the left side's type.
  Want rw = want(with_opt(t, true), false, strip(l.type).k == t.k);
  Expr r = gen(rw, depth - 1, s);
  if (r.form == Expr::kEmptyList) r.type = strip(l.type);
  bool ok = same_base(l.type, r.type) || (numeric(strip(l.type)) && numeric(strip(r.type)));
  if (!ok) return std::nullopt;
  std::string op = chance(0.5) ? "==" : "!=";
  feature("op:" + op);
  Expr e;
  e.text = wrap(l) + " " + op + " " + wrap(r);
  e.type = make(Ty::kBool);
  e.atomic = false;
  return e;
}

std::optional<Expr> Gen::p_logic(const Want& w, int depth, const Scope& s) {
  (void)w;
  std::string op = chance(0.5) ? "&&" : "||";
  Expr l = gen(want(make(Ty::kBool, true)), depth - 1, s);
  Expr r = gen(want(make(Ty::kBool, true)), depth - 1, s);
  feature("op:" + op);
  Expr e;
  e.text = wrap(l) + " " + op + " " + wrap(r);
  e.type = make(Ty::kBool);
  e.atomic = false;
  return e;
}

std::optional<Expr> Gen::p_is_none(const Want& w, int depth, const Scope& s) {
  (void)w;
  // Mostly something that may be none.
  Expr x = gen(want(with_opt(random_type(false), chance(0.8))), depth - 1, s);
  bool negated = chance(0.5);
  feature(negated ? "is_not_none" : "is_none");
  Expr e;
  e.text = wrap(x) + (negated ? " is not none" : " is none");
  e.type = make(Ty::kBool);
  e.atomic = false;
  return e;
}

// ---- declarations ----

void Gen::gen_imports(std::vector<std::string>& decls) {
  const auto& mods = stdlib_modules();
  if (mods.empty() || !chance(0.3)) return;
  std::vector<size_t> idx(mods.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng_);
  int n = uniform(1, std::min<int>(2, static_cast<int>(mods.size())));
  for (int i = 0; i < n; ++i) {
    const StdModule& m = mods[idx[static_cast<size_t>(i)]];
    std::string alias = m.stem;
    if (chance(0.4)) {
      alias = "m" + std::to_string(i);
      decls.push_back("import " + m.dotted + " as " + alias);
      feature("import_as");
    } else {
      decls.push_back("import " + m.dotted);
    }
    for (const auto& f : m.fns) imported_.push_back({alias + "." + f.name, f.params, f.result});
    feature("import");
  }
}

void Gen::gen_item(std::vector<std::string>& decls) {
  if (!chance(0.7)) return;
  std::vector<size_t> idx(std::size(kItemFields));
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng_);
  int n = uniform(1, 5);
  std::string text = "item { ";
  for (int i = 0; i < n; ++i) {
    const FieldPool& f = kItemFields[idx[static_cast<size_t>(i)]];
    out_.item_fields.push_back({f.name, f.type});
    item_.push_back({std::string("item.") + f.name, parse_type(f.type)});
    text += (i ? ", " : "") + std::string(f.name) + ": " + f.type;
    feature(std::string("item_field:") + f.type);
  }
  if (chance(0.3)) text += ",";
  decls.push_back(text + " }");
  feature("item");
}

void Gen::gen_constants(std::vector<std::string>& decls) {
  int regexes = chance(0.25) ? uniform(1, 2) : 0;
  for (int i = 0; i < regexes; ++i) {
    std::string name = "RX" + std::to_string(i);
    decls.push_back("let " + name + ": regex = r\"" + pick(kRegexes) + "\"");
    globals_.push_back({name, make(Ty::kRegex)});
    feature("regex_const");
  }
  int n = uniform(0, 3);
  for (int i = 0; i < n; ++i) {
    Scope s;
    s.place = Place::kConst;
    s.vars = globals_;
    std::string name = "K" + std::to_string(i);
    Ty t = random_type(true);
    if (chance(0.4)) {
      Expr v = gen(want(t, true, true), uniform(1, 3), s);
      decls.push_back("let " + name + ": " + spell(t) + " = " + v.text);
      globals_.push_back({name, t});
      feature("const_typed");
    } else {
      Expr v = gen(want(t), uniform(1, 3), s);
      decls.push_back("let " + name + " = " + v.text);
      globals_.push_back({name, v.type});
      feature("const");
    }
  }
}

void Gen::gen_judges(std::vector<std::string>& decls) {
  if (!chance(0.25)) return;
  int n = uniform(1, 2);
  for (int i = 0; i < n; ++i) {
    FnInfo j;
    j.name = "jg" + std::to_string(i);
    j.result = make(Ty::kNum);
    std::string text = "judge " + j.name;
    std::string prompt = "Rate the reply: {completion}";
    if (chance(0.5)) prompt += " to {prompt}";
    if (!out_.item_fields.empty() && chance(0.4)) {
      prompt += " ref {item." + out_.item_fields[0].name + "}";
    }
    if (chance(0.6)) {
      int np = uniform(1, 2);
      text += "(";
      for (int k = 0; k < np; ++k) {
        Param p;
        p.name = "a" + std::to_string(k);
        p.type = make(k == 0 ? Ty::kStr : Ty::kNum);
        p.has_default = k == 1 && chance(0.5);
        text += (k ? ", " : "") + p.name + ": " + spell(p.type) + (p.has_default ? " = 2" : "");
        prompt += " {" + p.name + "}";
        j.params.push_back(p);
      }
      text += ")";
    }
    text += " {\n  model = \"m\"\n  prompt = \"" + prompt + "\"\n";
    if (chance(0.5)) {
      text += "  scale = 1..10\n";
    } else {
      text += "  labels = { \"yes\": 1, \"partly\": 0.5, \"no\": 0 }\n";
    }
    static const std::vector<std::string> on_error = {"0", "0.25", "0.5", "1"};
    text += "  on_error = " + pick(on_error) + "\n}";
    decls.push_back(text);
    judges_.push_back(j);
    feature("judge");
  }
}

void Gen::gen_functions(std::vector<std::string>& decls) {
  int n = uniform(0, 3);
  for (int i = 0; i < n; ++i) {
    FnInfo f;
    f.name = "f" + std::to_string(i);
    int np = uniform(0, 3);
    bool defaults = false;
    std::string params;
    Scope consts;
    consts.place = Place::kConst;
    consts.vars = globals_;
    for (int k = 0; k < np; ++k) {
      Param p;
      p.name = "p" + std::to_string(k);
      p.type = chance(0.08) ? make(Ty::kRegex) : random_type(true);
      std::string text = p.name + ": " + spell(p.type);
      if (defaults || chance(0.3)) {
        defaults = true;
        p.has_default = true;
        Expr d = p.type.k == Ty::kRegex ? regex_arg(consts) : gen(want(p.type, true, true), 1, consts);
        text += " = " + d.text;
        feature("fn_default");
      }
      params += (k ? ", " : "") + text;
      f.params.push_back(p);
    }
    Scope s;
    s.place = Place::kFn;
    s.vars = globals_;
    for (const auto& p : f.params) s.vars.push_back({p.name, p.type});
    s.fns = static_cast<size_t>(i);
    std::string lets;
    bool block = chance(0.5);
    if (block) {
      int nl = uniform(0, 2);
      for (int k = 0; k < nl; ++k) {
        std::string name = "v" + std::to_string(k);
        Ty t = random_type(true);
        if (chance(0.3)) {
          Expr v = gen(want(t, true, true), uniform(1, 3), s);
          lets += "  let " + name + ": " + spell(t) + " = " + v.text + "\n";
          s.vars.push_back({name, t});
        } else {
          Expr v = gen(want(t), uniform(1, 3), s);
          lets += "  let " + name + " = " + v.text + "\n";
          s.vars.push_back({name, v.type});
        }
      }
      feature("fn_block");
    }
    Ty rt = random_type(true);
    bool declared = chance(0.7);
    Expr body = gen(want(rt, declared, declared), uniform(1, 4), s);
    f.result = declared ? rt : body.type;
    if (!declared) feature("fn_inferred_result");
    std::string text = "fn " + f.name + "(" + params + ")";
    if (declared) text += " -> " + spell(rt);
    if (block) {
      text += " {\n" + lets + "  return " + body.text + "\n}";
    } else {
      text += " = " + body.text;
    }
    decls.push_back(text);
    fns_.push_back(f);
    feature("fn");
  }
}

std::string Gen::gen_reward(const std::string& name) {
  Scope s;
  s.place = Place::kReward;
  s.vars = globals_;
  for (const auto& v : item_) s.vars.push_back(v);
  s.fns = fns_.size();
  s.judges = !judges_.empty();
  std::vector<std::string> stmts;
  int nb = uniform(1, 6);
  int lets = 0, comps = 0;
  for (int i = 0; i < nb; ++i) {
    if (chance(0.45)) {
      std::string n = "l" + std::to_string(lets++);
      Ty t = random_type(true);
      if (chance(0.3)) {
        Expr v = gen(want(t, true, true), uniform(1, 4), s);
        stmts.push_back("let " + n + ": " + spell(t) + " = " + v.text);
        s.vars.push_back({n, t});
        feature("let_typed");
      } else {
        Expr v = gen(want(t), uniform(1, 4), s);
        stmts.push_back("let " + n + " = " + v.text);
        s.vars.push_back({n, v.type});
        feature("let");
      }
    } else {
      std::string n = "c" + std::to_string(comps++);
      bool as_bool = chance(0.3);
      Expr v = gen(want(make(as_bool ? Ty::kBool : Ty::kNum, true)), uniform(1, 4), s);
      std::string text = "component " + n + " = " + v.text;
      if (chance(0.25)) {
        static const std::vector<std::string> bounds = {"0..1", "-1..1", "0..0.5", "0..100",
                                                        "-5..-1", "0..0", "0.25..1e9"};
        text += " in " + pick(bounds);
        feature("component_bounds");
      }
      stmts.push_back(text);
      bool is_bool = strip(v.type).k == Ty::kBool;
      s.vars.push_back({n, make(is_bool ? Ty::kBool : Ty::kNum)});
      feature(is_bool ? "component_bool" : "component");
    }
  }
  // Mostly a weighted sum of components and lets, as rewards are written, so that their
  // evaluation (lazy, gated by judges) is what the total depends on.
  std::vector<std::string> terms;
  if (chance(0.75)) {
    static const std::vector<std::string> weights = {"", "", "0.5 * ", "2 * ", "-1 * ", "0.2 * "};
    for (const auto& v : s.vars) {
      bool binding = (v.ref[0] == 'c' || v.ref[0] == 'l') && std::isdigit(static_cast<unsigned char>(v.ref[1]));
      if (!binding || !numeric(strip(v.type)) || !chance(0.7)) continue;
      std::string ref = v.type.opt && chance(0.5) ? "(" + v.ref + " ?? 0)" : v.ref;
      terms.push_back(pick(weights) + ref);
    }
    feature("total_sum");
  }
  if (terms.empty() || chance(0.4)) {
    terms.push_back(wrap(gen(want(make(Ty::kNum, true)), uniform(1, 4), s)));
  }
  std::string total;
  for (size_t i = 0; i < terms.size(); ++i) total += (i ? " + " : "") + terms[i];
  stmts.push_back("total = " + total);
  // Monitors after the total, which must not read them; a monitor may read any binding, and
  // the monitors before it.
  for (int m = 0, nm = chance(0.4) ? uniform(1, 2) : 0; m < nm; ++m) {
    std::string n = "m" + std::to_string(m);
    Expr v = gen(want(make(chance(0.3) ? Ty::kBool : Ty::kNum, true)), uniform(1, 4), s);
    std::string text = "monitor " + n + " = " + v.text;
    if (chance(0.25)) text += " in 0..1";
    stmts.push_back(text);
    if (m > 0 && std::regex_search(v.text, std::regex(R"(\bm0\b)")))
      feature("monitor_reads_monitor");
    bool is_bool = strip(v.type).k == Ty::kBool;
    s.vars.push_back({n, make(is_bool ? Ty::kBool : Ty::kNum)});
    feature("monitor");
  }
  if (chance(0.4)) {
    static const std::vector<std::string> values = {"-1", "0.5", "-0.25", "0", "3"};
    auto at = stmts.begin() + uniform(0, static_cast<int>(stmts.size()));
    stmts.insert(at, "on_invalid = " + pick(values));
    feature("on_invalid");
  }
  std::string text = "reward " + name + " {\n";
  for (const auto& st : stmts) text += "  " + st + (chance(0.1) ? ";" : "") + "\n";
  return text + "}";
}

GeneratedProgram Gen::run() {
  std::vector<std::string> decls;
  gen_imports(decls);
  gen_item(decls);
  gen_constants(decls);
  gen_judges(decls);
  gen_functions(decls);
  int rewards = chance(0.7) ? 1 : 2;
  for (int i = 0; i < rewards; ++i) {
    std::string name = "r" + std::to_string(i);
    decls.push_back(gen_reward(name));
    out_.rewards.push_back(name);
    feature("reward");
  }
  // Top-level order does not matter.
  if (chance(0.3)) {
    std::shuffle(decls.begin(), decls.end(), rng_);
    feature("shuffled_decls");
  }
  std::string src = "// generated by tests/codegen/program_gen.cc\n";
  for (const auto& d : decls) src += d + "\n\n";
  out_.source = std::move(src);
  return std::move(out_);
}

// ---- inputs ----

class InputGen {
 public:
  explicit InputGen(uint64_t seed) : rng_(seed) {}
  std::vector<GeneratedInput> run(const GeneratedProgram& p, int count, bool allow_huge);

 private:
  std::mt19937_64 rng_;

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  }

  nlohmann::json random_json(int depth);
  nlohmann::json value_of(const Ty& t);
  nlohmann::json wrong_value(const Ty& t);
  std::pair<std::string, std::string> completion(bool simple);
};

const std::vector<std::string> kKeysJson = {"a",  "b", "name", "price", "xs", "answer",
                                            "k",  "n", "key with spaces", "a.b", "c"};

nlohmann::json InputGen::random_json(int depth) {
  int k = uniform(0, depth > 0 ? 7 : 4);
  switch (k) {
    case 0: return nullptr;
    case 1: return chance(0.5);
    case 2: {
      static const std::vector<double> nums = {0, 1, -1, 42, 2.5, 24.99, 1e300, -0.0, 0.1, 10, 20};
      return pick(nums);
    }
    case 3: return pick(kStrings);
    case 4: return std::string("72");
    case 5:
    case 6: {
      nlohmann::json o = nlohmann::json::object();
      int n = uniform(0, 4);
      for (int i = 0; i < n; ++i) o[pick(kKeysJson)] = random_json(depth - 1);
      return o;
    }
    default: {
      nlohmann::json a = nlohmann::json::array();
      int n = uniform(0, 4);
      for (int i = 0; i < n; ++i) a.push_back(random_json(depth - 1));
      return a;
    }
  }
}

nlohmann::json InputGen::value_of(const Ty& t) {
  switch (t.k) {
    case Ty::kNum: {
      static const std::vector<double> nums = {0, 1, -1, 42, 2.5, -3.75, 1e300, 1e-300, 0.1, 100,
                                               -0.0, 7, 72};
      return pick(nums);
    }
    case Ty::kBool: return chance(0.5);
    case Ty::kStr: return pick(kStrings);
    case Ty::kJson: return random_json(3);
    case Ty::kList: {
      nlohmann::json a = nlohmann::json::array();
      int n = uniform(0, 4);
      for (int i = 0; i < n; ++i) a.push_back(value_of(*t.elem));
      return a;
    }
    default: return nullptr;
  }
}

nlohmann::json InputGen::wrong_value(const Ty& t) {
  switch (t.k) {
    case Ty::kNum: return chance(0.5) ? nlohmann::json("42") : nlohmann::json(true);
    case Ty::kBool: return chance(0.5) ? nlohmann::json(1) : nlohmann::json("true");
    case Ty::kStr: return chance(0.5) ? nlohmann::json(42) : nlohmann::json::array({"x"});
    case Ty::kJson: return random_json(2);  // every value is json
    case Ty::kList: {
      if (chance(0.4)) return "1,2";
      nlohmann::json a = nlohmann::json::array();
      a.push_back(value_of(*t.elem));
      a.push_back(wrong_value(*t.elem));
      return a;
    }
    default: return nullptr;
  }
}

std::pair<std::string, std::string> InputGen::completion(bool simple) {
  int kind = uniform(0, simple ? 10 : 13);
  switch (kind) {
    case 0: return {"", "empty"};
    case 1: {
      static const std::vector<std::string> prose = {
          "The answer is 42.", "x = -3.5, y = 1,234 and z = 2e-3", "3-4 and v1.2.3",
          "It costs $24.99.", "1e5 2E-3 -0 0.1 .5 5.", "Sold 1,234,567.89 units at -3 each",
          "yes YES Yes no", "Step 1: add 2 and 2. Step 2: it is 4."};
      return {pick(prose), "prose"};
    }
    case 2: {
      static const std::vector<std::string> boxed = {
          "So the answer is \\boxed{17}.", "\\boxed{\\frac{1}{2}} and \\boxed{3}",
          "\\boxed{}", "\\boxed{1,250}", "\\boxed{ -7 }"};
      return {pick(boxed), "boxed"};
    }
    case 3: {
      nlohmann::json j = random_json(3);
      if (chance(0.6)) {
        j = nlohmann::json::object();
        j["a"] = {{"b", {10, 20}}};
        j["name"] = "Desk lamp";
        j["price"] = 24.99;
        j["xs"] = random_json(2);
      }
      return {j.dump(chance(0.5) ? 2 : -1), "json"};
    }
    case 4: {
      static const std::vector<std::string> bad = {"{\"a\": 1,}", "{", "[1, 2", "{'a': 1}",
                                                   "{\"a\" 1}", "nul", "[1] [2]", "\"unterminated"};
      return {pick(bad), "invalid json"};
    }
    case 5: {
      static const std::vector<int> depths = {255, 256, 257, 300};
      int n = pick(depths);
      if (chance(0.5)) {
        return {std::string(static_cast<size_t>(n), '[') + std::string(static_cast<size_t>(n), ']'),
                "'[' x " + std::to_string(n) + " + ']' x " + std::to_string(n)};
      }
      std::string s;
      for (int i = 0; i < n; ++i) s += "{\"a\":";
      s += "1";
      s += std::string(static_cast<size_t>(n), '}');
      return {s, "'{\"a\":' x " + std::to_string(n) + " + '1' + '}' x " + std::to_string(n)};
    }
    case 6:
      if (chance(0.5)) return {std::string(10000, 'a') + "!", "'a' x 10000 + '!'"};
      return {std::string(3000, '(') + "x" + std::string(2999, ')'), "'(' x 3000 + 'x' + ')' x 2999"};
    case 7: {
      static const std::vector<std::string> bad = {"abc\xff\xfe def 12", "\xc3\x28 caf\xc3",
                                                   "\xe2\x82 ok", "\xed\xa0\x80 surrogate",
                                                   "\xf4\x90\x80\x80 too big", "\xc0\xaf overlong",
                                                   "\x80"};
      return {pick(bad), "invalid utf-8"};
    }
    case 8: {
      static const std::vector<std::string> uni = {
          "h\xc3\xa9llo w\xc3\xb6rld", "\xc3\x89" "COLE \xc3\xa9" "cole", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e 123",
          "\xf0\x9f\x98\x80 smile \xf0\x9f\x91\x8d", "e\xcc\x81 combining", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d rtl",
          "a\xc2\xa0" "b nbsp", "\xc7\x85 titlecase", "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91 \xd0\x9f\xd1\x80\xd0\xb8"};
      return {pick(uni), "unicode"};
    }
    case 9: {
      static const std::vector<std::string> ws = {"  \n\t ", "line1\r\nline2\n\n", "\n", "a\tb  c\n d"};
      return {pick(ws), "white space"};
    }
    case 10: {
      static const std::vector<std::string> ans = {"<answer>Paris</answer>", "#### 72",
                                                   "Answer: yes", "<answer>\n42\n</answer> #### 42",
                                                   "nan", "inf", "-0", "1e999", " 42 ", "1,234"};
      return {pick(ans), "answer"};
    }
    case 11: return {std::string("a\0b 12\0", 7), "nul bytes"};
    default: {
      auto a = completion(true);
      auto b = completion(true);
      return {a.first + (chance(0.5) ? "\n" : " ") + b.first, a.second + " + " + b.second};
    }
  }
}

std::vector<GeneratedInput> InputGen::run(const GeneratedProgram& p, int count, bool allow_huge) {
  static const std::vector<std::string> prompts = {
      "", "What is 6 * 7?", "R\xc3\xa9ponds avec \\boxed{}.", "\xff\xfe bad prompt",
      "line1\nline2", "{\"q\": 1}"};
  std::vector<Ty> types;
  for (const auto& f : p.item_fields) types.push_back(parse_type(f.type));
  std::vector<GeneratedInput> out;
  for (int i = 0; i < count; ++i) {
    GeneratedInput in;
    if (allow_huge && i == count - 1) {
      std::string s;
      s.reserve(1200000);
      while (s.size() < 1100000) s += "word 12 3.5 yes \xc3\xa9t\xc3\xa9 \\boxed{7}\n";
      in.completion = std::move(s);
      in.recipe = "huge: 'word 12 3.5 yes \\xc3\\xa9t\\xc3\\xa9 \\\\boxed{7}\\n' repeated to 1.1 MB";
    } else {
      auto c = completion(false);
      in.completion = std::move(c.first);
      in.recipe = std::move(c.second);
    }
    in.prompt = pick(prompts);
    in.row = nlohmann::json::object();
    for (size_t f = 0; f < types.size(); ++f) {
      int r = uniform(0, 99);
      const std::string& name = p.item_fields[f].name;
      if (r < 75) {
        in.row[name] = value_of(strip(types[f]));
      } else if (r < 83) {
        // missing
      } else if (r < 90) {
        in.row[name] = nullptr;
      } else {
        in.row[name] = wrong_value(strip(types[f]));
      }
    }
    if (chance(0.2)) in.row["unrelated"] = 1;
    // Rarely no row at all (null: the test passes no item), or a row that is not an object.
    if (chance(0.03)) in.row = nullptr;
    if (chance(0.03)) in.row = chance(0.5) ? nlohmann::json::array({1, 2}) : nlohmann::json("answer");
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace

GeneratedProgram generate_program(uint64_t seed) { return Gen(seed).run(); }

std::vector<GeneratedInput> generate_inputs(const GeneratedProgram& program, uint64_t seed, int count,
                                            bool allow_huge) {
  return InputGen(seed).run(program, count, allow_huge);
}

std::vector<std::string> builtin_signatures() {
  std::vector<std::string> out;
  for (const auto& s : signatures()) out.push_back(s.text);
  return out;
}

std::string printable(std::string_view s, size_t max) {
  std::string out = "\"";
  bool hex_before = false;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    bool hex_digit = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    if (hex_before && hex_digit) out += "\"\"";  // end the \x escape
    hex_before = false;
    switch (b) {
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      case '\\': out += "\\\\"; continue;
      case '"': out += "\\\""; continue;
      default: break;
    }
    if (b < 0x20 || b >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
      hex_before = true;
    } else {
      out += static_cast<char>(b);
    }
  }
  out += "\"";
  if (s.size() > max) out += " ... (" + std::to_string(s.size()) + " bytes in all)";
  return out;
}

}  // namespace rft::difftest
