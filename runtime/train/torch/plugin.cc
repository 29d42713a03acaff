// The model plugin's two tables, the only symbols librft_model_torch.so exports: `rft` (which
// must not link torch) loads the plugin on first use and looks them up
// (runtime/model/text_generator.cc, runtime/train/train.cc).
#include <c10/util/Exception.h>

#include <exception>
#include <string>

#include "runtime/model/torch/text_generator_torch.h"
#include "runtime/train/torch/trainers.h"

namespace rft::train {
namespace {

// A trainer whose exceptions (torch's, a judge's that failed too often) become failures.
template <Expected<TrainResult> (*Run)(const TrainRequest&)>
Expected<TrainResult> guarded(const TrainRequest& request) {
  try {
    return Run(request);
  } catch (const c10::Error& e) {
    return failure("torch: " + std::string(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return failure(e.what());
  }
}

}  // namespace
}  // namespace rft::train

// runtime/model/text_generator.h
extern "C" __attribute__((visibility("default"))) const rft::model::ModelPlugin* rft_model_plugin() {
  static const rft::model::ModelPlugin plugin{&rft::model::load_torch_text_generator,
                                              &rft::model::write_builtin_model_torch};
  return &plugin;
}

// runtime/train/train.h
extern "C" __attribute__((visibility("default"))) const rft::train::TrainPlugin* rft_train_plugin() {
  static const rft::train::TrainPlugin plugin{
      &rft::train::guarded<&rft::train::run_grpo_in_process>,
      &rft::train::guarded<&rft::train::run_sft_in_process>};
  return &plugin;
}
