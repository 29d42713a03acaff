// The model runtime's text-in, text-out facade (runtime/model/text_generator.h) made real: a
// loaded transformer with its tokenizer, generating and streaming decoded text, and the built-in
// random models. The plugin's table (runtime/train/torch/plugin.cc) points here.
#include "runtime/model/torch/text_generator_torch.h"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/common/output_file.h"
#include "runtime/model/tokenizer/byte_level.h"
#include "runtime/model/torch/generate.h"

namespace rft::model {
namespace {

class TorchTextGenerator final : public TextGenerator {
 public:
  TorchTextGenerator(Transformer model, Tokenizer tokenizer)
      : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {
    eos_ = model_->config().eos_token_ids;
    if (auto e = tokenizer_.eos_id()) eos_.push_back(*e);
  }
  std::vector<TextResult> generate(const std::vector<std::string>& prompts, const TextOptions& o,
                                   const std::function<void(size_t, std::string_view)>& on_text)
      override;
  std::string describe() const override;
  const Tokenizer& tokenizer() const override { return tokenizer_; }

 private:
  Transformer model_;
  Tokenizer tokenizer_;
  std::vector<int64_t> eos_;
};

}  // namespace

Expected<std::unique_ptr<TextGenerator>> load_torch_text_generator(const std::string& model_dir) {
  Expected<Tokenizer> tok = Tokenizer::load(model_dir);
  if (!tok.ok()) return failure(tok.error());
  Expected<Transformer> model = load_transformer(model_dir);
  if (!model.ok()) return failure(model.error());
  return std::unique_ptr<TextGenerator>(
      std::make_unique<TorchTextGenerator>(std::move(model).value(), std::move(tok).value()));
}

namespace {

std::string TorchTextGenerator::describe() const {
  int64_t n = 0;
  for (const auto& p : model_->parameters()) n += p.numel();
  const ModelConfig& c = model_->config();
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s, %.1fM parameters, %lld layers, vocab %lld",
                std::string(family_name(c.family)).c_str(), static_cast<double>(n) / 1e6,
                static_cast<long long>(c.num_hidden_layers), static_cast<long long>(c.vocab_size));
  return buf;
}

}  // namespace

namespace {

// The length of the longest prefix of `s` that ends on a character boundary and leaves at least
// `keep` bytes after it (text that might still become the start of a stop string).
size_t releasable(std::string_view s, size_t keep) {
  if (s.size() <= keep) return 0;
  size_t n = s.size() - keep;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace

std::vector<TextResult> TorchTextGenerator::generate(
    const std::vector<std::string>& prompts, const TextOptions& o,
    const std::function<void(size_t, std::string_view)>& on_text) {
  at::set_num_threads(o.threads > 0 ? o.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  std::vector<std::vector<int64_t>> ids;
  std::vector<TextResult> out(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::vector<int32_t> p = tokenizer_.encode_prompt(prompts[i]);
    if (p.empty()) p.push_back(eos_.empty() ? 0 : static_cast<int32_t>(eos_[0]));
    ids.emplace_back(p.begin(), p.end());
    out[i].prompt_tokens = static_cast<int64_t>(p.size());
  }
  size_t longest_stop = 0;
  for (const auto& s : o.stop) longest_stop = std::max(longest_stop, s.size());
  // Text grows a piece per token (the stream decoder holds back a character cut in two); a stop
  // string can only end in the new piece, so the search starts just before it.
  std::vector<TokenStreamDecoder> decoders(prompts.size(),
                                           TokenStreamDecoder(tokenizer_, /*skip_special_tokens=*/true));
  std::vector<std::string> text(prompts.size());
  std::vector<size_t> sent(prompts.size(), 0);  // bytes of text already passed to on_text
  auto append = [&](size_t i, const std::string& piece) {
    size_t from = text[i].size() > longest_stop ? text[i].size() - longest_stop : 0;
    text[i] += piece;
    bool stopped = false;
    for (const auto& stop_text : o.stop) {
      size_t at = stop_text.empty() ? std::string::npos : text[i].find(stop_text, from);
      if (at != std::string::npos) {
        text[i].resize(at);
        stopped = true;
      }
    }
    if (on_text) {
      // Hold back what could still turn out to be the start of a stop string.
      size_t upto = stopped ? text[i].size() : releasable(text[i], longest_stop > 0 ? longest_stop - 1 : 0);
      if (upto > sent[i]) {
        on_text(i, std::string_view(text[i]).substr(sent[i], upto - sent[i]));
        sent[i] = upto;
      }
    }
    return stopped;
  };
  // A cancelled row finishes like a stopped one; rows that finish carry on unseen in the batch,
  // so the others' tokens do not change.
  std::vector<bool> cancelled(prompts.size(), false);
  StopFn stop = [&](size_t i, const std::vector<int64_t>& tokens) {
    if (o.cancelled && o.cancelled(i)) {
      cancelled[i] = true;
      return true;
    }
    return append(i, decoders[i].push(static_cast<int32_t>(tokens.back())));
  };
  SamplingOptions so;
  so.temperature = o.temperature;
  so.top_k = o.top_k;
  so.top_p = o.top_p;
  so.seed = o.seed;
  so.row_seeds = o.row_seeds;
  so.min_width = o.min_width;
  so.max_new_tokens = o.max_new_tokens;
  so.eos_ids = eos_;
  std::vector<Generation> gens = rft::model::generate(model_, ids, so, stop);
  for (size_t i = 0; i < prompts.size(); ++i) {
    out[i].new_tokens = static_cast<int64_t>(gens[i].tokens.size());
    if (cancelled[i]) {
      out[i].finish = "cancelled";
      out[i].text = std::move(text[i]);
      continue;
    }
    out[i].finish = gens[i].finish == Finish::kEos ? "eos" : gens[i].finish == Finish::kStop ? "stop" : "length";
    if (gens[i].finish != Finish::kStop && append(i, decoders[i].finish())) out[i].finish = "stop";
    if (on_text && sent[i] < text[i].size()) on_text(i, std::string_view(text[i]).substr(sent[i]));
    out[i].text = std::move(text[i]);
  }
  return out;
}

Expected<std::string> write_builtin_model_torch(const std::string& dir, std::string_view size,
                                                uint64_t seed) {
  ModelConfig c;
  c.family = Family::kLlama;
  c.architecture = "LlamaForCausalLM";
  c.vocab_size = 320;  // 256 bytes, 3 special tokens, room to grow; a multiple of 64
  c.max_position_embeddings = 2048;
  c.rope_theta = 10000;
  c.rms_norm_eps = 1e-5;
  c.tie_word_embeddings = true;
  c.eos_token_ids = {256, 258};  // <|endoftext|>, and <|im_end|> for chats
  c.torch_dtype = "float32";
  if (size == "tiny") {
    c.hidden_size = 128, c.intermediate_size = 384, c.num_hidden_layers = 4;
    c.num_attention_heads = 4, c.num_key_value_heads = 2;
  } else if (size == "small") {
    c.hidden_size = 512, c.intermediate_size = 1536, c.num_hidden_layers = 8;
    c.num_attention_heads = 8, c.num_key_value_heads = 4;
  } else {
    return failure("unknown model size `" + std::string(size) +
                   "`; the built-in sizes are tiny and small");
  }
  c.head_dim = c.hidden_size / c.num_attention_heads;
  torch::manual_seed(seed);
  Transformer m(c);
  init_random_weights(m, 0.02);
  Expected<size_t> bytes = save_transformer(m, dir);
  if (!bytes.ok()) return failure(bytes.error());

  using Json = nlohmann::json;
  Json vocab = Json::object();
  for (int b = 0; b < 256; ++b) vocab[to_byte_level(std::string(1, static_cast<char>(b)))] = b;
  const char* specials[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  Json added = Json::array();
  for (int i = 0; i < 3; ++i) {
    added.push_back({{"id", 256 + i}, {"content", specials[i]}, {"special", true},
                     {"normalized", false}, {"lstrip", false}, {"rstrip", false},
                     {"single_word", false}});
  }
  Json tokenizer = {
      {"version", "1.0"},
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false},
                         {"use_regex", false}}},
      {"post_processor", nullptr},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", Json::array()}}},
  };
  // ChatML, as Qwen2's template writes it without a default system message.
  const char* chatml =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
      "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
      "{% endif %}";
  Json config = {{"eos_token", "<|endoftext|>"}, {"pad_token", "<|endoftext|>"},
                 {"bos_token", nullptr}, {"model_max_length", c.max_position_embeddings},
                 {"chat_template", chatml}};
  for (const auto& [name, doc] : {std::pair{"tokenizer.json", tokenizer},
                                  std::pair{"tokenizer_config.json", config}}) {
    if (Expected<void> w = io::write_whole(dir + "/" + name, doc.dump(2) + "\n"); !w) {
      return failure(w.error());
    }
  }
  int64_t n = 0;
  for (const auto& p : m->parameters()) n += p.numel();
  return "wrote " + dir + ": " + std::string(size) + " model, " +
         std::to_string(n) + " parameters, byte-level tokenizer";
}

}  // namespace rft::model
