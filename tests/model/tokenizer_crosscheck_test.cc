// rft's tokenizer against two independent implementations on the real Qwen3 and Llama-3
// tokenizer files: transformers.js (@lenml/tokenizers) and Hugging Face tokenizers (Rust, via
// its Node binding). Every string of the corpus must give identical ids, decode back to itself,
// and decode back to itself (normalized) and the same as Hugging Face, also when its last token
// is cut off.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runtime/grader/utf8.h"
#include "tests/model/reference_tokenizers.h"
#include "tests/model/tokenizer_corpus.h"

namespace rft::model::testing {
namespace {

// JSON with \u escapes, so that strings differing only in invisible or combining characters
// look different.
std::string show(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string show_ids(const std::vector<int32_t>& ids) {
  return nlohmann::json(ids).dump();
}

// The bytes a token stands for, as a JSON-like string with \xNN for bytes that are not whole
// UTF-8 characters (tokens often hold part of one).
std::string show_bytes(std::string_view bytes) {
  std::string out = "\"";
  for (size_t pos = 0; pos < bytes.size();) {
    const grader::CodePoint c = grader::decode_utf8(bytes, pos);
    if (c.valid) {
      const std::string json = show(std::string(bytes.substr(pos, c.len)));
      out += json.substr(1, json.size() - 2);
      pos += c.len;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X",
                    static_cast<unsigned>(static_cast<uint8_t>(bytes[pos])));
      out += hex;
      ++pos;
    }
  }
  return out + "\"";
}

// The bytes of each token, to see where two encodings part.
std::string show_pieces(const Tokenizer& t, const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i)
    out += (i ? ", " : "") + show_bytes(t.token_bytes(ids[i]));
  return out + "]";
}

// Counts the strings where `ours` and `theirs` agree, and describes the first few that do not.
class MismatchReport {
 public:
  MismatchReport(const Tokenizer& t, std::string reference)
      : t_(t), reference_(std::move(reference)) {}

  void check(const std::string& s, const std::vector<int32_t>& ours,
             const std::vector<int32_t>& theirs) {
    ++total_;
    if (ours == theirs) return;
    if (++mismatches_ > kShown) return;
    details_ << "\n  string: " << show(s) << "\n    rft:  " << show_ids(ours) << " "
             << show_pieces(t_, ours) << "\n    " << reference_ << ": " << show_ids(theirs) << " "
             << show_pieces(t_, theirs);
  }

  size_t mismatches() const { return mismatches_; }
  std::string summary() const {
    return std::to_string(total_ - mismatches_) + "/" + std::to_string(total_) +
           " strings identical to " + reference_;
  }
  std::string details() const { return details_.str(); }

 private:
  static constexpr size_t kShown = 10;
  const Tokenizer& t_;
  std::string reference_;
  size_t total_ = 0;
  size_t mismatches_ = 0;
  std::ostringstream details_;
};

// Round trips: decode(encode(s)) must give s back after the tokenizer's normalizer (NFC for
// Qwen3, so a decomposed "e\u0301" comes back composed, as from Hugging Face) and agree with
// Hugging Face's decode of the same ids, also when the last id is cut off (half a character).
class RoundTripReport {
 public:
  void check(const Tokenizer& t, const std::string& s, const std::vector<int32_t>& ids,
             const ReferenceEncoding& ref) {
    ++total_;
    const std::string normalized = t.normalize(s);
    changed_by_normalizer_ += normalized != s;
    const std::string decoded = t.decode(ids);
    std::string problem;
    if (decoded != normalized) {
      problem = "decode(encode(s)) = " + show(decoded) + ", normalized s = " + show(normalized);
    } else if (ids == ref.hf && decoded != ref.hf_decode) {
      problem = "decode = " + show(decoded) + ", HF tokenizers' = " + show(ref.hf_decode);
    } else if (ids == ref.hf && !ids.empty()) {
      const std::string head = t.decode(std::span(ids).first(ids.size() - 1));
      if (head != ref.hf_decode_head) {
        problem = "decode without the last id = " + show(head) +
                  ", HF tokenizers' = " + show(ref.hf_decode_head);
      }
    }
    if (problem.empty()) return;
    if (++failures_ <= 10) details_ << "\n  string: " << show(s) << ": " << problem;
  }

  size_t failures() const { return failures_; }
  std::string summary() const {
    return std::to_string(total_ - failures_) + "/" + std::to_string(total_) + " round trips (" +
           std::to_string(changed_by_normalizer_) + " strings changed by the normalizer)";
  }
  std::string details() const { return details_.str(); }

 private:
  size_t total_ = 0;
  size_t failures_ = 0;
  size_t changed_by_normalizer_ = 0;
  std::ostringstream details_;
};

void cross_check(const std::string& name) {
  const Tokenizer* t = reference_tokenizer(name);
  ASSERT_NE(t, nullptr);
  const std::vector<std::string> corpus = tokenizer_corpus();
  ASSERT_GE(corpus.size(), 1000u);
  std::string error;
  const std::vector<ReferenceEncoding> refs = reference_encode(name, corpus, &error);
  ASSERT_TRUE(error.empty()) << error;

  MismatchReport vs_js(*t, "transformers.js");
  MismatchReport vs_hf(*t, "HF tokenizers");
  RoundTripReport round_trips;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const std::vector<int32_t> ids = t->encode(corpus[i]);
    vs_js.check(corpus[i], ids, refs[i].lenml);
    vs_hf.check(corpus[i], ids, refs[i].hf);
    round_trips.check(*t, corpus[i], ids, refs[i]);
  }
  std::cout << "[ crosscheck ] " << name << ": " << vs_js.summary() << "; " << vs_hf.summary()
            << "; " << round_trips.summary() << "\n";
  EXPECT_EQ(vs_js.mismatches(), 0u) << name << ": " << vs_js.summary() << vs_js.details();
  EXPECT_EQ(vs_hf.mismatches(), 0u) << name << ": " << vs_hf.summary() << vs_hf.details();
  EXPECT_EQ(round_trips.failures(), 0u)
      << name << ": " << round_trips.summary() << round_trips.details();
}

TEST(TokenizerCrossCheck, Qwen3MatchesTransformersJsAndHuggingFace) {
  cross_check("qwen3");
}

TEST(TokenizerCrossCheck, Llama3MatchesTransformersJsAndHuggingFace) {
  cross_check("llama3");
}

}  // namespace
}  // namespace rft::model::testing
