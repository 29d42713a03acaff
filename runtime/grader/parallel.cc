#include "runtime/grader/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace rft::grader {

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void parallel_for(size_t n, int threads, const std::function<void(size_t, int)>& fn) {
  if (threads <= 0) threads = default_threads();
  threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(n, 1)));
  if (threads == 1) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  // Chunks of up to 8 indexes keep the shared counter cold for cheap samples, but a small batch
  // on many threads (judge calls, each waiting on the network) needs every thread busy: aim for
  // about four chunks per thread.
  const size_t chunk =
      std::clamp<size_t>(n / (4 * static_cast<size_t>(threads)), 1, 8);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&](int worker) {
    while (!failed.load(std::memory_order_relaxed)) {
      size_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
      if (begin >= n) return;
      size_t end = std::min(n, begin + chunk);
      try {
        for (size_t i = begin; i < end; ++i) fn(i, worker);
      } catch (...) {
        std::lock_guard lock(error_mu);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads - 1));
  for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace rft::grader
