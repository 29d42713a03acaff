#!/usr/bin/env python3
"""Adds Google's verdict to each IFEval case read on stdin (JSONL from generate_cases.py).

  NLTK_DATA=DIR google_reference.py GOOGLE_DIR < cases.jsonl > differential.jsonl

GOOGLE_DIR holds the instruction_following_eval package of google-research (instructions.py,
instructions_util.py, instructions_registry.py); NLTK_DATA holds tokenizers/punkt. Not part of
the test: its output is committed. A case's "expected" is check_following's verdict; langdetect
is random unless seeded, so the language-based instructions are run under seeds 0 to 4 and a
case whose verdict changes with the seed is marked "unstable" (the test skips it)."""
import json
import logging
import sys

sys.path.insert(0, sys.argv[1])
logging.disable(logging.CRITICAL)
import langdetect  # noqa: E402
from instruction_following_eval import instructions_registry  # noqa: E402

LANG_IDS = {"language:response_language", "change_case:english_capital", "change_case:english_lowercase"}


def verdict(case):
    cls = instructions_registry.INSTRUCTION_DICT[case["id"]]
    inst = cls(case["id"])
    inst.build_description(**case["kwargs"])
    return bool(inst.check_following(case["response"]))


for line in sys.stdin:
    case = json.loads(line)
    seeds = range(5) if case["id"] in LANG_IDS else [0]
    seen = set()
    for seed in seeds:
        langdetect.DetectorFactory.seed = seed
        seen.add(verdict(case))
    case["expected"] = min(seen) if len(seen) == 1 else None
    if len(seen) > 1:
        case["unstable"] = True
    print(json.dumps(case, ensure_ascii=False))
