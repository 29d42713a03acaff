#include "runtime/train/monitor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace rft::train {
namespace {

constexpr double kTiny = 1e-12;

double mean(std::span<const double> v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// The Pearson correlation of x and y; none when either does not vary.
std::optional<double> correlation(std::span<const double> x, std::span<const double> y) {
  const double mx = mean(x), my = mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx < kTiny || syy < kTiny) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

std::string fixed(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string percent(double fraction) {
  return fixed(100 * fraction, 0) + "%";
}

std::string steps(int64_t from, int64_t to) {
  return "steps " + std::to_string(from) + "–" + std::to_string(to);
}

// The last `n` values of `v` (all of them when there are fewer).
template <typename T>
std::span<const T> last(const std::vector<T>& v, size_t n) {
  const size_t k = std::min(n, v.size());
  return std::span<const T>(v).subspan(v.size() - k, k);
}

// The change in slope from the first half of `values` to the second, per position.
double acceleration(std::span<const double> values) {
  if (values.size() < 4) return 0;
  const size_t half = values.size() / 2;
  const double first = slope(values.subspan(0, half));
  const double second = slope(values.subspan(values.size() - half, half));
  return (second - first) / static_cast<double>(half);
}

}  // namespace

BatchSignals batch_signals(std::span<const double> totals, std::span<const double> lengths,
                           const std::vector<std::vector<double>>& components,
                           std::span<const double> advantages, size_t group_size) {
  BatchSignals out;
  const size_t n = totals.size();
  if (group_size == 0 || n == 0) {
    out.advantage_share.assign(components.size(), 0.0);
    return out;
  }
  double corr_sum = 0;
  size_t corr_groups = 0;
  for (size_t g = 0; g + group_size <= n; g += group_size) {
    if (auto c = correlation(totals.subspan(g, group_size), lengths.subspan(g, group_size))) {
      corr_sum += *c;
      ++corr_groups;
    }
  }
  if (corr_groups > 0) out.length_correlation = corr_sum / static_cast<double>(corr_groups);

  double aa = 0;
  for (size_t i = 0; i < n; ++i) aa += advantages[i] * advantages[i];
  for (const std::vector<double>& values : components) {
    double da = 0, dd = 0;
    for (size_t g = 0; g + group_size <= n; g += group_size) {
      const double m = mean(std::span<const double>(values).subspan(g, group_size));
      for (size_t i = g; i < g + group_size; ++i) {
        const double d = values[i] - m;
        da += d * advantages[i];
        dd += d * d;
      }
    }
    out.advantage_share.push_back(dd < kTiny || aa < kTiny ? 0.0
                                                           : std::min(1.0, da * da / (dd * aa)));
  }
  return out;
}

double slope(std::span<const double> values) {
  const size_t n = values.size();
  if (n < 2) return 0;
  const double mx = static_cast<double>(n - 1) / 2, my = mean(values);
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = static_cast<double>(i) - mx;
    sxy += dx * (values[i] - my);
    sxx += dx * dx;
  }
  return sxy / sxx;
}

RewardMonitor::RewardMonitor(MonitorOptions options, std::vector<std::string> components,
                             int pass_component)
    : options_(options), components_(std::move(components)), pass_(pass_component) {
  options_.window = std::max<int64_t>(1, options_.window);
  options_.eval_window = std::max<int64_t>(1, options_.eval_window);
}

bool RewardMonitor::raise(const std::string& signal, int64_t step, const std::string& message,
                          const std::string& chart, std::vector<Alarm>& out) {
  for (const Alarm& a : raised_) {
    if (a.signal == signal) return false;
  }
  raised_.push_back({signal, step, message, chart});
  out.push_back(raised_.back());
  return true;
}

std::vector<Alarm> RewardMonitor::observe(nlohmann::json& line) {
  if (!options_.enabled || !line.is_object()) return {};
  const int64_t step = line.value("step", int64_t{0});
  const std::string kind = line.value("kind", "");
  std::vector<Alarm> out;
  if (kind == "train") out = observe_train(line, step);
  if (kind == "eval") out = observe_eval(line, step);
  if (!out.empty()) {
    nlohmann::json alarms = nlohmann::json::array();
    for (const Alarm& a : out) {
      alarms.push_back({{"signal", a.signal}, {"message", a.message}, {"chart", a.chart}});
    }
    line["alarms"] = std::move(alarms);
  }
  return out;
}

std::vector<Alarm> RewardMonitor::observe_train(nlohmann::json& line, int64_t step) {
  auto number = [&](const nlohmann::json& j, const char* key) -> std::optional<double> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  nlohmann::json& signals = line["signals"];
  if (!signals.is_object()) signals = nlohmann::json::object();
  length_.push_back(number(line, "completion_length").value_or(0));
  entropy_.push_back(number(line, "entropy").value_or(0));
  const std::optional<double> kl = number(line, "kl");
  if (kl) kl_.push_back(*kl);
  length_corr_.push_back(number(signals, "length_correlation"));
  std::vector<double> shares(components_.size(), 0.0);
  if (auto it = signals.find("advantage_share"); it != signals.end() && it->is_object()) {
    for (size_t k = 0; k < components_.size(); ++k) {
      if (auto s = number(*it, components_[k].c_str())) shares[k] = *s;
    }
  }
  share_.push_back(std::move(shares));

  const size_t w = static_cast<size_t>(options_.window);
  signals["length_trend"] = slope(last(length_, w));
  signals["entropy_trend"] = slope(last(entropy_, w));
  signals["entropy_acceleration"] = acceleration(last(entropy_, w));
  if (kl) {
    signals["kl_trend"] = slope(last(kl_, w));
    signals["kl_acceleration"] = acceleration(last(kl_, w));
  }

  std::vector<Alarm> out;
  const size_t n = length_.size();
  const int64_t first_step = step - static_cast<int64_t>(n) + 1;
  const int64_t window_from = step - static_cast<int64_t>(std::min(w, n)) + 1;
  // The first window is the run's baseline; the rules that compare with it wait for a second.
  const bool two_windows = n >= 2 * w;
  const std::span<const double> first_length(length_.data(), std::min(w, n));
  const std::span<const double> first_entropy(entropy_.data(), std::min(w, n));

  if (two_windows) {
    std::vector<double> corr;
    for (const auto& c : last(length_corr_, w)) {
      if (c) corr.push_back(*c);
    }
    const double base = mean(first_length), now = mean(last(length_, w));
    if (corr.size() * 2 >= w && mean(corr) >= options_.length_correlation && base > 0 &&
        now >= (1 + options_.length_growth) * base) {
      raise("length_hacking", step,
            "reward and completion length correlate " + fixed(mean(corr)) +
                " within groups (mean of " + steps(window_from, step) +
                ") while completions grew " + percent(now / base - 1) + " (from " + fixed(base, 1) +
                " to " + fixed(now, 1) + " tokens): the reward may pay for length",
            "signals.length_correlation", out);
    }
    const double start = mean(first_entropy), recent = mean(last(entropy_, w));
    if (start > kTiny && recent < options_.entropy_floor * start) {
      raise("entropy_collapse", step,
            "entropy fell to " + fixed(recent, 3) + ", " + percent(recent / start) + " of its " +
                fixed(start, 3) + " at the start (" +
                steps(first_step, first_step + static_cast<int64_t>(w) - 1) +
                "): the policy has collapsed onto few answers",
            "entropy", out);
    }
  }
  if (pass_ >= 0 && static_cast<size_t>(pass_) < components_.size() && n >= w) {
    std::vector<double> mean_share(components_.size(), 0.0);
    for (const auto& s : last(share_, w)) {
      for (size_t k = 0; k < s.size(); ++k) mean_share[k] += s[k] / static_cast<double>(w);
    }
    const double pass_share = mean_share[static_cast<size_t>(pass_)];
    for (size_t k = 0; k < components_.size(); ++k) {
      if (static_cast<int>(k) == pass_ || mean_share[k] < options_.component_share ||
          pass_share >= 0.25) {
        continue;
      }
      raise("component_dominance", step,
            "component `" + components_[k] + "` carries " + fixed(mean_share[k]) +
                " of the advantage (mean of " + steps(window_from, step) +
                "), the pass component `" + components_[static_cast<size_t>(pass_)] + "` " +
                fixed(pass_share) + ": the policy learns from `" + components_[k] +
                "`, not from the task",
            "advantage_share." + components_[k], out);
      break;
    }
  }
  return out;
}

std::vector<Alarm> RewardMonitor::observe_eval(const nlohmann::json& line, int64_t step) {
  // The task's measure: the held-out verifier when the job has one, else the pass rate.
  auto reward = line.find("reward_mean");
  const nlohmann::json* verifier = nullptr;
  if (auto v = line.find("verifier"); v != line.end() && v->is_object()) {
    if (auto m = v->find("reward_mean"); m != v->end() && m->is_number()) verifier = &*m;
  }
  auto pass = verifier != nullptr ? line.end() : line.find("pass_rate");
  const nlohmann::json* task = verifier != nullptr  ? verifier
                               : pass != line.end() ? &*pass
                                                    : nullptr;
  if (reward == line.end() || !reward->is_number() || task == nullptr || !task->is_number()) {
    return {};
  }
  eval_reward_.push_back(reward->get<double>());
  eval_pass_.push_back(task->get<double>());
  const std::string measure = verifier != nullptr ? "held-out verifier" : "pass rate";
  const size_t k = static_cast<size_t>(options_.eval_window);
  const size_t n = eval_reward_.size();
  std::vector<Alarm> out;
  if (n < k + 1) return out;
  const size_t a = n - 1 - k;
  bool rising = eval_reward_[n - 1] - eval_reward_[a] >= options_.min_reward_rise;
  for (size_t i = a + 1; i < n; ++i) rising = rising && eval_reward_[i] > eval_reward_[i - 1];
  if (rising && eval_pass_[n - 1] <= eval_pass_[a]) {
    raise(verifier != nullptr ? "reward_without_verifier" : "reward_without_pass", step,
          "the mean eval reward rose from " + fixed(eval_reward_[a], 3) + " to " +
              fixed(eval_reward_[n - 1], 3) + " over the last " + std::to_string(k) +
              " evaluations while the " + measure + " went from " + fixed(eval_pass_[a], 3) +
              " to " + fixed(eval_pass_[n - 1], 3) + ": the reward improves and the task does not",
          verifier != nullptr ? "verifier" : "reward_mean", out);
  }
  return out;
}

std::string alarm_warning(const Alarm& a) {
  return "alarm at step " + std::to_string(a.step) + ": " + a.signal + ": " + a.message +
         " (docs/training.md#monitors)";
}

}  // namespace rft::train
