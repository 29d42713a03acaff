// GRPO's arithmetic against values worked out by hand: advantages under each scaling, the clipped
// loss under each aggregation and its gradient, the k3 estimator against the exact KL, and the
// learning-rate schedule.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "runtime/train/torch/loss.h"

namespace rft::train {
namespace {

torch::Tensor t(std::vector<double> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kDouble).view(shape);
}

TEST(Advantages, GroupScalingUsesEachGroupsUnbiasedStd) {
  torch::Tensor a = compute_advantages(t({1, 0, 0, 1, 1, 1, 1, 1}, {2, 4}), RewardScaling::kGroup);
  // Group 1: mean 0.5, unbiased std sqrt(4 * 0.25 / 3); group 2: all equal, so all zero.
  const double s = std::sqrt(1.0 / 3.0) + 1e-4;
  const double want[] = {0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(a.view({-1})[i].item<double>(), want[i], 1e-12) << i;
}

TEST(Advantages, BatchScalingDividesByTheWholeBatchStd) {
  torch::Tensor a = compute_advantages(t({1, 0, 0, 1, 1, 1, 1, 1}, {2, 4}), RewardScaling::kBatch);
  // Batch mean 0.75; squared deviations 6 * 0.0625 + 2 * 0.5625 = 1.5; unbiased variance 1.5 / 7.
  const double s = std::sqrt(1.5 / 7.0) + 1e-4;
  EXPECT_NEAR(a[0][0].item<double>(), 0.5 / s, 1e-12);
  EXPECT_NEAR(a[0][1].item<double>(), -0.5 / s, 1e-12);
  EXPECT_NEAR(a[1][2].item<double>(), 0.0, 1e-12);
}

TEST(Advantages, NoScalingOnlyCenters) {
  torch::Tensor a = compute_advantages(t({3, 1, 2, 2}, {2, 2}), RewardScaling::kNone);
  EXPECT_DOUBLE_EQ(a[0][0].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(a[0][1].item<double>(), -1.0);
  EXPECT_DOUBLE_EQ(a[1][0].item<double>(), 0.0);
}

// Two sequences, three positions; the second has two real tokens. Ratios exp(logp - old):
// [1.5, 0.9, 1] and [0.7, 1.1, -]; advantages +1 and -2.
struct Case {
  torch::Tensor logp, old, mask, adv;
};

Case make_case() {
  Case c;
  c.logp = t({-1, -2, -0.5, -0.3, -0.7, 0}, {2, 3}).requires_grad_(true);
  torch::Tensor shift = t({std::log(1.5), std::log(0.9), 0, std::log(0.7), std::log(1.1), 0}, {2, 3});
  c.old = (c.logp - shift).detach();
  c.mask = torch::tensor({1, 1, 1, 1, 1, 0}, torch::kBool).view({2, 3});
  c.adv = t({1, -2}, {2});
  return c;
}

// Per token -min(r A, clip(r) A): sequence 1: -1.2 (clipped at 1.2), -0.9, -1 -> sum -3.1;
// sequence 2: +1.6 (0.7 clipped at 0.8, times -2), +2.2 -> sum 3.8.
TEST(PolicyLoss, GrpoAveragesEachSequenceThenTheBatch) {
  Case c = make_case();
  LossTerms l = policy_loss(c.logp, c.old, {}, c.adv, c.mask, {0.2, 0.2, 0, LossAggregation::kGrpo, 4});
  EXPECT_NEAR(l.loss.item<double>(), (-3.1 / 3 + 3.8 / 2) / 2, 1e-12);
  EXPECT_NEAR(l.clip_fraction, 2.0 / 5.0, 1e-12);  // 1.5 with A > 0 and 0.7 with A < 0
  EXPECT_EQ(l.kl, 0);
  l.loss.backward();
  // Clipped tokens get no gradient; an unclipped one gets -r A / (tokens of its sequence * B).
  torch::Tensor g = c.logp.grad();
  EXPECT_NEAR(g[0][0].item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(g[0][1].item<double>(), -0.9 * 1 / 3 / 2, 1e-12);
  EXPECT_NEAR(g[1][0].item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(g[1][1].item<double>(), 1.1 * 2 / 2 / 2, 1e-12);
  EXPECT_NEAR(g[1][2].item<double>(), 0.0, 1e-12);  // padding
}

TEST(PolicyLoss, DapoAveragesOverAllTokens) {
  Case c = make_case();
  LossTerms l = policy_loss(c.logp, c.old, {}, c.adv, c.mask, {0.2, 0.2, 0, LossAggregation::kDapo, 4});
  EXPECT_NEAR(l.loss.item<double>(), (-3.1 + 3.8) / 5, 1e-12);
}

TEST(PolicyLoss, DrGrpoDividesByTheTokenBudget) {
  Case c = make_case();
  LossTerms l = policy_loss(c.logp, c.old, {}, c.adv, c.mask, {0.2, 0.2, 0, LossAggregation::kDrGrpo, 4});
  EXPECT_NEAR(l.loss.item<double>(), (-3.1 + 3.8) / (2 * 4), 1e-12);
}

TEST(PolicyLoss, ClipHigherLetsPositiveRatiosGrowFurther) {
  Case c = make_case();
  LossTerms l = policy_loss(c.logp, c.old, {}, c.adv, c.mask, {0.2, 0.28, 0, LossAggregation::kGrpo, 4});
  // 1.5 is now clipped at 1.28.
  EXPECT_NEAR(l.loss.item<double>(), (-(1.28 + 0.9 + 1) / 3 + 3.8 / 2) / 2, 1e-12);
}

TEST(PolicyLoss, KlTermAddsBetaTimesK3PerToken) {
  Case c = make_case();
  torch::Tensor ref = (c.logp - 0.5).detach();  // k3 per token: exp(-0.5) + 0.5 - 1
  LossTerms l = policy_loss(c.logp, c.old, ref, c.adv, c.mask, {0.2, 0.2, 0.1, LossAggregation::kDapo, 4});
  const double k3 = std::exp(-0.5) + 0.5 - 1;
  EXPECT_NEAR(l.kl, k3, 1e-12);
  EXPECT_NEAR(l.loss.item<double>(), (-3.1 + 3.8) / 5 + 0.1 * k3, 1e-12);
}

TEST(KlK3, ItsExpectationUnderThePolicyIsTheExactKl) {
  // For distributions p and q, E_{x~p}[k3(log p(x), log q(x))] = KL(p || q) exactly.
  torch::Tensor p = t({0.5, 0.25, 0.125, 0.125}, {4});
  torch::Tensor q = t({0.1, 0.2, 0.3, 0.4}, {4});
  double kl = 0;
  for (int i = 0; i < 4; ++i) {
    const double pi = p[i].item<double>(), qi = q[i].item<double>();
    kl += pi * std::log(pi / qi);
  }
  torch::Tensor k3 = kl_k3(p.log(), q.log());
  EXPECT_NEAR((p * k3).sum().item<double>(), kl, 1e-12);
  EXPECT_GE(k3.min().item<double>(), 0.0);
  EXPECT_NEAR(kl_k3(p.log(), p.log()).abs().max().item<double>(), 0.0, 1e-15);
}

TEST(Schedule, WarmupThenCosineOrLinearOrConstant) {
  JobConfig job;
  job.learning_rate = 1e-3;
  job.warmup_steps = 2;
  job.lr_schedule = LrSchedule::kCosine;
  EXPECT_DOUBLE_EQ(learning_rate_at(job, 0, 10), 0.5e-3);
  EXPECT_DOUBLE_EQ(learning_rate_at(job, 1, 10), 1e-3);
  EXPECT_DOUBLE_EQ(learning_rate_at(job, 2, 10), 1e-3);
  EXPECT_NEAR(learning_rate_at(job, 6, 10), 0.5e-3, 1e-15);  // halfway through the decay
  job.min_lr_ratio = 0.1;
  EXPECT_NEAR(learning_rate_at(job, 6, 10), 1e-4 + 0.9e-3 * 0.5, 1e-15);
  job.lr_schedule = LrSchedule::kLinear;
  EXPECT_NEAR(learning_rate_at(job, 4, 10), 1e-4 + 0.9e-3 * 0.75, 1e-15);
  job.lr_schedule = LrSchedule::kConstant;
  EXPECT_DOUBLE_EQ(learning_rate_at(job, 9, 10), 1e-3);
  job.warmup_steps = 0;
  job.warmup_ratio = 0.5;  // 5 of 10 steps
  EXPECT_DOUBLE_EQ(learning_rate_at(job, 0, 10), 0.2e-3);
}

}  // namespace
}  // namespace rft::train
