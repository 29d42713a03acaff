#include "runtime/train/train.h"

#include "runtime/model/text_generator.h"

namespace rft::train {
namespace {

const TrainPlugin* plugin(std::string* error) {
  using Entry = const TrainPlugin* (*)();
  auto entry = reinterpret_cast<Entry>(model::model_plugin_symbol(kTrainPluginSymbol, error));
  return entry != nullptr ? entry() : nullptr;
}

}  // namespace

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
