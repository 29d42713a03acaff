// An OpenAI-compatible HTTP server for one model: POST /v1/chat/completions and
// /v1/completions (whole responses, or server-sent events with "stream": true), GET /v1/models,
// GET /v1/models/{id} and GET /health. Concurrent requests are batched (batcher.h). docs/serve.md
// describes the API as served.
#pragma once

#include <memory>
#include <string>

#include "runtime/model/result.h"
#include "runtime/model/text_generator.h"
#include "runtime/serve/batcher.h"
#include "runtime/serve/request.h"

namespace rft::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;         // 0: any free port (bind() says which)
  std::string model_name;  // the id in /v1/models; requests naming another model get 404
  std::string api_key;     // empty: no key; else /v1/ routes need "Authorization: Bearer KEY"
  RequestLimits limits;
  BatchOptions batch;
  int http_threads = 32;  // connections served at once (a streaming one holds its thread)
  int threads = 0;        // torch threads for generation; 0: all cores
};

class Server {
 public:
  // `generator` must outlive the server.
  Server(model::TextGenerator& generator, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port, or why it could not.
  model::Result<int> bind();
  // Serves until stop(); then lets the requests in flight finish. Call after bind().
  void run();
  // Stops accepting connections and makes run() return once the requests in flight are answered.
  // Thread-safe (not async-signal-safe: call it from a thread that waits for signals).
  void stop();
  BatchStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rft::serve
