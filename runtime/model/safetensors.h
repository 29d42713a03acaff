// Reading and writing the safetensors format of Hugging Face checkpoints, without torch: an
// 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
// range, then the raw data. Files are memory-mapped; a truncated or inconsistent file is an
// error that names the file and the problem, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/expected.h"

namespace rft::model {

enum class DType { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

size_t dtype_size(DType t);
std::string_view dtype_name(DType t);  // as safetensors writes it: "F32", "BF16", ...

// One tensor: its bytes are a view into a mapped file or into the caller's buffer.
struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::span<const std::byte> data;

  int64_t numel() const;
};

// One mapped .safetensors file. Movable; tensor views stay valid while it (or a move of it)
// lives. Safe to read from several threads.
class SafetensorsFile {
 public:
  static Expected<SafetensorsFile> open(const std::string& path);

  // In the order of their data in the file.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(std::string_view name) const;
  // The header's "__metadata__" (string to string), e.g. {"format": "pt"}.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }

 private:
  struct Mapping;
  std::string path_;
  std::shared_ptr<const Mapping> mapping_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// All tensors of a checkpoint directory: `model.safetensors`, or the shards that
// `model.safetensors.index.json` lists (its weight_map is checked against the shards).
class Checkpoint {
 public:
  static Expected<Checkpoint> open(const std::string& dir);

  const TensorView* find(std::string_view name) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;

 private:
  std::vector<SafetensorsFile> files_;
  std::map<std::string, const TensorView*, std::less<>> index_;
};

// Writes `tensors` (data laid out in the given order) and `metadata` to `path`, atomically: the
// bytes go to `path.tmp`, which is flushed and then renamed, so a crash never leaves a partial
// file under `path`. Returns the number of bytes written.
Expected<size_t> write_safetensors(const std::string& path, std::span<const TensorView> tensors,
                                   const std::map<std::string, std::string>& metadata = {});

}  // namespace rft::model
