/* A grader built for an ABI version this librft_grader does not implement (c_example.sh checks
 * that loading it fails with a clear message). */
#include "runtime/grader/abi.h"

static const rft_grader_info kInfo = {999u, 0u, 0, "", "rft from the future", 0, 0};

const rft_grader_info* rft_grader_entry(void) { return &kInfo; }
