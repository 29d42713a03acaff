#include "runtime/train/dataset.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "runtime/grader/json.h"

namespace rft::train {
namespace {

using Json = nlohmann::json;

constexpr size_t kListedRows = 20;  // bad rows listed in the error; the rest are counted
constexpr std::string_view kRoles[] = {"system", "user", "assistant", "tool"};

// "a number", "an object", ... for "expected X, found Y".
std::string a_type(const Json& j) {
  std::string t = j.type_name();
  bool vowel = std::string_view("aeiou").find(t[0]) != std::string_view::npos;
  return t == "null" ? "null" : (vowel ? "an " : "a ") + t;
}

// `messages`: the chat, checked; problems go to `problems`.
std::vector<model::ChatMessage> read_messages(const Json& messages,
                                              std::vector<std::string>& problems) {
  std::vector<model::ChatMessage> out;
  if (!messages.is_array()) {
    problems.push_back("`messages`: expected an array of {\"role\", \"content\"} objects, found " +
                       a_type(messages));
    return out;
  }
  if (messages.empty()) problems.push_back("`messages` is empty");
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    std::string at = "`messages[" + std::to_string(i) + "]";
    if (!m.is_object()) {
      problems.push_back(at + "`: expected an object with `role` and `content`, found " +
                         a_type(m));
      continue;
    }
    model::ChatMessage message;
    bool ok = true;
    for (const char* field : {"role", "content"}) {
      auto f = m.find(field);
      if (f == m.end()) {
        problems.push_back(at + "." + field + "` is missing");
        ok = false;
      } else if (!f->is_string()) {
        problems.push_back(at + "." + field + "`: expected a string, found " + a_type(*f));
        ok = false;
      }
    }
    if (!ok) continue;
    message.role = m["role"].get<std::string>();
    message.content = m["content"].get<std::string>();
    if (std::find(std::begin(kRoles), std::end(kRoles), message.role) == std::end(kRoles)) {
      problems.push_back(at + ".role`: `" + message.role +
                         "` is not one of system, user, assistant, tool");
      continue;
    }
    out.push_back(std::move(message));
  }
  return out;
}

// One line of the file as an example; problems go to `problems`.
Example read_example(const std::string& text, size_t line, const DatasetRequirements& req,
                     std::vector<std::string>& problems) {
  Example ex;
  ex.line = line;
  Expected<nlohmann::json> row = grader::read_json_document(text);
  if (!row) {
    problems.push_back(std::move(row).error());
    return ex;
  }
  ex.row = std::move(row).value();
  if (!ex.row.is_object()) {
    problems.push_back("expected a JSON object, found " + a_type(ex.row));
    return ex;
  }
  auto prompt = ex.row.find("prompt");
  auto messages = ex.row.find("messages");
  if (prompt != ex.row.end() && messages != ex.row.end()) {
    problems.push_back("the row has both `prompt` and `messages`; give one");
  } else if (prompt != ex.row.end()) {
    if (prompt->is_string()) {
      ex.prompt = prompt->get<std::string>();
    } else {
      problems.push_back("`prompt`: expected a string, found " + a_type(*prompt));
    }
  } else if (messages != ex.row.end()) {
    ex.messages = read_messages(*messages, problems);
  } else {
    problems.push_back("`prompt` (or `messages`) is missing");
  }
  auto completion = ex.row.find("completion");
  if (completion != ex.row.end() && completion->is_string()) {
    ex.completion = completion->get<std::string>();
  } else if (req.need_completion) {
    problems.push_back(completion == ex.row.end()
                           ? std::string("`completion` is missing")
                           : "`completion`: expected a string, found " + a_type(*completion));
  }
  if (req.check_item) {
    for (std::string& p : req.check_item(ex.row)) problems.push_back(std::move(p));
  }
  return ex;
}

}  // namespace

Expected<Dataset> load_dataset(const std::string& path, const DatasetRequirements& req) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return failure("cannot read `" + path + "`: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return failure("cannot read `" + path + "`: " + std::strerror(errno));
  Dataset data;
  data.path = path;
  std::vector<RowError> bad;
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> problems;
    Example ex = read_example(text, line, req, problems);
    if (problems.empty()) {
      data.examples.push_back(std::move(ex));
      continue;
    }
    RowError e{line, {}};
    for (const std::string& p : problems) e.message += (e.message.empty() ? "" : "; ") + p;
    bad.push_back(std::move(e));
  }
  if (in.bad()) return failure("cannot read `" + path + "`: a read error");
  if (!bad.empty()) {
    std::string msg =
        path + ": " + std::to_string(bad.size()) + (bad.size() == 1 ? " bad row:" : " bad rows:");
    for (size_t i = 0; i < bad.size() && i < kListedRows; ++i) {
      msg += "\n  line " + std::to_string(bad[i].line) + ": " + bad[i].message;
    }
    if (bad.size() > kListedRows)
      msg += "\n  and " + std::to_string(bad.size() - kListedRows) + " more";
    return failure(msg);
  }
  if (data.examples.empty()) {
    return failure(path + ": no examples (the file is empty)");
  }
  return data;
}

Expected<std::string> prompt_text(const Example& example, const model::Tokenizer& tokenizer) {
  if (!example.is_chat()) return example.prompt;
  Expected<std::string> text = tokenizer.apply_chat_template(example.messages);
  if (!text.ok()) {
    return failure(
        "line " + std::to_string(example.line) +
        ": the row is a chat (`messages`), but the model's tokenizer has no chat template that "
        "rft recognizes (ChatML or Llama-3); give the prompt as `prompt` text instead");
  }
  return text;
}

}  // namespace rft::train
