"""Training-only variation: currency codes said by their name ("100 euros" for EUR).

Quality runs 15-16 found BFCL requests that name a currency ("convert 100 euros to British
pounds") where the parameter wants its ISO code, and the tuned model copying the name ("Euro",
"British pounds"): every currency in our requests was said as its code, so nothing taught the
mapping. Run 17 (data v10) said some codes by name together with other wording changes; the
currency-name errors went from 7 to 0 while the other changes hurt. This module is that one
change alone.

In finished training records, a code that a call wants in a currency parameter and that the
last user turn says exactly once is, at `rate`, said by one of its names. Dev, test and unseen
tools are never touched, and each record draws from its own generator (seeded by data seed and
record id), so a record left alone stays byte for byte what it was.
"""

from __future__ import annotations

import random
import re

from funcall_lib.synth_cities import record_calls

SAY_RATE = 0.3   # the share of eligible codes said by name (data v11; quality run 18)

# Plural names, as amounts are said ("250 euros"); no bare "dollars", which names several codes.
CURRENCY_NAMES = {
    "USD": ("US dollars", "American dollars"), "EUR": ("euros",),
    "GBP": ("British pounds", "pounds sterling"), "JPY": ("Japanese yen",),
    "NOK": ("Norwegian kroner",), "CAD": ("Canadian dollars",), "AUD": ("Australian dollars",),
    "CHF": ("Swiss francs",), "INR": ("Indian rupees",), "BRL": ("Brazilian reais",),
    "SEK": ("Swedish kronor",), "MXN": ("Mexican pesos",), "ZAR": ("South African rand",),
    "NZD": ("New Zealand dollars",), "SGD": ("Singapore dollars",), "KRW": ("South Korean won",),
    "PLN": ("Polish zloty",),
}


def say_currency_names(record: dict, seed: int, rate: float = SAY_RATE) -> dict:
    """The record with some currency codes of its last user turn said by name (in place)."""
    if rate <= 0:
        return record
    rng = random.Random(f"currency:{seed}:{record['id']}")
    user = next((m for m in reversed(record["messages"]) if m["role"] == "user"), None)
    if user is None:
        return record
    codes, other = _argument_values(record)
    for code in sorted(codes):
        said = re.compile(rf"(?<![\w]){code}(?![\w])")
        if any(code in value for value in other) or len(said.findall(user["content"])) != 1 \
                or rng.random() >= rate:
            continue
        name = rng.choice(CURRENCY_NAMES[code])
        user["content"] = said.sub(name, user["content"], count=1)
    return record


def _argument_values(record: dict) -> tuple[set[str], set[str]]:
    """(codes wanted by currency parameters, every other argument value as text)."""
    props_of = {t["name"]: t["parameters"]["properties"] for t in record["tools"]}
    codes, other = set(), set()
    for call in record_calls(record):
        for key, value in call["arguments"].items():
            prop = props_of.get(call["name"], {}).get(key, {})
            wants_code = "currenc" in f"{key} {prop.get('description', '')}".lower()
            for item in value if isinstance(value, list) else [value]:
                if wants_code and isinstance(item, str) and item in CURRENCY_NAMES:
                    codes.add(item)
                else:
                    other.add(item if isinstance(item, str) else repr(item))
    return codes, other
