// Text in, text out, for tools that must not see torch (the `rft` command): loads a model
// directory (config.json, safetensors, tokenizer.json) and generates from prompts, streaming
// decoded text. The implementation lives with the transformer in generate.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/model/tokenizer.h"


namespace rft::model {

struct TextOptions {
  double temperature = 1.0;
  int64_t top_k = 0;
  double top_p = 1.0;
  uint64_t seed = 0;
  // One seed per prompt instead of `seed`, with every prompt left-padded to at least min_width
  // tokens: a prompt's completion then does not depend on the others in the call (evaluation).
  std::vector<uint64_t> row_seeds;
  int64_t min_width = 0;
  int64_t max_new_tokens = 128;
  std::vector<std::string> stop;  // stop strings: the text ends before the first one
  int threads = 0;                // torch intra-op threads; 0: all cores
  // Whether prompt i is no longer wanted (optional; called after each of its tokens): it then
  // finishes, with finish "cancelled", and the other prompts go on as they would have. The call
  // ends when every prompt has finished.
  std::function<bool(size_t)> cancelled;
};

struct TextResult {
  std::string text;
  std::string finish;  // "length", "eos", "stop" or "cancelled"
  int64_t prompt_tokens = 0;
  int64_t new_tokens = 0;
};

class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  // Generates for every prompt in one batch. `on_text(i, piece)` (optional) receives the text of
  // prompt i as it is decoded.
  virtual std::vector<TextResult> generate(
      const std::vector<std::string>& prompts, const TextOptions& o,
      const std::function<void(size_t, std::string_view)>& on_text = nullptr) = 0;
  virtual std::string describe() const = 0;  // "llama, 0.8M parameters, 4 layers, vocab 320"
  // The model's tokenizer (its chat format formats `messages` prompts).
  virtual const Tokenizer& tokenizer() const = 0;
};

// Loads a model directory. The torch runtime is a plugin (librft_model_torch.so, next to the
// `rft` binary or on the library path) loaded on first use, so that commands which do not run a
// model do not pay for loading torch.
Expected<std::unique_ptr<TextGenerator>> load_text_generator(const std::string& model_dir);

// Writes a small random model of rft's built-in family into `dir` in the Hugging Face layout: a
// byte-level tokenizer (256 bytes and <|endoftext|>, <|im_start|>, <|im_end|>), config.json and
// model.safetensors. `size`: "tiny" (about 1M parameters) or "small" (about 25M).
Expected<std::string> write_builtin_model(const std::string& dir, std::string_view size,
                                          uint64_t seed);

// The plugin's table (implemented in generate.cc, looked up by text_generator.cc).
struct ModelPlugin {
  Expected<std::unique_ptr<TextGenerator>> (*load)(const std::string& model_dir);
  Expected<std::string> (*write_builtin_model)(const std::string& dir, std::string_view size,
                                               uint64_t seed);
};
// The address of `symbol` in the plugin (loading it on first use).
Expected<void*> model_plugin_symbol(const char* symbol);

inline constexpr const char* kModelPluginSymbol = "rft_model_plugin";
inline constexpr const char* kModelPluginFile = "librft_model_torch.so";

}  // namespace rft::model
