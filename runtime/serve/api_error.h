// An error as the OpenAI API reports it: the HTTP status and the body
// {"error": {"message", "type", "param", "code"}}, so that OpenAI clients show the message.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace rft::serve {

struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string param;  // the offending request field; empty: null
  std::string code;   // a stable machine-readable reason; empty: null

  nlohmann::ordered_json body() const {
    auto or_null = [](const std::string& s) {
      return s.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s);
    };
    return {{"error",
             {{"message", message},
              {"type", type},
              {"param", or_null(param)},
              {"code", or_null(code)}}}};
  }
};

}  // namespace rft::serve
