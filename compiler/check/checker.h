// The checker: name resolution, static types, declaration rules and warnings for one module.
#pragma once

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace rft::check {

// Checks `module`, whose imports must already be checked (the loader sees to it). Fills in the
// AST's checker fields; every problem goes to `diags`. A module with errors must not be run.
void check_module(ast::Module& module, Diagnostics& diags);

// The value a `test` block's `item = {...}` or a dataset row must have for each declared field is
// checked elsewhere (compiler/interp/item.h); this is the list of names a spec may use as
// reward settings, judge settings and test inputs, for diagnostics and the docs.
extern const char* const kRewardSettings[];
extern const char* const kJudgeSettings[];
extern const char* const kTestInputs[];

}  // namespace rft::check
