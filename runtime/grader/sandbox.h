// Running untrusted programs (the code a model wrote) in a bubblewrap sandbox: no network, a
// read-only view of /usr and a read-only root, private tmpfs mounts of a fixed size for /tmp,
// /dev/shm and the work directory (the only writable places), an unprivileged uid, and limits on
// CPU time, memory, processes, file size, output and wall-clock time. It works for root and for
// an ordinary user alike. The programs of
// std.code (code.cc) are shell scripts run by /bin/sh inside it.
//
// Thread-safe: graders call run_sandboxed from many threads; at most one sandbox per core runs at
// a time and the others wait.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rft::grader {

// A file placed read-only in the sandbox before the script starts.
struct SandboxFile {
  std::string path;  // absolute, inside the sandbox, e.g. "/work/solution.py"
  std::string_view content;
};

struct SandboxRequest {
  std::string bwrap = "/usr/bin/bwrap";
  std::string script;  // run as `/bin/sh -c script` in /work
  std::vector<SandboxFile> files;
  // The script's standard input, then end of file: a socket fed by run_sandboxed, so that once
  // read its data is gone and nothing in the sandbox can reopen it through /proc.
  std::string stdin_data;
  // Wall-clock limits. The script may write the byte 'r' to fd 3 (`printf r >&3`) when the part
  // to be timed begins (after a compiler ran, say): setup_wall_s bounds the time up to there and
  // run_wall_s the time after. A script that never writes it has setup_wall_s + run_wall_s.
  double setup_wall_s = 30;
  double run_wall_s = 5;
  // Per-process limits (setrlimit), inherited by everything in the sandbox; the script can only
  // lower them (`ulimit`). Processes count all at once for the sandbox's uid.
  double cpu_s = 30;
  unsigned long long address_space_bytes = 2ull << 30;
  unsigned long long file_size_bytes = 16ull << 20;
  unsigned long processes = 16;
  unsigned long long tmpfs_bytes = 64ull << 20;  // each of /tmp, /work and /dev/shm
  size_t output_cap_bytes = 1 << 20;             // stdout and stderr together
};

struct SandboxOutcome {
  bool started = false;        // the sandbox came up and ran the script
  bool reached_run = false;    // the script wrote 'r' to fd 3
  bool timed_out = false;      // killed at a wall-clock limit
  bool output_capped = false;  // killed for writing more than output_cap_bytes
  // When the script ended, a writable place (/tmp, /work, /dev/shm) was full, or held a file of
  // file_size_bytes (one cut at that limit).
  bool space_exhausted = false;
  int exit_code = -1;    // the script's exit status (128 + signal if a signal ended it)
  std::string out, err;  // what it wrote, up to the cap
  std::string error;     // why the sandbox could not run (when !started)
};

// Runs `request` and waits for it; the whole process tree is killed at a limit. Never throws for
// what the script does. Leaves nothing behind on the host: the files live in memory.
SandboxOutcome run_sandboxed(const SandboxRequest& request);

// How many times run_sandboxed has been called in this process (for tests of the caches).
uint64_t sandboxes_started();

// Empty when sandboxes can be made here; else what is wrong, with a hint (bubblewrap missing,
// user namespaces disabled). The first call runs a trivial sandbox, later calls return its answer.
const std::string& sandbox_problem();
// The same check for the given bwrap, run every time.
std::string probe_sandbox(const std::string& bwrap);

}  // namespace rft::grader
