// Generation and scoring: the KV cache against recomputation, batches against one-by-one,
// sampling controls, EOS and stop conditions, and log-probabilities against a hand-rolled loop.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "runtime/model/torch/generate.h"
#include "runtime/model/text_generator.h"

namespace rft::model {
namespace {

ModelConfig config(Family family) {
  ModelConfig c;
  c.family = family;
  c.vocab_size = 53;
  c.hidden_size = 32;
  c.intermediate_size = 40;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = family == Family::kLlama ? 4 : 2;
  c.head_dim = 8;
  c.max_position_embeddings = 256;
  c.qkv_bias = family == Family::kQwen2;
  c.qk_norm = family == Family::kQwen3;
  c.tie_word_embeddings = family != Family::kLlama;
  return c;
}

Transformer model(Family family, uint64_t seed = 11) {
  torch::manual_seed(seed);
  Transformer m(config(family));
  torch::NoGradGuard no_grad;
  for (auto& p : m->parameters()) p.normal_(0, 0.5);
  m->eval();
  return m;
}

const std::vector<std::vector<int64_t>> kPrompts = {{1, 2, 3}, {7, 8, 9, 10, 11, 12, 13}, {4}, {5, 5}};

class Gen : public ::testing::TestWithParam<Family> {};

TEST_P(Gen, GreedyWithTheCacheEqualsRecomputation) {
  Transformer m = model(GetParam());
  SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 12;
  std::vector<Generation> cached = generate(m, kPrompts, o);
  o.use_cache = false;
  std::vector<Generation> recomputed = generate(m, kPrompts, o);
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    EXPECT_EQ(cached[i].tokens, recomputed[i].tokens) << i;
    EXPECT_EQ(cached[i].tokens.size(), 12u);
    EXPECT_EQ(cached[i].finish, Finish::kLength);
  }
}

TEST_P(Gen, ABatchOfMixedLengthsEqualsOneByOne) {
  Transformer m = model(GetParam());
  SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 10;
  std::vector<Generation> batch = generate(m, kPrompts, o);
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    std::vector<Generation> alone = generate(m, {kPrompts[i]}, o);
    EXPECT_EQ(batch[i].tokens, alone[0].tokens) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Model, Gen,
                         ::testing::Values(Family::kLlama, Family::kQwen2, Family::kQwen3),
                         [](const auto& p) { return std::string(family_name(p.param)); });

TEST(Sampling, SeedsReproduceAndTopKOfOneIsGreedy) {
  Transformer m = model(Family::kQwen2);
  SamplingOptions o;
  o.temperature = 1.5;
  o.max_new_tokens = 16;
  o.seed = 42;
  auto a = generate(m, kPrompts, o);
  auto b = generate(m, kPrompts, o);
  o.seed = 43;
  auto c = generate(m, kPrompts, o);
  bool differs = false;
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    EXPECT_EQ(a[i].tokens, b[i].tokens);
    differs = differs || a[i].tokens != c[i].tokens;
  }
  EXPECT_TRUE(differs) << "another seed gave the same 64 tokens";
  o.top_k = 1;
  SamplingOptions greedy;
  greedy.temperature = 0;
  greedy.max_new_tokens = 16;
  auto k1 = generate(m, kPrompts, o);
  auto g = generate(m, kPrompts, greedy);
  for (size_t i = 0; i < kPrompts.size(); ++i) EXPECT_EQ(k1[i].tokens, g[i].tokens);
  // A tiny top_p keeps only the most likely token: greedy again.
  o.top_k = 0;
  o.top_p = 1e-6;
  auto p = generate(m, kPrompts, o);
  for (size_t i = 0; i < kPrompts.size(); ++i) EXPECT_EQ(p[i].tokens, g[i].tokens);
}

TEST(Sampling, EosAndStopFinishEachSequenceOnItsOwn) {
  Transformer m = model(Family::kLlama);
  SamplingOptions o;
  o.temperature = 0;
  o.max_new_tokens = 8;
  auto free_run = generate(m, kPrompts, o);
  // EOS: the token sequence 0 would produce third; it ends there, without it.
  o.eos_ids = {free_run[0].tokens[2]};
  auto eos = generate(m, kPrompts, o);
  EXPECT_EQ(eos[0].finish, Finish::kEos);
  EXPECT_EQ(eos[0].tokens, std::vector<int64_t>(free_run[0].tokens.begin(), free_run[0].tokens.begin() + 2));
  // A stop condition on sequence 1 only, after 3 tokens; the others run on.
  o.eos_ids = {};
  auto stopped = generate(m, kPrompts, o, [](size_t i, const std::vector<int64_t>& t) {
    return i == 1 && t.size() == 3;
  });
  EXPECT_EQ(stopped[1].finish, Finish::kStop);
  EXPECT_EQ(stopped[1].tokens.size(), 3u);
  EXPECT_EQ(stopped[2].tokens, free_run[2].tokens);
  EXPECT_EQ(stopped[2].finish, Finish::kLength);
}

// With a seed per row and a common padding width, a row samples the same tokens whatever shares
// its batch: alone, in any split of the batch, and while other rows end early (and leave it).
TEST(Sampling, RowSeedsSampleEachRowAsItWouldAlone) {
  Transformer m = model(Family::kLlama);
  SamplingOptions o;
  o.temperature = 1.2;
  o.max_new_tokens = 12;
  o.row_seeds = {11, 12, 13, 14};
  o.min_width = 7;  // the widest of kPrompts
  auto free_run = generate(m, kPrompts, o);
  o.eos_ids = {free_run[2].tokens[1]};  // row 2 ends early; the others mostly do not
  auto batch = generate(m, kPrompts, o);
  ASSERT_EQ(batch[2].finish, Finish::kEos);
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    SamplingOptions one = o;
    one.row_seeds = {o.row_seeds[i]};
    auto alone = generate(m, {kPrompts[i]}, one);
    EXPECT_EQ(batch[i].tokens, alone[0].tokens) << i;
    EXPECT_EQ(batch[i].finish, alone[0].finish) << i;
  }
  SamplingOptions half = o;
  half.row_seeds = {13, 14};
  auto second = generate(m, {kPrompts[2], kPrompts[3]}, half);
  EXPECT_EQ(second[0].tokens, batch[2].tokens);
  EXPECT_EQ(second[1].tokens, batch[3].tokens);
  // Another seed for one row changes that row only.
  SamplingOptions other = o;
  other.row_seeds[0] = 99;
  auto changed = generate(m, kPrompts, other);
  EXPECT_NE(changed[0].tokens, batch[0].tokens);
  for (size_t i = 1; i < kPrompts.size(); ++i) EXPECT_EQ(changed[i].tokens, batch[i].tokens) << i;
}

// completion_logprobs against a plain loop: the full sequence's log-softmax, read token by token.
TEST(Scoring, LogprobsMatchAPerTokenLoopAndBatchingChangesNothing) {
  Transformer m = model(Family::kQwen3);
  torch::NoGradGuard no_grad;
  std::vector<std::vector<int64_t>> prompts = {{3, 4, 5}, {9}, {1, 2, 3, 4, 5, 6}};
  std::vector<std::vector<int64_t>> completions = {{6, 7}, {10, 11, 12, 13}, {7}};
  ScoredBatch batch = completion_logprobs(m, prompts, completions);
  ASSERT_EQ(batch.logprobs.size(0), 3);
  ASSERT_EQ(batch.logprobs.size(1), 4);
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::vector<int64_t> seq = prompts[i];
    seq.insert(seq.end(), completions[i].begin(), completions[i].end());
    const int64_t n = static_cast<int64_t>(seq.size());
    torch::Tensor logits = m->forward(torch::tensor(seq).unsqueeze(0), torch::arange(n).unsqueeze(0),
                                      torch::ones({1, n}, torch::kBool))[0];
    torch::Tensor lsm = logits.log_softmax(-1);
    for (size_t j = 0; j < completions[i].size(); ++j) {
      const int64_t at = static_cast<int64_t>(prompts[i].size() + j) - 1;
      double want = lsm[at][completions[i][j]].item<double>();
      double got = batch.logprobs[static_cast<int64_t>(i)][static_cast<int64_t>(j)].item<double>();
      EXPECT_NEAR(got, want, 1e-5) << i << "," << j;
      EXPECT_TRUE(batch.mask[static_cast<int64_t>(i)][static_cast<int64_t>(j)].item<bool>());
    }
    for (size_t j = completions[i].size(); j < 4; ++j) {
      EXPECT_FALSE(batch.mask[static_cast<int64_t>(i)][static_cast<int64_t>(j)].item<bool>());
      EXPECT_EQ(batch.logprobs[static_cast<int64_t>(i)][static_cast<int64_t>(j)].item<double>(), 0);
    }
  }
}

TEST(Scoring, LogprobsAreDifferentiable) {
  Transformer m = model(Family::kLlama);
  ScoredBatch s = completion_logprobs(m, {{1, 2}}, {{3, 4, 5}});
  torch::Tensor loss = -(s.logprobs * s.mask).sum();
  loss.backward();
  auto params = m->named_parameters();
  ASSERT_TRUE(params["embed_tokens.weight"].grad().defined());
  EXPECT_GT(params["layers.0.self_attn.q_proj.weight"].grad().abs().sum().item<double>(), 0);
}

// The built-in family end to end: written in the Hugging Face layout, loaded by TextGenerator
// (tokenizer included), streamed text equal to the final text, stop strings cut it.
TEST(TextGenerator, BuiltinModelStreamsAndStops) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("rft-builtin-" + std::to_string(::getpid()));
  Expected<std::string> wrote = write_builtin_model(dir.string(), "tiny", 5);
  ASSERT_TRUE(wrote.ok()) << wrote.error();
  EXPECT_FALSE(write_builtin_model(dir.string(), "huge", 5).ok());
  Expected<std::unique_ptr<TextGenerator>> loaded = load_text_generator(dir.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  TextGenerator* gen = loaded->get();
  TextOptions o;
  o.temperature = 0;
  o.max_new_tokens = 24;
  o.threads = 1;
  std::string streamed;
  std::vector<TextResult> free_run =
      gen->generate({"The answer is"}, o, [&](size_t, std::string_view piece) { streamed += piece; });
  ASSERT_EQ(free_run.size(), 1u);
  EXPECT_EQ(streamed, free_run[0].text);
  EXPECT_EQ(free_run[0].finish, "length");
  EXPECT_EQ(free_run[0].new_tokens, 24);
  EXPECT_EQ(free_run[0].prompt_tokens, 13);  // one token per byte
  // Stop at the first ASCII character after the first two bytes of the free-running text.
  const std::string& text = free_run[0].text;
  size_t p = 2;
  while (p < text.size() && static_cast<unsigned char>(text[p]) >= 0x80) ++p;
  ASSERT_LT(p, text.size()) << "no ASCII character to stop at in the free-running text";
  o.stop = {text.substr(p, 1)};
  streamed.clear();
  std::vector<TextResult> cut =
      gen->generate({"The answer is"}, o, [&](size_t, std::string_view piece) { streamed += piece; });
  EXPECT_EQ(cut[0].finish, "stop");
  EXPECT_EQ(cut[0].text, text.substr(0, text.find(o.stop[0])));
  EXPECT_EQ(streamed, cut[0].text);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rft::model
