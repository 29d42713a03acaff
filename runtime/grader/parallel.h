// A minimal parallel loop for batch grading. Samples are independent, so the only state a
// worker needs is its own (a Context, a judge client): the worker number says which.
#pragma once

#include <cstddef>
#include <functional>

namespace rft::grader {

// The number of threads to use when the caller asks for 0: the hardware's concurrency.
int default_threads();

// Calls fn(index, worker) for every index in [0, n) on up to `threads` threads (0: all cores).
// Each worker number in [0, threads) belongs to one thread, so state indexed by it needs no
// lock. Indexes are handed out dynamically in chunks of 1 to 8, small enough that every
// thread gets work (about four chunks per thread), so uneven samples balance. If fn
// throws, the remaining indexes are skipped and the first exception is rethrown here.
void parallel_for(size_t n, int threads, const std::function<void(size_t index, int worker)>& fn);

}  // namespace rft::grader
