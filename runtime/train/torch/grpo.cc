// GRPO: per step, sample prompts, generate G completions each with the KV cache, grade the whole
// batch in one call, turn rewards into advantages, and take AdamW steps on the clipped
// policy-gradient loss (with a KL term to the frozen base when beta > 0).
#include <csignal>
#include <cmath>
#include <cstdlib>

#include "runtime/model/torch/generate.h"
#include "runtime/train/torch/distributed.h"
#include "runtime/train/torch/loss.h"
#include "runtime/train/torch/session.h"
#include "runtime/train/torch/trainers.h"

namespace rft::train {

namespace {

using Tokens = std::vector<std::vector<int64_t>>;

// Test hook for the resume and distributed tests: the process kills itself (SIGKILL, as
// `kill -9` would) when it reaches this step; with RFT_KILL_RANK, only that rank does.
void kill_hook(int64_t step, int rank) {
  static const char* at = std::getenv("RFT_KILL_AT_STEP");
  static const char* only = std::getenv("RFT_KILL_RANK");
  if (only != nullptr && std::atoi(only) != rank) return;
  if (at != nullptr && std::atoll(at) == step) std::raise(SIGKILL);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct MicroBatch {
  size_t from = 0, to = 0;  // rollouts [from, to)
  Tokens prompts, completions;
  torch::Tensor advantages, old_logp, ref_logp;
  torch::Tensor keep;       // [rows]: 0 for a completion masked out of the loss, else 1
  double weight = 0;        // its share of the global batch's loss
};

// What each rollout contributes to the step's statistics, one row per rollout of the global
// batch: every rank fills the rows of its shard and the sum over the ranks (zeros elsewhere)
// gives all of them, so advantages and metrics are those of the global batch on every rank.
// The components follow, then the monitors.
enum Column : size_t { kTotal, kFlagged, kTruncated, kNewTokens, kScoredTokens, kComponents };

// The step's monitor signals (runtime/train/monitor.h) from the global batch's table: the
// within-group correlation of reward with length, and each component's share of the advantage.
nlohmann::json signals_json(const std::vector<double>& table, size_t width,
                            const torch::Tensor& advantages, size_t group_size,
                            const TrainRequest& request) {
  const size_t n = width == 0 ? 0 : table.size() / width;
  std::vector<double> totals(n), lengths(n), adv(n);
  std::vector<std::vector<double>> components(request.component_names.size(),
                                              std::vector<double>(n));
  torch::Tensor a = advantages.to(torch::kCPU, torch::kDouble).contiguous();
  const double* a_data = a.data_ptr<double>();
  for (size_t r = 0; r < n; ++r) {
    const double* row = &table[r * width];
    totals[r] = row[kTotal];
    lengths[r] = row[kNewTokens];
    adv[r] = a_data[r];
    for (size_t k = 0; k < components.size(); ++k) components[k][r] = row[kComponents + k];
  }
  BatchSignals b = batch_signals(totals, lengths, components, adv, group_size);
  nlohmann::json share = nlohmann::json::object();
  for (size_t k = 0; k < components.size(); ++k) {
    share[request.component_names[k]] = b.advantage_share[k];
  }
  return {{"length_correlation",
           b.length_correlation ? nlohmann::json(*b.length_correlation) : nlohmann::json()},
          {"advantage_share", std::move(share)}};
}

}  // namespace

Expected<TrainResult> run_grpo_in_process(const TrainRequest& request) {
  if (!request.grade) return failure("GRPO needs a reward to grade with");
  Expected<std::unique_ptr<Session>> opened = Session::open(request, /*sft=*/false);
  if (!opened.ok()) return failure(opened.error());
  Session& s = **opened;
  const JobConfig& job = s.job();
  const size_t g = static_cast<size_t>(job.samples_per_prompt);
  const size_t n_components = request.component_names.size();

  model::Transformer reference{nullptr};
  if (job.beta > 0) {
    torch::Device device = s.policy()->parameters().front().device();
    Expected<model::Transformer> ref =
        model::load_transformer(job.model, s.policy()->parameters().front().scalar_type(), device);
    if (!ref.ok()) return failure(ref.error());
    reference = std::move(ref).value();
    reference->eval();
    for (auto& p : reference->parameters()) p.set_requires_grad(false);
  }

  LossOptions lo;
  lo.clip_low = job.clip_epsilon_low;
  lo.clip_high = job.clip_epsilon_high;
  lo.beta = job.beta;
  lo.aggregation = job.loss_aggregation;
  lo.max_new_tokens = job.max_new_tokens;

  if (s.start_step() == 0 && job.eval_interval > 0) {
    double score = s.evaluate(0);
    if (score >= 0) s.report({0, s.total_steps(), 0, 0, s.elapsed(), false, s.eval_note(0, score)});
  }
  ProcessGroup& group = s.group();
  for (int64_t step = s.start_step(); step < s.total_steps(); ++step) {
    kill_hook(step, group.rank());
    const auto t_start = std::chrono::steady_clock::now();
    group.take_communication_seconds();
    const double lr = s.set_learning_rate(step);
    const std::vector<size_t> picked = s.batch(step);
    // This rank's prompts (whole groups), its rollouts [first, first + n) of the global n_all.
    const Shard shard = shard_of(picked.size(), group.rank(), group.world_size());
    const size_t n_all = picked.size() * g, first = shard.from * g, n = shard.size() * g;

    // Rollouts: G completions for each prompt, this rank's share in one batch. Each rollout
    // samples from a seed of its own (from Session::group_seed) and the batch is padded to the
    // whole step's widest prompt, so how the batch is split over the ranks does not change what
    // is sampled.
    Tokens prompts;
    prompts.reserve(n);
    model::SamplingOptions so;
    so.temperature = job.temperature;
    so.top_k = job.top_k;
    so.top_p = job.top_p;
    so.max_new_tokens = job.max_new_tokens;
    so.eos_ids = s.eos_ids();
    for (size_t j = 0; j < picked.size(); ++j) {
      const auto width = static_cast<int64_t>(s.train_examples()[picked[j]].prompt.size());
      so.min_width = std::max(so.min_width, width);
      if (j < shard.from || j >= shard.to) continue;
      const uint64_t group_seed = s.group_seed(step, j);
      for (size_t k = 0; k < g; ++k) {
        prompts.push_back(s.train_examples()[picked[j]].prompt);
        so.row_seeds.push_back(group_seed ^ (0x9e3779b97f4a7c15ULL * (k + 1)));
      }
    }
    s.policy()->eval();
    std::vector<model::Generation> gens =
        n > 0 ? model::generate(s.policy(), prompts, so) : std::vector<model::Generation>{};
    s.policy()->train();
    const double t_generate = seconds_since(t_start);

    const auto t_grade_start = std::chrono::steady_clock::now();
    std::vector<Rollout> rollouts(n);
    Tokens completions(n);
    for (size_t r = 0; r < n; ++r) {
      const size_t ex = picked[shard.from + r / g];
      rollouts[r] = Rollout{&request.train->examples[ex], s.train_examples()[ex].text,
                            s.decode(gens[r].tokens), gens[r].finish == model::Finish::kLength};
      completions[r] = gens[r].tokens;
      // The policy learns to stop: the EOS it sampled is part of what it is scored on.
      if (gens[r].finish == model::Finish::kEos) completions[r].push_back(gens[r].eos_token);
    }
    std::vector<Score> scores = n > 0 ? request.grade(rollouts) : std::vector<Score>{};
    auto masked = [&](size_t r) { return job.mask_truncated_completions && rollouts[r].truncated; };
    const double t_grade = seconds_since(t_grade_start);

    // The global batch's rollouts, as a table (see Column).
    const size_t n_monitors = request.monitor_names.size();
    const size_t first_monitor = kComponents + n_components;
    const size_t width = first_monitor + n_monitors;
    std::vector<double> table(n_all * width, 0.0);
    for (size_t r = 0; r < n; ++r) {
      double* row = &table[(first + r) * width];
      row[kTotal] = std::isfinite(scores[r].total) ? scores[r].total : 0.0;
      row[kFlagged] = scores[r].flags > 0 ? 1 : 0;
      row[kTruncated] = rollouts[r].truncated ? 1 : 0;
      row[kNewTokens] = static_cast<double>(gens[r].tokens.size());
      // A masked completion has no tokens in the loss (mask_truncated_completions).
      row[kScoredTokens] = masked(r) ? 0 : static_cast<double>(completions[r].size());
      for (size_t k = 0; k < n_components && k < scores[r].components.size(); ++k) {
        row[kComponents + k] = scores[r].components[k];
      }
      for (size_t k = 0; k < n_monitors && k < scores[r].monitors.size(); ++k) {
        row[first_monitor + k] = scores[r].monitors[k];
      }
    }
    group.all_reduce_sum(table);
    std::vector<double> totals(n_all), component_sums(n_components, 0.0),
        monitor_sums(n_monitors, 0.0);
    double flagged = 0, truncated = 0, new_tokens = 0, all_tokens = 0;
    for (size_t r = 0; r < n_all; ++r) {
      const double* row = &table[r * width];
      totals[r] = row[kTotal];
      flagged += row[kFlagged];
      truncated += row[kTruncated];
      new_tokens += row[kNewTokens];
      all_tokens += row[kScoredTokens];
      for (size_t k = 0; k < n_components; ++k) component_sums[k] += row[kComponents + k];
      for (size_t k = 0; k < n_monitors; ++k) monitor_sums[k] += row[first_monitor + k];
    }

    // Advantages, over the global batch; this rank keeps those of its rollouts.
    torch::Tensor rewards =
        torch::tensor(totals, torch::kDouble).view({static_cast<int64_t>(picked.size()), static_cast<int64_t>(g)});
    torch::Tensor all_advantages = compute_advantages(rewards, job.reward_scaling).view({-1});
    torch::Tensor advantages =
        all_advantages.slice(0, static_cast<int64_t>(first), static_cast<int64_t>(first + n))
            .to(torch::kFloat);
    const double zero_std_groups =
        (rewards.amax(1) - rewards.amin(1) == 0).to(torch::kDouble).mean().item<double>();

    // Micro-batches, with old and reference log-probabilities where they are needed. Each one's
    // weight is its share of the global batch, so the gradients summed over the ranks are the
    // global batch's.
    const auto t_train_start = std::chrono::steady_clock::now();
    const size_t parts = std::min(n, static_cast<size_t>(std::max(1, job.gradient_accumulation)));
    std::vector<MicroBatch> micro(parts);
    for (size_t m = 0; m < parts; ++m) {
      MicroBatch& mb = micro[m];
      mb.from = n * m / parts;
      mb.to = n * (m + 1) / parts;
      double tokens = 0;
      std::vector<float> keep;
      for (size_t r = mb.from; r < mb.to; ++r) {
        mb.prompts.push_back(prompts[r]);
        mb.completions.push_back(completions[r]);
        keep.push_back(masked(r) ? 0.0f : 1.0f);
        if (!masked(r)) tokens += static_cast<double>(completions[r].size());
      }
      if (job.mask_truncated_completions) {
        mb.keep = torch::tensor(keep).to(s.policy()->parameters().front().device());
      }
      mb.advantages = advantages.slice(0, static_cast<int64_t>(mb.from), static_cast<int64_t>(mb.to))
                          .to(s.policy()->parameters().front().device());
      mb.weight = job.loss_aggregation == LossAggregation::kDapo
                      ? tokens / std::max(1.0, all_tokens)
                      : static_cast<double>(mb.to - mb.from) / static_cast<double>(n_all);
      torch::NoGradGuard no_grad;
      if (job.inner_epochs > 1) {
        mb.old_logp = model::completion_logprobs(s.policy(), mb.prompts, mb.completions).logprobs;
      }
      if (reference) mb.ref_logp = model::completion_logprobs(reference, mb.prompts, mb.completions).logprobs;
    }

    double loss_sum = 0, clip_sum = 0, kl_sum = 0, entropy_sum = 0, grad_norm = 0;
    bool skipped = false;
    for (int inner = 0; inner < job.inner_epochs && !skipped; ++inner) {
      s.optimizer().zero_grad();
      double loss_value = 0;
      for (MicroBatch& mb : micro) {
        model::ScoredBatch sb =
            model::completion_logprobs(s.policy(), mb.prompts, mb.completions, /*with_entropy=*/inner == 0);
        torch::Tensor old = mb.old_logp.defined() ? mb.old_logp : sb.logprobs.detach();
        torch::Tensor mask =
            mb.keep.defined() ? sb.mask.to(torch::kFloat) * mb.keep.unsqueeze(1) : sb.mask;
        LossTerms terms = policy_loss(sb.logprobs, old, mb.ref_logp, mb.advantages, mask, lo);
        torch::Tensor loss = terms.loss * mb.weight;
        const double v = loss.item<double>();
        if (!std::isfinite(v)) {
          skipped = true;
          break;
        }
        loss.backward();
        loss_value += v;
        clip_sum += terms.clip_fraction * mb.weight;
        kl_sum += terms.kl * mb.weight;
        if (inner == 0) {
          entropy_sum += sb.entropy.sum().item<double>() / std::max(1.0, all_tokens);
        }
      }
      if (!s.apply_gradients(!skipped, &grad_norm)) {
        skipped = true;
        break;
      }
      loss_sum += loss_value;
    }
    const int inner_done = std::max(1, job.inner_epochs);
    std::vector<double> sums{loss_sum, clip_sum, kl_sum, entropy_sum};
    group.all_reduce_sum(sums);
    loss_sum = sums[0], clip_sum = sums[1], kl_sum = sums[2], entropy_sum = sums[3];
    const double t_train = seconds_since(t_train_start);
    const double t_communicate = group.take_communication_seconds();

    const double reward_mean = rewards.mean().item<double>();
    nlohmann::json line = {
        {"kind", "train"},
        {"step", step + 1},
        {"epoch", static_cast<double>(step + 1) / static_cast<double>(s.steps_per_epoch())},
        {"lr", lr},
        {"reward_mean", reward_mean},
        {"reward_std", n_all > 1 ? rewards.std(/*unbiased=*/false).item<double>() : 0.0},
        {"entropy", entropy_sum},
        {"clip_fraction", clip_sum / inner_done},
        {"completion_length", new_tokens / static_cast<double>(n_all)},
        {"zero_std_groups", zero_std_groups},
        {"flagged", flagged / static_cast<double>(n_all)},
        {"truncated", truncated / static_cast<double>(n_all)},
        {"loss", skipped ? nlohmann::json() : nlohmann::json(loss_sum / inner_done)},
        {"grad_norm", grad_norm},
        {"skipped", skipped},
        {"seconds", {{"generate", t_generate}, {"grade", t_grade}, {"train", t_train}}},
        {"tokens_per_second", new_tokens / std::max(1e-9, seconds_since(t_start))},
        {"elapsed", s.elapsed()}};
    nlohmann::json comp = nlohmann::json::object();
    for (size_t k = 0; k < n_components; ++k) {
      comp[request.component_names[k]] = component_sums[k] / static_cast<double>(n_all);
    }
    line["components"] = comp;
    if (n_monitors > 0) {
      nlohmann::json mon = nlohmann::json::object();
      for (size_t k = 0; k < n_monitors; ++k) {
        mon[request.monitor_names[k]] = monitor_sums[k] / static_cast<double>(n_all);
      }
      line["monitors"] = mon;
    }
    if (job.monitor.enabled) {
      line["signals"] = signals_json(table, width, all_advantages, g, request);
    }
    if (request.pass_component >= 0) {
      line["pass_rate"] = component_sums[static_cast<size_t>(request.pass_component)] / static_cast<double>(n_all);
    }
    if (group.world_size() > 1) {
      // Rank 0's time in collectives (waiting for the others included), and how many ranks.
      line["seconds"]["communicate"] = t_communicate;
      line["ranks"] = group.world_size();
    }
    if (job.beta > 0) line["kl"] = kl_sum / inner_done;
    s.write_metrics(line);

    StepReport report{step + 1, s.total_steps(), reward_mean, loss_sum / inner_done, s.elapsed(), skipped, ""};
    if (skipped) report.event = "step " + std::to_string(step + 1) + ": the loss was not finite; step skipped";
    s.report(report);
    const bool last = step + 1 == s.total_steps();
    if (job.eval_interval > 0 && (step + 1) % job.eval_interval == 0 && !last) {
      double score = s.evaluate(step + 1);
      if (score >= 0) {
        s.report({step + 1, s.total_steps(), reward_mean, 0, s.elapsed(), false,
                  s.eval_note(step + 1, score)});
      }
    }
    if (job.save_interval > 0 && (step + 1) % job.save_interval == 0 && !last) {
      Expected<std::string> saved = s.save(step + 1);
      if (!saved.ok()) return failure(saved.error());
    }
    if (std::optional<Alarm> alarm = s.stopping_alarm(); alarm && !last) {
      Expected<std::string> saved = s.save(step + 1);
      if (!saved.ok()) return failure(saved.error());
      TrainResult stopped = s.result(saved.value(), step + 1);
      stopped.stopped_by = alarm_warning(*alarm);
      return stopped;
    }
  }
  if (job.eval_interval > 0) s.evaluate(s.total_steps());
  Expected<std::string> saved = s.save(s.total_steps());
  if (!saved.ok()) return failure(saved.error());
  return s.result(saved.value(), s.total_steps());
}

}  // namespace rft::train
