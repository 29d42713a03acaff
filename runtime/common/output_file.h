// Writing a file that a user named (`--out`, `-o`, the files of an output directory), the same way
// everywhere:
//   - a regular file, or a path where nothing is yet, is written to PATH.partial and renamed over
//     PATH by commit(), so that an interrupted run never leaves a truncated file that looks whole;
//   - a character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is written
//     directly: renaming over it would replace the device with a regular file;
//   - a symbolic link, a directory or any other kind of file is refused with a clear error, and
//     nothing there is touched.
// Header-only, so that every library that writes a user's file (compiler, model, training, the
// CLI) shares it without a link dependency.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "runtime/common/expected.h"

namespace rft::io {

class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // An output that was opened but not committed leaves no .partial file behind.
  ~OutputFile() {
    if (!partial_.empty() && !committed_) {
      file_.close();
      ::unlink(partial_.c_str());
    }
  }

  // Checks what is at `path` and opens it for writing. An empty path means standard output.
  Expected<void> open(const std::string& path) {
    path_ = path;
    if (path_.empty()) return {};
    Expected<bool> direct = check_target(path_);
    if (!direct) return failure(direct.error());
    direct_ = *direct;
    if (direct_) {
      file_.open(path_, std::ios::binary | std::ios::out);
      if (!file_) return failure("cannot write `" + path_ + "`: " + std::strerror(errno));
      return {};
    }
    partial_ = path_ + ".partial";
    ::unlink(partial_.c_str());  // a stale one, or a link planted there: never written through
    file_.open(partial_, std::ios::binary | std::ios::trunc);
    if (!file_) {
      std::string why = "cannot write `" + partial_ + "`: " + std::strerror(errno);
      partial_.clear();
      return failure(why);
    }
    return {};
  }

  std::ostream& stream() { return path_.empty() ? std::cout : file_; }

  // Flushes and closes; a regular file is then renamed into place.
  Expected<void> commit() {
    if (path_.empty()) {
      std::cout.flush();
      if (!std::cout) return failure("cannot write to standard output");
      return {};
    }
    file_.close();
    if (!file_) return failure("cannot write `" + path_ + "` (disk full?)");
    if (!direct_ && std::rename(partial_.c_str(), path_.c_str()) != 0) {
      return failure("cannot write `" + path_ + "`: " + std::strerror(errno));
    }
    committed_ = true;
    return {};
  }

  // For an output that another program builds (a linker): the path to build it at. For a
  // regular target it is beside it (PATH.partial + suffix, renamed by install); for a device or
  // FIFO it is a temporary file whose bytes install() copies there.
  static std::string build_path(const std::string& path, std::string_view suffix) {
    return path + ".partial" + std::string(suffix);
  }
  // Puts the finished file `built` at `path` (checked as open() does) and removes `built`.
  static Expected<void> install(const std::string& built, const std::string& path) {
    Expected<void> done = install_at(built, path);
    ::unlink(built.c_str());
    return done;
  }

  // Whether `path` may be written: true when it is a device or FIFO (written in place), false
  // when it is a regular file or nothing yet (written beside it and renamed); else why not.
  static Expected<bool> check_target(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return false;
      return failure("cannot write `" + path + "`: " + std::strerror(errno));
    }
    if (S_ISREG(st.st_mode)) return false;
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return true;
    if (S_ISLNK(st.st_mode)) {
      return failure("`" + path +
                     "` is a symbolic link; rft does not replace it (name its target instead)");
    }
    if (S_ISDIR(st.st_mode)) return failure("`" + path + "` is a directory");
    return failure("`" + path +
                   "` is not a regular file, a character device or a FIFO; rft leaves it");
  }

 private:
  static Expected<void> install_at(const std::string& built, const std::string& path) {
    Expected<bool> direct = check_target(path);
    if (!direct) return failure(direct.error());
    if (!*direct) {
      if (std::rename(built.c_str(), path.c_str()) != 0) {
        return failure("cannot write `" + path + "`: " + std::strerror(errno));
      }
      return {};
    }
    std::ifstream in(built, std::ios::binary);
    std::ofstream out(path, std::ios::binary | std::ios::out);
    out << in.rdbuf();
    out.close();
    if (!in || !out) return failure("cannot write `" + path + "`");
    return {};
  }

  std::string path_, partial_;
  std::ofstream file_;
  bool direct_ = false, committed_ = false;
};

// Writes `text` to `path` whole or not at all, as OutputFile does.
inline Expected<void> write_whole(const std::string& path, std::string_view text) {
  OutputFile out;
  if (Expected<void> opened = out.open(path); !opened) return opened;
  out.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  return out.commit();
}

}  // namespace rft::io
