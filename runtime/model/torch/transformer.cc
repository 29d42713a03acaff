#include "runtime/model/torch/transformer.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "runtime/model/safetensors.h"
#include "runtime/common/output_file.h"

namespace rft::model {

namespace F = torch::nn::functional;

// ---- RMSNorm ----

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  // In f32, as the reference implementations do, then back to the input's dtype.
  torch::Tensor h = x.to(torch::kFloat32);
  h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps_);
  return weight * h.to(x.scalar_type());
}

// ---- RoPE ----

torch::Tensor rope_inverse_frequencies(const ModelConfig& c) {
  const int64_t half = c.head_dim / 2;
  std::vector<float> inv(static_cast<size_t>(half));
  const RopeScaling& s = c.rope_scaling;
  for (int64_t i = 0; i < half; ++i) {
    double f = 1.0 / std::pow(c.rope_theta, static_cast<double>(2 * i) / static_cast<double>(c.head_dim));
    if (s.kind == RopeScaling::Kind::kLinear) {
      f /= s.factor;
    } else if (s.kind == RopeScaling::Kind::kLlama3) {
      // Long wavelengths are divided by the factor, short ones kept, the band between blended.
      const double old_len = static_cast<double>(s.original_max_position_embeddings);
      const double low_wavelen = old_len / s.low_freq_factor;
      const double high_wavelen = old_len / s.high_freq_factor;
      const double wavelen = 2 * std::numbers::pi / f;
      if (wavelen > low_wavelen) {
        f /= s.factor;
      } else if (wavelen >= high_wavelen) {
        double smooth = (old_len / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        f = (1 - smooth) * f / s.factor + smooth * f;
      }
    }
    inv[static_cast<size_t>(i)] = static_cast<float>(f);
  }
  return torch::tensor(inv, torch::kFloat32);
}

namespace {

torch::Tensor rotate_half(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

}  // namespace

// ---- attention, MLP, layers ----

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : heads_(c.num_attention_heads), kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim) {
  auto linear = [&](int64_t in, int64_t out, bool bias) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
  };
  q_proj_ = register_module("q_proj", linear(c.hidden_size, heads_ * head_dim_, c.qkv_bias));
  k_proj_ = register_module("k_proj", linear(c.hidden_size, kv_heads_ * head_dim_, c.qkv_bias));
  v_proj_ = register_module("v_proj", linear(c.hidden_size, kv_heads_ * head_dim_, c.qkv_bias));
  o_proj_ = register_module("o_proj", linear(heads_ * head_dim_, c.hidden_size, false));
  if (c.qk_norm) {
    q_norm_ = register_module("q_norm", RMSNorm(head_dim_, c.rms_norm_eps));
    k_norm_ = register_module("k_norm", RMSNorm(head_dim_, c.rms_norm_eps));
  }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                     const torch::Tensor& sin, const torch::Tensor& mask,
                                     torch::Tensor* k_cache, torch::Tensor* v_cache) {
  const int64_t b = x.size(0), t = x.size(1);
  torch::Tensor q = q_proj_(x).view({b, t, heads_, head_dim_});
  torch::Tensor k = k_proj_(x).view({b, t, kv_heads_, head_dim_});
  torch::Tensor v = v_proj_(x).view({b, t, kv_heads_, head_dim_});
  if (q_norm_) {  // Qwen3: per-head RMSNorm before the rotation
    q = q_norm_(q);
    k = k_norm_(k);
  }
  q = q.transpose(1, 2);  // [B, H, T, D]
  k = k.transpose(1, 2);
  v = v.transpose(1, 2);
  torch::Tensor c = cos.unsqueeze(1), s = sin.unsqueeze(1);
  q = q * c + rotate_half(q) * s;
  k = k * c + rotate_half(k) * s;
  if (k_cache != nullptr) {
    if (k_cache->defined()) {
      k = torch::cat({*k_cache, k}, 2);
      v = torch::cat({*v_cache, v}, 2);
    }
    *k_cache = k;
    *v_cache = v;
  }
  if (kv_heads_ != heads_) {  // grouped-query attention: each key head serves several queries
    k = k.repeat_interleave(heads_ / kv_heads_, 1);
    v = v.repeat_interleave(heads_ / kv_heads_, 1);
  }
  torch::Tensor scores =
      torch::matmul(q.to(torch::kFloat32), k.to(torch::kFloat32).transpose(-2, -1)) /
      std::sqrt(static_cast<double>(head_dim_));
  // The mask is large and negative but finite: a padding query, which may see no key at all,
  // then gets a uniform (unused) row instead of NaN, whose gradient would poison the backward
  // pass of every left-padded batch.
  torch::Tensor probs = torch::softmax(scores + mask, -1);
  torch::Tensor out = torch::matmul(probs, v.to(torch::kFloat32)).to(x.scalar_type());
  return o_proj_(out.transpose(1, 2).reshape({b, t, heads_ * head_dim_}));
}

MlpImpl::MlpImpl(const ModelConfig& c) {
  auto linear = [](int64_t in, int64_t out) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
  };
  gate_proj_ = register_module("gate_proj", linear(c.hidden_size, c.intermediate_size));
  up_proj_ = register_module("up_proj", linear(c.hidden_size, c.intermediate_size));
  down_proj_ = register_module("down_proj", linear(c.intermediate_size, c.hidden_size));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return down_proj_(F::silu(gate_proj_(x)) * up_proj_(x));
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c) {
  input_layernorm_ = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  self_attn_ = register_module("self_attn", Attention(c));
  post_attention_layernorm_ =
      register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  mlp_ = register_module("mlp", Mlp(c));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                        const torch::Tensor& sin, const torch::Tensor& mask,
                                        torch::Tensor* k_cache, torch::Tensor* v_cache) {
  torch::Tensor h = x + self_attn_(input_layernorm_(x), cos, sin, mask, k_cache, v_cache);
  return h + mlp_(post_attention_layernorm_(h));
}

// ---- the model ----

TransformerImpl::TransformerImpl(const ModelConfig& c) : config_(c) {
  inv_freq_ = register_buffer("inv_freq", rope_inverse_frequencies(c));
  embed_tokens_ = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers_->push_back(DecoderLayer(c));
  norm_ = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  if (!c.tie_word_embeddings) {
    lm_head_ = register_module(
        "lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
  }
}

std::pair<torch::Tensor, torch::Tensor> TransformerImpl::rope(const torch::Tensor& positions,
                                                              torch::ScalarType dtype) const {
  torch::Tensor angles = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq_;  // [B, T, D/2]
  torch::Tensor full = torch::cat({angles, angles}, -1);
  return {full.cos().to(dtype), full.sin().to(dtype)};
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& tokens, const torch::Tensor& positions,
                                       const torch::Tensor& key_mask, KVCache* cache,
                                       bool last_only) {
  const int64_t t = tokens.size(1);
  const int64_t past = cache != nullptr ? cache->length() : 0;
  const int64_t s = past + t;
  torch::Tensor x = embed_tokens_(tokens);
  auto [cos, sin] = rope(positions, x.scalar_type());
  // Additive mask [B, 1, T, S]: query i (at cache index past + i) sees keys j <= past + i that
  // the key mask allows.
  auto opts = torch::TensorOptions().device(tokens.device());
  torch::Tensor q_index = torch::arange(past, s, opts.dtype(torch::kLong)).unsqueeze(1);
  torch::Tensor k_index = torch::arange(0, s, opts.dtype(torch::kLong)).unsqueeze(0);
  torch::Tensor allowed = (k_index <= q_index).unsqueeze(0) & key_mask.to(torch::kBool).unsqueeze(1);
  torch::Tensor mask = torch::zeros(allowed.sizes(), opts.dtype(torch::kFloat32))
                           .masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest())
                           .unsqueeze(1);
  if (cache != nullptr && cache->keys.empty()) {
    cache->keys.resize(layers_->size());
    cache->values.resize(layers_->size());
  }
  for (size_t i = 0; i < layers_->size(); ++i) {
    x = layers_[i]->as<DecoderLayer>()->forward(x, cos, sin, mask,
                                                cache ? &cache->keys[i] : nullptr,
                                                cache ? &cache->values[i] : nullptr);
  }
  if (last_only) x = x.narrow(1, t - 1, 1);
  x = norm_(x);
  torch::Tensor logits = lm_head_ ? lm_head_(x) : torch::matmul(x, embed_tokens_->weight.t());
  return logits.to(torch::kFloat32);
}

void init_random_weights(Transformer& model, double std) {
  torch::NoGradGuard no_grad;
  for (auto& p : model->named_parameters()) {
    if (p.key().ends_with("norm.weight")) {
      p.value().fill_(1);
    } else {
      p.value().normal_(0, std);
    }
  }
}

// ---- loading and saving ----

namespace {

// Our parameter names are Hugging Face's without the "model." prefix of the decoder.
std::string checkpoint_name(const std::string& name) {
  return name.starts_with("lm_head.") ? name : "model." + name;
}

torch::ScalarType torch_dtype(DType t) {
  switch (t) {
    case DType::kF32: return torch::kFloat32;
    case DType::kF16: return torch::kFloat16;
    case DType::kBF16: return torch::kBFloat16;
    case DType::kF64: return torch::kFloat64;
    default: return torch::kFloat32;
  }
}

std::string shape_text(c10::IntArrayRef shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

}  // namespace

Expected<Transformer> load_transformer(const std::string& dir, torch::ScalarType dtype,
                                       torch::Device device) {
  Expected<ModelConfig> config = load_model_config(dir);
  if (!config.ok()) return failure(config.error());
  Expected<Checkpoint> ckpt = Checkpoint::open(dir);
  if (!ckpt.ok()) return failure(ckpt.error());
  torch::NoGradGuard no_grad;
  Transformer model(*config);
  for (auto& p : model->named_parameters()) {
    std::string name = checkpoint_name(p.key());
    const TensorView* t = ckpt->find(name);
    if (t == nullptr) {
      return failure(dir + ": the checkpoint has no tensor `" + name + "`");
    }
    if (t->dtype != DType::kF32 && t->dtype != DType::kF16 && t->dtype != DType::kBF16) {
      return failure(dir + ": tensor `" + name + "` is " + std::string(dtype_name(t->dtype)) +
                     "; weights must be F32, F16 or BF16");
    }
    if (c10::IntArrayRef(t->shape) != p.value().sizes()) {
      return failure(dir + ": tensor `" + name + "` has shape " + shape_text(t->shape) +
                     ", but the config needs " + shape_text(p.value().sizes()));
    }
    // from_blob views the mapped bytes; the copy converts to the parameter's dtype.
    torch::Tensor src = torch::from_blob(const_cast<std::byte*>(t->data.data()), t->shape,
                                         torch::TensorOptions().dtype(torch_dtype(t->dtype)));
    p.value().copy_(src);
  }
  model->to(device, dtype);
  model->eval();
  return model;
}

Expected<size_t> save_transformer(Transformer& model, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return failure("cannot create `" + dir + "`: " + ec.message());
  std::vector<torch::Tensor> keep;  // contiguous CPU copies the views point into
  std::vector<TensorView> views;
  for (const auto& p : model->named_parameters()) {
    torch::Tensor t = p.value().detach().to(torch::kCPU).contiguous();
    DType dt = t.scalar_type() == torch::kBFloat16 ? DType::kBF16
               : t.scalar_type() == torch::kFloat16 ? DType::kF16
                                                    : DType::kF32;
    if (dt == DType::kF32) t = t.to(torch::kFloat32);
    keep.push_back(t);
    TensorView v;
    v.name = checkpoint_name(p.key());
    v.dtype = dt;
    v.shape.assign(t.sizes().begin(), t.sizes().end());
    v.data = {static_cast<const std::byte*>(t.data_ptr()), static_cast<size_t>(t.nbytes())};
    views.push_back(std::move(v));
  }
  Expected<size_t> written =
      write_safetensors(dir + "/model.safetensors", views, {{"format", "pt"}});
  if (!written.ok()) return written;
  std::string config_path = dir + "/config.json";
  if (Expected<void> w = io::write_whole(config_path, model_config_json(model->config())); !w) {
    return failure(w.error());
  }
  return *written;
}

}  // namespace rft::model
