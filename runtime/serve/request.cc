#include "runtime/serve/request.h"

#include <algorithm>
#include <cmath>

namespace rft::serve {
namespace {

using Json = nlohmann::json;

Unexpected<ApiError> invalid(std::string param, std::string message, std::string code) {
  ApiError e;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return failure(std::move(e));
}

std::string json_type_name(const Json& j) {
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
  if (j.is_number()) return "a decimal";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "null";
}

Unexpected<ApiError> wrong_type(const std::string& param, const std::string& expected,
                                const Json& got) {
  return invalid(param,
                 "Invalid type for '" + param + "': expected " + expected + ", but got " +
                     json_type_name(got) + " instead.",
                 "invalid_type");
}

Unexpected<ApiError> unsupported(const std::string& param, const std::string& why) {
  return invalid(param, "Unsupported parameter: '" + param + "' " + why, "unsupported_parameter");
}

std::string number_text(double v) {
  Json j = v;
  if (v == std::floor(v) && std::fabs(v) < 1e15) j = static_cast<int64_t>(v);
  return j.dump();
}

// A present, non-null field of `body`, or null.
const Json* field(const Json& body, const char* name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

// Reads a number field into `out` when present; checks its range.
Expected<void, ApiError> read_decimal(const Json& body, const char* name, double lo, double hi,
                                      double& out) {
  const Json* v = field(body, name);
  if (!v) return {};
  if (!v->is_number()) return wrong_type(name, "a decimal", *v);
  double x = v->get<double>();
  if (x < lo) {
    return invalid(name,
                   std::string("Invalid '") + name +
                       "': decimal below minimum value. Expected a value >= " + number_text(lo) +
                       ", but got " + number_text(x) + " instead.",
                   "decimal_below_min_value");
  }
  if (x > hi) {
    return invalid(name,
                   std::string("Invalid '") + name +
                       "': decimal above maximum value. Expected a value <= " + number_text(hi) +
                       ", but got " + number_text(x) + " instead.",
                   "decimal_above_max_value");
  }
  out = x;
  return {};
}

Expected<void, ApiError> read_integer(const Json& body, const char* name, int64_t lo, int64_t hi,
                                      int64_t& out) {
  const Json* v = field(body, name);
  if (!v) return {};
  if (!v->is_number_integer() && !v->is_number_unsigned())
    return wrong_type(name, "an integer", *v);
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return invalid(name, std::string("Invalid '") + name + "': integer too large.",
                   "integer_above_max_value");
  }
  int64_t x = v->get<int64_t>();
  if (x < lo) {
    return invalid(name,
                   std::string("Invalid '") + name +
                       "': integer below minimum value. Expected a value >= " + std::to_string(lo) +
                       ", but got " + std::to_string(x) + " instead.",
                   "integer_below_min_value");
  }
  if (x > hi) {
    return invalid(name,
                   std::string("Invalid '") + name +
                       "': integer above maximum value. Expected a value <= " + std::to_string(hi) +
                       ", but got " + std::to_string(x) + " instead.",
                   "integer_above_max_value");
  }
  out = x;
  return {};
}

Expected<void, ApiError> read_bool(const Json& body, const char* name, bool& out) {
  const Json* v = field(body, name);
  if (!v) return {};
  if (!v->is_boolean()) return wrong_type(name, "a boolean", *v);
  out = v->get<bool>();
  return {};
}

// `stop`: a string or an array of at most 4 strings, as in the OpenAI API.
Expected<void, ApiError> read_stop(const Json& body, std::vector<std::string>& out) {
  const Json* v = field(body, "stop");
  if (!v) return {};
  if (v->is_string()) {
    if (!v->get_ref<const std::string&>().empty()) out.push_back(v->get<std::string>());
    return {};
  }
  if (!v->is_array()) return wrong_type("stop", "a string or an array of strings", *v);
  if (v->size() > 4) {
    return invalid("stop",
                   "Invalid 'stop': array too long. Expected an array with maximum length 4, but "
                   "got an array with length " +
                       std::to_string(v->size()) + " instead.",
                   "array_above_max_length");
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& s = (*v)[i];
    if (!s.is_string()) return wrong_type("stop[" + std::to_string(i) + "]", "a string", s);
    if (!s.get_ref<const std::string&>().empty()) out.push_back(s.get<std::string>());
  }
  return {};
}

// The sampling fields both endpoints share.
Expected<void, ApiError> read_sampling(const Json& body, Endpoint endpoint,
                                       const RequestLimits& limits, GenerationRequest& r) {
  model::TextOptions& o = r.options;
  o.temperature = 1.0;
  o.max_new_tokens = limits.default_max_tokens;
  if (auto e = read_decimal(body, "temperature", 0, 2, o.temperature); !e) return e;
  if (auto e = read_decimal(body, "top_p", 0, 1, o.top_p); !e) return e;
  int64_t top_k = 0;
  if (auto e = read_integer(body, "top_k", -1, INT64_MAX, top_k); !e) return e;
  o.top_k = top_k < 0 ? 0 : top_k;  // -1 means "all tokens", as in vLLM
  if (auto e = read_integer(body, "max_tokens", 1, limits.max_tokens, o.max_new_tokens); !e)
    return e;
  r.max_tokens_given = field(body, "max_tokens") != nullptr;
  if (endpoint == Endpoint::kChat) {
    if (auto e =
            read_integer(body, "max_completion_tokens", 1, limits.max_tokens, o.max_new_tokens);
        !e) {
      return e;
    }
    r.max_tokens_given = r.max_tokens_given || field(body, "max_completion_tokens") != nullptr;
  }
  int64_t seed = 0;
  if (field(body, "seed")) {
    if (auto e = read_integer(body, "seed", INT64_MIN, INT64_MAX, seed); !e) return e;
    o.seed = static_cast<uint64_t>(seed);
    r.seeded = true;
  }
  if (auto e = read_stop(body, o.stop); !e) return e;

  int64_t n = 1;
  if (auto e = read_integer(body, "n", 1, 128, n); !e) return e;
  if (n != 1) return unsupported("n", "must be 1: this server returns one choice per prompt.");
  for (const char* penalty : {"presence_penalty", "frequency_penalty"}) {
    double p = 0;
    if (auto e = read_decimal(body, penalty, -2, 2, p); !e) return e;
    if (p != 0) return unsupported(penalty, "is not supported by this server; leave it at 0.");
  }
  if (const Json* lp = field(body, "logprobs"); lp && !(lp->is_boolean() && !lp->get<bool>())) {
    return unsupported("logprobs", "is not supported by this server.");
  }
  if (field(body, "top_logprobs"))
    return unsupported("top_logprobs", "is not supported by this server.");

  if (auto e = read_bool(body, "stream", r.stream); !e) return e;
  if (const Json* so = field(body, "stream_options")) {
    if (!r.stream) {
      return invalid("stream_options",
                     "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                     "invalid_value");
    }
    if (!so->is_object()) return wrong_type("stream_options", "an object", *so);
    if (auto e = read_bool(*so, "include_usage", r.include_usage); !e) {
      e.error().param = "stream_options.include_usage";
      return e;
    }
  }
  return {};
}

// A message's content: a string, or an array of text parts joined.
Expected<void, ApiError> read_content(const Json& m, const std::string& where, std::string& out) {
  auto it = m.find("content");
  if (it == m.end() || it->is_null()) return {};  // e.g. an assistant turn with tool calls
  if (it->is_string()) {
    out = it->get<std::string>();
    return {};
  }
  if (!it->is_array())
    return wrong_type(where + ".content", "a string or an array of content parts", *it);
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& part = (*it)[i];
    std::string at = where + ".content[" + std::to_string(i) + "]";
    if (!part.is_object()) return wrong_type(at, "an object", part);
    auto type = part.find("type");
    if (type == part.end() || !type->is_string() || *type != "text") {
      return invalid(at + ".type", "Only text content parts are supported (type \"text\").",
                     "invalid_value");
    }
    auto text = part.find("text");
    if (text == part.end() || !text->is_string()) {
      return invalid(at + ".text", "Missing required parameter: '" + at + ".text'.",
                     "missing_required_parameter");
    }
    out += text->get<std::string>();
  }
  return {};
}

Expected<void, ApiError> read_chat(const Json& body, const model::Tokenizer& tokenizer,
                                   GenerationRequest& r) {
  const Json* messages = field(body, "messages");
  if (!messages) {
    return invalid("messages", "Missing required parameter: 'messages'.",
                   "missing_required_parameter");
  }
  if (!messages->is_array()) return wrong_type("messages", "an array", *messages);
  if (messages->empty()) {
    return invalid("messages",
                   "Invalid 'messages': empty array. Expected an array with minimum length 1, but "
                   "got an empty array instead.",
                   "empty_array");
  }
  std::vector<model::ChatMessage> chat;
  for (size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return wrong_type(where, "an object", m);
    auto role = m.find("role");
    if (role == m.end() || role->is_null()) {
      return invalid(where + ".role", "Missing required parameter: '" + where + ".role'.",
                     "missing_required_parameter");
    }
    if (!role->is_string()) return wrong_type(where + ".role", "a string", *role);
    std::string name = role->get<std::string>();
    if (name == "developer") name = "system";  // the newer name of the system role
    if (name != "system" && name != "user" && name != "assistant" && name != "tool") {
      return invalid(
          where + ".role",
          "Invalid value: '" + role->get<std::string>() +
              "'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.",
          "invalid_value");
    }
    model::ChatMessage message{name, {}};
    if (auto e = read_content(m, where, message.content); !e) return e;
    chat.push_back(std::move(message));
  }
  if (const Json* tools = field(body, "tools"); tools && !(tools->is_array() && tools->empty())) {
    return unsupported("tools", "is not supported by this server.");
  }
  if (const Json* rf = field(body, "response_format")) {
    if (!rf->is_object() || rf->value("type", "") != "text") {
      return unsupported("response_format",
                         "is not supported by this server (only {\"type\": \"text\"}).");
    }
  }
  model::ChatOptions options;
  // Qwen3's switch, in the form vLLM and SGLang accept.
  if (const Json* kwargs = field(body, "chat_template_kwargs")) {
    if (!kwargs->is_object()) return wrong_type("chat_template_kwargs", "an object", *kwargs);
    if (auto e = read_bool(*kwargs, "enable_thinking", options.enable_thinking); !e) {
      e.error().param = "chat_template_kwargs.enable_thinking";
      return e;
    }
  }
  Expected<std::string> text = tokenizer.apply_chat_template(chat, options);
  if (!text.ok()) {
    return invalid("messages",
                   "This model has no chat format that rft knows (" + text.error() +
                       "); send plain text to /v1/completions instead.",
                   "model_has_no_chat_format");
  }
  r.prompts.push_back(std::move(text).value());
  return {};
}

Expected<void, ApiError> read_completion(const Json& body, const RequestLimits& limits,
                                         GenerationRequest& r) {
  const Json* prompt = field(body, "prompt");
  if (!prompt) {
    return invalid("prompt", "Missing required parameter: 'prompt'.", "missing_required_parameter");
  }
  if (prompt->is_string()) {
    r.prompts.push_back(prompt->get<std::string>());
  } else if (prompt->is_array()) {
    if (prompt->empty()) {
      return invalid("prompt", "Invalid 'prompt': empty array.", "empty_array");
    }
    if (prompt->size() > limits.max_prompts) {
      return invalid("prompt",
                     "Invalid 'prompt': at most " + std::to_string(limits.max_prompts) +
                         " prompts per request.",
                     "array_above_max_length");
    }
    for (size_t i = 0; i < prompt->size(); ++i) {
      const Json& p = (*prompt)[i];
      if (!p.is_string()) {
        return unsupported("prompt[" + std::to_string(i) + "]",
                           "must be a string: prompts as token ids are not supported.");
      }
      r.prompts.push_back(p.get<std::string>());
    }
  } else {
    return wrong_type("prompt", "a string or an array of strings", *prompt);
  }
  bool echo = false;
  if (auto e = read_bool(body, "echo", echo); !e) return e;
  if (echo) return unsupported("echo", "is not supported by this server.");
  if (const Json* suffix = field(body, "suffix");
      suffix && !(suffix->is_string() && suffix->get<std::string>().empty())) {
    return unsupported("suffix", "is not supported by this server.");
  }
  int64_t best_of = 1;
  if (auto e = read_integer(body, "best_of", 1, 128, best_of); !e) return e;
  if (best_of != 1) return unsupported("best_of", "must be 1.");
  return {};
}

}  // namespace

Expected<GenerationRequest, ApiError> parse_request(Endpoint endpoint, std::string_view body,
                                                    const model::Tokenizer& tokenizer,
                                                    const RequestLimits& limits) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ApiError e;
    e.message =
        "We could not parse the JSON body of your request. The body must be a JSON object; "
        "check that it is valid JSON and that the Content-Type is application/json.";
    return failure(std::move(e));
  }
  if (!j.is_object()) {
    ApiError e;
    e.message =
        "The body of your request must be a JSON object, but got " + json_type_name(j) + ".";
    return failure(std::move(e));
  }
  GenerationRequest r;
  r.endpoint = endpoint;
  if (const Json* m = field(j, "model")) {
    if (!m->is_string()) return wrong_type("model", "a string", *m);
    r.model = m->get<std::string>();
  }
  if (auto e = read_sampling(j, endpoint, limits, r); !e) return failure(std::move(e).error());
  Expected<void, ApiError> e =
      endpoint == Endpoint::kChat ? read_chat(j, tokenizer, r) : read_completion(j, limits, r);
  if (!e) return failure(std::move(e).error());
  return r;
}

Expected<void, ApiError> fit_context(GenerationRequest& r, const model::Tokenizer& tokenizer,
                                     int64_t context_length) {
  if (context_length <= 0) return {};
  // The longest prompt in tokens, counted as the model will see it (an empty prompt is one token).
  size_t longest = 0;
  int64_t prompt_tokens = 0;
  for (size_t i = 0; i < r.prompts.size(); ++i) {
    const int64_t n =
        std::max<int64_t>(1, static_cast<int64_t>(tokenizer.encode_prompt(r.prompts[i]).size()));
    if (n > prompt_tokens) {
      longest = i;
      prompt_tokens = n;
    }
  }
  const bool chat = r.endpoint == Endpoint::kChat;
  const std::string param = chat ? "messages" : "prompt";
  const std::string prompt = chat                   ? "the messages"
                             : r.prompts.size() > 1 ? "prompt[" + std::to_string(longest) + "]"
                                                    : "the prompt";
  const std::string limit = "This model's maximum context length is " +
                            std::to_string(context_length) + " tokens. However, ";
  const int64_t room = context_length - prompt_tokens;
  if (room < 1) {
    return invalid(param,
                   limit + prompt + " resulted in " + std::to_string(prompt_tokens) + " tokens" +
                       (room == 0 ? ", which leaves no room for the completion" : "") +
                       ". Please reduce the length of " + prompt + ".",
                   "context_length_exceeded");
  }
  int64_t& max_new_tokens = r.options.max_new_tokens;
  if (max_new_tokens <= room) return {};
  if (!r.max_tokens_given) {
    max_new_tokens = room;
    return {};
  }
  return invalid(param,
                 limit + "you requested " + std::to_string(prompt_tokens + max_new_tokens) +
                     " tokens (" + std::to_string(prompt_tokens) + " in " + prompt + ", " +
                     std::to_string(max_new_tokens) +
                     " in the completion). Please reduce the length of " + prompt +
                     " or the completion (max_tokens).",
                 "context_length_exceeded");
}

}  // namespace rft::serve
