#include "compiler/grading/batch.h"

#include <chrono>
#include <istream>
#include <optional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "compiler/interp/item.h"
#include "runtime/grader/json.h"
#include "runtime/grader/parallel.h"

namespace rft {
namespace {

struct Row {
  size_t line = 0;
  std::string text;
  nlohmann::json data;
  std::string error;  // set when the row cannot be graded
  Grade result;
};

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// Parses and validates one row; on failure sets row.error.
void parse_row(Row& row, std::span<const interp::ItemField> item) {
  row.error = interp::read_sample_row(row.text, item, row.data);
}

nlohmann::ordered_json named(std::span<const std::string> names, std::span<const double> values) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) out[names[i]] = values[i];
  return out;
}

std::string result_line(const Row& row, const ValueNames& names, const BatchOptions& options) {
  nlohmann::ordered_json j;  // keys in this order: line, then total or error

  j["line"] = row.line;
  if (!row.error.empty()) {
    j["error"] = row.error;
  } else {
    j["total"] = row.result.total;
    j["components"] = named(names.components, row.result.components);
    if (!names.monitors.empty()) j["monitors"] = named(names.monitors, row.result.monitors);
    j["flags"] = row.result.flags;
    if (options.annotate) options.annotate(row.data, j);
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Grade NativeEngine::grade(const Sample& sample, grader::Context& ctx) const {
  rft_sample s{grader::str_of(sample.prompt),
               grader::str_of(sample.completion),
               {nullptr, 0},
               sample.item,
               sample.truncated ? 1 : 0};
  if (judge_ != nullptr) rft_ctx_set_judge(ctx.handle(), judge_, judge_user_);
  Grade r;
  r.components.resize(reward_.n_components + reward_.n_monitors);
  reward_.grade(ctx.handle(), &s, &r.total, r.components.data());
  r.monitors.assign(r.components.begin() + reward_.n_components, r.components.end());
  r.components.resize(reward_.n_components);
  r.flags = ctx.flags();
  return r;
}

namespace {

// Grades samples[i] into results[i] on contexts.size() threads, in passes when the engine
// asks for them.
void grade_into(const Engine& engine, std::span<const Sample> samples,
                std::vector<grader::Context>& contexts, std::span<Grade> results) {
  const int threads = static_cast<int>(contexts.size());
  std::unique_ptr<GradingPasses> passes = engine.passes(samples);
  auto grade_one = [&](size_t i, int worker) {
    grader::Context& ctx = contexts[static_cast<size_t>(worker)];
    ctx.reset();
    if (!passes) {
      results[i] = engine.grade(samples[i], ctx);
      return;
    }
    passes->enter(i);
    try {
      results[i] = engine.grade(samples[i], ctx);
    } catch (...) {
      passes->leave();
      throw;
    }
    passes->leave();
  };
  grader::parallel_for(samples.size(), threads, grade_one);
  if (!passes) return;
  for (std::vector<size_t> again = passes->after_pass(threads); !again.empty();
       again = passes->after_pass(threads)) {
    grader::parallel_for(again.size(), threads,
                         [&](size_t k, int worker) { grade_one(again[k], worker); });
  }
}

}  // namespace

std::vector<Grade> grade_batch(const Engine& engine, std::span<const Sample> samples,
                                        int threads) {
  std::vector<Grade> results(samples.size());
  int n = threads > 0 ? threads : grader::default_threads();
  std::vector<grader::Context> contexts(static_cast<size_t>(n));
  grade_into(engine, samples, contexts, results);
  return results;
}

BatchSummary grade_jsonl(const ValueNames& names, std::span<const interp::ItemField> item,
                         const Engine& engine, std::istream& in, std::ostream& out,
                         const BatchOptions& options, const std::function<void(size_t)>& progress) {
  auto start = std::chrono::steady_clock::now();
  BatchSummary summary;
  summary.names = names;
  summary.component_sums.assign(names.components.size(), 0.0);
  summary.monitor_sums.assign(names.monitors.size(), 0.0);
  int threads = options.threads > 0 ? options.threads : grader::default_threads();
  std::vector<grader::Context> contexts(static_cast<size_t>(threads));

  size_t line_no = 0;
  std::vector<Row> chunk;
  std::string line;
  bool eof = false;
  while (!eof) {
    chunk.clear();
    while (chunk.size() < options.chunk_rows) {
      if (!std::getline(in, line)) {
        eof = true;
        break;
      }
      ++line_no;
      if (blank(line)) continue;
      chunk.push_back(Row{line_no, std::move(line), {}, {}, {}});
    }
    grader::parallel_for(chunk.size(), threads,
                         [&](size_t i, int) { parse_row(chunk[i], item); });
    // The rows that parsed are graded together, so that a group judge sees all of a chunk.
    std::vector<Sample> samples;
    std::vector<size_t> rows;
    for (size_t i = 0; i < chunk.size(); ++i) {
      Row& row = chunk[i];
      if (!row.error.empty()) continue;
      const auto& prompt = row.data.find("prompt");
      samples.push_back(Sample{
          prompt == row.data.end() ? std::string_view() : prompt->get_ref<const std::string&>(),
          row.data["completion"].get_ref<const std::string&>(), &row.data,
          interp::row_truncated(row.data)});
      rows.push_back(i);
    }
    std::vector<Grade> results(samples.size());
    grade_into(engine, samples, contexts, results);
    for (size_t k = 0; k < rows.size(); ++k) chunk[rows[k]].result = std::move(results[k]);
    for (Row& row : chunk) {
      out << result_line(row, names, options) << '\n';
      ++summary.rows;
      if (!row.error.empty()) {
        ++summary.errors;
        continue;
      }
      summary.total_sum += row.result.total;
      for (size_t c = 0; c < row.result.components.size() && c < names.components.size(); ++c) {
        summary.component_sums[c] += row.result.components[c];
      }
      for (size_t m = 0; m < row.result.monitors.size() && m < names.monitors.size(); ++m) {
        summary.monitor_sums[m] += row.result.monitors[m];
      }
      if (interp::problem_flags(row.result) > 0) ++summary.flagged;
      summary.skipped += interp::skipped_by_gating(row.result);
    }
    out.flush();
    if (progress) progress(summary.rows);
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace rft
