// A content-addressed cache of judge replies on disk, shared by every step, epoch and run: the
// same request (endpoint, model, system message, rendered prompt, sampling settings) is answered
// from disk instead of the endpoint. Entries are written atomically (a temporary file renamed
// into place), so concurrent writers and a killed run never leave a torn entry. Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "runtime/judge/client.h"

namespace rft::judge {

// The default folder: $RFT_CACHE_DIR/judge, else $XDG_CACHE_HOME/rft/judge, else
// ~/.cache/rft/judge.
std::string default_cache_dir();

class ReplyCache {
 public:
  explicit ReplyCache(std::string dir) : dir_(std::move(dir)) {}
  // The cached reply text for a request, if any.
  std::optional<std::string> get(const std::string& endpoint, const ChatRequest& request) const;
  // Stores a reply; failures (a read-only disk) are ignored, since the cache is only a saving.
  void put(const std::string& endpoint, const ChatRequest& request, const std::string& reply) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace rft::judge
