#include "runtime/judge/provider.h"

#include <algorithm>
#include <cstdlib>

#include "runtime/judge/endpoint.h"
#include "runtime/judge/group.h"
#include "runtime/judge/reply.h"

namespace rft::judge {

namespace {
thread_local JudgeTranscript* t_transcript = nullptr;

void record(const std::string& judge, const std::string& prompt, std::string_view reply,
            const std::string& error, bool cached) {
  if (t_transcript == nullptr) return;
  t_transcript->exchanges.push_back({judge, prompt, std::string(reply), error, cached});
}
}  // namespace

JudgeTranscript::JudgeTranscript() : outer_(t_transcript) {
  t_transcript = this;
}
JudgeTranscript::~JudgeTranscript() {
  t_transcript = outer_;
}
JudgeTranscript* JudgeTranscript::current() {
  return t_transcript;
}

Expected<std::unique_ptr<JudgeService>> JudgeService::create(std::vector<JudgeSpec> judges,
                                                             const ServiceOptions& options) {
  std::unique_ptr<JudgeService> s(new JudgeService());
  // Governance first: a refused endpoint stops the run before any sample is graded.
  for (const JudgeSpec& spec : judges) {
    if (std::string why =
            endpoint_refusal(spec.endpoint, options.allowed_endpoints, options.allow_how);
        !why.empty()) {
      return failure("judge `" + spec.name + "`: endpoint " + why);
    }
  }
  for (JudgeSpec& spec : judges) {
    auto j = std::make_unique<Judge>();
    if (!spec.api_key_env.empty()) {
      const char* key = std::getenv(spec.api_key_env.c_str());
      if (key == nullptr || *key == '\0') {
        return failure("judge `" + spec.name + "` reads its API key from $" + spec.api_key_env +
                       ", which is not set");
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
  if (GroupRound* round = GroupRound::current()) return round->score(name, prompt);
  return score_one(name, prompt);
}

bool JudgeService::is_group(std::string_view name) const {
  auto it = judges_.find(name);
  return it != judges_.end() && !it->second->spec.group.empty();
}

int JudgeService::max_group(std::string_view name) const {
  auto it = judges_.find(name);
  return it == judges_.end() ? 1 : std::max(1, it->second->spec.max_group);
}

bool JudgeService::ask(Judge& j, const std::string& prompt,
                       const std::function<bool(std::string_view, std::string*)>& read) {
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
  ++j.asked;
  if (cache_) {
    if (std::optional<std::string> text = cache_->get(j.spec.endpoint, request)) {
      ++hits_;
      const bool ok = read(*text, &why);
      record(j.spec.name, prompt, *text, ok ? "" : why, true);
      if (ok) return true;
      fail(j, why);
      return false;
    }
  }
  ++misses_;
  ChatReply reply = j.client->chat(request);
  if (!reply.ok) {
    record(j.spec.name, prompt, "", j.spec.endpoint + ": " + reply.error, false);
    fail(j, j.spec.endpoint + ": " + reply.error);
    return false;
  }
  const bool ok = read(reply.text, &why);
  record(j.spec.name, prompt, reply.text, ok ? "" : why, false);
  if (!ok) {
    fail(j, why);
    return false;
  }
  // Only usable answers are kept: an unreadable one may read well when asked again.
  if (cache_) cache_->put(j.spec.endpoint, request, reply.text);
  return true;
}

std::optional<double> JudgeService::score_one(std::string_view name, const std::string& prompt) {
  ++calls_;
  auto it = judges_.find(name);
  if (it == judges_.end()) {
    ++errors_;
    return std::nullopt;
  }
  Judge& j = *it->second;
  std::optional<double> x;
  ask(j, prompt, [&](std::string_view reply, std::string* why) {
    x = parse_reply(j.spec, reply, why);
    return x.has_value();
  });
  return x;
}

std::vector<std::optional<double>> JudgeService::score_group(
    std::string_view name, const std::string& prompt,
    const std::vector<std::string_view>& completions) {
  const size_t n = completions.size();
  calls_ += static_cast<long>(n);
  std::vector<std::optional<double>> out(n);
  auto it = judges_.find(name);
  if (it == judges_.end() || n == 0) {
    errors_ += static_cast<long>(n);
    return out;
  }
  Judge& j = *it->second;
  // A lone completion has nothing to be ranked against: it is in the middle, unasked.
  if (j.spec.group == "rank" && n == 1) {
    out[0] = 0.5;
    return out;
  }
  std::string list = render_completions(completions);
  std::string full;
  for (char c : prompt) {
    if (c == kCompletionsMark) {
      full += list;
    } else {
      full += c;
    }
  }
  bool ok = ask(j, full, [&](std::string_view reply, std::string* why) {
    std::optional<std::vector<double>> scores = parse_group_reply(j.spec, reply, n, why);
    if (!scores) return false;
    for (size_t k = 0; k < n; ++k) out[k] = (*scores)[k];
    return true;
  });
  // One failed request leaves each of its completions with on_error.
  if (!ok) errors_ += static_cast<long>(n) - 1;
  return out;
}

JudgeCounters JudgeService::counters() const {
  return {calls_.load(), hits_.load(), misses_.load(), errors_.load()};
}

std::vector<JudgeTally> JudgeService::tallies() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JudgeTally> out;
  for (const auto& [name, j] : judges_) {
    out.push_back({name, j->asked.load(), j->errors.load(), j->first_error});
  }
  return out;
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
