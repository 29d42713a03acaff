// Private to compiler/check: the Checker class shared by checker.cc (declarations),
// check_expr.cc (expressions and calls) and lint.cc (warnings).
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/signature.h"
#include "compiler/diag/codes.h"
#include "compiler/diag/diagnostic.h"

namespace rft::check {

// Where an expression is checked; decides which names are visible.
enum class Place {
  kConstant,  // module constants, parameter defaults, judge settings, test inputs
  kFunction,  // a function body: parameters and its own lets
  kReward,    // a reward body: prompt, completion, item, lets, components, judges
  kExpect,    // a test's `expect`: as in the reward, plus `total`
};

struct Scope {
  Place place = Place::kConstant;
  ast::RewardDecl* reward = nullptr;
  ast::FnDecl* fn = nullptr;
  std::unordered_map<std::string, ast::Ref> locals;
  // A monitor's value and a test's `expect` may read monitors; the total, lets and components
  // may not, so that no monitor can change a reward.
  bool reads_monitors = false;
};

class Checker {
 public:
  Checker(ast::Module& module, Diagnostics& diags) : m_(module), diags_(diags) {}
  void run();

  // ---- declarations (checker.cc) ----
 private:
  void collect_globals();
  void check_item();
  void check_constant(ast::LetDecl& let);
  void check_function(ast::FnDecl& fn);
  void check_params(std::vector<ast::Param>& params);
  void check_judge(ast::JudgeDecl& judge);
  void check_judge_template(ast::JudgeDecl& judge, const ast::Setting& s);
  void check_reward(ast::RewardDecl& reward);
  void check_test(ast::TestDecl& test);
  void check_test_item(ast::TestDecl& test);
  void check_let(ast::LetDecl& let, Scope& scope);
  const types::Type* resolve_type(const ast::TypeExpr& t);
  std::optional<double> constant_number(const ast::Expr& e, std::string_view what);

  // ---- expressions (check_expr.cc) ----
 public:
  // Checks `e` and returns its type (also stored in e.type). `expected` guides literals that
  // have no type of their own: a string where a regex is expected, `[]`, `none`.
  const types::Type* check(ast::Expr& e, Scope& s, const types::Type* expected = nullptr);

 private:
  const types::Type* check_inner(ast::Expr& e, Scope& s, const types::Type* expected);
  const types::Type* check_name(ast::NameExpr& e, Scope& s);
  const types::Type* check_member(ast::MemberExpr& e, Scope& s);
  const types::Type* check_index(ast::IndexExpr& e, Scope& s);
  const types::Type* check_call(ast::CallExpr& e, Scope& s);
  const types::Type* check_builtin_call(ast::CallExpr& e, Scope& s, std::string_view name);
  // E0309 when `style` is a literal style guide lint_code refuses for `lang` (empty: any).
  void check_style_literal(const ast::Expr* style, const std::string& lang);
  const types::Type* check_user_call(ast::CallExpr& e, Scope& s, std::string_view name,
                                     std::vector<ast::Param>& params,
                                     const types::Type* result);
  const types::Type* check_unary(ast::UnaryExpr& e, Scope& s);
  const types::Type* check_binary(ast::BinaryExpr& e, Scope& s);
  const types::Type* check_if(ast::IfExpr& e, Scope& s);
  const types::Type* check_list(ast::ListExpr& e, Scope& s, const types::Type* expected);
  const types::Type* check_object(ast::ObjectExpr& e, Scope& s);
  const types::Type* check_regex_literal(ast::StringExpr& e);
  // Resolves `name` among locals, the module and imports; reports unknown names.
  ast::Ref lookup(std::string_view name, const Scope& s, SourceRange at, bool report);
  // Reports a use of a binding that its reward or function declares further down.
  bool declared_later(std::string_view name, const Scope& s, SourceRange at);
  ast::Ref module_member(const ast::Module& mod, std::string_view name, SourceRange at);
  std::vector<std::string> visible_names(const Scope& s) const;
  // Reports when `got` cannot be used where `want` is expected; returns false then.
  bool require(const ast::Expr& e, const types::Type* want, std::string_view what);
  bool require_bool(const ast::Expr& e, std::string_view what);
  bool require_numeric(const ast::Expr& e, std::string_view what);

  // ---- warnings (lint.cc) ----
  void lint_reward(ast::RewardDecl& reward);
  void lint_unused();

  void error(std::string_view code, SourceRange r, std::string msg, std::string hint = {}) {
    diags_.error(std::string(code), r, std::move(msg), std::move(hint));
  }
  void warning(std::string_view code, SourceRange r, std::string msg, std::string hint = {}) {
    diags_.warning(std::string(code), r, std::move(msg), std::move(hint));
  }

  ast::Module& m_;
  Diagnostics& diags_;
  std::unordered_map<std::string, ast::Ref> globals_;
  std::unordered_set<std::string> broken_;
  enum class State { kUnchecked, kChecking, kDone };
  std::unordered_map<const void*, State> state_;
};

}  // namespace rft::check
