// From a Program to object code: hashing for the cache, the LLVM pipeline (lowering, the O2
// optimizer, machine code), and linking shared objects.
#include <llvm/ADT/StringExtras.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Config/llvm-config.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "compiler/codegen/codegen.h"
#include "compiler/codegen/emit.h"
#include "runtime/common/output_file.h"
#include "compiler/codegen/lower.h"
#include "compiler/program/program.h"

extern char** environ;

namespace rft::codegen {

namespace {

std::string hex_digest(llvm::SHA256& h) {
  auto digest = h.final();
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest.data(), digest.size()), true);
}

void hash_sources(llvm::SHA256& h, const Program& program) {
  for (const auto& m : program.modules) {
    const std::string& text = program.sources.file(m->file).text();
    h.update(m->name);
    h.update(llvm::StringRef("\0", 1));
    h.update(std::to_string(text.size()));
    h.update(llvm::StringRef("\0", 1));
    h.update(text);
  }
}

}  // namespace

// A grader is a few getters per let and component, each a short chain of builtin calls with
// values in 24-byte structs. What pays off is taking those structs apart into registers (sroa),
// removing repeated tag tests and loads (early-cse) and merging the blocks of the lazy selects
// (simplifycfg): the IR shrinks, so instruction selection takes less time than with no passes.
// LLVM's -O2 adds inlining, instcombine, loop and vector passes that find little here and take
// most of the compile time; grading throughput is the same within noise (docs/performance.md).
std::string straight_line_pipeline() { return "function(sroa,early-cse,simplifycfg)"; }

void initialize_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::string compiler_id() {
  return std::string("rft ") + RFT_VERSION + " (LLVM " LLVM_VERSION_STRING ", " +
         llvm::sys::getProcessTriple() + ")";
}

std::string source_hash(const Program& program) {
  llvm::SHA256 h;
  hash_sources(h, program);
  return hex_digest(h);
}

std::string compile_key(const Program& program, const CompileOptions& options) {
  llvm::SHA256 h;
  h.update(compiler_id());
  h.update(RFT_CODEGEN_ID);  // a digest of the code generator's own sources
  h.update(std::to_string(RFT_GRADER_ABI_VERSION));
  h.update(options.cpu == "host" ? llvm::sys::getHostCPUName().str() : options.cpu);
  h.update(std::to_string(options.opt_level));
  h.update(options.passes);
  hash_sources(h, program);
  return hex_digest(h);
}

Expected<std::unique_ptr<llvm::TargetMachine>> target_machine(const CompileOptions& options) {
  initialize_llvm();
  std::string triple = llvm::sys::getProcessTriple();
  std::string lookup_error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, lookup_error);
  if (target == nullptr) return failure("no code generator for " + triple + ": " + lookup_error);
  std::string cpu = options.cpu == "host" ? llvm::sys::getHostCPUName().str() : "x86-64";
  if (llvm::Triple(triple).getArch() != llvm::Triple::x86_64 && options.cpu != "host") {
    cpu = "generic";
  }
  std::string features;
  if (options.cpu == "host") {
    llvm::StringMap<bool> host;
    if (llvm::sys::getHostCPUFeatures(host)) {
      for (const auto& f : host) features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
    }
  }
  // Graders spend their time in the builtins, not in their own code: below level 3 the fast
  // instruction selector and register allocator do.
  auto level = options.opt_level <= 2 ? llvm::CodeGenOpt::None : llvm::CodeGenOpt::Default;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm) return failure("cannot create a target machine for " + triple);
  return tm;
}

Expected<std::string> compile_object(const Program& program, const CompileOptions& options) {
  return compile_module(program, options, /*ir=*/false);
}

Expected<std::string> compile_ir(const Program& program, const CompileOptions& options) {
  return compile_module(program, options, /*ir=*/true);
}

Expected<std::string> compile_module(const Program& program, const CompileOptions& options,
                                     bool ir) {
  if (!program.ok()) return failure("the spec has errors; `rft check` shows them");
  Expected<std::unique_ptr<llvm::TargetMachine>> machine = target_machine(options);
  if (!machine) return failure(machine.error());
  std::unique_ptr<llvm::TargetMachine> tm = std::move(machine).value();
  llvm::LLVMContext llvm_ctx;
  std::unique_ptr<llvm::Module> module =
      lower_program(program, llvm_ctx, source_hash(program), compiler_id());
  module->setTargetTriple(tm->getTargetTriple().str());
  module->setDataLayout(tm->createDataLayout());
  std::string verify;
  llvm::raw_string_ostream verify_out(verify);
  if (llvm::verifyModule(*module, &verify_out)) {
    return failure("internal error: the generated code is invalid:\n" + verify_out.str());
  }

  if (options.opt_level > 0 || !options.passes.empty()) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    std::string passes = options.passes;
    if (passes.empty() && options.opt_level <= 2) passes = straight_line_pipeline();
    if (passes.empty()) {
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(*module, mam);
    } else {
      llvm::ModulePassManager mpm;
      if (llvm::Error e = pb.parsePassPipeline(mpm, passes)) {
        return failure("bad pass pipeline `" + passes + "`: " + llvm::toString(std::move(e)));
      }
      mpm.run(*module, mam);
    }
  }

  std::string out;
  if (ir) {
    llvm::raw_string_ostream text(out);
    module->print(text, nullptr);
    text.flush();
    return out;
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, stream, nullptr, llvm::CGFT_ObjectFile)) {
    return failure("the target cannot emit object files");
  }
  codegen.run(*module);
  out.assign(buffer.begin(), buffer.end());
  return out;
}

namespace {

// Runs argv; returns its exit status (or -1), with stderr captured into *output.
int run_program(const std::vector<std::string>& argv, std::string* output) {
  std::string log = (std::filesystem::temp_directory_path() / ("rft-link-" + std::to_string(getpid()) + ".log")).string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = -1;
  if (rc == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  *output = text.str();
  std::filesystem::remove(log);
  return rc == 0 ? status : -1;
}

}  // namespace

Expected<void> link_shared(const std::string& object_path, const std::string& out) {
  // Undefined symbols (the builtins, libc's memset and libm's fmod) are resolved against the
  // process that loads the grader, which has librft_grader.
  const std::vector<std::vector<std::string>> linkers = {
      {"ld.lld-16", "-shared", "--hash-style=gnu", "-o", out, object_path},
      {"ld.lld", "-shared", "--hash-style=gnu", "-o", out, object_path},
      {"cc", "-shared", "-o", out, object_path},
  };
  std::string tried;
  for (const auto& argv : linkers) {
    std::string output;
    int rc = run_program(argv, &output);
    if (rc == 0) return {};
    if (rc > 0) return failure(argv[0] + " failed: " + output);
    tried += (tried.empty() ? "" : ", ") + argv[0];
  }
  return failure("no linker found (tried " + tried + "); install lld-16 or a C compiler");
}

namespace {

Expected<void> write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return failure("cannot write `" + path + "`");
  return {};
}

}  // namespace

Expected<void> compile_to_file(const Program& program, const CompileOptions& options,
                               const std::string& out) {
  // What is at `out` is checked before the work (a link or a directory is refused); the result
  // is built beside it and installed as every user-named output is (runtime/common/output_file.h).
  if (Expected<bool> target = io::OutputFile::check_target(out); !target) {
    return failure(target.error());
  }
  bool ir = out.ends_with(".ll");
  Expected<std::string> object =
      ir ? compile_ir(program, options) : compile_object(program, options);
  if (!object) return failure(object.error());
  std::string partial = io::OutputFile::build_path(out, "");
  std::error_code ec;
  if (out.ends_with(".o") || ir) {
    if (Expected<void> w = write_file(partial, *object); !w) return w;
  } else {
    std::string tmp_object = out + ".partial.o";
    Expected<void> built = write_file(tmp_object, *object);
    if (built) built = link_shared(tmp_object, partial);
    std::filesystem::remove(tmp_object, ec);
    if (!built) {
      std::filesystem::remove(partial, ec);
      return built;
    }
  }
  return io::OutputFile::install(partial, out);
}

std::string cache_dir() {
  if (const char* d = std::getenv("RFT_CACHE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d != '\0') {
    return std::string(d) + "/rft";
  }
  if (const char* d = std::getenv("HOME"); d != nullptr && *d != '\0') {
    return std::string(d) + "/.cache/rft";
  }
  return {};
}

}  // namespace rft::codegen
