// Private to compiler/codegen: the pieces of emit.cc that jit.cc shares.
#pragma once

#include <memory>
#include <string>

#include <llvm/Target/TargetMachine.h>

#include "compiler/codegen/codegen.h"

namespace rft::codegen {

// Registers the native target with LLVM, once per process.
void initialize_llvm();

// The pass pipeline of levels 1 and 2 (`opt -passes=` syntax).
std::string straight_line_pipeline();

// Lowers and optimizes the program into an object file, or with `ir` the LLVM IR as text.
Expected<std::string> compile_module(const Program& program, const CompileOptions& options,
                                     bool ir);
Expected<std::string> compile_ir(const Program& program, const CompileOptions& options);

Expected<std::unique_ptr<llvm::TargetMachine>> target_machine(const CompileOptions& options);

}  // namespace rft::codegen
