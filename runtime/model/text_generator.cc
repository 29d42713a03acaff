// The torch-free side of text_generator.h: finds the model plugin (librft_model_torch.so) and
// calls it. A process that already contains the plugin's code (the model tests link it) uses
// that; otherwise the plugin is looked for next to the running executable, in the build tree it
// was built in, then on the library path.
#include "runtime/model/text_generator.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
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
    // OpenMP threads that spin while they wait for work make every operation of a small model
    // pay for any other process on the machine (measured: 17x slower on 2 busy cores); let them
    // sleep unless the user chose otherwise. Read by libgomp when the plugin loads it.
    setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
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

Expected<void*> model_plugin_symbol(const char* symbol) {
  const Loaded& p = plugin();
  if (p.plugin == nullptr) return failure(p.error);
  // The plugin is either in this process already or was opened RTLD_LOCAL: ask the handle that
  // holds the table.
  Dl_info info;
  if (dladdr(reinterpret_cast<const void*>(p.plugin), &info) != 0 && info.dli_fname != nullptr) {
    if (void* handle = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD)) {
      void* address = dlsym(handle, symbol);
      dlclose(handle);
      if (address != nullptr) return address;
    }
  }
  if (void* address = dlsym(RTLD_DEFAULT, symbol)) return address;
  return failure(std::string("the model runtime has no `") + symbol +
                 "`; rebuild rft with scripts/build.sh");
}

Expected<std::unique_ptr<TextGenerator>> load_text_generator(const std::string& model_dir) {
  const Loaded& p = plugin();
  if (p.plugin == nullptr) return failure(p.error);
  return p.plugin->load(model_dir);
}

Expected<std::string> write_builtin_model(const std::string& dir, std::string_view size,
                                          uint64_t seed) {
  const Loaded& p = plugin();
  if (p.plugin == nullptr) return failure(p.error);
  return p.plugin->write_builtin_model(dir, size, seed);
}

}  // namespace rft::model
