#include "compiler/grading/grader.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "compiler/codegen/codegen.h"
#include "compiler/interp/item.h"
#include "compiler/program/analysis.h"
#include "runtime/common/suggest.h"
#include "runtime/grader/code_lint.h"
#include "runtime/grader/parallel.h"
#include "runtime/grader/sandbox.h"
#include "runtime/judge/group.h"
#include "runtime/judge/provider.h"

namespace rft {
namespace {

// The interpreter's view of the judge service.
class ServiceJudges final : public interp::JudgeProvider {
 public:
  explicit ServiceJudges(judge::JudgeService& s) : s_(s) {}
  std::optional<double> score(const ast::JudgeDecl& j, const std::string& prompt) override {
    return s_.score(j.name, prompt);
  }

 private:
  judge::JudgeService& s_;
};

// Batches graded in passes for group judges (runtime/judge/group.h).
class JudgePasses final : public GradingPasses {
 public:
  JudgePasses(judge::JudgeService& s, std::span<const Sample> samples)
      : round_(s, completions(samples)) {}
  void enter(size_t index) override { round_.enter(index); }
  void leave() override { round_.leave(); }
  std::vector<size_t> after_pass(int threads) override { return round_.resolve(threads); }

 private:
  static std::vector<std::string_view> completions(std::span<const Sample> samples) {
    std::vector<std::string_view> out;
    for (const auto& s : samples) out.push_back(s.completion);
    return out;
  }
  judge::GroupRound round_;
};

// A judge's settings, evaluated: they are constant expressions that may read env(...).
judge::JudgeSpec judge_spec(const ast::JudgeDecl& j, const ast::RewardDecl& reward,
                            const interp::Interpreter& interp) {
  judge::JudgeSpec spec;
  spec.name = j.name;
  spec.scale_lo = j.scale_lo;
  spec.scale_hi = j.scale_hi;
  spec.labels = j.labels;
  spec.json_field = j.json_field;
  spec.group = j.group;
  spec.max_group = j.max_group;
  grader::Context ctx;
  interp::Evaluation ev(interp, reward, Sample{}, ctx, nullptr);
  for (const auto& s : j.settings) {
    if (!s.value || s.range_hi) continue;
    const std::string& n = s.name;
    if (n == "prompt" || n == "labels" || n == "json" || n == "on_error" || n == "group" ||
        n == "max_group") {
      continue;
    }
    rft_value v = ev.eval(*s.value);
    if (v.tag == RFT_STR) {
      std::string text(grader::view_str(v));
      if (n == "endpoint") spec.endpoint = text;
      if (n == "model") spec.model = text;
      if (n == "system") spec.system = text;
      if (n == "api_key_env") spec.api_key_env = text;
    } else if (v.tag == RFT_NUM) {
      double x = v.as.num;
      if (n == "temperature") spec.temperature = x;
      if (n == "max_tokens") spec.max_tokens = static_cast<int>(x);
      if (n == "timeout") spec.timeout_s = x;
      if (n == "retries") spec.retries = static_cast<int>(x);
      if (n == "rpm") spec.rpm = x;
      if (n == "concurrency") spec.concurrency = static_cast<int>(x);
    }
  }
  return spec;
}

}  // namespace

LoadedReward load_reward(const std::string& spec, const std::string& name) {
  LoadedReward out;
  out.spec = spec;
  out.program = load_program({spec});
  if (!out.program->ok()) return out;
  out.reward = out.program->find_reward(name, &out.module);
  if (out.reward == nullptr) {
    std::vector<std::string> names;
    for (const auto* m : out.program->roots) {
      for (const auto& r : m->rewards) names.push_back(r->name);
    }
    std::string hint = did_you_mean(name, names);
    out.missing = "no reward named `" + name + "` in " + spec + (hint.empty() ? "" : "; " + hint);
  }
  return out;
}

GraderEngine::~GraderEngine() = default;

Expected<std::unique_ptr<GraderEngine>> GraderEngine::create(LoadedReward loaded, EngineKind engine,
                                                             bool use_cache,
                                                             const judge::ServiceOptions* judges) {
  std::unique_ptr<GraderEngine> g(new GraderEngine());
  g->loaded_ = std::move(loaded);
  g->item_fields_ = interp::item_fields(g->item());
  const Program& p = *g->loaded_.program;
  const std::string& spec = g->loaded_.spec;
  const ast::RewardDecl& reward = *g->loaded_.reward;
  const std::string& name = reward.name;
  // A reward that runs code needs the sandbox: say so once, instead of every sample failing.
  if (program::runs_code(reward)) {
    if (const std::string& why = grader::sandbox_problem(); !why.empty()) {
      return failure("reward `" + name + "` runs code, but " + why);
    }
  }
  // And one that lints needs the linters.
  if (program::calls_builtin(reward, {"rft_b_lint_code"})) {
    if (const std::string why = grader::lint_tools_problem(""); !why.empty()) {
      return failure("reward `" + name + "` lints code, but " + why);
    }
  }
  if (engine == EngineKind::kInterp || !reward.judges_used.empty()) {
    g->interp_ = std::make_unique<interp::Interpreter>(p);
  }
  if (!reward.judges_used.empty()) {
    std::vector<judge::JudgeSpec> specs;
    for (const ast::JudgeDecl* j : reward.judges_used) {
      specs.push_back(judge_spec(*j, reward, *g->interp_));
    }
    judge::ServiceOptions defaults;
    Expected<std::unique_ptr<judge::JudgeService>> service =
        judge::JudgeService::create(std::move(specs), judges ? *judges : defaults);
    if (!service) return failure(service.error());
    g->judges_ = std::move(service).value();
    g->judge_provider_ = std::make_unique<ServiceJudges>(*g->judges_);
  }
  if (engine == EngineKind::kInterp) {
    g->engine_ = std::make_unique<InterpEngine>(*g->interp_, reward, g->judge_provider_.get());
    g->grade_groups();
    return g;
  }
  const rft_reward_info* info = nullptr;
  if (engine == EngineKind::kJit) {
    auto cannot_compile = [&](const std::string& why) {
      return failure("cannot compile `" + spec + "`: " + why +
                     " (the interp engine grades without compiling)");
    };
    Expected<std::unique_ptr<codegen::Jit>> jit = codegen::Jit::create();
    if (!jit) return cannot_compile(jit.error());
    g->jit_ = std::move(jit).value();
    codegen::JitOptions jo;
    jo.use_cache = use_cache;
    Expected<std::unique_ptr<codegen::JitGrader>> jitted = g->jit_->load(p, jo);
    if (!jitted) return cannot_compile(jitted.error());
    g->jitted_ = std::move(jitted).value();
    info = g->jitted_->find(name);
  } else if (engine == EngineKind::kAot) {
    // A shared object, loaded the way any other program would load it.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = fs::temp_directory_path(ec) / ("rft-aot-" + std::to_string(getpid()) + "-" +
                                                 std::to_string(reinterpret_cast<uintptr_t>(g.get())));
    fs::create_directories(dir, ec);
    std::string so = (dir / "grader.so").string();
    std::string why;
    if (Expected<void> built = codegen::compile_to_file(p, codegen::CompileOptions{}, so); built) {
      char message[512] = "";
      g->shared_.reset(rft_grader_open(so.c_str(), message, sizeof message));
      if (!g->shared_) why = message;
    } else {
      why = built.error();
    }
    fs::remove_all(dir, ec);  // the loaded object stays mapped
    if (!g->shared_) return failure("cannot build a shared object for `" + spec + "`: " + why);
    info = rft_grader_find(g->shared_.get(), name.c_str());
  }
  if (info == nullptr) return failure("no compiled grader for reward `" + name + "`");
  if (g->judges_) {
    g->engine_ =
        std::make_unique<NativeEngine>(*info, rft_judge_service_callback, g->judges_.get());
  } else {
    g->engine_ = std::make_unique<NativeEngine>(*info);
  }
  g->grade_groups();
  return g;
}

void GraderEngine::grade_groups() {
  bool grouped = false;
  for (const ast::JudgeDecl* j : loaded_.reward->judges_used) grouped |= !j->group.empty();
  if (!grouped) return;
  judge::JudgeService* service = judges_.get();
  engine_->set_passes([service](std::span<const Sample> samples) {
    return std::make_unique<JudgePasses>(*service, samples);
  });
}

const ast::ItemDecl* GraderEngine::item() const { return loaded_.module->item.get(); }

ValueNames GraderEngine::value_names() const {
  ValueNames names;
  for (const auto& c : loaded_.reward->components) names.components.push_back(c->name);
  for (const auto& m : loaded_.reward->monitors) names.monitors.push_back(m->name);
  return names;
}

int GraderEngine::pass_component(const std::string& name) const {
  const auto& components = loaded_.reward->components;
  for (size_t i = 0; i < components.size(); ++i) {
    const types::Type* t = components[i]->type;
    bool boolean = t != nullptr && t->kind == types::Kind::kBool;
    if (name.empty() ? boolean : components[i]->name == name) return static_cast<int>(i);
  }
  return name.empty() ? -1 : -2;
}

int GraderEngine::grading_threads(int requested) const {
  int n = requested > 0 ? requested : grader::default_threads();
  // Threads that call judges mostly wait on the network; the endpoints' limits bound them.
  constexpr int kMaxJudgeThreads = 64;
  if (judges_) n = std::max(n, std::min(judges_->max_concurrency(), kMaxJudgeThreads));
  return n;
}

std::vector<Grade> GraderEngine::grade(std::span<const Sample> samples,
                                                int threads) const {
  return grade_batch(*engine_, samples, grading_threads(threads));
}

std::vector<std::string> GraderEngine::check_item(const nlohmann::json& row) const {
  return interp::validate_item(row, item_fields_);
}

namespace {

// Throws JudgeFailures when, between `before` and now, more than `limit` of some judge's
// requests failed.
void check_judge_failures(const judge::JudgeService& judges,
                          const std::vector<judge::JudgeTally>& before, double limit) {
  std::vector<judge::JudgeTally> now = judges.tallies();
  for (size_t i = 0; i < now.size() && i < before.size(); ++i) {
    const long asked = now[i].asked - before[i].asked;
    const long failed = now[i].failed - before[i].failed;
    if (asked <= 0 || static_cast<double>(failed) <= limit * static_cast<double>(asked)) continue;
    char share[32];
    std::snprintf(share, sizeof share, "%g", limit * 100);
    throw JudgeFailures(
        "judge `" + now[i].judge + "` failed " + std::to_string(failed) + " of " +
        std::to_string(asked) + " requests in one batch, more than the " + share +
        "% that `reward.max_judge_failures` allows (first error: " + now[i].first_error +
        "); the job stops rather than score with its on_error values");
  }
}

}  // namespace

train::GradeFn grade_fn(const GraderEngine& grader, int threads, std::atomic<long>* skipped,
                        double max_judge_failures) {
  return
      [&grader, threads, skipped, max_judge_failures](const std::vector<train::Rollout>& rollouts) {
        const judge::JudgeService* judges = max_judge_failures < 1 ? grader.judges() : nullptr;
        std::vector<judge::JudgeTally> before;
        if (judges != nullptr) before = judges->tallies();
        std::vector<Sample> samples(rollouts.size());
        for (size_t i = 0; i < rollouts.size(); ++i) {
          samples[i] =
              Sample{rollouts[i].prompt, rollouts[i].completion,
                             rollouts[i].example != nullptr ? &rollouts[i].example->row : nullptr,
                             rollouts[i].truncated};
        }
        std::vector<Grade> results = grader.grade(samples, threads);
        std::vector<train::Score> scores(results.size());
        long gated = 0;
        for (size_t i = 0; i < results.size(); ++i) {
          gated += static_cast<long>(interp::skipped_by_gating(results[i]));
          scores[i].total = results[i].total;
          scores[i].components = std::move(results[i].components);
          scores[i].monitors = std::move(results[i].monitors);
          scores[i].flags = interp::problem_flags(results[i]);
        }
        if (skipped != nullptr) *skipped += gated;
        if (judges != nullptr) check_judge_failures(*judges, before, max_judge_failures);
        return scores;
      };
}

nlohmann::json judge_exchanges_json(const std::vector<judge::JudgeExchange>& exchanges) {
  nlohmann::json out = nlohmann::json::array();
  for (const judge::JudgeExchange& e : exchanges) {
    nlohmann::json j = {{"judge", e.judge}, {"prompt", e.prompt}, {"reply", e.reply}};
    if (!e.error.empty()) j["error"] = e.error;
    j["cached"] = e.cached;
    out.push_back(std::move(j));
  }
  return out;
}

nlohmann::json judge_counters(const GraderEngine& grader, long skipped) {
  const judge::JudgeService* j = grader.judges();
  if (j == nullptr) return nlohmann::json();
  judge::JudgeCounters c = j->counters();
  return {{"calls", c.calls},
          {"cache_hits", c.cache_hits},
          {"misses", c.misses},
          {"skipped", skipped},
          {"errors", c.errors}};
}

std::string judge_summary(const GraderEngine& grader, long skipped) {
  const judge::JudgeService* j = grader.judges();
  if (j == nullptr) return "";
  judge::JudgeCounters c = j->counters();
  std::string out = "judges: " + std::to_string(c.calls) + " calls, " +
                    std::to_string(c.cache_hits) + " cache hits, " + std::to_string(c.misses) +
                    " misses, " + std::to_string(skipped) + " skipped by gating, " +
                    std::to_string(c.errors) + " errors\n";
  for (const std::string& line : j->error_summary()) out += line + "\n";
  return out;
}

Expected<std::unique_ptr<SharedGrader>> SharedGrader::open(const std::string& path,
                                                           const std::string& reward) {
  {
    std::ifstream f(path, std::ios::binary);
    char magic[4] = {0};
    if (f && f.read(magic, 4) && std::string_view(magic, 4) != "\x7f" "ELF") {
      return failure("`" + path +
                     "` is not a shared object (as `rft compile` writes); a .reward spec is "
                     "graded from the spec");
    }
  }
  std::unique_ptr<SharedGrader> g(new SharedGrader());
  char why[512] = {0};
  g->so_.reset(rft_grader_open(path.c_str(), why, sizeof why));
  if (!g->so_) return failure("cannot load `" + path + "`: " + why);
  const rft_grader_info* all = rft_grader_get_info(g->so_.get());
  std::vector<std::string> names;
  for (uint32_t i = 0; i < all->n_rewards; ++i) names.push_back(all->rewards[i].name);
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + ("`" + n + "`");
  const rft_reward_info* info = nullptr;
  if (!reward.empty()) {
    info = rft_grader_find(g->so_.get(), reward.c_str());
    if (info == nullptr) {
      std::string hint = did_you_mean(reward, names);
      return failure("no reward named `" + reward + "` in " + path +
                     (hint.empty() ? "" : "; " + hint) + " (it has " + list + ")");
    }
  } else if (all->n_rewards == 1) {
    info = &all->rewards[0];
  } else {
    return failure("`" + path + "` holds several rewards (" + list + "); name one");
  }
  if (info->n_judges > 0) {
    std::string judges;
    for (uint32_t i = 0; i < info->n_judges; ++i) {
      judges += (i ? ", " : "") + ("`" + std::string(info->judges[i]) + "`");
    }
    return failure("reward `" + std::string(info->name) + "` calls judges (" + judges +
                   "), whose settings are in its spec: grade it from the spec (the aot engine "
                   "builds the same shared object)");
  }
  g->name_ = info->name;
  g->names_.components.assign(info->components, info->components + info->n_components);
  g->names_.monitors.assign(info->monitors, info->monitors + info->n_monitors);
  g->item_fields_ = interp::item_fields(*info);
  g->engine_ = std::make_unique<NativeEngine>(*info);
  return g;
}

namespace {

class EngineJobGrader final : public train::JobGrader {
 public:
  explicit EngineJobGrader(std::unique_ptr<GraderEngine> g) : g_(std::move(g)) {}
  std::vector<std::string> component_names() const override { return g_->value_names().components; }
  std::vector<std::string> monitor_names() const override { return g_->value_names().monitors; }
  int pass_component(const std::string& name) const override { return g_->pass_component(name); }
  std::vector<std::string> check_item(const nlohmann::json& row) const override {
    return g_->check_item(row);
  }
  train::GradeFn grade_fn(int threads, double max_judge_failures) override {
    return rft::grade_fn(*g_, threads, &skips_, max_judge_failures);
  }
  bool calls_judges() const override { return g_->judges() != nullptr; }
  nlohmann::json judge_counters() const override { return rft::judge_counters(*g_, skips_); }
  std::string judge_summary() const override { return rft::judge_summary(*g_, skips_); }

 private:
  std::unique_ptr<GraderEngine> g_;
  std::atomic<long> skips_{0};
};

}  // namespace

std::unique_ptr<train::JobGrader> job_grader(std::unique_ptr<GraderEngine> grader) {
  return std::make_unique<EngineJobGrader>(std::move(grader));
}

}  // namespace rft
