// Warnings: what the checker can tell about a reward before any training runs — unused
// bindings, components and judges that cannot affect the total, a total that ignores the sample,
// values that can leave their declared bounds.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "compiler/check/checker_impl.h"
#include "compiler/diag/codes.h"
#include "compiler/program/analysis.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/value_ops.h"

namespace rft::check {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A conservative range of values an expression can take; [-inf, inf] when unknown.
struct Interval {
  double lo = -kInf, hi = kInf;
  bool known() const { return std::isfinite(lo) || std::isfinite(hi); }
};

Interval hull(Interval a, Interval b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

double mul_bound(double a, double b) { return (a == 0 || b == 0) ? 0 : a * b; }

Interval interval(const ast::Expr& e, int depth = 0);

Interval call_interval(const ast::CallExpr& c, int depth) {
  if (std::holds_alternative<const ast::JudgeDecl*>(c.target)) return {0, 1};
  if (auto* f = std::get_if<const ast::FnDecl*>(&c.target)) {
    return interval(*(*f)->body, depth + 1);
  }
  auto* b = std::get_if<const grader::Builtin*>(&c.target);
  if (b == nullptr || c.bound.empty()) return {};
  std::string_view sig = (*b)->signature;
  auto arg = [&](size_t i) { return interval(*c.bound[i], depth + 1); };
  if (sig.starts_with("clamp(")) {
    Interval x = arg(0), lo = arg(1), hi = arg(2);
    return {std::max(x.lo, lo.lo), std::min(x.hi, hi.hi)};
  }
  if (sig.starts_with("min(a:")) {
    Interval a = arg(0), b2 = arg(1);
    return {std::min(a.lo, b2.lo), std::min(a.hi, b2.hi)};
  }
  if (sig.starts_with("max(a:")) {
    Interval a = arg(0), b2 = arg(1);
    return {std::max(a.lo, b2.lo), std::max(a.hi, b2.hi)};
  }
  if (sig.starts_with("abs(") || sig.starts_with("len(") || sig.starts_with("count") ||
      sig.starts_with("byte_len(") || sig.starts_with("sqrt(") || sig.starts_with("exp(")) {
    return {0, kInf};
  }
  return {};
}

Interval interval(const ast::Expr& e, int depth) {
  if (depth > 64) return {};
  if (e.type == types::boolean() || e.type == types::optional_of(types::boolean())) return {0, 1};
  switch (e.kind) {
    case ast::ExprKind::kNumber: {
      double v = e.as<ast::NumberExpr>().value;
      return {v, v};
    }
    case ast::ExprKind::kName: {
      const ast::Ref& r = e.as<ast::NameExpr>().ref;
      if (auto* l = std::get_if<const ast::LetDecl*>(&r)) return interval(*(*l)->value, depth + 1);
      if (auto* c = std::get_if<const ast::ComponentDecl*>(&r)) {
        // A component is clamped to its declared bounds at run time; none scores 0.
        if ((*c)->lo_value && (*c)->hi_value) return {*(*c)->lo_value, *(*c)->hi_value};
        Interval v = interval(*(*c)->value, depth + 1);
        if (types::is_optional((*c)->value->type)) v = hull(v, {0, 0});
        return v;
      }
      return {};
    }
    case ast::ExprKind::kCall: return call_interval(e.as<ast::CallExpr>(), depth);
    case ast::ExprKind::kUnary: {
      Interval v = interval(*e.as<ast::UnaryExpr>().operand, depth + 1);
      return {-v.hi, -v.lo};
    }
    case ast::ExprKind::kIf: {
      auto& i = e.as<ast::IfExpr>();
      return hull(interval(*i.then_expr, depth + 1), interval(*i.else_expr, depth + 1));
    }
    case ast::ExprKind::kBinary: {
      auto& b = e.as<ast::BinaryExpr>();
      Interval l = interval(*b.lhs, depth + 1), r = interval(*b.rhs, depth + 1);
      switch (b.op) {
        case ast::BinaryOp::kAdd: return {l.lo + r.lo, l.hi + r.hi};
        case ast::BinaryOp::kSub: return {l.lo - r.hi, l.hi - r.lo};
        case ast::BinaryOp::kMul: {
          double xs[] = {mul_bound(l.lo, r.lo), mul_bound(l.lo, r.hi), mul_bound(l.hi, r.lo),
                         mul_bound(l.hi, r.hi)};
          return {*std::min_element(xs, xs + 4), *std::max_element(xs, xs + 4)};
        }
        case ast::BinaryOp::kCoalesce: return hull(l, r);
        default: return {};
      }
    }
    default: return {};
  }
}

}  // namespace

void Checker::lint_reward(ast::RewardDecl& reward) {
  if (!reward.total) return;
  std::unordered_set<const void*> reached;
  bool sample = false;
  std::vector<const ast::JudgeDecl*> judges_reached;
  // Walks what `roots` read, through lets and components, into `reached`.
  auto walk = [&](std::vector<const ast::Expr*> work, bool from_total) {
    while (!work.empty()) {
      const ast::Expr* e = work.back();
      work.pop_back();
      program::Uses u;
      program::collect_uses(*e, u);
      if (from_total) sample = sample || u.sample;
      judges_reached.insert(judges_reached.end(), u.judges.begin(), u.judges.end());
      for (auto* l : u.lets) {
        if (reached.insert(l).second) work.push_back(l->value.get());
      }
      for (auto* c : u.components) {
        if (reached.insert(c).second) work.push_back(c->value.get());
      }
    }
  };
  walk({reward.total.get()}, true);
  // A judge a monitor calls is asked on purpose; what only monitors read still does not affect
  // the total.
  std::unordered_set<const void*> affects_total = reached;
  std::vector<const ast::Expr*> monitors;
  for (auto& m : reward.monitors) monitors.push_back(m->value.get());
  walk(std::move(monitors), false);
  reached = std::move(affects_total);
  for (auto& c : reward.components) {
    if (reached.count(c.get()) == 0) {
      warning(codes::kComponentNoEffect, c->name_range,
              "component `" + c->name + "` does not affect the total",
              "use it in `total`, or declare it `monitor` to log it without the warning");
    }
  }
  for (auto& l : reward.lets) {
    if (!l->used) warning(codes::kUnused, l->name_range, "`" + l->name + "` is never used");
  }
  if (!sample) {
    warning(codes::kConstantTotal, reward.total_range,
            "the total of `" + reward.name + "` is the same for every sample",
            "it reads no `completion`, `prompt`, `item` or judge; training on it teaches nothing");
  }
  for (const ast::JudgeDecl* j : reward.judges_used) {
    if (std::find(judges_reached.begin(), judges_reached.end(), j) == judges_reached.end()) {
      warning(codes::kJudgeNoEffect, reward.name_range,
              "judge `" + j->name + "` is called in `" + reward.name +
                  "` but can never affect its total",
              "its calls cost time and money; remove them or use the result in `total`");
    }
  }
  std::vector<const ast::ComponentDecl*> bounded;
  for (auto& c : reward.components) bounded.push_back(c.get());
  for (auto& c : reward.monitors) bounded.push_back(c.get());
  for (const ast::ComponentDecl* c : bounded) {
    if (!c->lo_value || !c->hi_value) continue;
    Interval v = interval(*c->value);
    if (types::is_optional(c->value->type)) v = hull(v, {0, 0});
    if (!v.known()) continue;
    if (v.lo < *c->lo_value || v.hi > *c->hi_value) {
      warning(codes::kOutOfBounds, c->value->range,
              (c->monitor ? "monitor `" : "component `") + c->name + "` can range over " +
                  grader::format_num(v.lo) + ".." + grader::format_num(v.hi) +
                  ", beyond its bounds " + grader::format_num(*c->lo_value) + ".." +
                  grader::format_num(*c->hi_value),
              "values outside are clamped and flagged `out_of_bounds:" + c->name +
                  "`; `clamp(x, lo, hi)` makes it explicit");
    }
  }
}

void Checker::lint_unused() {
  for (auto& imp : m_.imports) {
    if (imp.module != nullptr && !imp.used) {
      warning(codes::kUnused, imp.range, "import `" + imp.path + "` is never used");
    }
  }
  for (auto& f : m_.functions) {
    for (auto& let : f->lets) {
      if (!let->used) warning(codes::kUnused, let->name_range, "`" + let->name + "` is never used");
    }
    if (!f->used && !f->name.empty() && f->name[0] == '_') {
      warning(codes::kUnused, f->name_range, "private function `" + f->name + "` is never used");
    }
  }
  for (auto& c : m_.constants) {
    if (!c->used && !c->name.empty() && c->name[0] == '_') {
      warning(codes::kUnused, c->name_range, "private constant `" + c->name + "` is never used");
    }
  }
}

}  // namespace rft::check
