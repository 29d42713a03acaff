// A checkpoint's config.json, for the decoder-only families rft runs: Llama (incl. 3.x RoPE
// scaling), Qwen2 (QKV bias) and Qwen3 (q/k RMSNorm). Torch-free: the model reads this struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/expected.h"

namespace rft::model {

enum class Family { kLlama, kQwen2, kQwen3 };
std::string_view family_name(Family f);

struct RopeScaling {
  enum class Kind { kNone, kLinear, kLlama3 };
  Kind kind = Kind::kNone;
  double factor = 1;                        // linear, llama3
  double low_freq_factor = 1;               // llama3
  double high_freq_factor = 4;              // llama3
  int64_t original_max_position_embeddings = 0;  // llama3
};

struct ModelConfig {
  Family family = Family::kLlama;
  std::string architecture;  // e.g. "Qwen2ForCausalLM"
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  // grouped-query attention; defaults to the head count
  int64_t head_dim = 0;             // defaults to hidden_size / num_attention_heads
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;  // Qwen2 always; Llama when attention_bias is set
  bool qk_norm = false;   // Qwen3
  std::optional<int64_t> bos_token_id;
  std::vector<int64_t> eos_token_ids;  // one or several
  std::string torch_dtype;             // as written ("bfloat16", ...), may be empty
};

// Parses config.json text. Errors name `name`, the field, and the values rft supports.
Expected<ModelConfig> parse_model_config(std::string_view json_text,
                                         std::string_view name = "config.json");
// The config.json text of `c`, in Hugging Face's field names (parse_model_config reads it back to
// an equal config).
std::string model_config_json(const ModelConfig& c);

// Reads `path`: a config.json file or a checkpoint directory holding one.
Expected<ModelConfig> load_model_config(const std::string& path);

}  // namespace rft::model
