#include "runtime/judge/group.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "runtime/judge/provider.h"

namespace rft::judge {
namespace {

thread_local GroupRound* t_round = nullptr;
thread_local size_t t_sample = 0;

// Passes after the first: each answers the group calls the previous one collected. A sample
// whose path to a group judge depends on another group judge's score needs one more; past the
// limit its call keeps on_error and the judge_error flag.
constexpr int kMaxPasses = 8;

// Splits `members` into requests of at most `max` completions, of sizes that differ by one at
// most (17 with a limit of 16 are 9 and 8, not 16 and a lone one).
std::vector<std::vector<size_t>> split(const std::set<size_t>& members, size_t max) {
  std::vector<size_t> all(members.begin(), members.end());
  size_t parts = (all.size() + max - 1) / max;
  std::vector<std::vector<size_t>> out(parts);
  for (size_t k = 0; k < all.size(); ++k) out[k * parts / all.size()].push_back(all[k]);
  return out;
}

}  // namespace

std::string render_completions(const std::vector<std::string_view>& completions) {
  std::string out;
  for (size_t k = 0; k < completions.size(); ++k) {
    if (k > 0) out += "\n\n";
    out += "<answer id=\"" + std::to_string(k + 1) + "\">\n";
    out += completions[k];
    out += "\n</answer>";
  }
  return out;
}

GroupRound::GroupRound(JudgeService& service, std::vector<std::string_view> completions)
    : service_(service), completions_(std::move(completions)), samples_(completions_.size()) {}

GroupRound::~GroupRound() {
  if (t_round == this) t_round = nullptr;
}

void GroupRound::enter(size_t index) {
  t_round = this;
  t_sample = index;
}

void GroupRound::leave() {
  t_round = nullptr;
}

GroupRound* GroupRound::current() {
  return t_round;
}

std::optional<double> GroupRound::score(std::string_view judge, const std::string& prompt) {
  const size_t i = t_sample;
  Key key(std::string(judge), prompt);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& answers = samples_[i].answers;
    if (auto it = answers.find(key); it != answers.end()) return it->second;
    if (service_.is_group(judge)) {
      // Scored when the pass is over, with the rest of its group; on_error until then.
      pending_[key].insert(i);
      return std::nullopt;
    }
  }
  std::optional<double> x = service_.score_one(judge, prompt);
  std::lock_guard<std::mutex> lock(mu_);
  samples_[i].answers.emplace(std::move(key), x);
  return x;
}

std::vector<size_t> GroupRound::resolve(int threads) {
  std::map<Key, std::set<size_t>> work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    work.swap(pending_);
  }
  if (work.empty() || ++passes_ > kMaxPasses) return {};
  struct Request {
    const Key* key;
    std::vector<size_t> members;
  };
  std::vector<Request> requests;
  std::set<size_t> again;
  for (const auto& [key, members] : work) {
    const auto max = static_cast<size_t>(service_.max_group(key.first));
    for (auto& part : split(members, max)) requests.push_back({&key, std::move(part)});
    again.insert(members.begin(), members.end());
  }
  // Requests are independent: as many in flight as the threads allow (the endpoint's own
  // concurrency limit still applies).
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t r = next++; r < requests.size(); r = next++) {
      const Request& q = requests[r];
      std::vector<std::string_view> texts;
      for (size_t m : q.members) texts.push_back(completions_[m]);
      std::vector<std::optional<double>> scores =
          service_.score_group(q.key->first, q.key->second, texts);
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t k = 0; k < q.members.size(); ++k) {
        samples_[q.members[k]].answers[*q.key] = scores[k];
      }
    }
  };
  const size_t n = std::min(requests.size(), static_cast<size_t>(std::max(threads, 1)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return {again.begin(), again.end()};
}

}  // namespace rft::judge
