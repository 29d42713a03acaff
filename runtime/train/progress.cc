#include "runtime/train/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace rft::train {
namespace {

using Clock = std::chrono::steady_clock;

// A terminal redraws at most this often; a log gets a line at most this often.
constexpr auto kTtyInterval = std::chrono::milliseconds(100);
constexpr auto kPlainInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 24;
constexpr const char* kClearToEnd = "\x1b[K";

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// "m:ss", or "h:mm:ss" from an hour on.
std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto s = static_cast<int64_t>(std::llround(seconds));
  char buf[48];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

// "2.50 steps/s" when faster than one a second, else "3.1 s/step".
std::string format_rate(double steps_per_second) {
  char buf[48];
  if (steps_per_second >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f steps/s", steps_per_second);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s/step", 1 / steps_per_second);
  }
  return buf;
}

// Columns of the terminal behind `out`, or 0 when it cannot be told (no truncation then).
int terminal_columns(std::FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

// Cuts `s` to at most `columns` characters (counting UTF-8 code points, not bytes), so that a
// redrawn line never wraps: a wrapped line cannot be redrawn in place with '\r'.
void truncate_to_columns(std::string& s, int columns) {
  int seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (++seen > columns) {
      s.resize(i);
      return;
    }
  }
}

}  // namespace

Progress::Progress(std::string label, int64_t total, std::FILE* out, int tty)
    : label_(std::move(label)), total_(total < 0 ? 0 : total), out_(out) {
  if (tty < 0) {
    const char* term = std::getenv("TERM");
    tty_ = isatty(fileno(out_)) != 0 && !(term != nullptr && std::strcmp(term, "dumb") == 0);
  } else {
    tty_ = tty != 0;
  }
  start_ = base_time_ = Clock::now();
}

Progress::~Progress() {
  if (!finished_ && tty_ && drawn_) {
    std::fputs("\n", out_);
    std::fflush(out_);
  }
}

void Progress::update(int64_t done, const std::string& status) {
  if (finished_) return;
  // A first update with more than one step done continues earlier work (a resumed run): the
  // rate counts only what this run does. A first update of 0 or 1 is timed from the start.
  if (base_done_ < 0) {
    if (done > 1) {
      base_done_ = done;
      base_time_ = Clock::now();
    } else {
      base_done_ = 0;
    }
  }
  done_ = done;
  if (!status.empty()) status_ = status;
  draw(total_ > 0 && done_ >= total_);  // the last step is always shown
}

void Progress::note(const std::string& text) {
  if (tty_ && drawn_) std::fprintf(out_, "\r%s", kClearToEnd);
  std::fprintf(out_, "%s\n", text.c_str());
  if (tty_ && drawn_ && !finished_) {
    drawn_ = false;
    draw(true);
  }
  std::fflush(out_);
}

void Progress::finish(const std::string& status) {
  if (finished_) return;
  if (!status.empty()) status_ = status;
  draw(true);
  finished_ = true;
  if (tty_) std::fputs("\n", out_);
  std::fflush(out_);
}

std::string Progress::line(bool tty) const {
  auto now = Clock::now();
  double elapsed = seconds_between(start_, now);
  double rate = 0;
  if (base_done_ >= 0 && done_ > base_done_) {
    double t = seconds_between(base_time_, now);
    if (t > 0) rate = static_cast<double>(done_ - base_done_) / t;
  }
  bool known = total_ > 0;
  double fraction = known ? std::min(1.0, static_cast<double>(done_) / total_) : 0;
  std::string eta;
  if (known && done_ >= total_) {
    eta = "0:00";
  } else if (known && rate > 0) {
    eta = format_duration(static_cast<double>(total_ - done_) / rate);
  }

  std::string s = label_;
  char buf[96];
  if (tty) {
    if (known) {
      int filled = static_cast<int>(fraction * kBarWidth);
      s += " [" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
      std::snprintf(buf, sizeof buf, " %lld/%lld %3d%%", static_cast<long long>(done_),
                    static_cast<long long>(total_), static_cast<int>(fraction * 100));
    } else {
      std::snprintf(buf, sizeof buf, " %lld", static_cast<long long>(done_));
    }
    s += buf;
    if (rate > 0) s += " " + format_rate(rate);
    s += " " + format_duration(elapsed);
    if (!eta.empty()) s += " eta " + eta;
    if (!status_.empty()) s += "  " + status_;
    return s;
  }
  // A log line: "train: 40/200 (20%) 0:32 elapsed, 1.25 steps/s, eta 2:08, reward 0.41".
  if (known) {
    std::snprintf(buf, sizeof buf, ": %lld/%lld (%d%%)", static_cast<long long>(done_),
                  static_cast<long long>(total_), static_cast<int>(fraction * 100));
  } else {
    std::snprintf(buf, sizeof buf, ": %lld", static_cast<long long>(done_));
  }
  s += buf;
  s += " " + format_duration(elapsed) + " elapsed";
  if (rate > 0) s += ", " + format_rate(rate);
  if (!eta.empty() && done_ < total_) s += ", eta " + eta;
  if (!status_.empty()) s += ", " + status_;
  return s;
}

void Progress::draw(bool force) {
  if (finished_) return;
  auto now = Clock::now();
  auto interval = tty_ ? std::chrono::duration_cast<Clock::duration>(kTtyInterval)
                       : std::chrono::duration_cast<Clock::duration>(kPlainInterval);
  if (!force && drawn_ && now - last_draw_ < interval) return;
  std::string text = line(tty_);
  if (tty_) {
    if (int columns = terminal_columns(out_); columns > 1) truncate_to_columns(text, columns - 1);
    std::fprintf(out_, "\r%s%s", text.c_str(), kClearToEnd);
  } else {
    // finish() after the last update would repeat its line with only the time changed.
    std::string shown = std::to_string(done_) + "\n" + status_;
    if (shown == last_shown_) return;
    std::fprintf(out_, "%s\n", text.c_str());
    last_shown_ = std::move(shown);
  }
  std::fflush(out_);
  drawn_ = true;
  last_draw_ = now;
}

}  // namespace rft::train
