// A progress bar for long work: on a terminal, one line redrawn in place with the fraction done,
// the rate, the ETA and a status ("reward 0.41"); otherwise plain lines, at most one every few
// seconds, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace rft::train {

// Not thread-safe: one thread draws. Writes go straight to `out`, which the caller keeps open.
class Progress {
 public:
  // `out`: where to draw (stderr by default); `tty`: whether it is a terminal (default: ask).
  Progress(std::string label, int64_t total, std::FILE* out = stderr, int tty = -1);
  ~Progress();
  // `done` of `total` (total 0: unknown); an empty `status` keeps the previous one. The rate
  // and ETA count from the start, or from the first update when it already reports more than
  // one step done (a resumed run, whose earlier steps took no time of this one).
  void update(int64_t done, const std::string& status = "");
  // For work whose size is known only once it starts (the trainer's first step report).
  void set_total(int64_t total) { total_ = total < 0 ? 0 : total; }
  // A line printed above the bar ("eval at step 40: pass rate 0.52").
  void note(const std::string& line);
  // Draws the final state and ends the line; later calls do nothing. The destructor ends an
  // unfinished bar's line (so an error message starts on a line of its own).
  void finish(const std::string& status = "");

 private:
  void draw(bool force);
  std::string line(bool tty) const;
  std::string label_;
  int64_t total_, done_ = 0;
  std::string status_;
  std::FILE* out_;
  bool tty_;
  bool finished_ = false;
  bool drawn_ = false;      // something is on the current line (tty) / a line was printed
  std::string last_shown_;  // done and status of the last plain line: never printed twice
  std::chrono::steady_clock::time_point start_, last_draw_;
  // Where the rate is measured from: the start, or the first update of a resumed run.
  int64_t base_done_ = -1;
  std::chrono::steady_clock::time_point base_time_;
};

}  // namespace rft::train
