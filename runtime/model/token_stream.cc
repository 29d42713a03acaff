#include <algorithm>

#include "runtime/grader/utf8.h"
#include "runtime/model/tokenizer.h"

namespace rft::model {

namespace {

// The length of the longest suffix of `bytes` that is the start of a well-formed UTF-8 sequence
// still waiting for its continuation bytes (0 when the text ends on a whole character or on
// bytes that no continuation can make valid).
size_t unfinished_suffix(std::string_view bytes) {
  const size_t max_back = std::min<size_t>(3, bytes.size());
  for (size_t back = 1; back <= max_back; ++back) {
    const size_t start = bytes.size() - back;
    const auto lead = static_cast<uint8_t>(bytes[start]);
    if ((lead & 0xC0) == 0x80) continue;       // a continuation byte: look further back
    if (lead < 0xC2 || lead > 0xF4) return 0;  // ASCII, or a byte that never starts a character
    const grader::CodePoint c = grader::decode_utf8(bytes, start);
    // Truncated (not invalid) exactly when the decoder ran into the end of the bytes.
    return !c.valid && start + c.len == bytes.size() ? back : 0;
  }
  return 0;
}

}  // namespace

std::string TokenStreamDecoder::push(int32_t id) {
  if (skip_special_tokens_ && tokenizer_->is_special(id)) return {};
  pending_ += tokenizer_->token_bytes(id);
  const size_t keep = unfinished_suffix(pending_);
  std::string ready =
      grader::sanitize_utf8(std::string_view(pending_).substr(0, pending_.size() - keep), nullptr);
  pending_.erase(0, pending_.size() - keep);
  return ready;
}

std::string TokenStreamDecoder::finish() {
  std::string rest = grader::sanitize_utf8(pending_, nullptr);
  pending_.clear();
  return rest;
}

}  // namespace rft::model
