// metrics.jsonl: one JSON object per line, appended and flushed as training goes, so that a
// crash loses at most the line being written. Two kinds of line:
//
//   {"kind":"train","step":12,"epoch":0.38,"lr":9.5e-05,"reward_mean":0.41,"reward_std":0.3,
//    "components":{"correct":0.41,"format":0.9},"pass_rate":0.41,"kl":0.002,"entropy":0.8,
//    "clip_fraction":0.01,"completion_length":5.2,"zero_std_groups":0.25,"loss":-0.01,
//    "grad_norm":0.7,"skipped":false,
//    "seconds":{"generate":0.05,"grade":0.001,"train":0.12},"tokens_per_second":9000,
//    "elapsed":14.2}
//   {"kind":"eval","step":12,"reward_mean":0.45,"components":{...},"pass_rate":0.45,
//    "completion_length":5.1,"rows":200}
//
// "pass_rate" is present only when the reward has a pass component; "kl" only when beta > 0;
// "monitors" (each monitor's mean, as "components") only when the reward has monitors.
// GRPO train lines carry the monitors' "signals" and, where one first held, "alarms"
// (runtime/train/monitor.h).
// SFT writes "kind":"train" lines with "loss", "lr", "tokens_per_second" and "elapsed", and eval
// lines when it evaluates. completion_length counts tokens. On resume, lines after the checkpoint's
// step are dropped first, so the file always matches the weights.
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "runtime/common/expected.h"

namespace rft::train {

class MetricsWriter {
 public:
  // Opens `path` for appending. With `truncate_after_step` >= 0, first drops every line whose
  // step is greater (what a resumed run must forget).
  Expected<void> open(const std::string& path, int64_t truncate_after_step = -1);
  void write(const nlohmann::json& line);  // one line, flushed
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
};

// Reads every well-formed line of a metrics file (a torn last line is skipped).
std::vector<nlohmann::json> read_metrics(const std::string& path);

}  // namespace rft::train
