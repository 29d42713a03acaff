#include "runtime/train/torch/distributed.h"

// ProcessGroupGloo.hpp declares the Gloo group only when this is defined (libtorch defines it
// when it builds with Gloo, as Debian's does); the gloo headers come from libgloo-dev.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef RFT_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <stdexcept>

namespace rft::train {
namespace {

constexpr int64_t kBucketBytes = int64_t{16} << 20;  // per all-reduce of gradients

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0;
}

std::string first_line(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string what = c10_error != nullptr ? c10_error->what_without_backtrace() : e.what();
  return what.substr(0, what.find('\n'));
}

std::string seconds_text(std::chrono::milliseconds t) {
  return std::to_string(static_cast<long long>(t.count() / 1000)) + " s";
}

}  // namespace

Shard shard_of(size_t n, int rank, int world_size) {
  const auto r = static_cast<size_t>(rank), w = static_cast<size_t>(std::max(1, world_size));
  return {n * r / w, n * (r + 1) / w};
}

struct ProcessGroup::Impl {
  torch::Device device{torch::kCPU};  // where collectives' tensors live (CUDA for NCCL)
  std::chrono::milliseconds timeout{0};
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};

ProcessGroup::ProcessGroup(const DistributedConfig& c)
    : config_(c), impl_(std::make_unique<Impl>()) {}
ProcessGroup::~ProcessGroup() = default;

Expected<std::unique_ptr<ProcessGroup>> ProcessGroup::join(const DistributedConfig& config,
                                                           const torch::Device& device,
                                                           std::chrono::milliseconds timeout) {
  std::unique_ptr<ProcessGroup> pg(new ProcessGroup(config));
  pg->impl_->timeout = timeout;
  pg->impl_->device = device;
  if (!config.enabled()) return pg;
#ifndef RFT_WITH_NCCL
  if (device.is_cuda()) {
    return failure("training on several ranks with `device: " + device.str() +
                   "` needs torch.distributed's NCCL backend, which this build of rft does not "
                   "have; train with `device: cpu` (Gloo), or build rft with RFT_WITH_NCCL=ON "
                   "against a CUDA libtorch (docs/distributed.md)");
  }
#endif
  // A peer that dies closes its sockets; writing to one must fail the collective with a
  // message, not end this process silently.
  std::signal(SIGPIPE, SIG_IGN);
  const std::string where = config.master_addr + ":" + std::to_string(config.master_port);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(config.master_port);
    so.isServer = config.rank == 0;
    so.numWorkers = static_cast<size_t>(config.world_size);
    so.waitWorkers = true;
    so.timeout = timeout;
    pg->impl_->store = c10::make_intrusive<c10d::TCPStore>(config.master_addr, so);
#ifdef RFT_WITH_NCCL
    if (device.is_cuda()) {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      pg->impl_->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(pg->impl_->store, config.rank,
                                                                     config.world_size, opts);
      return pg;
    }
#endif
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
        ifname != nullptr && *ifname != '\0') {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    } else if (is_loopback(config.master_addr)) {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    pg->impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(pg->impl_->store, config.rank,
                                                                   config.world_size, opts);
  } catch (const std::exception& e) {
    return failure("rank " + std::to_string(config.rank) + " of " +
                   std::to_string(config.world_size) + " could not join the others at " + where +
                   " within " + seconds_text(timeout) + ": " + first_line(e) +
                   " (is every rank started, with the same MASTER_ADDR and MASTER_PORT?)");
  }
  return pg;
}

void ProcessGroup::all_reduce(torch::Tensor& flat, const char* what) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<at::Tensor> tensors{flat};
  try {
    impl_->group->allreduce(tensors, c10d::AllreduceOptions{})->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(rank()) + ": the all-reduce of " + what +
                             " failed: " + first_line(e) +
                             "; another rank has stopped or hangs (collective_timeout is " +
                             seconds_text(impl_->timeout) + ")");
  }
  communication_seconds_ +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void ProcessGroup::broadcast(const std::vector<torch::Tensor>& tensors) {
  if (!config_.enabled() || tensors.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat;
  for (const torch::Tensor& t : tensors) flat.push_back(t.detach().reshape(-1).to(torch::kFloat));
  std::vector<at::Tensor> all{torch::cat(flat)};
  const auto start = std::chrono::steady_clock::now();
  try {
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    impl_->group->broadcast(all, o)->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(rank()) +
                             ": receiving the weights from rank 0 failed: " + first_line(e));
  }
  communication_seconds_ +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t offset = 0;
  for (const torch::Tensor& t : tensors) {
    t.detach().copy_(all[0].slice(0, offset, offset + t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

void ProcessGroup::all_reduce_gradients(const std::vector<torch::Tensor>& parameters) {
  if (!config_.enabled()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> bucket;
  int64_t bytes = 0;
  // Summed in float32 at least, whatever the parameters' dtype.
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<torch::Tensor> flat;
    for (const torch::Tensor& g : bucket) flat.push_back(g.reshape(-1).to(torch::kFloat));
    torch::Tensor sum = torch::cat(flat);
    all_reduce(sum, "the gradients");
    int64_t offset = 0;
    for (torch::Tensor& g : bucket) {
      g.copy_(sum.slice(0, offset, offset + g.numel()).view(g.sizes()));
      offset += g.numel();
    }
    bucket.clear();
    bytes = 0;
  };
  for (torch::Tensor p : parameters) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    bucket.push_back(p.grad());
    bytes += p.numel() * 4;
    if (bytes >= kBucketBytes) flush();
  }
  flush();
}

void ProcessGroup::all_reduce_sum(std::vector<double>& values) {
  if (!config_.enabled() || values.empty()) return;
  torch::Tensor t = torch::tensor(values, torch::kDouble).to(impl_->device);
  all_reduce(t, "the metrics");
  t = t.cpu().contiguous();
  std::copy(t.data_ptr<double>(), t.data_ptr<double>() + values.size(), values.begin());
}

bool ProcessGroup::all_true(bool mine) {
  std::vector<double> failed{mine ? 0.0 : 1.0};
  all_reduce_sum(failed);
  return failed[0] == 0;
}

double ProcessGroup::take_communication_seconds() {
  double s = communication_seconds_;
  communication_seconds_ = 0;
  return s;
}

}  // namespace rft::train
