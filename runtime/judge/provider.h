// The judges of a grading run: one HTTP client per endpoint shared by every judge and thread,
// the reply cache, and counters. Graders call `score` (the interpreter, through an adapter) or
// `judge_callback` (compiled graders, set with rft_ctx_set_judge). Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/judge/cache.h"
#include "runtime/judge/client.h"
#include "runtime/judge/judge_spec.h"

namespace rft::judge {

struct ServiceOptions {
  // Endpoints beyond loopback that may receive data (see endpoint.h).
  std::vector<std::string> allowed_endpoints;
  // How the caller's user allows an endpoint, for the refusal: followed by the URL.
  std::string allow_how = "with --allow-endpoint";
  bool use_cache = true;
  std::string cache_dir;  // empty: default_cache_dir()
  double backoff_base_s = 0.5;
};

struct JudgeCounters {
  long calls = 0;       // scores asked for by graders
  long cache_hits = 0;  // answered from the cache
  long misses = 0;      // sent to an endpoint
  long errors = 0;      // no usable score: the judge's on_error was used
};

// One judge's work so far: requests made (or answered from the cache) and those without a
// usable score, with the first reason.
struct JudgeTally {
  std::string judge;
  long asked = 0;
  long failed = 0;
  std::string first_error;
};

// One request to a judge as it went: the rendered prompt and the raw reply (or what went wrong).
struct JudgeExchange {
  std::string judge;
  std::string prompt;
  std::string reply;  // the reply's text as the judge wrote it; empty when none came back
  std::string error;  // empty when the reply gave a usable score
  bool cached = false;
};

// While one is alive on a thread, every request that thread's grading makes to a judge is
// appended to it (rft explain --call-judges, rft grade --show-judges). Group judges' requests are
// made by the round, not by the sample's thread, and are not recorded.
class JudgeTranscript {
 public:
  JudgeTranscript();
  ~JudgeTranscript();
  JudgeTranscript(const JudgeTranscript&) = delete;
  JudgeTranscript& operator=(const JudgeTranscript&) = delete;
  std::vector<JudgeExchange> exchanges;
  static JudgeTranscript* current();

 private:
  JudgeTranscript* outer_;
};

class JudgeService {
 public:
  // Checks every judge's endpoint against the allowed ones and reads API keys from the
  // environment, before anything is sent. A failure names the variable, never its value.
  static Expected<std::unique_ptr<JudgeService>> create(std::vector<JudgeSpec> judges,
                                                        const ServiceOptions& options);

  // The normalized score of a rendered prompt, or nullopt when the judge gave no usable answer
  // (the caller uses the judge's on_error value and flags the sample). While a GroupRound
  // grades the calling thread's sample, the round answers (group.h).
  std::optional<double> score(std::string_view judge, const std::string& prompt);
  // Whether `judge` is a group judge, and the most completions it reads in one request.
  bool is_group(std::string_view judge) const;
  int max_group(std::string_view judge) const;
  // One request about several completions for a group judge: `prompt` holds kCompletionsMark
  // where they go. One score per completion, in order (nullopt: no usable answer). Counts a
  // call per completion.
  std::vector<std::optional<double>> score_group(std::string_view judge, const std::string& prompt,
                                                 const std::vector<std::string_view>& completions);

  JudgeCounters counters() const;
  // Per judge, in name order.
  std::vector<JudgeTally> tallies() const;
  // One line per judge that failed: how often and the first reason.
  std::vector<std::string> error_summary() const;
  // Requests that may be in flight at once over all endpoints: how many samples are worth
  // grading at the same time.
  int max_concurrency() const;

 private:
  struct Judge {
    JudgeSpec spec;
    std::string api_key;
    Client* client = nullptr;
    std::atomic<long> asked{0};
    std::atomic<long> errors{0};
    std::string first_error;  // guarded by mu_
  };
  friend class GroupRound;
  JudgeService() = default;
  void fail(Judge& j, const std::string& why);
  // score() for one completion, without a round.
  std::optional<double> score_one(std::string_view judge, const std::string& prompt);
  // Sends `prompt` to j's endpoint, or finds its reply in the cache, and hands the reply to
  // `read`, which keeps what it reads and says whether the reply was usable (else sets *why).
  // Only usable replies are cached. Returns whether a usable reply was read.
  bool ask(Judge& j, const std::string& prompt,
           const std::function<bool(std::string_view reply, std::string* why)>& read);

  std::map<std::string, std::unique_ptr<Judge>, std::less<>> judges_;
  std::map<std::string, std::unique_ptr<Client>> clients_;  // by endpoint
  std::optional<ReplyCache> cache_;
  std::atomic<long> calls_{0}, hits_{0}, misses_{0}, errors_{0};
  mutable std::mutex mu_;
};

}  // namespace rft::judge

extern "C" {
// An rft_judge_fn (runtime/grader/abi.h) for a JudgeService passed as `user`.
int rft_judge_service_callback(void* user, const char* judge, const char* prompt,
                               uint64_t prompt_len, double* score);
}
