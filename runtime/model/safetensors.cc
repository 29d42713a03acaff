#include "runtime/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "runtime/grader/json.h"
#include "runtime/common/output_file.h"

namespace rft::model {
namespace {

// The reference implementation refuses headers above 100 MB; so do we, before allocating.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DTypeInfo {
  DType type;
  std::string_view name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kF64, "F64", 8}, {DType::kF32, "F32", 4}, {DType::kF16, "F16", 2},
    {DType::kBF16, "BF16", 2}, {DType::kI64, "I64", 8}, {DType::kI32, "I32", 4},
    {DType::kI16, "I16", 2}, {DType::kI8, "I8", 1},   {DType::kU8, "U8", 1},
    {DType::kBool, "BOOL", 1},
};

const DTypeInfo* dtype_info(std::string_view name) {
  for (const auto& d : kDTypes) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

Unexpected<std::string> failure_at(const std::string& path, const std::string& message) {
  return failure(path + ": " + message);
}

// Parses one header entry; returns an empty string on success, else what is wrong with it.
std::string parse_entry(const std::string& name, const nlohmann::json& e, uint64_t data_size,
                        TensorView& out, uint64_t& begin, uint64_t& end) {
  if (!e.is_object()) return "entry `" + name + "` is not an object";
  auto dtype = e.find("dtype");
  auto shape = e.find("shape");
  auto offsets = e.find("data_offsets");
  if (dtype == e.end() || !dtype->is_string()) return "`" + name + "`: no string `dtype`";
  const DTypeInfo* info = dtype_info(dtype->get<std::string>());
  if (info == nullptr) {
    return "`" + name + "`: unsupported dtype `" + dtype->get<std::string>() + "`";
  }
  if (shape == e.end() || !shape->is_array()) return "`" + name + "`: no `shape` array";
  if (offsets == e.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
    return "`" + name + "`: `data_offsets` must be two non-negative integers";
  }
  out.name = name;
  out.dtype = info->type;
  uint64_t numel = 1;
  for (const auto& d : *shape) {
    if (!d.is_number_unsigned()) return "`" + name + "`: a dimension is not a non-negative integer";
    uint64_t dim = d.get<uint64_t>();
    if (dim != 0 && numel > UINT64_MAX / dim) return "`" + name + "`: the shape overflows";
    numel *= dim;
    out.shape.push_back(static_cast<int64_t>(dim));
  }
  begin = (*offsets)[0].get<uint64_t>();
  end = (*offsets)[1].get<uint64_t>();
  if (begin > end || end > data_size) {
    return "`" + name + "`: data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
           "] fall outside the " + std::to_string(data_size) + " data bytes (truncated file?)";
  }
  if (numel > UINT64_MAX / info->size || end - begin != numel * info->size) {
    return "`" + name + "`: " + std::to_string(end - begin) + " bytes do not hold " +
           std::to_string(numel) + " " + std::string(info->name) + " values";
  }
  return {};
}

}  // namespace

size_t dtype_size(DType t) {
  for (const auto& d : kDTypes) {
    if (d.type == t) return d.size;
  }
  return 0;
}

std::string_view dtype_name(DType t) {
  for (const auto& d : kDTypes) {
    if (d.type == t) return d.name;
  }
  return "?";
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

struct SafetensorsFile::Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr != nullptr) munmap(addr, size);
  }
};

Expected<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure_at(path, std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return failure_at(path, "not a regular file");
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    return failure_at(
        path, "truncated: " + std::to_string(size) + " bytes, less than the 8-byte header length");
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->addr = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapping->addr == MAP_FAILED) {
    mapping->addr = nullptr;
    return failure_at(path, std::string("cannot map: ") + std::strerror(errno));
  }
  mapping->size = size;
  const auto* bytes = static_cast<const std::byte*>(mapping->addr);

  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<uint8_t>(bytes[i]);
  if (header_len > kMaxHeaderBytes) {
    return failure_at(path, "the header length " + std::to_string(header_len) +
                                " is implausible (not a safetensors file?)");
  }
  if (header_len > size - 8) {
    return failure_at(path, "truncated: the header needs " + std::to_string(header_len) +
                                " bytes, the file has " + std::to_string(size - 8) +
                                " after the length");
  }
  std::string_view header_text(reinterpret_cast<const char*>(bytes + 8), header_len);
  if (grader::json_nesting_exceeds(header_text)) {
    return failure_at(path, "the header is nested too deeply");
  }
  nlohmann::json header = nlohmann::json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return failure_at(path, "the header is not a JSON object");
  }

  SafetensorsFile file;
  file.path_ = path;
  const std::byte* data = bytes + 8 + header_len;
  uint64_t data_size = size - 8 - header_len;
  struct Range {
    uint64_t begin, end;
    size_t tensor;
  };
  std::vector<Range> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) return failure_at(path, "`__metadata__` is not an object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) {
          return failure_at(path, "`__metadata__." + k + "` is not a string");
        }
        file.metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    TensorView t;
    uint64_t begin = 0, end = 0;
    std::string problem = parse_entry(name, entry, data_size, t, begin, end);
    if (!problem.empty()) return failure_at(path, problem);
    t.data = {data + begin, static_cast<size_t>(end - begin)};
    ranges.push_back({begin, end, file.tensors_.size()});
    file.tensors_.push_back(std::move(t));
  }
  // Tensors tile the data exactly, as the format requires: no overlap, no gap, nothing after.
  std::sort(ranges.begin(), ranges.end(), [](auto& a, auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  std::vector<TensorView> ordered;
  for (const Range& r : ranges) {
    const std::string& name = file.tensors_[r.tensor].name;
    if (r.begin != expected) {
      return failure_at(
          path, "`" + name + "` starts at byte " + std::to_string(r.begin) + " of the data, " +
                    (r.begin < expected ? "overlapping the tensor before it"
                                        : "leaving a gap after byte " + std::to_string(expected)));
    }
    expected = r.end;
    ordered.push_back(std::move(file.tensors_[r.tensor]));
  }
  if (expected != data_size) {
    return failure_at(
        path, std::to_string(data_size - expected) + " bytes after the last tensor belong to none");
  }
  file.tensors_ = std::move(ordered);
  file.mapping_ = std::move(mapping);
  return file;
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  for (const auto& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Expected<Checkpoint> Checkpoint::open(const std::string& dir) {
  namespace fs = std::filesystem;
  Checkpoint ckpt;
  fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  std::error_code ec;
  std::vector<std::string> shards;
  nlohmann::json weight_map;
  if (fs::exists(index_path, ec)) {
    std::ifstream in(index_path);
    nlohmann::json index = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (index.is_discarded() || !index.is_object() || !index.contains("weight_map") ||
        !index["weight_map"].is_object()) {
      return failure_at(index_path.string(), "no `weight_map` object");
    }
    weight_map = index["weight_map"];
    std::set<std::string> unique;
    for (const auto& [name, file] : weight_map.items()) {
      if (!file.is_string()) {
        return failure_at(index_path.string(), "`" + name + "` maps to no file name");
      }
      if (unique.insert(file.get<std::string>()).second) shards.push_back(file.get<std::string>());
    }
  } else {
    shards.push_back("model.safetensors");
  }
  for (const auto& shard : shards) {
    Expected<SafetensorsFile> f = SafetensorsFile::open((fs::path(dir) / shard).string());
    if (!f.ok()) return failure(f.error());
    ckpt.files_.push_back(std::move(f).value());
  }
  for (const auto& f : ckpt.files_) {
    for (const auto& t : f.tensors()) {
      if (!ckpt.index_.emplace(t.name, &t).second) {
        return failure_at(f.path(), "tensor `" + t.name + "` also appears in another shard");
      }
    }
  }
  for (const auto& [name, file] : weight_map.items()) {
    auto it = ckpt.index_.find(name);
    if (it == ckpt.index_.end()) {
      return failure_at(index_path.string(), "lists `" + name + "` in " + file.get<std::string>() +
                                                 ", which has no such tensor");
    }
  }
  return ckpt;
}

const TensorView* Checkpoint::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : index_) out.push_back(name);
  return out;
}

Expected<size_t> write_safetensors(const std::string& path, std::span<const TensorView> tensors,
                                   const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype) != t.data.size()) {
      return failure_at(path, "tensor `" + t.name + "` has " + std::to_string(t.data.size()) +
                                  " bytes, not what its shape and dtype need");
    }
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.data.size()}}};
    offset += t.data.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  // A device or FIFO is written in place; a link or other special file is refused.
  Expected<bool> target = io::OutputFile::check_target(path);
  if (!target) return failure(target.error());
  const bool direct = *target;
  std::string tmp = direct ? path : path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return failure_at(tmp, std::strerror(errno));
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(text.size() >> (8 * i));
  bool ok = std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  for (const auto& t : tensors) {
    ok = ok && (t.data.empty() || std::fwrite(t.data.data(), 1, t.data.size(), f) == t.data.size());
  }
  ok = std::fflush(f) == 0 && ok && (direct || fsync(fileno(f)) == 0);
  ok = std::fclose(f) == 0 && ok;
  if (!ok || (!direct && std::rename(tmp.c_str(), path.c_str()) != 0)) {
    if (!direct) std::remove(tmp.c_str());
    return failure_at(path, std::string("cannot write: ") + std::strerror(errno));
  }
  return static_cast<size_t>(8 + text.size() + offset);
}

}  // namespace rft::model
