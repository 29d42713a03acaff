// Grading throughput of the three engines on one core, and JIT compile latency.
//
//   grade_bench SPEC REWARD CORPUS.jsonl [--repeat K] [--opt N] [--engine interp|jit|aot]
//               [--compile-spec SPEC50] [--totals PATH] [--passes PIPELINE]
//
// Loads every corpus row into memory first (not timed), then grades all rows on one thread with
// each engine (interp, jit, aot), best of K passes. Prints one JSON line per measurement. Every
// engine must give each row the same total, bit for bit, or the run fails; --totals writes the
// first engine's totals, one per line (bench/run.sh compares them with the Python baseline's).
//
// The first line measures the one-pass limit: rows/s of a single pass over the same bytes that
// any grader must make (UTF-8 validation of each completion, as the graders do on input).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "compiler/codegen/codegen.h"
#include "compiler/grading/batch.h"
#include "compiler/driver/loader.h"
#include "runtime/grader/utf8.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::unique_ptr<rft::Program> load(const std::string& path) {
  auto p = rft::load_program({path});
  if (!p->ok()) {
    std::cerr << rft::render_all(p->diags, p->sources);
    std::exit(1);
  }
  return p;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: grade_bench SPEC REWARD CORPUS.jsonl [--repeat K] [--compile-spec SPEC]\n";
    return 2;
  }
  std::string spec_path = argv[1], reward_name = argv[2], corpus_path = argv[3];
  int repeat = 3;
  int opt = 2;
  std::string only;  // --engine NAME: measure one engine (for profiling)
  std::string compile_spec;
  std::string totals_path;
  std::string passes;  // --passes: an LLVM pass pipeline instead of the level's
  for (int i = 4; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--compile-spec") == 0) compile_spec = argv[i + 1];
    if (std::strcmp(argv[i], "--opt") == 0) opt = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--engine") == 0) only = argv[i + 1];
    if (std::strcmp(argv[i], "--totals") == 0) totals_path = argv[i + 1];
    if (std::strcmp(argv[i], "--passes") == 0) passes = argv[i + 1];
  }

  auto program = load(spec_path);
  const rft::ast::RewardDecl* reward = program->find_reward(reward_name);
  if (reward == nullptr) {
    std::cerr << "no reward " << reward_name << "\n";
    return 1;
  }

  // The corpus, parsed up front.
  std::ifstream in(corpus_path);
  std::vector<nlohmann::json> rows;
  std::string line;
  size_t bytes = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    rows.push_back(nlohmann::json::parse(line));
    bytes += rows.back()["completion"].get_ref<const std::string&>().size();
  }
  std::vector<rft::Sample> samples;
  for (const auto& r : rows) {
    auto p = r.find("prompt");
    samples.push_back({p == r.end() ? std::string_view() : p->get_ref<const std::string&>(),
                       r["completion"].get_ref<const std::string&>(), &r});
  }
  std::cerr << "corpus: " << samples.size() << " rows, mean completion "
            << bytes / std::max<size_t>(1, samples.size()) << " bytes\n";

  // The one-pass limit: a single scan over every completion's bytes, best of K.
  {
    double best = 1e300;
    size_t valid = 0;
    for (int k = 0; k < std::max(repeat, 3); ++k) {
      valid = 0;
      auto t = Clock::now();
      for (const auto& s : samples) valid += rft::grader::is_valid_utf8(s.completion) ? 1 : 0;
      best = std::min(best, seconds_since(t));
    }
    std::printf("{\"engine\":\"one_pass\",\"rows\":%zu,\"bytes\":%zu,\"seconds\":%.6f,"
                "\"rows_per_s\":%.1f,\"valid\":%zu}\n",
                samples.size(), bytes, best, static_cast<double>(samples.size()) / best, valid);
    std::fflush(stdout);
  }

  // The engines.
  rft::interp::Interpreter interp(*program);
  rft::InterpEngine interp_engine(interp, *reward);
  auto created = rft::codegen::Jit::create();
  if (!created) {
    std::cerr << created.error() << "\n";
    return 1;
  }
  std::unique_ptr<rft::codegen::Jit> jit = std::move(created).value();
  rft::codegen::JitOptions jo;
  jo.use_cache = false;
  jo.compile.opt_level = opt;
  jo.compile.passes = passes;
  rft::codegen::CompileOptions aot_options;
  aot_options.opt_level = opt;
  aot_options.passes = passes;
  auto loaded = jit->load(*program, jo);
  if (!loaded) {
    std::cerr << loaded.error() << "\n";
    return 1;
  }
  std::unique_ptr<rft::codegen::JitGrader> jitted = std::move(loaded).value();
  rft::NativeEngine jit_engine(*jitted->find(reward_name));
  fs::path dir = fs::temp_directory_path() / ("rft-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string so = (dir / "grader.so").string();
  if (auto built = rft::codegen::compile_to_file(*program, aot_options, so); !built) {
    std::cerr << built.error() << "\n";
    return 1;
  }
  char why[512] = "";
  rft_grader* shared = rft_grader_open(so.c_str(), why, sizeof why);
  if (shared == nullptr) {
    std::cerr << why << "\n";
    return 1;
  }
  rft::NativeEngine aot_engine(*rft_grader_find(shared, reward_name.c_str()));

  struct Run {
    const char* name;
    const rft::Engine* engine;
  };
  double checksum_ref = NAN;
  std::vector<double> totals_ref;
  for (const Run& run : {Run{"interp", &interp_engine}, Run{"jit", &jit_engine},
                         Run{"aot", &aot_engine}}) {
    if (!only.empty() && only != run.name) continue;
    double best = 1e300, checksum = 0;
    rft::grader::Context ctx;
    std::vector<double> totals(samples.size());
    for (int k = 0; k < repeat; ++k) {
      checksum = 0;
      auto t = Clock::now();
      for (size_t i = 0; i < samples.size(); ++i) {
        ctx.reset();
        totals[i] = run.engine->grade(samples[i], ctx).total;
        checksum += totals[i];
      }
      best = std::min(best, seconds_since(t));
    }
    // The slowest row (adversarial rows must stay bounded), timed alone after the passes.
    double slowest = 0;
    size_t slowest_row = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      ctx.reset();
      auto t = Clock::now();
      run.engine->grade(samples[i], ctx);
      const double dt = seconds_since(t);
      if (dt > slowest) {
        slowest = dt;
        slowest_row = i + 1;
      }
    }
    if (std::isnan(checksum_ref)) {
      checksum_ref = checksum;
      totals_ref = totals;
      if (!totals_path.empty()) {
        std::ofstream out(totals_path);
        char buf[40];
        for (double x : totals) {
          std::snprintf(buf, sizeof buf, "%.17g\n", x);
          out << buf;
        }
      }
    }
    for (size_t i = 0; i < samples.size(); ++i) {
      if (std::memcmp(&totals[i], &totals_ref[i], sizeof(double)) != 0) {
        std::cerr << run.name << " disagrees on row " << i + 1 << ": " << totals[i] << " vs "
                  << totals_ref[i] << "\n";
        return 1;
      }
    }
    std::printf("{\"engine\":\"%s\",\"rows\":%zu,\"seconds\":%.6f,\"rows_per_s\":%.1f,"
                "\"checksum\":%.9g,\"slowest_row\":%zu,\"slowest_ms\":%.3f}\n",
                run.name, samples.size(), best, static_cast<double>(samples.size()) / best,
                checksum, slowest_row, slowest * 1000);
    std::fflush(stdout);
  }
  rft_grader_close(shared);

  if (!compile_spec.empty()) {
    auto p50 = load(compile_spec);
    std::vector<double> cold, warm, aot;
    for (int k = 0; k < 7; ++k) {
      auto t = Clock::now();
      auto g = jit->load(*p50, jo);
      cold.push_back(seconds_since(t) * 1000);
      if (!g) {
        std::cerr << g.error() << "\n";
        return 1;
      }
    }
    rft::codegen::JitOptions cached = jo;
    cached.use_cache = true;
    cached.cache_dir = (dir / "cache").string();
    if (auto filled = jit->load(*p50, cached); !filled) {  // fills the cache
      std::cerr << filled.error() << "\n";
      return 1;
    }
    for (int k = 0; k < 15; ++k) {
      auto t = Clock::now();
      auto g = jit->load(*p50, cached);
      warm.push_back(seconds_since(t) * 1000);
      if (!g || !(*g)->from_cache()) {
        std::cerr << "warm load did not come from the cache\n";
        return 1;
      }
    }
    for (int k = 0; k < 5; ++k) {
      auto t = Clock::now();
      if (auto built = rft::codegen::compile_to_file(*p50, aot_options, (dir / "c50.so").string());
          !built) {
        std::cerr << built.error() << "\n";
        return 1;
      }
      aot.push_back(seconds_since(t) * 1000);
    }
    std::printf("{\"compile\":\"%s\",\"lines\":%zu,\"jit_cold_ms\":%.2f,\"jit_warm_ms\":%.3f,"
                "\"aot_so_ms\":%.2f}\n",
                compile_spec.c_str(),
                static_cast<size_t>(std::count(p50->sources.file(p50->roots[0]->file).text().begin(),
                                               p50->sources.file(p50->roots[0]->file).text().end(), '\n')),
                median(cold), median(warm), median(aot));
  }
  fs::remove_all(dir);
  return 0;
}
