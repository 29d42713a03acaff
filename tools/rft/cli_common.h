// Shared pieces of the `rft` subcommands.
#pragma once

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/grading/grader.h"
#include "runtime/common/output_file.h"

namespace CLI {
class App;
}  // namespace CLI

namespace rft::cli {

// Where a command's results go: standard output (an empty path), or a file written as every
// user-named output is (runtime/common/output_file.h): complete or not at all, a device or FIFO
// in place, never through a symbolic link.
using ResultsOutput = io::OutputFile;

// Exit codes of every subcommand.
inline constexpr int kOk = 0;
inline constexpr int kUserError = 1;
inline constexpr int kUsage = 2;

// Expands directories into the `.reward` files below them (sorted); files are kept as given.
// A path that does not exist is kept too, so that loading reports it.
std::vector<std::string> expand_spec_paths(const std::vector<std::string>& paths);

// Whether diagnostics on stderr should be colored (a terminal, and NO_COLOR unset).
bool use_color();

// Prints "rft <command>: <message>" to stderr and returns kUserError.
int user_error(const std::string& command, const std::string& message);

// Prints a program's diagnostics to stderr.
void print_diagnostics(const Program& p);

// Loads `spec` and finds reward `name` in it. On failure prints the diagnostics or
// "<command>: no reward named ...; did you mean ...?" and returns a null reward.
LoadedReward load_reward(const std::string& command, const std::string& spec,
                         const std::string& name);

// The judge flags of the commands that grade with judges (rft grade, eval, serve), set into
// `judges`: --allow-endpoint URL (repeatable), and --no-judge-cache unless `cache_flag` is false.
void add_judge_flags(CLI::App* cmd, judge::ServiceOptions* judges, bool cache_flag = true);

// --engine jit|aot|interp into `engine`, with `help`.
void add_engine_option(CLI::App* cmd, EngineKind* engine, const std::string& help);

// Loads `spec`, finds `reward` and prepares `engine`. `judges` (null:
// loopback endpoints only, the default cache) says where judges may send data; a refused
// endpoint fails here, before anything is graded, and the message tells how to allow it
// (`judges->allow_how`). On failure prints the
// diagnostics or the message (prefixed with `command`) and returns null; warnings are printed
// either way.
std::unique_ptr<GraderEngine> open_grader(const std::string& command, const std::string& spec,
                                          const std::string& reward, EngineKind engine,
                                          bool use_cache = true,
                                          const judge::ServiceOptions* judges = nullptr);

}  // namespace rft::cli
