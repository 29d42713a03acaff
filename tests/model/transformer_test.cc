// The libtorch transformer: save → load round trips, the KV cache against full recomputation,
// left-padded batches against one-by-one forwards, RoPE scaling, and load errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "runtime/model/safetensors.h"
#include "runtime/model/torch/transformer.h"

namespace rft::model {
namespace {

namespace fs = std::filesystem;

ModelConfig small_config(Family family) {
  ModelConfig c;
  c.family = family;
  c.vocab_size = 61;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 8;
  c.max_position_embeddings = 128;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 10000;
  c.eos_token_ids = {2};
  if (family == Family::kLlama) {
    c.rope_scaling.kind = RopeScaling::Kind::kLlama3;
    c.rope_scaling.factor = 8;
    c.rope_scaling.low_freq_factor = 1;
    c.rope_scaling.high_freq_factor = 4;
    c.rope_scaling.original_max_position_embeddings = 16;
  }
  if (family == Family::kQwen2) {
    c.qkv_bias = true;
    c.tie_word_embeddings = true;
  }
  if (family == Family::kQwen3) c.qk_norm = true;
  return c;
}

// A model with random weights (norm weights too, so that every parameter matters).
Transformer random_model(const ModelConfig& c, uint64_t seed) {
  torch::manual_seed(seed);
  Transformer m(c);
  torch::NoGradGuard no_grad;
  for (auto& p : m->parameters()) p.normal_(0, 0.3);
  m->eval();
  return m;
}

torch::Tensor tokens_of(std::vector<int64_t> ids) { return torch::tensor(ids).unsqueeze(0); }

torch::Tensor full_forward(Transformer& m, const torch::Tensor& tokens) {
  const int64_t t = tokens.size(1);
  return m->forward(tokens, torch::arange(t).unsqueeze(0), torch::ones({1, t}, torch::kBool));
}

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("rft-transformer-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

class Families : public ::testing::TestWithParam<Family> {};

TEST_P(Families, SaveThenLoadGivesBitwiseEqualLogits) {
  torch::NoGradGuard no_grad;
  TempDir dir;
  ModelConfig c = small_config(GetParam());
  Transformer m = random_model(c, 1);
  ASSERT_TRUE(save_transformer(m, dir.path.string()).ok());
  Expected<Transformer> loaded = load_transformer(dir.path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  torch::Tensor tokens = tokens_of({1, 5, 9, 60, 3, 3, 7});
  EXPECT_TRUE(torch::equal(full_forward(m, tokens), full_forward(*loaded, tokens)));
  EXPECT_EQ((*loaded)->config().tie_word_embeddings, c.tie_word_embeddings);
}

TEST_P(Families, KvCacheStepsEqualFullRecomputation) {
  torch::NoGradGuard no_grad;
  Transformer m = random_model(small_config(GetParam()), 2);
  std::vector<int64_t> ids = {4, 8, 15, 16, 23, 42, 7, 1, 0, 59};
  torch::Tensor full = full_forward(m, tokens_of(ids));  // [1, 10, V]
  KVCache cache;
  const int64_t prefill = 6;
  torch::Tensor first = m->forward(tokens_of({ids.begin(), ids.begin() + prefill}),
                                   torch::arange(prefill).unsqueeze(0),
                                   torch::ones({1, prefill}, torch::kBool), &cache);
  EXPECT_TRUE(torch::allclose(first, full.narrow(1, 0, prefill), 1e-5, 1e-5));
  for (int64_t i = prefill; i < static_cast<int64_t>(ids.size()); ++i) {
    torch::Tensor step = m->forward(tokens_of({ids[static_cast<size_t>(i)]}),
                                    torch::full({1, 1}, i, torch::kLong),
                                    torch::ones({1, i + 1}, torch::kBool), &cache);
    EXPECT_TRUE(torch::allclose(step.squeeze(1), full.select(1, i), 1e-5, 1e-5)) << "position " << i;
  }
  EXPECT_EQ(cache.length(), static_cast<int64_t>(ids.size()));
}

TEST_P(Families, LeftPaddedBatchEqualsOneByOne) {
  torch::NoGradGuard no_grad;
  Transformer m = random_model(small_config(GetParam()), 3);
  std::vector<std::vector<int64_t>> prompts = {{5, 6, 7}, {9, 10, 11, 12, 13, 14}, {1}};
  const int64_t width = 6;
  std::vector<int64_t> flat, mask, pos;
  for (const auto& p : prompts) {
    const int64_t pad = width - static_cast<int64_t>(p.size());
    for (int64_t i = 0; i < width; ++i) {
      flat.push_back(i < pad ? 0 : p[static_cast<size_t>(i - pad)]);
      mask.push_back(i < pad ? 0 : 1);
      pos.push_back(i < pad ? 0 : i - pad);
    }
  }
  const int64_t b = static_cast<int64_t>(prompts.size());
  torch::Tensor batch = m->forward(torch::tensor(flat).view({b, width}),
                                   torch::tensor(pos).view({b, width}),
                                   torch::tensor(mask).view({b, width}).to(torch::kBool));
  for (int64_t i = 0; i < b; ++i) {
    const auto& p = prompts[static_cast<size_t>(i)];
    torch::Tensor alone = full_forward(m, tokens_of(p));
    EXPECT_TRUE(torch::allclose(batch[i].narrow(0, width - static_cast<int64_t>(p.size()),
                                                static_cast<int64_t>(p.size())),
                                alone[0], 1e-5, 1e-5))
        << "prompt " << i;
  }
}

// Training sees left-padded batches too: the padding queries, which attend to no key, must not
// make the gradient NaN (an -inf mask did, through softmax's backward pass).
TEST_P(Families, LeftPaddedBatchHasFiniteGradients) {
  Transformer m = random_model(small_config(GetParam()), 4);
  const std::vector<int64_t> flat = {0, 0, 0, 5, 6, 7, 9, 10, 11, 12, 13, 14};
  const std::vector<int64_t> mask = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const std::vector<int64_t> pos = {0, 0, 0, 0, 1, 2, 0, 1, 2, 3, 4, 5};
  torch::Tensor logits = m->forward(torch::tensor(flat).view({2, 6}), torch::tensor(pos).view({2, 6}),
                                    torch::tensor(mask).view({2, 6}).to(torch::kBool));
  // The loss reads real positions only, as the trainers' losses do.
  torch::Tensor loss = logits.index({0, torch::indexing::Slice(3, 6)}).logsumexp(-1).sum() +
                       logits[1].logsumexp(-1).sum();
  loss.backward();
  for (const auto& p : m->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
  }
}

INSTANTIATE_TEST_SUITE_P(Model, Families,
                         ::testing::Values(Family::kLlama, Family::kQwen2, Family::kQwen3),
                         [](const auto& p) { return std::string(family_name(p.param)); });

// Llama 3 scaling by hand: wavelengths shorter than original/high_freq_factor are kept, longer
// than original/low_freq_factor are divided by the factor, and the band between is blended.
TEST(Rope, Llama3ScalingKeepsHighAndDividesLowFrequencies) {
  ModelConfig c = small_config(Family::kLlama);  // head_dim 8: frequencies 1, 0.1, 0.01, 0.001
  torch::Tensor inv = rope_inverse_frequencies(c);
  ASSERT_EQ(inv.size(0), 4);
  // With an original context of 16: wavelengths below 16/4 = 4 are kept, above 16/1 = 16 divided
  // by 8. The wavelengths 2π/f are 6.28 (in the blend band), 62.8, 628 and 6283 (divided).
  const double f0 = 1.0;
  const double smooth = (16.0 / (2 * std::numbers::pi / f0) - 1) / (4 - 1);
  EXPECT_NEAR(inv[0].item<double>(), (1 - smooth) * f0 / 8 + smooth * f0, 1e-6);
  EXPECT_NEAR(inv[1].item<double>(), 0.1 / 8, 1e-7);
  EXPECT_NEAR(inv[3].item<double>(), 0.001 / 8, 1e-9);
  c.rope_scaling.kind = RopeScaling::Kind::kNone;
  EXPECT_NEAR(rope_inverse_frequencies(c)[2].item<double>(), 0.01, 1e-9);
}

// Logits against an independent implementation of the published architecture in Python
// (tests/model/reference_model.py, Debian's python3-torch), reading the same checkpoint files.
TEST_P(Families, LogitsMatchThePythonReference) {
  const std::string python = RFT_TORCH_PYTHON;
  ASSERT_FALSE(python.empty()) << "no python3 with torch: run scripts/setup.sh (python3-torch)";
  ASSERT_EQ(std::system((python + " -c 'import torch, numpy' 2>/dev/null").c_str()), 0)
      << python << " cannot import torch and numpy: run scripts/setup.sh (python3-torch)";
  torch::NoGradGuard no_grad;
  TempDir dir;
  ModelConfig c = small_config(GetParam());
  c.num_hidden_layers = 3;
  Transformer m = random_model(c, 7);
  ASSERT_TRUE(save_transformer(m, dir.path.string()).ok());
  std::vector<int64_t> ids = {1, 17, 42, 5, 60, 0, 33, 33, 8, 21, 2, 19, 44, 3, 7, 50, 12, 9};
  std::string csv;
  for (int64_t id : ids) csv += (csv.empty() ? "" : ",") + std::to_string(id);
  fs::path out = dir.path / "logits.f32";
  std::string cmd = python + " " RFT_SOURCE_ROOT "/tests/model/reference_model.py " +
                    dir.path.string() + " " + csv + " " + out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const int64_t t = static_cast<int64_t>(ids.size());
  std::vector<float> ref(static_cast<size_t>(t * c.vocab_size));
  std::ifstream in(out, std::ios::binary);
  in.read(reinterpret_cast<char*>(ref.data()), static_cast<std::streamsize>(ref.size() * 4));
  ASSERT_TRUE(in) << "short reference output";
  torch::Tensor want = torch::from_blob(ref.data(), {t, c.vocab_size}, torch::kFloat32);
  torch::Tensor got = full_forward(m, torch::tensor(ids).unsqueeze(0))[0];
  double diff = (got - want).abs().max().item<double>();
  EXPECT_LT(diff, 1e-4) << "max |logit difference| " << diff;
  EXPECT_GT(want.abs().max().item<double>(), 0.1);  // not a degenerate model
}

TEST(Load, MissingOrMisshapenTensorsAreNamed) {
  torch::NoGradGuard no_grad;
  TempDir dir;
  ModelConfig c = small_config(Family::kQwen3);
  Transformer m = random_model(c, 4);
  ASSERT_TRUE(save_transformer(m, dir.path.string()).ok());
  // A config that asks for a bigger MLP than the weights hold.
  ModelConfig bigger = c;
  bigger.intermediate_size = 64;
  std::ofstream(dir.path / "config.json") << model_config_json(bigger);
  Expected<Transformer> r = load_transformer(dir.path.string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("model.layers.0.mlp.gate_proj.weight"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("[48, 32]"), std::string::npos) << r.error();
  // A config with q/k norm off and on: a Qwen3 config read against Llama weights misses them.
  ModelConfig llama = small_config(Family::kLlama);
  Transformer lm = random_model(llama, 5);
  TempDir other;
  ASSERT_TRUE(save_transformer(lm, other.path.string()).ok());
  ModelConfig as_qwen3 = llama;
  as_qwen3.family = Family::kQwen3;
  as_qwen3.qk_norm = true;
  as_qwen3.rope_scaling = {};
  std::ofstream(other.path / "config.json") << model_config_json(as_qwen3);
  r = load_transformer(other.path.string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("q_norm.weight"), std::string::npos) << r.error();
}

TEST(Load, Bf16CheckpointsLoadAndRun) {
  torch::NoGradGuard no_grad;
  TempDir dir;
  ModelConfig c = small_config(Family::kQwen2);
  Transformer m = random_model(c, 6);
  m->to(torch::kBFloat16);
  ASSERT_TRUE(save_transformer(m, dir.path.string()).ok());
  Expected<SafetensorsFile> f = SafetensorsFile::open((dir.path / "model.safetensors").string());
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->tensors()[0].dtype, DType::kBF16);
  Expected<Transformer> loaded = load_transformer(dir.path.string(), torch::kFloat32);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  torch::Tensor tokens = tokens_of({3, 1, 4, 1, 5});
  torch::Tensor want = full_forward(m, tokens);  // bf16 weights, f32 logits
  torch::Tensor got = full_forward(*loaded, tokens);
  // The same bf16 weights, computed in f32 rather than bf16: close, not equal.
  EXPECT_TRUE(torch::allclose(got, want, 0.1, 0.1));
  EXPECT_TRUE(torch::isfinite(got).all().item<bool>());
}

}  // namespace
}  // namespace rft::model
