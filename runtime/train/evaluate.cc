#include "runtime/train/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "runtime/train/seeds.h"

namespace rft::train {

Expected<EvalSums> evaluate_rows(const Dataset& data, const std::vector<std::string>& prompts,
                                 size_t from, size_t to, size_t chunk, uint64_t seed,
                                 const GenerateRows& generate, const EvalSetup& setup,
                                 int samples_shown,
                                 const std::function<void(size_t, size_t)>& progress) {
  if (!setup.grade) return failure("evaluation needs a reward to grade with");
  EvalSums sums;
  sums.components.assign(setup.component_names.size(), 0.0);
  sums.monitors.assign(setup.monitor_names.size(), 0.0);
  chunk = std::max<size_t>(1, chunk);
  for (size_t b = from; b < to; b += chunk) {
    const size_t e = std::min(to, b + chunk);
    std::vector<uint64_t> seeds;
    for (size_t i = b; i < e; ++i) seeds.push_back(row_seed(seed, i));
    Expected<std::vector<RowGeneration>> texts = generate(b, e, seeds);
    if (!texts.ok()) return failure(texts.error());
    if (texts->size() != e - b) {
      return failure("the model gave " + std::to_string(texts->size()) + " completions for " +
                     std::to_string(e - b) + " prompts");
    }
    std::vector<Rollout> rollouts;
    for (size_t i = b; i < e; ++i) {
      const RowGeneration& g = (*texts)[i - b];
      rollouts.push_back(Rollout{&data.examples[i], prompts[i], g.text, g.truncated});
    }
    std::vector<Score> scores = setup.grade(rollouts);
    if (scores.size() != rollouts.size()) {
      return failure("grading gave " + std::to_string(scores.size()) + " scores for " +
                     std::to_string(rollouts.size()) + " completions");
    }
    if (setup.verify) {
      std::vector<Score> checked = setup.verify(rollouts);
      if (checked.size() != rollouts.size()) {
        return failure("the verifier gave " + std::to_string(checked.size()) + " scores for " +
                       std::to_string(rollouts.size()) + " completions");
      }
      const auto pc = static_cast<size_t>(setup.verify_pass_component);
      for (const Score& v : checked) {
        sums.verifier_total += v.total;
        if (setup.verify_pass_component >= 0 && pc < v.components.size()) {
          sums.verifier_pass += v.components[pc];
        }
      }
    }
    for (size_t i = b; i < e; ++i) {
      const Score& s = scores[i - b];
      sums.total += s.total;
      for (size_t c = 0; c < sums.components.size() && c < s.components.size(); ++c) {
        sums.components[c] += s.components[c];
      }
      for (size_t m = 0; m < sums.monitors.size() && m < s.monitors.size(); ++m) {
        sums.monitors[m] += s.monitors[m];
      }
      if (s.flags > 0) ++sums.flagged;
      sums.length += static_cast<double>((*texts)[i - b].new_tokens);
      if (sums.samples.size() < static_cast<size_t>(std::max(0, samples_shown))) {
        sums.samples.push_back(EvalSample{data.examples[i].line, prompts[i], (*texts)[i - b].text, s.total});
      }
    }
    sums.rows += e - b;
    if (progress) progress(e - from, to - from);
  }
  return sums;
}

Expected<ModelEval> evaluate_model(model::TextGenerator& generator, const Dataset& data,
                                   const EvalSetup& setup, const EvalOptions& options,
                                   const std::function<void(size_t, size_t)>& progress) {
  if (!setup.grade) return failure("evaluation needs a reward to grade with");
  auto start = std::chrono::steady_clock::now();
  size_t n = data.examples.size();
  if (options.limit > 0) n = std::min(n, static_cast<size_t>(options.limit));

  // Every prompt first, so that a chat the tokenizer cannot format fails before generating; and
  // the widest, which every batch is padded to (a row's tokens then do not depend on its batch).
  std::vector<std::string> prompts;
  int64_t width = 0;
  for (size_t i = 0; i < n; ++i) {
    Expected<std::string> p = prompt_text(data.examples[i], generator.tokenizer());
    if (!p.ok()) return failure(data.path + ": " + p.error());
    prompts.push_back(std::move(p).value());
    width = std::max(width, static_cast<int64_t>(generator.tokenizer().encode_prompt(prompts.back()).size()));
  }

  GenerateRows generate = [&](size_t from, size_t to, const std::vector<uint64_t>& seeds) {
    model::TextOptions to_options;
    to_options.temperature = options.temperature;
    to_options.top_p = options.top_p;
    to_options.row_seeds = seeds;
    to_options.min_width = width;
    to_options.max_new_tokens = options.max_new_tokens;
    to_options.threads = options.threads;
    std::vector<std::string> batch(prompts.begin() + static_cast<std::ptrdiff_t>(from),
                                   prompts.begin() + static_cast<std::ptrdiff_t>(to));
    std::vector<RowGeneration> rows;
    for (model::TextResult& t : generator.generate(batch, to_options)) {
      rows.push_back(RowGeneration{std::move(t.text), t.finish == "length", t.new_tokens});
    }
    return Expected<std::vector<RowGeneration>>(std::move(rows));
  };
  Expected<EvalSums> sums =
      evaluate_rows(data, prompts, 0, n, static_cast<size_t>(std::max(1, options.batch)),
                    options.seed, generate, setup, options.samples_shown, progress);
  if (!sums.ok()) return failure(sums.error());

  ModelEval eval;
  eval.rows = n;
  double rows = n > 0 ? static_cast<double>(n) : 1.0;
  eval.reward_mean = sums->total / rows;
  eval.component_means = sums->components;
  for (double& m : eval.component_means) m /= rows;
  for (size_t m = 0; m < setup.monitor_names.size() && m < sums->monitors.size(); ++m) {
    eval.monitor_means.emplace_back(setup.monitor_names[m], sums->monitors[m] / rows);
  }
  eval.mean_length = sums->length / rows;
  eval.flagged = sums->flagged;
  eval.samples = std::move(sums->samples);
  if (setup.pass_component >= 0 &&
      static_cast<size_t>(setup.pass_component) < eval.component_means.size()) {
    eval.pass_rate = eval.component_means[static_cast<size_t>(setup.pass_component)];
  }
  if (setup.verify) {
    eval.verifier_mean = sums->verifier_total / rows;
    if (setup.verify_pass_component >= 0) eval.verifier_pass_rate = sums->verifier_pass / rows;
  }
  eval.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return eval;
}

namespace {

std::string fixed(double v, int decimals) {
  // Values that round to zero print as 0, never -0.
  if (std::fabs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string with_sign(const std::string& s) {
  return s[0] == '-' ? s : "+" + s;
}

// "0.58 (+0.27, +87%)": the value, and for a later model the change against the baseline (the
// relative change only when the baseline is not zero).
std::string cell(double value, int decimals, const double* base) {
  std::string out = fixed(value, decimals);
  if (base == nullptr) return out;
  out += " (" + with_sign(fixed(value - *base, decimals));
  if (*base != 0) out += ", " + with_sign(fixed((value - *base) / std::fabs(*base) * 100, 0)) + "%";
  return out + ")";
}

}  // namespace

std::string format_eval_table(const std::vector<ModelEval>& evals,
                              const std::vector<std::string>& component_names) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {""};
  for (const ModelEval& m : evals) header.push_back(m.label);
  rows.push_back(header);
  // One row: its name and, per model, the value; `decimals` says how to print it.
  auto add_row = [&](const std::string& name, int decimals,
                     const std::function<double(const ModelEval&)>& value,
                     const std::function<bool(const ModelEval&)>& has = nullptr) {
    std::vector<std::string> row = {name};
    for (size_t i = 0; i < evals.size(); ++i) {
      if (has && !has(evals[i])) {
        row.push_back("-");
        continue;
      }
      double base = value(evals[0]);
      bool compare = i > 0 && (!has || has(evals[0]));
      row.push_back(cell(value(evals[i]), decimals, compare ? &base : nullptr));
    }
    rows.push_back(row);
  };
  add_row("mean reward", 2, [](const ModelEval& m) { return m.reward_mean; });
  for (size_t c = 0; c < component_names.size(); ++c) {
    add_row(component_names[c], 2, [c](const ModelEval& m) {
      return c < m.component_means.size() ? m.component_means[c] : 0.0;
    });
  }
  // Monitors by name: every model was graded with the same reward, so the first has them all.
  const std::vector<std::pair<std::string, double>> no_monitors;
  for (const auto& [name, mean] : evals.empty() ? no_monitors : evals[0].monitor_means) {
    auto find = [name = name](const ModelEval& m) {
      return std::find_if(m.monitor_means.begin(), m.monitor_means.end(),
                          [&](const auto& nm) { return nm.first == name; });
    };
    add_row(
        name + " (monitor)", 2, [find](const ModelEval& m) { return find(m)->second; },
        [find](const ModelEval& m) { return find(m) != m.monitor_means.end(); });
  }
  auto has_pass = [](const ModelEval& m) { return m.pass_rate >= 0; };
  if (std::any_of(evals.begin(), evals.end(), has_pass)) {
    add_row(
        "pass rate", 2, [](const ModelEval& m) { return m.pass_rate; }, has_pass);
  }
  auto has_verifier = [](const ModelEval& m) { return m.verifier_mean.has_value(); };
  if (std::any_of(evals.begin(), evals.end(), has_verifier)) {
    add_row(
        "verifier", 2, [](const ModelEval& m) { return m.verifier_mean.value_or(0); },
        has_verifier);
  }
  auto has_verifier_pass = [](const ModelEval& m) { return m.verifier_pass_rate.has_value(); };
  if (std::any_of(evals.begin(), evals.end(), has_verifier_pass)) {
    add_row(
        "verifier pass rate", 2,
        [](const ModelEval& m) { return m.verifier_pass_rate.value_or(0); }, has_verifier_pass);
  }
  add_row("mean length", 1, [](const ModelEval& m) { return m.mean_length; });
  add_row("flagged", 0, [](const ModelEval& m) { return static_cast<double>(m.flagged); });

  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

nlohmann::json eval_to_json(const std::vector<ModelEval>& evals,
                            const std::vector<std::string>& component_names) {
  nlohmann::json models = nlohmann::json::array();
  for (const ModelEval& m : evals) {
    nlohmann::json components = nlohmann::json::object();
    for (size_t c = 0; c < component_names.size() && c < m.component_means.size(); ++c) {
      components[component_names[c]] = m.component_means[c];
    }
    nlohmann::json samples = nlohmann::json::array();
    for (const EvalSample& s : m.samples) {
      samples.push_back({{"line", s.line},
                         {"prompt", s.prompt},
                         {"completion", s.completion},
                         {"total", s.total}});
    }
    nlohmann::json j = {{"model", m.model},         {"label", m.label},
                        {"rows", m.rows},           {"reward_mean", m.reward_mean},
                        {"components", components}, {"mean_length", m.mean_length},
                        {"flagged", m.flagged},     {"seconds", m.seconds},
                        {"samples", samples}};
    if (!m.monitor_means.empty()) {
      j["monitors"] = nlohmann::json::object();
      for (const auto& [name, mean] : m.monitor_means) j["monitors"][name] = mean;
    }
    if (m.pass_rate >= 0) j["pass_rate"] = m.pass_rate;
    if (m.verifier_mean) {
      j["verifier"] = {{"reward_mean", *m.verifier_mean}};
      if (m.verifier_pass_rate) j["verifier"]["pass_rate"] = *m.verifier_pass_rate;
    }
    models.push_back(std::move(j));
  }
  return {{"components", component_names}, {"models", models}};
}

}  // namespace rft::train
