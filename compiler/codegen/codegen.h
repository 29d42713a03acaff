// Native graders: a checked Program becomes machine code, either in process (Jit) or as an object
// file / shared object on disk (compile_object, link_shared). The code calls the builtins and
// runtime entry points of librft_grader through the grader ABI (runtime/grader/abi.h).
//
// This header is free of LLVM types; only compiler/codegen/*.cc include LLVM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/grader/abi.h"

namespace rft {
struct Program;
}

namespace rft::codegen {

struct CompileOptions {
  // 0: no IR passes, fast instruction selection. 1 and 2: a pipeline sized for graders, whose
  // code is straight-line calls into the builtins (see straight_line_pipeline() in emit.cc).
  // 3: LLVM's full -O2 module pipeline and instruction selection (slower to compile).
  int opt_level = 2;
  // The CPU to tune for: "host" (the JIT) or "generic" (portable shared objects, the default).
  std::string cpu = "generic";
  // An LLVM pass pipeline (`opt -passes=` syntax) to run instead of the level's; for measuring.
  std::string passes;
};

// What identifies a compilation: the ABI, this compiler build, the target, and every source
// file of the program (the spec and its imports). Hex SHA-256.
std::string compile_key(const Program& program, const CompileOptions& options);
// The digest of the program's sources alone, as stored in the grader's info block.
std::string source_hash(const Program& program);
// "rft 0.1.0 (LLVM 16.0.6, x86_64-pc-linux-gnu)".
std::string compiler_id();

// Compiles every reward of the program's root files into one relocatable object (ELF, position
// independent) exporting RFT_GRADER_ENTRY: the object file's bytes.
Expected<std::string> compile_object(const Program& program, const CompileOptions& options);

// Links an object from compile_object into a shared object at `out` with the system linker
// (ld.lld, or cc). The result depends on librft_grader only.
Expected<void> link_shared(const std::string& object_path, const std::string& out);

// `rft compile`: writes the program's graders to `out`: a relocatable object (.o), the optimized
// LLVM IR as text (.ll, for reading), or a shared object (anything else). The file appears
// complete or not at all.
Expected<void> compile_to_file(const Program& program, const CompileOptions& options,
                               const std::string& out);

// The on-disk compile cache: $RFT_CACHE_DIR, else $XDG_CACHE_HOME/rft, else ~/.cache/rft.
// Empty when none can be used (caching is then skipped).
std::string cache_dir();

// A grader compiled in process. Grading through info() is thread-safe; destroying the grader
// frees its code.
class JitGrader {
 public:
  virtual ~JitGrader() = default;
  virtual const rft_grader_info* info() const = 0;
  const rft_reward_info* find(std::string_view reward) const;
  bool from_cache() const { return from_cache_; }
  double compile_ms() const { return compile_ms_; }

 protected:
  bool from_cache_ = false;
  double compile_ms_ = 0;
};

struct JitOptions {
  CompileOptions compile{2, "host"};
  bool use_cache = true;
  std::string cache_dir;  // empty: codegen::cache_dir()
};

// The in-process compiler (one ORC LLJIT). Each load gets its own JITDylib and ResourceTracker,
// so that unloading a spec frees its code. Thread-safe.
class Jit {
 public:
  static Expected<std::unique_ptr<Jit>> create();
  virtual ~Jit() = default;
  // Compiles (or loads from the cache) and initializes the program's graders.
  virtual Expected<std::unique_ptr<JitGrader>> load(const Program& program,
                                                    const JitOptions& options) = 0;
};

}  // namespace rft::codegen
