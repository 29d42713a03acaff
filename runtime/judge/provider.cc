#include "runtime/judge/provider.h"

#include <algorithm>
#include <cstdlib>

#include "runtime/judge/endpoint.h"
#include "runtime/judge/reply.h"

namespace rft::judge {

std::unique_ptr<JudgeService> JudgeService::create(std::vector<JudgeSpec> judges,
                                                   const ServiceOptions& options,
                                                   std::string* error) {
  std::unique_ptr<JudgeService> s(new JudgeService());
  // Governance first: a refused endpoint stops the run before any sample is graded.
  for (const JudgeSpec& spec : judges) {
    if (std::string why =
            endpoint_refusal(spec.endpoint, options.allowed_endpoints, options.allow_how);
        !why.empty()) {
      *error = "judge `" + spec.name + "`: endpoint " + why;
      return nullptr;
    }
  }
  for (JudgeSpec& spec : judges) {
    auto j = std::make_unique<Judge>();
    if (!spec.api_key_env.empty()) {
      const char* key = std::getenv(spec.api_key_env.c_str());
      if (key == nullptr || *key == '\0') {
        *error = "judge `" + spec.name + "` reads its API key from $" + spec.api_key_env +
                 ", which is not set";
        return nullptr;
      }
      j->api_key = key;
    }
    std::string endpoint = spec.endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    std::unique_ptr<Client>& client = s->clients_[endpoint];
    if (!client) {
      // Judges that share an endpoint share its limits: the strictest one applies.
      ClientOptions co;
      co.endpoint = endpoint;
      co.concurrency = spec.concurrency;
      co.rpm = spec.rpm;
      co.backoff_base_s = options.backoff_base_s;
      for (const JudgeSpec& other : judges) {
        std::string e = other.endpoint;
        while (!e.empty() && e.back() == '/') e.pop_back();
        if (e != endpoint) continue;
        co.concurrency = std::min(co.concurrency, other.concurrency);
        if (other.rpm > 0) co.rpm = co.rpm > 0 ? std::min(co.rpm, other.rpm) : other.rpm;
      }
      client = std::make_unique<Client>(co);
    }
    j->client = client.get();
    j->spec = std::move(spec);
    std::string name = j->spec.name;
    s->judges_[name] = std::move(j);
  }
  if (options.use_cache) {
    s->cache_.emplace(options.cache_dir.empty() ? default_cache_dir() : options.cache_dir);
  }
  return s;
}

void JudgeService::fail(Judge& j, const std::string& why) {
  ++errors_;
  if (j.errors++ == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    j.first_error = why;
  }
}

std::optional<double> JudgeService::score(std::string_view name, const std::string& prompt) {
  ++calls_;
  auto it = judges_.find(name);
  if (it == judges_.end()) {
    ++errors_;
    return std::nullopt;
  }
  Judge& j = *it->second;
  ChatRequest request;
  request.model = j.spec.model;
  request.system = j.spec.system;
  request.prompt = prompt;
  request.temperature = j.spec.temperature;
  request.max_tokens = j.spec.max_tokens;
  request.api_key = j.api_key;
  request.timeout_s = j.spec.timeout_s;
  request.retries = j.spec.retries;
  std::string why;
  if (cache_) {
    if (std::optional<std::string> text = cache_->get(j.spec.endpoint, request)) {
      ++hits_;
      std::optional<double> x = parse_reply(j.spec, *text, &why);
      if (!x) fail(j, why);
      return x;
    }
  }
  ++misses_;
  ChatReply reply = j.client->chat(request);
  if (!reply.ok) {
    fail(j, j.spec.endpoint + ": " + reply.error);
    return std::nullopt;
  }
  std::optional<double> x = parse_reply(j.spec, reply.text, &why);
  if (!x) {
    fail(j, why);
    return std::nullopt;
  }
  // Only usable answers are kept: an unreadable one may read well when asked again.
  if (cache_) cache_->put(j.spec.endpoint, request, reply.text);
  return x;
}

JudgeCounters JudgeService::counters() const {
  return {calls_.load(), hits_.load(), misses_.load(), errors_.load()};
}

std::vector<std::string> JudgeService::error_summary() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, j] : judges_) {
    long n = j->errors.load();
    if (n == 0) continue;
    out.push_back("judge `" + name + "`: " + std::to_string(n) + (n == 1 ? " error" : " errors") +
                  ", first: " + j->first_error);
  }
  return out;
}

int JudgeService::max_concurrency() const {
  int n = 0;
  for (const auto& [endpoint, c] : clients_) n += c->concurrency();
  return n;
}

}  // namespace rft::judge

extern "C" int rft_judge_service_callback(void* user, const char* judge, const char* prompt,
                                          uint64_t prompt_len, double* score) {
  auto* s = static_cast<rft::judge::JudgeService*>(user);
  std::optional<double> x = s->score(judge, std::string(prompt, prompt_len));
  if (!x) return 1;
  *score = *x;
  return 0;
}
