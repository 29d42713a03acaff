// The program: everything one compilation read and produced — its sources, diagnostics and
// checked modules. The driver (compiler/driver/loader.h) makes one from files; the interpreter
// and the code generators read it.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace rft {

// Modules are stored imports-first; `roots` are the files that were asked for, in order. Not
// copyable; addresses inside are stable.
struct Program {
  SourceManager sources;
  Diagnostics diags;
  std::vector<std::unique_ptr<ast::Module>> modules;
  std::vector<ast::Module*> roots;

  bool ok() const { return !diags.has_errors(); }
  // The reward `name` in the first root that declares it, or null.
  const ast::RewardDecl* find_reward(std::string_view name,
                                     const ast::Module** owner = nullptr) const;
};

}  // namespace rft
