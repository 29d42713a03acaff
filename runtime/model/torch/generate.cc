#include "runtime/model/torch/generate.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/model/text_generator.h"
#include "runtime/model/tokenizer.h"
#include "runtime/model/tokenizer/byte_level.h"
#include "runtime/common/output_file.h"

namespace rft::model {
namespace {

// Left-pads `prompts` into tokens / key mask / positions [B, width] (positions count from each
// prompt's first real token).
struct Padded {
  torch::Tensor tokens, mask, positions;
};

Padded left_pad(const std::vector<std::vector<int64_t>>& prompts, int64_t width,
                torch::Device device) {
  const int64_t b = static_cast<int64_t>(prompts.size());
  std::vector<int64_t> tokens(static_cast<size_t>(b * width), 0), positions(tokens.size(), 0);
  std::vector<uint8_t> mask(tokens.size(), 0);
  for (int64_t i = 0; i < b; ++i) {
    const auto& p = prompts[static_cast<size_t>(i)];
    const int64_t pad = width - static_cast<int64_t>(p.size());
    for (int64_t j = pad; j < width; ++j) {
      const size_t at = static_cast<size_t>(i * width + j);
      tokens[at] = p[static_cast<size_t>(j - pad)];
      mask[at] = 1;
      positions[at] = j - pad;
    }
  }
  auto longs = torch::TensorOptions().dtype(torch::kLong);
  return {torch::tensor(tokens, longs).view({b, width}).to(device),
          torch::tensor(mask, torch::TensorOptions().dtype(torch::kUInt8))
              .view({b, width})
              .to(torch::kBool)
              .to(device),
          torch::tensor(positions, longs).view({b, width}).to(device)};
}

// Samples one token per row of `logits` [B, V] (f32): from one generator for the batch, or from
// each row's own.
torch::Tensor sample(torch::Tensor logits, const SamplingOptions& o,
                     std::vector<at::Generator>& gens, bool per_row) {
  if (o.temperature <= 0) return logits.argmax(-1);
  logits = logits.to(torch::kCPU) / o.temperature;
  const float neg_inf = -std::numeric_limits<float>::infinity();
  if (o.top_k > 0 && o.top_k < logits.size(-1)) {
    torch::Tensor kth = std::get<0>(logits.topk(o.top_k, -1)).narrow(-1, o.top_k - 1, 1);
    logits = logits.masked_fill(logits < kth, neg_inf);
  }
  if (o.top_p < 1.0) {
    auto [sorted, order] = logits.sort(-1, /*descending=*/true);
    torch::Tensor probs = sorted.softmax(-1);
    // Drop a token when the tokens before it already reach top_p (the first is always kept).
    torch::Tensor drop = (probs.cumsum(-1) - probs) >= o.top_p;
    sorted = sorted.masked_fill(drop, neg_inf);
    logits = torch::full_like(logits, neg_inf).scatter(-1, order, sorted);
  }
  torch::Tensor probs = logits.softmax(-1);
  if (!per_row) return torch::multinomial(probs, 1, /*replacement=*/false, gens[0]).squeeze(-1);
  // Inverse CDF with one uniform draw per row from the row's generator; a draw beyond the last
  // cumulative sum (rounding) takes the last token with any probability.
  const int64_t b = probs.size(0);
  std::vector<float> draws(static_cast<size_t>(b));
  for (size_t i = 0; i < draws.size(); ++i) {
    auto* g = at::check_generator<at::CPUGeneratorImpl>(gens[i]);
    std::lock_guard<std::mutex> lock(g->mutex_);
    draws[i] = static_cast<float>(g->random() >> 8) * (1.0f / 16777216.0f);  // [0, 1)
  }
  torch::Tensor u = torch::from_blob(draws.data(), {b, 1}, torch::kFloat).clone();
  torch::Tensor below = (probs.cumsum(-1) <= u).sum(-1);
  torch::Tensor last = (probs > 0).to(torch::kLong).cumsum(-1).argmax(-1);
  return torch::minimum(below, last);
}

}  // namespace

std::vector<Generation> generate(Transformer& model,
                                 const std::vector<std::vector<int64_t>>& prompts,
                                 const SamplingOptions& o, const StopFn& stop) {
  torch::NoGradGuard no_grad;
  const size_t b = prompts.size();
  std::vector<Generation> out(b);
  if (b == 0) return out;
  const torch::Device device = model->parameters().front().device();
  int64_t width = std::max<int64_t>(1, o.min_width);
  for (const auto& p : prompts) width = std::max<int64_t>(width, static_cast<int64_t>(p.size()));
  Padded batch = left_pad(prompts, width, device);
  std::vector<at::Generator> gens;
  if (o.row_seeds.empty()) {
    gens.push_back(at::make_generator<at::CPUGeneratorImpl>(o.seed));
  } else {
    TORCH_CHECK(o.row_seeds.size() == b, "generate: one row seed per prompt");
    for (uint64_t seed : o.row_seeds) gens.push_back(at::make_generator<at::CPUGeneratorImpl>(seed));
  }

  const bool per_row = !o.row_seeds.empty();
  // The rows still generating, as indexes into `out`. A row that finishes leaves the batch (and
  // the KV cache) before the next step, so that finished rows cost nothing; every row is
  // computed on its own, so this changes no other row's tokens.
  std::vector<size_t> live(b);
  for (size_t i = 0; i < b; ++i) live[i] = i;
  KVCache cache;
  torch::Tensor tokens = batch.tokens, mask = batch.mask, positions = batch.positions;
  torch::Tensor logits = model->forward(tokens, positions, mask, o.use_cache ? &cache : nullptr,
                                       /*last_only=*/true)
                             .select(1, 0);
  for (int64_t step = 0; step < o.max_new_tokens; ++step) {
    torch::Tensor next = sample(logits, o, gens, per_row).to(torch::kCPU);
    std::vector<int64_t> keep;  // positions in the batch of the rows that go on
    for (size_t r = 0; r < live.size(); ++r) {
      const size_t i = live[r];
      const int64_t t = next[static_cast<int64_t>(r)].item<int64_t>();
      if (std::find(o.eos_ids.begin(), o.eos_ids.end(), t) != o.eos_ids.end()) {
        out[i].finish = Finish::kEos;
        out[i].eos_token = t;
        continue;
      }
      out[i].tokens.push_back(t);
      if (stop && stop(i, out[i].tokens)) {
        out[i].finish = Finish::kStop;
        continue;
      }
      keep.push_back(static_cast<int64_t>(r));
    }
    if (keep.empty() || step + 1 == o.max_new_tokens) break;
    torch::Tensor next_tokens = next.to(device).unsqueeze(1);
    torch::Tensor next_positions = positions.select(1, positions.size(1) - 1).unsqueeze(1) + 1;
    if (keep.size() < live.size()) {
      const torch::Tensor rows = torch::tensor(keep, torch::kLong).to(device);
      next_tokens = next_tokens.index_select(0, rows);
      next_positions = next_positions.index_select(0, rows);
      mask = mask.index_select(0, rows);
      positions = positions.index_select(0, rows);
      if (!o.use_cache) tokens = tokens.index_select(0, rows);
      for (auto* kv : {&cache.keys, &cache.values}) {
        for (torch::Tensor& t : *kv) t = t.index_select(0, rows);
      }
      std::vector<size_t> still;
      std::vector<at::Generator> still_gens;
      for (int64_t r : keep) {
        still.push_back(live[static_cast<size_t>(r)]);
        if (per_row) still_gens.push_back(gens[static_cast<size_t>(r)]);
      }
      live = std::move(still);
      if (per_row) gens = std::move(still_gens);
    }
    mask = torch::cat({mask, torch::ones({static_cast<int64_t>(live.size()), 1}, mask.options())}, 1);
    if (o.use_cache) {
      logits = model->forward(next_tokens, next_positions, mask, &cache).select(1, 0);
      positions = next_positions;
    } else {
      tokens = torch::cat({tokens, next_tokens}, 1);
      positions = torch::cat({positions, next_positions}, 1);
      logits = model->forward(tokens, positions, mask, nullptr, /*last_only=*/true).select(1, 0);
    }
  }
  return out;
}

ScoredBatch completion_logprobs(Transformer& model,
                                const std::vector<std::vector<int64_t>>& prompts,
                                const std::vector<std::vector<int64_t>>& completions,
                                bool with_entropy) {
  const int64_t b = static_cast<int64_t>(prompts.size());
  const torch::Device device = model->parameters().front().device();
  int64_t p_width = 1, c_width = 1;
  for (const auto& p : prompts) p_width = std::max<int64_t>(p_width, static_cast<int64_t>(p.size()));
  for (const auto& c : completions) {
    c_width = std::max<int64_t>(c_width, static_cast<int64_t>(c.size()));
  }
  Padded prompt = left_pad(prompts, p_width, device);
  std::vector<int64_t> ctok(static_cast<size_t>(b * c_width), 0);
  std::vector<uint8_t> cmask(ctok.size(), 0);
  for (int64_t i = 0; i < b; ++i) {
    const auto& c = completions[static_cast<size_t>(i)];
    for (size_t j = 0; j < c.size(); ++j) {
      ctok[static_cast<size_t>(i * c_width) + j] = c[j];
      cmask[static_cast<size_t>(i * c_width) + j] = 1;
    }
  }
  torch::Tensor comp = torch::tensor(ctok, torch::kLong).view({b, c_width}).to(device);
  torch::Tensor comp_mask =
      torch::tensor(cmask, torch::kUInt8).view({b, c_width}).to(torch::kBool).to(device);
  torch::Tensor tokens = torch::cat({prompt.tokens, comp}, 1);
  torch::Tensor mask = torch::cat({prompt.mask, comp_mask}, 1);
  // Completion positions continue from each prompt's length.
  torch::Tensor lengths = prompt.mask.sum(1, /*keepdim=*/true);
  torch::Tensor comp_pos = lengths + torch::arange(c_width, torch::TensorOptions().dtype(torch::kLong).device(device));
  torch::Tensor positions = torch::cat({prompt.positions, comp_pos}, 1);
  torch::Tensor logits = model->forward(tokens, positions, mask);
  // Position P-1+j predicts completion token j.
  torch::Tensor predicting = logits.narrow(1, p_width - 1, c_width).log_softmax(-1);
  torch::Tensor lp = predicting.gather(-1, comp.unsqueeze(-1)).squeeze(-1);
  torch::Tensor entropy;
  if (with_entropy) {
    torch::NoGradGuard no_grad;
    entropy = -(predicting.exp() * predicting).sum(-1).masked_fill(comp_mask.logical_not(), 0.0);
  }
  return {lp.masked_fill(comp_mask.logical_not(), 0.0), comp_mask, entropy};
}

}  // namespace rft::model
