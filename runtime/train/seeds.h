// The seeds of training and evaluation, derived with splitmix64 so that every standard library
// and every rank derives the same ones.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rft::train {

inline uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed of row `row` of a pass seeded with `seed` (an evaluation's rows): the same whichever
// batch, chunk or rank generates the row.
inline uint64_t row_seed(uint64_t seed, size_t row) {
  return mix(seed ^ mix(static_cast<uint64_t>(row) + 1));
}

}  // namespace rft::train
