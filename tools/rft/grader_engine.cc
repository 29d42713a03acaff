#include "tools/rft/grader_engine.h"

#include <unistd.h>

#include <filesystem>

#include "compiler/codegen/codegen.h"
#include "compiler/interp/item.h"

namespace rft::cli {

GraderEngine::~GraderEngine() = default;

std::unique_ptr<GraderEngine> GraderEngine::create(const std::string& command,
                                                   const std::string& spec,
                                                   const std::string& reward,
                                                   const std::string& engine, bool use_cache) {
  std::unique_ptr<GraderEngine> g(new GraderEngine());
  g->loaded_ = load_reward(command, spec, reward);
  if (g->loaded_.reward == nullptr) return nullptr;
  const Program& p = *g->loaded_.program;
  const std::string& name = g->loaded_.reward->name;
  std::string error;
  if (engine == "interp") {
    g->interp_ = std::make_unique<interp::Interpreter>(p);
    g->engine_ = std::make_unique<InterpEngine>(*g->interp_, *g->loaded_.reward);
    return g;
  }
  const rft_reward_info* info = nullptr;
  if (engine == "jit") {
    g->jit_ = codegen::Jit::create(&error);
    codegen::JitOptions jo;
    jo.use_cache = use_cache;
    if (g->jit_) g->jitted_ = g->jit_->load(p, jo, &error);
    if (!g->jitted_) {
      user_error(command, "cannot compile `" + spec + "`: " + error +
                              " (--engine interp grades without compiling)");
      return nullptr;
    }
    info = g->jitted_->find(name);
  } else if (engine == "aot") {
    // A shared object, loaded the way any other program would load it.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = fs::temp_directory_path(ec) / ("rft-" + command + "-" + std::to_string(getpid()));
    fs::create_directories(dir, ec);
    std::string so = (dir / "grader.so").string();
    if (codegen::compile_to_file(p, codegen::CompileOptions{}, so, &error)) {
      char why[512] = "";
      g->shared_.reset(rft_grader_open(so.c_str(), why, sizeof why));
      if (!g->shared_) error = why;
    }
    fs::remove_all(dir, ec);  // the loaded object stays mapped
    if (!g->shared_) {
      user_error(command, "cannot build a shared object for `" + spec + "`: " + error);
      return nullptr;
    }
    info = rft_grader_find(g->shared_.get(), name.c_str());
  } else {
    user_error(command, "unknown engine `" + engine + "`; the engines are jit, aot and interp");
    return nullptr;
  }
  if (info == nullptr) {
    user_error(command, "no compiled grader for reward `" + name + "`");
    return nullptr;
  }
  g->engine_ = std::make_unique<NativeEngine>(*info);
  return g;
}

const ast::ItemDecl* GraderEngine::item() const { return loaded_.module->item.get(); }

std::vector<std::string> GraderEngine::component_names() const {
  std::vector<std::string> names;
  for (const auto& c : loaded_.reward->components) names.push_back(c->name);
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

train::GradeFn GraderEngine::grade_fn(int threads) const {
  return [this, threads](const std::vector<train::Rollout>& rollouts) {
    std::vector<interp::Sample> samples(rollouts.size());
    for (size_t i = 0; i < rollouts.size(); ++i) {
      samples[i] = interp::Sample{rollouts[i].prompt, rollouts[i].completion,
                                  rollouts[i].example != nullptr ? &rollouts[i].example->row : nullptr};
    }
    std::vector<interp::Result> results = grade_batch(*engine_, samples, threads);
    std::vector<train::Score> scores(results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      scores[i].total = results[i].total;
      scores[i].components = std::move(results[i].components);
      scores[i].flags = results[i].flags.size();
    }
    return scores;
  };
}

std::vector<std::string> GraderEngine::check_item(const nlohmann::json& row) const {
  return interp::validate_item(row, item());
}

}  // namespace rft::cli
