#include "runtime/judge/cache.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rft::judge {
namespace fs = std::filesystem;
namespace {

// What identifies a request. The API key is not part of it: the same question asked with another
// key has the same answer.
std::string key_text(const std::string& endpoint, const ChatRequest& r) {
  std::string e = endpoint;
  while (!e.empty() && e.back() == '/') e.pop_back();
  nlohmann::json k = {{"endpoint", e},
                      {"model", r.model},
                      {"system", r.system},
                      {"prompt", r.prompt},
                      {"temperature", r.temperature},
                      {"max_tokens", r.max_tokens}};
  return k.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Two 64-bit FNV-1a hashes with different offsets: 128 bits name the entry, and the entry holds
// the full key, so a collision is detected rather than answered wrongly.
std::string hash_hex(const std::string& s) {
  auto fnv = [&](uint64_t h) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return h;
  };
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx",
                static_cast<unsigned long long>(fnv(0xcbf29ce484222325ULL)),
                static_cast<unsigned long long>(fnv(0x84222325cbf29ce4ULL)));
  return buf;
}

fs::path entry_path(const std::string& dir, const std::string& hash) {
  return fs::path(dir) / hash.substr(0, 2) / (hash + ".json");
}

}  // namespace

std::string default_cache_dir() {
  if (const char* d = std::getenv("RFT_CACHE_DIR"); d != nullptr && *d != '\0') {
    return (fs::path(d) / "judge").string();
  }
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d != '\0') {
    return (fs::path(d) / "rft" / "judge").string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home != nullptr && *home != '\0' ? home : "/tmp") / ".cache" / "rft" / "judge")
      .string();
}

std::optional<std::string> ReplyCache::get(const std::string& endpoint,
                                           const ChatRequest& request) const {
  std::string key = key_text(endpoint, request);
  std::ifstream in(entry_path(dir_, hash_hex(key)), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || !j.contains("key") || !j.contains("reply") || !j["key"].is_string() ||
      !j["reply"].is_string() || j["key"].get_ref<const std::string&>() != key) {
    return std::nullopt;
  }
  return j["reply"].get<std::string>();
}

void ReplyCache::put(const std::string& endpoint, const ChatRequest& request,
                     const std::string& reply) const {
  static std::atomic<uint64_t> counter{0};
  std::string key = key_text(endpoint, request);
  fs::path path = entry_path(dir_, hash_hex(key));
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return;
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    nlohmann::json j = {{"key", key}, {"reply", reply}};
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!out.flush()) {
      out.close();
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace rft::judge
