#include "runtime/grader/abi.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/grader/context.h"

using rft::grader::Context;

namespace {

void set_error(char* error, size_t error_len, const std::string& msg) {
  if (error == nullptr || error_len == 0) return;
  std::snprintf(error, error_len, "%s", msg.c_str());
}

}  // namespace

struct rft_grader {
  void* handle = nullptr;
  const rft_grader_info* info = nullptr;
};

extern "C" {

int rft_grader_check(const rft_grader_info* info, char* error, size_t error_len) {
  if (info == nullptr) {
    set_error(error, error_len, "the grader has no info block");
    return 1;
  }
  if (info->abi_version != RFT_GRADER_ABI_VERSION) {
    set_error(error, error_len,
              "the grader was built for grader ABI version " + std::to_string(info->abi_version) +
                  ", but this librft_grader implements version " +
                  std::to_string(RFT_GRADER_ABI_VERSION) + "; recompile it with `rft compile`");
    return 1;
  }
  return 0;
}

rft_grader* rft_grader_open(const char* path, char* error, size_t error_len) {
  // A file path: dlopen would search the library path for a name without a slash.
  const std::string file = std::strchr(path, '/') == nullptr ? std::string("./") + path : path;
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    set_error(error, error_len, std::string("cannot load `") + path + "`: " + (why ? why : "?"));
    return nullptr;
  }
  auto entry = reinterpret_cast<rft_grader_entry_fn>(dlsym(handle, RFT_GRADER_ENTRY));
  if (entry == nullptr) {
    set_error(error, error_len,
              std::string("`") + path + "` is not a compiled grader (no " RFT_GRADER_ENTRY ")");
    dlclose(handle);
    return nullptr;
  }
  const rft_grader_info* info = entry();
  std::string why(256, '\0');
  if (rft_grader_check(info, why.data(), why.size()) != 0) {
    set_error(error, error_len, std::string("`") + path + "`: " + why.c_str());
    dlclose(handle);
    return nullptr;
  }
  if (info->init != nullptr && info->init() != 0) {
    set_error(error, error_len, std::string("`") + path + "`: a regex literal does not compile");
    if (info->fini != nullptr) info->fini();
    dlclose(handle);
    return nullptr;
  }
  return new rft_grader{handle, info};
}

const rft_grader_info* rft_grader_get_info(const rft_grader* g) { return g->info; }

const rft_reward_info* rft_grader_find(const rft_grader* g, const char* name) {
  for (uint32_t i = 0; i < g->info->n_rewards; ++i) {
    if (std::strcmp(g->info->rewards[i].name, name) == 0) return &g->info->rewards[i];
  }
  return nullptr;
}

void rft_grader_close(rft_grader* g) {
  if (g == nullptr) return;
  if (g->info->fini != nullptr) g->info->fini();
  dlclose(g->handle);
  delete g;
}

rft_ctx* rft_ctx_new(void) { return (new Context())->handle(); }

void rft_ctx_free(rft_ctx* ctx) { delete &Context::from(ctx); }

void rft_ctx_reset(rft_ctx* ctx) { Context::from(ctx).reset(); }

uint64_t rft_ctx_flag_count(const rft_ctx* ctx) {
  return static_cast<const Context*>(ctx)->flags().size();
}

rft_str rft_ctx_flag_at(const rft_ctx* ctx, uint64_t i) {
  const auto& flags = static_cast<const Context*>(ctx)->flags();
  if (i >= flags.size()) return {nullptr, 0};
  return {flags[i].data(), flags[i].size()};
}

void rft_ctx_set_judge(rft_ctx* ctx, rft_judge_fn fn, void* user) {
  Context& c = Context::from(ctx);
  c.judge_fn = fn;
  c.judge_user = user;
}

}  // extern "C"
