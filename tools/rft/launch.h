// `rft train --nproc N`: starts the ranks of a data-parallel job on this machine, as torchrun
// would, and supervises them (docs/distributed.md). Free of torch: the ranks are new processes of
// this same program.
#pragma once

#include <string>
#include <vector>

#include "runtime/common/expected.h"

namespace rft::cli {

// Runs this executable `nproc` times with `args` (the command line after the program name) as
// ranks 0..nproc-1 of one job: each gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR=127.0.0.1 and a free MASTER_PORT in its environment. Waits for every rank. When one
// fails, the others are stopped (SIGTERM, then SIGKILL after a grace period); SIGINT or SIGTERM
// to this process is passed on to the ranks. Succeeds when every rank exited with status 0;
// otherwise fails saying what happened, naming the rank:
// "rank 1 of 2 was killed by signal 9 (SIGKILL); stopped rank 0".
Expected<void> launch_local_ranks(int nproc, const std::vector<std::string>& args);

}  // namespace rft::cli
