// Generation throughput of rft's transformer: prefill time and KV-cache decode tokens per second
// of rft::model::generate(), on a model with random weights.
//
//   generate_bench [--size tiny|30m|500m | --load DIR] [--batch N] [--prompt-len N]
//                  [--new-tokens N] [--threads N] [--repeat K] [--temperature T] [--seed S]
//                  [--init-std X] [--save DIR [--save-only]] [--json] [--tokens]
//
// Random weights are normal(0, X = 0.02) with norms at 1, seeded by S.
//
// Every sequence runs the full budget (no EOS). After one warm-up run, `generate` is timed end to
// end K times with one new token (the prefill: one forward pass over the prompts and the first
// token) and K times with all N; the best of each is kept. Decode is the difference: N - 1
// forward passes of one token per sequence. bench/python_generate.py measures the same thing in
// Python with the same prompts (the formula in make_prompts) and greedy tokens.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "runtime/model/torch/generate.h"
#include "runtime/model/torch/transformer.h"

namespace {

using rft::model::Family;
using rft::model::ModelConfig;
using rft::model::Transformer;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string size = "tiny";
  std::string load, save;
  bool save_only = false;
  int64_t batch = 1;
  int64_t prompt_len = 32;
  int64_t new_tokens = 64;
  int threads = 0;  // 0: every core
  int repeat = 3;
  double temperature = 0;  // greedy, so that the tokens can be compared with Python's
  uint64_t seed = 1;
  double init_std = 0.02;  // of the random weights; larger gives varied greedy tokens to compare
  bool json = false;
  bool tokens = false;  // include every generated token in the JSON
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "generate_bench: " << problem << "\n"
            << "usage: generate_bench [--size tiny|30m|500m | --load DIR] [--batch N]\n"
            << "         [--prompt-len N] [--new-tokens N] [--threads N] [--repeat K]\n"
            << "         [--temperature T] [--seed S] [--init-std X] [--save DIR [--save-only]]\n"
            << "         [--json] [--tokens]\n";
  std::exit(2);
}

int64_t positive(const std::string& flag, const char* text) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v < 1)
    usage(flag + " needs a positive integer, not `" + text + "`");
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--json") {
      o.json = true;
    } else if (a == "--tokens") {
      o.tokens = true;
    } else if (a == "--save-only") {
      o.save_only = true;
    } else if (a == "--size") {
      o.size = value();
    } else if (a == "--load") {
      o.load = value();
    } else if (a == "--save") {
      o.save = value();
    } else if (a == "--batch") {
      o.batch = positive(a, value());
    } else if (a == "--prompt-len") {
      o.prompt_len = positive(a, value());
    } else if (a == "--new-tokens") {
      o.new_tokens = positive(a, value());
    } else if (a == "--threads") {
      o.threads = static_cast<int>(positive(a, value()));
    } else if (a == "--repeat") {
      o.repeat = static_cast<int>(positive(a, value()));
    } else if (a == "--temperature") {
      o.temperature = std::atof(value());
    } else if (a == "--seed") {
      o.seed = std::strtoull(value(), nullptr, 10);
    } else if (a == "--init-std") {
      o.init_std = std::atof(value());
    } else {
      usage("unknown option " + a);
    }
  }
  if (o.save_only && o.save.empty()) usage("--save-only needs --save DIR");
  return o;
}

// The benchmark shapes. tiny and 30m are rft's built-in Llama family (tiny is `rft init-model
// tiny`; 30m is the built-in `small` with an 8192-token vocabulary, 29.4M parameters); 500m is
// Qwen2.5-0.5B's shape (494M parameters).
ModelConfig config_for(const std::string& size) {
  ModelConfig c;
  c.family = Family::kLlama;
  c.architecture = "LlamaForCausalLM";
  c.max_position_embeddings = 2048;
  c.rope_theta = 10000;
  c.rms_norm_eps = 1e-5;
  c.tie_word_embeddings = true;
  c.torch_dtype = "float32";
  if (size == "tiny") {
    c.vocab_size = 320;
    c.hidden_size = 128, c.intermediate_size = 384, c.num_hidden_layers = 4;
    c.num_attention_heads = 4, c.num_key_value_heads = 2;
  } else if (size == "30m") {
    c.vocab_size = 8192;
    c.hidden_size = 512, c.intermediate_size = 1536, c.num_hidden_layers = 8;
    c.num_attention_heads = 8, c.num_key_value_heads = 4;
  } else if (size == "500m") {
    c.family = Family::kQwen2;
    c.architecture = "Qwen2ForCausalLM";
    c.vocab_size = 151936;
    c.hidden_size = 896, c.intermediate_size = 4864, c.num_hidden_layers = 24;
    c.num_attention_heads = 14, c.num_key_value_heads = 2;
    c.max_position_embeddings = 32768;
    c.rope_theta = 1e6;
    c.rms_norm_eps = 1e-6;
    c.qkv_bias = true;
  } else {
    usage("unknown --size `" + size + "`; the sizes are tiny, 30m and 500m");
  }
  c.head_dim = c.hidden_size / c.num_attention_heads;
  return c;
}

Transformer random_model(const ModelConfig& c, uint64_t seed, double std) {
  torch::manual_seed(static_cast<int64_t>(seed));
  Transformer m(c);
  init_random_weights(m, std);
  return m;
}

// Prompt token j of sequence b; bench/python_generate.py uses the same formula.
std::vector<std::vector<int64_t>> make_prompts(int64_t batch, int64_t len, int64_t vocab) {
  std::vector<std::vector<int64_t>> prompts(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t j = 0; j < len; ++j) {
      const uint64_t x = static_cast<uint64_t>(b * len + j);
      prompts[static_cast<size_t>(b)].push_back(static_cast<int64_t>(
          ((x * 2654435761ULL + 12345) % 4294967296ULL) % static_cast<uint64_t>(vocab)));
    }
  }
  return prompts;
}

// The best wall time of `repeat` calls of generate() with `new_tokens` tokens per sequence.
double best_seconds(Transformer& m, const std::vector<std::vector<int64_t>>& prompts,
                    rft::model::SamplingOptions so, int64_t new_tokens, int repeat) {
  so.max_new_tokens = new_tokens;
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    std::vector<rft::model::Generation> out = rft::model::generate(m, prompts, so);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const int threads = o.threads > 0
                          ? o.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);

  Transformer m{nullptr};
  if (!o.load.empty()) {
    auto loaded = rft::model::load_transformer(o.load);
    if (!loaded.ok()) {
      std::cerr << "generate_bench: " << loaded.error() << "\n";
      return 1;
    }
    m = std::move(loaded).value();
  } else {
    m = random_model(config_for(o.size), o.seed, o.init_std);
  }
  m->eval();
  const ModelConfig& c = m->config();
  int64_t params = 0;
  for (const auto& p : m->parameters()) params += p.numel();
  // Weights a decode step reads: all of them, except an untied embedding (only B rows are looked
  // up); a tied one is read whole as the LM head. Also the parameter count of the step's matmuls.
  const int64_t step_params = params - (c.tie_word_embeddings ? 0 : c.vocab_size * c.hidden_size);

  if (!o.save.empty()) {
    auto bytes = rft::model::save_transformer(m, o.save);
    if (!bytes.ok()) {
      std::cerr << "generate_bench: " << bytes.error() << "\n";
      return 1;
    }
    if (o.save_only) {
      std::printf("wrote %s: %lld parameters, %zu bytes\n", o.save.c_str(),
                  static_cast<long long>(params), *bytes);
      return 0;
    }
  }

  const auto prompts = make_prompts(o.batch, o.prompt_len, c.vocab_size);
  rft::model::SamplingOptions so;
  so.temperature = o.temperature;
  so.seed = o.seed;
  so.max_new_tokens = o.new_tokens;  // eos_ids stays empty: every sequence runs the whole budget
  const std::vector<rft::model::Generation> warm = rft::model::generate(m, prompts, so);
  const double prefill_s = best_seconds(m, prompts, so, 1, o.repeat);
  const double total_s = best_seconds(m, prompts, so, o.new_tokens, o.repeat);
  const double decode_s = std::max(total_s - prefill_s, 1e-9);
  const double b = static_cast<double>(o.batch);
  const double n = static_cast<double>(o.new_tokens);

  nlohmann::json r = {
      {"impl", "rft"},
      {"size", o.load.empty() ? o.size : o.load},
      {"params", params},
      {"step_params", step_params},
      {"weight_bytes", step_params * static_cast<int64_t>(m->parameters().front().element_size())},
      {"batch", o.batch},
      {"prompt_len", o.prompt_len},
      {"new_tokens", o.new_tokens},
      {"threads", threads},
      {"repeat", o.repeat},
      {"prefill_s", prefill_s},
      {"decode_s", o.new_tokens > 1 ? decode_s : 0.0},
      {"total_s", total_s},
      {"prefill_tokens_per_s", b * static_cast<double>(o.prompt_len) / prefill_s},
      {"decode_tokens_per_s", o.new_tokens > 1 ? b * (n - 1) / decode_s : 0.0},
      {"total_tokens_per_s", b * n / total_s},
  };
  if (o.tokens) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& g : warm) all.push_back(g.tokens);
    r["tokens"] = all;
  }
  if (o.json) {
    std::cout << r.dump() << "\n";
  } else {
    std::printf(
        "%s: %lld parameters, batch %lld, prompt %lld, %lld new tokens, %d threads\n"
        "  prefill %.1f ms, decode %.1f tokens/s, end to end %.1f tokens/s\n",
        r["size"].get<std::string>().c_str(), static_cast<long long>(params),
        static_cast<long long>(o.batch), static_cast<long long>(o.prompt_len),
        static_cast<long long>(o.new_tokens), threads, prefill_s * 1e3,
        r["decode_tokens_per_s"].get<double>(), r["total_tokens_per_s"].get<double>());
  }
  return 0;
}
