#include "tools/rft/launch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace rft::cli {
namespace {

using Clock = std::chrono::steady_clock;

// How long ranks that fail together are collected before the rest are stopped, and how long the
// rest get to end after SIGTERM before SIGKILL.
constexpr auto kSettle = std::chrono::milliseconds(1500);
constexpr auto kGrace = std::chrono::seconds(10);

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) {
  g_signal = sig;
}

// A TCP port on 127.0.0.1 that nothing listens on now (rank 0's store binds it moments later).
Expected<int> free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return failure(std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  const bool found = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  const int err = errno;
  close(fd);
  if (!found) {
    return failure(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(err));
  }
  return static_cast<int>(ntohs(a.sin_port));
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "was killed by signal " + std::to_string(sig) +
           (name != nullptr ? " (SIG" + std::string(name) + ")" : "");
  }
  return "ended with wait status " + std::to_string(status);
}

struct Failure {
  int rank;
  int status;
};

[[noreturn]] void exec_rank(const std::string& exe, const std::vector<std::string>& args, int rank,
                            int nproc, int port, pid_t parent) {
  // A rank must not outlive the launcher (killed with SIGKILL, it cannot stop them itself).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  const std::string r = std::to_string(rank), n = std::to_string(nproc);
  setenv("RANK", r.c_str(), 1);
  setenv("LOCAL_RANK", r.c_str(), 1);
  setenv("WORLD_SIZE", n.c_str(), 1);
  setenv("LOCAL_WORLD_SIZE", n.c_str(), 1);
  setenv("MASTER_ADDR", "127.0.0.1", 1);
  setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(exe.c_str(), argv.data());
  std::fprintf(stderr, "rft: cannot start rank %d (%s): %s\n", rank, exe.c_str(),
               std::strerror(errno));
  _exit(127);
}

}  // namespace

Expected<void> launch_local_ranks(int nproc, const std::vector<std::string>& args) {
  Expected<int> free = free_port();
  if (!free) return failure(free.error());
  const int port = *free;
  std::error_code ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return failure("cannot find this program's path: " + ec.message());
  // No SA_RESTART: a signal interrupts waitpid, and is passed on to the ranks.
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::vector<pid_t> pids(static_cast<size_t>(nproc), -1);
  const pid_t parent = getpid();
  int alive = 0;
  for (int rank = 0; rank < nproc; ++rank) {
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) exec_rank(exe, args, rank, nproc, port, parent);
    if (pid < 0) {
      std::string why =
          std::string("cannot start rank ") + std::to_string(rank) + ": " + std::strerror(errno);
      for (pid_t p : pids) {
        if (p > 0) kill(p, SIGKILL);
      }
      while (wait(nullptr) > 0) {
      }
      return failure(why);
    }
    pids[static_cast<size_t>(rank)] = pid;
    ++alive;
  }

  std::vector<Failure> failures;  // ranks that ended badly on their own, in order
  std::vector<int> stopped;       // ranks this launcher stopped
  bool stopping = false;          // SIGTERM sent to the ranks still running
  int interrupted = 0;            // the signal this launcher got
  Clock::time_point settle_until{}, kill_at{};
  auto stop_all = [&] {
    for (size_t r = 0; r < pids.size(); ++r) {
      if (pids[r] > 0) {
        kill(pids[r], SIGTERM);
        stopped.push_back(static_cast<int>(r));
      }
    }
    stopping = true;
    kill_at = Clock::now() + kGrace;
  };
  while (alive > 0) {
    int status = 0;
    const bool polling = !failures.empty() || stopping;
    pid_t pid = waitpid(-1, &status, polling ? WNOHANG : 0);
    if (pid < 0 && errno != EINTR) break;
    if (g_signal != 0 && interrupted == 0) {
      interrupted = g_signal;
      if (!stopping) stop_all();
    }
    if (pid <= 0) {
      if (!failures.empty() && !stopping && Clock::now() >= settle_until) stop_all();
      if (stopping && Clock::now() >= kill_at) {
        for (pid_t p : pids) {
          if (p > 0) kill(p, SIGKILL);
        }
      }
      if (polling) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    auto it = std::find(pids.begin(), pids.end(), pid);
    if (it == pids.end()) continue;
    const int rank = static_cast<int>(it - pids.begin());
    *it = -1;
    --alive;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool was_stopped = std::find(stopped.begin(), stopped.end(), rank) != stopped.end();
    if (ok || was_stopped) continue;
    if (failures.empty()) settle_until = Clock::now() + kSettle;
    failures.push_back({rank, status});
  }

  if (failures.empty() && interrupted == 0) return {};
  // The rank that was killed by a signal is the likelier cause than those that then lost it.
  std::stable_partition(failures.begin(), failures.end(),
                        [](const Failure& f) { return WIFSIGNALED(f.status); });
  std::string what;
  if (interrupted != 0) {
    const char* name = sigabbrev_np(interrupted);
    what = std::string("interrupted by SIG") + (name != nullptr ? name : "?");
  }
  for (const Failure& f : failures) {
    what += (what.empty() ? "" : "; ") + std::string("rank ") + std::to_string(f.rank) + " of " +
            std::to_string(nproc) + " " + describe(f.status);
  }
  if (!stopped.empty()) {
    std::string list;
    for (int r : stopped) list += (list.empty() ? "" : ", ") + std::to_string(r);
    what += "; stopped rank" + std::string(stopped.size() > 1 ? "s " : " ") + list;
  }
  return failure(what);
}

}  // namespace rft::cli
