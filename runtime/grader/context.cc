#include "runtime/grader/context.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <nlohmann/json.hpp>

namespace rft::grader {

namespace {
// Most samples allocate a few KiB; the first block is reused by every reset().
constexpr size_t kFirstBlockBytes = 64 * 1024;
}  // namespace

Context::Context()
    : first_block_(new std::byte[kFirstBlockBytes]), arena_(first_block_.get(), kFirstBlockBytes) {}

Context::~Context() = default;

void Context::reset() {
  documents_.clear();
  arena_.release();
  flags_.clear();
  refuel();
}

void* Context::alloc(size_t bytes, size_t align) {
  try {
    return arena_.allocate(bytes == 0 ? 1 : bytes, align);
  } catch (const std::bad_alloc&) {
    // The C contract promises a non-null result, so running out of memory is fatal.
    std::fputs("rft: out of memory in the grader arena\n", stderr);
    std::abort();
  }
}

rft_str Context::copy(std::string_view s) {
  if (s.empty()) return {nullptr, 0};
  auto* buf = static_cast<char*>(alloc(s.size(), 1));
  std::memcpy(buf, s.data(), s.size());
  return {buf, s.size()};
}

const nlohmann::json* Context::keep(nlohmann::json&& doc) {
  documents_.push_back(std::make_unique<nlohmann::json>(std::move(doc)));
  return documents_.back().get();
}

void Context::spend_all() {
  fuel_ = 0;
  if (fuel_out_) return;
  if (std::find(flags_.begin(), flags_.end(), kFlagFuelExhausted) == flags_.end()) {
    flags_.emplace_back(kFlagFuelExhausted);
  }
  fuel_out_ = true;
}

void Context::flag(std::string_view name) {
  if (fuel_out_) return;
  if (std::find(flags_.begin(), flags_.end(), name) == flags_.end()) flags_.emplace_back(name);
}

}  // namespace rft::grader

using rft::grader::Context;

extern "C" void* rft_ctx_alloc(rft_ctx* ctx, uint64_t bytes, uint64_t align) {
  return Context::from(ctx).alloc(bytes, align);
}

extern "C" rft_str rft_ctx_strdup(rft_ctx* ctx, const char* ptr, uint64_t len) {
  return Context::from(ctx).copy({ptr, len});
}

extern "C" void rft_ctx_flag(rft_ctx* ctx, const char* flag, uint64_t len) {
  Context::from(ctx).flag({flag, len});
}
