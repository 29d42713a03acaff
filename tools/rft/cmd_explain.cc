// rft explain FILE --reward NAME --sample JSON: grade one sample and show every value.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "compiler/interp/interpreter.h"
#include "compiler/interp/item.h"
#include "runtime/common/suggest.h"
#include "runtime/grader/value_ops.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct ExplainOptions {
  std::string file;
  std::string reward;
  std::string sample;
  std::vector<std::string> judges;
  bool json = false;
  bool call_judges = false;
  judge::ServiceOptions endpoints;
};

// Judges named on the command line answer with their given value; with --call-judges the others
// are asked (group judges excepted: they rank several completions); else they are unavailable.
class FixedJudges : public interp::JudgeProvider {
 public:
  std::map<std::string, double> values;
  interp::JudgeProvider* service = nullptr;
  const judge::JudgeService* judges = nullptr;
  std::optional<double> score(const ast::JudgeDecl& j, const std::string& prompt) override {
    auto it = values.find(j.name);
    if (it != values.end()) return it->second;
    if (service != nullptr && !judges->is_group(j.name)) return service->score(j, prompt);
    return std::nullopt;
  }
};

// Each request: the judge, its rendered prompt and the raw reply, indented under a heading.
void print_exchanges(const std::vector<judge::JudgeExchange>& exchanges) {
  auto block = [](const std::string& text) {
    std::istringstream in(text);
    std::string line;
    bool any = false;
    while (std::getline(in, line)) {
      std::cout << "  | " << line << "\n";
      any = true;
    }
    if (!any) std::cout << "  (empty)\n";
  };
  for (const judge::JudgeExchange& e : exchanges) {
    std::cout << "judge " << e.judge << ": prompt\n";
    block(e.prompt);
    std::cout << "judge " << e.judge << ": reply" << (e.cached ? " (from the cache)" : "") << "\n";
    block(e.reply);
    if (!e.error.empty()) std::cout << "judge " << e.judge << ": error: " << e.error << "\n";
  }
}

int fail(const std::string& msg) { return user_error("explain", msg); }

int run_explain(const ExplainOptions& o) {
  LoadedReward loaded = load_reward("explain", o.file, o.reward);
  if (loaded.reward == nullptr) return kUserError;
  const Program* p = loaded.program.get();
  const ast::RewardDecl* reward = loaded.reward;
  const ast::Module* owner = loaded.module;

  std::string text = o.sample;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in) return fail("cannot read the sample file `" + text.substr(1) + "`");
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  nlohmann::json row;
  if (std::string why = interp::read_sample_row(text, interp::item_fields(owner->item.get()), row); !why.empty()) {
    return fail("sample: " + why);
  }
  auto completion = row.find("completion");
  auto prompt = row.find("prompt");

  FixedJudges judges;
  for (const auto& j : o.judges) {
    size_t eq = j.find('=');
    char* end = nullptr;
    double v = eq == std::string::npos ? 0 : std::strtod(j.c_str() + eq + 1, &end);
    if (eq == std::string::npos || end == nullptr || *end != '\0' || v < 0 || v > 1) {
      return fail("--judge takes NAME=VALUE with a value between 0 and 1, got `" + j + "`");
    }
    std::string name = j.substr(0, eq);
    if (std::none_of(reward->judges_used.begin(), reward->judges_used.end(),
                     [&](const ast::JudgeDecl* d) { return d->name == name; })) {
      std::vector<std::string> names;
      for (const auto* d : reward->judges_used) names.push_back(d->name);
      std::string hint = did_you_mean(name, names);
      return fail("reward `" + reward->name + "` calls no judge named `" + name + "`" +
                  (hint.empty() ? "" : "; " + hint));
    }
    judges.values[name] = v;
  }

  // With --call-judges the reward's judges are set up as `rft grade` sets them up (endpoints
  // checked, API keys read, the cache), and every request is recorded.
  std::unique_ptr<GraderEngine> service;
  if (o.call_judges && !reward->judges_used.empty()) {
    service = open_grader("explain", o.file, o.reward, EngineKind::kInterp, true, &o.endpoints);
    if (!service) return kUserError;
    judges.service = service->judge_provider();
    judges.judges = service->judges();
  }
  interp::Interpreter interp(*p);
  grader::Context ctx;
  Sample sample{
      prompt == row.end() ? std::string_view() : prompt->get_ref<const std::string&>(),
      completion->get_ref<const std::string&>(), &row, interp::row_truncated(row)};
  judge::JudgeTranscript transcript;
  Grade r = interp.grade(*reward, sample, ctx, &judges, /*record_bindings=*/true);

  if (o.json) {
    nlohmann::json out;
    out["reward"] = reward->name;
    out["total"] = r.total;
    out["components"] = nlohmann::json::object();
    for (size_t i = 0; i < reward->components.size(); ++i) {
      out["components"][reward->components[i]->name] = r.components[i];
    }
    if (!reward->monitors.empty()) {
      out["monitors"] = nlohmann::json::object();
      for (size_t i = 0; i < reward->monitors.size(); ++i) {
        out["monitors"][reward->monitors[i]->name] = r.monitors[i];
      }
    }
    out["lets"] = nlohmann::json::object();
    for (const auto& b : r.bindings) {
      if (b.kind == "let") out["lets"][b.name] = b.evaluated ? nlohmann::json(b.value) : nlohmann::json();
    }
    out["flags"] = r.flags;
    if (o.call_judges) out["judges"] = judge_exchanges_json(transcript.exchanges);
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  size_t width = 5;
  for (const auto& b : r.bindings) width = std::max(width, b.name.size());
  std::cout << "reward " << reward->name << "\n";
  std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << "total" << "  "
            << grader::format_num(r.total) << "\n";
  for (const auto& b : r.bindings) {
    std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << b.name << "  "
              << std::setw(11) << b.kind << b.value << "\n";
  }
  std::cout << "flags: ";
  if (r.flags.empty()) std::cout << "(none)";
  for (size_t i = 0; i < r.flags.size(); ++i) std::cout << (i ? ", " : "") << r.flags[i];
  std::cout << "\n";
  print_exchanges(transcript.exchanges);
  return kOk;
}

}  // namespace

void add_explain(CLI::App& app, Command& run) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Grade one sample and print the total, each component, monitor and let");
  cmd->add_option("file", o->file, "The .reward file")->required();
  cmd->add_option("--reward", o->reward, "Which reward to evaluate")->required();
  cmd->add_option("--sample", o->sample,
                  "The sample as JSON, or @FILE: {\"completion\": ..., \"prompt\": ..., "
                  "item fields...}")
      ->required();
  cmd->add_option("--judge", o->judges, "A judge's score, NAME=VALUE in 0..1 (repeatable)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->add_flag("--call-judges", o->call_judges,
                "Ask the reward's judges (those without a --judge value) and show, per request, "
                "the rendered prompt and the raw reply");
  add_judge_flags(cmd, &o->endpoints);
  cmd->callback([o, &run] { run = [o] { return run_explain(*o); }; });
}

}  // namespace rft::cli
