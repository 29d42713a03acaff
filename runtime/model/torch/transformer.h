// The decoder-only transformer of the Llama / Qwen2 / Qwen3 families in libtorch: RMSNorm, RoPE
// (with linear and Llama-3 scaling), grouped-query attention with an optional QKV bias and q/k
// RMSNorm, a SwiGLU MLP, and a tied or separate LM head. Submodules carry Hugging Face's names,
// so named_parameters() are the checkpoint's tensor names ("model.layers.0.self_attn.q_proj.weight").
// One code path for CPU and CUDA, f32 and bf16.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/model/config.h"

namespace rft::model {

// Keys and values of every layer for the positions seen so far: [batch, kv_heads, length, dim].
struct KVCache {
  std::vector<torch::Tensor> keys, values;
  int64_t length() const { return keys.empty() ? 0 : keys[0].size(2); }
};

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& c);
  // x [B, T, hidden]; cos/sin [B, T, head_dim]; mask [B, 1, T, S] additive (0 or -inf), where S
  // counts the cached positions plus T. Appends this step's keys and values to *k_cache/*v_cache.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, torch::Tensor* k_cache, torch::Tensor* v_cache);

 private:
  int64_t heads_, kv_heads_, head_dim_;
  torch::nn::Linear q_proj_{nullptr}, k_proj_{nullptr}, v_proj_{nullptr}, o_proj_{nullptr};
  RMSNorm q_norm_{nullptr}, k_norm_{nullptr};
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear gate_proj_{nullptr}, up_proj_{nullptr}, down_proj_{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, torch::Tensor* k_cache, torch::Tensor* v_cache);

 private:
  RMSNorm input_layernorm_{nullptr}, post_attention_layernorm_{nullptr};
  Attention self_attn_{nullptr};
  Mlp mlp_{nullptr};
};
TORCH_MODULE(DecoderLayer);

class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const ModelConfig& c);

  // Logits [B, T, vocab] (f32) for `tokens` [B, T] (int64) at `positions` [B, T] (int64).
  // `key_mask` [B, S] (bool; S = cached length + T) says which keys may be attended to (false for
  // padding); attention is also causal. With a cache, the step's keys and values are appended.
  // With `last_only`, logits are computed for the last position alone ([B, 1, vocab]): what
  // generation needs, without the head's cost at every prompt position.
  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& positions,
                        const torch::Tensor& key_mask, KVCache* cache = nullptr,
                        bool last_only = false);

  const ModelConfig& config() const { return config_; }

 private:
  std::pair<torch::Tensor, torch::Tensor> rope(const torch::Tensor& positions,
                                               torch::ScalarType dtype) const;

  ModelConfig config_;
  torch::Tensor inv_freq_;  // [head_dim / 2], f32, already scaled
  torch::nn::Embedding embed_tokens_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  RMSNorm norm_{nullptr};
  torch::nn::Linear lm_head_{nullptr};  // null when tied to the embedding
};
TORCH_MODULE(Transformer);

// Fills every parameter with N(0, std) and every RMSNorm weight with 1: the random models of
// `rft init-model`, the tests and the benchmarks.
void init_random_weights(Transformer& model, double std);

// The inverse RoPE frequencies of a config, with its scaling applied ([head_dim / 2], f32).
torch::Tensor rope_inverse_frequencies(const ModelConfig& c);

// Loads a Hugging Face checkpoint directory (config.json and model.safetensors or its shards):
// every parameter must be present with the right shape; f32, f16 and bf16 are converted to
// `dtype`. Errors name the tensor and the file.
Expected<Transformer> load_transformer(const std::string& dir,
                                       torch::ScalarType dtype = torch::kFloat32,
                                       torch::Device device = torch::kCPU);

// Writes config.json and model.safetensors (f32, or the parameters' dtype) into `dir`, which is
// created; files are written atomically.
Expected<size_t> save_transformer(Transformer& model, const std::string& dir);

}  // namespace rft::model
