#include "runtime/serve/http_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

namespace rft::serve {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// Waits until `fd` is ready for `events` or `until` passes; true when ready.
bool wait_for(int fd, short events, Clock::time_point until) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() < 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1'000'000)));
    if (n > 0) return true;
    if (n == 0 && Clock::now() >= until) return false;
    if (n < 0 && errno != EINTR) return false;
  }
}

void address(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  char h[NI_MAXHOST], p[NI_MAXSERV];
  if (rc != 0 || ::getnameinfo(reinterpret_cast<const sockaddr*>(&a), len, h, sizeof h, p, sizeof p,
                               NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = h;
  port = std::atoi(p);
}

// A connection's socket as httplib reads and writes it, with a deadline on reading the request.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int fd, const HttpLimits& l) : fd_(fd), limits_(l) {}

  void set_deadline(Clock::time_point t) { deadline_ = t; }

  bool is_readable() const override {
    return wait_for(fd_, POLLIN, std::min(deadline_, Clock::now() + seconds(limits_.io_timeout_s)));
  }
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, Clock::now() + seconds(limits_.io_timeout_s));
  }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    ssize_t n;
    do {
      n = ::recv(fd_, ptr, size, 0);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  const HttpLimits& limits_;
  Clock::time_point deadline_ = Clock::time_point::max();
};

// The connection this thread serves, for headers_read().
thread_local DeadlineStream* current_stream = nullptr;
thread_local const HttpLimits* current_limits = nullptr;
// How the queue has this thread treat its connection: serve it, answer it 503 (over the limit),
// or close it at once (over the limit, and too many 503s already being sent).
enum class Admission { kServe, kBusy, kDrop };
thread_local Admission admission = Admission::kServe;

// Connections being answered 503 at once, at most.
constexpr int kMaxBusyReplies = 64;

// One thread per connection, counted by the server.
class ConnectionQueue final : public httplib::TaskQueue {
 public:
  ConnectionQueue(std::atomic<int>& open, int max, std::mutex& mu, std::condition_variable& idle)
      : open_(open), max_(max), mu_(mu), idle_(idle) {}

  void enqueue(std::function<void()> fn) override {
    const bool over = open_.load() >= max_;
    std::atomic<int>& count = over ? busy_ : open_;
    if (over && busy_.load() >= kMaxBusyReplies) return run_here(fn, Admission::kDrop);
    ++count;
    try {
      std::thread([this, fn, over, &count] {
        admission = over ? Admission::kBusy : Admission::kServe;
        fn();
        std::lock_guard<std::mutex> lock(mu_);
        --count;
        idle_.notify_all();
      }).detach();
    } catch (const std::system_error&) {  // no thread to be had
      --count;
      run_here(fn, Admission::kDrop);
    }
  }
  // Waits for every connection to end.
  void shutdown() override {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return open_.load() == 0 && busy_.load() == 0; });
  }

 private:
  static void run_here(const std::function<void()>& fn, Admission a) {
    admission = a;
    fn();
    admission = Admission::kServe;
  }

  std::atomic<int>& open_;
  std::atomic<int> busy_{0};
  int max_;
  std::mutex& mu_;
  std::condition_variable& idle_;
};

// The whole reply to a connection over the limit.
const std::string& busy_reply() {
  static const std::string reply = [] {
    std::string body =
        R"({"error":{"message":"The server has too many open connections; retry later.",)"
        R"("type":"server_error","param":null,"code":"too_many_connections"}})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Connection: close\r\nRetry-After: 1\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return reply;
}

}  // namespace

HttpServer::HttpServer(HttpLimits limits) : limits_(limits) {
  new_task_queue = [this] {
    return new ConnectionQueue(open_, std::max(1, limits_.max_connections), mu_, idle_);
  };
  auto whole = [](double s) { return static_cast<time_t>(std::max(1.0, s)); };
  set_read_timeout(whole(limits_.io_timeout_s));
  set_write_timeout(whole(limits_.io_timeout_s));
  set_keep_alive_timeout(whole(limits_.keep_alive_s));
  set_keep_alive_max_count(static_cast<size_t>(std::max(1, limits_.keep_alive_requests)));
}

HttpServer::~HttpServer() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return open_.load() == 0; });
}

void HttpServer::widen_backlog() const {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, std::max(128, limits_.max_connections));
}

void HttpServer::headers_read() {
  if (current_stream != nullptr && current_limits != nullptr) {
    current_stream->set_deadline(Clock::now() + seconds(current_limits->body_timeout_s));
  }
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  if (admission != Admission::kServe) {
    if (admission == Admission::kBusy) {
      // The reply, then the end of the writing side; what the client sent is read and dropped
      // (for a second at most), so that closing does not reset the connection before the client
      // has read the reply.
      const std::string& reply = busy_reply();
      (void)!::send(sock, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::shutdown(sock, SHUT_WR);
      const Clock::time_point until = Clock::now() + std::chrono::seconds(1);
      char drain[4096];
      while (wait_for(sock, POLLIN, until) && ::recv(sock, drain, sizeof drain, 0) > 0) {
      }
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }
  DeadlineStream stream(sock, limits_);
  current_stream = &stream;
  current_limits = &limits_;
  bool ok = true;
  for (int left = std::max(1, limits_.keep_alive_requests); left > 0 && svr_sock_ != INVALID_SOCKET;
       --left) {
    // A keep-alive connection may wait this long for its next request (less once the server
    // stops) ...
    const Clock::time_point idle_until = Clock::now() + seconds(limits_.keep_alive_s);
    bool readable = false;
    while (!readable && Clock::now() < idle_until && svr_sock_ != INVALID_SOCKET) {
      readable = wait_for(sock, POLLIN,
                          std::min(idle_until, Clock::now() + std::chrono::milliseconds(100)));
    }
    if (!readable) break;
    // ... which then has header_timeout_s to arrive, however slowly it trickles in.
    stream.set_deadline(Clock::now() + seconds(limits_.header_timeout_s));
    bool closed = false;
    ok = process_request(stream, left == 1, closed, [](httplib::Request&) {});
    if (!ok || closed) break;
  }
  current_stream = nullptr;
  current_limits = nullptr;
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace rft::serve
