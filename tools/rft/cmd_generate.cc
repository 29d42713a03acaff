// rft generate --model DIR (--prompt TEXT | --data FILE.jsonl): sample text from a model;
// rft init-model DIR: write a small random model of the built-in family (for demos and tests).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "runtime/model/text_generator.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct GenerateOptions {
  std::string model, prompt, data, out;
  bool chat = false;   // wrap each prompt as a user message in the model's chat format
  std::string system;  // with --chat: a system message first
  model::TextOptions text;
  int batch = 8;
};

int fail(const std::string& msg) { return user_error("generate", msg); }

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// `prompt` as the model is to see it: as it is, or with --chat as a user message (after the
// --system message, if any) in the model's chat format, ending with the assistant's header.
Expected<std::string> model_prompt(const GenerateOptions& o, const model::TextGenerator& gen,
                                   const std::string& prompt) {
  if (!o.chat) return prompt;
  std::vector<model::ChatMessage> messages;
  if (!o.system.empty()) messages.push_back({"system", o.system});
  messages.push_back({"user", prompt});
  return gen.tokenizer().apply_chat_template(messages);
}

int run_generate(const GenerateOptions& o) {
  if (o.prompt.empty() == o.data.empty()) return fail("give exactly one of --prompt and --data");
  if (!o.system.empty() && !o.chat) return fail("--system needs --chat");
  Expected<std::unique_ptr<model::TextGenerator>> loaded = model::load_text_generator(o.model);
  if (!loaded.ok()) return fail(loaded.error());
  model::TextGenerator& gen = **loaded;
  std::cerr << "model: " << gen.describe() << "\n";

  if (!o.prompt.empty()) {
    Expected<std::string> prompt = model_prompt(o, gen, o.prompt);
    if (!prompt.ok()) return fail(prompt.error());
    auto start = std::chrono::steady_clock::now();
    auto results = gen.generate({*prompt}, o.text, [](size_t, std::string_view piece) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    });
    double s = seconds_since(start);
    std::printf("\n");
    std::fprintf(stderr, "%lld new tokens in %.2f s (%.1f tokens/s), finish: %s\n",
                 static_cast<long long>(results[0].new_tokens), s,
                 s > 0 ? static_cast<double>(results[0].new_tokens) / s : 0.0,
                 results[0].finish.c_str());
    return kOk;
  }

  std::ifstream in(o.data, std::ios::binary);
  if (!in) return fail("cannot read `" + o.data + "`");
  ResultsOutput output;
  if (Expected<void> opened = output.open(o.out); !opened) return fail(opened.error());
  std::ostream& out = output.stream();
  struct Row {
    size_t line;
    std::string prompt, error;
  };
  std::vector<Row> rows;
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    Row r{line, {}, {}};
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      r.error = "not a JSON object";
    } else if (!j.contains("prompt") || !j["prompt"].is_string()) {
      r.error = "`prompt` is missing or not a string";
    } else if (Expected<std::string> p = model_prompt(o, gen, j["prompt"].get<std::string>());
               !p.ok()) {
      return fail(p.error());
    } else {
      r.prompt = std::move(p).value();
    }
    rows.push_back(std::move(r));
  }
  auto start = std::chrono::steady_clock::now();
  int64_t tokens = 0;
  size_t errors = 0;
  for (size_t b = 0; b < rows.size(); b += static_cast<size_t>(o.batch)) {
    size_t e = std::min(rows.size(), b + static_cast<size_t>(o.batch));
    std::vector<std::string> prompts;
    std::vector<size_t> which;
    for (size_t i = b; i < e; ++i) {
      if (rows[i].error.empty()) {
        prompts.push_back(rows[i].prompt);
        which.push_back(i);
      }
    }
    model::TextOptions to = o.text;
    to.seed = o.text.seed + b;  // batches differ; reruns repeat
    std::vector<model::TextResult> results =
        prompts.empty() ? std::vector<model::TextResult>{} : gen.generate(prompts, to);
    size_t k = 0;
    for (size_t i = b; i < e; ++i) {
      nlohmann::ordered_json j;
      j["line"] = rows[i].line;
      if (!rows[i].error.empty()) {
        j["error"] = rows[i].error;
        ++errors;
      } else {
        const model::TextResult& r = results[k++];
        j["prompt"] = rows[i].prompt;
        j["completion"] = r.text;
        j["finish"] = r.finish;
        j["new_tokens"] = r.new_tokens;
        tokens += r.new_tokens;
      }
      out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    }
    out.flush();
    std::fprintf(stderr, "\rgenerated %zu/%zu rows", e, rows.size());
  }
  double s = seconds_since(start);
  std::fprintf(stderr, "\rgenerated %zu rows (%zu errors), %lld tokens in %.2f s (%.1f tokens/s)\n",
               rows.size(), errors, static_cast<long long>(tokens), s,
               s > 0 ? static_cast<double>(tokens) / s : 0.0);
  if (Expected<void> done = output.commit(); !done) return fail(done.error());
  return kOk;
}

struct InitOptions {
  std::string dir;
  std::string size = "tiny";
  uint64_t seed = 0;
};

int run_init(const InitOptions& o) {
  Expected<std::string> r = model::write_builtin_model(o.dir, o.size, o.seed);
  if (!r.ok()) return user_error("init-model", r.error());
  std::cerr << *r << "\n";
  return kOk;
}

}  // namespace

void add_generate(CLI::App& app, Command& run) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand("generate", "Generate text with a model");
  cmd->add_option("--model", o->model,
                  "A model directory: config.json, model.safetensors, tokenizer.json")
      ->required();
  cmd->add_option("--prompt", o->prompt, "One prompt; the text is streamed to standard output");
  cmd->add_option("--data", o->data, "JSONL rows with a `prompt`; one result line per row");
  cmd->add_option("--out", o->out, "Where --data results go (default: standard output)");
  cmd->add_option("--max-new-tokens", o->text.max_new_tokens, "New tokens at most")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--temperature", o->text.temperature, "0 for greedy")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--top-k", o->text.top_k, "Sample from the k most likely tokens (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", o->text.top_p, "Nucleus sampling threshold (1: off)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", o->text.seed, "Random seed")->capture_default_str();
  cmd->add_option("--stop", o->text.stop, "A stop string (repeatable); the text ends before it");
  cmd->add_option("--batch", o->batch, "Prompts per batch with --data")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o->text.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--chat", o->chat,
                "Send each prompt as a user message in the model's chat format (ChatML, Qwen3 or "
                "Llama-3, from its tokenizer_config.json)");
  cmd->add_option("--system", o->system, "With --chat: a system message before the prompt");
  cmd->callback([o, &run] { run = [o] { return run_generate(*o); }; });

  auto i = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand(
      "init-model", "Write a small random model of rft's built-in family (byte-level tokenizer)");
  init->add_option("dir", i->dir, "The directory to write")->required();
  init->add_option("--size", i->size, "tiny (about 1M parameters) or small (about 25M)")
      ->check(CLI::IsMember({"tiny", "small"}))
      ->capture_default_str();
  init->add_option("--seed", i->seed, "Random seed for the weights")->capture_default_str();
  init->callback([i, &run] { run = [i] { return run_init(*i); }; });
}

}  // namespace rft::cli
