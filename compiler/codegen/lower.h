// Lowering a checked Program to an LLVM module (private to compiler/codegen).
#pragma once

#include <memory>
#include <string>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

namespace rft {
struct Program;
}

namespace rft::codegen {

// Builds the IR of every reward in the program's roots, the info block and its accessor
// RFT_GRADER_ENTRY. The semantics are those of the reference interpreter (compiler/interp),
// which the differential test holds it to.
std::unique_ptr<llvm::Module> lower_program(const Program& program, llvm::LLVMContext& llvm_ctx,
                                            const std::string& source_hash,
                                            const std::string& compiler);

}  // namespace rft::codegen
