#include "runtime/serve/batcher.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace rft::serve {
namespace {

bool is_cancelled(const Job& j) {
  return j.cancelled && j.cancelled();
}

}  // namespace

bool can_share_call(const Job& a, const Job& b) {
  const model::TextOptions &x = a.options, &y = b.options;
  if (x.max_new_tokens != y.max_new_tokens || x.stop != y.stop || x.threads != y.threads)
    return false;
  const bool greedy = x.temperature <= 0;
  if (greedy != (y.temperature <= 0)) return false;
  if (greedy) return true;  // argmax ignores the seed, top-k and top-p
  // One random generator serves the whole call, so a seeded prompt's samples would depend on its
  // neighbours.
  if (a.seeded || b.seeded) return false;
  return x.temperature == y.temperature && x.top_k == y.top_k && x.top_p == y.top_p;
}

Batcher::Batcher(model::TextGenerator& generator, BatchOptions options)
    : generator_(generator), options_(options), thread_([this] { run(); }) {}

Batcher::~Batcher() {
  stop();
}

bool Batcher::submit(std::vector<Job> jobs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    for (Job& j : jobs) queue_.push_back(std::move(j));
  }
  cv_.notify_all();
  return true;
}

void Batcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

BatchStats Batcher::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  BatchStats s = stats_;
  s.queued = queue_.size();
  return s;
}

void Batcher::run() {
  const size_t max_batch = std::max<size_t>(1, options_.max_batch);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to finish
    auto sharing = [&] {
      size_t n = 0;
      for (const Job& j : queue_) n += can_share_call(queue_.front(), j) ? 1 : 0;
      return n;
    };
    // Give requests sent together a moment to arrive together.
    cv_.wait_for(lock, std::chrono::milliseconds(options_.wait_ms),
                 [&] { return stopping_ || sharing() >= max_batch; });
    drop_cancelled();
    if (queue_.empty()) continue;
    // The first job and every later one that may share its call, in arrival order.
    std::vector<Job> batch;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
    for (auto it = queue_.begin(); it != queue_.end() && batch.size() < max_batch;) {
      if (can_share_call(batch.front(), *it)) {
        batch.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    const uint64_t call = stats_.generate_calls++;
    stats_.prompts += batch.size();
    stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, batch.size());
    stats_.last_batch = batch.size();
    if (!batch.front().seeded) batch.front().options.seed = options_.seed + call;
    lock.unlock();
    run_batch(batch);
    lock.lock();
  }
}

void Batcher::drop_cancelled() {
  const size_t before = queue_.size();
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), is_cancelled), queue_.end());
  stats_.cancelled += before - queue_.size();
}

void Batcher::run_batch(std::vector<Job>& batch) {
  std::vector<std::string> prompts;
  for (Job& j : batch) prompts.push_back(std::move(j.prompt));
  std::vector<model::TextResult> results;
  std::string error;
  // A cancelled prompt stops at its next token; the call ends when every prompt has.
  model::TextOptions options = batch.front().options;
  options.cancelled = [&batch](size_t i) { return is_cancelled(batch[i]); };
  try {
    results = generator_.generate(prompts, options, [&](size_t i, std::string_view piece) {
      if (!is_cancelled(batch[i]) && batch[i].on_text) batch[i].on_text(piece);
    });
    if (results.size() != batch.size()) error = "the model returned the wrong number of results";
  } catch (const std::exception& e) {
    error = std::string("generation failed: ") + e.what();
  }
  // Counted before the others hear of their end, so that the counters they may read next are
  // up to date.
  std::vector<bool> cancelled(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) cancelled[i] = is_cancelled(batch[i]);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.cancelled += std::count(cancelled.begin(), cancelled.end(), true);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (cancelled[i]) continue;
    if (error.empty()) {
      batch[i].on_done(results[i], batch.size(), error);
    } else {
      batch[i].on_done(model::TextResult{}, batch.size(), error);
    }
  }
}

}  // namespace rft::serve
