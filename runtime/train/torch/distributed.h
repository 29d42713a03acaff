// Data-parallel training on torch.distributed (c10d): the process group a rank joins (a TCPStore
// hosted by rank 0 for the rendezvous; Gloo on CPU, NCCL on CUDA when libtorch has it), the
// collectives the trainers use, and how a global batch is split into per-rank shards.
//
// Every rank runs the same trainer over its own shard of each step's prompts; the collectives
// keep the ranks in lockstep. A collective that waits longer than the job's collective_timeout
// (a rank died or hangs) throws std::runtime_error with a message that names this rank; the
// trainers turn it into the job's error. A group of one needs no store and every collective is
// a no-op, so a plain run pays nothing.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "runtime/train/train.h"

namespace rft::train {

// The rows [from, to) of `n` that rank `rank` of `world` takes: contiguous, sizes differing by
// at most one. Splitting prompts (not rollouts) keeps each GRPO group on one rank.
struct Shard {
  size_t from = 0, to = 0;
  size_t size() const { return to - from; }
};
Shard shard_of(size_t n, int rank, int world_size);

class ProcessGroup {
 public:
  // Joins the group `config` describes; waits up to `timeout` for every rank to arrive. On CUDA
  // without NCCL in libtorch, or when the rendezvous fails, returns the reason.
  static Expected<std::unique_ptr<ProcessGroup>> join(const DistributedConfig& config,
                                                      const torch::Device& device,
                                                      std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return config_.rank; }
  int world_size() const { return config_.world_size; }
  bool is_root() const { return config_.rank == 0; }

  // Copies rank 0's values of `tensors` into every rank's (the weights at the start).
  void broadcast(const std::vector<torch::Tensor>& tensors);
  // Sums the parameters' gradients over the ranks, in flat buckets of a few MB each. A
  // parameter without a gradient counts as zeros (and gets one). Each rank scales its loss by
  // its share of the global batch, so the sum is the global batch's gradient.
  void all_reduce_gradients(const std::vector<torch::Tensor>& parameters);
  // Sums `values` element-wise over the ranks (metrics, the global batch's rewards).
  void all_reduce_sum(std::vector<double>& values);
  // True when every rank passes true (a finite loss, a checkpoint written).
  bool all_true(bool mine);

  // Seconds spent in collectives since the last call (for the metrics).
  double take_communication_seconds();

 private:
  struct Impl;  // the c10d store and group (distributed.cc), kept out of this header
  explicit ProcessGroup(const DistributedConfig& c);
  // Sums `flat` in place over the ranks; `what` names the collective in errors.
  void all_reduce(torch::Tensor& flat, const char* what);

  DistributedConfig config_;
  std::unique_ptr<Impl> impl_;
  double communication_seconds_ = 0;
};

}  // namespace rft::train
