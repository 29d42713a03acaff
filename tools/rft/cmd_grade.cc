// rft grade SPEC --reward NAME --data IN.jsonl: grade a dataset, one result line per row.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "compiler/driver/batch.h"
#include "runtime/grader/value_ops.h"
#include "runtime/judge/provider.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/grader_engine.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct GradeOptions {
  std::string spec;
  std::string reward;
  std::string data;
  std::string out;
  std::string engine = "jit";
  int threads = 0;
  bool no_cache = false;
  judge::ServiceOptions judges;
};

int fail(const std::string& msg) { return user_error("grade", msg); }

int run_grade(const GradeOptions& o) {
  LoadedReward loaded = load_reward("grade", o.spec, o.reward);
  if (loaded.reward == nullptr) return kUserError;
  std::string error;
  std::unique_ptr<GraderEngine> grader =
      GraderEngine::create(std::move(loaded), o.engine, !o.no_cache, &error, &o.judges);
  if (!grader) return fail(error);
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.data != "-") {
    file.open(o.data, std::ios::binary);
    if (!file) return fail("cannot read `" + o.data + "`");
    in = &file;
  }
  ResultsOutput results;
  if (std::string why = results.open(o.out); !why.empty()) return fail(why);

  bool tty = isatty(STDERR_FILENO) != 0 && !o.out.empty();
  auto progress = [&](size_t rows) {
    if (tty) std::fprintf(stderr, "\rgraded %zu rows", rows);
  };
  BatchOptions options;
  options.threads = grader->grading_threads(o.threads);
  BatchSummary s = grade_jsonl(grader->reward(), grader->item(), grader->engine(), *in, results.stream(), options,
                               progress);
  if (tty) std::fprintf(stderr, "\r");
  if (std::string why = results.commit(); !why.empty()) return fail(why);

  size_t graded = s.rows - s.errors;
  std::cerr << "graded " << s.rows << " rows (" << s.errors << " errors, " << s.flagged
            << " flagged) in " << grader::format_num(std::round(s.seconds * 1000) / 1000) << " s, "
            << grader::format_num(std::round(s.seconds > 0 ? s.rows / s.seconds : 0)) << " rows/s\n";
  if (graded > 0) {
    std::cerr << "mean total " << grader::format_num(s.total_sum / graded);
    for (size_t i = 0; i < s.component_names.size(); ++i) {
      std::cerr << (i == 0 ? "; " : ", ") << s.component_names[i] << " "
                << grader::format_num(s.component_sums[i] / graded);
    }
    std::cerr << "\n";
  }
  std::cerr << judge_summary(*grader, static_cast<long>(s.skipped));
  return kOk;
}

}  // namespace

void add_grade(CLI::App& app, Command& run) {
  auto o = std::make_shared<GradeOptions>();
  CLI::App* cmd = app.add_subcommand("grade", "Grade every row of a JSONL dataset with a reward");
  cmd->add_option("spec", o->spec, "The .reward file")->required();
  cmd->add_option("--reward", o->reward, "Which reward to grade with")->required();
  cmd->add_option("--data", o->data,
                  "JSONL rows: {\"completion\": ..., \"prompt\": ..., item fields...}; - for stdin")
      ->required();
  cmd->add_option("--out", o->out, "Where to write the results (default: stdout)");
  cmd->add_option("--engine", o->engine,
                  "How to evaluate the reward: jit (native code compiled in process, cached), "
                  "aot (a shared object, as `rft compile` makes) or interp (the reference "
                  "interpreter)")
      ->check(CLI::IsMember({"jit", "aot", "interp"}))
      ->capture_default_str();
  cmd->add_flag("--no-cache", o->no_cache, "Compile anew instead of using the compile cache");
  add_judge_flags(cmd, &o->judges);
  cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, &run] { run = [o] { return run_grade(*o); }; });
}

}  // namespace rft::cli
