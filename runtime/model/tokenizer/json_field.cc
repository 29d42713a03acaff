#include "runtime/model/tokenizer/json_field.h"

#include "runtime/model/tokenizer/parts.h"

namespace rft::model {

nlohmann::json JsonField::parse(std::string_view text, std::string_view file) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 5: ...".
    std::string what = e.what();
    if (const size_t p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw TokenizerLoadError{std::string(file) + ": malformed JSON: " + what};
  }
}

std::optional<JsonField> JsonField::get(std::string_view key) const {
  const nlohmann::json& obj = object();
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  return JsonField(*it, file_, path_.empty() ? std::string(key) : path_ + "." + std::string(key));
}

JsonField JsonField::at(std::string_view key) const {
  std::optional<JsonField> f = get(key);
  if (!f) {
    const std::string where = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    throw TokenizerLoadError{std::string(file_) + ": " + where + ": missing"};
  }
  return *f;
}

JsonField JsonField::at(size_t i) const {
  return JsonField(array()[i], file_, path_ + "[" + std::to_string(i) + "]");
}

size_t JsonField::size() const {
  return value_->size();
}

const char* JsonField::type_name() const {
  return value_->type_name();
}

const nlohmann::json& JsonField::object() const {
  if (!value_->is_object()) fail(std::string("expected an object, found ") + type_name());
  return *value_;
}

const nlohmann::json& JsonField::array() const {
  if (!value_->is_array()) fail(std::string("expected an array, found ") + type_name());
  return *value_;
}

const std::string& JsonField::string() const {
  if (!value_->is_string()) fail(std::string("expected a string, found ") + type_name());
  return value_->get_ref<const std::string&>();
}

bool JsonField::boolean() const {
  if (!value_->is_boolean()) fail(std::string("expected true or false, found ") + type_name());
  return value_->get<bool>();
}

int64_t JsonField::integer() const {
  if (value_->is_number_unsigned() && value_->get<uint64_t>() > uint64_t{INT64_MAX}) {
    fail("integer out of range");
  }
  if (!value_->is_number_integer()) fail(std::string("expected an integer, found ") + type_name());
  return value_->get<int64_t>();
}

int32_t JsonField::token_id() const {
  const int64_t id = integer();
  if (id < 0 || id > kMaxTokenId) {
    fail("token id " + std::to_string(id) + " is outside 0.." + std::to_string(kMaxTokenId));
  }
  return static_cast<int32_t>(id);
}

bool JsonField::get_bool(std::string_view key, bool fallback) const {
  const std::optional<JsonField> f = get(key);
  return f ? f->boolean() : fallback;
}

std::optional<std::string> JsonField::get_string(std::string_view key) const {
  const std::optional<JsonField> f = get(key);
  if (!f) return std::nullopt;
  return f->string();
}

void JsonField::fail(const std::string& what) const {
  throw TokenizerLoadError{std::string(file_) + ": " + (path_.empty() ? "" : path_ + ": ") + what};
}

}  // namespace rft::model
