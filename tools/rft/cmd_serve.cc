// rft serve --model DIR: an OpenAI-compatible HTTP server for a model (runtime/serve).
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "runtime/model/text_generator.h"
#include "runtime/serve/server.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct ServeOptions {
  std::string model, name, api_key_env;
  serve::ServerOptions server;
};

int fail(const std::string& msg) {
  return user_error("serve", msg);
}

int run_serve(ServeOptions& o) {
  serve::ServerOptions& s = o.server;
  if (!o.api_key_env.empty()) {
    const char* key = std::getenv(o.api_key_env.c_str());
    if (!key || !*key)
      return fail("--api-key-env names `" + o.api_key_env + "`, which is unset or empty");
    s.api_key = key;
  }
  s.model_name = o.name;
  if (s.model_name.empty()) {
    std::filesystem::path p = std::filesystem::path(o.model).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    s.model_name = p.filename().string();
  }
  if (s.limits.default_max_tokens > s.limits.max_tokens) {
    return fail("--max-new-tokens is larger than --max-tokens-limit");
  }

  // SIGINT and SIGTERM are taken by one thread that waits for them (blocked everywhere else,
  // and so in every thread started from here on, torch's and httplib's included), so that stopping
  // is ordinary code rather than a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not the end of the server

  model::Result<std::unique_ptr<model::TextGenerator>> loaded = model::load_text_generator(o.model);
  if (!loaded.ok()) return fail(loaded.error());
  model::TextGenerator& gen = **loaded;
  std::cerr << "model: " << gen.describe() << "\n";
  if (!gen.tokenizer().chat_template()) {
    std::cerr << "rft serve: the model has no chat format that rft knows; /v1/chat/completions "
                 "will refuse requests (use /v1/completions)\n";
  }

  s.batch.seed = std::random_device{}();
  serve::Server server(gen, s);
  model::Result<int> port = server.bind();
  if (!port.ok()) return fail(port.error());
  std::cerr << "serving `" << s.model_name << "` on http://" << s.host << ":" << *port
            << "/v1 (Ctrl-C stops)" << std::endl;

  std::atomic<bool> signalled{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled = true;
    server.stop();
  });
  server.run();
  // run() returns before a signal only when serving failed; wake the waiter then.
  if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  serve::BatchStats st = server.stats();
  std::cerr << "rft serve: stopped after " << st.prompts << " prompts in " << st.generate_calls
            << " generate calls\n";
  return kOk;
}

}  // namespace

void add_serve(CLI::App& app, Command& run) {
  auto o = std::make_shared<ServeOptions>();
  serve::ServerOptions& s = o->server;
  CLI::App* cmd = app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API");
  cmd->add_option("--model", o->model,
                  "A model directory: config.json, model.safetensors, tokenizer.json")
      ->required();
  cmd->add_option("--host", s.host, "The address to listen on")->capture_default_str();
  cmd->add_option("--port", s.port, "The port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--name", o->name,
                  "The model's id in the API (default: the model directory's name)");
  cmd->add_option("--api-key-env", o->api_key_env,
                  "An environment variable holding the API key that /v1/ requests must send "
                  "(Authorization: Bearer KEY)");
  cmd->add_option("--max-new-tokens", s.limits.default_max_tokens,
                  "New tokens for a request that gives no max_tokens")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-tokens-limit", s.limits.max_tokens,
                  "The largest max_tokens a request may ask for")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-batch", s.batch.max_batch, "Prompts generated together at most")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--batch-wait-ms", s.batch.wait_ms,
                  "How long a request waits for others to share its batch")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cmd->add_option("--threads", s.threads, "CPU threads for the model (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, &run] { run = [o] { return run_serve(*o); }; });
}

}  // namespace rft::cli
