// The arithmetic of GRPO, as pure tensor functions: advantages from grouped rewards, the clipped
// policy-gradient loss with its aggregation variants, the k3 KL estimator, and the learning-rate
// schedule. Tested against hand-computed values (tests/train/loss_test.cc).
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "runtime/train/job.h"

namespace rft::train {

// `rewards` [P, G]: G samples for each of P prompts. Each reward minus its group's mean, divided
// by the group's standard deviation (kGroup), the whole batch's (kBatch), or nothing (kNone).
// Standard deviations are unbiased and `eps` is added to them; a group whose rewards are all equal
// gets advantages of zero.
torch::Tensor compute_advantages(const torch::Tensor& rewards, RewardScaling scaling,
                                 double eps = 1e-4);

// The k3 estimator of KL(policy || reference) per token: exp(r - p) - (r - p) - 1, where p and r
// are the policy's and the reference's log-probabilities of the sampled token. Never negative.
torch::Tensor kl_k3(const torch::Tensor& logp, const torch::Tensor& ref_logp);

struct LossOptions {
  double clip_low = 0.2, clip_high = 0.2;
  double beta = 0;  // KL coefficient; 0: ref_logp is not used
  LossAggregation aggregation = LossAggregation::kGrpo;
  int64_t max_new_tokens = 1;  // kDrGrpo's constant normalizer
};

struct LossTerms {
  torch::Tensor loss;        // scalar, differentiable
  double clip_fraction = 0;  // share of tokens where the clip was active
  double kl = 0;             // mean k3 over tokens (0 when beta is 0)
};

// The clipped surrogate: per token -min(ratio * A, clip(ratio, 1 - low, 1 + high) * A) +
// beta * k3, with ratio = exp(logp - old_logp), aggregated over the `mask`ed tokens:
//   grpo:    mean over each sequence's tokens, then over sequences;
//   dapo:    mean over all tokens;
//   dr_grpo: sum over all tokens / (sequences * max_new_tokens).
// logp, old_logp, ref_logp, mask: [B, C]; advantages: [B].
LossTerms policy_loss(const torch::Tensor& logp, const torch::Tensor& old_logp,
                      const torch::Tensor& ref_logp, const torch::Tensor& advantages,
                      const torch::Tensor& mask, const LossOptions& options);

// The learning rate at `step` (0-based) of `total_steps`: linear warmup over `warmup` steps,
// then cosine or linear decay to min_lr_ratio * learning_rate, or constant.
double learning_rate_at(const JobConfig& job, int64_t step, int64_t total_steps);

}  // namespace rft::train
