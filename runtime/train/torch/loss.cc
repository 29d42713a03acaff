#include "runtime/train/torch/loss.h"

#include <algorithm>
#include <cmath>

namespace rft::train {

torch::Tensor compute_advantages(const torch::Tensor& rewards, RewardScaling scaling, double eps) {
  torch::Tensor r = rewards.to(torch::kDouble);
  torch::Tensor centered = r - r.mean(1, /*keepdim=*/true);
  const int64_t g = r.size(1);
  switch (scaling) {
    case RewardScaling::kGroup:
      if (g < 2) return centered.to(rewards.dtype());
      return (centered / (r.std(1, /*unbiased=*/true, /*keepdim=*/true) + eps)).to(rewards.dtype());
    case RewardScaling::kBatch:
      if (r.numel() < 2) return centered.to(rewards.dtype());
      return (centered / (r.std(/*unbiased=*/true) + eps)).to(rewards.dtype());
    case RewardScaling::kNone:
      break;
  }
  return centered.to(rewards.dtype());
}

torch::Tensor kl_k3(const torch::Tensor& logp, const torch::Tensor& ref_logp) {
  torch::Tensor d = ref_logp - logp;
  return d.exp() - d - 1;
}

LossTerms policy_loss(const torch::Tensor& logp, const torch::Tensor& old_logp,
                      const torch::Tensor& ref_logp, const torch::Tensor& advantages,
                      const torch::Tensor& mask, const LossOptions& o) {
  torch::Tensor m = mask.to(logp.dtype());
  torch::Tensor a = advantages.to(logp.dtype()).unsqueeze(1);
  torch::Tensor ratio = (logp - old_logp).exp();
  torch::Tensor clipped = ratio.clamp(1 - o.clip_low, 1 + o.clip_high);
  torch::Tensor per_token = -torch::min(ratio * a, clipped * a);
  LossTerms out;
  torch::Tensor tokens = m.sum().clamp_min(1);
  if (o.beta != 0 && ref_logp.defined()) {
    torch::Tensor kl = kl_k3(logp, ref_logp);
    per_token = per_token + o.beta * kl;
    out.kl = ((kl.detach() * m).sum() / tokens).item<double>();
  }
  {
    torch::NoGradGuard no_grad;
    torch::Tensor active = ((ratio < 1 - o.clip_low) & (a < 0)) | ((ratio > 1 + o.clip_high) & (a > 0));
    out.clip_fraction = ((active.to(m.dtype()) * m).sum() / tokens).item<double>();
  }
  per_token = per_token * m;
  switch (o.aggregation) {
    case LossAggregation::kGrpo:
      out.loss = (per_token.sum(1) / m.sum(1).clamp_min(1)).mean();
      break;
    case LossAggregation::kDapo:
      out.loss = per_token.sum() / tokens;
      break;
    case LossAggregation::kDrGrpo:
      out.loss = per_token.sum() / static_cast<double>(logp.size(0) * std::max<int64_t>(1, o.max_new_tokens));
      break;
  }
  return out;
}

double learning_rate_at(const JobConfig& job, int64_t step, int64_t total_steps) {
  const double peak = job.learning_rate;
  int64_t warmup = job.warmup_steps > 0
                       ? job.warmup_steps
                       : static_cast<int64_t>(std::floor(job.warmup_ratio * static_cast<double>(total_steps)));
  if (step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (job.lr_schedule == LrSchedule::kConstant) return peak;
  const double floor = job.min_lr_ratio * peak;
  const int64_t decay = std::max<int64_t>(1, total_steps - warmup);
  const double t = std::clamp(static_cast<double>(step - warmup) / static_cast<double>(decay), 0.0, 1.0);
  if (job.lr_schedule == LrSchedule::kLinear) return floor + (peak - floor) * (1 - t);
  return floor + (peak - floor) * 0.5 * (1 + std::cos(M_PI * t));
}

}  // namespace rft::train
