// The request queue of the server: one thread owns the model and turns the prompts that wait in
// the queue into batched generate calls. Prompts share a call when their settings let them give
// the same text as they would alone: greedy prompts with the same length limit and stop strings
// always; sampled ones when their settings match and none of them asked for a seed (a seeded
// prompt runs alone, so that its samples repeat).
//
// A prompt whose client went away is cancelled: dropped if it still waits in the queue, and
// stopped at its next token if its generate call has begun (TextOptions::cancelled); the other
// prompts of the call go on, their text the same as if nothing had been cancelled, and the call
// ends when every prompt in it has.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "runtime/model/text_generator.h"

namespace rft::serve {

struct BatchOptions {
  size_t max_batch = 16;  // prompts per generate call at most
  // How long the first waiting prompt waits for others to join its call. Requests that arrive
  // while a call runs join the next one whatever this is.
  int wait_ms = 5;
  uint64_t seed = 0;  // the base of the seeds given to calls of unseeded sampled prompts
};

struct Job {
  std::string prompt;
  model::TextOptions options;
  bool seeded = false;
  // Both are called on the batcher's thread and must not block for long. `on_text` (optional)
  // receives the text as it is decoded; `on_done` once at the end, with the result and the number
  // of prompts that its generate call served, or with `error` set when the call failed.
  std::function<void(std::string_view)> on_text;
  std::function<void(const model::TextResult&, size_t batch_size, const std::string& error)>
      on_done;
  // Optional, polled on the batcher's thread (so it must be cheap): true once nobody wants the
  // text any more. A cancelled job gets no more calls of `on_text`, and no `on_done`.
  std::function<bool()> cancelled;
};

struct BatchStats {
  uint64_t generate_calls = 0;  // generate calls made
  uint64_t prompts = 0;         // prompts they served
  uint64_t largest_batch = 0;   // the most prompts one call served
  uint64_t last_batch = 0;      // prompts the latest call served
  uint64_t queued = 0;          // prompts waiting now
  uint64_t cancelled = 0;       // prompts cancelled before their text was complete
};

// Whether two prompts may share a generate call (see the top of this file).
bool can_share_call(const Job& a, const Job& b);

class Batcher {
 public:
  // Starts the thread. `generator` must outlive the batcher and is used only by its thread.
  Batcher(model::TextGenerator& generator, BatchOptions options);
  ~Batcher();  // stop()
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Queues jobs, in order; false (and nothing queued) once stop() has begun. Thread-safe.
  bool submit(std::vector<Job> jobs);
  // Finishes every queued job, then ends the thread. Thread-safe; later calls return at once.
  void stop();
  BatchStats stats() const;

 private:
  void run();
  void drop_cancelled();  // with mu_ held
  void run_batch(std::vector<Job>& batch);

  model::TextGenerator& generator_;
  BatchOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  BatchStats stats_;
  std::thread thread_;
};

}  // namespace rft::serve
