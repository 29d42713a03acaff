// The differential test: random well-typed programs (tests/codegen/program_gen.h), graded on
// random samples by the reference interpreter, by the JIT and (for every k-th program) by a
// shared object from `rft compile`, must give identical results: the same total and components
// bit for bit, and the same flags in the same order. Every other sample also has judges that
// answer (the same deterministic function of the rendered prompt for every engine, failing now
// and then); the engines must then call the same judges with the same prompts in the same order.
// A mismatch is printed with the spec, the sample and both results, and fails the test.
//
// Environment:
//   RFT_DIFF_PROGRAMS   programs to generate (default 120; scripts/difftest.sh runs thousands)
//   RFT_DIFF_SEED       the run's seed (default fixed); program i uses a seed derived from it
//   RFT_DIFF_ONLY       run program i alone (the index printed with a mismatch)
//   RFT_DIFF_INPUTS     samples per program (default 16)
//   RFT_DIFF_AOT_EVERY  grade every k-th program through a shared object too (default 4; 0: never)
//   RFT_DIFF_HUGE_EVERY give every k-th program a completion over 1 MB (default 30; 0: never)
//   RFT_DIFF_VERBOSE=1  print the diagnostics of programs that do not check, and each source
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "compiler/codegen/codegen.h"
#include "compiler/grading/batch.h"
#include "compiler/driver/loader.h"
#include "compiler/interp/interpreter.h"
#include "runtime/grader/context.h"
#include "tests/codegen/program_gen.h"

namespace rft {
namespace {

using difftest::GeneratedInput;
using difftest::GeneratedProgram;

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 0);
}

int64_t env_i64(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoll(v, nullptr, 0);
}

// splitmix64: the seed of program i, so that any program can be regenerated alone.
uint64_t program_seed(uint64_t run_seed, uint64_t i) {
  uint64_t z = run_seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// What is being graded, written out if an engine crashes (so that the crash can be reproduced).
std::string g_current;  // NOLINT: read by the signal handler

void on_fatal_signal(int sig) {
  static const char kHead[] = "\n*** differential test: fatal signal while grading\n";
  ssize_t ignored = write(STDERR_FILENO, kHead, sizeof kHead - 1);
  ignored = write(STDERR_FILENO, g_current.data(), g_current.size());
  (void)ignored;
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// A deterministic judge for both engines: the score is a hash of the judge's name and rendered
// prompt (so that a difference in rendering shows in the total), and one call in seven fails.
// Every call is logged, so that the engines must also call the same judges in the same order.
struct JudgeLog {
  std::vector<std::string> calls;
};

std::optional<double> judge_score(std::string_view judge, std::string_view prompt) {
  uint64_t h = 1469598103934665603ull;
  for (char c : judge) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  h = (h ^ 0xFFu) * 1099511628211ull;
  for (char c : prompt) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  if (h % 7 == 0) return std::nullopt;
  return static_cast<double>(h % 1001) / 1000.0;
}

class HashJudge : public interp::JudgeProvider {
 public:
  explicit HashJudge(JudgeLog* log) : log_(log) {}
  std::optional<double> score(const ast::JudgeDecl& judge, const std::string& prompt) override {
    log_->calls.push_back(judge.name + ": " + prompt);
    return judge_score(judge.name, prompt);
  }

 private:
  JudgeLog* log_;
};

int native_judge(void* user, const char* judge, const char* prompt, uint64_t prompt_len,
                 double* score) {
  std::string_view p(prompt, static_cast<size_t>(prompt_len));
  static_cast<JudgeLog*>(user)->calls.push_back(std::string(judge) + ": " + std::string(p));
  std::optional<double> s = judge_score(judge, p);
  if (!s) return 1;
  *score = *s;
  return 0;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::string num_text(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g (%a)", x, x);
  return buf;
}

std::string describe(const Grade& r, const ast::RewardDecl& reward) {
  std::ostringstream out;
  out << "total " << num_text(r.total) << "\n";
  for (size_t i = 0; i < r.components.size(); ++i) {
    std::string name = i < reward.components.size() ? reward.components[i]->name : "?";
    out << "    " << name << " " << num_text(r.components[i]) << "\n";
  }
  for (size_t i = 0; i < r.monitors.size(); ++i) {
    std::string name = i < reward.monitors.size() ? reward.monitors[i]->name : "?";
    out << "    monitor " << name << " " << num_text(r.monitors[i]) << "\n";
  }
  out << "    flags [";
  for (size_t i = 0; i < r.flags.size(); ++i) out << (i ? ", " : "") << r.flags[i];
  out << "]";
  return out.str();
}

// Bitwise: -0 and 0 differ, and so would two NaNs with different payloads.
bool same_double(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

std::string difference(const Grade& a, const Grade& b) {
  if (!same_double(a.total, b.total)) return "total";
  if (a.components.size() != b.components.size()) return "number of components";
  for (size_t i = 0; i < a.components.size(); ++i) {
    if (!same_double(a.components[i], b.components[i])) return "component " + std::to_string(i);
  }
  if (a.monitors.size() != b.monitors.size()) return "number of monitors";
  for (size_t i = 0; i < a.monitors.size(); ++i) {
    if (!same_double(a.monitors[i], b.monitors[i])) return "monitor " + std::to_string(i);
  }
  if (a.flags != b.flags) return "flags";
  return "";
}

std::string describe_input(const GeneratedInput& in) {
  std::ostringstream out;
  out << "  prompt:     " << difftest::printable(in.prompt) << "\n"
      << "  completion: " << difftest::printable(in.completion) << "\n"
      << "  (made as:   " << in.recipe << ")\n"
      << "  item row:   "
      << (in.row.is_null() ? std::string("(none: no row is passed)")
                           : in.row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      << "\n";
  return out.str();
}

std::string judge_calls(const JudgeLog& log) {
  std::string out;
  for (const auto& c : log.calls) out += "  " + difftest::printable(c, 300) + "\n";
  return out;
}

struct Stats {
  int64_t generated = 0, accepted = 0, with_aot = 0, samples = 0, gradings = 0;
  int64_t mismatches = 0, reported = 0, judge_calls = 0;
  double gen_ms = 0, load_ms = 0, interp_ms = 0, jit_build_ms = 0, jit_ms = 0, aot_build_ms = 0,
         aot_ms = 0;
  std::map<std::string, int> features;
  std::map<std::string, int> rejections;  // first diagnostic code of programs that do not check
};

class DifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("RFT_DIFF_ENV_VAR", "from the environment: 42", 1);
    ::unsetenv("RFT_DIFF_UNSET_VAR");
    std::signal(SIGSEGV, on_fatal_signal);
    std::signal(SIGABRT, on_fatal_signal);
    std::signal(SIGBUS, on_fatal_signal);
    std::signal(SIGFPE, on_fatal_signal);
    std::error_code ec;
    dir_ = std::filesystem::temp_directory_path(ec) / ("rft-difftest-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_, ec);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::signal(SIGSEGV, SIG_DFL);
    std::signal(SIGABRT, SIG_DFL);
    std::signal(SIGBUS, SIG_DFL);
    std::signal(SIGFPE, SIG_DFL);
  }

  std::filesystem::path dir_;
};

TEST(ProgramGenerator, IsDeterministic) {
  for (uint64_t seed : {1ull, 2ull, 77ull}) {
    GeneratedProgram a = difftest::generate_program(seed);
    GeneratedProgram b = difftest::generate_program(seed);
    EXPECT_EQ(a.source, b.source);
    auto ia = difftest::generate_inputs(a, seed, 5, true);
    auto ib = difftest::generate_inputs(b, seed, 5, true);
    ASSERT_EQ(ia.size(), ib.size());
    for (size_t i = 0; i < ia.size(); ++i) {
      EXPECT_EQ(ia[i].completion, ib[i].completion);
      EXPECT_EQ(ia[i].row, ib[i].row);
    }
    EXPECT_GE(ia.back().completion.size(), size_t{1} << 20);  // the huge one
  }
  EXPECT_NE(difftest::generate_program(1).source, difftest::generate_program(2).source);
}

TEST_F(DifferentialTest, InterpreterJitAndSharedObjectAgree) {
  const int64_t programs = env_i64("RFT_DIFF_PROGRAMS", 120);
  const uint64_t seed = env_u64("RFT_DIFF_SEED", 0x5EED0001);
  const int64_t only = env_i64("RFT_DIFF_ONLY", -1);
  const int inputs = static_cast<int>(env_i64("RFT_DIFF_INPUTS", 16));
  const int64_t aot_every = env_i64("RFT_DIFF_AOT_EVERY", 4);
  const int64_t huge_every = env_i64("RFT_DIFF_HUGE_EVERY", 30);
  const bool verbose = env_i64("RFT_DIFF_VERBOSE", 0) != 0;
  const int64_t max_reports = 5;

  Expected<std::unique_ptr<codegen::Jit>> created = codegen::Jit::create();
  ASSERT_TRUE(created) << created.error();
  std::unique_ptr<codegen::Jit> jit = std::move(created).value();
  codegen::JitOptions jit_options;
  jit_options.use_cache = false;

  Stats st;
  grader::Context ctx_interp, ctx_jit, ctx_aot;
  auto start = std::chrono::steady_clock::now();
  const int64_t first = only >= 0 ? only : 0;
  const int64_t last = only >= 0 ? only + 1 : programs;

  for (int64_t i = first; i < last; ++i) {
    const uint64_t pseed = program_seed(seed, static_cast<uint64_t>(i));
    auto t = std::chrono::steady_clock::now();
    GeneratedProgram gp = difftest::generate_program(pseed);
    std::vector<GeneratedInput> samples =
        difftest::generate_inputs(gp, pseed ^ 0xA5A5A5A5ull, inputs,
                                  huge_every > 0 && i % huge_every == huge_every - 1);
    st.gen_ms += ms_since(t);
    ++st.generated;
    const std::string where = "program #" + std::to_string(i) + " of RFT_DIFF_SEED=" +
                              std::to_string(seed) + " (rerun it alone with RFT_DIFF_ONLY=" +
                              std::to_string(i) + ")";

    t = std::chrono::steady_clock::now();
    std::unique_ptr<Program> program = load_program_from_string("diff.reward", gp.source);
    st.load_ms += ms_since(t);
    if (verbose) std::cerr << "---- " << where << "\n" << gp.source;
    if (!program->ok()) {
      std::string diags = render_all(program->diags, program->sources);
      size_t code = diags.find("error[");
      ++st.rejections[code == std::string::npos ? "?" : diags.substr(code + 6, 5)];
      if (verbose) std::cerr << "does not check:\n" << diags << "\n";
      continue;
    }
    ++st.accepted;
    for (const auto& [f, n] : gp.features) st.features[f] += n;

    interp::Interpreter interp(*program);

    g_current = where + "\n(while compiling it with the JIT)\n" + gp.source;
    t = std::chrono::steady_clock::now();
    Expected<std::unique_ptr<codegen::JitGrader>> loaded = jit->load(*program, jit_options);
    st.jit_build_ms += ms_since(t);
    if (!loaded) {
      ADD_FAILURE() << where << ": the JIT cannot compile a program that checks: " << loaded.error()
                    << "\n"
                    << gp.source;
      continue;
    }
    std::unique_ptr<codegen::JitGrader> jitted = std::move(loaded).value();

    std::unique_ptr<rft_grader, void (*)(rft_grader*)> shared(nullptr, rft_grader_close);
    if (aot_every > 0 && i % aot_every == 0) {
      g_current = where + "\n(while building a shared object)\n" + gp.source;
      t = std::chrono::steady_clock::now();
      std::string so = (dir_ / ("p" + std::to_string(i) + ".so")).string();
      if (Expected<void> built = codegen::compile_to_file(*program, codegen::CompileOptions{}, so);
          !built) {
        ADD_FAILURE() << where << ": cannot build a shared object: " << built.error() << "\n"
                      << gp.source;
        continue;
      }
      char why[512] = "";
      shared.reset(rft_grader_open(so.c_str(), why, sizeof why));
      std::error_code ec;
      std::filesystem::remove(so, ec);  // stays mapped
      st.aot_build_ms += ms_since(t);
      if (!shared) {
        ADD_FAILURE() << where << ": cannot open the shared object: " << why;
        continue;
      }
      ++st.with_aot;
    }

    st.samples += static_cast<int64_t>(samples.size());
    bool program_failed = false;
    for (const std::string& name : gp.rewards) {
      if (program_failed) break;
      const ast::RewardDecl* reward = program->find_reward(name);
      ASSERT_NE(reward, nullptr) << name;
      const rft_reward_info* jit_reward = jitted->find(name);
      if (jit_reward == nullptr) {
        ADD_FAILURE() << where << ": the JIT has no reward `" << name << "`\n" << gp.source;
        program_failed = true;
        break;
      }
      const rft_reward_info* aot_reward = shared ? rft_grader_find(shared.get(), name.c_str()) : nullptr;
      if (shared && aot_reward == nullptr) {
        ADD_FAILURE() << where << ": the shared object has no reward `" << name << "`";
        program_failed = true;
        break;
      }
      InterpEngine by_interp(interp, *reward);
      NativeEngine by_jit(*jit_reward);
      std::unique_ptr<NativeEngine> by_aot;
      if (aot_reward != nullptr) by_aot = std::make_unique<NativeEngine>(*aot_reward);

      for (size_t k = 0; k < samples.size() && !program_failed; ++k) {
        const GeneratedInput& in = samples[k];
        Sample sample{in.prompt, in.completion, in.row.is_null() ? nullptr : &in.row};
        g_current = where + ", reward `" + name + "`, sample #" + std::to_string(k) + "\n" +
                    describe_input(in) + gp.source;

        // Every other sample has judges that answer (a hash of the prompt, or a failure); the
        // others have none, so every judge call yields its on_error value.
        const bool judged = k % 2 == 1;
        JudgeLog interp_log, jit_log, aot_log;
        HashJudge provider(&interp_log);
        rft_ctx_set_judge(ctx_jit.handle(), judged ? native_judge : nullptr, &jit_log);
        rft_ctx_set_judge(ctx_aot.handle(), judged ? native_judge : nullptr, &aot_log);

        t = std::chrono::steady_clock::now();
        ctx_interp.reset();
        Grade expected = judged ? interp.grade(*reward, sample, ctx_interp, &provider)
                                         : by_interp.grade(sample, ctx_interp);
        st.interp_ms += ms_since(t);

        t = std::chrono::steady_clock::now();
        ctx_jit.reset();
        Grade got_jit = by_jit.grade(sample, ctx_jit);
        st.jit_ms += ms_since(t);
        ++st.gradings;

        struct Got {
          std::string engine;
          Grade result;
          const JudgeLog* log;
        };
        std::vector<Got> got;
        got.push_back({"JIT", std::move(got_jit), &jit_log});
        if (by_aot) {
          t = std::chrono::steady_clock::now();
          ctx_aot.reset();
          got.push_back({"shared object", by_aot->grade(sample, ctx_aot), &aot_log});
          st.aot_ms += ms_since(t);
        }
        st.judge_calls += static_cast<int64_t>(interp_log.calls.size());
        for (const auto& [engine, result, log] : got) {
          std::string diff = difference(expected, result);
          if (diff.empty() && log->calls != interp_log.calls) diff = "judge calls";
          if (diff.empty()) continue;
          ++st.mismatches;
          program_failed = true;  // one report per program
          if (st.reported++ >= max_reports) break;
          ADD_FAILURE() << "the interpreter and the " << engine << " disagree (" << diff
                        << ") on " << where << ", reward `" << name << "`, sample #" << k
                        << "\n---- spec\n"
                        << gp.source << "---- sample\n"
                        << describe_input(in) << "---- interpreter\n  "
                        << describe(expected, *reward) << "\n---- " << engine << "\n  "
                        << describe(result, *reward) << "\n"
                        << "---- judge calls (interpreter)\n"
                        << judge_calls(interp_log) << "---- judge calls (" << engine << ")\n"
                        << judge_calls(*log);
          break;
        }
      }
    }
  }
  g_current.clear();
  double seconds = ms_since(start) / 1000;

  // The report: rates, times and what the accepted programs covered.
  std::vector<std::string> sigs = difftest::builtin_signatures();
  std::vector<std::string> unused;
  for (const auto& s : sigs) {
    if (st.features.count("builtin:" + s) == 0) unused.push_back(s);
  }
  std::printf(
      "differential: %lld programs generated, %lld check (%.1f%%), %lld also as shared objects; "
      "%lld samples, %lld gradings per engine, %lld judge calls; %lld mismatches; %.1f s\n"
      "  times (ms): generate %.0f, load+check %.0f, interpreter %.0f, JIT build %.0f, JIT grade "
      "%.0f, shared object build %.0f, shared object grade %.0f\n"
      "  builtin overloads used: %zu of %zu\n",
      static_cast<long long>(st.generated), static_cast<long long>(st.accepted),
      st.generated ? 100.0 * static_cast<double>(st.accepted) / static_cast<double>(st.generated) : 0.0,
      static_cast<long long>(st.with_aot), static_cast<long long>(st.samples),
      static_cast<long long>(st.gradings), static_cast<long long>(st.judge_calls),
      static_cast<long long>(st.mismatches), seconds,
      st.gen_ms, st.load_ms, st.interp_ms, st.jit_build_ms, st.jit_ms, st.aot_build_ms, st.aot_ms,
      sigs.size() - unused.size(), sigs.size());
  if (st.generated >= 100 || verbose) {
    for (const auto& s : unused) std::printf("    unused: %s\n", s.c_str());
  }
  if (!st.rejections.empty()) {
    std::printf("  rejected by the checker:");
    for (const auto& [code, n] : st.rejections) std::printf(" %s x%d", code.c_str(), n);
    std::printf("\n");
  }
  if (verbose) {
    for (const auto& [f, n] : st.features) {
      if (!f.starts_with("builtin:")) std::printf("    %-28s %d\n", f.c_str(), n);
    }
  }
  std::fflush(stdout);

  EXPECT_EQ(st.mismatches, 0) << "(only the first " << max_reports << " were printed)";
  if (only < 0) {
    // The generator must not rot silently: most of what it writes checks...
    EXPECT_GE(static_cast<double>(st.accepted), 0.8 * static_cast<double>(st.generated))
        << "the generator's programs fail to check too often; rerun with RFT_DIFF_VERBOSE=1";
    // ... and, over a run of the default size or more, covers every construct.
    if (st.generated >= 100) {
      for (const char* f : {"item",
                            "item_ref",
                            "const",
                            "const_typed",
                            "regex_const",
                            "regex_var",
                            "fn",
                            "fn_block",
                            "fn_default",
                            "fn_call",
                            "named_arg",
                            "builtin_named_arg",
                            "fn_inferred_result",
                            "let",
                            "let_typed",
                            "component",
                            "component_bool",
                            "component_bounds",
                            "monitor",
                            "monitor_reads_monitor",
                            "on_invalid",
                            "judge",
                            "judge_call",
                            "if",
                            "op:??",
                            "op:+",
                            "op:-",
                            "op:*",
                            "op:/",
                            "op:%",
                            "op:neg",
                            "op:not",
                            "op:str+",
                            "op:<",
                            "op:<=",
                            "op:>",
                            "op:>=",
                            "op:~=",
                            "op:==",
                            "op:!=",
                            "op:&&",
                            "op:||",
                            "is_none",
                            "is_not_none",
                            "none",
                            "empty_list",
                            "list_literal",
                            "object_literal",
                            "index_list",
                            "index_str",
                            "index_json",
                            "member",
                            "unwrap",
                            "unwrap_user",
                            "bool_as_num",
                            "list_bool_as_list_num",
                            "prompt",
                            "completion",
                            "raw_string",
                            "triple_string",
                            "unicode_escape",
                            "regex_plain_string",
                            "total_sum",
                            "deep_json_literal",
                            "import",
                            "import_as",
                            "module_call",
                            "fast_path"}) {
        EXPECT_GT(st.features[f], 0) << "no accepted program used " << f;
      }
      EXPECT_GE(sigs.size() - unused.size(), sigs.size() * 9 / 10)
          << "too few builtin overloads are exercised";
    }
  }
}


// Long reasoning-style completions (as bench/gen_long_corpus.py writes them, made here from the
// same kinds of fragments) and the adversarial rows of the benchmark, graded with the benchmark's
// specs and with a spec that uses every fast path of the code generator (list-free uses of
// find_all and words): the interpreter evaluates them as written, the JIT and a shared object
// through the fast paths, and all must agree bit for bit.
std::vector<std::string> long_completions(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const std::vector<std::string> fragments = {
      "1. Multiply 1,234 by 5: that gives 6,170.",
      "- Subtotal: 12 345 (12 + 333).",
      "$\\frac{3}{4} = 0.75$ and \\[ 12 \\times 3 = 36 \\]",
      "```python\ndef total(xs):\n    return sum(xs)\n```",
      "## Step 2\nWe now have 48 *apples* in [boxes].",
      "Voilà, c'est réglé — the café sold them all ☕. 所以我们先算出总数。 🚀",
      "So the answer is \\boxed{42}. Hmm, wait: \\boxed{41}?",
      "<answer>17</answer> Actually <answer> 1,700 </answer>",
      "CHECK: the TOTAL is RIGHT. P.S. done",
      "```json\n{\"answer\": 17, \"confidence\": 0.5, \"steps\": [1, 2], \"unit\": \"km\"}\n```",
      "\n\n", "\t", "x", "{", "}", "\\boxed{", "</think>", "<think>",
  };
  std::vector<std::string> out;
  for (int k = 0; k < 40; ++k) {
    std::string c = k % 3 == 0 ? "<think>\n" : "";
    const size_t target = 200 + (rng() % (k % 10 == 0 ? 30000 : 4000));
    while (c.size() < target) c += fragments[static_cast<size_t>(pick(static_cast<int>(fragments.size())))] + (pick(3) ? "\n" : " ");
    if (k % 3 == 0) c += "\n</think>\n<answer>" + std::to_string(pick(100)) + "</answer>";
    out.push_back(std::move(c));
  }
  // The benchmark's adversarial rows: one 64 KB line of one character, a 100,000-character line,
  // digit floods, unbalanced braces and tags, 10^4 to 10^5 matches of one pattern.
  out.push_back(std::string(65536, 'a'));
  std::string spaced;
  for (int i = 0; i < 50000; ++i) spaced += "x ";
  out.push_back("<think>" + spaced + "</think><answer>1</answer>");
  out.push_back("<think>" + std::string(30000, '9') + "</think><answer>" + std::string(20000, '1') +
                "</answer>");
  std::string braces(20000, '{');
  for (int i = 0; i < 3000; ++i) braces += "\\boxed{";
  out.push_back("<think>" + braces + "</think>");
  std::string tags;
  for (int i = 0; i < 8000; ++i) tags += "<answer>";
  for (int i = 0; i < 10; ++i) tags += "</answer>";
  out.push_back(tags);
  std::string ones;
  for (int i = 0; i < 32000; ++i) ones += "1 ";
  out.push_back(ones);
  std::string bullets;
  for (int i = 0; i < 10000; ++i) bullets += "- *a*\n";
  out.push_back(bullets);
  out.push_back("");
  return out;
}

constexpr char kFastPathSpec[] = R"spec(
item { answer: str }
reward fast {
  let a = last(find_all(completion, r"(\d+)"))
  let b = first(find_all(completion, r"<answer>(.*?)</answer>"))
  let c = find_all(completion, r"\\boxed\{([^{}]*)\}")[0]
  let d = find_all(completion, r"[A-Z]{2,}")[-1]
  let e = len(find_all(completion, r"(?m)^- "))
  let f = len(words(completion))
  let g = last(find_all(completion, r"x*"))
  let h = len(find_all(completion, r"a|"))
  let i = first(find_all(completion, r"(?:(q)|y)"))
  component a_len = len(a ?? "none")
  component b_len = len(b ?? "none") + len(c ?? "none") + len(d ?? "none")
  component counts = e + f / 1000 + h / 100000
  component empty = len(g ?? "none") + len(i ?? "none")
  total = a_len + b_len + counts + empty
}
)spec";

TEST_F(DifferentialTest, FastPathsAgreeOnLongCompletions) {
  Expected<std::unique_ptr<codegen::Jit>> created = codegen::Jit::create();
  ASSERT_TRUE(created) << created.error();
  std::unique_ptr<codegen::Jit> jit = std::move(created).value();
  codegen::JitOptions jit_options;
  jit_options.use_cache = false;
  const std::string root = RFT_SOURCE_ROOT;
  struct Spec {
    std::unique_ptr<Program> program;
    std::string reward;
  };
  std::vector<Spec> specs;
  for (const char* name : {"trl", "ifeval", "json_fields"}) {
    specs.push_back({load_program({root + "/bench/specs/" + name + ".reward"}), name});
  }
  specs.push_back({load_program_from_string("fast.reward", kFastPathSpec), "fast"});
  const std::vector<std::string> completions = long_completions(0x10C0);
  size_t graded = 0;
  for (size_t s = 0; s < specs.size(); ++s) {
    const Program& program = *specs[s].program;
    ASSERT_TRUE(program.ok()) << specs[s].reward << ":\n" << render_all(program.diags, program.sources);
    interp::Interpreter interp(program);
    const ast::RewardDecl* reward = program.find_reward(specs[s].reward);
    ASSERT_NE(reward, nullptr);
    Expected<std::unique_ptr<codegen::JitGrader>> loaded = jit->load(program, jit_options);
    ASSERT_TRUE(loaded) << loaded.error();
    std::unique_ptr<codegen::JitGrader> jitted = std::move(loaded).value();
    std::string so = (dir_ / ("long" + std::to_string(s) + ".so")).string();
    Expected<void> built = codegen::compile_to_file(program, codegen::CompileOptions{}, so);
    ASSERT_TRUE(built) << built.error();
    char why[512] = "";
    std::unique_ptr<rft_grader, void (*)(rft_grader*)> shared(rft_grader_open(so.c_str(), why, sizeof why),
                                                               rft_grader_close);
    ASSERT_NE(shared, nullptr) << why;
    InterpEngine by_interp(interp, *reward);
    NativeEngine by_jit(*jitted->find(specs[s].reward));
    NativeEngine by_aot(*rft_grader_find(shared.get(), specs[s].reward.c_str()));
    grader::Context ctx;
    for (size_t k = 0; k < completions.size(); ++k) {
      nlohmann::json row = {{"answer", std::to_string(k % 100)}, {"keywords", nlohmann::json::array({"total", "a"})}};
      Sample sample{"prompt", completions[k], &row};
      ctx.reset();
      Grade expected = by_interp.grade(sample, ctx);
      for (const NativeEngine* engine : {&by_jit, &by_aot}) {
        ctx.reset();
        Grade got = engine->grade(sample, ctx);
        ASSERT_EQ(difference(expected, got), "")
            << (engine == &by_jit ? "JIT" : "shared object") << " vs interpreter, spec "
            << specs[s].reward << ", completion #" << k << " ("
            << difftest::printable(completions[k], 200) << ")\n  interpreter "
            << describe(expected, *reward) << "\n  compiled " << describe(got, *reward);
      }
      ++graded;
    }
  }
  EXPECT_EQ(graded, specs.size() * completions.size());
}

}  // namespace
}  // namespace rft
