#include "compiler/engine/grader_engine.h"

#include <unistd.h>

#include <filesystem>

#include "compiler/codegen/codegen.h"
#include "compiler/driver/suggest.h"
#include "compiler/interp/item.h"
#include "runtime/grader/sandbox.h"

namespace rft {

LoadedReward load_reward(const std::string& spec, const std::string& name, std::string* error) {
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
    *error = "no reward named `" + name + "` in " + spec + (hint.empty() ? "" : "; " + hint);
  }
  return out;
}

GraderEngine::~GraderEngine() = default;

std::unique_ptr<GraderEngine> GraderEngine::create(LoadedReward loaded, const std::string& engine,
                                                   bool use_cache, std::string* error) {
  std::unique_ptr<GraderEngine> g(new GraderEngine());
  g->loaded_ = std::move(loaded);
  const Program& p = *g->loaded_.program;
  const std::string& spec = g->loaded_.spec;
  const std::string& name = g->loaded_.reward->name;
  // A reward that runs code needs the sandbox: say so once, instead of every sample failing.
  if (reward_runs_code(*g->loaded_.reward)) {
    if (const std::string& why = grader::sandbox_problem(); !why.empty()) {
      *error = "reward `" + name + "` runs code, but " + why;
      return nullptr;
    }
  }
  if (engine == "interp") {
    g->interp_ = std::make_unique<interp::Interpreter>(p);
    g->engine_ = std::make_unique<InterpEngine>(*g->interp_, *g->loaded_.reward);
    return g;
  }
  std::string why;
  const rft_reward_info* info = nullptr;
  if (engine == "jit") {
    g->jit_ = codegen::Jit::create(&why);
    codegen::JitOptions jo;
    jo.use_cache = use_cache;
    if (g->jit_) g->jitted_ = g->jit_->load(p, jo, &why);
    if (!g->jitted_) {
      *error = "cannot compile `" + spec + "`: " + why + " (the interp engine grades without compiling)";
      return nullptr;
    }
    info = g->jitted_->find(name);
  } else if (engine == "aot") {
    // A shared object, loaded the way any other program would load it.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = fs::temp_directory_path(ec) / ("rft-aot-" + std::to_string(getpid()) + "-" +
                                                 std::to_string(reinterpret_cast<uintptr_t>(g.get())));
    fs::create_directories(dir, ec);
    std::string so = (dir / "grader.so").string();
    if (codegen::compile_to_file(p, codegen::CompileOptions{}, so, &why)) {
      char message[512] = "";
      g->shared_.reset(rft_grader_open(so.c_str(), message, sizeof message));
      if (!g->shared_) why = message;
    }
    fs::remove_all(dir, ec);  // the loaded object stays mapped
    if (!g->shared_) {
      *error = "cannot build a shared object for `" + spec + "`: " + why;
      return nullptr;
    }
    info = rft_grader_find(g->shared_.get(), name.c_str());
  } else {
    *error = "unknown engine `" + engine + "`; the engines are jit, aot and interp";
    return nullptr;
  }
  if (info == nullptr) {
    *error = "no compiled grader for reward `" + name + "`";
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

std::vector<interp::Result> GraderEngine::grade(std::span<const interp::Sample> samples,
                                                int threads) const {
  return grade_batch(*engine_, samples, threads);
}

std::vector<std::string> GraderEngine::check_item(const nlohmann::json& row) const {
  return interp::validate_item(row, item());
}

}  // namespace rft
