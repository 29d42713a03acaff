// What the judge client needs to know about one `judge` declaration, with every setting
// evaluated (docs/language.md "Judges"). Plain data: the compiler fills it, the client reads it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rft::judge {

// The endpoint a judge without `endpoint` sends to: a server on this machine.
inline constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8000/v1";

struct JudgeSpec {
  std::string name;
  std::string endpoint = kDefaultEndpoint;  // base URL of an OpenAI-compatible API
  std::string model;
  std::string system;       // empty: no system message
  std::string api_key_env;  // empty: no Authorization header
  double temperature = 0;   // 0 keeps a judge as repeatable as the server allows
  int max_tokens = 0;       // 0: the server's default
  double timeout_s = 60;    // per attempt
  int retries = 3;          // after the first attempt, on 429, 5xx and transport errors
  double rpm = 0;           // requests per minute per endpoint; 0: no limit
  int concurrency = 8;      // requests in flight per endpoint
  // How the reply is read.
  double scale_lo = 0, scale_hi = 1;
  std::vector<std::pair<std::string, double>> labels;  // non-empty: the reply is a label
  std::string json_field;                              // non-empty: the reply is JSON
  // A group judge reads the completions of samples that share its rendered prompt in one
  // request (the template's {completions}): "rank" orders them, "score" scores each one on the
  // scale or with the labels. Empty: the judge scores one completion per request.
  std::string group;
  int max_group = 16;  // the most completions in one request; a larger group is split
};

}  // namespace rft::judge
