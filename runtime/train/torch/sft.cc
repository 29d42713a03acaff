// Supervised fine-tuning on prompt/completion pairs: the mean negative log-likelihood of the
// completion tokens (and the EOS after them), with the same schedule, checkpoints and metrics as
// GRPO. With an eval set and a reward it evaluates every eval_interval steps and can stop once a
// target score is reached (how rft makes base models of a chosen strength).
#include <cmath>

#include "runtime/model/torch/generate.h"
#include "runtime/train/torch/session.h"
#include "runtime/train/torch/trainers.h"

namespace rft::train {

Expected<TrainResult> run_sft_in_process(const TrainRequest& request) {
  Expected<std::unique_ptr<Session>> opened = Session::open(request, /*sft=*/true);
  if (!opened.ok()) return failure(opened.error());
  Session& s = **opened;
  const JobConfig& job = s.job();
  auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  if (s.start_step() == 0 && job.eval_interval > 0) {
    double score = s.evaluate(0);
    if (score >= 0) s.report({0, s.total_steps(), 0, 0, s.elapsed(), false, s.eval_note(0, score)});
  }
  int64_t step = s.start_step();
  for (; step < s.total_steps(); ++step) {
    const auto t_start = std::chrono::steady_clock::now();
    const double lr = s.set_learning_rate(step);
    const std::vector<size_t> picked = s.batch(step);
    // This rank's examples; the loss is normalized by the global batch's tokens, so the
    // gradients summed over the ranks are the global batch's.
    const Shard shard = shard_of(picked.size(), s.group().rank(), s.group().world_size());
    const size_t n = shard.size();
    const size_t parts = std::min(n, static_cast<size_t>(std::max(1, job.gradient_accumulation)));
    double all_tokens = 0;
    for (size_t i : picked) all_tokens += static_cast<double>(s.train_examples()[i].target.size());

    s.optimizer().zero_grad();
    double loss_value = 0;
    bool skipped = false;
    for (size_t m = 0; m < parts && !skipped; ++m) {
      std::vector<std::vector<int64_t>> prompts, targets;
      for (size_t k = shard.from + n * m / parts; k < shard.from + n * (m + 1) / parts; ++k) {
        prompts.push_back(s.train_examples()[picked[k]].prompt);
        targets.push_back(s.train_examples()[picked[k]].target);
      }
      model::ScoredBatch sb = model::completion_logprobs(s.policy(), prompts, targets);
      torch::Tensor loss = -sb.logprobs.sum() / std::max(1.0, all_tokens);
      const double v = loss.item<double>();
      if (!std::isfinite(v)) {
        skipped = true;
        break;
      }
      loss.backward();
      loss_value += v;
    }
    double grad_norm = 0;
    skipped = !s.apply_gradients(!skipped, &grad_norm);
    std::vector<double> loss_sum{loss_value};
    s.group().all_reduce_sum(loss_sum);
    loss_value = loss_sum[0];
    const double seconds = since(t_start);
    nlohmann::json line = {{"kind", "train"},
                           {"step", step + 1},
                           {"epoch", static_cast<double>(step + 1) / static_cast<double>(s.steps_per_epoch())},
                           {"lr", lr},
                           {"loss", skipped ? nlohmann::json() : nlohmann::json(loss_value)},
                           {"grad_norm", grad_norm},
                           {"skipped", skipped},
                           {"tokens_per_second", all_tokens / std::max(1e-9, seconds)},
                           {"elapsed", s.elapsed()}};
    s.write_metrics(line);
    StepReport report{step + 1, s.total_steps(), 0, loss_value, s.elapsed(), skipped, ""};
    if (skipped) report.event = "step " + std::to_string(step + 1) + ": the loss was not finite; step skipped";
    s.report(report);

    const bool last = step + 1 == s.total_steps();
    if (job.eval_interval > 0 && (step + 1) % job.eval_interval == 0 && !last) {
      double score = s.evaluate(step + 1);
      if (score >= 0) {
        s.report({step + 1, s.total_steps(), 0, loss_value, s.elapsed(), false,
                  s.eval_note(step + 1, score)});
      }
      if (job.stop_at_eval_score > 0 && score >= job.stop_at_eval_score) {
        s.report({step + 1, s.total_steps(), 0, loss_value, s.elapsed(), false,
                  "reached stop_at_eval_score; stopping"});
        ++step;
        break;
      }
    }
    if (job.save_interval > 0 && (step + 1) % job.save_interval == 0 && !last) {
      Expected<std::string> saved = s.save(step + 1);
      if (!saved.ok()) return failure(saved.error());
    }
  }
  Expected<std::string> saved = s.save(step);
  if (!saved.ok()) return failure(saved.error());
  return s.result(saved.value(), step);
}

}  // namespace rft::train
