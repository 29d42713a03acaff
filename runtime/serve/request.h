// The requests of the OpenAI API that rft serves, parsed and checked: /v1/chat/completions and
// /v1/completions bodies become model-ready prompts and sampling options, or an ApiError that
// names the offending field the way the OpenAI API does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/model/text_generator.h"
#include "runtime/model/tokenizer.h"
#include "runtime/serve/api_error.h"

namespace rft::serve {

enum class Endpoint { kChat, kCompletions };

struct RequestLimits {
  int64_t default_max_tokens = 256;  // when the request gives no max_tokens
  int64_t max_tokens = 32768;        // the largest max_tokens a request may ask for
  size_t max_prompts = 64;           // /v1/completions: prompts in one request
};

struct GenerationRequest {
  Endpoint endpoint = Endpoint::kChat;
  std::string model;  // as the request names it; empty when absent
  // The text the model continues: one chat conversation in the model's chat format, ending with
  // the assistant's header; or each /v1/completions prompt as given.
  std::vector<std::string> prompts;
  model::TextOptions options;
  bool max_tokens_given = false;  // max_tokens (or max_completion_tokens) was in the request
  bool seeded = false;            // the request gave a seed, so its samples must repeat
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage: a last chunk with the usage
};

// Parses and checks a request body for `endpoint`. Chat messages are formatted with the
// tokenizer's chat format (an error when the model has none that rft knows). Unknown fields are
// ignored, as OpenAI-compatible servers do; known ones that rft cannot honour (n > 1, logprobs,
// penalties, tools) are errors rather than silently dropped.
Expected<GenerationRequest, ApiError> parse_request(Endpoint endpoint, std::string_view body,
                                                    const model::Tokenizer& tokenizer,
                                                    const RequestLimits& limits);

// Fits a parsed request to a model that sees `context_length` tokens at most (0: no limit):
// every prompt, as `tokenizer` encodes it for the model, and its new tokens must fit. A request
// that gave no max_tokens gets as many new tokens as fit after its longest prompt, up to the
// default; one that did and does not fit, or whose prompt alone leaves no room for a new token,
// gets an error (code "context_length_exceeded", naming the numbers).
Expected<void, ApiError> fit_context(GenerationRequest& r, const model::Tokenizer& tokenizer,
                                     int64_t context_length);

}  // namespace rft::serve
