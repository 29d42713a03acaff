// An OpenAI-compatible HTTP server for one model, or two side by side (a tuned model and the base
// it came from): POST /v1/chat/completions and /v1/completions (whole responses, or server-sent
// events with "stream": true), GET /v1/models, GET /v1/models/{id} and GET /health; with a reward
// loaded, GET and POST /v1/grade (grading.h); and the playground page at / (playground/).
// Concurrent requests for a model are batched (batcher.h); a request whose client goes away before
// its reply is complete is cancelled, so that the model stops generating for it. docs/serve.md
// describes the API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/model/text_generator.h"
#include "runtime/serve/batcher.h"
#include "runtime/serve/grading.h"
#include "runtime/serve/http_server.h"
#include "runtime/serve/request.h"

namespace rft::serve {

// A model the server answers for. The generator must outlive the server.
struct ServedModel {
  std::string name;  // its id in /v1/models; the `model` field of a request selects it
  model::TextGenerator* generator = nullptr;
  // The most tokens the model sees, prompt and new tokens together (its config's
  // max_position_embeddings); requests that do not fit are refused or cut (fit_context in
  // request.h). 0: not checked.
  int64_t context_length = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;      // 0: any free port (bind() says which)
  std::string api_key;  // empty: no key; else /v1/ routes need "Authorization: Bearer KEY"
  RequestLimits limits;
  BatchOptions batch;
  HttpLimits http;        // connections at once, and how long a request may take to arrive
  int threads = 0;        // torch threads for generation; 0: all cores
};

class Server {
 public:
  // `models` (at least one, distinct names): a request that names no model gets the first. Each
  // model has its own batcher thread. `grading` (optional) must outlive the server.
  Server(std::vector<ServedModel> models, ServerOptions options, const Grading* grading = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port, or why it could not.
  Expected<int> bind();
  // Serves until stop(); then lets the requests in flight finish. Call after bind().
  void run();
  // Stops accepting connections and makes run() return once the requests in flight are answered.
  // Thread-safe (not async-signal-safe: call it from a thread that waits for signals).
  void stop();
  // Batching counters over all models (largest_batch: the largest of any model's).
  BatchStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rft::serve
