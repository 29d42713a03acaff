// The HTTP server under `rft serve`: cpp-httplib's request handling, with the connections kept
// from starving each other. httplib (0.11.4, Debian's) serves each connection on a pool thread
// and bounds only each read: a client that sends a header byte a second holds its thread for
// ever, and 33 of them blocked every other client. Here
//   - each connection has a thread of its own, up to `max_connections` at once; a connection
//     beyond them is answered 503 at once and closed;
//   - a request's line and headers must arrive within `header_timeout_s` of the wait for it, and
//     its body within `body_timeout_s` after them; a connection that is slower is closed;
//   - each read and write waits at most `io_timeout_s`, an idle keep-alive connection
//     `keep_alive_s`.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace rft::serve {

struct HttpLimits {
  int max_connections = 256;
  double header_timeout_s = 10;
  double body_timeout_s = 60;
  double io_timeout_s = 5;
  double keep_alive_s = 5;
  int keep_alive_requests = 100;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(HttpLimits limits);
  ~HttpServer() override;

  // To be called from the pre-routing handler: the request's headers are in, its body (if any)
  // has body_timeout_s from now.
  static void headers_read();

  // Connections open now (for tests and /health).
  int open_connections() const { return open_; }

  // After binding: lets the kernel queue as many connections as there may be open (httplib
  // listens with a backlog of 5, so that a burst of connections waits on SYN retries).
  void widen_backlog() const;

 private:
  bool process_and_close_socket(socket_t sock) override;

  HttpLimits limits_;
  std::atomic<int> open_{0};
  std::mutex mu_;
  std::condition_variable idle_;
};

}  // namespace rft::serve
