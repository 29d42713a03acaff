#include "compiler/driver/spec_tests.h"

#include <cmath>
#include <map>
#include <set>

#include "compiler/interp/item.h"
#include "runtime/grader/value_ops.h"

namespace rft {
namespace {

// Judges in a test return the values the test gives; a judge without one fails the test, since a
// silent fallback would make the test pass or fail for the wrong reason.
class GivenJudges : public interp::JudgeProvider {
 public:
  explicit GivenJudges(const ast::TestDecl& t) {
    for (const auto& j : t.judges) {
      const ast::Expr& v = *j.value;
      double x = v.kind == ast::ExprKind::kNumber ? v.as<ast::NumberExpr>().value
                 : v.kind == ast::ExprKind::kUnary
                     ? -v.as<ast::UnaryExpr>().operand->as<ast::NumberExpr>().value
                     : 0;
      values_[j.judge] = x;
    }
  }
  std::optional<double> score(const ast::JudgeDecl& judge, const std::string&) override {
    auto it = values_.find(&judge);
    if (it == values_.end()) {
      missing.push_back(&judge);
      return std::nullopt;
    }
    return it->second;
  }
  std::vector<const ast::JudgeDecl*> missing;

 private:
  std::map<const ast::JudgeDecl*, double> values_;
};

std::string_view source_text(const Program& p, SourceRange r) {
  const std::string& text = p.sources.file(r.file).text();
  if (r.end > text.size() || r.begin > r.end) return {};
  return std::string_view(text).substr(r.begin, r.end - r.begin);
}

std::string location(const Program& p, SourceRange r) {
  const SourceFile& f = p.sources.file(r.file);
  LineCol lc = f.line_col(r.begin);
  return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

double to_num(const rft_value& v) {
  return v.tag == RFT_BOOL ? static_cast<double>(v.as.boolean) : v.as.num;
}

}  // namespace

std::vector<TestOutcome> run_spec_tests(const Program& program, const ast::Module& module,
                                        const interp::Interpreter& interp) {
  std::vector<TestOutcome> outcomes;
  for (const auto& test : module.tests) {
    TestOutcome outcome;
    outcome.test = test.get();
    if (test->target == nullptr) continue;
    const ast::RewardDecl& reward = *test->target;
    std::string head = location(program, test->range) + ": test \"" + test->description +
                       "\" (" + reward.name + ")";

    // Inputs are constant expressions; evaluate them in a scratch context.
    grader::Context inputs_ctx;
    Sample empty;
    interp::Evaluation inputs(interp, reward, empty, inputs_ctx, nullptr);
    std::string prompt, completion;
    bool truncated = false;
    for (const auto& in : test->inputs) {
      rft_value v = inputs.eval(*in.value);
      if (in.name == "truncated") {
        truncated = v.tag == RFT_BOOL && v.as.boolean != 0;
        continue;
      }
      std::string s = v.tag == RFT_STR ? std::string(grader::view_str(v)) : std::string();
      (in.name == "prompt" ? prompt : completion) = s;
    }
    nlohmann::json item = nlohmann::json::object();
    if (test->item) item = interp::value_to_json(inputs.eval(*test->item));

    grader::Context ctx;
    GivenJudges judges(*test);
    Sample sample{prompt, completion, &item, truncated};
    interp::Evaluation ev(interp, reward, sample, ctx, &judges);
    ev.run(false);
    for (const auto& ex : test->expects) {
      const ast::Expr& cond = *ex.cond;
      std::string where = location(program, ex.range) + ": test \"" + test->description + "\" (" +
                          reward.name + ")";
      if (cond.kind == ast::ExprKind::kBinary && ast::is_comparison(cond.as<ast::BinaryExpr>().op)) {
        const auto& b = cond.as<ast::BinaryExpr>();
        rft_value l = ev.eval(*b.lhs);
        rft_value r = ev.eval(*b.rhs);
        bool ok;
        std::string expected = std::string(source_text(program, b.lhs->range)) + " " +
                               ast::spelling(b.op) + " " + interp::display_value(r);
        if (ex.tolerance) {
          double tol = ex.tolerance->kind == ast::ExprKind::kNumber
                           ? ex.tolerance->as<ast::NumberExpr>().value
                           : 0;
          ok = l.tag != RFT_NONE && r.tag != RFT_NONE && std::fabs(to_num(l) - to_num(r)) <= tol;
          expected += " within " + grader::format_num(tol);
        } else {
          rft_value v = ev.eval(cond);
          ok = v.tag == RFT_BOOL && v.as.boolean != 0;
        }
        if (!ok) {
          outcome.failures.push_back(where + ": expected " + expected + ", got " +
                                     interp::display_value(l));
        }
        continue;
      }
      rft_value v = ev.eval(cond);
      if (v.tag != RFT_BOOL || v.as.boolean == 0) {
        outcome.failures.push_back(where + ": expected `" +
                                   std::string(source_text(program, cond.range)) +
                                   "` to hold, got " + interp::display_value(v));
      }
    }
    // After the expectations, which may read bindings that call judges too.
    std::set<const ast::JudgeDecl*> reported;
    for (const ast::JudgeDecl* j : judges.missing) {
      if (!reported.insert(j).second) continue;
      outcome.failures.push_back(head + ": judge `" + j->name +
                                 "` was called but the test gives it no value (add `judge " +
                                 j->name + " = 0.5`)");
    }
    outcome.passed = outcome.failures.empty();
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace rft
