// Checkpoints on a full disk: a write that fails (here: past RLIMIT_FSIZE, which gives the EFBIG a
// full disk gives as ENOSPC, without needing root or a small file system) is reported as an error,
// leaves no partial folder, and the checkpoint before it stays the newest, loadable one.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>

#include "runtime/model/config.h"
#include "runtime/model/torch/transformer.h"
#include "runtime/train/torch/checkpoint.h"

namespace rft::train {
namespace {

namespace fs = std::filesystem;

model::ModelConfig tiny_config() {
  model::ModelConfig c;
  c.architecture = "LlamaForCausalLM";
  c.vocab_size = 64;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_hidden_layers = 1;
  c.num_attention_heads = 2;
  c.num_key_value_heads = 2;
  c.head_dim = 16;
  c.max_position_embeddings = 64;
  c.tie_word_embeddings = true;
  c.eos_token_ids = {1};
  c.torch_dtype = "float32";
  return c;
}

// Restores the file size limit and SIGXFSZ's action when the test ends.
struct FileSizeLimit {
  rlimit saved{};
  void (*saved_handler)(int) = nullptr;
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved);
    saved_handler = std::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead
    rlimit l = saved;
    l.rlim_cur = bytes;
    ok = setrlimit(RLIMIT_FSIZE, &l) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, saved_handler);
  }
  bool ok = false;
};

TEST(Checkpoint, AFailedOptimizerWriteIsAnErrorAndKeepsThePreviousCheckpoint) {
  fs::path out = fs::temp_directory_path() / ("rft-checkpoint-test-" + std::to_string(getpid()));
  fs::remove_all(out);
  torch::manual_seed(1);
  model::Transformer m(tiny_config());
  model::init_random_weights(m, 0.02);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-3));
  // One step, so that the optimizer has state to save.
  torch::Tensor loss = torch::zeros({});
  for (const auto& p : m->parameters()) loss = loss + p.pow(2).sum();
  loss.backward();
  opt.step();

  Expected<std::string> first = save_checkpoint(out.string(), 1, m, opt, {{"step", 1}}, "");
  ASSERT_TRUE(first.ok()) << first.error();
  const auto weights = fs::file_size(fs::path(*first) / "model.safetensors");
  const auto optimizer = fs::file_size(fs::path(*first) / "optimizer.pt");
  // Adam keeps two values per weight: the optimizer's file is the larger one.
  ASSERT_GT(optimizer, weights + 8192);

  Expected<std::string> second = failure("not run");
  {
    FileSizeLimit limit(weights + 4096);  // the weights fit; the optimizer's state does not
    if (!limit.ok) GTEST_SKIP() << "cannot set RLIMIT_FSIZE here";
    second = save_checkpoint(out.string(), 2, m, opt, {{"step", 2}}, "");
  }
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("optimizer.pt"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find(std::strerror(EFBIG)), std::string::npos) << second.error();
  EXPECT_NE(second.error().find("step 2"), std::string::npos) << second.error();

  // Nothing of step 2 is left; step 1 is still the newest checkpoint, and it loads.
  EXPECT_EQ(latest_checkpoint(out.string()), *first);
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) {
    EXPECT_EQ(e.path(), fs::path(*first)) << "left behind: " << e.path();
  }
  torch::optim::Adam restored(m->parameters(), torch::optim::AdamOptions(1e-3));
  Expected<nlohmann::json> state = load_trainer_state(*first, restored);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ((*state)["step"], 1);
  fs::remove_all(out);
}

}  // namespace
}  // namespace rft::train
