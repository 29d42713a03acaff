/* Grades one sample with a reward compiled by `rft compile`, using librft_grader alone.
 *
 *   rft compile examples/gsm8k.reward -o gsm8k.so
 *   grade_sample ./gsm8k.so gsm8k '\boxed{72}' '{"answer": "72"}'
 *
 * Prints the total, each component and each flag, one per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/grader/abi.h"

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: %s GRADER.so REWARD COMPLETION [ITEM_JSON]\n", argv[0]);
    return 2;
  }
  char error[512];
  rft_grader* grader = rft_grader_open(argv[1], error, sizeof error);
  if (grader == NULL) {
    fprintf(stderr, "grade_sample: %s\n", error);
    return 1;
  }
  const rft_grader_info* info = rft_grader_get_info(grader);
  const rft_reward_info* reward = rft_grader_find(grader, argv[2]);
  if (reward == NULL) {
    fprintf(stderr, "grade_sample: no reward named `%s` in %s (it has:", argv[2], argv[1]);
    for (uint32_t i = 0; i < info->n_rewards; ++i) fprintf(stderr, " %s", info->rewards[i].name);
    fprintf(stderr, ")\n");
    rft_grader_close(grader);
    return 1;
  }

  rft_sample sample;
  memset(&sample, 0, sizeof sample);
  sample.completion.ptr = argv[3];
  sample.completion.len = strlen(argv[3]);
  if (argc == 5) {
    sample.item_json.ptr = argv[4];
    sample.item_json.len = strlen(argv[4]);
  }

  rft_ctx* ctx = rft_ctx_new();
  double total = 0;
  /* One value per component, then one per monitor. */
  double* values = calloc(reward->n_components + reward->n_monitors + 1, sizeof(double));
  reward->grade(ctx, &sample, &total, values);

  printf("total %.17g\n", total);
  for (uint32_t i = 0; i < reward->n_components; ++i) {
    printf("component %s %.17g\n", reward->components[i], values[i]);
  }
  for (uint32_t i = 0; i < reward->n_monitors; ++i) {
    printf("monitor %s %.17g\n", reward->monitors[i], values[reward->n_components + i]);
  }
  for (uint64_t i = 0; i < rft_ctx_flag_count(ctx); ++i) {
    rft_str flag = rft_ctx_flag_at(ctx, i);
    printf("flag %.*s\n", (int)flag.len, flag.ptr);
  }

  free(values);
  rft_ctx_free(ctx);
  rft_grader_close(grader);
  return 0;
}
