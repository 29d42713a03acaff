// rft serve --model DIR [--compare DIR] [--spec SPEC --reward NAME]: an OpenAI-compatible HTTP
// server for a model, or a tuned model and its base side by side, with the playground page and,
// given a reward, the grading endpoint (runtime/serve).
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
#include <utility>
#include <vector>

#include "compiler/grading/grader.h"
#include "runtime/judge/provider.h"
#include "runtime/model/config.h"
#include "runtime/model/text_generator.h"
#include "runtime/serve/grading.h"
#include "runtime/serve/server.h"
#include "tools/rft/cli_common.h"
#include "tools/rft/commands.h"

namespace rft::cli {
namespace {

struct ServeOptions {
  std::string model, name, api_key_env;
  std::string compare, compare_name;
  std::string spec, reward;
  EngineKind engine = EngineKind::kJit;
  judge::ServiceOptions judges;
  serve::ServerOptions server;
};

int fail(const std::string& msg) {
  return user_error("serve", msg);
}

// The API names of the model and the compared one: the folders' names, with as many parent
// folders as it takes to tell them apart (runs/demo/base/final and runs/demo/tuned/final are
// `base/final` and `tuned/final`).
std::pair<std::string, std::string> default_names(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& dir) {
    std::vector<std::string> out;
    std::filesystem::path p = std::filesystem::absolute(dir).lexically_normal();
    for (const auto& part : p) {
      if (!part.empty() && part != "/") out.push_back(part.string());
    }
    return out;
  };
  std::vector<std::string> pa = parts(a), pb = parts(b);
  auto tail = [](const std::vector<std::string>& p, size_t n) {
    std::string s;
    for (size_t i = p.size() - std::min(n, p.size()); i < p.size(); ++i) {
      s += (s.empty() ? "" : "/") + p[i];
    }
    return s;
  };
  size_t n = 1;
  while (tail(pa, n) == tail(pb, n) && (n < pa.size() || n < pb.size())) ++n;
  return {tail(pa, n), tail(pb, n)};
}

int run_serve(ServeOptions& o) {
  serve::ServerOptions& s = o.server;
  if (!o.api_key_env.empty()) {
    const char* key = std::getenv(o.api_key_env.c_str());
    if (!key || !*key)
      return fail("--api-key-env names `" + o.api_key_env + "`, which is unset or empty");
    s.api_key = key;
  }
  std::string model_name = o.name, compare_name = o.compare_name;
  if (model_name.empty()) {
    std::filesystem::path p = std::filesystem::path(o.model).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    model_name = p.filename().string();
  }
  if (!o.compare.empty()) {
    auto [a, b] = default_names(o.model, o.compare);
    if (o.name.empty()) model_name = a;
    if (compare_name.empty()) compare_name = b;
    if (compare_name == model_name) {
      return fail("the model and the compared model are both called `" + model_name +
                  "`; name them with --name and --compare-name");
    }
  } else if (!o.compare_name.empty()) {
    return fail("--compare-name needs --compare");
  }
  if (s.limits.default_max_tokens > s.limits.max_tokens) {
    return fail("--max-new-tokens is larger than --max-tokens-limit");
  }
  if (o.spec.empty() != o.reward.empty()) {
    return fail(o.spec.empty() ? "--reward needs --spec" : "--spec needs --reward");
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

  // The reward is compiled before the models load, so that a spec with errors fails fast.
  std::unique_ptr<GraderEngine> grader;
  std::unique_ptr<serve::Grading> grading;
  if (!o.spec.empty()) {
    LoadedReward loaded = load_reward("serve", o.spec, o.reward);
    if (loaded.reward == nullptr) return kUserError;
    Expected<std::unique_ptr<GraderEngine>> created =
        GraderEngine::create(std::move(loaded), o.engine, true, &o.judges);
    if (!created) return fail(created.error());
    grader = std::move(created).value();
    grading = std::make_unique<serve::Grading>(*grader, o.spec, grader->grading_threads(s.threads));
  }

  std::vector<std::unique_ptr<model::TextGenerator>> generators;
  std::vector<serve::ServedModel> served;
  for (const auto& [dir, name] :
       {std::pair{o.model, model_name}, std::pair{o.compare, compare_name}}) {
    if (dir.empty()) continue;
    Expected<std::unique_ptr<model::TextGenerator>> loaded = model::load_text_generator(dir);
    if (!loaded.ok()) return fail(loaded.error());
    model::TextGenerator& gen = **loaded;
    // The context length is the config's; the generator loaded it already, so it reads.
    Expected<model::ModelConfig> config = model::load_model_config(dir);
    if (!config.ok()) return fail(config.error());
    std::cerr << "model `" << name << "`: " << gen.describe() << "\n";
    if (!gen.tokenizer().chat_template()) {
      std::cerr << "rft serve: `" << name << "` has no chat format that rft knows; "
                << "/v1/chat/completions will refuse requests for it (use /v1/completions)\n";
    }
    served.push_back({name, &gen, config->max_position_embeddings});
    generators.push_back(std::move(*loaded));
  }
  if (grader) {
    std::cerr << "grading with reward `" << o.reward << "` from " << o.spec
              << " (POST /v1/grade)\n";
  }

  s.batch.seed = std::random_device{}();
  serve::Server server(served, s, grading.get());
  Expected<int> port = server.bind();
  if (!port.ok()) return fail(port.error());
  std::cerr << "playground: http://" << s.host << ":" << *port << "/\n";
  std::cerr << "serving `" << model_name << "`"
            << (served.size() > 1 ? " and `" + compare_name + "`" : "") << " on http://" << s.host
            << ":" << *port << "/v1 (Ctrl-C stops)" << std::endl;

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
            << " generate calls";
  if (st.cancelled > 0) std::cerr << " (" << st.cancelled << " cancelled: their clients went away)";
  std::cerr << "\n";
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
  cmd->add_option("--compare", o->compare,
                  "A second model directory (the base model) served beside --model, for the "
                  "playground's side-by-side answers; requests choose it by its name");
  cmd->add_option("--compare-name", o->compare_name,
                  "The compared model's id in the API (default: its directory's name)");
  cmd->add_option("--spec", o->spec, "A .reward file to grade answers with (POST /v1/grade)");
  cmd->add_option("--reward", o->reward, "Which reward of --spec grades");
  add_engine_option(cmd, &o->engine, "How to evaluate the reward: jit, aot or interp");
  add_judge_flags(cmd, &o->judges, /*cache_flag=*/false);
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
  cmd->add_option("--max-connections", s.http.max_connections,
                  "Connections served at once; one more is answered 503 and closed")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--header-timeout", s.http.header_timeout_s,
                  "Seconds a request's line and headers may take to arrive")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--body-timeout", s.http.body_timeout_s,
                  "Seconds a request's body may take to arrive after its headers")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--io-timeout", s.http.io_timeout_s, "Seconds one read or write may wait")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->callback([o, &run] { run = [o] { return run_serve(*o); }; });
}

}  // namespace rft::cli
