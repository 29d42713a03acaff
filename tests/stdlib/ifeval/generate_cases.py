#!/usr/bin/env python3
"""Generates the boundary cases of the IFEval differential test (seeded, so the output is the
same on every run): responses near each rule of Google's checker, for all 25 instructions.

  tests/stdlib/ifeval/generate_cases.py > /tmp/cases.jsonl
  tests/stdlib/ifeval/google_reference.py GOOGLE_DIR < /tmp/cases.jsonl \
      > tests/stdlib/ifeval/differential.jsonl

Each line: {"id": instruction id, "kwargs": {...}, "response": "..."}."""
import json
import random

R = random.Random(20240607)

WORDS = ("the cat sat on a mat while rain fell over quiet hills and the river ran on "
         "toward distant towns where people slept").split()
LATIN = ["Café au lait", "naïve façade", "Straße", "ÉCOLE NORMALE", "İstanbul", "ǅemal"]
NON_LATIN = ["Привет мир", "ПРИВЕТ МИР", "Γειά σου κόσμε", "ΓΕΙΆ ΣΟΥ", "日本語のテキスト",
             "中文文本", "مرحبا بالعالم", "हिन्दी पाठ", "שלום עולם", "한국어 텍스트",
             "ภาษาไทย", "Ünïcödé ÜBER", "ﬁne ligature"]
SEPS = ["\n", "\n\n", " ", "\r\n", "\t", "\n \n", "\u00a0", "\u2028", "\u3000", "\x1c"]


def words(n, cap=False):
    out = [R.choice(WORDS) for _ in range(n)]
    if cap and out:
        out[0] = out[0].capitalize()
    return " ".join(out)


def sentence():
    return words(R.randint(2, 8), cap=R.random() < 0.7) + R.choice([".", "!", "?", "...", ".\"", ".)", ""])


def prose(n):
    return " ".join(sentence() for _ in range(n))


def sprinkle(s):
    r = R.random()
    if r < 0.15:
        return s + " " + R.choice(NON_LATIN)
    if r < 0.25:
        return R.choice(LATIN) + " " + s
    return s


cases = []


def add(iid, kwargs, response):
    cases.append({"id": iid, "kwargs": kwargs, "response": response})


def relation():
    return R.choice(["less than", "at least"])


def gen_bullets():
    markers = ["* ", "*", "- ", "-", "** ", "**", " * ", "\t- ", "+ ", "• ", "1. ", "*\t", "-- ", "***"]
    for _ in range(180):
        lines = []
        for _ in range(R.randint(0, 6)):
            m = R.choice(markers)
            lines.append(m + (words(R.randint(0, 4)) if R.random() < 0.9 else ""))
        if R.random() < 0.3:
            lines.insert(R.randint(0, len(lines)), prose(1))
        if R.random() < 0.2:
            lines.insert(R.randint(0, len(lines)), "")
        body = R.choice(["\n", "\n\n", "\r\n"]).join(lines)
        n = sum(1 for l in lines if l.lstrip().startswith(("*", "-")))
        add("detectable_format:number_bullet_lists", {"num_bullets": max(0, n + R.choice([-1, 0, 0, 1]))}, body)


def gen_paragraphs():
    divs = ["***", " *** ", "\n***\n", "\n\n***\n\n", "****", "* * *", "***\n***", "\n***", "***\n", "\t***\t"]
    for _ in range(150):
        parts = [prose(R.randint(0, 2)) for _ in range(R.randint(1, 5))]
        out = parts[0]
        for p in parts[1:]:
            out += R.choice(divs) + p
        if R.random() < 0.2:
            out = R.choice(divs) + out
        if R.random() < 0.2:
            out = out + R.choice(divs)
        add("length_constraints:number_paragraphs", {"num_paragraphs": len(parts) + R.choice([-1, 0, 0, 1])}, out)


def gen_first_word():
    for _ in range(150):
        n = R.randint(1, 4)
        paras = []
        for _ in range(n):
            first = R.choice(["Hello", "hello,", "\"Quoted\"", "'Single", "**Bold**", "Rain.", "rain's", "Café", "İyi", "  Spaced", "WORD!", "x?y", "Über"])
            paras.append(first + " " + prose(R.randint(0, 2)))
        body = R.choice(["\n\n", "\n\n\n", "\n \n", "\n\n\n\n"]).join(paras)
        if R.random() < 0.2:
            body = "\n\n" + body
        nth = R.randint(1, n + 1)
        num = n + R.choice([0, 0, 0, 1, -1])
        if num < 1:
            num = 1
        if nth > num:
            nth = num
        word = R.choice(["hello", "quoted", "single", "**bold**", "rain", "rain's", "café", "i̇yi", "spaced", "word", "x", "über", "bold"])
        add("length_constraints:nth_paragraph_first_word", {"num_paragraphs": num, "nth_paragraph": nth, "first_word": word}, body)


def gen_postscript():
    markers = ["P.S.", "P.P.S", "PS:", "Note:", "p.s.", "P.S"]
    texts = ["P.S. see you", "p.s. lower", "P. S. spaced", "PS: no dots", "P.P.S. double", "P. P. S. spaced double",
             "ps plain", "stop. s. inside", "P.S", "  P.S. indented", "Note: this", "The P.S. mid line", "P.\nS. broken", "P.PS tight"]
    for _ in range(120):
        body = prose(R.randint(0, 2))
        if R.random() < 0.85:
            body += R.choice(["\n\n", "\n", " "]) + R.choice(texts)
        add("detectable_content:postscript", {"postscript_marker": R.choice(markers)}, body)


def gen_title():
    titles = ["<<Title>>", "<< >>", "<<>>", "<<<>>>", "<<A>>", "<< spaced title >>", "<<multi\nline>>", "<<a>> and <<b>>",
              "<<unclosed", "unopened>>", "<<nested <<inner>> >>", "<<  >> then <<Real>>", "<<<Triple>>>", "< <x> >", "<<\t>>", "<<日本>>"]
    for _ in range(100):
        body = prose(R.randint(0, 2))
        t = R.choice(titles)
        body = R.choice([t + "\n" + body, body + " " + t, body, t])
        add("detectable_format:title", {}, body)


def gen_highlights():
    pieces = ["*one*", "**two**", "* *", "** **", "*a*b*", "***x***", "**", "*\n*", "*multi word*", "**bold** and *it*",
              "*unclosed", "****", "*  padded  *", "***", "* x *", "**a**b**", "*日本*"]
    for _ in range(150):
        body = " ".join(R.choice(pieces + [words(2)]) for _ in range(R.randint(1, 5)))
        add("detectable_format:number_highlighted_sections", {"num_highlights": R.randint(0, 4)}, body)


def gen_sections():
    spl = ["Section", "SECTION", "PARAGRAPH", "Day", "Part"]
    for _ in range(140):
        s = R.choice(spl)
        n = R.randint(0, 4)
        body = ""
        for i in range(1, n + 1):
            head = R.choice([f"{s} {i}", f"{s}{i}", f"{s.lower()} {i}", f"{s.upper()} {i}", f"## {s} {i}", f"**{s} {i}**", f"{s} X", f"{s}  {i}", f"{s} ٣", f"{s}:{i}"])
            body += head + "\n" + prose(1) + "\n"
        add("detectable_format:multiple_sections", {"section_spliter": R.choice([s, s, " " + s + " "]), "num_sections": max(1, n + R.choice([-1, 0, 0, 1]))}, body)


def gen_json():
    docs = ['{"a": 1}', '[1, 2, 3]', '"str"', '42', 'null', 'NaN', 'Infinity', '-Infinity', '{"a": NaN}', "{'a': 1}", '{"a": 1,}', '01', '1.', '.5',
            '1e5', '1E+2', '{"a": "\\u00e9"}', '{"a": "\\ud800"}', '{"a": "tab\there"}', 'true false', '{}', '[]', '', '{"a": [1, {"b": null}]}',
            '{"a": 1} trailing', '\ufeff{"a": 1}', '-0', '"\\x41"', '{"a":1}{"b":2}']
    wraps = [lambda d: d, lambda d: "```json\n" + d + "\n```", lambda d: "```JSON\n" + d + "\n```", lambda d: "```\n" + d + "\n```",
             lambda d: "```Json" + d + "```", lambda d: "Here:\n```json\n" + d + "\n```", lambda d: "  " + d + "  \n",
             lambda d: "```json\n" + d, lambda d: d + "\n```", lambda d: "```python\n" + d + "\n```", lambda d: "```jsonc\n" + d + "\n```"]
    for _ in range(150):
        add("detectable_format:json_format", {}, R.choice(wraps)(R.choice(docs)))


def gen_placeholders():
    pieces = ["[name]", "[]", "[a\nb]", "[[nested]]", "[x] [y]", "[unclosed", "closed]", "[日本]", "[ ]", "[a]b]", "[[a]"]
    for _ in range(110):
        body = " ".join(R.choice(pieces + [words(2)]) for _ in range(R.randint(1, 5)))
        add("detectable_content:number_placeholders", {"num_placeholders": R.randint(1, 4)}, body)


def gen_words():
    extra = ["- dash", "—", "co-op", "don't", "e-mail", "3.14", "1,000", "日本語", "हिन्दी", "naïve", "_under_", "a_b", "x²", "Ⅻ", "١٢٣", "*", "...", "N/A"]
    for _ in range(130):
        parts = [words(R.randint(0, 10))] + [R.choice(extra) for _ in range(R.randint(0, 4))]
        R.shuffle(parts)
        body = " ".join(parts)
        n = len(body.split())
        add("length_constraints:number_words", {"num_words": max(1, n + R.choice([-2, -1, 0, 1, 2])), "relation": relation()}, body)


def gen_sentences():
    extra = ["Dr. Smith came.", "It costs $3.50 today.", "See e.g. this.", "U.S. forces left.", "He said \"Stop.\" Then left.",
             "(Sent one.) Sent two.", "Wait... what?", "Really?! Yes.", "lowercase start. another one.", "Mr. and Mrs. Jones.",
             "J. R. R. Tolkien wrote.", "No. 5 is here.", "3. Third item", "Version 2.0 shipped. Next.", "End.", "Hi!Bye!", "a.b.c.",
             "Sept. 5 was fine.", "Ms. Y arrived.", "etc. and so on.", "It was 5 p.m. when we left.", "A\n\nB.", "Ends with abbrev Inc.",
             "'Quoted.' Next.", "Line one.\nLine two.", "It is 12. It is 13.", "ok . spaced .", "Number 1. Number 2."]
    for _ in range(170):
        parts = [R.choice(extra) if R.random() < 0.6 else sentence() for _ in range(R.randint(0, 5))]
        body = R.choice([" ", "\n", "  "]).join(parts)
        n = len(parts)
        add("length_constraints:number_sentences", {"num_sentences": max(1, n + R.choice([-1, 0, 0, 1])), "relation": relation()}, body)


def gen_keywords():
    kws = ["cat", "Cat", "rain", "hills", "town", "café", "CAFÉ", "straße", "istanbul", "привет", "日本", "co-op", "a.b", "new york"]
    texts = ["The cat sat.", "concatenate", "CAT!", "café au lait", "Café", "STRASSE", "straße", "İstanbul", "ПРИВЕТ мир", "日本語", "co-op store",
             "axb", "a.b", "New  York", "new york city", "caterpillar", "the_cat", "cat's", "scattered", "bobcat"]
    for _ in range(100):
        body = " ".join(R.choice(texts) for _ in range(R.randint(1, 4)))
        add("keywords:existence", {"keywords": R.sample(kws, R.randint(1, 2))}, body)
    for _ in range(110):
        body = " ".join(R.choice(texts) for _ in range(R.randint(1, 6)))
        add("keywords:frequency", {"keyword": R.choice(kws), "frequency": R.randint(1, 4), "relation": relation()}, body)
    for _ in range(120):
        body = " ".join(R.choice(texts) for _ in range(R.randint(1, 4)))
        add("keywords:forbidden_words", {"forbidden_words": R.sample(kws, R.randint(1, 3))}, body)


def gen_letters():
    texts = ["Banana", "AAAA", "aáàâ", "İi", "ǅemal", "straße", "ﬁne", "Ωmega", "Zz zz", "xXx", "ĸ", "Kelvin \u212a"]
    for _ in range(110):
        body = " ".join(R.choice(texts) for _ in range(R.randint(1, 6)))
        letter = R.choice(list("abikzx") + ["A", "K", "I", "Z"])
        n = body.lower().count(letter.lower())
        add("keywords:letter_frequency", {"letter": letter, "let_frequency": max(0, n + R.choice([-1, 0, 1])), "let_relation": relation()}, body)


def gen_capital_words():
    toks = ["NASA", "DON'T", "I'M", "CAN'T", "CANNOT", "GONNA", "U.S.A.", "(CAPS)", "\"QUOTE\"", "ABC-DEF", "ABC/DEF", "ABC:DEF", "ABC;DEF",
            "A", "I", "OK.", "ПРИВЕТ", "ΓΕΙΆ", "日本", "ÉCOLE", "ǅ", "X2", "2X", "NASA's", "NASA'S", "ABC...DEF", "ABC--DEF", "*BOLD*", "word",
            "Title", "WANNA go", "'TIS", "Mr.", "ABC?DEF", "ABC!", "#TAG", "@USER", "50%", "a&B", "[NOTE]", "{X}", "<TAG>", "«ГОД»", "“UP”", "DON’T"]
    for _ in range(170):
        parts = [R.choice(toks) for _ in range(R.randint(1, 8))]
        body = " ".join(parts)
        if R.random() < 0.3:
            body = body.replace(" ", ". ", 1)
        n = sum(1 for p in parts if p.isupper())
        add("change_case:capital_word_frequency", {"capital_frequency": max(1, n + R.choice([-1, 0, 1])), "capital_relation": relation()}, body)


ENGLISH = ["the weather today is calm and the river runs quietly past the old town",
           "we walked along the beach and watched the boats return to the harbour in the evening",
           "this is a short answer written entirely in english words for the test"]


def gen_case():
    for _ in range(80):
        base = R.choice(ENGLISH)
        v = R.choice([base, base.upper(), base.capitalize(), base + " NASA", base.upper() + " ok", base + " 123", "123 456", base.upper() + " ÉCOLE",
                      "ПРИВЕТ МИР ЭТО ТЕКСТ НА РУССКОМ ЯЗЫКЕ", "привет мир это текст на русском языке", "ǅ " + base, base + " ǅ"])
        add(R.choice(["change_case:english_capital", "change_case:english_lowercase"]), {}, v)


LANGS = {
    "en": "The quick brown fox jumps over the lazy dog while the farmer watches from the porch.",
    "es": "El rápido zorro marrón salta sobre el perro perezoso mientras el granjero mira desde el porche.",
    "fr": "Le renard brun rapide saute par-dessus le chien paresseux pendant que le fermier regarde.",
    "de": "Der schnelle braune Fuchs springt über den faulen Hund, während der Bauer von der Veranda zusieht.",
    "it": "La veloce volpe marrone salta sopra il cane pigro mentre il contadino guarda dal portico.",
    "pt": "A rápida raposa marrom pula sobre o cão preguiçoso enquanto o fazendeiro observa da varanda.",
    "ru": "Быстрая коричневая лиса прыгает через ленивую собаку, пока фермер смотрит с крыльца.",
    "uk": "Швидка коричнева лисиця стрибає через ледачого собаку, поки фермер дивиться з ґанку.",
    "bg": "Бързата кафява лисица прескача мързеливото куче, докато фермерът гледа от верандата.",
    "ja": "素早い茶色の狐が怠け者の犬を飛び越え、農夫がポーチから見ている。",
    "ko": "빠른 갈색 여우가 게으른 개를 뛰어넘고 농부는 현관에서 지켜본다.",
    "ar": "يقفز الثعلب البني السريع فوق الكلب الكسول بينما يراقب المزارع من الشرفة.",
    "hi": "तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर कूदती है जबकि किसान बरामदे से देखता है।",
    "th": "สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจขณะที่ชาวนามองจากระเบียง",
    "he": "השועל החום המהיר קופץ מעל הכלב העצלן בזמן שהחקלאי מביט מהמרפסת.",
    "fa": "روباه قهوه‌ای سریع از روی سگ تنبل می‌پرد در حالی که کشاورز از ایوان نگاه می‌کند.",
    "vi": "Con cáo nâu nhanh nhẹn nhảy qua con chó lười trong khi người nông dân nhìn từ hiên nhà.",
    "pl": "Szybki brązowy lis przeskakuje nad leniwym psem, podczas gdy rolnik patrzy z ganku.",
    "fi": "Nopea ruskea kettu hyppää laiskan koiran yli, kun maanviljelijä katselee kuistilta.",
    "bn": "দ্রুত বাদামী শিয়াল অলস কুকুরের উপর দিয়ে লাফ দেয় যখন কৃষক বারান্দা থেকে দেখে।",
    "ta": "வேகமான பழுப்பு நரி சோம்பேறி நாயின் மேல் குதிக்கிறது, விவசாயி தாழ்வாரத்திலிருந்து பார்க்கிறார்.",
    "te": "వేగవంతమైన గోధుమ రంగు నక్క సోమరి కుక్కపై నుండి దూకుతుంది, రైతు వరండా నుండి చూస్తాడు.",
    "ur": "تیز بھوری لومڑی سست کتے کے اوپر سے چھلانگ لگاتی ہے جبکہ کسان برآمدے سے دیکھتا ہے۔",
    "sw": "Mbweha mwepesi wa kahawia anaruka juu ya mbwa mvivu huku mkulima akitazama kutoka barazani.",
    "mr": "वेगवान तपकिरी कोल्हा आळशी कुत्र्यावरून उडी मारतो, शेतकरी व्हरांड्यातून पाहतो.",
    "gu": "ઝડપી ભૂરું શિયાળ આળસુ કૂતરા પર કૂદે છે જ્યારે ખેડૂત વરંડામાંથી જુએ છે.",
    "kn": "ವೇಗದ ಕಂದು ನರಿ ಸೋಮಾರಿ ನಾಯಿಯ ಮೇಲೆ ಹಾರುತ್ತದೆ, ರೈತ ವರಾಂಡದಿಂದ ನೋಡುತ್ತಾನೆ.",
    "ml": "വേഗതയുള്ള തവിട്ട് കുറുക്കൻ മടിയനായ നായയുടെ മുകളിലൂടെ ചാടുന്നു, കർഷകൻ വരാന്തയിൽ നിന്ന് നോക്കുന്നു.",
    "pa": "ਤੇਜ਼ ਭੂਰੀ ਲੂੰਬੜੀ ਆਲਸੀ ਕੁੱਤੇ ਉੱਤੇ ਛਾਲ ਮਾਰਦੀ ਹੈ ਜਦੋਂ ਕਿ ਕਿਸਾਨ ਵਰਾਂਡੇ ਤੋਂ ਦੇਖਦਾ ਹੈ।",
    "ne": "छिटो खैरो स्यालले अल्छी कुकुरमाथि उफ्रन्छ जबकि किसानले बरण्डाबाट हेर्छ।",
}


def gen_language():
    codes = sorted(LANGS)
    for code in codes:
        for target in (code, R.choice(codes)):
            add("language:response_language", {"language": target}, LANGS[code])
    for v in ["12345", "!!! ???", "", "https://example.com/page", "...", "42 + 7 = 49"]:
        add("language:response_language", {"language": "en"}, v)


def gen_misc():
    for _ in range(90):
        v = R.choice([",", "，", "no commas", "a, b", "、", "\u201a", "", "comma\u066b"]) + " " + words(2)
        add("punctuation:no_comma", {}, v)
    quotes = ['"quoted"', ' "padded" ', '"', '""', '"half', 'half"', '“curly”', "'single'", '"a"b"', '\n"nl"\n', '"\u3000"', '\u3000"x"\u3000', '"x"\u200b']
    for q in quotes:
        for _ in range(7):
            add("startend:quotation", {}, q if R.random() < 0.5 else q.replace("x", words(2)))
    ends = ["Any other questions?", "Is there anything else I can help with?"]
    for _ in range(90):
        e = R.choice(ends)
        v = prose(1) + " " + R.choice([e, e.lower(), e.upper(), e + " ", "\"" + e + "\"", e[:-1], e + ".", "'" + e + "'", e + "\"\"", "“" + e + "”"])
        add("startend:end_checker", {"end_phrase": R.choice([e, " " + e + " ", e.lower()])}, v)
    for _ in range(90):
        p = R.choice(["Write a poem about rain.", "  Tell me a joke  ", "İstanbul trip plan", "ΣΟΦΙΑ said hi"])
        v = R.choice([p, p.lower(), p.upper(), " " + p, p.strip()[:-1], "Sure! " + p, p.replace(" ", "  ")]) + " " + prose(1)
        add("combination:repeat_prompt", {"prompt_to_repeat": p}, v)
    for _ in range(90):
        a, b = prose(1), prose(1)
        v = R.choice([a + "\n******\n" + b, a + "******" + a, a + "\n******\n" + a + " ", "******" + a + "******" + b, a + "******\n******" + b,
                      a + "*******" + b, a + "******" + b + "******", a, a + "******" + b + "******" + a, a + " ****** " + b, "******"])
        add("combination:two_responses", {}, v)
    for _ in range(80):
        v = R.choice(["My answer is yes.", "My answer is no.", "My answer is maybe.", "my answer is yes.", "My answer is yes", "My answer is Yes.",
                      "My answer is yes!", "  My answer is no.  ", "Well, My answer is maybe. Really."]) + R.choice(["", " " + prose(1)])
        add("detectable_format:constrained_response", {}, v)


for g in (gen_bullets, gen_paragraphs, gen_first_word, gen_postscript, gen_title, gen_highlights, gen_sections, gen_json,
          gen_placeholders, gen_words, gen_sentences, gen_keywords, gen_letters, gen_capital_words, gen_case, gen_language, gen_misc):
    g()
for i, c in enumerate(cases):
    if R.random() < 0.1 and c["id"] not in ("language:response_language",):
        c["response"] = sprinkle(c["response"])
    print(json.dumps(c, ensure_ascii=False))
