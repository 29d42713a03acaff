// Batched generation with a KV cache, and per-token log-probabilities of given completions (what
// GRPO needs). Prompts of different lengths are left-padded into one batch; each sequence finishes
// on its own (EOS, a stop condition, or the token budget) and then leaves the batch.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "runtime/model/torch/transformer.h"

namespace rft::model {

struct SamplingOptions {
  double temperature = 1.0;  // 0 (or below): greedy
  int64_t top_k = 0;         // keep the k most likely tokens; 0: all
  double top_p = 1.0;        // keep the smallest set whose probability reaches p; 1: all
  uint64_t seed = 0;         // the same seed, prompts and options give the same tokens
  // One seed per prompt instead of `seed`: each row samples from a generator of its own, so its
  // tokens do not depend on which other prompts share the batch (as long as the batch is padded
  // to the same width: see min_width). Empty: `seed` for the whole batch.
  std::vector<uint64_t> row_seeds;
  // Prompts are left-padded to at least this width. Callers that split one batch into several
  // calls (data-parallel ranks) pass the whole batch's widest prompt, so that every row is
  // computed as in one call.
  int64_t min_width = 0;
  int64_t max_new_tokens = 64;
  std::vector<int64_t> eos_ids;  // a sequence ends when it samples one (not included)
  // Recompute every position at each step instead of using the KV cache (a reference for tests;
  // much slower).
  bool use_cache = true;
};

enum class Finish { kLength, kEos, kStop };

struct Generation {
  std::vector<int64_t> tokens;  // the new tokens
  Finish finish = Finish::kLength;
  int64_t eos_token = -1;  // the EOS id that ended it (finish == kEos)
};

// Called after each new token of sequence `index`, with all its new tokens so far; returning true
// finishes that sequence (stop strings: decode and look for them). May be null.
using StopFn = std::function<bool(size_t index, const std::vector<int64_t>& tokens)>;

std::vector<Generation> generate(Transformer& model,
                                 const std::vector<std::vector<int64_t>>& prompts,
                                 const SamplingOptions& options, const StopFn& stop = nullptr);

// The batch for scoring completions: prompts left-padded to one width P, completions after them,
// right-padded to width C.
struct ScoredBatch {
  torch::Tensor logprobs;  // [B, C] f32: log p(completion[j] | prompt, completion[< j]); 0 at padding
  torch::Tensor mask;      // [B, C] bool: which entries are real completion tokens
  torch::Tensor entropy;   // [B, C] f32, detached: the entropy of each predicted distribution
                           // (only when asked for; 0 at padding)
};

// Per-token log-probabilities of each completion given its prompt, in one batched forward pass.
// Differentiable when grad mode is on (the policy term of GRPO).
ScoredBatch completion_logprobs(Transformer& model,
                                const std::vector<std::vector<int64_t>>& prompts,
                                const std::vector<std::vector<int64_t>>& completions,
                                bool with_entropy = false);

}  // namespace rft::model
