#!/usr/bin/env bash
# The support-extraction example's data and reward agree: every reference answer that
# make_data.py writes (train, SFT and held-out rows, two seeds) is valid JSON of the required
# shape and scores the whole record right (total 1, exact 1, no flag), and the held-out rows share
# no order number with the training rows.
# Usage: support_extraction_data.sh RFT SOURCE_ROOT WORK_DIR
set -euo pipefail
rft=$1 root=$2 work=$3
dir=$root/examples/support-extraction
rm -rf "$work" && mkdir -p "$work"
for seed in 1 2; do
  python3 "$dir/make_data.py" "$work/s$seed" --seed "$seed" --train 400 --sft 100 --eval 200
  for split in train sft eval; do
    "$rft" grade "$dir/support_extraction.reward" --reward support_extraction \
      --data "$work/s$seed/$split.jsonl" --out "$work/s$seed/$split.graded.jsonl" --threads 2 \
      2>"$work/s$seed/$split.log"
  done
done
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for seed in (1, 2):
    ids = {}
    for split in ("train", "sft", "eval"):
        rows = [json.loads(l) for l in open(f"{work}/s{seed}/{split}.jsonl")]
        graded = [json.loads(l) for l in open(f"{work}/s{seed}/{split}.graded.jsonl")]
        assert len(rows) == len(graded) > 0, (split, len(rows), len(graded))
        for row, g in zip(rows, graded):
            assert g["total"] == 1 and g["components"]["exact"] == 1 and g["flags"] == [], (row, g)
        ids[split] = {r["order_id"] for r in rows if r["order_id"]}
        # The messages vary: every field is missing somewhere, and some rows carry a distractor.
        for key in ("order_id", "date", "amount", "product"):
            assert any(r[key] is None for r in rows) and any(r[key] is not None for r in rows), key
        assert len({r["intent"] for r in rows}) == 5 and len({r["urgency"] for r in rows}) == 3
    assert not (ids["eval"] & (ids["train"] | ids["sft"])), "held-out order numbers were trained on"
print("support extraction: every reference answer scores 1 on two seeds")
PY
