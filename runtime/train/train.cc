#include "runtime/train/train.h"

#include <cstdlib>
#include <string>

#include "runtime/model/text_generator.h"

namespace rft::train {
namespace {

Expected<const TrainPlugin*> plugin() {
  using Entry = const TrainPlugin* (*)();
  Expected<void*> symbol = model::model_plugin_symbol(kTrainPluginSymbol);
  if (!symbol) return failure(symbol.error());
  return reinterpret_cast<Entry>(*symbol)();
}

// An integer environment variable in [lo, hi]; `fallback` when unset.
Expected<int> env_int(const char* name, int fallback, int lo, int hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi) {
    return failure(std::string(name) + "=`" + v + "`: expected an integer in [" +
                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(n);
}

}  // namespace

Expected<DistributedConfig> distributed_from_env() {
  DistributedConfig c;
  Expected<int> world = env_int("WORLD_SIZE", 1, 1, 1 << 20);
  if (!world.ok()) return failure(world.error());
  c.world_size = *world;
  if (c.world_size == 1) return c;
  if (std::getenv("RANK") == nullptr) return failure("WORLD_SIZE is set but RANK is not");
  Expected<int> rank = env_int("RANK", 0, 0, c.world_size - 1);
  if (!rank.ok())
    return failure(rank.error() + " (below WORLD_SIZE=" + std::to_string(c.world_size) + ")");
  c.rank = *rank;
  Expected<int> local_world = env_int("LOCAL_WORLD_SIZE", 1, 1, c.world_size);
  if (!local_world.ok()) return failure(local_world.error());
  c.local_world_size = *local_world;
  Expected<int> local_rank =
      env_int("LOCAL_RANK", c.rank % c.local_world_size, 0, c.world_size - 1);
  if (!local_rank.ok()) return failure(local_rank.error());
  c.local_rank = *local_rank;
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') {
    return failure("WORLD_SIZE is " + std::to_string(c.world_size) +
                   " but MASTER_ADDR is not set (the address of rank 0's machine)");
  }
  c.master_addr = addr;
  if (std::getenv("MASTER_PORT") == nullptr)
    return failure("WORLD_SIZE is set but MASTER_PORT is not");
  Expected<int> port = env_int("MASTER_PORT", 0, 1, 65535);
  if (!port.ok()) return failure(port.error());
  c.master_port = *port;
  return c;
}

Expected<TrainResult> run_grpo(const TrainRequest& request) {
  Expected<const TrainPlugin*> p = plugin();
  if (!p) return failure(p.error());
  return (*p)->grpo(request);
}

Expected<TrainResult> run_sft(const TrainRequest& request) {
  Expected<const TrainPlugin*> p = plugin();
  if (!p) return failure(p.error());
  return (*p)->sft(request);
}

}  // namespace rft::train
