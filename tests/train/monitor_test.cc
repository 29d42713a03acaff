// The reward-hacking monitors (runtime/train/monitor.h): the batch signals against values worked
// out by hand, and each alarm rule on synthetic histories, on both sides of its threshold.
#include "runtime/train/monitor.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rft::train {
namespace {

using Json = nlohmann::json;

TEST(BatchSignals, LengthCorrelationIsTheMeanOverGroupsThatVary) {
  // Group 1: reward rises with length (+1); group 2: falls (-1); group 3: one reward for all
  // (left out); group 4: one length for all (left out).
  const std::vector<double> totals = {0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1};
  const std::vector<double> lengths = {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5, 5, 5, 5};
  const std::vector<double> adv(16, 0.0);
  BatchSignals s = batch_signals(totals, lengths, {}, adv, 4);
  ASSERT_TRUE(s.length_correlation);
  EXPECT_NEAR(*s.length_correlation, 0.0, 1e-12);

  BatchSignals rising = batch_signals(std::vector<double>(totals.begin(), totals.begin() + 4),
                                      std::vector<double>(lengths.begin(), lengths.begin() + 4), {},
                                      std::vector<double>(4, 0.0), 4);
  EXPECT_NEAR(*rising.length_correlation, 1.0, 1e-12);
  BatchSignals flat = batch_signals(std::vector<double>(totals.begin() + 8, totals.end()),
                                    std::vector<double>(lengths.begin() + 8, lengths.end()), {},
                                    std::vector<double>(8, 0.0), 4);
  EXPECT_FALSE(flat.length_correlation);
}

TEST(BatchSignals, AdvantageShareIsTheSquaredCorrelationWithTheComponent) {
  // total = correct + 0.1 * format in one group; the deviations of the two components are
  // orthogonal, so correct explains 1 / 1.01 of the advantage and format 0.01 / 1.01, whatever
  // the advantage's scale. `constant` does not vary: no share.
  const std::vector<double> correct = {1, 0, 1, 0}, format = {1, 1, 0, 0}, constant = {1, 1, 1, 1};
  std::vector<double> totals(4), adv(4);
  for (size_t i = 0; i < 4; ++i) totals[i] = correct[i] + 0.1 * format[i];
  const double m = (totals[0] + totals[1] + totals[2] + totals[3]) / 4;
  for (size_t i = 0; i < 4; ++i) adv[i] = 3.7 * (totals[i] - m);
  BatchSignals s =
      batch_signals(totals, std::vector<double>(4, 1.0), {correct, format, constant}, adv, 4);
  ASSERT_EQ(s.advantage_share.size(), 3u);
  EXPECT_NEAR(s.advantage_share[0], 1 / 1.01, 1e-12);
  EXPECT_NEAR(s.advantage_share[1], 0.01 / 1.01, 1e-12);
  EXPECT_EQ(s.advantage_share[2], 0.0);
}

TEST(Slope, IsTheLeastSquaresSlope) {
  EXPECT_DOUBLE_EQ(slope(std::vector<double>{1, 3, 5, 7}), 2.0);
  EXPECT_DOUBLE_EQ(slope(std::vector<double>{4, 4, 4}), 0.0);
  EXPECT_DOUBLE_EQ(slope(std::vector<double>{1, 2, 0, 3}), 0.4);
  EXPECT_DOUBLE_EQ(slope(std::vector<double>{5}), 0.0);
}

Json train_line(int64_t step, double length, double entropy, Json signals = Json::object()) {
  return {{"kind", "train"},    {"step", step},
          {"reward_mean", 0.5}, {"completion_length", length},
          {"entropy", entropy}, {"signals", std::move(signals)}};
}

MonitorOptions window(int64_t w) {
  MonitorOptions o;
  o.window = w;
  return o;
}

TEST(RewardMonitor, LengthHackingNeedsCorrelationAndGrowth) {
  RewardMonitor m(window(3), {"correct"}, 0);
  std::vector<Alarm> raised;
  for (int64_t step = 1; step <= 8; ++step) {
    const bool late = step > 3;
    Json line = train_line(step, late ? 14 : 10, 1.0, {{"length_correlation", late ? 0.8 : 0.1}});
    std::vector<Alarm> now = m.observe(line);
    if (step < 6) {
      EXPECT_TRUE(now.empty()) << step;  // the second window is not full before 6
    }
    if (step == 6) {
      ASSERT_EQ(now.size(), 1u);
      EXPECT_EQ(now[0].signal, "length_hacking");
      EXPECT_EQ(now[0].step, 6);
      EXPECT_EQ(now[0].message,
                "reward and completion length correlate 0.80 within groups (mean of steps 4–6) "
                "while completions grew 40% (from 10.0 to 14.0 tokens): the reward may pay for "
                "length");
      ASSERT_TRUE(line.contains("alarms"));
      EXPECT_EQ(line["alarms"][0]["signal"], "length_hacking");
    }
    if (step > 6) {
      EXPECT_TRUE(now.empty()) << "raised once per run";
    }
    raised.insert(raised.end(), now.begin(), now.end());
  }
  EXPECT_EQ(raised.size(), 1u);
  EXPECT_EQ(m.raised().size(), 1u);

  // Correlated, but the length stays put (a reward that prefers the longer of similar answers).
  RewardMonitor flat(window(3), {"correct"}, 0);
  for (int64_t step = 1; step <= 9; ++step) {
    Json line = train_line(step, 10, 1.0, {{"length_correlation", 0.9}});
    EXPECT_TRUE(flat.observe(line).empty()) << step;
  }
  // Growing, but not what the reward pays for.
  RewardMonitor uncorrelated(window(3), {"correct"}, 0);
  for (int64_t step = 1; step <= 9; ++step) {
    Json line = train_line(step, 10.0 * step, 1.0, {{"length_correlation", 0.2}});
    EXPECT_TRUE(uncorrelated.observe(line).empty()) << step;
  }
}

TEST(RewardMonitor, EntropyCollapseComparesWithTheFirstWindow) {
  for (double late : {0.05, 0.5}) {
    RewardMonitor m(window(3), {}, -1);
    size_t alarms = 0;
    for (int64_t step = 1; step <= 6; ++step) {
      Json line = train_line(step, 10, step <= 3 ? 1.0 : late);
      for (const Alarm& a : m.observe(line)) {
        EXPECT_EQ(a.signal, "entropy_collapse");
        EXPECT_EQ(a.message,
                  "entropy fell to 0.050, 5% of its 1.000 at the start (steps 1–3): the policy "
                  "has collapsed onto few answers");
        ++alarms;
      }
    }
    EXPECT_EQ(alarms, late < 0.1 ? 1u : 0u) << late;
  }
}

TEST(RewardMonitor, ComponentDominanceNeedsAPassComponentThatCarriesLittle) {
  auto run = [](int pass, double pass_share) {
    RewardMonitor m(window(3), {"correct", "bonus"}, pass);
    std::vector<Alarm> all;
    for (int64_t step = 1; step <= 4; ++step) {
      Json line = train_line(step, 10, 1.0,
                             {{"advantage_share", {{"correct", pass_share}, {"bonus", 0.9}}}});
      for (const Alarm& a : m.observe(line)) all.push_back(a);
    }
    return all;
  };
  std::vector<Alarm> hacked = run(0, 0.1);
  ASSERT_EQ(hacked.size(), 1u);
  EXPECT_EQ(hacked[0].signal, "component_dominance");
  EXPECT_EQ(hacked[0].step, 3);
  EXPECT_EQ(hacked[0].message,
            "component `bonus` carries 0.90 of the advantage (mean of steps 1–3), the pass "
            "component `correct` 0.10: the policy learns from `bonus`, not from the task");
  EXPECT_TRUE(run(0, 0.5).empty());   // the task still carries its share
  EXPECT_TRUE(run(-1, 0.1).empty());  // no pass component: nothing tells the task from a bonus
}

TEST(RewardMonitor, RewardWithoutPassWatchesTheEvaluations) {
  auto run = [](std::vector<double> rewards, std::vector<double> passes) {
    RewardMonitor m(window(3), {"correct"}, 0);
    std::vector<Alarm> all;
    for (size_t i = 0; i < rewards.size(); ++i) {
      Json line = {{"kind", "eval"},
                   {"step", 10 * (i + 1)},
                   {"reward_mean", rewards[i]},
                   {"pass_rate", passes[i]}};
      for (const Alarm& a : m.observe(line)) all.push_back(a);
    }
    return all;
  };
  std::vector<Alarm> gamed = run({0.1, 0.2, 0.3, 0.4}, {0.3, 0.31, 0.29, 0.3});
  ASSERT_EQ(gamed.size(), 1u);
  EXPECT_EQ(gamed[0].signal, "reward_without_pass");
  EXPECT_EQ(gamed[0].step, 40);
  EXPECT_EQ(gamed[0].message,
            "the mean eval reward rose from 0.100 to 0.400 over the last 3 evaluations while the "
            "pass rate went from 0.300 to 0.300: the reward improves and the task does not");
  EXPECT_TRUE(run({0.1, 0.2, 0.3, 0.4}, {0.3, 0.35, 0.4, 0.45}).empty());  // the task improves
  EXPECT_TRUE(run({0.1, 0.3, 0.2, 0.4}, {0.3, 0.3, 0.3, 0.3}).empty());    // not rising each time
  EXPECT_TRUE(run({0.1, 0.2, 0.3}, {0.3, 0.3, 0.3}).empty());              // too few evaluations
}

TEST(RewardMonitor, AHeldOutVerifierIsTheTasksMeasure) {
  // The pass rate rises, but the held-out verifier does not: the verifier decides.
  RewardMonitor m(window(3), {"correct"}, 0);
  std::vector<Alarm> all;
  const double rewards[] = {0.1, 0.2, 0.3, 0.4}, verifier[] = {0.5, 0.5, 0.45, 0.5};
  for (int i = 0; i < 4; ++i) {
    Json line = {{"kind", "eval"},
                 {"step", 10 * (i + 1)},
                 {"reward_mean", rewards[i]},
                 {"pass_rate", 0.3 + 0.1 * i},
                 {"verifier", {{"reward_mean", verifier[i]}, {"gap", rewards[i] - verifier[i]}}}};
    for (const Alarm& a : m.observe(line)) all.push_back(a);
  }
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].signal, "reward_without_verifier");
  EXPECT_EQ(all[0].chart, "verifier");
  EXPECT_EQ(all[0].message,
            "the mean eval reward rose from 0.100 to 0.400 over the last 3 evaluations while the "
            "held-out verifier went from 0.500 to 0.500: the reward improves and the task does "
            "not");
}

TEST(RewardMonitor, TrendsAreAddedToTheSignals) {
  RewardMonitor m(window(4), {}, -1);
  Json line;
  for (int64_t step = 1; step <= 6; ++step) {
    line = train_line(step, 2.0 * static_cast<double>(step), step <= 4 ? 1.0 : 0.5);
    line["kl"] = 0.01 * static_cast<double>(step * step);
    m.observe(line);
  }
  // The last 4 steps: lengths 6, 8, 10, 12; entropies 1, 1, 0.5, 0.5; kl 0.09, 0.16, 0.25, 0.36.
  EXPECT_DOUBLE_EQ(line["signals"]["length_trend"].get<double>(), 2.0);
  EXPECT_NEAR(line["signals"]["entropy_trend"].get<double>(), -0.2, 1e-12);
  EXPECT_NEAR(line["signals"]["entropy_acceleration"].get<double>(), 0.0, 1e-12);
  EXPECT_NEAR(line["signals"]["kl_trend"].get<double>(), 0.09, 1e-12);
  // Slope 0.07 over the first half, 0.11 over the second, half a window apart.
  EXPECT_NEAR(line["signals"]["kl_acceleration"].get<double>(), 0.02, 1e-12);
}

TEST(RewardMonitor, DisabledChangesNothing) {
  MonitorOptions off = window(1);
  off.enabled = false;
  RewardMonitor m(off, {}, -1);
  Json line = train_line(1, 10, 0.0);
  const Json before = line;
  EXPECT_TRUE(m.observe(line).empty());
  EXPECT_EQ(line, before);
}

TEST(AlarmWarning, NamesTheStepTheSignalAndTheDocs) {
  EXPECT_EQ(alarm_warning({"entropy_collapse", 12, "entropy fell"}),
            "alarm at step 12: entropy_collapse: entropy fell (docs/training.md#monitors)");
}

}  // namespace
}  // namespace rft::train
