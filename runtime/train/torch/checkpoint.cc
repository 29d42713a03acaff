#include "runtime/train/torch/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace rft::train {
namespace fs = std::filesystem;

namespace {

constexpr const char* kDone = "DONE";
constexpr const char* kPrefix = "step-";

// The tokenizer and generation files a model folder carries besides its weights.
constexpr const char* kModelFiles[] = {"tokenizer.json", "tokenizer_config.json",
                                       "special_tokens_map.json", "chat_template.jinja",
                                       "generation_config.json"};

bool write_text(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return static_cast<bool>(f);
}

// Writes the optimizer's state to `path`. torch::save to a file name cannot report a failed write
// (a full disk): its archive writer throws c10::Error from its destructor, which ends the
// process. Here the archive is written through a function that never fails in torch's eyes and
// records the error, which is then reported.
std::string save_optimizer(const torch::optim::Optimizer& optimizer, const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return "cannot write `" + path.string() + "`: " + std::strerror(errno);
  int error = 0;
  try {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to([&](const void* data, size_t n) -> size_t {
      if (error == 0 && n > 0 && std::fwrite(data, 1, n, f) != n) error = errno != 0 ? errno : EIO;
      return n;
    });
  } catch (const std::exception& e) {
    std::fclose(f);
    return "cannot write `" + path.string() + "`: " + e.what();
  }
  if (error == 0 && (std::fflush(f) != 0 || fsync(fileno(f)) != 0)) error = errno;
  if (std::fclose(f) != 0 && error == 0) error = errno;
  if (error != 0) return "cannot write `" + path.string() + "`: " + std::strerror(error);
  return {};
}

// Complete checkpoints, oldest first.
std::vector<fs::path> complete_checkpoints(const std::string& output_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::path root = fs::path(output_dir) / "checkpoints";
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kPrefix, 0) == 0 && fs::exists(it->path() / kDone)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string checkpoint_dir(const std::string& output_dir, int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "%s%06lld", kPrefix, static_cast<long long>(step));
  return (fs::path(output_dir) / "checkpoints" / name).string();
}

Expected<std::string> save_checkpoint(const std::string& output_dir, int64_t step,
                                      model::Transformer& model,
                                      const torch::optim::Optimizer& optimizer,
                                      const nlohmann::json& state,
                                      const std::string& base_model_dir) {
  const fs::path final_dir = checkpoint_dir(output_dir, step);
  const fs::path tmp = final_dir.parent_path() /
                       ("." + final_dir.filename().string() + ".tmp-" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return failure("cannot create `" + tmp.string() + "`: " + ec.message());
  // A failure leaves no partial folder behind (it would hold the space a full disk lacks); the
  // checkpoints before this one are untouched.
  auto fail = [&](const std::string& why) {
    fs::remove_all(tmp, ec);
    return failure("cannot write the checkpoint of step " + std::to_string(step) + ": " + why);
  };
  Expected<size_t> saved = model::save_transformer(model, tmp.string());
  if (!saved.ok()) return fail(saved.error());
  for (const char* name : kModelFiles) {
    fs::path from = fs::path(base_model_dir) / name;
    if (fs::exists(from) && !fs::copy_file(from, tmp / name, fs::copy_options::overwrite_existing, ec)) {
      return fail("cannot copy `" + from.string() + "`: " + ec.message());
    }
  }
  if (std::string why = save_optimizer(optimizer, tmp / "optimizer.pt"); !why.empty()) {
    return fail(why);
  }
  if (!write_text(tmp / "trainer_state.json", state.dump(2) + "\n") || !write_text(tmp / kDone, "")) {
    return fail("cannot write into `" + tmp.string() + "`");
  }
  fs::remove_all(final_dir, ec);  // a checkpoint of the same step from an earlier, abandoned run
  fs::rename(tmp, final_dir, ec);
  if (ec)
    return failure("cannot move the checkpoint into `" + final_dir.string() + "`: " + ec.message());
  return final_dir.string();
}

std::string latest_checkpoint(const std::string& output_dir) {
  std::vector<fs::path> all = complete_checkpoints(output_dir);
  return all.empty() ? std::string() : all.back().string();
}

void prune_checkpoints(const std::string& output_dir, int keep_last) {
  std::vector<fs::path> all = complete_checkpoints(output_dir);
  std::error_code ec;
  const size_t keep = static_cast<size_t>(std::max(1, keep_last));
  for (size_t i = 0; i + keep < all.size(); ++i) fs::remove_all(all[i], ec);
  // Folders of checkpoints that never completed (a process killed while writing).
  fs::path root = fs::path(output_dir) / "checkpoints";
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    bool unfinished = (name.rfind(".", 0) == 0 && name.find(".tmp-") != std::string::npos) ||
                      (name.rfind(kPrefix, 0) == 0 && !fs::exists(it->path() / kDone));
    if (unfinished) fs::remove_all(it->path(), ec);
  }
}

Expected<nlohmann::json> load_trainer_state(const std::string& dir,
                                            torch::optim::Optimizer& optimizer) {
  std::ifstream f(fs::path(dir) / "trainer_state.json");
  nlohmann::json state = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object() || !state.contains("step")) {
    return failure("`" + dir + "/trainer_state.json` is missing or damaged");
  }
  try {
    torch::load(optimizer, (fs::path(dir) / "optimizer.pt").string());
  } catch (const std::exception& e) {
    return failure("cannot read the optimizer state in `" + dir + "`: " + e.what());
  }
  return state;
}

}  // namespace rft::train
