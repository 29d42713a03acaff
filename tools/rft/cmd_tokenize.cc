// rft tokenize (--tokenizer PATH | --model DIR) (--text TEXT | --data IN.jsonl [--out OUT.jsonl]):
// the token ids and token strings of a text as the model sees it, for counting and for debugging
// prompts and chat templates. Needs no torch: the tokenizer is read from tokenizer.json.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "runtime/model/tokenizer.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct TokenizeOptions {
  std::string tokenizer, model, text, data, out;
  bool chat = false;        // the text as a user message in the tokenizer's chat format
  std::string system;       // with --chat: a system message first
  bool no_special = false;  // plain encode: no BOS or other post-processor tokens
  bool json = false;        // --text: one JSON object instead of a table
};

int fail(const std::string& msg) {
  return user_error("tokenize", msg);
}

// What the model is fed for `text`: as it is, or with --chat formatted as a user message.
Expected<std::string> tokenizer_input(const TokenizeOptions& o, const model::Tokenizer& tok,
                                      const std::string& text) {
  if (!o.chat) return text;
  std::vector<model::ChatMessage> messages;
  if (!o.system.empty()) messages.push_back({"system", o.system});
  messages.push_back({"user", text});
  return tok.apply_chat_template(messages, {});
}

// Token ids of `text` and their strings as tokenizer.json writes them ("Ġthe" for " the"), the
// way Hugging Face's convert_ids_to_tokens shows them; always valid UTF-8.
nlohmann::ordered_json tokens_json(const TokenizeOptions& o, const model::Tokenizer& tok,
                                   const std::string& text) {
  std::vector<int32_t> ids = o.no_special ? tok.encode(text, false) : tok.encode_prompt(text);
  nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
  for (int32_t id : ids) tokens.push_back(std::string(tok.id_to_token(id).value_or("")));
  nlohmann::ordered_json j;
  j["count"] = ids.size();
  j["ids"] = ids;
  j["tokens"] = std::move(tokens);
  return j;
}

int print_text(const TokenizeOptions& o, const model::Tokenizer& tok) {
  Expected<std::string> input = tokenizer_input(o, tok, o.text);
  if (!input.ok()) return fail(input.error());
  nlohmann::ordered_json j = tokens_json(o, tok, *input);
  if (o.json) {
    std::cout << j.dump() << "\n";
    return kOk;
  }
  for (size_t i = 0; i < j["ids"].size(); ++i) {
    std::printf("%6zu %8d  %s\n", i, j["ids"][i].get<int>(), j["tokens"][i].dump().c_str());
  }
  std::printf("%zu tokens\n", j["ids"].size());
  return kOk;
}

// One output row per input row: {"line", "ids", "tokens", "count"} and the row's other fields,
// or {"line", "error"} for a row without a string `text`.
int tokenize_data(const TokenizeOptions& o, const model::Tokenizer& tok) {
  std::ifstream in(o.data, std::ios::binary);
  if (!in) return fail("cannot read `" + o.data + "`");
  ResultsOutput output;
  if (Expected<void> opened = output.open(o.out); !opened) return fail(opened.error());
  std::ostream& out = output.stream();
  size_t rows = 0, errors = 0, tokens = 0;
  std::string line_text;
  for (size_t line = 1; std::getline(in, line_text); ++line) {
    if (line_text.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++rows;
    nlohmann::ordered_json row = nlohmann::ordered_json::parse(line_text, nullptr, false);
    nlohmann::ordered_json result;
    result["line"] = line;
    std::string error;
    if (row.is_discarded() || !row.is_object()) {
      error = "not a JSON object";
    } else if (!row.contains("text") || !row["text"].is_string()) {
      error = "`text` is missing or not a string";
    } else if (Expected<std::string> input =
                   tokenizer_input(o, tok, row["text"].get<std::string>());
               !input.ok()) {
      return fail(input.error());
    } else {
      nlohmann::ordered_json t = tokens_json(o, tok, *input);
      tokens += t["count"].get<size_t>();
      result.update(row);
      result.update(t);
      result["line"] = line;  // the input line, whatever the row holds
    }
    if (!error.empty()) {
      result["error"] = error;
      ++errors;
      std::fprintf(stderr, "%s:%zu: %s\n", o.data.c_str(), line, error.c_str());
    }
    out << result.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  }
  if (Expected<void> done = output.commit(); !done) return fail(done.error());
  std::fprintf(stderr, "tokenized %zu rows (%zu errors), %zu tokens\n", rows, errors, tokens);
  return errors > 0 ? kUserError : kOk;
}

int run_tokenize(const TokenizeOptions& o) {
  if (o.tokenizer.empty() == o.model.empty()) {
    return fail("give exactly one of --tokenizer and --model");
  }
  if (o.text.empty() == o.data.empty()) return fail("give exactly one of --text and --data");
  if (!o.out.empty() && o.data.empty()) return fail("--out goes with --data");
  if (!o.system.empty() && !o.chat) return fail("--system needs --chat");
  Expected<model::Tokenizer> tok =
      model::Tokenizer::load(o.tokenizer.empty() ? o.model : o.tokenizer);
  if (!tok.ok()) return fail(tok.error());
  return o.data.empty() ? print_text(o, *tok) : tokenize_data(o, *tok);
}

}  // namespace

void add_tokenize(CLI::App& app, Command& run) {
  auto o = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "tokenize", "Show the token ids and tokens of a text, as a model's tokenizer makes them");
  cmd->add_option("--tokenizer", o->tokenizer,
                  "A tokenizer.json, or a directory holding one (and tokenizer_config.json)");
  cmd->add_option("--model", o->model, "A model directory: its tokenizer is used");
  cmd->add_option("--text", o->text, "One text: prints a table of its tokens");
  cmd->add_option("--data", o->data,
                  "JSONL rows with a `text`; each row comes back with `ids`, `tokens`, `count`");
  cmd->add_option("--out", o->out, "Where --data results go (default: standard output)");
  cmd->add_flag("--chat", o->chat,
                "Tokenize the text as a user message in the tokenizer's chat format, ending with "
                "the assistant's header (as `rft generate --chat` prompts the model)");
  cmd->add_option("--system", o->system, "With --chat: a system message before the text");
  cmd->add_flag("--no-special-tokens", o->no_special,
                "Leave out the tokens the post-processor adds (a BOS, ...); by default the ids "
                "are those rft feeds the model for a prompt");
  cmd->add_flag("--json", o->json, "With --text: print one JSON object (count, ids, tokens)");
  cmd->callback([o, &run] { run = [o] { return run_tokenize(*o); }; });
}

}  // namespace rft::cli
