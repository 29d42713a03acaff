// The subcommands. Each add_* registers its options and sets `run` to its action when chosen.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace rft::cli {

using Command = std::function<int()>;

void add_check(CLI::App& app, Command& run);
void add_test(CLI::App& app, Command& run);
void add_explain(CLI::App& app, Command& run);
void add_grade(CLI::App& app, Command& run);
void add_compile(CLI::App& app, Command& run);
void add_generate(CLI::App& app, Command& run);
void add_eval(CLI::App& app, Command& run);
void add_train(CLI::App& app, Command& run);  // train and sft
void add_serve(CLI::App& app, Command& run);
void add_tokenize(CLI::App& app, Command& run);

}  // namespace rft::cli
