#include "runtime/serve/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "runtime/serve/api_key.h"
#include "runtime/serve/client_watch.h"
#include "runtime/serve/playground.h"

namespace rft::serve {
namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_error(httplib::Response& res, const ApiError& e) {
  send_json(res, e.status, Json(e.body()));
}

ApiError make_error(int status, std::string message, std::string type, std::string code,
                    std::string param = {}) {
  ApiError e;
  e.status = status;
  e.message = std::move(message);
  e.type = std::move(type);
  e.code = std::move(code);
  e.param = std::move(param);
  return e;
}

// The OpenAI API's finish_reason: "stop" for an end-of-sequence token or a stop string.
const char* finish_reason(const std::string& finish) {
  return finish == "length" ? "length" : "stop";
}

Json usage_json(int64_t prompt_tokens, int64_t completion_tokens) {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", prompt_tokens + completion_tokens}};
}

// How often a handler that waits for the model looks whether its client is still there.
constexpr std::chrono::milliseconds kClientPoll{50};

// What a request's generate calls report, gathered for its handler thread.
struct Outcomes {
  // Set by the handler when its client has gone away; the batcher then gives up the request's
  // prompts (batcher.h).
  std::atomic<bool> cancelled{false};
  std::mutex mu;
  std::condition_variable cv;
  size_t left = 0;
  std::vector<model::TextResult> results;
  size_t batch_size = 0;  // the most prompts that one of this request's calls served
  std::string error;
  // Streaming only: text pieces and ends in the order they happened.
  struct Event {
    size_t index;
    std::string text;
    bool done;
  };
  std::deque<Event> events;
};

}  // namespace

struct Server::Impl {
  // A served model and the batcher thread that owns it.
  struct Slot {
    std::string name;
    model::TextGenerator* generator;
    int64_t context_length;
    std::unique_ptr<Batcher> batcher;
  };

  Impl(std::vector<ServedModel> models, ServerOptions opts, const Grading* g)
      : o(std::move(opts)), grading(g), http(o.http), started(std::time(nullptr)) {
    for (ServedModel& m : models) {
      BatchOptions b = o.batch;
      b.seed += slots.size();  // the models' unseeded samples are drawn independently
      slots.push_back({std::move(m.name), m.generator, m.context_length,
                       std::make_unique<Batcher>(*m.generator, b)});
    }
    std::random_device rd;
    id_rng.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
  }

  ServerOptions o;
  std::vector<Slot> slots;  // never empty
  const Grading* grading;
  HttpServer http;
  int64_t started;
  std::mutex id_mu;
  std::mt19937_64 id_rng;
  std::atomic<bool> stop_requested{false}, running{false};

  std::string new_id(const char* prefix) {
    std::lock_guard<std::mutex> lock(id_mu);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s-%016llx", prefix, static_cast<unsigned long long>(id_rng()));
    return buf;
  }

  Json model_json(const Slot& m) const {
    return {{"id", m.name}, {"object", "model"}, {"created", started}, {"owned_by", "rft"}};
  }
  const Slot* find(const std::string& name) const {
    for (const Slot& m : slots) {
      if (m.name == name) return &m;
    }
    return nullptr;
  }
  std::string served_names() const {
    std::string names;
    for (const Slot& m : slots) names += (names.empty() ? "`" : ", `") + m.name + "`";
    return names;
  }
  void stop_batchers() {
    for (Slot& m : slots) m.batcher->stop();
  }

  void routes();
  bool authorized(const httplib::Request& req, httplib::Response& res) const;
  void generate(Endpoint endpoint, const httplib::Request& req, httplib::Response& res);
  void respond(const Slot& m, const GenerationRequest& r, const std::shared_ptr<Outcomes>& out,
               const ClientWatch& client, httplib::Response& res);
  void stream(const Slot& m, const GenerationRequest& r, std::shared_ptr<Outcomes> out,
              ClientWatch client, httplib::Response& res);
};

bool Server::Impl::authorized(const httplib::Request& req, httplib::Response& res) const {
  if (o.api_key.empty() || req.path.rfind("/v1/", 0) != 0) return true;
  std::string header = req.get_header_value("Authorization");
  std::string_view token = bearer_token(header);
  if (constant_time_equal(token, o.api_key)) return true;
  res.set_header("WWW-Authenticate", "Bearer");
  send_error(res, token.empty()
                      ? make_error(401,
                                   "You didn't provide an API key. Send it in the Authorization "
                                   "header: `Authorization: Bearer KEY`.",
                                   "invalid_request_error", "missing_api_key")
                      : make_error(401, "Incorrect API key provided.", "invalid_request_error",
                                   "invalid_api_key"));
  return false;
}

void Server::Impl::routes() {
  http.set_payload_max_length(32u << 20);
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    HttpServer::headers_read();
    return authorized(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                : httplib::Server::HandlerResponse::Handled;
  });
  // Statuses that httplib sets itself (no route, a body too large, a malformed request) get the
  // API's error shape too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                 httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404) {
      send_error(res, make_error(404, "Unknown request URL: " + req.method + " " + req.path + ".",
                                 "invalid_request_error", "unknown_url"));
    } else {
      const char* what = res.status == 413   ? "the request body is too large"
                         : res.status == 405 ? "method not allowed"
                         : res.status < 500  ? "bad request"
                                             : "server error";
      send_error(res,
                 make_error(res.status, "HTTP " + std::to_string(res.status) + ": " + what + ".",
                            res.status < 500 ? "invalid_request_error" : "server_error", ""));
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send_error(res, make_error(500, "The server had an error: " + what, "server_error", ""));
      });

  // The counters at the top are the first model's; "models" has every model's.
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    auto counters = [](const BatchStats& s) {
      return Json{{"generate_calls", s.generate_calls},
                  {"prompts", s.prompts},
                  {"largest_batch", s.largest_batch},
                  {"last_batch", s.last_batch},
                  {"queued", s.queued},
                  {"cancelled", s.cancelled}};
    };
    Json body = {{"status", "ok"}, {"model", slots[0].name}};
    body.update(counters(slots[0].batcher->stats()));
    Json models = Json::array();
    for (const Slot& m : slots) {
      Json j = {{"id", m.name}};
      j.update(counters(m.batcher->stats()));
      models.push_back(std::move(j));
    }
    body["models"] = std::move(models);
    send_json(res, 200, body);
  });
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    Json data = Json::array();
    for (const Slot& m : slots) data.push_back(model_json(m));
    send_json(res, 200, {{"object", "list"}, {"data", std::move(data)}});
  });
  http.Get(R"(/v1/models/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string id = req.matches[1];
    const Slot* m = find(id);
    if (m == nullptr) {
      send_error(res, make_error(404, "The model `" + id + "` does not exist.",
                                 "invalid_request_error", "model_not_found", "model"));
      return;
    }
    send_json(res, 200, model_json(*m));
  });
  auto no_grader = [](httplib::Response& res) {
    send_error(res, make_error(404,
                               "This server grades nothing: start it with --spec SPEC --reward "
                               "NAME to grade completions.",
                               "invalid_request_error", "no_grader"));
  };
  http.Get("/v1/grade", [this, no_grader](const httplib::Request&, httplib::Response& res) {
    if (grading == nullptr) return no_grader(res);
    send_json(res, 200, grading->describe());
  });
  http.Post("/v1/grade", [this, no_grader](const httplib::Request& req, httplib::Response& res) {
    if (grading == nullptr) return no_grader(res);
    Expected<Json, ApiError> graded = grading->grade(req.body);
    if (!graded) return send_error(res, graded.error());
    send_json(res, 200, *graded);
  });
  // The playground: static files compiled into the binary. Its script only calls this server,
  // so the page may load nothing from elsewhere.
  for (const PlaygroundFile& f : playground_files()) {
    const std::string path = f.path == "/index.html" ? "/" : std::string(f.path);
    http.Get(path, [f](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                     "form-action 'none'; frame-ancestors 'none'");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(f.data.data(), f.data.size(), std::string(f.content_type));
    });
  }
  http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    generate(Endpoint::kChat, req, res);
  });
  http.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
    generate(Endpoint::kCompletions, req, res);
  });
}

void Server::Impl::generate(Endpoint endpoint, const httplib::Request& req,
                            httplib::Response& res) {
  // The model is chosen before the body is parsed in full: chat messages are formatted with the
  // chosen model's tokenizer. A body that is not JSON goes to the first model's parser, which says
  // what is wrong with it.
  const Slot* m = &slots[0];
  {
    nlohmann::json peek = nlohmann::json::parse(req.body, nullptr, false);
    if (peek.is_object()) {
      auto name = peek.find("model");
      if (name != peek.end() && name->is_string() && !name->get_ref<const std::string&>().empty()) {
        m = find(name->get<std::string>());
        if (m == nullptr) {
          return send_error(
              res, make_error(404,
                              "The model `" + name->get<std::string>() +
                                  "` does not exist; this server serves " + served_names() + ".",
                              "invalid_request_error", "model_not_found", "model"));
        }
      }
    }
  }
  Expected<GenerationRequest, ApiError> parsed =
      parse_request(endpoint, req.body, m->generator->tokenizer(), o.limits);
  if (!parsed) return send_error(res, parsed.error());
  GenerationRequest& r = *parsed;
  if (auto fitted = fit_context(r, m->generator->tokenizer(), m->context_length); !fitted) {
    return send_error(res, fitted.error());
  }
  r.options.threads = o.threads;

  auto out = std::make_shared<Outcomes>();
  out->left = r.prompts.size();
  out->results.resize(r.prompts.size());
  std::vector<Job> jobs;
  for (size_t i = 0; i < r.prompts.size(); ++i) {
    Job job;
    job.prompt = r.prompts[i];
    job.options = r.options;
    job.seeded = r.seeded;
    job.cancelled = [out] { return out->cancelled.load(); };
    if (r.stream) {
      job.on_text = [out, i](std::string_view piece) {
        {
          std::lock_guard<std::mutex> lock(out->mu);
          out->events.push_back({i, std::string(piece), false});
        }
        out->cv.notify_all();
      };
    }
    job.on_done = [out, i, stream = r.stream](const model::TextResult& result, size_t batch_size,
                                              const std::string& error) {
      {
        std::lock_guard<std::mutex> lock(out->mu);
        out->results[i] = result;
        out->batch_size = std::max(out->batch_size, batch_size);
        if (!error.empty()) out->error = error;
        --out->left;
        if (stream) out->events.push_back({i, {}, true});
      }
      out->cv.notify_all();
    };
    jobs.push_back(std::move(job));
  }
  if (!m->batcher->submit(std::move(jobs))) {
    return send_error(
        res, make_error(503, "The server is shutting down.", "server_error", "shutting_down"));
  }
  ClientWatch client(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
  if (r.stream) {
    stream(*m, r, std::move(out), client, res);
  } else {
    respond(*m, r, out, client, res);
  }
}

void Server::Impl::respond(const Slot& m, const GenerationRequest& r,
                           const std::shared_ptr<Outcomes>& out, const ClientWatch& client,
                           httplib::Response& res) {
  std::unique_lock<std::mutex> lock(out->mu);
  while (!out->cv.wait_for(lock, kClientPoll, [&] { return out->left == 0; })) {
    if (client.gone()) {
      out->cancelled = true;
      // Nobody reads it; httplib needs a response all the same.
      return send_error(res, make_error(499, "The client closed the connection.",
                                        "invalid_request_error", "client_closed_request"));
    }
  }
  if (!out->error.empty()) {
    return send_error(
        res, make_error(500, "The server had an error: " + out->error, "server_error", ""));
  }
  const bool chat = r.endpoint == Endpoint::kChat;
  Json choices = Json::array();
  int64_t prompt_tokens = 0, completion_tokens = 0;
  for (size_t i = 0; i < out->results.size(); ++i) {
    const model::TextResult& t = out->results[i];
    Json c = {{"index", i}};
    if (chat) {
      c["message"] = {{"role", "assistant"}, {"content", t.text}};
    } else {
      c["text"] = t.text;
    }
    c["logprobs"] = nullptr;
    c["finish_reason"] = finish_reason(t.finish);
    choices.push_back(std::move(c));
    prompt_tokens += t.prompt_tokens;
    completion_tokens += t.new_tokens;
  }
  Json body = {{"id", new_id(chat ? "chatcmpl" : "cmpl")},
               {"object", chat ? "chat.completion" : "text_completion"},
               {"created", static_cast<int64_t>(std::time(nullptr))},
               {"model", m.name},
               {"choices", std::move(choices)},
               {"usage", usage_json(prompt_tokens, completion_tokens)}};
  // How many prompts the generate call that answered this request served (the largest, when the
  // request's prompts went to several calls).
  res.set_header("X-Rft-Batch-Size", std::to_string(out->batch_size));
  send_json(res, 200, body);
}

void Server::Impl::stream(const Slot& m, const GenerationRequest& r, std::shared_ptr<Outcomes> out,
                          ClientWatch client, httplib::Response& res) {
  const bool chat = r.endpoint == Endpoint::kChat;
  Json head = {{"id", new_id(chat ? "chatcmpl" : "cmpl")},
               {"object", chat ? "chat.completion.chunk" : "text_completion"},
               {"created", static_cast<int64_t>(std::time(nullptr))},
               {"model", m.name}};
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [out, head, chat, client,
                                                         include_usage = r.include_usage](
                                                            size_t, httplib::DataSink& sink) {
    // A write fails, or the watch sees it, once the client has gone away: its prompts are then
    // cancelled, and the response ends.
    auto send = [&](const Json& j) {
      std::string line = "data: " + dump(j) + "\n\n";
      if (sink.write(line.data(), line.size())) return true;
      out->cancelled = true;
      return false;
    };
    auto chunk = [&](size_t index, const Json* text, const char* finish) {
      Json j = head;
      Json c = {{"index", index}};
      if (chat) {
        c["delta"] = text ? Json{{"content", *text}} : Json::object();
      } else {
        c["text"] = text ? *text : Json("");
      }
      c["logprobs"] = nullptr;
      c["finish_reason"] = finish ? Json(finish) : Json();
      j["choices"] = Json::array({std::move(c)});
      if (include_usage) j["usage"] = nullptr;
      return send(j);
    };
    if (chat) {
      // The first chunk names the role, as OpenAI's does.
      Json j = head;
      j["choices"] = Json::array({{{"index", 0},
                                   {"delta", {{"role", "assistant"}, {"content", ""}}},
                                   {"logprobs", nullptr},
                                   {"finish_reason", nullptr}}});
      if (include_usage) j["usage"] = nullptr;
      if (!send(j)) return false;
    }
    std::unique_lock<std::mutex> lock(out->mu);
    for (;;) {
      if (!out->cv.wait_for(lock, kClientPoll,
                            [&] { return !out->events.empty() || out->left == 0; })) {
        if (client.gone()) {
          out->cancelled = true;
          return false;
        }
        continue;
      }
      while (!out->events.empty()) {
        Outcomes::Event e = std::move(out->events.front());
        out->events.pop_front();
        const std::string finish = e.done ? out->results[e.index].finish : std::string();
        const bool failed = !out->error.empty();
        bool ok = true;
        lock.unlock();
        if (!e.done) {
          Json text = e.text;
          ok = chunk(e.index, &text, nullptr);
        } else if (!failed) {
          ok = chunk(e.index, nullptr, finish_reason(finish));
        }
        lock.lock();
        if (!ok) return false;
      }
      if (out->left == 0 && out->events.empty()) break;
    }
    if (!out->error.empty()) {
      send(Json(
          make_error(500, "The server had an error: " + out->error, "server_error", "").body()));
    } else if (include_usage) {
      int64_t p = 0, c = 0;
      for (const model::TextResult& t : out->results) p += t.prompt_tokens, c += t.new_tokens;
      Json j = head;
      j["choices"] = Json::array();
      j["usage"] = usage_json(p, c);
      send(j);
    }
    lock.unlock();
    static constexpr std::string_view kDone = "data: [DONE]\n\n";
    sink.write(kDone.data(), kDone.size());
    sink.done();
    return true;
  });
}

Server::Server(std::vector<ServedModel> models, ServerOptions options, const Grading* grading)
    : impl_(std::make_unique<Impl>(std::move(models), std::move(options), grading)) {
  impl_->routes();
}

Server::~Server() {
  stop();
  impl_->stop_batchers();
}

Expected<int> Server::bind() {
  const ServerOptions& o = impl_->o;
  int port = o.port;
  bool ok = false;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
    ok = port > 0;
  } else {
    ok = impl_->http.bind_to_port(o.host, port);
  }
  if (ok) impl_->http.widen_backlog();
  if (!ok) {
    return failure("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                   " (is the port in use, or the host not an address of this machine?)");
  }
  return port;
}

void Server::run() {
  impl_->running = true;
  if (!impl_->stop_requested) impl_->http.listen_after_bind();
  // httplib has waited for its handlers, and so for their generate calls; nothing is queued.
  impl_->stop_batchers();
  impl_->running = false;
}

void Server::stop() {
  impl_->stop_requested = true;
  // A stop that comes between run()'s check and httplib's start must wait for the start, or
  // httplib would not see it.
  for (int i = 0; i < 500 && impl_->running && !impl_->http.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->http.stop();
}

BatchStats Server::stats() const {
  BatchStats total;
  for (const Impl::Slot& m : impl_->slots) {
    BatchStats s = m.batcher->stats();
    total.generate_calls += s.generate_calls;
    total.prompts += s.prompts;
    total.largest_batch = std::max(total.largest_batch, s.largest_batch);
    total.last_batch = s.last_batch;
    total.queued += s.queued;
    total.cancelled += s.cancelled;
  }
  return total;
}

}  // namespace rft::serve
