// Parsing: `.reward` text → AST. This is the only interface to the ANTLR-generated parser.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace rft::parse {

// Limits that keep adversarial input from exhausting the stack or memory.
inline constexpr size_t kMaxFileBytes = 4u << 20;  // 4 MiB
inline constexpr int kMaxNesting = 200;           // nested expressions / rules

// Parses one file. Syntax errors are reported to `diags` (all of them, with recovery); the
// returned module holds every declaration that parsed cleanly and lists the names of those that
// did not in `broken_names`. Never throws on user input.
std::unique_ptr<ast::Module> parse_module(const SourceFile& file, Diagnostics& diags);

}  // namespace rft::parse
