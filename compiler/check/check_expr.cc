// Expressions: names, members, calls (builtin overloads, functions, judges), operators.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "compiler/check/checker_impl.h"
#include "runtime/common/suggest.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/code_lint.h"
#include "runtime/grader/regex.h"

namespace rft::check {

using types::Kind;
using types::Type;

namespace {

std::string quoted(const Type* t) { return "`" + types::to_string(t) + "`"; }

bool is_kind(const Type* t, Kind k) { return types::strip_optional(t)->kind == k; }

const Type* optional_if(bool cond, const Type* t) { return cond ? types::optional_of(t) : t; }

// The value of an expression made only of literals, as the grader sees it in JSON (a whole
// number as an integer); nullopt when any part is computed.
std::optional<nlohmann::json> literal_json(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::kNumber: {
      const double v = e.as<ast::NumberExpr>().value;
      if (std::trunc(v) == v && std::fabs(v) < 9e15) return nlohmann::json(static_cast<int64_t>(v));
      return nlohmann::json(v);
    }
    case ast::ExprKind::kString:
      return nlohmann::json(e.as<ast::StringExpr>().value);
    case ast::ExprKind::kBool:
      return nlohmann::json(e.as<ast::BoolExpr>().value);
    case ast::ExprKind::kNone:
      return nlohmann::json(nullptr);
    case ast::ExprKind::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& x : e.as<ast::ListExpr>().elems) {
        std::optional<nlohmann::json> v = literal_json(*x);
        if (!v) return std::nullopt;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case ast::ExprKind::kObject: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& f : e.as<ast::ObjectExpr>().fields) {
        std::optional<nlohmann::json> v = literal_json(*f.value);
        if (!v) return std::nullopt;
        out[f.key] = std::move(*v);
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

// A parameter of a function whose value becomes the style guide of a lint_code call, directly
// or through the functions it calls, and where that call's language comes from: a literal, or
// another parameter of the function. A literal passed there is checked as lint_code's would be.
struct StyleParam {
  size_t style;
  std::optional<size_t> lang_param;  // the language is this parameter's value...
  std::string lang;                  // ... or this literal (empty: not known)
  bool operator==(const StyleParam&) const = default;
};

using StyleMemo = std::map<const ast::FnDecl*, std::vector<StyleParam>>;

// Each function is walked once per memo: a helper that calls another twice, sixty levels deep,
// costs sixty walks, not 2^60. A function met again while it is being walked (recursion, which
// E0105 refuses elsewhere) contributes nothing.
const std::vector<StyleParam>& style_params(const ast::FnDecl& f, StyleMemo& memo) {
  if (auto it = memo.find(&f); it != memo.end()) return it->second;
  memo[&f];  // in progress
  std::vector<StyleParam> out;
  auto param_index = [&](const ast::Expr* e) -> std::optional<size_t> {
    if (e == nullptr || e->kind != ast::ExprKind::kName) return std::nullopt;
    const auto* p = std::get_if<const ast::Param*>(&e->as<ast::NameExpr>().ref);
    if (p == nullptr) return std::nullopt;
    for (size_t i = 0; i < f.params.size(); ++i) {
      if (&f.params[i] == *p) return i;
    }
    return std::nullopt;
  };
  // Where a call's language argument comes from, seen from `f`.
  auto add = [&](const ast::Expr* style, const ast::Expr* lang) {
    const std::optional<size_t> i = param_index(style);
    if (!i) return;
    StyleParam sp{*i, param_index(lang), ""};
    if (!sp.lang_param && lang != nullptr && lang->kind == ast::ExprKind::kString) {
      sp.lang = lang->as<ast::StringExpr>().value;
    }
    if (std::find(out.begin(), out.end(), sp) == out.end()) out.push_back(sp);
  };
  std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& e) {
    if (e.kind == ast::ExprKind::kCall) {
      const auto& call = e.as<ast::CallExpr>();
      if (const auto* b = std::get_if<const grader::Builtin*>(&call.target)) {
        if ((*b)->symbol == "rft_b_lint_code" && call.bound.size() > 2) {
          add(call.bound[2], call.bound[1]);
        }
      } else if (const auto* g = std::get_if<const ast::FnDecl*>(&call.target)) {
        for (const StyleParam& inner : style_params(**g, memo)) {
          if (inner.style >= call.bound.size()) continue;
          const size_t before = out.size();
          if (inner.lang_param && *inner.lang_param < call.bound.size()) {
            add(call.bound[inner.style], call.bound[*inner.lang_param]);
          } else {
            add(call.bound[inner.style], nullptr);
            if (out.size() > before) out.back().lang = inner.lang;
          }
        }
      }
    }
    ast::for_each_child(e, walk);
  };
  for (const auto& l : f.lets) walk(*l->value);
  if (f.body) walk(*f.body);
  return memo[&f] = std::move(out);
}

// The type both branches of an `if` (or the elements of a list) can take, or null.
const Type* join(const Type* a, const Type* b) {
  if (types::contains_error(a) || types::contains_error(b)) return types::error();
  if (a == b) return a;
  if (a->kind == Kind::kNone) return types::optional_of(b);
  if (b->kind == Kind::kNone) return types::optional_of(a);
  bool opt = types::is_optional(a) || types::is_optional(b);
  const Type* x = types::strip_optional(a);
  const Type* y = types::strip_optional(b);
  if (x == y) return optional_if(opt, x);
  if ((x->kind == Kind::kNum && y->kind == Kind::kBool) ||
      (x->kind == Kind::kBool && y->kind == Kind::kNum)) {
    return optional_if(opt, types::num());
  }
  return nullptr;
}

// Matches an argument type against a parameter type, binding type variables.
bool match(const Type* arg, const Type* param, std::map<char, const Type*>& vars,
           bool literal_string, bool convert) {
  if (types::contains_error(arg)) return true;
  switch (param->kind) {
    case Kind::kVar: {
      auto it = vars.find(param->var);
      if (it == vars.end()) {
        vars[param->var] = arg;
        return true;
      }
      if (types::assignable(arg, it->second)) return true;
      if (types::assignable(it->second, arg)) {
        it->second = arg;
        return true;
      }
      return false;
    }
    case Kind::kList:
      return arg->kind == Kind::kList && match(arg->elem, param->elem, vars, false, convert);
    case Kind::kOptional:
      if (arg->kind == Kind::kNone) return true;
      return match(types::strip_optional(arg), param->elem, vars, literal_string, convert);
    case Kind::kRegex:
      return literal_string || arg->kind == Kind::kRegex;
    default:
      // Without conversions only the exact type fits, so `str(true)` picks `str(b: bool)`
      // before `str(x: num)`.
      return convert ? types::assignable(arg, param) : arg == param;
  }
}

const Type* substitute(const Type* t, const std::map<char, const Type*>& vars) {
  switch (t->kind) {
    case Kind::kVar: {
      auto it = vars.find(t->var);
      return it == vars.end() ? types::error() : it->second;
    }
    case Kind::kList: return types::list_of(substitute(t->elem, vars));
    case Kind::kOptional: return types::optional_of(substitute(t->elem, vars));
    default: return t;
  }
}

ast::ExprPtr literal_expr(const Literal& l, SourceRange at) {
  if (const double* d = std::get_if<double>(&l)) return std::make_unique<ast::NumberExpr>(at, *d);
  if (const bool* b = std::get_if<bool>(&l)) return std::make_unique<ast::BoolExpr>(at, *b);
  return std::make_unique<ast::StringExpr>(at, std::get<std::string>(l));
}

bool is_string_literal(const ast::Expr& e) { return e.kind == ast::ExprKind::kString; }

}  // namespace

// ---- helpers ----

bool Checker::require(const ast::Expr& e, const Type* want, std::string_view what) {
  if (types::assignable(e.type, want)) return true;
  std::string hint;
  if (types::is_optional(e.type) && types::assignable(types::strip_optional(e.type), want)) {
    hint = "it may be none; give a default with `?? value`";
  }
  error(codes::kTypeMismatch, e.range,
        std::string(what) + " must be " + quoted(want) + ", found " + quoted(e.type), hint);
  return false;
}

bool Checker::require_bool(const ast::Expr& e, std::string_view what) {
  // A condition may be `bool?`: none counts as false.
  if (types::contains_error(e.type) || is_kind(e.type, Kind::kBool)) return true;
  std::string hint;
  if (is_kind(e.type, Kind::kNum)) {
    hint = "compare it, as in `x > 0`";
  }
  error(codes::kTypeMismatch, e.range,
        std::string(what) + " must be `bool`, found " + quoted(e.type), hint);
  return false;
}

bool Checker::require_numeric(const ast::Expr& e, std::string_view what) {
  if (types::is_numeric(e.type)) return true;
  std::string hint;
  if (is_kind(e.type, Kind::kStr)) hint = "convert it with `num(...)`, which gives none if it is not a number";
  error(codes::kTypeMismatch, e.range,
        std::string(what) + " must be a number (`num` or `bool`), found " + quoted(e.type), hint);
  return false;
}

std::vector<std::string> Checker::visible_names(const Scope& s) const {
  std::vector<std::string> names;
  for (auto& [n, r] : s.locals) names.push_back(n);
  for (auto& [n, r] : globals_) names.push_back(n);
  if (s.place == Place::kReward || s.place == Place::kExpect) {
    names.push_back("prompt");
    names.push_back("completion");
    names.push_back("truncated");
  }
  for (auto& n : builtin_names()) names.push_back(n);
  return names;
}

ast::Ref Checker::lookup(std::string_view name, const Scope& s, SourceRange at, bool report) {
  auto local = s.locals.find(std::string(name));
  if (local != s.locals.end()) {
    auto* c = std::get_if<const ast::ComponentDecl*>(&local->second);
    if (c == nullptr || !(*c)->monitor || s.reads_monitors) return local->second;
    if (report) {
      error(codes::kNotAllowedHere, at,
            "`" + std::string(name) + "` is a monitor: it is logged, never part of the reward",
            "only monitors and tests read a monitor; compute the value in a `let` both can use");
    }
    return {};
  }
  if (name == "prompt" || name == "completion" || name == "truncated") {
    if (s.place == Place::kReward || s.place == Place::kExpect) {
      return name == "prompt"       ? ast::SampleVar::kPrompt
             : name == "completion" ? ast::SampleVar::kCompletion
                                    : ast::SampleVar::kTruncated;
    }
    if (report) {
      std::string where = s.place == Place::kFunction ? "a function" : "a constant";
      error(codes::kNotAllowedHere, at, "`" + std::string(name) + "` is not visible in " + where,
            s.place == Place::kFunction ? "pass it in as a parameter" : "");
    }
    return {};
  }
  auto global = globals_.find(std::string(name));
  if (global != globals_.end()) return global->second;
  if (report && declared_later(name, s, at)) return {};
  if (report && broken_.count(std::string(name)) == 0) {
    error(codes::kUnknownName, at, "unknown name `" + std::string(name) + "`",
          did_you_mean(name, visible_names(s)));
  }
  return {};
}

bool Checker::declared_later(std::string_view name, const Scope& s, SourceRange at) {
  auto report = [&](SourceRange decl) {
    error(codes::kUseBeforeDef, at, "`" + std::string(name) + "` is used before its definition",
          "bindings are visible after their definition; move this one up");
    diags_.note(decl, "defined here");
    return true;
  };
  auto self = [&](SourceRange decl) {
    if (at.begin < decl.begin || at.begin >= decl.end) return false;
    error(codes::kUseBeforeDef, at, "`" + std::string(name) + "` is used in its own definition");
    return true;
  };
  if (s.reward != nullptr && s.place == Place::kReward) {
    for (const auto& l : s.reward->lets) {
      if (l->name == name) return self(l->range) || report(l->name_range);
    }
    for (const auto* list : {&s.reward->components, &s.reward->monitors}) {
      for (const auto& c : *list) {
        if (c->name == name && self(c->range)) return true;
      }
    }
    for (const auto* list : {&s.reward->components, &s.reward->monitors}) {
      for (const auto& c : *list) {
        if (c->name == name) return report(c->name_range);
      }
    }
  }
  if (s.fn != nullptr) {
    for (const auto& l : s.fn->lets) {
      if (l->name == name) return self(l->range) || report(l->name_range);
    }
  }
  return false;
}

ast::Ref Checker::module_member(const ast::Module& mod, std::string_view name, SourceRange at) {
  auto find = [&]() -> ast::Ref {
    for (auto& f : mod.functions) {
      if (f->name == name) return f.get();
    }
    for (auto& j : mod.judges) {
      if (j->name == name) return j.get();
    }
    for (auto& c : mod.constants) {
      if (c->name == name) return c.get();
    }
    return {};
  };
  ast::Ref r = find();
  if (std::holds_alternative<std::monostate>(r)) {
    std::vector<std::string> names;
    for (auto& f : mod.functions) names.push_back(f->name);
    for (auto& j : mod.judges) names.push_back(j->name);
    for (auto& c : mod.constants) names.push_back(c->name);
    error(codes::kUnknownMember, at, "`" + mod.name + "` has no `" + std::string(name) + "`",
          did_you_mean(name, names));
    return {};
  }
  if (!name.empty() && name[0] == '_') {
    error(codes::kPrivate, at, "`" + std::string(name) + "` is private to `" + mod.name + "`",
          "names starting with `_` are not visible outside their file");
    return {};
  }
  return r;
}

// ---- expressions ----

const Type* Checker::check(ast::Expr& e, Scope& s, const Type* expected) {
  e.type = check_inner(e, s, expected);
  return e.type;
}

const Type* Checker::check_inner(ast::Expr& e, Scope& s, const Type* expected) {
  switch (e.kind) {
    case ast::ExprKind::kNumber: return types::num();
    case ast::ExprKind::kString:
      if (expected != nullptr && is_kind(expected, Kind::kRegex)) {
        return check_regex_literal(e.as<ast::StringExpr>());
      }
      return types::str();
    case ast::ExprKind::kBool: return types::boolean();
    case ast::ExprKind::kNone:
      return expected != nullptr ? types::optional_of(expected) : types::none();
    case ast::ExprKind::kList: return check_list(e.as<ast::ListExpr>(), s, expected);
    case ast::ExprKind::kObject: return check_object(e.as<ast::ObjectExpr>(), s);
    case ast::ExprKind::kName: return check_name(e.as<ast::NameExpr>(), s);
    case ast::ExprKind::kItem:
      error(codes::kNotAllowedHere, e.range, "`item` is used through its fields",
            "write `item.field`");
      return types::error();
    case ast::ExprKind::kTotal:
      if (s.place != Place::kExpect) {
        error(codes::kNotAllowedHere, e.range, "`total` can only be read in a test's `expect`",
              "to reuse a value, bind it with `let` and use that in `total`");
        return types::error();
      }
      return types::num();
    case ast::ExprKind::kMember: return check_member(e.as<ast::MemberExpr>(), s);
    case ast::ExprKind::kIndex: return check_index(e.as<ast::IndexExpr>(), s);
    case ast::ExprKind::kCall: return check_call(e.as<ast::CallExpr>(), s);
    case ast::ExprKind::kUnary: return check_unary(e.as<ast::UnaryExpr>(), s);
    case ast::ExprKind::kBinary: return check_binary(e.as<ast::BinaryExpr>(), s);
    case ast::ExprKind::kIf: return check_if(e.as<ast::IfExpr>(), s);
    case ast::ExprKind::kIsNone: {
      auto& n = e.as<ast::IsNoneExpr>();
      check(*n.operand, s);
      return types::boolean();
    }
  }
  return types::error();
}

const Type* Checker::check_regex_literal(ast::StringExpr& e) {
  e.is_regex = true;
  if (Expected<std::unique_ptr<re2::RE2>> re = grader::compile_regex(e.value); !re) {
    error(codes::kBadRegex, e.range, "invalid regex: " + re.error(),
          "rft uses RE2 syntax (no backreferences or lookaround)");
    return types::error();
  }
  return types::regex();
}

const Type* Checker::check_name(ast::NameExpr& e, Scope& s) {
  bool is_builtin = !builtin_overloads(e.name).empty();
  ast::Ref ref = lookup(e.name, s, e.range, !is_builtin);
  e.ref = ref;
  if (is_builtin && std::holds_alternative<std::monostate>(ref)) {
    error(codes::kTypeMismatch, e.range, "`" + e.name + "` is a builtin function; call it",
          "write `" + e.name + "(...)`");
    return types::error();
  }
  if (auto* let = std::get_if<const ast::LetDecl*>(&ref)) {
    auto* l = const_cast<ast::LetDecl*>(*let);
    l->used = true;
    bool global = std::any_of(m_.constants.begin(), m_.constants.end(),
                              [&](auto& c) { return c.get() == l; });
    if (global) {
      check_constant(*l);
    } else if (s.place != Place::kExpect) {
      if (e.range.begin >= l->range.begin && e.range.begin < l->range.end) {
        error(codes::kUseBeforeDef, e.range, "`" + e.name + "` is used in its own definition");
        return types::error();
      }
      if (l->range.begin > e.range.begin) {
        error(codes::kUseBeforeDef, e.range, "`" + e.name + "` is used before its definition");
        diags_.note(l->name_range, "defined here");
        return types::error();
      }
    }
    return l->type != nullptr ? l->type : types::error();
  }
  if (auto* comp = std::get_if<const ast::ComponentDecl*>(&ref)) {
    auto* c = const_cast<ast::ComponentDecl*>(*comp);
    c->used = true;
    if (s.place != Place::kExpect && c->range.begin > e.range.begin) {
      error(codes::kUseBeforeDef, e.range, "`" + e.name + "` is used before its definition");
      return types::error();
    }
    if (s.place != Place::kExpect && e.range.begin >= c->range.begin && e.range.begin < c->range.end) {
      error(codes::kUseBeforeDef, e.range, "`" + e.name + "` is used in its own definition");
      return types::error();
    }
    // A component is a number (none becomes 0 with a flag); one defined by a condition stays
    // usable as a condition, as in `if safe then ...`.
    return c->type != nullptr && types::strip_optional(c->type)->kind == Kind::kBool
               ? types::boolean()
               : types::num();
  }
  if (auto* p = std::get_if<const ast::Param*>(&ref)) {
    const_cast<ast::Param*>(*p)->used = true;
    return (*p)->type != nullptr ? (*p)->type : types::error();
  }
  if (auto* sv = std::get_if<ast::SampleVar>(&ref)) {
    return *sv == ast::SampleVar::kTruncated ? types::boolean() : types::str();
  }
  if (std::holds_alternative<const ast::FnDecl*>(ref) ||
      std::holds_alternative<const ast::JudgeDecl*>(ref)) {
    error(codes::kTypeMismatch, e.range, "`" + e.name + "` is a function; call it",
          "write `" + e.name + "(...)`");
    return types::error();
  }
  if (std::holds_alternative<const ast::Module*>(ref)) {
    error(codes::kTypeMismatch, e.range, "`" + e.name + "` is a module",
          "use one of its members, as in `" + e.name + ".name`");
    return types::error();
  }
  return types::error();
}

const Type* Checker::check_member(ast::MemberExpr& e, Scope& s) {
  if (e.base->kind == ast::ExprKind::kItem) {
    e.base->type = types::item();
    if (s.place != Place::kReward && s.place != Place::kExpect) {
      error(codes::kNotAllowedHere, e.base->range,
            "`item` is not visible here", "pass the field in as a parameter");
      return types::error();
    }
    if (!m_.item) {
      error(codes::kNoItemDecl, e.range, "this file declares no `item` fields",
            "declare the fields each dataset row has, as in `item { " + e.member + ": str }`");
      return types::error();
    }
    const ast::ItemField* f = m_.item->find(e.member);
    if (f == nullptr) {
      std::vector<std::string> names;
      for (auto& fld : m_.item->fields) names.push_back(fld.name);
      std::string hint = did_you_mean(e.member, names);
      if (hint.empty()) hint = "add `" + e.member + ": str` (or its type) to the `item` declaration";
      error(codes::kUnknownItemField, e.member_range, "unknown item field `" + e.member + "`",
            hint);
      return types::error();
    }
    const_cast<ast::ItemField*>(f)->used = true;
    e.ref = f;
    return f->type;
  }
  if (e.base->kind == ast::ExprKind::kName) {
    auto& base = e.base->as<ast::NameExpr>();
    ast::Ref r = lookup(base.name, s, base.range, false);
    if (auto* mod = std::get_if<const ast::Module*>(&r)) {
      base.ref = r;
      base.type = types::error();
      for (auto& imp : m_.imports) {
        if (imp.module == *mod) imp.used = true;
      }
      ast::Ref member = module_member(**mod, e.member, e.member_range);
      e.ref = member;
      if (auto* c = std::get_if<const ast::LetDecl*>(&member)) return (*c)->type;
      if (!std::holds_alternative<std::monostate>(member)) {
        error(codes::kTypeMismatch, e.range, "`" + e.member + "` is a function; call it");
      }
      return types::error();
    }
  }
  const Type* base = check(*e.base, s);
  if (types::contains_error(base)) return types::error();
  if (is_kind(base, Kind::kJson)) return types::optional_of(types::json());
  error(codes::kUnknownMember, e.member_range,
        "a value of type " + quoted(base) + " has no members",
        is_kind(base, Kind::kStr) ? "parse it first with `json(...)`" : "");
  return types::error();
}

const Type* Checker::check_index(ast::IndexExpr& e, Scope& s) {
  const Type* base = check(*e.base, s);
  const Type* index = check(*e.index, s);
  if (types::contains_error(base) || types::contains_error(index)) return types::error();
  const Type* b = types::strip_optional(base);
  if (b->kind == Kind::kJson) {
    if (!is_kind(index, Kind::kNum) && !is_kind(index, Kind::kStr)) {
      error(codes::kTypeMismatch, e.index->range,
            "a json value is indexed by a number or a string, found " + quoted(index));
      return types::error();
    }
    return types::optional_of(types::json());
  }
  if (b->kind != Kind::kList && b->kind != Kind::kStr) {
    error(codes::kTypeMismatch, e.base->range, "a value of type " + quoted(base) +
                                                   " cannot be indexed");
    return types::error();
  }
  if (!is_kind(index, Kind::kNum)) {
    error(codes::kTypeMismatch, e.index->range, "an index must be `num`, found " + quoted(index));
    return types::error();
  }
  // Out of range (or not a whole number) gives none, so the result is always optional.
  return types::optional_of(b->kind == Kind::kList ? b->elem : types::str());
}

const Type* Checker::check_call(ast::CallExpr& e, Scope& s) {
  std::string name;
  ast::Ref target;
  if (e.callee->kind == ast::ExprKind::kName) {
    auto& n = e.callee->as<ast::NameExpr>();
    name = n.name;
    bool is_builtin = !builtin_overloads(name).empty();
    target = lookup(name, s, n.range, !is_builtin);
    n.ref = target;
    if (std::holds_alternative<std::monostate>(target)) {
      if (is_builtin) return check_builtin_call(e, s, name);
      for (auto& a : e.args) check(*a.value, s);
      return types::error();
    }
  } else if (e.callee->kind == ast::ExprKind::kMember &&
             e.callee->as<ast::MemberExpr>().base->kind == ast::ExprKind::kName) {
    auto& mem = e.callee->as<ast::MemberExpr>();
    auto& base = mem.base->as<ast::NameExpr>();
    ast::Ref r = lookup(base.name, s, base.range, true);
    base.ref = r;
    if (auto* mod = std::get_if<const ast::Module*>(&r)) {
      for (auto& imp : m_.imports) {
        if (imp.module == *mod) imp.used = true;
      }
      name = base.name + "." + mem.member;
      target = module_member(**mod, mem.member, mem.member_range);
      mem.ref = target;
      if (std::holds_alternative<std::monostate>(target)) {
        for (auto& a : e.args) check(*a.value, s);
        return types::error();
      }
    } else {
      auto global = globals_.find(base.name);
      if (global != globals_.end() && std::holds_alternative<const ast::Module*>(global->second)) {
        error(codes::kNotCallable, e.callee->range,
              "`" + base.name + "` here is a local binding, which hides the module `" +
                  base.name + "`",
              "rename the binding, or import the module under another name with `as`");
      } else if (!std::holds_alternative<std::monostate>(r)) {
        error(codes::kNotCallable, e.callee->range, "this is not a function",
              "methods do not exist; call `f(x)` rather than `x.f()`");
      }
      for (auto& a : e.args) check(*a.value, s);
      return types::error();
    }
  } else {
    check(*e.callee, s);
    error(codes::kNotCallable, e.callee->range, "this is not a function");
    for (auto& a : e.args) check(*a.value, s);
    return types::error();
  }

  if (auto* fn = std::get_if<const ast::FnDecl*>(&target)) {
    auto* f = const_cast<ast::FnDecl*>(*fn);
    f->used = true;
    e.target = *fn;
    // Functions of this module are checked on demand; imported ones were checked with theirs.
    bool local = std::any_of(m_.functions.begin(), m_.functions.end(),
                             [&](const auto& g) { return g.get() == f; });
    if (local && state_[f] != State::kDone) check_function(*f);
    const Type* t = check_user_call(e, s, name, f->params, f->result ? f->result : types::error());
    if (e.bound.size() == f->params.size()) {
      StyleMemo memo;
      for (const StyleParam& sp : style_params(*f, memo)) {
        std::string lang = sp.lang;
        if (sp.lang_param) {
          const ast::Expr* l = e.bound[*sp.lang_param];
          lang = l != nullptr && l->kind == ast::ExprKind::kString
                     ? l->as<ast::StringExpr>().value
                     : std::string();
        }
        check_style_literal(e.bound[sp.style], lang);
      }
    }
    return t;
  }
  if (auto* jd = std::get_if<const ast::JudgeDecl*>(&target)) {
    auto* j = const_cast<ast::JudgeDecl*>(*jd);
    j->used = true;
    e.target = *jd;
    if (s.place != Place::kReward) {
      error(codes::kNotAllowedHere, e.range, "a judge can only be called in a reward",
            "call it from a `component` or `let` in a reward block");
      return types::error();
    }
    auto& used = s.reward->judges_used;
    if (std::find(used.begin(), used.end(), j) == used.end()) used.push_back(j);
    // Its template's {item.field} placeholders must exist in this spec's item.
    const std::string& t = j->prompt_template;
    for (size_t i = t.find("{item."); i != std::string::npos; i = t.find("{item.", i + 1)) {
      size_t close = t.find('}', i);
      if (close == std::string::npos) break;
      std::string field = t.substr(i + 6, close - i - 6);
      const ast::ItemField* f = m_.item ? m_.item->find(field) : nullptr;
      if (f == nullptr) {
        error(codes::kUnknownItemField, e.range,
              "judge `" + j->name + "` reads `{item." + field + "}`, but `" + field +
                  "` is not an item field of this spec");
      } else {
        const_cast<ast::ItemField*>(f)->used = true;
      }
    }
    return check_user_call(e, s, name, j->params, types::num());
  }
  error(codes::kNotCallable, e.callee->range, "`" + name + "` is not a function");
  for (auto& a : e.args) check(*a.value, s);
  return types::error();
}

void Checker::check_style_literal(const ast::Expr* style, const std::string& lang) {
  // A style guide written as a literal is checked now: an unknown rule is a check error, not a
  // flag on every row. Where the language is not a literal, a rule of any language counts.
  if (style == nullptr) return;
  if (std::optional<nlohmann::json> guide = literal_json(*style)) {
    // "c++", "py", "bash": the name lint_code knows it by (an unknown one: any language).
    const std::string known = grader::lint_language(lang);
    if (std::string why = grader::lint_style_problem(known, *guide); !why.empty()) {
      error(codes::kBadStyle, style->range, "bad style guide: " + why);
    }
  }
}

const Type* Checker::check_user_call(ast::CallExpr& e, Scope& s, std::string_view name,
                                     std::vector<ast::Param>& params, const Type* result) {
  std::vector<const ast::Expr*> bound(params.size(), nullptr);
  std::vector<bool> unwrap(params.size(), false);
  bool ok = true;
  size_t positional = 0;
  for (auto& a : e.args) {
    size_t idx = params.size();
    if (a.name.empty()) {
      idx = positional++;
      if (idx >= params.size()) {
        error(codes::kBadCall, a.value->range,
              "`" + std::string(name) + "` takes " + std::to_string(params.size()) +
                  " argument" + (params.size() == 1 ? "" : "s"));
        check(*a.value, s);
        ok = false;
        continue;
      }
    } else {
      for (size_t i = 0; i < params.size(); ++i) {
        if (params[i].name == a.name) idx = i;
      }
      if (idx == params.size()) {
        std::vector<std::string> names;
        for (auto& p : params) names.push_back(p.name);
        error(codes::kBadCall, a.name_range,
              "`" + std::string(name) + "` has no parameter `" + a.name + "`",
              did_you_mean(a.name, names));
        check(*a.value, s);
        ok = false;
        continue;
      }
    }
    if (bound[idx] != nullptr) {
      error(codes::kBadCall, a.value->range, "parameter `" + params[idx].name + "` is given twice");
      ok = false;
      continue;
    }
    const Type* want = params[idx].type ? params[idx].type : types::error();
    const Type* got = check(*a.value, s, want);
    bound[idx] = a.value.get();
    if (!types::assignable(got, want)) {
      if (types::is_optional(got) && types::assignable(types::strip_optional(got), want)) {
        unwrap[idx] = true;  // none propagates: the call is skipped and yields none
      } else {
        require(*a.value, want, "argument `" + params[idx].name + "`");
        ok = false;
      }
    }
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (bound[i] != nullptr) continue;
    if (params[i].default_value) {
      bound[i] = params[i].default_value.get();
    } else {
      error(codes::kBadCall, e.range,
            "missing argument `" + params[i].name + "` in the call to `" + std::string(name) + "`");
      ok = false;
    }
  }
  if (!ok) return types::error();
  e.bound = std::move(bound);
  e.param_types.clear();
  for (auto& p : params) e.param_types.push_back(p.type ? p.type : types::error());
  bool any_unwrap = std::find(unwrap.begin(), unwrap.end(), true) != unwrap.end();
  e.unwrap = std::move(unwrap);
  return optional_if(any_unwrap, result);
}

const Type* Checker::check_builtin_call(ast::CallExpr& e, Scope& s, std::string_view name) {
  std::vector<const Signature*> overloads = builtin_overloads(name);
  std::vector<const Type*> arg_types;
  bool any_error = false;
  for (auto& a : e.args) {
    const Type* t = check(*a.value, s);
    any_error = any_error || types::contains_error(t);
    arg_types.push_back(t);
  }
  struct Candidate {
    const Signature* sig;
    std::vector<int> param_of_arg;
  };
  std::vector<Candidate> arity_ok;
  for (const Signature* sig : overloads) {
    Candidate c{sig, {}};
    std::vector<bool> given(sig->params.size(), false);
    size_t positional = 0;
    bool ok = true;
    for (auto& a : e.args) {
      size_t idx = sig->params.size();
      if (a.name.empty()) {
        idx = positional++;
      } else {
        for (size_t i = 0; i < sig->params.size(); ++i) {
          if (sig->params[i].name == a.name) idx = i;
        }
      }
      if (idx >= sig->params.size() || given[idx]) {
        ok = false;
        break;
      }
      given[idx] = true;
      c.param_of_arg.push_back(static_cast<int>(idx));
    }
    for (size_t i = 0; ok && i < sig->params.size(); ++i) {
      if (!given[i] && !sig->params[i].default_value) ok = false;
    }
    if (ok) arity_ok.push_back(std::move(c));
  }
  auto signatures_hint = [&] {
    std::string hint = overloads.size() == 1 ? "it is " : "its forms are ";
    for (size_t i = 0; i < overloads.size(); ++i) {
      if (i > 0) hint += "; ";
      hint += "`" + overloads[i]->to_string() + "`";
    }
    return hint;
  };
  if (arity_ok.empty()) {
    error(codes::kBadCall, e.range, "wrong arguments for `" + std::string(name) + "`",
          signatures_hint());
    return types::error();
  }
  if (any_error) return types::error();
  // Two rounds: exact argument types first, then with the implicit conversions.
  for (int round = 0; round < 2; ++round)
  for (const Candidate& c : arity_ok) {
    std::map<char, const Type*> vars;
    std::vector<bool> unwrap(c.sig->params.size(), false);
    bool ok = true;
    for (size_t a = 0; a < e.args.size() && ok; ++a) {
      const Type* param = c.sig->params[c.param_of_arg[a]].type;
      const Type* got = arg_types[a];
      bool literal = is_string_literal(*e.args[a].value);
      if (!types::is_optional(param) && types::is_optional(got)) {
        unwrap[c.param_of_arg[a]] = true;
        got = types::strip_optional(got);
      }
      ok = match(got, param, vars, literal, /*convert=*/round == 1);
    }
    if (!ok) continue;
    // The overload fits: fill in defaults, turn literal strings into regexes where expected.
    e.target = c.sig->builtin;
    e.bound.assign(c.sig->params.size(), nullptr);
    for (size_t a = 0; a < e.args.size(); ++a) {
      int p = c.param_of_arg[a];
      ast::Expr& v = *e.args[a].value;
      if (is_kind(c.sig->params[p].type, Kind::kRegex) && is_string_literal(v)) {
        v.type = check_regex_literal(v.as<ast::StringExpr>());
      }
      e.bound[p] = &v;
    }
    if (c.sig->builtin->symbol == "rft_b_lint_code") {
      const ast::Expr* lang = e.bound[1];
      check_style_literal(e.bound[2], lang != nullptr && lang->kind == ast::ExprKind::kString
                                          ? lang->as<ast::StringExpr>().value
                                          : std::string());
    }
    for (size_t p = 0; p < c.sig->params.size(); ++p) {
      if (e.bound[p] != nullptr) continue;
      e.owned_defaults.push_back(literal_expr(*c.sig->params[p].default_value, e.range));
      ast::Expr& d = *e.owned_defaults.back();
      d.type = check(d, s);
      e.bound[p] = &d;
    }
    e.param_types.clear();
    for (auto& p : c.sig->params) e.param_types.push_back(substitute(p.type, vars));
    bool any_unwrap = std::find(unwrap.begin(), unwrap.end(), true) != unwrap.end();
    e.unwrap = std::move(unwrap);
    const Type* result = substitute(c.sig->result, vars);
    return optional_if(any_unwrap, result);
  }
  std::string found;
  for (size_t i = 0; i < arg_types.size(); ++i) {
    if (i > 0) found += ", ";
    found += types::to_string(arg_types[i]);
  }
  error(codes::kBadCall, e.range,
        "no form of `" + std::string(name) + "` takes (" + found + ")", signatures_hint());
  return types::error();
}

const Type* Checker::check_unary(ast::UnaryExpr& e, Scope& s) {
  const Type* t = check(*e.operand, s);
  if (types::contains_error(t)) return types::error();
  if (e.op == ast::UnaryOp::kNot) {
    // `!none` is none: negating a missing fact does not make it true.
    return require_bool(*e.operand, "the operand of `!`") ? t : types::error();
  }
  if (!require_numeric(*e.operand, "the operand of `-`")) return types::error();
  return optional_if(types::is_optional(t), types::num());
}

const Type* Checker::check_binary(ast::BinaryExpr& e, Scope& s) {
  using ast::BinaryOp;
  if (ast::is_comparison(e.op)) {
    for (ast::Expr* side : {e.lhs.get(), e.rhs.get()}) {
      if (side->kind == ast::ExprKind::kBinary && !side->parenthesized &&
          ast::is_comparison(side->as<ast::BinaryExpr>().op)) {
        error(codes::kChainedComparison, e.range, "comparisons cannot be chained",
              "write `a < b && b < c`");
        return types::error();
      }
    }
  }
  if (e.op == BinaryOp::kCoalesce) {
    const Type* l = check(*e.lhs, s);
    const Type* r = check(*e.rhs, s, types::strip_optional(l));
    if (types::contains_error(l) || types::contains_error(r)) return types::error();
    const Type* joined = join(types::strip_optional(l), r);
    if (joined == nullptr) {
      error(codes::kTypeMismatch, e.rhs->range,
            "the default must be " + quoted(types::strip_optional(l)) + ", found " + quoted(r));
      return types::error();
    }
    return joined;
  }
  const Type* l = check(*e.lhs, s);
  const Type* r = check(*e.rhs, s, l->kind == Kind::kNone ? nullptr : l);
  if (types::contains_error(l) || types::contains_error(r)) return types::error();
  bool opt = types::is_optional(l) || types::is_optional(r);
  std::string op = std::string("`") + ast::spelling(e.op) + "`";
  switch (e.op) {
    case BinaryOp::kAnd:
    case BinaryOp::kOr: {
      bool ok = require_bool(*e.lhs, "the left side of " + op);
      ok = require_bool(*e.rhs, "the right side of " + op) && ok;
      return ok ? types::boolean() : types::error();
    }
    case BinaryOp::kAdd:
      if (is_kind(l, Kind::kStr) && is_kind(r, Kind::kStr)) return optional_if(opt, types::str());
      [[fallthrough]];
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod: {
      bool ok = require_numeric(*e.lhs, "the left side of " + op);
      ok = require_numeric(*e.rhs, "the right side of " + op) && ok;
      return ok ? optional_if(opt, types::num()) : types::error();
    }
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
    case BinaryOp::kApprox: {
      bool ok = require_numeric(*e.lhs, "the left side of " + op);
      ok = require_numeric(*e.rhs, "the right side of " + op) && ok;
      return ok ? types::boolean() : types::error();
    }
    case BinaryOp::kEq:
    case BinaryOp::kNe: {
      if (e.lhs->kind == ast::ExprKind::kNone || e.rhs->kind == ast::ExprKind::kNone) {
        error(codes::kCompareNone, e.range, "comparing with `none` is always false",
              e.op == BinaryOp::kEq ? "write `x is none`" : "write `x is not none`");
        return types::error();
      }
      const Type* lb = types::strip_optional(l);
      const Type* rb = types::strip_optional(r);
      bool numeric = types::is_numeric(lb) && types::is_numeric(rb);
      if (lb != rb && !numeric) {
        error(codes::kTypeMismatch, e.range,
              "cannot compare " + quoted(l) + " with " + quoted(r),
              is_kind(l, Kind::kStr) || is_kind(r, Kind::kStr)
                  ? "convert with `num(...)` or `str(...)` first"
                  : "");
        return types::error();
      }
      if (lb->kind == Kind::kRegex) {
        error(codes::kTypeMismatch, e.range, "regexes cannot be compared");
        return types::error();
      }
      return types::boolean();
    }
    case BinaryOp::kCoalesce: break;
  }
  return types::error();
}

const Type* Checker::check_if(ast::IfExpr& e, Scope& s) {
  check(*e.cond, s, types::boolean());
  bool cond_ok = require_bool(*e.cond, "the condition of `if`");
  const Type* t = check(*e.then_expr, s);
  const Type* f = check(*e.else_expr, s, t->kind == Kind::kNone ? nullptr : t);
  if (t->kind == Kind::kNone && f->kind != Kind::kNone) {
    t = check(*e.then_expr, s, f);
  }
  if (!cond_ok) return types::error();
  const Type* joined = join(t, f);
  if (joined == nullptr) {
    error(codes::kTypeMismatch, e.range,
          "the branches of `if` have different types: " + quoted(t) + " and " + quoted(f));
    return types::error();
  }
  return joined;
}

const Type* Checker::check_list(ast::ListExpr& e, Scope& s, const Type* expected) {
  const Type* want_elem = nullptr;
  if (expected != nullptr && is_kind(expected, Kind::kList)) {
    want_elem = types::strip_optional(expected)->elem;
  }
  if (e.elems.empty()) {
    if (want_elem != nullptr) return types::list_of(want_elem);
    error(codes::kTypeMismatch, e.range, "cannot infer the element type of `[]` here",
          "declare it, as in `let xs: list<str> = []`");
    return types::error();
  }
  const Type* elem = nullptr;
  for (auto& x : e.elems) {
    const Type* t = check(*x, s, want_elem != nullptr ? want_elem : elem);
    if (elem == nullptr) {
      elem = t;
      continue;
    }
    const Type* j = join(elem, t);
    if (j == nullptr) {
      error(codes::kTypeMismatch, x->range,
            "list elements must share a type: " + quoted(elem) + " and " + quoted(t));
      return types::error();
    }
    elem = j;
  }
  if (want_elem != nullptr && types::assignable(elem, want_elem)) elem = want_elem;
  return types::list_of(elem);
}

const Type* Checker::check_object(ast::ObjectExpr& e, Scope& s) {
  std::unordered_set<std::string> keys;
  for (auto& f : e.fields) {
    if (!keys.insert(f.key).second) {
      error(codes::kDuplicate, f.key_range, "key `" + f.key + "` appears twice");
    }
    const Type* t = check(*f.value, s);
    const Type* base = types::strip_optional(t);
    while (base->kind == Kind::kList) base = types::strip_optional(base->elem);
    if (base->kind == Kind::kRegex || base->kind == Kind::kItem) {
      error(codes::kTypeMismatch, f.value->range, "a " + quoted(t) + " cannot be stored in json");
    }
  }
  return types::json();
}

}  // namespace rft::check
