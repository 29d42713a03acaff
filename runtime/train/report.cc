#include "runtime/train/report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>

#include "runtime/train/metrics.h"
#include "runtime/train/report_assets.h"
#include "runtime/common/output_file.h"

namespace rft::train {
namespace {

using nlohmann::json;

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON that is safe inside <script>: every '<' (which JSON has only inside strings) becomes
// \u003c, so no "</script>" or "<!--" in a completion can end or confuse the element. Invalid
// UTF-8 from a model is replaced rather than thrown on.
std::string json_for_script(const json& j) {
  std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// ---- charts -------------------------------------------------------------------------------------

// The value at `key` in the line's object at `within` (dotted: "components",
// "signals.advantage_share"; empty: the line itself), if it is a finite number.
const json* number_at(const json& line, const std::string& key, const std::string& within) {
  const json* obj = &line;
  for (size_t from = 0; from < within.size();) {
    size_t dot = within.find('.', from);
    if (dot == std::string::npos) dot = within.size();
    auto it = obj->find(within.substr(from, dot - from));
    if (it == obj->end() || !it->is_object()) return nullptr;
    obj = &*it;
    from = dot + 1;
  }
  auto it = obj->find(key);
  if (it == obj->end() || !it->is_number()) return nullptr;
  if (!std::isfinite(it->get<double>())) return nullptr;
  return &*it;
}

struct ChartSpec {
  std::string id, title, y_label, key;
  std::string within;     // the object of the line that holds `key` (see number_at)
  bool with_eval = true;  // eval lines carry this value too
};

// One chart's data: a series per line kind that has the value, [[step, value], ...].
json chart_data(const ChartSpec& spec, const std::vector<json>& lines) {
  json series = json::array();
  for (const char* kind : {"train", "eval"}) {
    if (std::string_view(kind) == "eval" && !spec.with_eval) continue;
    json points = json::array();
    for (size_t i = 0; i < lines.size(); ++i) {
      const json& line = lines[i];
      if (line.value("kind", "train") != kind) continue;
      const json* v = number_at(line, spec.key, spec.within);
      if (v == nullptr) continue;
      const json* step = number_at(line, "step", "");
      points.push_back(json::array({step != nullptr ? *step : json(i), *v}));
    }
    if (!points.empty()) series.push_back({{"name", kind}, {"kind", kind}, {"points", points}});
  }
  if (series.empty()) return nullptr;
  return {{"id", spec.id},
          {"title", spec.title},
          {"x_label", "step"},
          {"y_label", spec.y_label},
          {"series", series}};
}

// The names in the lines' objects at `key` ("components", "monitors"): those `given` first,
// then any other the metrics mention.
std::vector<std::string> names_in(const std::vector<json>& lines, const std::string& key,
                                  std::vector<std::string> given = {}) {
  std::vector<std::string> names = std::move(given);
  std::set<std::string> seen(names.begin(), names.end());
  for (const json& line : lines) {
    auto it = line.find(key);
    if (it == line.end() || !it->is_object()) continue;
    for (const auto& [name, value] : it->items()) {
      if (seen.insert(name).second) names.push_back(name);
    }
  }
  return names;
}

json charts_data(const ReportInput& input, const std::vector<json>& lines) {
  std::vector<ChartSpec> specs = {
      {"reward_mean", "Mean reward", "reward", "reward_mean"},
  };
  const std::vector<std::string> components = names_in(lines, "components", input.component_names);
  for (const std::string& name : components) {
    specs.push_back({"component." + name, "Component: " + name, name, name, "components"});
  }
  // The reward's `monitor` values: logged per step and at the evaluations, never trained on.
  for (const std::string& name : names_in(lines, "monitors")) {
    specs.push_back({"monitor." + name, "Monitor: " + name, name, name, "monitors"});
  }
  specs.push_back({"pass_rate", "Pass rate", "pass rate", "pass_rate"});
  // The held-out verifier (reward.verifier), graded at the evaluations only.
  specs.push_back({"verifier", "Held-out verifier", "reward", "reward_mean", "verifier"});
  specs.push_back({"verifier.gap", "Trained reward minus verifier", "gap", "gap", "verifier"});
  specs.push_back({"completion_length", "Completion length", "tokens", "completion_length"});
  specs.push_back({"loss", "Loss", "loss", "loss", "", false});
  specs.push_back({"kl", "KL to the base model", "kl", "kl", "", false});
  // The monitors' signals (docs/training.md#monitors); GRPO runs only.
  specs.push_back({"entropy", "Entropy", "nats per token", "entropy", "", false});
  specs.push_back({"signals.length_correlation", "Reward-length correlation within groups",
                   "correlation", "length_correlation", "signals", false});
  for (const std::string& name : components) {
    specs.push_back({"advantage_share." + name, "Advantage share: " + name, "share", name,
                     "signals.advantage_share", false});
  }
  json charts = json::array();
  for (const ChartSpec& spec : specs) {
    json chart = chart_data(spec, lines);
    if (!chart.is_null()) charts.push_back(std::move(chart));
  }
  return charts;
}

// ---- tables -------------------------------------------------------------------------------------

// One row of the base-vs-tuned table: `value(e)` for each model, later ones with the change.
template <typename ValueFn>
void eval_row(std::ostringstream& html, const std::string& name,
              const std::vector<ModelEval>& evals, int decimals, bool higher_is_better,
              ValueFn value) {
  html << "<tr><th>" << html_escape(name) << "</th>";
  double base = value(evals[0]);
  for (size_t i = 0; i < evals.size(); ++i) {
    double v = value(evals[i]);
    html << "<td class=\"num\">" << format_fixed(v, decimals);
    if (i > 0) {
      double change = v - base;
      std::string cls = "change";
      if (higher_is_better && change > 0) cls += " up";
      if (higher_is_better && change < 0) cls += " down";
      html << "<span class=\"" << cls << "\">" << (change >= 0 ? "+" : "")
           << format_fixed(change, decimals) << "</span>";
    }
    html << "</td>";
  }
  html << "</tr>\n";
}

std::string eval_table_html(const std::vector<ModelEval>& evals,
                            const std::vector<std::string>& names) {
  std::ostringstream html;
  html << "<table class=\"evals\">\n<tr><th></th>";
  for (const ModelEval& e : evals) {
    html << "<th title=\"" << html_escape(e.model) << "\">" << html_escape(e.label) << "</th>";
  }
  html << "</tr>\n";
  eval_row(html, "mean reward", evals, 3, true, [](const ModelEval& e) { return e.reward_mean; });
  for (size_t c = 0; c < names.size(); ++c) {
    eval_row(html, names[c], evals, 3, true, [c](const ModelEval& e) {
      return c < e.component_means.size() ? e.component_means[c] : 0.0;
    });
  }
  // Monitors by name (every model was graded with the same reward); no direction is better.
  for (size_t m = 0; m < evals[0].monitor_means.size(); ++m) {
    const std::string& name = evals[0].monitor_means[m].first;
    eval_row(html, name + " (monitor)", evals, 3, false, [&name](const ModelEval& e) {
      for (const auto& [n, mean] : e.monitor_means) {
        if (n == name) return mean;
      }
      return 0.0;
    });
  }
  bool has_pass = false;
  for (const ModelEval& e : evals) has_pass = has_pass || e.pass_rate >= 0;
  if (has_pass) {
    eval_row(html, "pass rate", evals, 3, true,
             [](const ModelEval& e) { return e.pass_rate >= 0 ? e.pass_rate : 0.0; });
  }
  eval_row(html, "mean length (tokens)", evals, 1, false,
           [](const ModelEval& e) { return e.mean_length; });
  eval_row(html, "rows", evals, 0, false,
           [](const ModelEval& e) { return static_cast<double>(e.rows); });
  html << "</table>\n";
  return html.str();
}

// The sample completions side by side: one row per dataset line, one column per model.
std::string samples_html(const std::vector<ModelEval>& evals) {
  std::vector<size_t> lines;
  std::set<size_t> seen;
  for (const ModelEval& e : evals) {
    for (const EvalSample& s : e.samples) {
      if (seen.insert(s.line).second) lines.push_back(s.line);
    }
  }
  if (lines.empty()) return "<p class=\"empty\">No sample completions were kept.</p>\n";
  std::ostringstream html;
  html << "<table class=\"samples\">\n<tr><th>prompt</th>";
  for (const ModelEval& e : evals) html << "<th>" << html_escape(e.label) << "</th>";
  html << "</tr>\n";
  for (size_t line : lines) {
    std::string prompt;
    for (const ModelEval& e : evals) {
      for (const EvalSample& s : e.samples) {
        if (s.line == line && prompt.empty()) prompt = s.prompt;
      }
    }
    html << "<tr data-line=\"" << line << "\"><td><div class=\"score\">line " << line
         << "</div><pre class=\"prompt\">" << html_escape(prompt) << "</pre></td>";
    for (const ModelEval& e : evals) {
      html << "<td>";
      for (const EvalSample& s : e.samples) {
        if (s.line != line) continue;
        html << "<div class=\"score\">reward " << format_fixed(s.total, 3)
             << "</div><pre class=\"completion\">" << html_escape(s.completion) << "</pre>";
        break;
      }
      html << "</td>";
    }
    html << "</tr>\n";
  }
  html << "</table>\n";
  return html.str();
}

// ---- the monitors' alarms
// ------------------------------------------------------------------------

// A banner with every alarm the run raised, each linked to the chart of its signal.
std::string alarms_html(const std::vector<json>& lines) {
  std::ostringstream html;
  size_t n = 0;
  for (const json& line : lines) {
    auto alarms = line.find("alarms");
    if (alarms == line.end() || !alarms->is_array()) continue;
    for (const json& a : *alarms) {
      if (!a.is_object()) continue;
      if (n++ == 0) {
        html << "<section class=\"alarms\" id=\"alarms\">\n<h2>Alarms</h2>\n<p>The monitors "
                "saw signs that the reward and the task have come apart "
                "(docs/training.md#monitors).</p>\n<ul>\n";
      }
      const std::string chart = a.value("chart", "");
      html << "<li class=\"alarm\"><strong>step " << line.value("step", int64_t{0})
           << "</strong> <code>" << html_escape(a.value("signal", ""))
           << "</code>: " << html_escape(a.value("message", ""));
      if (!chart.empty()) {
        html << " (<a href=\"#chart-" << html_escape(chart) << "\">the curve</a>)";
      }
      html << "</li>\n";
    }
  }
  if (n > 0) html << "</ul>\n</section>\n";
  return html.str();
}

// ---- the page -----------------------------------------------------------------------------------

std::string page_html(const ReportInput& input, const std::vector<json>& lines) {
  const JobConfig* job = input.job;
  json data = {{"charts", charts_data(input, lines)}};
  if (!input.evals.empty()) data["evals"] = eval_to_json(input.evals, input.component_names);

  size_t train_lines = 0, eval_lines = 0;
  for (const json& line : lines)
    ++(line.value("kind", "train") == "eval" ? eval_lines : train_lines);

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rft "
          "report";
  if (job != nullptr && !job->output_dir.empty()) html << ": " << html_escape(job->output_dir);
  html << "</title>\n<style>" << kReportStyle << "</style>\n</head>\n<body>\n";

  html << "<h1>rft training report</h1>\n";
  if (job != nullptr) {
    html << "<p class=\"job\">model <code>" << html_escape(job->model) << "</code>";
    if (!job->reward.empty()) {
      html << " &middot; reward <code>" << html_escape(job->reward) << "</code>";
      if (!job->spec.empty()) html << " in <code>" << html_escape(job->spec) << "</code>";
    }
    html << " &middot; output <code>" << html_escape(job->output_dir) << "</code></p>\n";
  }
  html << "<p class=\"job\">" << train_lines << " training steps logged, " << eval_lines
       << " evaluations</p>\n";
  html << "<pre id=\"errors\"></pre>\n";
  html << alarms_html(lines);

  html << "<h2>Training curves</h2>\n";
  if (data["charts"].empty()) {
    html << "<p class=\"empty\">No metrics in <code>" << html_escape(input.metrics_path)
         << "</code> yet.</p>\n";
  }
  html << "<noscript><p class=\"empty\">The charts need JavaScript.</p></noscript>\n"
       << "<div id=\"charts\"></div>\n";

  html << "<h2>Base vs tuned</h2>\n";
  if (input.evals.empty()) {
    html << "<p class=\"empty\">No evaluation was run.</p>\n";
  } else {
    html << eval_table_html(input.evals, input.component_names);
    html << "<h2>Sample completions</h2>\n" << samples_html(input.evals);
  }

  if (job != nullptr) {
    html << "<h2>Hyperparameters</h2>\n<pre class=\"hyperparameters\">"
         << html_escape(job_to_yaml(*job)) << "</pre>\n";
  }

  html << "<script type=\"application/json\" id=\"report-data\">" << json_for_script(data)
       << "</script>\n<script>" << kReportScript << "</script>\n</body>\n</html>\n";
  return html.str();
}

}  // namespace

Expected<void> write_report(const ReportInput& input, const std::string& path) {
  std::string html;
  try {
    html = page_html(input, read_metrics(input.metrics_path));
  } catch (const std::exception& e) {
    return failure("cannot make the report `" + path + "`: " + e.what());
  }
  return io::write_whole(path, html);
}

}  // namespace rft::train
