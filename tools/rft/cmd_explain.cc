// rft explain FILE --reward NAME --sample JSON: grade one sample and show every value.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "compiler/driver/suggest.h"
#include "compiler/interp/interpreter.h"
#include "compiler/interp/item.h"
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
};

// Judges named on the command line answer with their given value; others are unavailable.
class FixedJudges : public interp::JudgeProvider {
 public:
  std::map<std::string, double> values;
  std::optional<double> score(const ast::JudgeDecl& j, const std::string&) override {
    auto it = values.find(j.name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

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
  try {
    row = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(std::string("--sample is not valid JSON: ") + e.what());
  }
  if (!row.is_object()) {
    return fail("--sample must be a JSON object such as "
                "'{\"completion\": \"...\", \"prompt\": \"...\", \"answer\": \"42\"}'");
  }
  auto completion = row.find("completion");
  if (completion == row.end() || !completion->is_string()) {
    return fail("the sample needs a string field \"completion\"");
  }
  auto prompt = row.find("prompt");
  if (prompt != row.end() && !prompt->is_string()) return fail("\"prompt\" must be a string");
  std::vector<std::string> problems = interp::validate_item(row, owner->item.get());
  if (!problems.empty()) {
    for (const auto& pr : problems) std::cerr << "rft explain: sample: " << pr << "\n";
    return kUserError;
  }

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

  interp::Interpreter interp(*p);
  grader::Context ctx;
  interp::Sample sample{prompt == row.end() ? std::string_view() : prompt->get_ref<const std::string&>(),
                        completion->get_ref<const std::string&>(), &row};
  interp::Result r = interp.grade(*reward, sample, ctx, &judges, /*record_bindings=*/true);

  if (o.json) {
    nlohmann::json out;
    out["reward"] = reward->name;
    out["total"] = r.total;
    out["components"] = nlohmann::json::object();
    for (size_t i = 0; i < reward->components.size(); ++i) {
      out["components"][reward->components[i]->name] = r.components[i];
    }
    out["lets"] = nlohmann::json::object();
    for (const auto& b : r.bindings) {
      if (b.kind == "let") out["lets"][b.name] = b.evaluated ? nlohmann::json(b.value) : nlohmann::json();
    }
    out["flags"] = r.flags;
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
              << (b.kind == "component" ? "component  " : "let        ") << b.value << "\n";
  }
  std::cout << "flags: ";
  if (r.flags.empty()) std::cout << "(none)";
  for (size_t i = 0; i < r.flags.size(); ++i) std::cout << (i ? ", " : "") << r.flags[i];
  std::cout << "\n";
  return kOk;
}

}  // namespace

void add_explain(CLI::App& app, Command& run) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Grade one sample and print the total, each component and each let");
  cmd->add_option("file", o->file, "The .reward file")->required();
  cmd->add_option("--reward", o->reward, "Which reward to evaluate")->required();
  cmd->add_option("--sample", o->sample,
                  "The sample as JSON, or @FILE: {\"completion\": ..., \"prompt\": ..., "
                  "item fields...}")
      ->required();
  cmd->add_option("--judge", o->judges, "A judge's score, NAME=VALUE in 0..1 (repeatable)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, &run] { run = [o] { return run_explain(*o); }; });
}

}  // namespace rft::cli
