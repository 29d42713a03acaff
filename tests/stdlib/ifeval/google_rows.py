#!/usr/bin/env python3
"""Adds Google's strict and loose verdicts (evaluation_main.py) to IFEval rows.

  NLTK_DATA=DIR google_rows.py GOOGLE_DIR INPUT_DATA.jsonl RESPONSES.jsonl > rows.jsonl

INPUT_DATA holds the benchmark rows (prompt, instruction_id_list, kwargs), RESPONSES the
responses (prompt, response). Each output line: the row, its response, and "strict" and "loose",
one verdict per instruction. langdetect is seeded with 0."""
import json
import logging
import sys

sys.path.insert(0, sys.argv[1])
logging.disable(logging.CRITICAL)
import langdetect  # noqa: E402
from instruction_following_eval import evaluation_main as ev  # noqa: E402

langdetect.DetectorFactory.seed = 0
responses = {}
with open(sys.argv[3], encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        responses[d["prompt"]] = d["response"]
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        inp = ev.InputExample(key=d["key"], instruction_id_list=d["instruction_id_list"],
                              prompt=d["prompt"], kwargs=d["kwargs"])
        strict = ev.test_instruction_following_strict(inp, responses)
        loose = ev.test_instruction_following_loose(inp, responses)
        print(json.dumps({"instruction_id_list": d["instruction_id_list"], "kwargs": d["kwargs"],
                          "response": responses[d["prompt"]],
                          "strict": strict.follow_instruction_list,
                          "loose": loose.follow_instruction_list}, ensure_ascii=False))
