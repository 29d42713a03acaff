#include "compiler/interp/interpreter.h"

#include <re2/re2.h>

#include <cmath>
#include <functional>

#include "compiler/interp/item.h"
#include "compiler/program/analysis.h"
#include "compiler/program/program.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/json.h"
#include "runtime/grader/regex.h"
#include "runtime/grader/rt.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::interp {
namespace {

// The builtins that operators and index syntax are defined by, looked up once.
rft_builtin_fn builtin_fn(std::string_view signature_prefix) {
  for (const auto& b : grader::builtins()) {
    if (b.signature.starts_with(signature_prefix)) return b.fn;
  }
  return nullptr;
}

struct OperatorBuiltins {
  rft_builtin_fn json_member = builtin_fn("json_member(");
  rft_builtin_fn approx = builtin_fn("approx(");
};

const OperatorBuiltins& ops() {
  static const OperatorBuiltins o;
  return o;
}

// Python-style modulo: the result has the sign of the divisor.
double modulo(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

bool is_none(const rft_value& v) { return v.tag == RFT_NONE; }

double to_num(const rft_value& v) {
  return v.tag == RFT_BOOL ? static_cast<double>(v.as.boolean) : v.as.num;
}

}  // namespace

// ---- Interpreter ----

Interpreter::Interpreter(const Program& program) {
  std::function<void(const ast::Expr&)> visit = [&](const ast::Expr& e) {
    if (e.kind == ast::ExprKind::kString && e.as<ast::StringExpr>().is_regex) {
      auto* lit = &e.as<ast::StringExpr>();
      if (regexes_.count(lit) == 0) {
        Expected<std::unique_ptr<re2::RE2>> re = grader::compile_regex(lit->value);
        regexes_[lit] = re ? std::move(re).value() : nullptr;
      }
    }
    ast::for_each_child(e, visit);
  };
  for (const auto& m : program.modules) {
    m->for_each_root(visit);
    if (m->item) {
      for (const auto& f : m->item->fields) {
        if (f.type != nullptr) item_types_[&f] = types::to_string(f.type);
      }
    }
    for (const auto& r : m->rewards) {
      item_decls_[r.get()] = m->item.get();
      for (const auto& c : r->components) {
        if (program::calls_judge(*c)) needs_judge_[c.get()] = true;
      }
    }
  }
}

Interpreter::~Interpreter() = default;

const re2::RE2* Interpreter::regex(const ast::StringExpr* literal) const {
  auto it = regexes_.find(literal);
  return it == regexes_.end() ? nullptr : it->second.get();
}

Grade Interpreter::grade(const ast::RewardDecl& reward, const Sample& sample,
                          grader::Context& ctx, JudgeProvider* judges,
                          bool record_bindings) const {
  Evaluation ev(*this, reward, sample, ctx, judges);
  return ev.run(record_bindings);
}

// ---- Evaluation ----

namespace {

enum class SlotState : uint8_t { kUnevaluated, kEvaluating, kDone };

struct Slot {
  SlotState state = SlotState::kUnevaluated;
  rft_value value = rft_none();
};

// A function call's frame: its arguments and its own lets.
struct Frame {
  const ast::FnDecl* fn = nullptr;
  std::vector<rft_value> args;
  std::vector<Slot> lets;
};

}  // namespace

struct Evaluation::Impl {
  const Interpreter& interp;
  const ast::RewardDecl& reward;
  grader::Context& ctx;
  JudgeProvider* judges;
  std::string_view prompt, completion;
  bool truncated;
  const nlohmann::json* item;
  std::vector<Slot> lets, components;
  std::unordered_map<const ast::LetDecl*, Slot> constants;
  std::unordered_map<const ast::ItemField*, rft_value> item_fields;
  rft_value total = rft_num(0);

  Impl(const Interpreter& i, const ast::RewardDecl& r, const Sample& s, grader::Context& c,
       JudgeProvider* j)
      : interp(i), reward(r), ctx(c), judges(j), truncated(s.truncated), item(s.item) {
    ctx.refuel();
    prompt = repair(s.prompt);
    completion = repair(s.completion);
    lets.resize(r.lets.size());
    components.resize(r.components.size() + r.monitors.size());
  }

  // Model output is untrusted: invalid UTF-8 is replaced (U+FFFD) and flagged, so that every
  // string the program sees is valid.
  std::string_view repair(std::string_view in) {
    rft_str s = grader::str_of(in);
    rft_value out;
    rft_rt_input(ctx.handle(), &s, &out);
    return grader::view_str(out);
  }

  // ---- bindings ----

  rft_value let_value(const ast::LetDecl* let, Frame* frame) {
    Slot* slot = nullptr;
    Frame* eval_frame = frame;
    if (frame != nullptr && let->slot >= 0 && static_cast<size_t>(let->slot) < frame->lets.size() &&
        frame->fn->lets[let->slot].get() == let) {
      slot = &frame->lets[let->slot];
    } else if (let->slot >= 0 && static_cast<size_t>(let->slot) < reward.lets.size() &&
               reward.lets[let->slot].get() == let) {
      slot = &lets[let->slot];
      eval_frame = nullptr;
    } else {
      slot = &constants[let];
      eval_frame = nullptr;
    }
    return force(*slot, *let->value, eval_frame);
  }

  rft_value force(Slot& slot, const ast::Expr& e, Frame* frame) {
    if (slot.state == SlotState::kDone) return slot.value;
    // The checker rules out cycles; this guards against a bug turning into a stack overflow.
    if (slot.state == SlotState::kEvaluating) return rft_none();
    slot.state = SlotState::kEvaluating;
    rft_value v = eval(e, frame);
    slot.value = v;
    slot.state = SlotState::kDone;
    return v;
  }

  double component_value(const ast::ComponentDecl* c) {
    Slot& slot = components[c->slot];
    if (slot.state == SlotState::kDone) return slot.value.as.num;
    slot.state = SlotState::kEvaluating;
    rft_value v = eval(*c->value, nullptr);
    double x = 0;
    if (is_none(v)) {
      ctx.flag("missing:" + c->name);
    } else {
      x = to_num(v);
      if (!std::isfinite(x)) {
        ctx.flag("invalid:" + c->name);
        x = 0;
      }
    }
    if (c->lo_value && c->hi_value && (x < *c->lo_value || x > *c->hi_value)) {
      ctx.flag("out_of_bounds:" + c->name);
      x = std::min(std::max(x, *c->lo_value), *c->hi_value);
    }
    slot.value = rft_num(x);
    slot.state = SlotState::kDone;
    return x;
  }

  // Converts every declared field of the row; false (with a `bad_item:<field>` flag for each
  // problem) when one is missing or has the wrong type.
  bool item_valid() {
    const ast::ItemDecl* decl = interp.item_of(&reward);
    if (decl == nullptr) return true;
    bool ok = true;
    for (const auto& f : decl->fields) {
      if (f.type == nullptr) continue;
      rft_value v = item_field(&f);
      if (v.tag == RFT_NONE && !types::is_optional(f.type)) ok = false;
    }
    return ok;
  }

  rft_value item_field(const ast::ItemField* f) {
    auto it = item_fields.find(f);
    if (it != item_fields.end()) return it->second;
    std::string_view type = interp.item_type(f);
    rft_value v;
    rft_rt_item_field(ctx.handle(), item, f->name.data(), f->name.size(), type.data(), type.size(),
                      &v);
    item_fields[f] = v;
    return v;
  }

  // ---- expressions ----

  rft_value eval(const ast::Expr& e, Frame* frame) {
    switch (e.kind) {
      case ast::ExprKind::kNumber: return rft_num(e.as<ast::NumberExpr>().value);
      case ast::ExprKind::kString: {
        const auto& s = e.as<ast::StringExpr>();
        if (s.is_regex) return grader::regex_value(interp.regex(&s));
        return grader::str_value(s.value);
      }
      case ast::ExprKind::kBool: return rft_bool(e.as<ast::BoolExpr>().value);
      case ast::ExprKind::kNone: return rft_none();
      case ast::ExprKind::kList: {
        const auto& l = e.as<ast::ListExpr>();
        rft_value* items = ctx.alloc_values(l.elems.size());
        const types::Type* elem = types::list_item(e.type);
        for (size_t i = 0; i < l.elems.size(); ++i) items[i] = convert(eval(*l.elems[i], frame), elem);
        return grader::list_value(items, l.elems.size());
      }
      case ast::ExprKind::kObject: {
        nlohmann::json obj = nlohmann::json::object();
        for (const auto& f : e.as<ast::ObjectExpr>().fields) {
          obj[f.key] = value_to_json(eval(*f.value, frame));
        }
        return grader::json_value(ctx.keep(std::move(obj)));
      }
      case ast::ExprKind::kName: return eval_name(e.as<ast::NameExpr>(), frame);
      case ast::ExprKind::kItem: return rft_none();
      case ast::ExprKind::kTotal: return total;
      case ast::ExprKind::kMember: return eval_member(e.as<ast::MemberExpr>(), frame);
      case ast::ExprKind::kIndex: return eval_index(e.as<ast::IndexExpr>(), frame);
      case ast::ExprKind::kCall: return eval_call(e.as<ast::CallExpr>(), frame);
      case ast::ExprKind::kUnary: {
        const auto& u = e.as<ast::UnaryExpr>();
        rft_value v = eval(*u.operand, frame);
        if (is_none(v)) return v;
        if (u.op == ast::UnaryOp::kNot) return rft_bool(v.as.boolean == 0);
        return rft_num(-to_num(v));
      }
      case ast::ExprKind::kBinary: return eval_binary(e.as<ast::BinaryExpr>(), frame);
      case ast::ExprKind::kIf: {
        const auto& i = e.as<ast::IfExpr>();
        rft_value c = eval(*i.cond, frame);
        bool taken = !is_none(c) && c.as.boolean != 0;
        rft_value v = eval(taken ? *i.then_expr : *i.else_expr, frame);
        return convert(v, e.type);
      }
      case ast::ExprKind::kIsNone: {
        const auto& n = e.as<ast::IsNoneExpr>();
        bool none = is_none(eval(*n.operand, frame));
        return rft_bool(n.negated ? !none : none);
      }
    }
    return rft_none();
  }

  // Applies the implicit conversion bool → num, also to the items of a list used as list<num>.
  rft_value convert(const rft_value& v, const types::Type* to) {
    if (to == nullptr) return v;
    if (v.tag == RFT_BOOL && types::strip_optional(to)->kind == types::Kind::kNum) {
      return rft_num(static_cast<double>(v.as.boolean));
    }
    if (v.tag == RFT_LIST && types::is_num_list(to)) return grader::numeric_list(ctx, v);
    return v;
  }

  rft_value eval_name(const ast::NameExpr& n, Frame* frame) {
    if (auto* let = std::get_if<const ast::LetDecl*>(&n.ref)) {
      return convert(let_value(*let, frame), n.type);
    }
    if (auto* c = std::get_if<const ast::ComponentDecl*>(&n.ref)) {
      double x = component_value(*c);
      return n.type == types::boolean() ? rft_bool(x != 0) : rft_num(x);
    }
    if (auto* p = std::get_if<const ast::Param*>(&n.ref)) {
      if (frame != nullptr && static_cast<size_t>((*p)->index) < frame->args.size()) {
        return convert(frame->args[(*p)->index], n.type);
      }
      return rft_none();
    }
    if (auto* sv = std::get_if<ast::SampleVar>(&n.ref)) {
      if (*sv == ast::SampleVar::kTruncated) return rft_bool(truncated);
      return grader::str_value(*sv == ast::SampleVar::kPrompt ? prompt : completion);
    }
    return rft_none();
  }

  rft_value eval_member(const ast::MemberExpr& m, Frame* frame) {
    if (auto* f = std::get_if<const ast::ItemField*>(&m.ref)) return item_field(*f);
    if (auto* c = std::get_if<const ast::LetDecl*>(&m.ref)) return let_value(*c, frame);
    rft_value base = eval(*m.base, frame);
    if (is_none(base)) return base;
    rft_value args[2] = {base, grader::str_value(m.member)};
    rft_value out = rft_none();
    ops().json_member(ctx.handle(), args, &out);
    return out;
  }

  rft_value eval_index(const ast::IndexExpr& ix, Frame* frame) {
    rft_value base = eval(*ix.base, frame);
    rft_value index = eval(*ix.index, frame);
    return grader::index_value(ctx, base, index);
  }

  // Evaluates the bound arguments in order; returns false as soon as an argument that must not
  // be none is none (none propagation: later arguments are not evaluated, the call is skipped).
  bool bind_args(const ast::CallExpr& c, Frame* frame, std::vector<rft_value>& out) {
    out.resize(c.bound.size());
    for (size_t i = 0; i < c.bound.size(); ++i) {
      out[i] = eval(*c.bound[i], frame);
      if (c.unwrap[i] && is_none(out[i])) return false;
    }
    return true;
  }

  rft_value eval_call(const ast::CallExpr& c, Frame* frame) {
    std::vector<rft_value> args;
    if (!bind_args(c, frame, args)) return rft_none();
    for (size_t i = 0; i < args.size(); ++i) args[i] = convert(args[i], c.param_types[i]);
    if (auto* b = std::get_if<const grader::Builtin*>(&c.target)) {
      rft_value out = rft_none();
      rft_rt_fuel_builtin(ctx.handle(), args.data(), args.size());
      (*b)->fn(ctx.handle(), args.data(), &out);
      return out;
    }
    if (auto* fn = std::get_if<const ast::FnDecl*>(&c.target)) {
      // A spent budget ends every call at once, so that the evaluation winds down.
      if (!ctx.charge(1)) {
        return grader::zero_value((*fn)->result ? types::to_string((*fn)->result) : "");
      }
      Frame callee;
      callee.fn = *fn;
      callee.args = std::move(args);
      callee.lets.resize((*fn)->lets.size());
      return convert(eval(*(*fn)->body, &callee), (*fn)->result);
    }
    if (auto* j = std::get_if<const ast::JudgeDecl*>(&c.target)) return call_judge(**j, args);
    return rft_none();
  }

  rft_value call_judge(const ast::JudgeDecl& j, const std::vector<rft_value>& args) {
    std::string rendered = render_template(j, args);
    std::optional<double> score;
    if (ctx.fuel_exhausted()) return rft_num(j.on_error);  // the result is on_invalid anyway
    if (judges != nullptr) score = judges->score(j, rendered);
    if (!score || !std::isfinite(*score)) {
      ctx.flag("judge_error:" + j.name);
      return rft_num(j.on_error);
    }
    return rft_num(std::min(std::max(*score, 0.0), 1.0));
  }

  std::string render_template(const ast::JudgeDecl& j, const std::vector<rft_value>& args) {
    std::vector<std::string_view> params;
    for (const auto& p : j.params) params.push_back(p.name);
    return grader::render_judge_prompt(j.prompt_template, params, args.data(), prompt, completion,
                                       item);
  }

  rft_value eval_binary(const ast::BinaryExpr& b, Frame* frame) {
    using ast::BinaryOp;
    switch (b.op) {
      case BinaryOp::kAnd: {
        rft_value l = eval(*b.lhs, frame);
        if (is_none(l) || l.as.boolean == 0) return rft_bool(false);
        rft_value r = eval(*b.rhs, frame);
        return rft_bool(!is_none(r) && r.as.boolean != 0);
      }
      case BinaryOp::kOr: {
        rft_value l = eval(*b.lhs, frame);
        if (!is_none(l) && l.as.boolean != 0) return rft_bool(true);
        rft_value r = eval(*b.rhs, frame);
        return rft_bool(!is_none(r) && r.as.boolean != 0);
      }
      case BinaryOp::kCoalesce: {
        rft_value l = eval(*b.lhs, frame);
        return convert(is_none(l) ? eval(*b.rhs, frame) : l, b.type);
      }
      default: break;
    }
    rft_value l = eval(*b.lhs, frame);
    rft_value r = eval(*b.rhs, frame);
    if (ast::is_comparison(b.op)) {
      // A comparison with none is false, whatever the operator.
      if (is_none(l) || is_none(r)) return rft_bool(false);
      bool numeric = (l.tag == RFT_NUM || l.tag == RFT_BOOL) && (r.tag == RFT_NUM || r.tag == RFT_BOOL);
      switch (b.op) {
        case BinaryOp::kEq:
          return rft_bool(numeric ? to_num(l) == to_num(r) : grader::values_equal(l, r));
        case BinaryOp::kNe:
          return rft_bool(numeric ? to_num(l) != to_num(r) : !grader::values_equal(l, r));
        case BinaryOp::kLt: return rft_bool(to_num(l) < to_num(r));
        case BinaryOp::kLe: return rft_bool(to_num(l) <= to_num(r));
        case BinaryOp::kGt: return rft_bool(to_num(l) > to_num(r));
        case BinaryOp::kGe: return rft_bool(to_num(l) >= to_num(r));
        case BinaryOp::kApprox: {
          rft_value args[4] = {rft_num(to_num(l)), rft_num(to_num(r)), rft_num(1e-9),
                               rft_num(1e-12)};
          rft_value out = rft_bool(false);
          ops().approx(ctx.handle(), args, &out);
          return out;
        }
        default: return rft_bool(false);
      }
    }
    if (is_none(l) || is_none(r)) return rft_none();
    if (b.op == BinaryOp::kAdd && l.tag == RFT_STR) {
      return rft_string(rft_str_concat(ctx.handle(), l.as.str, r.as.str));
    }
    double x = to_num(l), y = to_num(r);
    switch (b.op) {
      case BinaryOp::kAdd: return rft_num(x + y);
      case BinaryOp::kSub: return rft_num(x - y);
      case BinaryOp::kMul: return rft_num(x * y);
      case BinaryOp::kDiv: return rft_num(x / y);  // IEEE: x/0 is ±inf, 0/0 is NaN
      case BinaryOp::kMod: return rft_num(modulo(x, y));
      default: return rft_none();
    }
  }
};

Evaluation::Evaluation(const Interpreter& interp, const ast::RewardDecl& reward,
                       const Sample& sample, grader::Context& ctx, JudgeProvider* judges)
    : impl_(std::make_unique<Impl>(interp, reward, sample, ctx, judges)) {}

Evaluation::~Evaluation() = default;

rft_value Evaluation::eval(const ast::Expr& e) { return impl_->eval(e, nullptr); }

Grade Evaluation::run(bool record_bindings) {
  Impl& s = *impl_;
  Grade out;
  double total = s.reward.on_invalid;
  // A row without a field the spec declares (datasets are checked when loaded; this guards
  // every other caller) cannot be graded: the total is on_invalid, as for any invalid total.
  if (!s.item_valid()) {
    s.ctx.flag("invalid_total");
    out.total = total;
    out.components.assign(s.reward.components.size(), 0.0);
    out.monitors.assign(s.reward.monitors.size(), 0.0);
    out.flags = s.ctx.flags();
    return out;
  }
  if (s.reward.total) {
    rft_value t = s.eval(*s.reward.total, nullptr);
    if (is_none(t) || !std::isfinite(to_num(t))) {
      s.ctx.flag("invalid_total");
    } else {
      total = to_num(t);
    }
  }
  s.total = rft_num(total);
  out.total = total;
  // Monitors are always evaluated, judges included (they were declared to be logged), before
  // the components the total did not need, which are evaluated now for the log except those
  // that would call a judge: gating must save that call.
  for (const auto& m : s.reward.monitors) out.monitors.push_back(s.component_value(m.get()));
  for (const auto& c : s.reward.components) {
    Slot& slot = s.components[c->slot];
    if (slot.state != SlotState::kDone && s.interp.needs_judge(c.get())) {
      s.ctx.flag("skipped:" + c->name);
      slot.value = rft_num(0);
      slot.state = SlotState::kDone;
    }
    out.components.push_back(s.component_value(c.get()));
  }
  rft_rt_fuel_end(s.ctx.handle(), s.reward.on_invalid, out.components.size(), &out.total,
                  out.components.data());
  double unused_total = 0;
  rft_rt_fuel_end(s.ctx.handle(), 0, out.monitors.size(), &unused_total, out.monitors.data());
  if (record_bindings) {
    struct Entry {
      uint32_t at;
      Grade::Binding b;
    };
    std::vector<Entry> entries;
    for (const auto& l : s.reward.lets) {
      const Slot& slot = s.lets[l->slot];
      bool done = slot.state == SlotState::kDone;
      entries.push_back({l->range.begin,
                         {l->name, "let", done ? display_value(slot.value) : "(not evaluated)", done}});
    }
    for (const auto& c : s.reward.components) {
      entries.push_back({c->range.begin,
                         {c->name, "component", grader::format_num(out.components[c->slot]), true}});
    }
    for (size_t i = 0; i < s.reward.monitors.size(); ++i) {
      const auto& m = s.reward.monitors[i];
      entries.push_back(
          {m->range.begin, {m->name, "monitor", grader::format_num(out.monitors[i]), true}});
    }
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.at < b.at; });
    for (auto& e : entries) out.bindings.push_back(std::move(e.b));
  }
  out.flags = s.ctx.flags();
  return out;
}

size_t skipped_by_gating(const Grade& r) {
  size_t n = 0;
  for (const std::string& f : r.flags) n += f.rfind("skipped:", 0) == 0;
  return n;
}

size_t problem_flags(const Grade& r) {
  return r.flags.size() - skipped_by_gating(r);
}

}  // namespace rft::interp
