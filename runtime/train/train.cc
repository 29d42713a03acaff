#include "runtime/train/train.h"

#include <cstdlib>
#include <string>

#include "runtime/model/text_generator.h"

namespace rft::train {
namespace {

const TrainPlugin* plugin(std::string* error) {
  using Entry = const TrainPlugin* (*)();
  auto entry = reinterpret_cast<Entry>(model::model_plugin_symbol(kTrainPluginSymbol, error));
  return entry != nullptr ? entry() : nullptr;
}

// An integer environment variable in [lo, hi]; `fallback` when unset.
Result<int> env_int(const char* name, int fallback, int lo, int hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi) {
    return Result<int>::failure(std::string(name) + "=`" + v + "`: expected an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(n);
}

}  // namespace

Result<DistributedConfig> distributed_from_env() {
  using R = Result<DistributedConfig>;
  DistributedConfig c;
  Result<int> world = env_int("WORLD_SIZE", 1, 1, 1 << 20);
  if (!world.ok()) return R::failure(world.error());
  c.world_size = *world;
  if (c.world_size == 1) return c;
  if (std::getenv("RANK") == nullptr) return R::failure("WORLD_SIZE is set but RANK is not");
  Result<int> rank = env_int("RANK", 0, 0, c.world_size - 1);
  if (!rank.ok()) return R::failure(rank.error() + " (below WORLD_SIZE=" + std::to_string(c.world_size) + ")");
  c.rank = *rank;
  Result<int> local_world = env_int("LOCAL_WORLD_SIZE", 1, 1, c.world_size);
  if (!local_world.ok()) return R::failure(local_world.error());
  c.local_world_size = *local_world;
  Result<int> local_rank = env_int("LOCAL_RANK", c.rank % c.local_world_size, 0, c.world_size - 1);
  if (!local_rank.ok()) return R::failure(local_rank.error());
  c.local_rank = *local_rank;
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') {
    return R::failure("WORLD_SIZE is " + std::to_string(c.world_size) +
                      " but MASTER_ADDR is not set (the address of rank 0's machine)");
  }
  c.master_addr = addr;
  if (std::getenv("MASTER_PORT") == nullptr) return R::failure("WORLD_SIZE is set but MASTER_PORT is not");
  Result<int> port = env_int("MASTER_PORT", 0, 1, 65535);
  if (!port.ok()) return R::failure(port.error());
  c.master_port = *port;
  return c;
}

Result<TrainResult> run_grpo(const TrainRequest& request) {
  std::string error;
  const TrainPlugin* p = plugin(&error);
  if (p == nullptr) return Result<TrainResult>::failure(error);
  return p->grpo(request);
}

Result<TrainResult> run_sft(const TrainRequest& request) {
  std::string error;
  const TrainPlugin* p = plugin(&error);
  if (p == nullptr) return Result<TrainResult>::failure(error);
  return p->sft(request);
}

}  // namespace rft::train
