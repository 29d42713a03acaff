#include "runtime/train/torch/session.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

#include "runtime/train/torch/checkpoint.h"
#include "runtime/train/evaluate.h"
#include "runtime/train/torch/loss.h"
#include "runtime/train/seeds.h"

namespace rft::train {
namespace fs = std::filesystem;

namespace {

std::vector<int64_t> to_long(const std::vector<int32_t>& ids) { return {ids.begin(), ids.end()}; }

Expected<std::vector<EncodedExample>> encode_all(const Dataset& data, const model::Tokenizer& tok,
                                                 const JobConfig& job, bool sft,
                                                 const std::vector<int64_t>& eos) {
  std::vector<EncodedExample> out;
  out.reserve(data.examples.size());
  for (const Example& e : data.examples) {
    Expected<std::string> text = prompt_text(e, tok);
    if (!text.ok()) return failure(data.path + ":" + std::to_string(e.line) + ": " + text.error());
    EncodedExample x;
    x.text = std::move(text).value();
    x.prompt = to_long(tok.encode_prompt(x.text));
    if (static_cast<int64_t>(x.prompt.size()) > job.max_prompt_length) {
      x.prompt.erase(x.prompt.begin(), x.prompt.end() - job.max_prompt_length);
    }
    if (sft) {
      x.target = to_long(tok.encode(e.completion));
      if (static_cast<int64_t>(x.target.size()) > job.max_new_tokens) x.target.resize(static_cast<size_t>(job.max_new_tokens));
      else if (!eos.empty()) x.target.push_back(eos.front());
    }
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace

Expected<std::unique_ptr<Session>> Session::open(const TrainRequest& request, bool sft) {
  const JobConfig& job = *request.job;
  std::unique_ptr<Session> s(new Session(request));
  s->start_ = std::chrono::steady_clock::now();

  const DistributedConfig& dist = request.distributed;
  // Ranks on one machine share its cores.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = job.threads > 0 ? job.threads : std::max(1, cores / std::max(1, dist.local_world_size));
  torch::set_num_threads(threads);
  try {
    // Each rank of a machine takes its own GPU.
    const bool per_rank = dist.enabled() && job.device == "cuda";
    s->device_ = torch::Device(per_rank ? "cuda:" + std::to_string(dist.local_rank) : job.device);
  } catch (const std::exception&) {
    return failure("`device`: `" + job.device + "` is not a device (cpu, cuda or cuda:N)");
  }
  if (s->device_.is_cuda() && !torch::cuda::is_available()) {
    return failure("`device` is `" + job.device + "` but this libtorch sees no CUDA device");
  }
  const torch::ScalarType dtype = job.dtype == "bfloat16" ? torch::kBFloat16 : torch::kFloat32;

  Expected<model::Tokenizer> tok = model::Tokenizer::load(job.model);
  if (!tok.ok()) return failure(tok.error());
  s->tokenizer_.emplace(std::move(tok).value());

  // Resume from the newest complete checkpoint, or start from the base model.
  std::string resume_dir = request.resume ? latest_checkpoint(job.output_dir) : "";
  Expected<model::Transformer> m =
      model::load_transformer(resume_dir.empty() ? job.model : resume_dir, dtype, s->device_);
  if (!m.ok()) return failure(m.error());
  s->policy_ = std::move(m).value();
  s->policy_->train();
  s->eos_ids_ = s->policy_->config().eos_token_ids;
  if (auto e = s->tokenizer_->eos_id()) {
    if (std::find(s->eos_ids_.begin(), s->eos_ids_.end(), *e) == s->eos_ids_.end()) s->eos_ids_.push_back(*e);
  }

  Expected<std::vector<EncodedExample>> train =
      encode_all(*request.train, *s->tokenizer_, job, sft, s->eos_ids_);
  if (!train.ok()) return failure(train.error());
  s->train_ = std::move(train).value();
  if (request.eval != nullptr) {
    Expected<std::vector<EncodedExample>> eval =
        encode_all(*request.eval, *s->tokenizer_, job, false, s->eos_ids_);
    if (!eval.ok()) return failure(eval.error());
    s->eval_ = std::move(eval).value();
  }
  const int64_t n = static_cast<int64_t>(s->train_.size());
  s->steps_per_epoch_ = std::max<int64_t>(1, (n + job.batch_size - 1) / job.batch_size);
  s->total_steps_ = job.max_steps > 0 ? job.max_steps : job.epochs * s->steps_per_epoch_;

  torch::optim::AdamWOptions ao(job.learning_rate);
  ao.betas({job.adam_beta1, job.adam_beta2}).eps(job.adam_epsilon).weight_decay(job.weight_decay);
  s->optimizer_ = std::make_unique<torch::optim::AdamW>(s->policy_->parameters(), ao);

  std::error_code ec;
  fs::create_directories(job.output_dir, ec);
  if (ec) return failure("cannot create `" + job.output_dir + "`: " + ec.message());
  int64_t keep_until = -1;
  const std::string metrics_path = (fs::path(job.output_dir) / "metrics.jsonl").string();
  if (!resume_dir.empty()) {
    Expected<nlohmann::json> state = load_trainer_state(resume_dir, *s->optimizer_);
    if (!state.ok()) return failure(state.error());
    s->start_step_ = state->value("step", int64_t{0});
    s->skipped_ = state->value("skipped_steps", int64_t{0});
    s->elapsed_before_ = state->value("elapsed", 0.0);
    keep_until = s->start_step_;  // forget what was logged after the checkpoint
  } else {
    std::string earlier = latest_checkpoint(job.output_dir);
    if (!earlier.empty() && !request.resume) {
      return failure("`" + job.output_dir + "` already holds a run (" + earlier +
                     "); pass --resume to continue it, or choose another output_dir");
    }
    if (dist.is_root()) fs::remove(metrics_path, ec);  // a fresh run
  }
  if (dist.is_root()) {
    if (Expected<void> opened = s->metrics_.open(metrics_path, keep_until); !opened) {
      return failure(opened.error());
    }
    // GRPO's monitors read the run's history: a resumed run's alarms are those it raised before.
    if (!sft && job.monitor.enabled) {
      s->monitor_.emplace(job.monitor, request.component_names, request.pass_component);
      for (nlohmann::json line : read_metrics(metrics_path)) s->monitor_->observe(line);
      s->alarms_before_ = s->monitor_->raised().size();
    }
  }
  // Every rank has checked the output directory before any can write into it: joining waits
  // for all of them.
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(job.collective_timeout * 1000));
  Expected<std::unique_ptr<ProcessGroup>> group = ProcessGroup::join(dist, s->device_, timeout);
  if (!group.ok()) return failure(group.error());
  s->group_ = std::move(group).value();
  s->group_->broadcast(s->policy_->parameters());
  return s;
}

std::vector<size_t> Session::batch(int64_t step) const {
  const JobConfig& job = *request_.job;
  const size_t n = train_.size();
  const int64_t epoch = step / steps_per_epoch_;
  const int64_t k = step % steps_per_epoch_;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(mix(job.seed ^ mix(static_cast<uint64_t>(epoch) + 1)));
  // Fisher-Yates with our own draws: the same order on every standard library.
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  const size_t from = static_cast<size_t>(k) * static_cast<size_t>(job.batch_size);
  const size_t to = std::min(n, from + static_cast<size_t>(job.batch_size));
  return {order.begin() + static_cast<std::ptrdiff_t>(from), order.begin() + static_cast<std::ptrdiff_t>(to)};
}

uint64_t Session::step_seed(int64_t step) const {
  return mix(mix(request_.job->seed) ^ static_cast<uint64_t>(step));
}

uint64_t Session::group_seed(int64_t step, size_t position) const {
  return row_seed(step_seed(step), position);
}

double Session::set_learning_rate(int64_t step) {
  double lr = learning_rate_at(*request_.job, step, total_steps_);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
  return lr;
}

bool Session::apply_gradients(bool loss_finite, double* grad_norm) {
  *grad_norm = 0;
  loss_finite = group_->all_true(loss_finite);
  if (loss_finite) {
    group_->all_reduce_gradients(policy_->parameters());
    const double max_norm = request_.job->max_grad_norm > 0 ? request_.job->max_grad_norm
                                                           : std::numeric_limits<double>::infinity();
    *grad_norm = torch::nn::utils::clip_grad_norm_(policy_->parameters(), max_norm);
  }
  if (!loss_finite || !std::isfinite(*grad_norm)) {
    optimizer_->zero_grad();
    ++skipped_;
    return false;
  }
  optimizer_->step();
  return true;
}

std::string Session::decode(const std::vector<int64_t>& tokens) const {
  std::vector<int32_t> ids(tokens.begin(), tokens.end());
  return tokenizer_->decode(ids, /*skip_special_tokens=*/true);
}

double Session::evaluate(int64_t step) {
  const JobConfig& job = *request_.job;
  if (eval_.empty() || !request_.grade) return -1;
  torch::NoGradGuard no_grad;
  policy_->eval();
  size_t rows = eval_.size();
  if (job.eval_samples > 0) rows = std::min(rows, static_cast<size_t>(job.eval_samples));
  const Shard mine = shard_of(rows, group_->rank(), group_->world_size());
  // Every chunk is padded to the widest eval prompt, so that with its row's own seed a row's
  // completion does not depend on the chunk or the rank that generates it.
  int64_t width = 0;
  std::vector<std::string> prompts;
  for (const EncodedExample& x : eval_) {
    width = std::max(width, static_cast<int64_t>(x.prompt.size()));
    prompts.push_back(x.text);
  }
  GenerateRows generate = [&](size_t from, size_t to, const std::vector<uint64_t>& seeds) {
    std::vector<std::vector<int64_t>> batch;
    for (size_t i = from; i < to; ++i) batch.push_back(eval_[i].prompt);
    model::SamplingOptions so;
    so.temperature = job.eval_temperature;
    so.top_p = job.top_p;
    so.row_seeds = seeds;
    so.min_width = width;
    so.max_new_tokens = job.max_new_tokens;
    so.eos_ids = eos_ids_;
    std::vector<RowGeneration> out;
    for (const model::Generation& g : model::generate(policy_, batch, so)) {
      out.push_back(RowGeneration{decode(g.tokens), g.finish == model::Finish::kLength,
                                  static_cast<int64_t>(g.tokens.size())});
    }
    return Expected<std::vector<RowGeneration>>(std::move(out));
  };
  const EvalSetup setup{request_.grade,          request_.component_names,
                        request_.pass_component, request_.monitor_names,
                        request_.verify,         request_.verifier_pass_component};
  Expected<EvalSums> mine_sums = evaluate_rows(*request_.eval, prompts, mine.from, mine.to,
                                               /*chunk=*/64, step_seed(-1 - step), generate, setup);
  policy_->train();
  if (!mine_sums.ok()) throw std::runtime_error(mine_sums.error());
  const size_t c = request_.component_names.size(), m = request_.monitor_names.size();
  // total, length, the verifier's total and pass, then the components and the monitors: this
  // rank's sums, then the sums over the ranks.
  std::vector<double> sums = {mine_sums->total, mine_sums->length, mine_sums->verifier_total,
                              mine_sums->verifier_pass};
  mine_sums->components.resize(c, 0.0);
  mine_sums->monitors.resize(m, 0.0);
  sums.insert(sums.end(), mine_sums->components.begin(), mine_sums->components.end());
  sums.insert(sums.end(), mine_sums->monitors.begin(), mine_sums->monitors.end());
  group_->all_reduce_sum(sums);
  const double total = sums[0], length = sums[1];
  const std::vector<double> components(sums.begin() + 4, sums.begin() + 4 + static_cast<long>(c));
  const std::vector<double> monitors(sums.begin() + 4 + static_cast<long>(c), sums.end());
  const double n = static_cast<double>(rows);
  nlohmann::json line = {{"kind", "eval"}, {"step", step}, {"reward_mean", total / n},
                         {"completion_length", length / n}, {"rows", rows}};
  nlohmann::json comp = nlohmann::json::object();
  for (size_t k = 0; k < c; ++k) comp[request_.component_names[k]] = components[k] / n;
  line["components"] = comp;
  if (m > 0) {
    nlohmann::json mon = nlohmann::json::object();
    for (size_t k = 0; k < m; ++k) mon[request_.monitor_names[k]] = monitors[k] / n;
    line["monitors"] = mon;
  }
  double score = total / n;
  if (request_.pass_component >= 0) {
    score = components[static_cast<size_t>(request_.pass_component)] / n;
    line["pass_rate"] = score;
  }
  if (request_.verify) {
    // The held-out verifier beside the trained reward, and the gap between them.
    line["verifier"] = {{"reward_mean", sums[2] / n}, {"gap", total / n - sums[2] / n}};
    if (request_.verifier_pass_component >= 0) line["verifier"]["pass_rate"] = sums[3] / n;
  }
  write_metrics(std::move(line));
  return score;
}

std::string Session::eval_note(int64_t step, double score) const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "eval at step %lld: %s %.3f", static_cast<long long>(step),
                request_.pass_component >= 0 ? "pass rate" : "mean reward", score);
  return buf;
}

Expected<std::string> Session::save(int64_t step) {
  const JobConfig& job = *request_.job;
  nlohmann::json state = {{"step", step},
                          {"total_steps", total_steps_},
                          {"skipped_steps", skipped_},
                          {"elapsed", elapsed()},
                          {"seed", job.seed},
                          {"base_model", job.model}};
  Expected<std::string> dir = checkpoint_dir(job.output_dir, step);
  if (is_root()) {
    dir = save_checkpoint(job.output_dir, step, policy_, *optimizer_, state, job.model);
    if (dir.ok()) prune_checkpoints(job.output_dir, job.keep_last);
  }
  if (!group_->all_true(dir.ok()) && dir.ok()) {
    return failure("rank 0 could not write the checkpoint of step " + std::to_string(step));
  }
  return dir;
}

double Session::elapsed() const {
  return elapsed_before_ +
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Session::write_metrics(nlohmann::json line) {
  if (!is_root()) return;
  if (request_.annotate_metrics) request_.annotate_metrics(line);
  if (monitor_) {
    for (const Alarm& a : monitor_->observe(line)) {
      report({a.step, total_steps_, line.value("reward_mean", 0.0), 0, elapsed(), false,
              alarm_warning(a)});
    }
  }
  metrics_.write(line);
}

std::optional<Alarm> Session::stopping_alarm() {
  if (!job().monitor.stop_on_alarm) return std::nullopt;
  // Only this run's alarms: a run resumed after an alarm stopped it goes on.
  const bool raised = monitor_ && monitor_->raised().size() > alarms_before_;
  std::vector<double> flag{raised ? 1.0 : 0.0};
  group_->all_reduce_sum(flag);  // rank 0 decides for every rank
  if (flag[0] == 0) return std::nullopt;
  if (raised) return monitor_->raised()[alarms_before_];
  return Alarm{"alarm", 0, "raised on rank 0"};
}

TrainResult Session::result(const std::string& final_checkpoint, int64_t steps) const {
  TrainResult r;
  r.final_checkpoint = final_checkpoint;
  r.steps = steps;
  r.skipped_steps = skipped_;
  r.resumed_from = start_step_;
  r.seconds = elapsed();
  return r;
}

}  // namespace rft::train
