#include "runtime/model/tokenizer/added_tokens.h"

#include "runtime/grader/utf8.h"
#include "runtime/model/tokenizer/unicode.h"

namespace rft::model {

namespace {

// The code point that ends at `end` (> 0), or U+FFFD.
char32_t last_code_point(std::string_view s, size_t end) {
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) --start;
  const grader::CodePoint c = grader::decode_utf8(s, start);
  return c.valid && start + c.len == end ? c.cp : grader::kReplacementChar;
}

char32_t first_code_point(std::string_view s, size_t pos) {
  return grader::decode_utf8(s, pos).cp;
}

// The start of the whitespace that ends at `end`, not before `floor`.
size_t skip_white_space_back(std::string_view s, size_t end, size_t floor) {
  while (end > floor) {
    size_t start = end - 1;
    while (start > floor && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) --start;
    const grader::CodePoint c = grader::decode_utf8(s, start);
    if (!c.valid || start + c.len != end || !is_white_space(c.cp)) break;
    end = start;
  }
  return end;
}

size_t skip_white_space(std::string_view s, size_t pos) {
  while (pos < s.size()) {
    const grader::CodePoint c = grader::decode_utf8(s, pos);
    if (!c.valid || !is_white_space(c.cp)) break;
    pos += c.len;
  }
  return pos;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  trie_.emplace_back();
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& content = tokens_[i].content;
    if (content.empty()) continue;
    first_byte_[static_cast<uint8_t>(content[0])] = true;
    int32_t node = 0;
    for (char ch : content) {
      const auto b = static_cast<uint8_t>(ch);
      int32_t next = child(node, b);
      if (next < 0) {
        next = static_cast<int32_t>(trie_.size());
        trie_[node].children.emplace_back(b, next);
        trie_.emplace_back();
      }
      node = next;
    }
    trie_[node].token = static_cast<int32_t>(i);  // a later duplicate wins
  }
}

int32_t AddedTokenMatcher::child(int32_t node, uint8_t byte) const {
  for (const auto& [b, next] : trie_[node].children) {
    if (b == byte) return next;
  }
  return -1;
}

std::pair<int32_t, size_t> AddedTokenMatcher::longest_at(std::string_view text, size_t pos) const {
  std::pair<int32_t, size_t> best{-1, pos};
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    node = child(node, static_cast<uint8_t>(text[i]));
    if (node < 0) break;
    if (trie_[node].token >= 0) best = {trie_[node].token, i + 1};
  }
  return best;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<TextPiece>& out) const {
  size_t plain_start = 0;  // start of the plain text not yet emitted
  for (size_t pos = 0; pos < text.size();) {
    if (!first_byte_[static_cast<uint8_t>(text[pos])]) {
      ++pos;
      continue;
    }
    const auto [index, end] = longest_at(text, pos);
    if (index < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[index];
    if (token.single_word) {
      const bool word_before = pos > 0 && is_alphanumeric(last_code_point(text, pos));
      const bool word_after = end < text.size() && is_alphanumeric(first_code_point(text, end));
      if (word_before || word_after) {
        pos = end;  // a rejected match still consumes its text, as in Aho-Corasick's iteration
        continue;
      }
    }
    const size_t start = token.lstrip ? skip_white_space_back(text, pos, plain_start) : pos;
    const size_t stop = token.rstrip ? skip_white_space(text, end) : end;
    if (start > plain_start) out.push_back({text.substr(plain_start, start - plain_start), -1});
    out.push_back({text.substr(start, stop - start), token.id});
    plain_start = pos = stop;
  }
  if (plain_start < text.size()) out.push_back({text.substr(plain_start), -1});
}

}  // namespace rft::model
