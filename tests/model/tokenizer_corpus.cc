#include "tests/model/tokenizer_corpus.h"

#include <cstdint>
#include <random>
#include <string_view>

#include "runtime/grader/utf8.h"

namespace rft::model::testing {

namespace {

const std::vector<std::string> kProse = {
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity.",
    "Reinforcement fine-tuning (RFT) adapts a model with rewards instead of labels.",
    "Mr. Smith went to Washington D.C. on Jan. 3rd, 2024 -- and left on the 5th.",
    "\"Quoted text,\" she said. 'Single quotes' too; (parentheses) [brackets] {braces}.",
    "e-mail: someone@example.com, URL: https://example.com/path?q=1&r=two#frag",
    "ALL CAPS SENTENCE WITH SOME WORDS. mixedCase camelCase snake_case kebab-case",
    "a",
    "A",
    "ab",
    " a",
    "a ",
    " ",
    "",
    ".",
    "..",
    "...",
    "?!",
    "hello\nworld",
    "First line.\nSecond line.\n\nNew paragraph after a blank line.\n",
    "Tabs\tbetween\twords\tand\ttrailing\t",
    "Ünïcödé wörds and ASCII mixed: naïve café résumé coöperate façade",
    "The year 1999 and the year 2000; version 3.14.159; 1,234,567.89 dollars; -42 degrees",
    "What's up? I'd say it's fine; they're here, we've won, you'll see, I'm sure.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation."};

const std::vector<std::string> kCjk = {"你好，世界！",
                                       "我爱自然语言处理。",
                                       "今天天气很好，我们去公园散步吧。",
                                       "机器学习是人工智能的一个分支。",
                                       "中文English混合Mixed文本123",
                                       "こんにちは世界",
                                       "日本語のテキストとカタカナとひらがな。",
                                       "東京都渋谷区１２３",
                                       "안녕하세요 세계",
                                       "한국어 텍스트입니다. 감사합니다!",
                                       "漢字かなカナ한글",
                                       "「引用」『二重引用』（括弧）【見出し】",
                                       "全角スペース　と半角 スペース",
                                       "第一章　総則\n第一条　この法律は、",
                                       "数字：一二三四五六七八九十百千万亿",
                                       "𠀀𠀁𠀂 CJK Extension B",
                                       "龘靐齉齾",
                                       "ｱｲｳｴｵ halfwidth katakana"};

const std::vector<std::string> kEmoji = {"😀",
                                         "😀😃😄😁",
                                         "I ❤️ NY",
                                         "👍🏽 thumbs up with skin tone",
                                         "👩‍💻 woman technologist",
                                         "👨‍👩‍👧‍👦 family",
                                         "🏳️‍🌈 rainbow flag",
                                         "🏴‍☠️ pirate flag",
                                         "🇺🇸🇯🇵🇩🇪🇫🇷 flags",
                                         "🇬🇧 and 🇨🇳",
                                         "1️⃣2️⃣3️⃣ keycaps",
                                         "#️⃣ *️⃣",
                                         "☺︎ text style ☺️ emoji style",
                                         "🧑🏿‍🚀 astronaut",
                                         "Hello 👋 world 🌍!",
                                         "🔥🔥🔥 fire",
                                         "👨🏻‍🤝‍👨🏾",
                                         "🤷‍♀️ shrug",
                                         "emoji😀in😀words",
                                         "😀.😀,😀!",
                                         "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland tag sequence"};

const std::vector<std::string> kWhitespace = {
    "  leading spaces", "trailing spaces  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n",
    "line1\r\nline2\r\n", "a\rb", "a \n b", "a  \n  b", "a\t\n\tb", "  \n  \n  ", "word    word",
    "word\t \t word", "x\n\n\n\ny", " \r\n ", "\n ", " \n", "\t\n", "\n\t", "a\u00a0b",
    "a \u00a0 b", "a\u3000b", "a\u2009b\u200ac", "a\u2028b\u2029c", "a\u0085b \u0085 c",
    "a\ufeffb \ufeff c",
    // U+0085 is White_Space but not JavaScript's \s; U+FEFF the other way round.
    "\u0085\u0085x", "a\u0085\u0085", "x\ufeff\ufeffy", "\ufeff\ufeff", "1\u0085\u00852",
    "a \u0085\u0085 b", "x\u180e\u180ey", "a\u001c\u001cb", "\ufeffBOM at start",
    "a\u200bb zero width", "a\vb\fc", "end with newline\n", "end with spaces   ", "  \t  \t  ",
    "x \t\r\n y",
    "                                                                                 x",
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", "a\u1680b", "a\u202fb\u205fc", "!\n\n", "!  \n",
    ".\r\n\r\n", "a.\n b", "x  .", "x \t.", "1  2", "1\n\n2", "\u00a0\u00a0x"};

const std::vector<std::string> kCode = {
    "def add(a, b):\n    return a + b\n",
    "class Foo:\n    def __init__(self, x):\n        self.x = x\n\n    def __repr__(self):\n"
    "        return f\"Foo({self.x!r})\"\n",
    "import numpy as np\nx = np.arange(10).reshape(2, 5)\nprint(x.T @ x)\n",
    "#include <iostream>\nint main() {\n  std::cout << \"Hello\\n\";\n  return 0;\n}\n",
    "template <typename T>\nT max(T a, T b) { return a > b ? a : b; }",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "const f = async (x) => { await fetch(`/api/${x}`); };\n",
    "function fib(n) {\n\tif (n < 2) return n;\n\treturn fib(n - 1) + fib(n - 2);\n}",
    "fn main() {\n    let v: Vec<i32> = (0..10).collect();\n    println!(\"{:?}\", v);\n}\n",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n",
    "SELECT id, name FROM users WHERE age >= 18 AND name LIKE 'A%' ORDER BY id DESC;",
    "<html>\n  <body>\n    <div class=\"x\">Hello &amp; welcome</div>\n  </body>\n</html>",
    "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true}}",
    "#!/bin/bash\nset -euo pipefail\nfor f in *.txt; do echo \"$f\"; done\n",
    "\\begin{equation}\n  E = mc^2 \\quad \\int_0^\\infty e^{-x^2} dx = \\frac{\\sqrt{\\pi}}{2}\n"
    "\\end{equation}",
    "x+=1;y-=2;z*=3;w/=4;v%=5;u**=6;t//=7;s<<=8;r>>=9;q&=10;p|=11;o^=12",
    "if x == 1 and y != 2 or not z:\n    pass\nelif x <= 3 >= y:\n    ...\n",
    "    indented four\n        indented eight\n\tindented tab\n",
    "// comment\n/* block\n   comment */\n# hash comment\n-- sql comment",
    "arr[i][j] = obj->field.method()->next; ptr = &x; ref = *ptr;",
    "lambda x: x**2 if x > 0 else -x  # inline comment",
    "    return {\"status\": 200, 'message': \"OK\"}\r\n",
    "matrix = [[1, 2], [3, 4]]\nresult = [[sum(a*b for a, b in zip(r, c)) for c in zip(*m)] for r "
    "in m]",
    "```python\nprint('fenced')\n```\n",
    "<|im_start|> is not code but looks like it <>",
    "a && b || !c; a ?? b; a?.b; ...rest; 0x1F; 0b1010; 1e-9; 3.0f; 10_000",
    "public static void main(String[] args) throws Exception {}",
    "let re = /^[a-z]+\\d{2,3}$/gi;",
    "echo $HOME ${PATH:-/usr/bin} $(date) `ls`"};

const std::vector<std::string> kContractions = {"I'm",
                                                "I'M",
                                                "i'm",
                                                "you're",
                                                "YOU'RE",
                                                "You'Re",
                                                "we've",
                                                "WE'VE",
                                                "We'Ve",
                                                "they'll",
                                                "THEY'LL",
                                                "They'Ll",
                                                "he'd",
                                                "HE'D",
                                                "it's",
                                                "IT'S",
                                                "It'S",
                                                "don't",
                                                "DON'T",
                                                "Don'T",
                                                "'s",
                                                "'S",
                                                "'t",
                                                "'re",
                                                "'RE",
                                                "'ve",
                                                "'m",
                                                "'ll",
                                                "'LL",
                                                "'d",
                                                "'D",
                                                "'",
                                                "''",
                                                "'''",
                                                "'x",
                                                "'sup",
                                                "'Sup",
                                                "rock'n'roll",
                                                "o'clock",
                                                "O'Neil's",
                                                "y'all'd've",
                                                "'s's",
                                                "ma'am",
                                                "Let's go",
                                                "LET'S GO",
                                                "The dog's bone",
                                                "the dogs' bones",
                                                "it’s curly",
                                                "’s",
                                                "'ſ",
                                                "'K",
                                                "' s",
                                                "'\ns",
                                                "don'tdon't",
                                                "I'll've",
                                                "'re'",
                                                "can't won't shan't ain't",
                                                "'ll 'll",
                                                " 's",
                                                "a's b'S c't d'T",
                                                "'1",
                                                "'é",
                                                "é's",
                                                "你's",
                                                "1's"};

const std::vector<std::string> kSpecialTokens = {
    "<|im_start|>",
    "<|im_end|>",
    "<|endoftext|>",
    "<think>",
    "</think>",
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    "text<|im_end|>more text",
    " <|im_start|> spaced ",
    "<|im_start|><|im_end|>",
    "<|im_start",
    "im_start|>",
    "<|im_start|",
    "<<|im_start|>|>",
    "<|<|im_end|>|>",
    "<think>\nreasoning\n</think>\n\nanswer",
    "<tool_call>{\"a\": 1}</tool_call>",
    "<|begin_of_text|>",
    "<|eot_id|>",
    "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
    "<|begin_of_text|><|begin_of_text|>",
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_250|>",
    "<|end_of_text|> trailing",
    "x<|eot_id|>y",
    "<|vision_start|><|image_pad|><|vision_end|>",
    "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
    "<|IM_START|>",
    "< |im_start| >",
    "<|im_start|>\n\n\n",
    "   <|im_end|>   ",
    "<|endoftext|><|endoftext|><|endoftext|>",
    "<think></think>",
    "<think><think>",
    "<|python_tag|>",
    "<|eom_id|>",
    "<|finetune_right_pad_id|>"};

const std::vector<std::string> kAccents = {
    "café",
    "cafe\u0301",
    "Å",
    "A\u030a",
    "\u212b Angstrom sign",
    "\u2126 Ohm sign",
    "Tiếng Việt có dấu",
    "Tie\u0302\u0301ng Vie\u0323\u0302t",
    "ñ n\u0303",
    "ü u\u0308",
    "e\u0301\u0301\u0301",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319"
    "\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c"
    "\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334"
    "\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d"
    "\u0333",
    "\u1100\u1161\u11a8 decomposed hangul",
    "\uac01 composed hangul",
    "ﬁ ligature ﬂ",
    "x\u0308\u0301",
    "\u0041\u0300\u0316",
    "ǅ titlecase",
    "ß ẞ",
    "İstanbul ı",
    "Straße",
    "\u0915\u093c nukta",
    "\u0958",
    "Ελληνικά ά α\u0301",
    "Ω \u03a9",
    "ḱṷṓn",
    "ŉ",
    "\u00c5\u030a",
    "a\u0328\u0301",
    "\u05d0\u05b7",
    "Å\u0323"};

const std::vector<std::string> kRtlAndScripts = {
    "مرحبا بالعالم",
    "اللغة العربية جميلة.",
    "عدد ١٢٣٤٥٦٧٨٩٠ أرقام",
    "שלום עולם",
    "עברית עם ניקוד: שָׁלוֹם",
    "mixed English עברית and العربية 123",
    "\u200fRLM mark\u200e LRM mark",
    "\u202eRTL override\u202c",
    "فارسی: سلام دنیا ۱۲۳",
    "नमस्ते दुनिया",
    "हिन्दी में लिखा गया पाठ। १२३",
    "สวัสดีชาวโลก",
    "ภาษาไทยไม่มีช่องว่าง",
    "Привет, мир!",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Γειά σου Κόσμε",
    "გამარჯობა მსოფლიო",
    "Բարեւ աշխարհ",
    "ሰላም ልዑል",
    "வணக்கம் உலகம்",
    "ওহে বিশ্ব",
    "ಹಲೋ ವರ್ಲ್ಡ್",
    "ආයුබෝවන්",
    "ᠮᠣᠩᠭᠣᠯ",
    "ᚠᚢᚦᚨᚱᚲ runes",
    "𓀀𓀁 hieroglyphs",
    "Tiếng Việt",
    "Ṫḧïṡ ïṡ ẅëïṙḋ",
    "ʕ•ᴥ•ʔ",
    "(╯°□°)╯︵ ┻━┻",
    "¯\\_(ツ)_/¯"};

const std::vector<std::string> kSymbols = {"!!!???",
                                           "...",
                                           "—",
                                           "–",
                                           "«quotes»",
                                           "„German“",
                                           "“smart quotes”",
                                           "‘single’",
                                           "…",
                                           "1/2 ½ ¼ ¾",
                                           "x² + y³ = z⁴",
                                           "H₂O CO₂",
                                           "Ⅻ Ⅳ ⅻ roman numerals",
                                           "① ② ③",
                                           "∑∫∂∇√∞≈≠≤≥",
                                           "€100 £50 ¥1000 $20 ₹500 ₿",
                                           "©®™℠",
                                           "§ ¶ † ‡ • ‣",
                                           "→ ← ↑ ↓ ⇒ ⇔",
                                           "♠♣♥♦",
                                           "★☆✓✗",
                                           "@#$%^&*()_+-=[]{}|;':\",./<>?`~",
                                           "~~~~~~",
                                           "=====",
                                           "-----",
                                           "_____",
                                           "*****",
                                           "<!-- -->",
                                           "&nbsp;&lt;&gt;",
                                           "\\\\server\\share",
                                           "C:\\Users\\name",
                                           "~/.config/rft",
                                           "°C °F",
                                           "±",
                                           "×÷",
                                           "‰",
                                           "№",
                                           "℃",
                                           "㎞",
                                           "㍿",
                                           "🄰🄱",
                                           "𝐀𝐁𝐂 math bold",
                                           "𝟘𝟙𝟚 math digits"};

const std::vector<std::string> kNumbers = {"0",
                                           "1",
                                           "12",
                                           "123",
                                           "1234",
                                           "12345",
                                           "123456",
                                           "1234567",
                                           "12345678",
                                           "123456789",
                                           "1234567890",
                                           "12345678901",
                                           "123456789012",
                                           "3.14159",
                                           "-273.15",
                                           "+1",
                                           "1e10",
                                           "6.022e23",
                                           "1,000",
                                           "1,000,000",
                                           "1.000.000,00",
                                           "0.0001",
                                           "007",
                                           "000000",
                                           "0x7FFF",
                                           "v1.2.3",
                                           "2024-01-15",
                                           "12:34:56",
                                           "192.168.0.1",
                                           "+1 (555) 123-4567",
                                           "99%",
                                           "1st 2nd 3rd",
                                           "٠١٢٣٤٥٦٧٨٩",
                                           "۰۱۲۳",
                                           "०१२३४५६७८९",
                                           "０１２３４５６７８９",
                                           "௧௨௩",
                                           "१२३abc४५६",
                                           "12abc34",
                                           "abc123def456",
                                           "1 2 3 4 5",
                                           "1  2",
                                           "12.34.56",
                                           "3/4",
                                           "1:2",
                                           "10^9",
                                           "π≈3.14"};

// Characters the random strings are made of: every class the split patterns tell apart, plus
// the tricky neighbours (apostrophes, newlines, spaces that are not U+0020).
const std::vector<std::string> kAtoms = {"a",
                                         "b",
                                         "z",
                                         "A",
                                         "Q",
                                         "Z",
                                         "e",
                                         "s",
                                         "t",
                                         "r",
                                         "v",
                                         "m",
                                         "l",
                                         "d",
                                         "S",
                                         "T",
                                         "R",
                                         "L",
                                         "é",
                                         "ß",
                                         "ñ",
                                         "Ω",
                                         "ж",
                                         "Ж",
                                         "中",
                                         "文",
                                         "日",
                                         "あ",
                                         "カ",
                                         "한",
                                         "ا",
                                         "ש",
                                         "क",
                                         "ก",
                                         "ǅ",
                                         "0",
                                         "1",
                                         "5",
                                         "9",
                                         "٣",
                                         "５",
                                         "²",
                                         "½",
                                         "Ⅻ",
                                         "①",
                                         "𝟙",
                                         " ",
                                         " ",
                                         " ",
                                         "  ",
                                         "\t",
                                         "\n",
                                         "\n",
                                         "\r\n",
                                         "\r",
                                         "\u00a0",
                                         "\u3000",
                                         "\u2009",
                                         "\u000b",
                                         "\u000c",
                                         "\u2028",
                                         "'",
                                         "'",
                                         "’",
                                         "\"",
                                         ".",
                                         ",",
                                         "!",
                                         "?",
                                         "-",
                                         "_",
                                         "(",
                                         ")",
                                         "[",
                                         "]",
                                         "{",
                                         "}",
                                         "<",
                                         ">",
                                         "/",
                                         "\\",
                                         "|",
                                         "@",
                                         "#",
                                         "$",
                                         "%",
                                         "^",
                                         "&",
                                         "*",
                                         "+",
                                         "=",
                                         "~",
                                         "`",
                                         ":",
                                         ";",
                                         "…",
                                         "—",
                                         "€",
                                         "©",
                                         "→",
                                         "∑",
                                         "😀",
                                         "👍🏽",
                                         "👨‍👩‍👧",
                                         "🇯🇵",
                                         "1️⃣",
                                         "\u0301",
                                         "\u0308",
                                         "\u200d",
                                         "\ufe0f",
                                         "\u200b",
                                         "'s",
                                         "'S",
                                         "'re",
                                         "'ll",
                                         "'D",
                                         "'ve",
                                         "'M",
                                         "'t",
                                         "<|im_start|>",
                                         "<|im_end|>",
                                         "<|endoftext|>",
                                         "<think>",
                                         "<|eot_id|>",
                                         "<|begin_of_text|>",
                                         "<|",
                                         "|>",
                                         "<",
                                         "|"};

// Code point ranges for random characters: all assigned since well before Unicode 15, so that
// references built on newer Unicode data classify them the same way.
struct Range {
  char32_t first, last;
};
const std::vector<Range> kRanges = {
    {0x20, 0x7E},       {0xA0, 0x24F},      {0x250, 0x2AF},     {0x300, 0x36F},    {0x391, 0x3A1},
    {0x3A3, 0x3C9},     {0x400, 0x4FF},     {0x5D0, 0x5EA},     {0x620, 0x64A},    {0x660, 0x669},
    {0x900, 0x939},     {0x966, 0x96F},     {0xE01, 0xE3A},     {0x1E00, 0x1EFF},  {0x2000, 0x200A},
    {0x2010, 0x2027},   {0x2030, 0x205E},   {0x20A0, 0x20B5},   {0x2100, 0x214F},  {0x2150, 0x2188},
    {0x2190, 0x21FF},   {0x2200, 0x22FF},   {0x2460, 0x24FF},   {0x2500, 0x257F},  {0x3000, 0x303F},
    {0x3041, 0x3096},   {0x30A1, 0x30FA},   {0x4E00, 0x9FA5},   {0xAC00, 0xD7A3},  {0xFF01, 0xFF5E},
    {0x1F300, 0x1F5FF}, {0x1F600, 0x1F64F}, {0x1D400, 0x1D454}, {0x1D7CE, 0x1D7FF}};

// Deterministic on every platform: only mt19937's raw output is used (the standard fixes it,
// unlike the distributions).
class Rng {
 public:
  explicit Rng(uint32_t seed) : engine_(seed) {}
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(engine_() % n); }

 private:
  std::mt19937 engine_;
};

std::string random_atoms(Rng& rng, size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i) s += kAtoms[rng.below(static_cast<uint32_t>(kAtoms.size()))];
  return s;
}

std::string random_code_points(Rng& rng, size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i) {
    const Range& r = kRanges[rng.below(static_cast<uint32_t>(kRanges.size()))];
    grader::encode_utf8(r.first + rng.below(static_cast<uint32_t>(r.last - r.first + 1)), s);
  }
  return s;
}

std::string random_ascii(Rng& rng, size_t count) {
  static constexpr std::string_view kExtra = "\t\n\r    ";
  std::string s;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t k = rng.below(95 + static_cast<uint32_t>(kExtra.size()));
    s += k < 95 ? static_cast<char>(' ' + k) : kExtra[k - 95];
  }
  return s;
}

// Every length of digit run, alone and in text, for the 1-3 digit grouping of Llama-3.
void add_numbers(std::vector<std::string>& out) {
  std::string digits;
  for (int n = 1; n <= 40; ++n) {
    digits += static_cast<char>('0' + (n * 7) % 10);
    out.push_back(digits);
    out.push_back("x" + digits + " y " + digits + ".");
  }
}

void add_long(std::vector<std::string>& out) {
  out.push_back(std::string(3000, 'a'));
  out.push_back(std::string(2000, ' ') + "x");
  out.push_back(std::string(1000, '\n'));
  out.push_back(std::string(1500, '7'));
  out.push_back(std::string(1000, '!'));
  std::string han;
  for (int i = 0; i < 800; ++i) han += "語";
  out.push_back(han);
  std::string doc;
  for (const std::string& s : kProse) doc += s + "\n";
  for (const std::string& s : kCode) doc += s + "\n";
  out.push_back(doc);
}

}  // namespace

std::vector<std::string> tokenizer_corpus() {
  std::vector<std::string> out;
  for (const auto* group : {&kProse, &kCjk, &kEmoji, &kWhitespace, &kCode, &kContractions,
                            &kSpecialTokens, &kAccents, &kRtlAndScripts, &kSymbols, &kNumbers}) {
    out.insert(out.end(), group->begin(), group->end());
  }
  add_numbers(out);
  add_long(out);
  // Every pair of short hand-picked strings glued and spaced, to cross the category borders.
  for (size_t i = 0; i + 1 < kContractions.size(); i += 2) {
    out.push_back(kContractions[i] + " " + kNumbers[i % kNumbers.size()] +
                  kEmoji[i % kEmoji.size()]);
  }
  Rng rng(20240611);
  for (int i = 0; i < 500; ++i) out.push_back(random_atoms(rng, 1 + rng.below(40)));
  for (int i = 0; i < 250; ++i) out.push_back(random_code_points(rng, 1 + rng.below(30)));
  for (int i = 0; i < 150; ++i) out.push_back(random_ascii(rng, 1 + rng.below(80)));
  return out;
}

}  // namespace rft::model::testing
