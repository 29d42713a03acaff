// The in-process back end: ORC LLJIT, one JITDylib and ResourceTracker per loaded spec, and an
// on-disk cache of compiled objects keyed by compile_key().
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA256.h>

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "compiler/codegen/codegen.h"
#include "compiler/codegen/emit.h"
#include "compiler/program/program.h"

namespace rft::codegen {

const rft_reward_info* JitGrader::find(std::string_view reward) const {
  const rft_grader_info* i = info();
  for (uint32_t r = 0; r < i->n_rewards; ++r) {
    if (reward == i->rewards[r].name) return &i->rewards[r];
  }
  return nullptr;
}

namespace {

namespace orc = llvm::orc;
namespace fs = std::filesystem;

bool read_file(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return static_cast<bool>(in) || in.eof();
}

// A cache entry is the object followed by a trailer: kCacheMagic and the SHA-256 of the object.
// An entry whose trailer does not match (a torn write, a flipped bit, a truncated file) is never
// loaded: loading a damaged object can crash the process.
constexpr std::string_view kCacheMagic = "rft-object-sha256";
constexpr size_t kDigestBytes = 32;

std::string digest_of(std::string_view bytes) {
  auto d = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string sealed(const std::string& object) {
  return object + std::string(kCacheMagic) + digest_of(object);
}

// The object of a sealed entry, or false when the entry is damaged.
bool unseal(std::string* entry) {
  const size_t trailer = kCacheMagic.size() + kDigestBytes;
  if (entry->size() <= trailer) return false;
  std::string_view e(*entry);
  std::string_view object = e.substr(0, e.size() - trailer);
  if (e.substr(object.size(), kCacheMagic.size()) != kCacheMagic ||
      e.substr(e.size() - kDigestBytes) != digest_of(object)) {
    return false;
  }
  entry->resize(object.size());
  return true;
}

// Writes atomically (a temporary file renamed into place), so that a reader never sees half an
// object and concurrent writers of the same key do not interfere. Failures only lose caching.
void write_cache(const fs::path& p, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  static std::atomic<unsigned> counter{0};
  fs::path tmp = p;
  tmp += ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, p, ec);
  if (ec) fs::remove(tmp, ec);
}

std::string message(llvm::Error e) { return llvm::toString(std::move(e)); }

class LoadedSpec final : public JitGrader {
 public:
  LoadedSpec(orc::LLJIT& jit, orc::JITDylib& dylib, orc::ResourceTrackerSP tracker,
             const rft_grader_info* info, bool cached, double ms)
      : jit_(jit), dylib_(dylib), tracker_(std::move(tracker)), info_(info) {
    from_cache_ = cached;
    compile_ms_ = ms;
  }
  ~LoadedSpec() override {
    if (info_ != nullptr && info_->fini != nullptr) info_->fini();
    llvm::consumeError(tracker_->remove());
    llvm::consumeError(jit_.getExecutionSession().removeJITDylib(dylib_));
  }
  const rft_grader_info* info() const override { return info_; }

 private:
  orc::LLJIT& jit_;
  orc::JITDylib& dylib_;
  orc::ResourceTrackerSP tracker_;
  const rft_grader_info* info_;
};

class OrcJit final : public Jit {
 public:
  explicit OrcJit(std::unique_ptr<orc::LLJIT> jit) : jit_(std::move(jit)) {}

  Expected<std::unique_ptr<JitGrader>> load(const Program& program,
                                            const JitOptions& options) override {
    auto start = std::chrono::steady_clock::now();
    if (!program.ok()) return failure("the spec has errors; `rft check` shows them");
    std::string object;
    bool cached = false;
    fs::path cache_file;
    if (options.use_cache) {
      std::string dir = options.cache_dir.empty() ? cache_dir() : options.cache_dir;
      if (!dir.empty()) {
        cache_file = fs::path(dir) / (compile_key(program, options.compile) + ".o");
        cached = read_file(cache_file, &object);
        if (cached && !unseal(&object)) {
          std::fprintf(stderr,
                       "rft: note: the compile cache entry `%s` is damaged; compiling the spec "
                       "again\n",
                       cache_file.c_str());
          std::error_code ec;
          fs::remove(cache_file, ec);
          cached = false;
        }
      }
    }
    if (!cached) {
      Expected<std::string> compiled = compile_object(program, options.compile);
      if (!compiled) return failure(compiled.error());
      object = std::move(compiled).value();
      if (!cache_file.empty()) write_cache(cache_file, sealed(object));
    }

    orc::ExecutionSession& es = jit_->getExecutionSession();
    orc::JITDylib& dylib = es.createBareJITDylib("spec" + std::to_string(next_id_++));
    auto process = orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        jit_->getDataLayout().getGlobalPrefix());
    if (!process) {
      std::string why = message(process.takeError());
      llvm::consumeError(es.removeJITDylib(dylib));
      return failure(why);
    }
    dylib.addGenerator(std::move(*process));
    // The builtins live in librft_grader.so. A host that loaded it privately (Python loads
    // extension modules with RTLD_LOCAL) hides it from the process-wide search, so it is also
    // searched by its own path.
    Dl_info grader_lib{};
    if (dladdr(reinterpret_cast<void*>(&rft_ctx_alloc), &grader_lib) != 0 &&
        grader_lib.dli_fname != nullptr) {
      auto builtins = orc::DynamicLibrarySearchGenerator::Load(
          grader_lib.dli_fname, jit_->getDataLayout().getGlobalPrefix());
      if (builtins) {
        dylib.addGenerator(std::move(*builtins));
      } else {
        llvm::consumeError(builtins.takeError());  // the process-wide search may still do
      }
    }
    orc::ResourceTrackerSP tracker = dylib.createResourceTracker();
    auto fail = [&](std::string why) -> Unexpected<std::string> {
      llvm::consumeError(tracker->remove());
      llvm::consumeError(es.removeJITDylib(dylib));
      return failure(std::move(why));
    };
    auto buffer = llvm::MemoryBuffer::getMemBufferCopy(object, "rft-grader.o");
    if (llvm::Error e = jit_->addObjectFile(tracker, std::move(buffer))) {
      if (cached) std::filesystem::remove(cache_file);  // a damaged entry: compile next time
      return fail("cannot load the compiled grader: " + message(std::move(e)));
    }
    auto entry = jit_->lookup(dylib, RFT_GRADER_ENTRY);
    if (!entry) return fail("cannot link the compiled grader: " + message(entry.takeError()));
    const rft_grader_info* info = entry->toPtr<rft_grader_entry_fn>()();
    char why[512];
    if (rft_grader_check(info, why, sizeof why) != 0) return fail(std::string(why));
    if (info->init != nullptr && info->init() != 0) {
      if (info->fini != nullptr) info->fini();
      return fail("a regex literal does not compile");
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
    return std::unique_ptr<JitGrader>(
        std::make_unique<LoadedSpec>(*jit_, dylib, std::move(tracker), info, cached, ms));
  }

 private:
  std::unique_ptr<orc::LLJIT> jit_;
  std::atomic<unsigned> next_id_{0};
};

}  // namespace

Expected<std::unique_ptr<Jit>> Jit::create() {
  initialize_llvm();
  auto jit = orc::LLJITBuilder().create();
  if (!jit) return failure(message(jit.takeError()));
  return std::unique_ptr<Jit>(std::make_unique<OrcJit>(std::move(*jit)));
}

}  // namespace rft::codegen
