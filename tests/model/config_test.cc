// config.json of the three supported families, and the errors for what rft does not run.
#include <gtest/gtest.h>

#include "runtime/model/config.h"

namespace rft::model {
namespace {

// Shaped like the published configs of Qwen2.5-0.5B-Instruct, Llama-3.2-1B and Qwen3-0.6B.
const char* kQwen25 = R"({
  "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
  "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
  "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768,
  "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "rope_scaling": null,
  "tie_word_embeddings": true, "use_sliding_window": false, "vocab_size": 151936,
  "bos_token_id": 151643, "eos_token_id": 151645, "torch_dtype": "bfloat16"})";

const char* kLlama32 = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
  "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
  "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
  "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "attention_bias": false, "mlp_bias": false, "tie_word_embeddings": true,
  "vocab_size": 128256, "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]})";

const char* kQwen3 = R"({
  "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_act": "silu",
  "hidden_size": 1024, "intermediate_size": 3072, "num_hidden_layers": 28,
  "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
  "max_position_embeddings": 40960, "rms_norm_eps": 1e-06, "rope_theta": 1000000,
  "attention_bias": false, "tie_word_embeddings": true, "vocab_size": 151936,
  "eos_token_id": 151645})";

TEST(ModelConfig, Qwen2) {
  Expected<ModelConfig> c = parse_model_config(kQwen25);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->family, Family::kQwen2);
  EXPECT_EQ(c->hidden_size, 896);
  EXPECT_EQ(c->num_key_value_heads, 2);
  EXPECT_EQ(c->head_dim, 64);  // 896 / 14
  EXPECT_TRUE(c->qkv_bias);
  EXPECT_FALSE(c->qk_norm);
  EXPECT_TRUE(c->tie_word_embeddings);
  EXPECT_DOUBLE_EQ(c->rope_theta, 1e6);
  EXPECT_EQ(c->rope_scaling.kind, RopeScaling::Kind::kNone);
  EXPECT_EQ(c->bos_token_id, 151643);
  EXPECT_EQ(c->eos_token_ids, std::vector<int64_t>{151645});
  EXPECT_EQ(c->torch_dtype, "bfloat16");
}

TEST(ModelConfig, Llama3WithRopeScaling) {
  Expected<ModelConfig> c = parse_model_config(kLlama32);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->family, Family::kLlama);
  EXPECT_EQ(c->head_dim, 64);
  EXPECT_FALSE(c->qkv_bias);
  EXPECT_EQ(c->rope_scaling.kind, RopeScaling::Kind::kLlama3);
  EXPECT_DOUBLE_EQ(c->rope_scaling.factor, 32);
  EXPECT_EQ(c->rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(c->eos_token_ids, (std::vector<int64_t>{128001, 128008, 128009}));
  EXPECT_DOUBLE_EQ(c->rms_norm_eps, 1e-5);
}

TEST(ModelConfig, Qwen3HasQkNormAndItsOwnHeadDim) {
  Expected<ModelConfig> c = parse_model_config(kQwen3);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->family, Family::kQwen3);
  EXPECT_TRUE(c->qk_norm);
  EXPECT_FALSE(c->qkv_bias);
  EXPECT_EQ(c->head_dim, 128);  // not 1024 / 16
  EXPECT_FALSE(c->bos_token_id.has_value());
}

TEST(ModelConfig, UnsupportedOrInvalidValuesAreErrors) {
  struct Case {
    std::string json;
    std::string expected;
  };
  std::string base = kQwen25;
  auto with = [&](const std::string& field, const std::string& value) {
    std::string s = base;
    size_t at = s.find("\"" + field + "\"");
    size_t colon = s.find(':', at);
    size_t end = s.find_first_of(",}", colon);
    return s.substr(0, colon + 1) + " " + value + s.substr(end);
  };
  std::vector<Case> cases = {
      {R"({"model_type": "mistral", "architectures": ["MistralForCausalLM"]})",
       "config.json: model_type `mistral` (MistralForCausalLM) is not supported; rft runs llama, "
       "qwen2 and qwen3 checkpoints"},
      {with("hidden_act", "\"gelu\""), "config.json: hidden_act `gelu` is not supported (only silu)"},
      {with("num_key_value_heads", "3"),
       "config.json: `num_attention_heads` (14) must be a multiple of `num_key_value_heads` (3)"},
      {with("hidden_size", "-896"), "config.json: `hidden_size` must be a positive integer, found -896"},
      {with("use_sliding_window", "true"), "config.json: `use_sliding_window` true is not supported"},
      {with("rope_scaling", R"({"rope_type": "yarn", "factor": 4})"),
       "config.json: rope_scaling type `yarn` is not supported (supported: linear, llama3)"},
      {with("rope_scaling", R"({"rope_type": "llama3", "factor": 8})"),
       "config.json (rope_scaling): `original_max_position_embeddings` is missing"},
      {with("eos_token_id", "\"x\""), "config.json: `eos_token_id` must be an integer or a list of integers"},
      {R"({"model_type": "llama"})", "config.json: `vocab_size` is missing"},
      {"[1, 2]", "config.json: not a JSON object"},
  };
  for (const auto& c : cases) {
    Expected<ModelConfig> r = parse_model_config(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error(), c.expected) << c.json;
  }
  Expected<ModelConfig> missing = load_model_config("/nonexistent/dir");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/nonexistent/dir: cannot read");
}

}  // namespace
}  // namespace rft::model
