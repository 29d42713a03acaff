#include "compiler/program/analysis.h"

#include <functional>
#include <set>
#include <unordered_set>

#include "runtime/grader/builtins.h"

namespace rft::program {

void collect_uses(const ast::Expr& e, Uses& out) {
  switch (e.kind) {
    case ast::ExprKind::kName: {
      const ast::Ref& r = e.as<ast::NameExpr>().ref;
      if (auto* l = std::get_if<const ast::LetDecl*>(&r)) out.lets.push_back(*l);
      if (auto* c = std::get_if<const ast::ComponentDecl*>(&r)) out.components.push_back(*c);
      if (std::holds_alternative<ast::SampleVar>(r)) out.sample = true;
      return;
    }
    case ast::ExprKind::kMember: {
      auto& m = e.as<ast::MemberExpr>();
      if (std::holds_alternative<const ast::ItemField*>(m.ref)) {
        out.sample = true;
        return;
      }
      if (auto* l = std::get_if<const ast::LetDecl*>(&m.ref)) {
        out.lets.push_back(*l);
        return;
      }
      collect_uses(*m.base, out);
      return;
    }
    case ast::ExprKind::kIndex:
      collect_uses(*e.as<ast::IndexExpr>().base, out);
      collect_uses(*e.as<ast::IndexExpr>().index, out);
      return;
    case ast::ExprKind::kCall: {
      auto& c = e.as<ast::CallExpr>();
      if (auto* j = std::get_if<const ast::JudgeDecl*>(&c.target)) {
        out.judges.push_back(*j);
        out.sample = true;
      }
      for (auto& a : c.args) collect_uses(*a.value, out);
      return;
    }
    case ast::ExprKind::kUnary:
      collect_uses(*e.as<ast::UnaryExpr>().operand, out);
      return;
    case ast::ExprKind::kBinary:
      collect_uses(*e.as<ast::BinaryExpr>().lhs, out);
      collect_uses(*e.as<ast::BinaryExpr>().rhs, out);
      return;
    case ast::ExprKind::kIf:
      collect_uses(*e.as<ast::IfExpr>().cond, out);
      collect_uses(*e.as<ast::IfExpr>().then_expr, out);
      collect_uses(*e.as<ast::IfExpr>().else_expr, out);
      return;
    case ast::ExprKind::kIsNone:
      collect_uses(*e.as<ast::IsNoneExpr>().operand, out);
      return;
    case ast::ExprKind::kList:
      for (auto& x : e.as<ast::ListExpr>().elems) collect_uses(*x, out);
      return;
    case ast::ExprKind::kObject:
      for (auto& f : e.as<ast::ObjectExpr>().fields) collect_uses(*f.value, out);
      return;
    default:
      return;
  }
}

bool calls_judge(const ast::ComponentDecl& c) {
  std::unordered_set<const void*> seen;
  std::vector<const ast::Expr*> work{c.value.get()};
  while (!work.empty()) {
    const ast::Expr* e = work.back();
    work.pop_back();
    Uses u;
    collect_uses(*e, u);
    if (!u.judges.empty()) return true;
    for (auto* l : u.lets) {
      if (seen.insert(l).second) work.push_back(l->value.get());
    }
    for (auto* cc : u.components) {
      if (seen.insert(cc).second) work.push_back(cc->value.get());
    }
  }
  return false;
}

bool calls_builtin(const ast::RewardDecl& reward,
                   std::initializer_list<std::string_view> symbols) {
  bool found = false;
  std::set<const void*> seen;  // functions and lets already walked
  std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& e) {
    if (found) return;
    if (e.kind == ast::ExprKind::kCall) {
      const auto& call = e.as<ast::CallExpr>();
      if (const auto* b = std::get_if<const grader::Builtin*>(&call.target)) {
        found = std::find(symbols.begin(), symbols.end(), (*b)->symbol) != symbols.end();
      } else if (const auto* fn = std::get_if<const ast::FnDecl*>(&call.target)) {
        if (seen.insert(*fn).second) {
          for (const auto& p : (*fn)->params) {
            if (p.default_value) walk(*p.default_value);
          }
          for (const auto& l : (*fn)->lets) walk(*l->value);
          walk(*(*fn)->body);
        }
      }
    } else if (e.kind == ast::ExprKind::kName) {
      if (const auto* let = std::get_if<const ast::LetDecl*>(&e.as<ast::NameExpr>().ref)) {
        if (seen.insert(*let).second) walk(*(*let)->value);
      }
    }
    ast::for_each_child(e, walk);
  };
  for (const auto& l : reward.lets) walk(*l->value);
  for (const auto& c : reward.components) walk(*c->value);
  for (const auto& c : reward.monitors) walk(*c->value);
  if (reward.total) walk(*reward.total);
  return found;
}

bool runs_code(const ast::RewardDecl& reward) {
  return calls_builtin(reward,
                       {"rft_b_run_python", "rft_b_run_cpp", "rft_b_run_cases", "rft_b_lint_code"});
}

}  // namespace rft::program
