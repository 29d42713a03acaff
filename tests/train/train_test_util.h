// Helpers shared by the training tests: scratch files and small tokenizers.
#pragma once

#include <string>

#include "runtime/model/tokenizer.h"

namespace rft::train::testutil {

// A fresh, empty directory under the system's temp directory, removed when this goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `text` to the file `name` in this directory; returns its path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// A byte-level tokenizer (one token per byte, no merges); with `chatml`, its tokenizer_config.json
// carries a ChatML chat template, so that apply_chat_template works.
model::Tokenizer byte_tokenizer(bool chatml);

}  // namespace rft::train::testutil
