// Group judges (docs/language.md "Group judges"): one request compares the completions of the
// samples in a batch that render the judge's prompt alike, such as the G completions of one
// prompt in GRPO. A grader asks for one sample's score at a time, so a batch is graded in
// passes: in the first, group judge calls are collected (and score on_error for now); then the
// groups are sent, one request each; then the samples that made such calls are graded again,
// and this time their calls are answered. Judges that score one completion are asked once per
// sample: a later pass reuses the first pass's answer.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rft::judge {

class JudgeService;

// In a rendered group judge prompt, the byte that stands for {completions} (a prompt's own NUL
// bytes are replaced when it is rendered).
inline constexpr char kCompletionsMark = '\0';

// {completions} as sent: each completion in an <answer id="k"> element, numbered from 1.
std::string render_completions(const std::vector<std::string_view>& completions);

class GroupRound {
 public:
  // `completions[i]` is sample i's completion.
  GroupRound(JudgeService& service, std::vector<std::string_view> completions);
  ~GroupRound();
  GroupRound(const GroupRound&) = delete;
  GroupRound& operator=(const GroupRound&) = delete;

  // Marks sample `index` as the one graded on this thread until leave().
  void enter(size_t index);
  void leave();
  // After a pass: sends the group requests the pass collected, `threads` at a time, and returns
  // the samples to grade again (in order); empty when no sample is waiting for a score.
  std::vector<size_t> resolve(int threads);

  // The round whose sample this thread is grading, or null.
  static GroupRound* current();
  // A judge call made while grading the current sample (JudgeService::score goes here).
  std::optional<double> score(std::string_view judge, const std::string& prompt);

 private:
  using Key = std::pair<std::string, std::string>;  // judge, rendered prompt
  struct Sample {
    std::map<Key, std::optional<double>> answers;  // group scores and single-judge memo
  };
  JudgeService& service_;
  std::vector<std::string_view> completions_;
  std::vector<Sample> samples_;
  std::map<Key, std::set<size_t>> pending_;  // group calls waiting for a request
  int passes_ = 0;
  std::mutex mu_;
};

}  // namespace rft::judge
