#include "runtime/grader/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace rft::grader {

namespace {

// Each concurrent sandbox runs under its own host uid, so that RLIMIT_NPROC (counted per uid)
// bounds each sandbox alone, and a fork bomb in one cannot starve another: the uid is
// kUidBase + 256 * (pid % 4096) + slot, so that other processes' sandboxes rarely share it either.
// These uids own no files; inside the sandbox the uid is 65534 (nobody).
constexpr unsigned kUidBase = 2'000'000'000u;
constexpr unsigned kMaxSlots = 256;
constexpr const char* kInsideUid = "65534";
// How long to wait for the sandbox's pipes to close after it was killed: the kernel tears the
// pid namespace down asynchronously.
constexpr auto kDrainAfterKill = std::chrono::seconds(2);

using Clock = std::chrono::steady_clock;

// At most one sandbox per core; the slot number picks the uid.
class Slots {
 public:
  Slots() : used_(std::clamp(std::thread::hardware_concurrency(), 1u, kMaxSlots), false) {}
  unsigned acquire() {
    std::unique_lock lock(mu_);
    for (;;) {
      for (unsigned i = 0; i < used_.size(); ++i) {
        if (!used_[i]) {
          used_[i] = true;
          return i;
        }
      }
      cv_.wait(lock);
    }
  }
  void release(unsigned i) {
    {
      std::lock_guard lock(mu_);
      used_[i] = false;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<bool> used_;
};

Slots& slots() {
  static Slots s;
  return s;
}

class SlotLease {
 public:
  SlotLease() : slot_(slots().acquire()) {}
  ~SlotLease() { slots().release(slot_); }
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
  unsigned slot() const { return slot_; }

 private:
  unsigned slot_;
};

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// An in-memory file holding `content`, read from its start. Close-on-exec, so that sandboxes
// started by other threads do not inherit it; the child dup2()s it into place.
Fd memory_file(std::string_view content, std::string* error) {
  Fd fd(static_cast<int>(::syscall(SYS_memfd_create, "rft-sandbox", MFD_CLOEXEC)));
  if (fd.get() < 0) {
    *error = std::string("memfd_create: ") + std::strerror(errno);
    return Fd();
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = std::string("writing a sandbox file: ") + std::strerror(errno);
      return Fd();
    }
    done += static_cast<size_t>(n);
  }
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

struct Pipe {
  Fd read, write;
};

bool make_pipe(Pipe* p, std::string* error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  p->read = Fd(fds[0]);
  p->write = Fd(fds[1]);
  return true;
}

rlim_t rlim(double x) {
  if (!(x > 0)) return 0;
  return x >= 1e18 ? RLIM_INFINITY : static_cast<rlim_t>(x);
}

// The tmpfs mounts of the sandbox: the only places it can write.
constexpr const char* kWritableDirs[] = {"/tmp", "/work", "/dev/shm"};

// The sandbox's init: it says that the sandbox is up ('s' on fd 3, see SandboxOutcome::started),
// runs the script in a subshell and, when that ends, writes 'f' on fd 3 if a writable place is
// full or holds a file at the file size limit (see SandboxOutcome::space_exhausted), then exits
// with the script's status. Where the process limit cannot be set before bwrap (rft is not root,
// see exec_child), it is set here, inside the sandbox's user namespace, where it counts the
// sandbox's processes alone.
std::string wrapper_script(const SandboxRequest& r) {
  std::string s = "printf s >&3\n";
  if (::geteuid() != 0) s += "ulimit -p " + std::to_string(r.processes) + " || exit 126\n";
  s += "(\n" + r.script + "\n)\nrft_status=$?\n";
  std::string dirs;
  for (const char* dir : kWritableDirs) dirs += std::string(" ") + dir;
  // A file at the limit is one that was cut there (Python ignores SIGXFSZ and gets EFBIG).
  s += "for d in" + dirs +
       "; do [ \"$(/usr/bin/stat -f -c %a \"$d\")\" = 0 ] && printf f >&3; done\n";
  if (r.file_size_bytes > 0) {
    s += "[ -n \"$(/usr/bin/find" + dirs + " -xdev -type f -size +" +
         std::to_string(r.file_size_bytes - 1) +
         "c -print -quit 2>/dev/null)\" ] && printf f >&3\n";
  }
  s += "exit $rft_status\n";
  return s;
}

// The bwrap command line. Fd 3 is the status pipe, 4 the info pipe (where bwrap writes the host
// pid of the sandbox's init), and files come from fds 5, 6, ...
std::vector<std::string> bwrap_args(const SandboxRequest& r) {
  std::vector<std::string> a = {r.bwrap};
  // Namespaces: network, pid, ipc, uts, cgroup and user, with no nested user namespaces.
  a.insert(a.end(), {"--unshare-all", "--unshare-user", "--disable-userns", "--uid", kInsideUid,
                     "--gid", kInsideUid, "--hostname", "sandbox"});
  // The script's shell is the pid namespace's init, so that bwrap outside reaps it: bwrap's own
  // init would be orphaned to the host's pid 1, and count against the uid until that reaps it.
  a.insert(a.end(), {"--die-with-parent", "--new-session", "--as-pid-1", "--info-fd", "4"});
  a.insert(a.end(), {"--ro-bind", "/usr", "/usr"});
  // Merged-/usr systems have /bin, /lib... as symlinks into /usr; others have directories.
  for (const char* dir : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    char target[256];
    ssize_t n = ::readlink(dir, target, sizeof target - 1);
    if (n > 0) {
      a.insert(a.end(), {"--symlink", std::string(target, static_cast<size_t>(n)), dir});
    } else {
      a.insert(a.end(), {"--ro-bind-try", dir, dir});
    }
  }
  for (const char* f : {"/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime"}) {
    a.insert(a.end(), {"--ro-bind-try", f, f});
  }
  // Every writable place has a size: /tmp, /work and /dev/shm are tmpfs mounts of tmpfs_bytes,
  // and the rest (the root, /etc, /dev) is read-only.
  const std::string tmpfs_size = std::to_string(r.tmpfs_bytes);
  a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev"});
  for (const char* dir : kWritableDirs) a.insert(a.end(), {"--size", tmpfs_size, "--tmpfs", dir});
  a.insert(a.end(), {"--remount-ro", "/dev", "--remount-ro", "/"});
  for (size_t i = 0; i < r.files.size(); ++i) {
    a.insert(a.end(), {"--ro-bind-data", std::to_string(5 + i), r.files[i].path});
  }
  a.insert(a.end(), {"--chdir", "/work", "--", "/bin/sh", "-c", wrapper_script(r)});
  return a;
}

// In the forked child: only async-signal-safe calls until execve. Puts `fds` at 0, 1, 2, ...,
// closes everything else, applies the limits, becomes `uid` and runs bwrap.
[[noreturn]] void exec_child(const std::vector<int>& fds, bool root, unsigned uid,
                             const SandboxRequest& r, char* const* argv, char* const* envp,
                             pid_t parent) {
  const int n = static_cast<int>(fds.size());
  int moved[64];
  for (int i = 0; i < n; ++i) moved[i] = ::fcntl(fds[static_cast<size_t>(i)], F_DUPFD, n);
  for (int i = 0; i < n; ++i) {
    if (moved[i] < 0 || ::dup2(moved[i], i) < 0) ::_exit(126);
  }
  ::syscall(SYS_close_range, static_cast<unsigned>(n), ~0u, 0u);

  auto limit = [](int resource, rlim_t value) {
    // The hard limit one above the soft one: CPU time then ends a process with SIGXCPU, which
    // tells a timeout from other kills.
    struct rlimit rl = {value, value == RLIM_INFINITY || value == 0 ? value : value + 1};
    if (::setrlimit(resource, &rl) != 0) ::_exit(126);
  };
  limit(RLIMIT_CPU, rlim(std::ceil(r.cpu_s)));
  limit(RLIMIT_AS, rlim(static_cast<double>(r.address_space_bytes)));
  limit(RLIMIT_FSIZE, rlim(static_cast<double>(r.file_size_bytes)));
  limit(RLIMIT_CORE, 0);
  // As root, the sandbox gets a host uid of its own, and the process limit counts for that uid.
  // Another user cannot change uid (that needs CAP_SETUID): the sandbox runs under rft's uid and
  // wrapper_script sets the process limit inside the sandbox's user namespace instead, where it
  // counts the sandbox's processes only, not every process of that user.
  if (root) {
    limit(RLIMIT_NPROC, rlim(static_cast<double>(r.processes)));
    // Raw syscalls: glibc's wrappers would try to signal the other threads of the parent, which
    // the child does not have.
    if (::syscall(SYS_setgroups, 0, nullptr) != 0 || ::syscall(SYS_setresgid, uid, uid, uid) != 0 ||
        ::syscall(SYS_setresuid, uid, uid, uid) != 0) {
      ::_exit(126);
    }
  }
  // Changing uid clears the parent-death signal, so it is set after.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(126);
  ::execve(argv[0], argv, envp);
  const char msg[] = "rft: cannot run bwrap\n";
  [[maybe_unused]] ssize_t ignored = ::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

double seconds(double x, double fallback) {
  return std::isfinite(x) && x > 0 ? x : fallback;
}

}  // namespace

namespace {
std::atomic<uint64_t> g_sandboxes_started{0};
}  // namespace

uint64_t sandboxes_started() {
  return g_sandboxes_started.load();
}

SandboxOutcome run_sandboxed(const SandboxRequest& request) {
  g_sandboxes_started.fetch_add(1);
  SandboxOutcome out;
  if (::access(request.bwrap.c_str(), X_OK) != 0) {
    out.error = "bubblewrap is not installed (" + request.bwrap + ")";
    return out;
  }
  // Everything the child needs is built before fork: it must not allocate.
  std::vector<Fd> owned;
  Pipe out_pipe, err_pipe, status_pipe, info_pipe;
  std::string error;
  // Standard input is a socket fed from here: once read, its data is gone, and no process in the
  // sandbox can reopen it through /proc (a pipe or a file could be), so what the script reads
  // first (the harness's nonce and tests) is its alone.
  int stdin_pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stdin_pair) != 0) {
    out.error = std::string("socketpair: ") + std::strerror(errno);
    return out;
  }
  Fd stdin_feed(stdin_pair[0]), stdin_file(stdin_pair[1]);
  ::fcntl(stdin_feed.get(), F_SETFL, O_NONBLOCK);
  if (!make_pipe(&out_pipe, &error) || !make_pipe(&err_pipe, &error) ||
      !make_pipe(&status_pipe, &error) || !make_pipe(&info_pipe, &error)) {
    out.error = error;
    return out;
  }
  std::vector<int> child_fds = {stdin_file.get(), out_pipe.write.get(), err_pipe.write.get(),
                                status_pipe.write.get(), info_pipe.write.get()};
  for (const SandboxFile& f : request.files) {
    owned.push_back(memory_file(f.content, &error));
    if (owned.back().get() < 0) {
      out.error = error;
      return out;
    }
    child_fds.push_back(owned.back().get());
  }
  if (child_fds.size() > 64) {
    out.error = "too many sandbox files";
    return out;
  }
  std::vector<std::string> args = bwrap_args(request);
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  // Single-threaded numeric libraries: threads count as processes, and a sandbox gets one core.
  std::string env_storage[] = {"PATH=/usr/bin:/bin", "HOME=/work",
                               "TMPDIR=/tmp",        "LANG=C.UTF-8",
                               "PYTHONHASHSEED=0",   "PYTHONDONTWRITEBYTECODE=1",
                               "OMP_NUM_THREADS=1",  "OPENBLAS_NUM_THREADS=1",
                               "MKL_NUM_THREADS=1"};
  std::vector<char*> envp;
  for (std::string& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);

  SlotLease lease;
  const bool root = ::geteuid() == 0;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    out.error = std::string("fork: ") + std::strerror(errno);
    return out;
  }
  if (pid == 0) {
    const unsigned uid =
        kUidBase + kMaxSlots * (static_cast<unsigned>(parent) % 4096) + lease.slot();
    exec_child(child_fds, root, uid, request, argv.data(), envp.data(), parent);
  }

  const Fd bwrap_pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  stdin_file.reset();
  out_pipe.write.reset();
  err_pipe.write.reset();
  status_pipe.write.reset();
  info_pipe.write.reset();
  owned.clear();

  const auto start = Clock::now();
  const double setup_s = seconds(request.setup_wall_s, 30);
  const double run_s = seconds(request.run_wall_s, 5);
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(setup_s + run_s));
  bool killed = false;
  Clock::time_point kill_time;
  std::string info;  // bwrap's JSON, with "child-pid"
  Fd init_pidfd;     // the sandbox's init, as a pidfd: immune to pid reuse
  auto kill_tree = [&] {
    if (killed) return;
    // Killing the sandbox's init kills every process of its pid namespace; bwrap outside then
    // reaps it and exits by itself. Killing bwrap instead would leave the init to the host's
    // pid 1 to reap, and until then it counts against the uid's process limit.
    if (init_pidfd.get() < 0 ||
        ::syscall(SYS_pidfd_send_signal, init_pidfd.get(), SIGKILL, nullptr, 0) != 0) {
      ::kill(pid, SIGKILL);
    }
    killed = true;
    kill_time = Clock::now();
  };

  int fds[4] = {out_pipe.read.get(), err_pipe.read.get(), status_pipe.read.get(),
                info_pipe.read.get()};
  std::string* sinks[2] = {&out.out, &out.err};
  char buf[65536];
  size_t fed = 0;  // bytes of stdin_data sent
  ::shutdown(stdin_feed.get(), SHUT_RD);
  if (request.stdin_data.empty()) stdin_feed.reset();
  for (;;) {
    pollfd pfd[5];
    int np = 0;
    int which[5];
    for (int i = 0; i < 4; ++i) {
      if (fds[i] < 0) continue;
      pfd[np] = {fds[i], POLLIN, 0};
      which[np++] = i;
    }
    if (np == 0) break;
    if (stdin_feed.get() >= 0) {
      pfd[np] = {stdin_feed.get(), POLLOUT, 0};
      which[np++] = 4;
    }
    const auto now = Clock::now();
    if (!killed && now >= deadline) {
      out.timed_out = true;
      kill_tree();
    }
    if (killed && now >= kill_time + kDrainAfterKill) break;
    const auto until = killed ? kill_time + kDrainAfterKill : deadline;
    const auto wait_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    const int ready =
        ::poll(pfd, static_cast<nfds_t>(np), static_cast<int>(std::min<long long>(wait_ms, 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (int k = 0; k < np && ready > 0; ++k) {
      if (pfd[k].revents == 0) continue;
      const int i = which[k];
      if (i == 4) {
        const ssize_t n = ::send(stdin_feed.get(), request.stdin_data.data() + fed,
                                 request.stdin_data.size() - fed, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) fed += static_cast<size_t>(n);
        if ((n < 0 && errno != EINTR && errno != EAGAIN) || fed == request.stdin_data.size()) {
          stdin_feed.reset();  // the end of the input
        }
        continue;
      }
      const ssize_t n = ::read(fds[i], buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        fds[i] = -1;
        continue;
      }
      if (i == 3) {
        info.append(buf, static_cast<size_t>(n));
        const size_t at = info.find("\"child-pid\":");
        if (init_pidfd.get() < 0 && at != std::string::npos) {
          const long child = std::strtol(info.c_str() + at + 12, nullptr, 10);
          if (child > 0) init_pidfd = Fd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
        }
        continue;
      }
      if (i == 2) {
        for (ssize_t j = 0; j < n; ++j) {
          if (buf[j] == 's') out.started = true;
          if (buf[j] == 'f') out.space_exhausted = true;
          if (buf[j] == 'r' && !out.reached_run) {
            out.reached_run = true;
            deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(run_s));
          }
        }
        continue;
      }
      if (killed) continue;  // draining
      const size_t total = out.out.size() + out.err.size();
      const size_t room = request.output_cap_bytes > total ? request.output_cap_bytes - total : 0;
      sinks[i]->append(buf, std::min(room, static_cast<size_t>(n)));
      if (static_cast<size_t>(n) > room) {
        out.output_capped = true;
        kill_tree();
      }
    }
  }
  // bwrap exits right after the sandbox's init; should it not, it is killed.
  if (bwrap_pidfd.get() >= 0) {
    pollfd p = {bwrap_pidfd.get(), POLLIN, 0};
    if (::poll(&p, 1, 2000) == 0) ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    out.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    out.exit_code = 128 + WTERMSIG(status);
  if (!out.started) {
    out.error = out.err.empty() ? "the sandbox did not start" : out.err.substr(0, 1024);
    while (!out.error.empty() && out.error.back() == '\n') out.error.pop_back();
  }
  return out;
}

std::string probe_sandbox(const std::string& bwrap) {
  if (::access(bwrap.c_str(), X_OK) != 0) {
    return "bubblewrap is not installed (" + bwrap +
           " is missing); code execution needs it: install it with `apt-get install bubblewrap`";
  }
  SandboxRequest probe;
  probe.bwrap = bwrap;
  probe.script = ":";
  probe.setup_wall_s = 10;
  probe.run_wall_s = 1;
  const SandboxOutcome o = run_sandboxed(probe);
  if (o.started && o.exit_code == 0) return {};
  return "cannot create a bubblewrap sandbox (" + o.error +
         "); it needs unprivileged user namespaces: check that sysctl "
         "kernel.unprivileged_userns_clone is 1 (where it exists) and user.max_user_namespaces is "
         "not 0, and in a container allow unshare(2), e.g. docker run --security-opt "
         "seccomp=unconfined";
}

const std::string& sandbox_problem() {
  static const std::string problem = probe_sandbox("/usr/bin/bwrap");
  return problem;
}

}  // namespace rft::grader
