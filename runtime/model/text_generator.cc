// The torch-free side of text_generator.h: finds the model plugin (librft_model_torch.so) and
// calls it. A process that already contains the plugin's code (the model tests link it) uses
// that; otherwise the plugin is looked for next to the running executable, in the build tree it
// was built in, then on the library path.
#include "runtime/model/text_generator.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

namespace rft::model {
namespace {

using Entry = const ModelPlugin* (*)();

struct Loaded {
  const ModelPlugin* plugin = nullptr;
  std::string error;
};

const Loaded& plugin() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    if (auto entry = reinterpret_cast<Entry>(dlsym(RTLD_DEFAULT, kModelPluginSymbol))) {
      loaded.plugin = entry();
      return;
    }
    std::vector<std::string> candidates;
    std::error_code ec;
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back((exe.parent_path() / kModelPluginFile).string());
#ifdef RFT_MODEL_PLUGIN_DIR
    candidates.push_back(std::string(RFT_MODEL_PLUGIN_DIR) + "/" + kModelPluginFile);
#endif
    candidates.push_back(kModelPluginFile);
    std::string tried;
    for (const auto& path : candidates) {
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* why = dlerror();
        tried += "\n  " + path + ": " + (why ? why : "?");
        continue;
      }
      if (auto entry = reinterpret_cast<Entry>(dlsym(handle, kModelPluginSymbol))) {
        loaded.plugin = entry();
        return;
      }
      tried += "\n  " + path + ": no " + kModelPluginSymbol;
    }
    loaded.error = "cannot load the model runtime (" + std::string(kModelPluginFile) +
                   "); build rft with scripts/build.sh. Tried:" + tried;
  });
  return loaded;
}

}  // namespace

Result<std::unique_ptr<TextGenerator>> load_text_generator(const std::string& model_dir) {
  const Loaded& p = plugin();
  if (p.plugin == nullptr) return Result<std::unique_ptr<TextGenerator>>::failure(p.error);
  return p.plugin->load(model_dir);
}

Result<std::string> write_builtin_model(const std::string& dir, std::string_view size,
                                        uint64_t seed) {
  const Loaded& p = plugin();
  if (p.plugin == nullptr) return Result<std::string>::failure(p.error);
  return p.plugin->write_builtin_model(dir, size, seed);
}

}  // namespace rft::model
