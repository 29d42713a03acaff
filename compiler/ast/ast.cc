#include "compiler/ast/ast.h"

namespace rft::ast {

const char* spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kCoalesce: return "??";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kApprox: return "~=";
    case BinaryOp::kAnd: return "&&";
    case BinaryOp::kOr: return "||";
  }
  return "?";
}

bool is_comparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
    case BinaryOp::kEq:
    case BinaryOp::kNe:
    case BinaryOp::kApprox: return true;
    default: return false;
  }
}

const RewardDecl* Module::find_reward(std::string_view reward_name) const {
  for (const auto& r : rewards) {
    if (r->name == reward_name) return r.get();
  }
  return nullptr;
}

void for_each_child(const Expr& e, const std::function<void(const Expr&)>& f) {
  switch (e.kind) {
    case ExprKind::kList:
      for (const auto& x : e.as<ListExpr>().elems) f(*x);
      return;
    case ExprKind::kObject:
      for (const auto& x : e.as<ObjectExpr>().fields) f(*x.value);
      return;
    case ExprKind::kMember: f(*e.as<MemberExpr>().base); return;
    case ExprKind::kIndex:
      f(*e.as<IndexExpr>().base);
      f(*e.as<IndexExpr>().index);
      return;
    case ExprKind::kCall:
      f(*e.as<CallExpr>().callee);
      for (const auto& a : e.as<CallExpr>().args) f(*a.value);
      return;
    case ExprKind::kUnary: f(*e.as<UnaryExpr>().operand); return;
    case ExprKind::kBinary:
      f(*e.as<BinaryExpr>().lhs);
      f(*e.as<BinaryExpr>().rhs);
      return;
    case ExprKind::kIf:
      f(*e.as<IfExpr>().cond);
      f(*e.as<IfExpr>().then_expr);
      f(*e.as<IfExpr>().else_expr);
      return;
    case ExprKind::kIsNone: f(*e.as<IsNoneExpr>().operand); return;
    default: return;
  }
}

void Module::for_each_root(const std::function<void(const Expr&)>& f) const {
  auto params = [&](const std::vector<Param>& ps) {
    for (const auto& p : ps) {
      if (p.default_value) f(*p.default_value);
    }
  };
  auto settings = [&](const std::vector<Setting>& ss) {
    for (const auto& s : ss) {
      f(*s.value);
      if (s.range_hi) f(*s.range_hi);
    }
  };
  for (const auto& c : constants) f(*c->value);
  for (const auto& fn : functions) {
    params(fn->params);
    for (const auto& l : fn->lets) f(*l->value);
    f(*fn->body);
  }
  for (const auto& j : judges) {
    params(j->params);
    settings(j->settings);
  }
  for (const auto& r : rewards) {
    for (const auto& l : r->lets) f(*l->value);
    for (const auto* list : {&r->components, &r->monitors}) {
      for (const auto& c : *list) {
        f(*c->value);
        if (c->lo) f(*c->lo);
        if (c->hi) f(*c->hi);
      }
    }
    if (r->total) f(*r->total);
    settings(r->settings);
  }
  for (const auto& t : tests) {
    for (const auto& in : t->inputs) f(*in.value);
    if (t->item) f(*t->item);
    for (const auto& j : t->judges) f(*j.value);
    for (const auto& ex : t->expects) {
      f(*ex.cond);
      if (ex.tolerance) f(*ex.tolerance);
    }
  }
}

}  // namespace rft::ast
