// Whether the client of an HTTP request is still connected, so that the server can stop
// generating for a client that went away. cpp-httplib 0.11 (Debian's) shows a handler nothing of
// its connection, so the watch finds the connection's socket among the process's open descriptors
// by the request's two ends (the server's address and port, and the client's), then peeks at it.
#pragma once

#include <string>

namespace rft::serve {

class ClientWatch {
 public:
  // Finds the connected socket whose own end is local_addr:local_port and whose peer is
  // remote_addr:remote_port, addresses written as getnameinfo writes them numerically (as
  // httplib::Request holds them). Found none (not Linux, or the client has reset the connection
  // already): gone() is always false, and the client's absence shows only when a write fails.
  ClientWatch(const std::string& local_addr, int local_port, const std::string& remote_addr,
              int remote_port);

  // True once the client has closed or reset the connection. Reads nothing: a pipelined next
  // request stays for httplib. A client that only shuts down its sending side while it waits
  // counts as gone (no HTTP client that rft knows does that). Thread-safe; valid while the
  // request's handler or content provider runs (httplib closes the socket after them).
  bool gone() const;

  bool watching() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace rft::serve
