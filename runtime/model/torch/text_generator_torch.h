// The torch side of runtime/model/text_generator.h: what the model plugin's table
// (runtime/train/torch/plugin.cc) points to.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/model/text_generator.h"

namespace rft::model {

// Loads a model directory (config.json, safetensors, tokenizer.json) as a TextGenerator.
Expected<std::unique_ptr<TextGenerator>> load_torch_text_generator(const std::string& model_dir);

// Writes a small random model of rft's built-in family (see write_builtin_model).
Expected<std::string> write_builtin_model_torch(const std::string& dir, std::string_view size,
                                                uint64_t seed);

}  // namespace rft::model
