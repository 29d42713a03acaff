// The trainers in this process, with libtorch: what the plugin's table (plugin.cc) calls for
// run_grpo and run_sft (runtime/train/train.h). Errors inside them may throw; the table turns
// exceptions into failures.
#pragma once

#include "runtime/train/train.h"

namespace rft::train {

Expected<TrainResult> run_grpo_in_process(const TrainRequest& request);  // grpo.cc
Expected<TrainResult> run_sft_in_process(const TrainRequest& request);   // sft.cc

}  // namespace rft::train
