// Reading a JSON document field by field with errors that say where: every failure throws
// TokenizerLoadError with "<file>: <path>: <what>", e.g.
// "tokenizer.json: model.merges[12]: \"a b\" uses \"b\", which is not in model.vocab".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace rft::model {

class JsonField {
 public:
  JsonField(const nlohmann::json& value, std::string_view file, std::string path)
      : value_(&value), file_(file), path_(std::move(path)) {}

  // Parses `text` as the document `file`; malformed JSON throws with the parser's position.
  static nlohmann::json parse(std::string_view text, std::string_view file);

  const nlohmann::json& json() const { return *value_; }
  const std::string& path() const { return path_; }
  std::string_view file() const { return file_; }

  // The member `key` (this must be an object): absent or null gives nullopt / an error.
  std::optional<JsonField> get(std::string_view key) const;
  JsonField at(std::string_view key) const;
  // Element `i` of this array.
  JsonField at(size_t i) const;
  size_t size() const;  // of an array or object

  const nlohmann::json& object() const;  // this, checked to be an object
  const nlohmann::json& array() const;   // this, checked to be an array
  const std::string& string() const;
  bool boolean() const;
  int64_t integer() const;
  // A token id: an integer in [0, kMaxTokenId].
  int32_t token_id() const;

  // Optional members with defaults; present but of the wrong type is an error.
  bool get_bool(std::string_view key, bool fallback) const;
  std::optional<std::string> get_string(std::string_view key) const;

  [[noreturn]] void fail(const std::string& what) const;

  // Ids above this are refused, so that a corrupt file cannot make the id tables huge.
  static constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

 private:
  const char* type_name() const;
  const nlohmann::json* value_;
  std::string_view file_;
  std::string path_;
};

}  // namespace rft::model
