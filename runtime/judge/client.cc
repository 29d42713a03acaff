#include "runtime/judge/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace rft::judge {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    // With CURLOPT_NOSIGNAL (needed from many threads) libcurl no longer shields the process from
    // SIGPIPE, and a judge server that dies mid-request must not kill the grading run.
    struct sigaction old {};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
      std::signal(SIGPIPE, SIG_IGN);
    }
  });
}

struct BodySink {
  std::string* body;
  size_t cap;
  bool over = false;
};

// Returning less than it was given makes curl stop the transfer (CURLE_WRITE_ERROR).
size_t append_body(char* data, size_t size, size_t n, void* out) {
  auto* sink = static_cast<BodySink*>(out);
  if (sink->body->size() + size * n > sink->cap) {
    sink->over = true;
    return 0;
  }
  sink->body->append(data, size * n);
  return size * n;
}

std::string byte_size(size_t n) {
  if (n % (1u << 20) == 0) return std::to_string(n >> 20) + " MiB";
  if (n % (1u << 10) == 0) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " bytes";
}

bool retryable_status(long status) {
  return status == 429 || status >= 500;
}

}  // namespace

struct Client::Attempt {
  bool transport_ok = false;
  long status = 0;
  double retry_after_s = 0;  // what a 429 or 503 asked for
  std::string body;
  std::string error;
  bool too_large = false;  // the body passed max_reply_bytes: not worth a retry
};

Client::Client(ClientOptions options) : options_(std::move(options)), rng_(std::random_device{}()) {
  init_curl_once();
  options_.concurrency = std::max(1, options_.concurrency);
  url_ = options_.endpoint;
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  url_ += "/chat/completions";
}

Client::~Client() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

long Client::requests_sent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_;
}

void* Client::acquire_handle() {
  std::unique_lock<std::mutex> lock(mu_);
  slot_free_.wait(lock, [&] { return in_flight_ < options_.concurrency; });
  ++in_flight_;
  if (!idle_.empty()) {
    void* h = idle_.back();
    idle_.pop_back();
    return h;
  }
  lock.unlock();
  return curl_easy_init();
}

void Client::release_handle(void* h) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (h != nullptr) idle_.push_back(h);
    --in_flight_;
  }
  slot_free_.notify_one();
}

// Requests are spaced evenly, 60/rpm seconds apart, so a burst of samples never exceeds the
// endpoint's per-minute quota.
void Client::wait_for_rate() {
  if (options_.rpm <= 0) return;
  auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(60.0 / options_.rpm));
  std::chrono::steady_clock::time_point start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start = std::max(std::chrono::steady_clock::now(), next_start_);
    next_start_ = start + gap;
  }
  std::this_thread::sleep_until(start);
}

Client::Attempt Client::attempt(const std::string& body, const ChatRequest& request) {
  Attempt a;
  wait_for_rate();
  CURL* h = static_cast<CURL*>(acquire_handle());
  if (h == nullptr) {
    release_handle(nullptr);
    a.error = "cannot create an HTTP handle";
    return a;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++sent_;
  }
  curl_easy_reset(h);  // keeps the connection cache
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::string auth;
  if (!request.api_key.empty()) {
    auth = "Authorization: Bearer " + request.api_key;
    headers = curl_slist_append(headers, auth.c_str());
  }
  char curl_error[CURL_ERROR_SIZE] = "";
  long timeout_ms = std::max(1L, std::lround(request.timeout_s * 1000));
  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
  BodySink sink{&a.body, options_.max_reply_bytes};
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
  // Redirects could lead to an endpoint nobody allowed.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  std::fill(auth.begin(), auth.end(), '\0');
  if (rc == CURLE_OK) {
    a.transport_ok = true;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK) {
      a.retry_after_s = static_cast<double>(retry_after);
    }
  } else if (sink.over) {
    a.too_large = true;
    a.body.clear();
    a.error = "the reply is larger than " + byte_size(options_.max_reply_bytes);
  } else {
    a.error = rc == CURLE_OPERATION_TIMEDOUT
                  ? "timed out after " + std::to_string(timeout_ms) + " ms"
                  : (curl_error[0] != '\0' ? std::string(curl_error) : curl_easy_strerror(rc));
  }
  // A handle whose transfer failed may hold a broken connection: start the next one afresh.
  if (rc != CURLE_OK) {
    curl_easy_cleanup(h);
    h = nullptr;
  }
  release_handle(h);
  return a;
}

ChatReply Client::chat(const ChatRequest& request) {
  nlohmann::json body = {{"model", request.model}, {"temperature", request.temperature}};
  nlohmann::json messages = nlohmann::json::array();
  if (!request.system.empty())
    messages.push_back({{"role", "system"}, {"content", request.system}});
  messages.push_back({{"role", "user"}, {"content", request.prompt}});
  body["messages"] = std::move(messages);
  if (request.max_tokens > 0) body["max_tokens"] = request.max_tokens;
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  ChatReply reply;
  int attempts = 1 + std::max(0, request.retries);
  double asked_wait_s = 0;
  for (int n = 0; n < attempts; ++n) {
    if (n > 0) {
      double delay =
          std::min(options_.backoff_base_s * std::pow(2.0, n - 1), options_.backoff_max_s);
      double jitter;
      {
        std::lock_guard<std::mutex> lock(mu_);
        jitter = std::uniform_real_distribution<double>(0.5, 1.0)(rng_);
      }
      // A server's Retry-After is honoured, up to a minute.
      double wait = std::max(delay * jitter, std::min(asked_wait_s, 60.0));
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
    Attempt a = attempt(text, request);
    asked_wait_s = a.retry_after_s;
    reply.attempts = n + 1;
    if (!a.transport_ok) {
      reply.error = a.error;
      if (a.too_large) break;
      continue;
    }
    if (a.status != 200) {
      reply.error = "HTTP " + std::to_string(a.status);
      if (retryable_status(a.status)) continue;
      break;  // 4xx other than 429: asking again will not help
    }
    nlohmann::json j = nlohmann::json::parse(a.body, nullptr, false);
    const nlohmann::json* content = nullptr;
    if (j.is_object() && j.contains("choices") && j["choices"].is_array() &&
        !j["choices"].empty()) {
      const nlohmann::json& c = j["choices"][0];
      if (c.is_object() && c.contains("message") && c["message"].is_object()) {
        auto it = c["message"].find("content");
        if (it != c["message"].end() && it->is_string()) content = &*it;
      }
    }
    if (content == nullptr) {
      reply.error = "the endpoint's answer has no choices[0].message.content";
      break;
    }
    reply.ok = true;
    reply.text = content->get<std::string>();
    reply.error.clear();
    return reply;
  }
  reply.error +=
      " (" + std::to_string(reply.attempts) + (reply.attempts == 1 ? " attempt)" : " attempts)");
  return reply;
}

}  // namespace rft::judge
