// Declarations: the module's global names, `item`, functions, constants, judges, rewards, tests.
#include "compiler/check/checker.h"

#include <algorithm>

#include "compiler/check/checker_impl.h"
#include "runtime/common/suggest.h"

namespace rft::check {

const char* const kRewardSettings[] = {"on_invalid", nullptr};
const char* const kJudgeSettings[] = {
    "endpoint", "model",   "prompt",      "system",      "scale",   "labels",     "json",
    "on_error", "timeout", "retries",     "api_key_env", "temperature", "max_tokens", "rpm",
    "concurrency", "group", "max_group", nullptr};
const char* const kTestInputs[] = {"prompt", "completion", "truncated", nullptr};

namespace {

std::vector<std::string> to_vector(const char* const* names) {
  std::vector<std::string> out;
  for (; *names != nullptr; ++names) out.emplace_back(*names);
  return out;
}

bool contains(const char* const* names, std::string_view n) {
  for (; *names != nullptr; ++names) {
    if (n == *names) return true;
  }
  return false;
}

}  // namespace

void check_module(ast::Module& module, Diagnostics& diags) {
  Checker(module, diags).run();
}

void Checker::run() {
  broken_.insert(m_.broken_names.begin(), m_.broken_names.end());
  collect_globals();
  check_item();
  for (auto& c : m_.constants) check_constant(*c);
  for (auto& f : m_.functions) check_function(*f);
  for (auto& j : m_.judges) check_judge(*j);
  // Warnings about a reward that has errors would only be noise.
  std::vector<ast::RewardDecl*> clean;
  for (auto& r : m_.rewards) {
    size_t errors = diags_.error_count();
    check_reward(*r);
    if (diags_.error_count() == errors) clean.push_back(r.get());
  }
  for (auto& t : m_.tests) check_test(*t);
  for (ast::RewardDecl* r : clean) lint_reward(*r);
  lint_unused();
}

void Checker::collect_globals() {
  std::unordered_map<std::string, SourceRange> first;
  auto add = [&](const std::string& name, SourceRange at, ast::Ref ref) {
    auto [it, inserted] = first.emplace(name, at);
    if (!inserted) {
      error(codes::kDuplicate, at, "`" + name + "` is already declared in this file");
      diags_.note(it->second, "first declared here");
      return;
    }
    globals_[name] = ref;
  };
  for (auto& imp : m_.imports) {
    if (imp.module != nullptr) {
      add(imp.alias, imp.range, imp.module);
    } else {
      broken_.insert(imp.alias);  // reported where it failed; its uses are not errors again
    }
  }
  for (auto& c : m_.constants) add(c->name, c->name_range, c.get());
  for (auto& f : m_.functions) add(f->name, f->name_range, f.get());
  for (auto& j : m_.judges) add(j->name, j->name_range, j.get());
  // Rewards have their own namespace (tests name them), but one name twice is still an error.
  std::unordered_map<std::string, SourceRange> rewards;
  for (auto& r : m_.rewards) {
    auto [it, inserted] = rewards.emplace(r->name, r->name_range);
    if (!inserted) {
      error(codes::kDuplicate, r->name_range, "reward `" + r->name + "` is declared twice");
      diags_.note(it->second, "first declared here");
    }
  }
}

const types::Type* Checker::resolve_type(const ast::TypeExpr& t) {
  const types::Type* base = nullptr;
  if (t.name == "num") base = types::num();
  else if (t.name == "bool") base = types::boolean();
  else if (t.name == "str") base = types::str();
  else if (t.name == "json") base = types::json();
  else if (t.name == "regex") base = types::regex();
  else if (t.name == "list") {
    if (!t.arg) {
      error(codes::kUnknownType, t.range, "`list` needs an element type",
            "write `list<str>`, `list<num>`, ...");
      return types::error();
    }
    base = types::list_of(resolve_type(*t.arg));
  } else {
    error(codes::kUnknownType, t.range, "unknown type `" + t.name + "`",
          did_you_mean(t.name, {"num", "bool", "str", "json", "regex", "list"}));
    return types::error();
  }
  if (t.arg && t.name != "list") {
    error(codes::kUnknownType, t.range, "type `" + t.name + "` takes no element type");
  }
  return t.optional ? types::optional_of(base) : base;
}

void Checker::check_item() {
  if (!m_.item) return;
  std::unordered_set<std::string> seen;
  for (auto& f : m_.item->fields) {
    if (!seen.insert(f.name).second) {
      error(codes::kDuplicate, f.name_range, "item field `" + f.name + "` is declared twice");
    }
    f.type = resolve_type(f.type_expr);
    if (types::strip_optional(f.type)->kind == types::Kind::kRegex) {
      error(codes::kUnknownType, f.type_expr.range, "an item field cannot be a regex",
            "declare it `str`; regexes are literals in the spec");
      f.type = types::error();
    }
  }
}

std::optional<double> Checker::constant_number(const ast::Expr& e, std::string_view what) {
  if (e.kind == ast::ExprKind::kNumber) return e.as<ast::NumberExpr>().value;
  if (e.kind == ast::ExprKind::kUnary) {
    const auto& u = e.as<ast::UnaryExpr>();
    if (u.op == ast::UnaryOp::kNeg && u.operand->kind == ast::ExprKind::kNumber) {
      return -u.operand->as<ast::NumberExpr>().value;
    }
  }
  error(codes::kNotConstant, e.range, std::string(what) + " must be a number literal");
  return std::nullopt;
}

void Checker::check_constant(ast::LetDecl& let) {
  State& st = state_[&let];
  if (st == State::kDone) return;
  if (st == State::kChecking) {
    error(codes::kRecursion, let.name_range, "constant `" + let.name + "` depends on itself");
    let.type = types::error();
    return;
  }
  st = State::kChecking;
  Scope scope;
  scope.place = Place::kConstant;
  check_let(let, scope);
  state_[&let] = State::kDone;
}

void Checker::check_let(ast::LetDecl& let, Scope& scope) {
  const types::Type* declared = let.declared ? resolve_type(*let.declared) : nullptr;
  const types::Type* t = check(*let.value, scope, declared);
  if (declared != nullptr) {
    require(*let.value, declared, "`" + let.name + "`");
    t = declared;
  }
  if (t->kind == types::Kind::kNone) {
    error(codes::kTypeMismatch, let.value->range, "cannot infer the type of `" + let.name + "`",
          "declare it, as in `let " + let.name + ": str? = none`");
    t = types::error();
  }
  let.type = t;
}

void Checker::check_params(std::vector<ast::Param>& params) {
  std::unordered_set<std::string> seen;
  bool defaults_started = false;
  for (auto& p : params) {
    if (!seen.insert(p.name).second) {
      error(codes::kDuplicate, p.name_range, "parameter `" + p.name + "` is declared twice");
    }
    p.type = resolve_type(p.type_expr);
    if (p.default_value) {
      defaults_started = true;
      Scope scope;
      scope.place = Place::kConstant;
      check(*p.default_value, scope, p.type);
      require(*p.default_value, p.type, "the default of `" + p.name + "`");
    } else if (defaults_started) {
      error(codes::kBadCall, p.name_range,
            "parameter `" + p.name + "` needs a default, as the ones before it have");
    }
  }
}

void Checker::check_function(ast::FnDecl& fn) {
  State& st = state_[&fn];
  if (st == State::kDone) return;
  if (st == State::kChecking) {
    // Reached again while checking its own body: recursion. Rewards must terminate.
    error(codes::kRecursion, fn.name_range, "function `" + fn.name + "` calls itself",
          "functions cannot be recursive; rewards always terminate");
    fn.result = types::error();
    return;
  }
  st = State::kChecking;
  check_params(fn.params);
  Scope scope;
  scope.place = Place::kFunction;
  scope.fn = &fn;
  for (auto& p : fn.params) scope.locals[p.name] = &p;
  int slot = 0;
  for (auto& let : fn.lets) {
    check_let(*let, scope);
    let->slot = slot++;
    if (scope.locals.count(let->name) != 0) {
      error(codes::kDuplicate, let->name_range, "`" + let->name + "` is already declared here");
    }
    scope.locals[let->name] = let.get();
  }
  const types::Type* declared = fn.declared_result ? resolve_type(*fn.declared_result) : nullptr;
  const types::Type* t = check(*fn.body, scope, declared);
  if (declared != nullptr) {
    require(*fn.body, declared, "the result of `" + fn.name + "`");
    t = declared;
  }
  if (state_[&fn] == State::kChecking) {
    fn.result = t;
    state_[&fn] = State::kDone;
  }
}

namespace {

bool contains_setting(const ast::JudgeDecl& judge, std::string_view name) {
  return std::any_of(judge.settings.begin(), judge.settings.end(),
                     [&](const ast::Setting& s) { return s.name == name; });
}

// A judge template's placeholders, in order; {{ and }} are literal braces. *unclosed (optional)
// tells whether a `{` is never closed (the placeholders before it are returned).
std::vector<std::string> placeholders(std::string_view text, bool* unclosed = nullptr) {
  std::vector<std::string> out;
  if (unclosed != nullptr) *unclosed = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    if (text[i] != '{') continue;
    size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      if (unclosed != nullptr) *unclosed = true;
      break;
    }
    out.emplace_back(text.substr(i + 1, close - i - 1));
    i = close;
  }
  return out;
}

bool has_placeholder(std::string_view text, std::string_view name) {
  const std::vector<std::string> all = placeholders(text);
  return std::find(all.begin(), all.end(), name) != all.end();
}

}  // namespace

void Checker::check_judge(ast::JudgeDecl& judge) {
  check_params(judge.params);
  std::unordered_set<std::string> seen;
  bool has_prompt = false, has_model = false, has_scale = false, has_labels = false;
  bool has_unknown = false;
  for (auto& s : judge.settings) {
    if (!seen.insert(s.name).second) {
      error(codes::kDuplicate, s.name_range, "judge setting `" + s.name + "` is set twice");
      continue;
    }
    if (!contains(kJudgeSettings, s.name)) {
      error(codes::kBadSetting, s.name_range, "unknown judge setting `" + s.name + "`",
            did_you_mean(s.name, to_vector(kJudgeSettings)));
      has_unknown = true;
      continue;
    }
    Scope scope;
    scope.place = Place::kConstant;
    if (s.name == "scale") {
      has_scale = true;
      if (!s.range_hi) {
        error(codes::kBadJudge, s.range, "`scale` is a range", "write `scale = 1..10`");
        continue;
      }
      auto lo = constant_number(*s.value, "a scale bound");
      auto hi = constant_number(*s.range_hi, "a scale bound");
      if (lo && hi) {
        if (!(*lo < *hi)) {
          error(codes::kBadJudge, s.range, "the scale must go from low to high");
        }
        judge.scale_lo = *lo;
        judge.scale_hi = *hi;
      }
      continue;
    }
    if (s.range_hi) {
      error(codes::kBadJudge, s.range, "only `scale` takes a range");
      continue;
    }
    if (s.name == "labels") {
      has_labels = true;
      if (s.value->kind != ast::ExprKind::kObject) {
        error(codes::kBadJudge, s.value->range, "`labels` maps each label to a score",
              "write `labels = { \"yes\": 1, \"no\": 0 }`");
        continue;
      }
      for (auto& f : s.value->as<ast::ObjectExpr>().fields) {
        if (auto v = constant_number(*f.value, "a label's score")) {
          if (*v < 0 || *v > 1) {
            error(codes::kBadJudge, f.value->range, "a label's score is between 0 and 1");
          }
          judge.labels.emplace_back(f.key, *v);
        }
      }
      if (judge.labels.empty()) error(codes::kBadJudge, s.value->range, "`labels` is empty");
      continue;
    }
    if (s.name == "on_error") {
      if (auto v = constant_number(*s.value, "`on_error`")) judge.on_error = *v;
      continue;
    }
    if (s.name == "group") {
      const bool literal = s.value->kind == ast::ExprKind::kString;
      const std::string how = literal ? s.value->as<ast::StringExpr>().value : "";
      if (how != "rank" && how != "score") {
        error(codes::kBadJudge, s.value->range, "`group` is \"rank\" or \"score\"",
              "\"rank\" orders the completions of a group; \"score\" scores each of them");
      } else {
        judge.group = how;
      }
      continue;
    }
    if (s.name == "max_group") {
      if (auto v = constant_number(*s.value, "`max_group`")) {
        if (*v < 2 || *v > 64 || *v != static_cast<int>(*v)) {
          error(codes::kBadJudge, s.value->range, "`max_group` is a whole number from 2 to 64");
        } else {
          judge.max_group = static_cast<int>(*v);
        }
      }
      continue;
    }
    const types::Type* want =
        (s.name == "timeout" || s.name == "retries" || s.name == "temperature" ||
         s.name == "max_tokens" || s.name == "rpm" || s.name == "concurrency")
            ? types::num()
            : types::str();
    check(*s.value, scope, want);
    require(*s.value, want, "judge setting `" + s.name + "`");
    if (s.name == "prompt") {
      has_prompt = true;
      check_judge_template(judge, s);
    }
    if (s.name == "json") {
      if (s.value->kind == ast::ExprKind::kString) {
        judge.json_field = s.value->as<ast::StringExpr>().value;
      } else {
        error(codes::kNotConstant, s.value->range, "`json` must be a string literal");
      }
    }
    if (s.name == "model") has_model = true;
  }
  // A misspelled setting was reported already; do not also report the one it was meant to be.
  if (has_unknown) return;
  if (!has_prompt) {
    error(codes::kBadJudge, judge.name_range, "judge `" + judge.name + "` has no `prompt`");
  }
  if (!has_model) {
    error(codes::kBadJudge, judge.name_range, "judge `" + judge.name + "` has no `model`");
  }
  const bool grouped = contains_setting(judge, "group");
  if (judge.group == "rank") {
    if (has_scale || has_labels) {
      error(codes::kBadJudge, judge.name_range,
            "judge `" + judge.name + "` ranks its group, so it takes no `scale` or `labels`",
            "the best completion scores 1 and the worst 0; `group = \"score\"` reads a score each");
    }
  } else if (has_scale == has_labels && !(grouped && judge.group.empty())) {
    error(codes::kBadJudge, judge.name_range,
          "judge `" + judge.name + "` needs exactly one of `scale` and `labels`",
          "`scale = 1..10` reads a number; `labels = { \"yes\": 1, \"no\": 0 }` reads a label");
  }
  if (contains_setting(judge, "max_group") && !grouped) {
    error(codes::kBadJudge, judge.name_range,
          "`max_group` is for group judges", "add `group = \"rank\"` or `group = \"score\"`");
  }
  if (has_prompt && !judge.group.empty() &&
      !has_placeholder(judge.prompt_template, "completions")) {
    error(codes::kBadJudge, judge.name_range,
          "group judge `" + judge.name + "` has no `{completions}` in its prompt",
          "{completions} is where the group's completions go, each in <answer id=\"k\">");
  }
  // Completions are grouped by the prompt they render: one that names no prompt, item field or
  // parameter groups every completion of a batch together.
  if (has_prompt && !judge.group.empty()) {
    bool varies = false;
    for (const std::string& name : placeholders(judge.prompt_template)) {
      varies |= name == "prompt" || name.starts_with("item.");
      for (const auto& p : judge.params) varies |= name == p.name;
    }
    if (!varies) {
      warning(codes::kGroupForAll, judge.name_range,
              "group judge `" + judge.name + "` renders the same prompt for every sample",
              "completions of different prompts would be compared; add {prompt} to its prompt");
    }
  }
  if (judge.on_error < 0 || judge.on_error > 1) {
    error(codes::kBadJudge, judge.name_range, "`on_error` must be between 0 and 1",
          "a judge's score is normalized to 0..1, and so is its fallback");
  }
}

// Placeholders: {prompt}, {completion}, {item.field}, {param}; {{ and }} are literal braces.
void Checker::check_judge_template(ast::JudgeDecl& judge, const ast::Setting& s) {
  if (s.value->kind != ast::ExprKind::kString) {
    error(codes::kNotConstant, s.value->range, "a judge's `prompt` must be a string literal");
    return;
  }
  const std::string& text = s.value->as<ast::StringExpr>().value;
  judge.prompt_template = text;
  // A group judge sees the group's completions, not one of them.
  const bool grouped = contains_setting(judge, "group");
  std::vector<std::string> names = {"prompt", grouped ? "completions" : "completion"};
  for (auto& p : judge.params) names.push_back(p.name);
  bool unclosed = false;
  for (const std::string& name : placeholders(text, &unclosed)) {
    // {item.field} is checked against the item of the spec that calls the judge.
    if (name.starts_with("item.") || std::find(names.begin(), names.end(), name) != names.end()) {
      continue;
    }
    std::string hint = did_you_mean(name, names);
    if (grouped && name == "completion") {
      hint = "a group judge reads the group's completions: {completions}";
    } else if (!grouped && name == "completions") {
      hint = "{completions} is for group judges (`group = \"rank\"` or `\"score\"`)";
    } else if (hint.empty()) {
      hint = "placeholders are {prompt}, {completion}, {item.field} and the judge's parameters";
    }
    error(codes::kBadJudge, s.value->range,
          "unknown placeholder `{" + name + "}` in the judge prompt", hint);
  }
  if (unclosed) {
    error(codes::kBadJudge, s.value->range, "unclosed `{` in the judge prompt",
          "write `{{` for a literal brace");
  }
}

void Checker::check_reward(ast::RewardDecl& reward) {
  Scope scope;
  scope.place = Place::kReward;
  scope.reward = &reward;
  // Lets, components and monitors share one namespace, in source order.
  struct Binding {
    uint32_t at;
    ast::LetDecl* let;
    ast::ComponentDecl* comp;
  };
  std::vector<Binding> order;
  for (auto& l : reward.lets) order.push_back({l->range.begin, l.get(), nullptr});
  for (auto& c : reward.components) order.push_back({c->range.begin, nullptr, c.get()});
  for (auto& c : reward.monitors) order.push_back({c->range.begin, nullptr, c.get()});
  std::sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.at < b.at; });
  for (size_t i = 0; i < reward.lets.size(); ++i) reward.lets[i]->slot = static_cast<int>(i);
  for (size_t i = 0; i < reward.components.size(); ++i) {
    reward.components[i]->slot = static_cast<int>(i);
  }
  for (size_t i = 0; i < reward.monitors.size(); ++i) {
    reward.monitors[i]->slot = static_cast<int>(reward.components.size() + i);
  }
  for (auto& b : order) {
    const std::string& name = b.let ? b.let->name : b.comp->name;
    SourceRange at = b.let ? b.let->name_range : b.comp->name_range;
    if (scope.locals.count(name) != 0) {
      error(codes::kDuplicate, at, "`" + name + "` is already declared in reward `" + reward.name + "`");
    } else if (name == "prompt" || name == "completion") {
      error(codes::kDuplicate, at, "`" + name + "` is the sample's own; choose another name");
    }
    if (b.let) {
      check_let(*b.let, scope);
      scope.locals[name] = b.let;
      continue;
    }
    ast::ComponentDecl& c = *b.comp;
    const std::string what = (c.monitor ? "monitor `" : "component `") + c.name + "`";
    scope.reads_monitors = c.monitor;
    c.type = check(*c.value, scope, types::num());
    scope.reads_monitors = false;
    require_numeric(*c.value, what);
    if (c.lo && c.hi) {
      c.lo_value = constant_number(*c.lo, c.monitor ? "a monitor bound" : "a component bound");
      c.hi_value = constant_number(*c.hi, c.monitor ? "a monitor bound" : "a component bound");
      if (c.lo_value && c.hi_value && !(*c.lo_value <= *c.hi_value)) {
        error(codes::kBadSetting, SourceRange::cover(c.lo->range, c.hi->range),
              "the bounds of `" + c.name + "` must go from low to high");
      }
    }
    scope.locals[name] = &c;
  }
  if (!reward.total) {
    // A statement with a syntax error may have been the total; it was reported already.
    if (!reward.incomplete) {
      error(codes::kMissingTotal, reward.name_range, "reward `" + reward.name + "` has no `total`",
            "add `total = ...`; rft never sums components silently");
    }
  } else {
    check(*reward.total, scope, types::num());
    require_numeric(*reward.total, "`total`");
  }
  std::unordered_set<std::string> seen;
  for (auto& s : reward.settings) {
    if (!contains(kRewardSettings, s.name)) {
      error(codes::kBadSetting, s.name_range, "unknown reward setting `" + s.name + "`",
            s.name == "let" || s.name == "component" || s.name == "monitor" ? ""
            : did_you_mean(s.name, to_vector(kRewardSettings)).empty()
                ? "a reward holds `let`, `component`, `monitor`, `total` and `on_invalid`"
                : did_you_mean(s.name, to_vector(kRewardSettings)));
      continue;
    }
    if (!seen.insert(s.name).second) {
      error(codes::kDuplicate, s.name_range, "`" + s.name + "` is set twice");
      continue;
    }
    if (auto v = constant_number(*s.value, "`on_invalid`")) reward.on_invalid = *v;
  }
}

void Checker::check_test(ast::TestDecl& test) {
  const ast::RewardDecl* target = m_.find_reward(test.reward);
  if (target == nullptr) {
    if (broken_.count(test.reward) != 0) return;
    std::vector<std::string> names;
    for (auto& r : m_.rewards) names.push_back(r->name);
    error(codes::kUnknownReward, test.reward_range, "no reward named `" + test.reward + "`",
          did_you_mean(test.reward, names));
    return;
  }
  test.target = target;
  std::unordered_set<std::string> seen;
  for (auto& in : test.inputs) {
    if (!contains(kTestInputs, in.name)) {
      error(
          codes::kBadTest, in.name_range, "unknown test input `" + in.name + "`",
          did_you_mean(in.name, to_vector(kTestInputs)).empty()
              ? "a test sets `prompt`, `completion`, `truncated`, `item`, `judge NAME` and `expect`"
              : did_you_mean(in.name, to_vector(kTestInputs)));
      continue;
    }
    if (!seen.insert(in.name).second) {
      error(codes::kDuplicate, in.name_range, "`" + in.name + "` is given twice");
    }
    Scope scope;
    scope.place = Place::kConstant;
    const types::Type* want = in.name == "truncated" ? types::boolean() : types::str();
    check(*in.value, scope, want);
    require(*in.value, want, "`" + in.name + "`");
  }
  check_test_item(test);
  for (auto& j : test.judges) {
    auto it = std::find_if(target->judges_used.begin(), target->judges_used.end(),
                           [&](const ast::JudgeDecl* d) { return d->name == j.name; });
    if (it == target->judges_used.end()) {
      std::vector<std::string> names;
      for (auto* d : target->judges_used) names.push_back(d->name);
      error(codes::kBadTest, j.name_range,
            "reward `" + target->name + "` calls no judge named `" + j.name + "`",
            did_you_mean(j.name, names));
      continue;
    }
    j.judge = *it;
    if (auto v = constant_number(*j.value, "a judge's value in a test")) {
      if (*v < 0 || *v > 1) {
        error(codes::kBadTest, j.value->range, "a judge's value is a score between 0 and 1");
      }
    }
  }
  Scope scope;
  scope.place = Place::kExpect;
  scope.reward = const_cast<ast::RewardDecl*>(target);
  for (auto& l : target->lets) scope.locals[l->name] = l.get();
  for (auto& c : target->components) scope.locals[c->name] = c.get();
  for (auto& c : target->monitors) scope.locals[c->name] = c.get();
  scope.reads_monitors = true;
  for (auto& ex : test.expects) {
    check(*ex.cond, scope, types::boolean());
    require_bool(*ex.cond, "`expect`");
    if (ex.tolerance) {
      bool approx = ex.cond->kind == ast::ExprKind::kBinary &&
                    ex.cond->as<ast::BinaryExpr>().op == ast::BinaryOp::kApprox;
      if (!approx) {
        error(codes::kBadTest, ex.tolerance->range, "`within` follows a `~=` comparison",
              "write `expect total ~= 0.5 within 0.01`");
      }
      if (auto tol = constant_number(*ex.tolerance, "a tolerance"); tol && *tol < 0) {
        error(codes::kBadTest, ex.tolerance->range, "a tolerance cannot be negative");
      }
    }
  }
}

void Checker::check_test_item(ast::TestDecl& test) {
  if (!test.item) {
    // A row without its required fields cannot be graded; neither can a test without them.
    if (!m_.item) return;
    for (const auto& f : m_.item->fields) {
      if (f.type == nullptr || types::is_optional(f.type)) continue;
      error(codes::kBadTest, test.reward_range, "this test gives no `item`",
            "the spec's rows have required fields; add `item = { " + f.name + ": ... }`");
      return;
    }
    return;
  }
  if (test.item->kind != ast::ExprKind::kObject) {
    error(codes::kBadTest, test.item->range, "`item` is given as an object",
          "write `item = { answer: \"42\" }`");
    return;
  }
  auto& obj = test.item->as<ast::ObjectExpr>();
  if (!m_.item) {
    error(codes::kNoItemDecl, test.item->range, "this file declares no `item` fields",
          "declare them, as in `item { answer: str }`");
    return;
  }
  std::vector<std::string> names;
  for (auto& f : m_.item->fields) names.push_back(f.name);
  std::unordered_set<std::string> given;
  for (auto& f : obj.fields) {
    const ast::ItemField* decl = m_.item->find(f.key);
    if (decl == nullptr) {
      error(codes::kUnknownItemField, f.key_range, "`" + f.key + "` is not an item field",
            did_you_mean(f.key, names));
      continue;
    }
    given.insert(f.key);
    Scope scope;
    scope.place = Place::kConstant;
    check(*f.value, scope, decl->type);
    require(*f.value, decl->type, "item field `" + f.key + "`");
  }
  for (auto& f : m_.item->fields) {
    if (given.count(f.name) == 0 && !types::is_optional(f.type)) {
      error(codes::kBadTest, test.item->range, "item field `" + f.name + "` is missing",
            "declare it `" + f.name + ": " + types::to_string(f.type) + "?` if rows may omit it");
    }
  }
}

}  // namespace rft::check
