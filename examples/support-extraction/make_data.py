#!/usr/bin/env python3
"""Synthetic customer-support messages and the records to extract from them.

Each row is {"prompt", "completion", <the record's fields>}: the prompt asks for one JSON object,
the completion is the right answer (for supervised fine-tuning), and the fields are what
support_extraction.reward checks. Messages vary the way real ones do: order numbers in several
formats, dates in several styles, amounts with currency symbols or codes, a product from a fixed
catalogue, an intent and an urgency said in many words, fields left out, a second order number
that is not the one asked about, and typos (never inside a value).

Usage: make_data.py OUT_DIR [--seed N] [--train N] [--eval N] [--sft N]
writes OUT_DIR/train.jsonl (prompts for RL), OUT_DIR/sft.jsonl (worked examples) and
OUT_DIR/eval.jsonl (held-out messages, never trained on: other order numbers and other wording
seeds).
"""

import argparse
import datetime
import json
import os
import random

PRODUCTS = ["desk lamp", "office chair", "coffee grinder", "wireless mouse", "yoga mat",
            "water bottle", "phone case", "backpack", "rice cooker", "bike helmet",
            "electric kettle", "standing desk", "bluetooth speaker", "hiking boots"]
INTENTS = {
    "refund": ["I want my money back for", "Please refund", "I'd like a refund for",
               "Can I get a refund on"],
    "exchange": ["I need to exchange", "Can I swap", "I want a different size of",
                 "Please exchange"],
    "cancel": ["Please cancel", "I want to cancel", "Cancel my order for", "Stop the order of"],
    "shipping": ["Where is", "My package with", "Has it shipped yet?", "Tracking shows nothing for"],
    "complaint": ["I am very unhappy with", "This is unacceptable:", "Terrible experience with",
                  "I want to complain about"],
}
URGENCY = {
    "high": ["This is urgent!", "Please reply ASAP.", "I need this fixed today.",
             "URGENT, please."],
    "low": ["No rush.", "Whenever you get a chance.", "Not urgent at all.", "Take your time."],
    "normal": ["", "Thanks.", "Thank you.", "Regards."],
}
CURRENCIES = {"USD": ["${a}", "{a} USD", "USD {a}", "{a} dollars"],
              "EUR": ["€{a}", "{a} EUR", "EUR {a}", "{a} euros"],
              "GBP": ["£{a}", "{a} GBP", "GBP {a}", "{a} pounds"]}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
GREETINGS = ["Hi,", "Hello,", "Hey there,", "Dear support,", "", "Good morning,"]
PROMPT = ("Extract the support request as JSON with keys order_id, date, amount, currency, "
          "product, intent, urgency (null when not given).\nMessage: {message}\nJSON: ")


def order_id(rng, held_out):
    # Held-out messages use order numbers from a range that training never sees.
    letter = rng.choice("ABCDEFGH")
    number = rng.randrange(50000, 99999) if held_out else rng.randrange(10000, 49999)
    return f"{letter}{number}"


def say_order(rng, oid):
    return rng.choice(["order {o}", "order #{o}", "order no. {o}", "#{o}", "order number {o}",
                       "ORD-{o}"]).format(o=oid)


def say_date(rng, d):
    style = rng.randrange(4)
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == 2:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    return f"{d.month}/{d.day}/{d.year}"


def say_amount(rng, amount, currency):
    text = f"{amount:.2f}"
    if currency == "EUR" and rng.random() < 0.3:
        text = text.replace(".", ",")
    return rng.choice(CURRENCIES[currency]).replace("{a}", text)


def typo(rng, word):
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def with_typos(rng, text, protected):
    out = []
    for word in text.split(" "):
        if rng.random() < 0.06 and not any(p and p in word for p in protected):
            word = typo(rng, word)
        out.append(word)
    return " ".join(out)


def make_row(rng, held_out):
    record = {"order_id": order_id(rng, held_out), "date": None, "amount": None,
              "currency": None, "product": rng.choice(PRODUCTS),
              "intent": rng.choice(sorted(INTENTS)), "urgency": rng.choice(["low", "normal",
                                                                             "normal", "high"])}
    if rng.random() < 0.15:
        record["order_id"] = None
    if rng.random() < 0.15:
        record["product"] = None
    parts = []
    ask = rng.choice(INTENTS[record["intent"]])
    thing = record["product"] or "my item"
    if record["order_id"]:
        parts.append(f"{ask} {thing} from {say_order(rng, record['order_id'])}.")
    else:
        parts.append(f"{ask} {thing}.")
    protected = [record["order_id"], record["product"]]
    if rng.random() < 0.7:
        d = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        record["date"] = d.isoformat()
        said = say_date(rng, d)
        protected.append(said)
        parts.append(rng.choice(["I ordered it on {d}.", "It was bought {d}.",
                                 "Purchase date: {d}.", "I placed it on {d}."]).format(d=said))
    if rng.random() < 0.7:
        record["currency"] = rng.choice(sorted(CURRENCIES))
        record["amount"] = round(rng.uniform(5, 400), 2)
        said = say_amount(rng, record["amount"], record["currency"])
        protected.append(said)
        parts.append(rng.choice(["I paid {a}.", "It cost {a}.", "The charge was {a}.",
                                 "Total: {a}."]).format(a=said))
    if record["order_id"] and rng.random() < 0.25:
        other = order_id(rng, held_out)
        while other == record["order_id"]:
            other = order_id(rng, held_out)
        protected.append(other)
        parts.append(rng.choice(["My other {o} arrived fine.",
                                 "(Not {o}, that one is OK.)",
                                 "I also have {o} but no problem there."]).format(
                                     o=say_order(rng, other)))
    rest = parts[1:]
    rng.shuffle(rest)
    parts = parts[:1] + rest
    urgency = rng.choice(URGENCY[record["urgency"]])
    message = " ".join(p for p in [rng.choice(GREETINGS)] + parts + [urgency] if p)
    message = with_typos(rng, message, protected)
    completion = json.dumps(record, separators=(", ", ": "))
    return dict({"prompt": PROMPT.format(message=message), "completion": completion}, **record)


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--train", type=int, default=2000)
    ap.add_argument("--sft", type=int, default=300)
    ap.add_argument("--eval", type=int, default=300)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    held = random.Random(a.seed + 1_000_003)
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "train.jsonl"), [make_row(rng, False) for _ in range(a.train)])
    write(os.path.join(a.out, "sft.jsonl"), [make_row(rng, False) for _ in range(a.sft)])
    write(os.path.join(a.out, "eval.jsonl"), [make_row(held, True) for _ in range(a.eval)])


if __name__ == "__main__":
    main()
