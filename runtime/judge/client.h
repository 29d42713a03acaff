// An HTTP client for one OpenAI-compatible endpoint (POST {endpoint}/chat/completions), shared
// by every judge and grading thread that sends there: it reuses connections, keeps at most
// `concurrency` requests in flight, spaces requests to stay under `rpm`, and retries 429, 5xx and
// transport errors with exponential backoff and jitter. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace rft::judge {

struct ClientOptions {
  std::string endpoint;  // base URL, e.g. http://127.0.0.1:8000/v1
  int concurrency = 8;   // requests in flight at most (>= 1)
  double rpm = 0;        // requests started per minute at most; 0: no limit
  // Backoff before retry n (0-based): uniform in [0.5, 1] x min(base * 2^n, max).
  double backoff_base_s = 0.5;
  double backoff_max_s = 8;
  // A reply body longer than this is cut off and that call fails ("the reply is larger than
  // ..."), without a retry: a judge cannot make the grader hold gigabytes.
  size_t max_reply_bytes = 8u << 20;
};

struct ChatRequest {
  std::string model;
  std::string system;  // empty: none
  std::string prompt;
  double temperature = 0;
  int max_tokens = 0;   // 0: not sent
  std::string api_key;  // empty: no Authorization header; never logged
  double timeout_s = 60;
  int retries = 3;
};

struct ChatReply {
  bool ok = false;
  std::string text;   // the first choice's message content
  std::string error;  // when !ok: what went wrong, without the key or the prompt
  int attempts = 0;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Blocks until the reply, or until the last retry failed.
  ChatReply chat(const ChatRequest& request);
  // Attempts sent so far, retries included.
  long requests_sent() const;
  int concurrency() const { return options_.concurrency; }

 private:
  struct Attempt;
  Attempt attempt(const std::string& body, const ChatRequest& request);
  void wait_for_rate();
  void* acquire_handle();
  void release_handle(void* h);

  ClientOptions options_;
  std::string url_;
  mutable std::mutex mu_;
  std::condition_variable slot_free_;
  int in_flight_ = 0;
  long sent_ = 0;
  std::chrono::steady_clock::time_point next_start_{};
  std::vector<void*> idle_;  // CURL easy handles: each keeps its connections open for reuse
  std::mt19937_64 rng_;
};

}  // namespace rft::judge
