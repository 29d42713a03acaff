// Loading specs: reads the given files and everything they import (std modules from stdlib/,
// others from RFT_PATH or relative to the importing file), parses and checks them all, and keeps
// the result together as one Program (compiler/program/program.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/program/program.h"

namespace rft {

struct LoadOptions {
  // Where `import std.x` looks first; defaults to the stdlib/ that rft was built with, or
  // $RFT_STDLIB when set.
  std::string stdlib_dir;
  // Further directories for dotted imports; defaults to $RFT_PATH (colon-separated).
  std::vector<std::string> search_path;
};

LoadOptions default_load_options();

// Loads, parses and checks `paths`. Problems are in program->diags; a file that cannot be read is
// an error there too. Never throws on user input.
std::unique_ptr<Program> load_program(const std::vector<std::string>& paths,
                                      const LoadOptions& options = default_load_options());

// The same for a spec held in memory (tests, tools); `name` is used in diagnostics.
std::unique_ptr<Program> load_program_from_string(std::string name, std::string text,
                                                  const LoadOptions& options = default_load_options());

}  // namespace rft
