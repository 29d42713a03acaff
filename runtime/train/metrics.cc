#include "runtime/train/metrics.h"

#include "runtime/common/output_file.h"

#include <filesystem>
#include <sstream>

namespace rft::train {

Expected<void> MetricsWriter::open(const std::string& path, int64_t truncate_after_step) {
  path_ = path;
  if (Expected<bool> target = io::OutputFile::check_target(path); !target) {
    return failure(target.error());
  }
  if (truncate_after_step >= 0 && std::filesystem::exists(path)) {
    // Keep the lines up to the step being resumed from; rewrite the file atomically.
    std::ifstream in(path, std::ios::binary);
    std::ostringstream kept;
    std::string line;
    while (std::getline(in, line)) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object()) continue;  // a torn last line
      if (j.value("step", int64_t{0}) > truncate_after_step) continue;
      kept << line << "\n";
    }
    if (Expected<void> w = io::write_whole(path, kept.str()); !w) return w;
  }
  out_.open(path, std::ios::binary | std::ios::app);
  if (!out_) return failure("cannot open `" + path + "` for writing");
  return {};
}

void MetricsWriter::write(const nlohmann::json& line) {
  out_ << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  out_.flush();
}

std::vector<nlohmann::json> read_metrics(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

}  // namespace rft::train
