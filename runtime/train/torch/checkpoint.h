// Checkpoints: a loadable model in the Hugging Face layout (config.json, model.safetensors and the
// base model's tokenizer files) plus the trainer's state (optimizer.pt, trainer_state.json), in
// OUTPUT/checkpoints/step-NNNNNN. Each is written into a temporary folder, marked complete with a
// DONE file and renamed into place, so a process killed at any moment leaves either the whole
// checkpoint or none; resuming takes the newest folder that has DONE.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/model/torch/transformer.h"
#include "runtime/train/job.h"

namespace rft::train {

std::string checkpoint_dir(const std::string& output_dir, int64_t step);

// Writes the checkpoint of `step`; returns its folder. `state` is stored as trainer_state.json.
Expected<std::string> save_checkpoint(const std::string& output_dir, int64_t step,
                                      model::Transformer& model,
                                      const torch::optim::Optimizer& optimizer,
                                      const nlohmann::json& state,
                                      const std::string& base_model_dir);

// The newest complete checkpoint under `output_dir`, or "" when there is none.
std::string latest_checkpoint(const std::string& output_dir);

// Removes complete checkpoints beyond the newest `keep_last`, and unfinished temporary folders.
void prune_checkpoints(const std::string& output_dir, int keep_last);

// Reads trainer_state.json and restores the optimizer from a checkpoint folder.
Expected<nlohmann::json> load_trainer_state(const std::string& dir,
                                            torch::optim::Optimizer& optimizer);

}  // namespace rft::train
