#!/usr/bin/env python3
"""Compares two safetensors files tensor by tensor (float32, float16, bfloat16).

Usage: compare_weights.py A.safetensors B.safetensors TOLERANCE

Prints the largest absolute difference and the largest difference from the first file's values
(how far training moved them is not known here, so the second is for the reader); exits 1 when
the tensors' names or shapes differ or any element differs by more than TOLERANCE. Uses only the
Python standard library.
"""

import array
import json
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        dtype = info["dtype"]
        if dtype == "F32":
            values = array.array("f", raw)
        elif dtype == "F16":
            values = [v[0] for v in struct.iter_unpack("<e", raw)]
        elif dtype == "BF16":
            halves = array.array("H", raw)
            values = array.array("f", struct.pack(f"<{len(halves)}I", *(h << 16 for h in halves)))
        else:
            sys.exit(f"{path}: tensor {name}: dtype {dtype} is not compared")
        tensors[name] = (tuple(info["shape"]), values)
    return tensors


def main():
    a_path, b_path, tolerance = sys.argv[1], sys.argv[2], float(sys.argv[3])
    a, b = load(a_path), load(b_path)
    if a.keys() != b.keys():
        sys.exit(f"the files hold different tensors: {sorted(a.keys() ^ b.keys())}")
    worst, where = 0.0, ""
    for name in sorted(a):
        (shape_a, va), (shape_b, vb) = a[name], b[name]
        if shape_a != shape_b:
            sys.exit(f"{name}: shape {shape_a} against {shape_b}")
        d = max((abs(x - y) for x, y in zip(va, vb)), default=0.0)
        if d > worst:
            worst, where = d, name
    print(f"largest difference {worst:.3g} ({where or 'none'}), tolerance {tolerance:g}")
    return 0 if worst <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
