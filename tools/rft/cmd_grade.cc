// rft grade SPEC --reward NAME --data IN.jsonl: grade a dataset, one result line per row; or
// rft grade --grader X.so ...: the same with a shared object from `rft compile`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "compiler/grading/batch.h"
#include "compiler/interp/item.h"
#include "runtime/common/suggest.h"
#include "runtime/grader/abi.h"
#include "runtime/grader/value_ops.h"
#include "runtime/judge/provider.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct GradeOptions {
  std::string spec;
  std::string grader;  // a shared object from `rft compile`, instead of the spec
  std::string reward;
  std::string data;
  std::string out;
  EngineKind engine = EngineKind::kJit;
  int threads = 0;
  bool no_cache = false;
  bool show_judges = false;
  judge::ServiceOptions judges;
};

int fail(const std::string& msg) { return user_error("grade", msg); }

// Grades with another engine and keeps, per row, the judge requests its grading made.
class TranscribingEngine final : public Engine {
 public:
  explicit TranscribingEngine(const Engine& inner) : inner_(inner) {
    set_passes([&inner](std::span<const Sample> samples) { return inner.passes(samples); });
  }
  Grade grade(const Sample& sample, grader::Context& ctx) const override {
    judge::JudgeTranscript transcript;
    Grade r = inner_.grade(sample, ctx);
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<judge::JudgeExchange>& log = logs_[sample.item];
    for (judge::JudgeExchange& e : transcript.exchanges) log.push_back(std::move(e));
    return r;
  }
  // The requests made for `row`, forgotten once taken.
  std::vector<judge::JudgeExchange> take(const nlohmann::json& row) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = logs_.find(&row);
    if (it == logs_.end()) return {};
    std::vector<judge::JudgeExchange> out = std::move(it->second);
    logs_.erase(it);
    return out;
  }

 private:
  const Engine& inner_;
  mutable std::mutex mu_;
  mutable std::map<const nlohmann::json*, std::vector<judge::JudgeExchange>> logs_;
};

// Reads the rows of o.data, grades them with `engine` and writes one result line per row;
// prints the summary. `options` comes with its threads (and annotations) set.
int grade_rows(const GradeOptions& o, const Engine& engine, const ValueNames& names,
               std::span<const interp::ItemField> item, const BatchOptions& options,
               BatchSummary* summary) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.data != "-") {
    file.open(o.data, std::ios::binary);
    if (!file) return fail("cannot read `" + o.data + "`");
    in = &file;
  }
  ResultsOutput results;
  if (Expected<void> opened = results.open(o.out); !opened) return fail(opened.error());

  bool tty = isatty(STDERR_FILENO) != 0 && !o.out.empty();
  auto progress = [&](size_t rows) {
    if (tty) std::fprintf(stderr, "\rgraded %zu rows", rows);
  };
  BatchSummary& s = *summary;
  s = grade_jsonl(names, item, engine, *in, results.stream(), options, progress);
  if (tty) std::fprintf(stderr, "\r");
  if (Expected<void> done = results.commit(); !done) return fail(done.error());

  size_t graded = s.rows - s.errors;
  std::cerr << "graded " << s.rows << " rows (" << s.errors << " errors, " << s.flagged
            << " flagged) in " << grader::format_num(std::round(s.seconds * 1000) / 1000) << " s, "
            << grader::format_num(std::round(s.seconds > 0 ? s.rows / s.seconds : 0)) << " rows/s\n";
  if (graded > 0) {
    std::cerr << "mean total " << grader::format_num(s.total_sum / graded);
    for (size_t i = 0; i < s.names.components.size(); ++i) {
      std::cerr << (i == 0 ? "; " : ", ") << s.names.components[i] << " "
                << grader::format_num(s.component_sums[i] / graded);
    }
    for (size_t i = 0; i < s.names.monitors.size(); ++i) {
      std::cerr << (i == 0 ? "; monitors " : ", ") << s.names.monitors[i] << " "
                << grader::format_num(s.monitor_sums[i] / graded);
    }
    std::cerr << "\n";
  }
  return kOk;
}

int run_grade_spec(const GradeOptions& o) {
  LoadedReward loaded = load_reward("grade", o.spec, o.reward);
  if (loaded.reward == nullptr) return kUserError;
  Expected<std::unique_ptr<GraderEngine>> created =
      GraderEngine::create(std::move(loaded), o.engine, !o.no_cache, &o.judges);
  if (!created) return fail(created.error());
  std::unique_ptr<GraderEngine> grader = std::move(created).value();
  BatchOptions options;
  options.threads = grader->grading_threads(o.threads);
  std::optional<TranscribingEngine> transcribing;
  const Engine* engine = &grader->engine();
  if (o.show_judges) {
    engine = &transcribing.emplace(grader->engine());
    options.annotate = [&transcribing](const nlohmann::json& row, nlohmann::ordered_json& line) {
      line["judges"] = judge_exchanges_json(transcribing->take(row));
    };
  }
  BatchSummary s;
  if (int rc = grade_rows(o, *engine, grader->value_names(), grader->item_fields(), options, &s);
      rc != kOk) {
    return rc;
  }
  std::cerr << judge_summary(*grader, static_cast<long>(s.skipped));
  return kOk;
}

// A shared object carries the reward's code, component names and item fields, but not its
// judges' settings (endpoints, prompts' models), which live in the spec.
int run_grade_shared(const GradeOptions& o) {
  Expected<std::unique_ptr<SharedGrader>> g = SharedGrader::open(o.grader, o.reward);
  if (!g) return fail(g.error());
  BatchOptions options;
  options.threads = o.threads;
  BatchSummary s;
  const SharedGrader& shared = **g;
  return grade_rows(o, shared.engine(), shared.value_names(), shared.item_fields(), options, &s);
}

int run_grade(const GradeOptions& o) {
  if (o.spec.empty() == o.grader.empty()) {
    return fail(o.spec.empty() ? "give the .reward spec, or --grader with a compiled grader"
                               : "give the .reward spec or --grader, not both");
  }
  return o.spec.empty() ? run_grade_shared(o) : run_grade_spec(o);
}

}  // namespace

void add_grade(CLI::App& app, Command& run) {
  auto o = std::make_shared<GradeOptions>();
  CLI::App* cmd = app.add_subcommand("grade", "Grade every row of a JSONL dataset with a reward");
  cmd->add_option("spec", o->spec, "The .reward file (or --grader)");
  cmd->add_option("--grader", o->grader,
                  "A compiled grader (the shared object `rft compile` writes) to grade with "
                  "instead of a spec; its reward may not call judges");
  cmd->add_option("--reward", o->reward, "Which reward to grade with")->required();
  cmd->add_option("--data", o->data,
                  "JSONL rows: {\"completion\": ..., \"prompt\": ..., item fields...}; - for stdin")
      ->required();
  cmd->add_option("--out", o->out, "Where to write the results (default: stdout)");
  add_engine_option(cmd, &o->engine,
                    "How to evaluate the reward: jit (native code compiled in process, cached), "
                    "aot (a shared object, as `rft compile` makes) or interp (the reference "
                    "interpreter)");
  cmd->add_flag("--no-cache", o->no_cache, "Compile anew instead of using the compile cache");
  add_judge_flags(cmd, &o->judges);
  cmd->add_flag("--show-judges", o->show_judges,
                "Add to each result line the judge requests its grading made: \"judges\": "
                "[{\"judge\", \"prompt\", \"reply\", \"error\", \"cached\"}]");
  cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, cmd, &run] {
    const bool spec_only = cmd->count("--engine") > 0 || cmd->count("--no-cache") > 0 ||
                           cmd->count("--show-judges") > 0;
    run = [o, spec_only] {
      if (!o->grader.empty() && spec_only) {
        return fail("--engine, --no-cache and --show-judges apply to a spec, not to --grader");
      }
      return run_grade(*o);
    };
  });
}

}  // namespace rft::cli
