"""The procedural tool family: hundreds of composed tools across many fields, for breadth.

The hand-written catalogue (`synth_tools.py`) teaches everyday assistant tools in depth; this
family teaches the general skill on tools the model has never seen: read the descriptions,
pick the tool, copy each value from the request into the argument its schema names, typed by the
schema (an integer param gets 10, a number param given "2.5" gets 2.5), write it in the form the
description asks for when the request says it another way ("5%" -> 0.05, "50 mH" -> 0.05 H,
"Denver" -> "Denver, CO"; see `synth_values`), call several times or several tools, and decline
when no offered tool fits (near-miss tools of the same field offered).

Several calls: parallel is one tool 2-6 times: a series over one value ('for radius 3, 4 and
5'; 2 values half the time), separate clauses, cases that each say several values ('twice: first
with ..., then with ...'), and two lists, paired 'respectively' or meaning every combination
(see `make_parallel`); parallel_multiple is 2-3 tools in clauses, about
a third with a clause (or two) that lists 2-3 values of a param (3-5 calls mixing tools, in the order
written), and ~1 in 10 one value for two tools of a field ('the circumference of a circle and the
volume of a sphere with a radius of 7').

Concepts come from `synth_proc_vocab.FIELDS`; each gives two tools (a second verb, no optional
parameters) never offered together. Splits: train/dev/test use the same fields (dev/test with
held-out request templates and string values); test_unseen_tools uses only HELD_OUT_FIELDS.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, replace
from functools import lru_cache, partial

from funcall_lib.chat import NO_CALL_REPLY
from funcall_lib.synth_quota import fill_quotas
from funcall_lib.synth_pools import FIRST, draw, draw_some, join_series, join_words
from funcall_lib.synth_proc_vocab import CLOSED_POOLS, FIELDS, HELD_OUT_FIELDS, POOL_NOTES, POOLS, VERB_ALT
from funcall_lib.synth_values import (DATE_LAYOUTS, FRACTION_NOTES, UNITS, in_units, magnitude, percent_fraction,
                                      pool_item, say_number, spoken_date, unit_dimension)

CATEGORY_WEIGHTS = {"simple": 24, "multiple": 26, "parallel": 18, "parallel_multiple": 14, "irrelevance": 18}
# Mentions that are not noun phrases: they start with a preposition, a participle or an adverb
# ("from GBP", "without isotopes", "rounded to 2 decimals", "case-sensitively") and attach to the
# request as they are; noun phrases ("a base of 10", "12 moles") are joined with "and" and get a
# glue word ("with"/"for").
_PREPS = ("of ", "in ", "on ", "from ", "to ", "for ", "by ", "at ", "over ", "after ", "between ",
          "with ", "without ", "up to ", "as ", "made ", "weighing ", "rounded ", "moving ", "starting ",
          "taken ", "cited ", "including ", "excluding ", "ignoring ", "compounded ", "rooted ",
          "running ", "charged ", "stretched ", "using ", "case-sensitively")
TEMPLATES = {
    "train": ["What is {h}{a}?", "{V} {h}{a}.", "I need {h}{a}.", "Please {v} {h}{a}.",
              "Could you {v} {h}{a}?", "{H}{a}?", "Can you tell me {h}{a}?", "{V} {h}{a}, please."],
    "heldout": ["Help me work out {h}{a}.", "I'd like to know {h}{a}.", "Quick question: {h}{a}?",
                "Would you {v} {h}{a}?"],
}
LEAD = {"train": ["Given {m}, what is {h}?", "I have {m}. What is {h}?", "For {m}, {v} {h}.",
                  "Suppose {m}. Can you {v} {h}?"],
        "heldout": ["Using {m}, {v} {h}, please.", "Take {m}: what would {h} be?"]}
SERIES = {"train": ["{V} {h}{a} for each {p}: {list}.", "What is {h}{a} when the {p} is {list}?",
                    "Please {v} {h}{a} for {p} {list}."],
          "heldout": ["Work out {h}{a} for every {p} in {list}.", "Could you {v} {h}{a}, with {p} {list}?"]}
JOINS = {"train": ["{C1}. Also, {c2}.", "Please {c1} and {c2}.", "{C1}, then {c2}.", "Can you {c1} and also {c2}?"],
         "heldout": ["First {c1}; after that {c2}.", "I need a few things: {c1}, and {c2}."]}
DECLINES = ["Sorry, none of the available tools can give {h}.", "I can't get {h} with these tools.",
            NO_CALL_REPLY]


@dataclass(frozen=True)
class PParam:
    name: str
    kind: str          # n, i, s, e, b, B, an, as, o, f, m, u, d (see synth_proc_vocab)
    spec: tuple        # kind arguments (range, pool name, enum values, object keys, unit, layout)
    phrase: str
    optional: bool
    default: str | None
    said: tuple = ()   # enum values as a request says them ("miles" for "mi"), else empty


@dataclass(frozen=True)
class PTool:
    field: str
    concept: str       # the stem: tools of one concept are never offered together
    name: str
    verb: str          # the verb a request uses
    human: str
    description: str
    params: tuple

    def schema(self) -> dict:
        props, required = {}, []
        for p in self.params:
            props[p.name] = _param_schema(p)
            if not p.optional:
                required.append(p.name)
        return {"name": self.name, "description": self.description,
                "parameters": {"type": "object", "properties": props, "required": required}}


_PARAM_RE = re.compile(r'^(\?)?(\w+):(\S+?)(?:=(\S+))? "(.*)"$')


def parse_param(text: str) -> PParam:
    m = _PARAM_RE.match(text.strip())
    if not m:
        raise ValueError(f"bad procedural param spec: {text!r}")
    optional, name, type_spec, default, phrase = m.groups()
    kind, *rest = type_spec.split(":")
    said: tuple = ()
    if kind in ("n", "i", "an", "f", "m"):
        spec = (float(rest[0]), float(rest[1]))
    elif kind == "e":
        pairs = [v.partition("~") for v in rest[0].split("/")]
        spec = tuple(code for code, _, _ in pairs)
        said = tuple((words or code).replace("_", " ") for code, _, words in pairs) if any(w for _, _, w in pairs) else ()
    elif kind == "o":
        spec = (tuple(rest[0].split(",")), float(rest[1]), float(rest[2]))
    elif kind == "u":
        unit_dimension(rest[0])
        spec = (rest[0], float(rest[1]), float(rest[2]))
    elif kind == "d":
        if rest[0] not in DATE_LAYOUTS:
            raise ValueError(f"bad procedural param spec: {text!r}: date layout must be one of {', '.join(DATE_LAYOUTS)}")
        spec = (rest[0],)
    else:
        spec = tuple(rest)
    return PParam(name, kind, spec, phrase, bool(optional) or kind == "b", default, said)


def _param_schema(p: PParam) -> dict:
    words = p.name.replace("_", " ")
    desc = words[:1].upper() + words[1:]
    unit = p.phrase.partition("{}")[2].strip()
    if p.kind in ("n", "i", "an") and unit and " " not in unit and unit.lower() not in words:
        desc += f" in {unit}"
    desc += _value_note(p)
    if p.kind in ("b", "B"):
        desc += f" (true: {p.phrase.split('/')[0]})" + (". Default: false." if p.optional else ".")
    elif p.optional:
        style = ". Default: {}.", ". Default is {}.", " (default {})."
        desc += style[zlib.crc32(p.name.encode()) % 3].format(p.default) if p.default else ". Optional."
    number = {"type": "number"}
    schema = {"n": number, "i": {"type": "integer"}, "s": {"type": "string"}, "b": {"type": "boolean"},
              "B": {"type": "boolean"}, "e": {"type": "string", "enum": list(p.spec)}, "f": number,
              "m": {"type": "integer"}, "u": number, "d": {"type": "string"},
              "an": {"type": "array", "items": number}, "as": {"type": "array", "items": {"type": "string"}}}.get(p.kind)
    if p.kind == "o":
        schema = {"type": "object", "properties": {k: number for k in p.spec[0]}, "required": list(p.spec[0])}
    return {**schema, "description": desc}


def _value_note(p: PParam) -> str:
    """What the description says about a value's form: the only clue that "5%" must become 0.05
    or "Denver" "Denver, CO" (several wordings, fixed per param name)."""
    pick = zlib.crc32(p.name.encode())
    if p.kind == "f":
        return FRACTION_NOTES[pick % len(FRACTION_NOTES)]
    if p.kind == "u":
        symbol = p.spec[0]
        return f" in {UNITS[unit_dimension(symbol)][symbol][0]} ({symbol})"
    if p.kind == "d":
        layout = DATE_LAYOUTS[p.spec[0]][1]
        return (f" in {layout} format", f", formatted as {layout}", f" ({layout})")[pick % 3]
    if p.kind == "s" and p.spec[0] in POOL_NOTES:
        return ". " + POOL_NOTES[p.spec[0]]
    return ""


def _tools_of(field: str, line: str) -> list[PTool]:
    head, human, description, *params = [s.strip() for s in line.split(" | ")]
    verb, stem = head.split()
    parsed = tuple(parse_param(p) for p in params)
    for before, p in zip((None,) + parsed, parsed):
        if _is_attached(p) and (before is None or before.kind not in ("n", "i") or not before.phrase.endswith("{}")
                                or p.kind != "e"):
            raise ValueError(f"procedural concept {stem!r}: the attached enum {p.name!r} must follow a number "
                             "param whose phrase ends with its value")
    alt = VERB_ALT.get(verb, "get")
    # Names in two styles, as real APIs have them: verb_noun, and a module path for one in three.
    second_name = f"{field}.{stem}" if zlib.crc32(stem.encode()) % 3 == 0 else f"{alt}_{stem}"
    said = {"lookup": "look up"}.get(verb, verb)
    main = PTool(field, stem, f"{verb}_{stem}", said, human, description, parsed)
    second = PTool(field, stem, second_name, said, human,
                   f"Returns {human} ({field}). " + description.split(". ")[0].rstrip(".") + ".",
                   tuple(p for p in parsed if not p.optional))
    return [main, second]


@lru_cache(maxsize=None)
def all_tools() -> tuple[PTool, ...]:
    tools = tuple(t for field, lines in FIELDS.items() for line in lines for t in _tools_of(field, line))
    names = [t.name for t in tools]
    if len(names) != len(set(names)):
        raise ValueError("procedural tool names collide")
    return tools


def split_tools(split: str) -> list[PTool]:
    unseen = split == "test_unseen_tools"
    return [t for t in all_tools() if (t.field in HELD_OUT_FIELDS) == unseen]


# ---------------------------------------------------------------- values and text

def _number(rng, lo, hi, integer):
    if integer:
        v = rng.randint(int(lo), int(hi))
        return str(v), v
    if hi - lo <= 2:
        v = round(rng.uniform(lo, hi), 2)
    elif rng.random() < 0.5:
        v = rng.randint(int(lo), int(hi))  # a whole number for a number param stays 10, not 10.0
    else:
        v = round(rng.uniform(lo, hi), rng.choice((1, 2)))
    return str(v), v


def sample_value(p: PParam, rng: random.Random, split: str):
    """(text for the request, value for the arguments); see `synth_values` for the forms."""
    if p.kind in ("n", "i"):
        v = _number(rng, *p.spec, p.kind == "i")[1]
        return say_number(v, p.name, p.phrase, p.kind == "i", rng), v
    if p.kind == "f":
        return percent_fraction(*p.spec, rng)
    if p.kind == "m":
        return magnitude(*p.spec, rng)
    if p.kind == "u":
        return in_units(*p.spec, rng)
    if p.kind == "d":
        return spoken_date(p.spec[0], rng)
    if p.kind == "s":
        return pool_item(draw(POOLS[p.spec[0]], rng, split, invent=p.spec[0] not in CLOSED_POOLS), rng)
    if p.kind == "e":
        i = rng.randrange(len(p.spec))
        said = p.said[i] if p.said and rng.random() < 0.75 else p.spec[i]
        return said, p.spec[i]
    if p.kind in ("b", "B"):
        v = rng.random() < 0.5
        return p.phrase.split("/")[0 if v else 1], v
    if p.kind == "an":
        values = [_number(rng, *p.spec, False)[1] for _ in range(rng.randint(3, 8))]
        return join_words([str(v) for v in values]), values
    if p.kind == "as":
        picked = draw_some(POOLS[p.spec[0]], rng.randint(2, 4), rng, split,
                           invent=p.spec[0] not in CLOSED_POOLS)
        items = [pool_item(v, rng) for v in picked]
        return join_words([t for t, _ in items]), [v for _, v in items]
    keys, lo, hi = p.spec
    obj = {k: _number(rng, lo, hi, False)[1] for k in keys}
    return p.phrase.format(**{k: str(v) for k, v in obj.items()}), obj


def _is_attached(p: PParam) -> bool:
    return p.phrase == "+{}"


def _mention(p: PParam, text: str) -> str:
    return text if p.kind in ("b", "B", "o") else p.phrase.format(text)


def _is_phrase_tail(mention: str) -> bool:
    """True for a mention that attaches without glue ("from GBP", "without isotopes")."""
    return mention.startswith(_PREPS)


def _args_text(mentions: list[str], rng, human: str = "") -> str:
    """' with a base of 10 and a height of 5 in cm': the noun-phrase mentions joined by "and"
    after a glue word (one the request does not already use next to them), then the prepositional
    ones as they are, each group in its given order ("of sorghum on 38 hectares", "from GBP to EUR")."""
    if not mentions:
        return ""
    nouns = [m for m in mentions if not _is_phrase_tail(m)]
    tails = [m for m in mentions if _is_phrase_tail(m)]
    text = ""
    if nouns:
        near = f" {human} " + " ".join(tails)
        glues = [g for g in ("with", "for") if f" {g} " not in near] or ["with", "for"]
        text = f" {rng.choice(glues)} {join_words(nouns)}"
    return text + "".join(f" {t}" for t in tails)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _kind(split: str) -> str:
    """Train templates for train, held-out ones for dev/test, both for unseen tools."""
    return "train" if split == "train" else "heldout" if split in ("dev", "test") else "all"


def _choices(table: dict, split: str) -> list[str]:
    kind = _kind(split)
    return table["train"] + table["heldout"] if kind == "all" else table[kind]


def call_parts(tool: PTool, rng, split, fixed: dict | None = None, skip: tuple = ()):
    """Sample a call: (mention texts in request order, arguments). Optional params half the time;
    params named in `skip` are left to the caller (a series lists them).
    An attached param ("+{}") rides on the mention before it: "a radius of 4" + "inches"."""
    mentions, args, anchor = [], {}, None
    for p in tool.params:
        if p.name in skip or (p.optional and rng.random() < 0.5):
            anchor = None
            continue
        text, value = (str(fixed[p.name]), fixed[p.name]) if fixed and p.name in fixed else sample_value(p, rng, split)
        if _is_attached(p):
            if anchor is not None:
                mentions[anchor] += f" {text}"
            else:  # the quantity is listed elsewhere (a series) or absent: "in inches"
                mentions.append(f"in {text}")
        else:
            anchor = len(mentions)
            mentions.append(_mention(p, text))
        args[p.name] = value
    phrases = [p.phrase for p in tool.params]
    if rng.random() < 0.6 and len(set(phrases)) == len(phrases):  # "Ajax and Benfica": order is the meaning
        rng.shuffle(mentions)
    return mentions, args


def clause(tool: PTool, rng, split) -> tuple[str, dict]:
    """A command clause ('calculate the area of a triangle with a base of 10 ...') and its call."""
    mentions, args = call_parts(tool, rng, split)
    return f"{tool.verb} {tool.human}{_args_text(mentions, rng, tool.human)}", {"name": tool.name, "arguments": args}


def request(tool: PTool, rng, split) -> tuple[str, dict]:
    mentions, args = call_parts(tool, rng, split)
    if mentions and not any(_is_phrase_tail(m) for m in mentions) and rng.random() < 0.3:
        # values first, then the question: "Given a base of 10 and a height of 5, what is ...?"
        return (rng.choice(_choices(LEAD, split)).format(m=join_words(mentions), h=tool.human, v=tool.verb),
                {"name": tool.name, "arguments": args})
    template = rng.choice(_choices(TEMPLATES, split))
    text = template.format(h=tool.human, H=_cap(tool.human), v=tool.verb, V=_cap(tool.verb),
                           a=_args_text(mentions, rng, tool.human))
    return text, {"name": tool.name, "arguments": args}


# ---------------------------------------------------------------- categories

def _others(pool, used: list[PTool], same_field: str | None = None) -> list[PTool]:
    concepts = {t.concept for t in used}
    return [t for t in pool if t.concept not in concepts and (same_field is None or t.field == same_field)]


def _distractors(rng, pool, used: list[PTool], k: int) -> list[PTool]:
    """k tools of other concepts, mostly from the same field (similar names: read descriptions)."""
    picked: list[PTool] = []
    for _ in range(k):
        near = _others(pool, used + picked, used[0].field)
        choices = near if near and rng.random() < 0.7 else _others(pool, used + picked)
        picked.append(rng.choice(choices))
    return picked


def _offer(rng, needed, extra):
    offered = list(needed) + list(extra)
    rng.shuffle(offered)
    return offered


def make_simple(rng, split, pool):
    tool = rng.choice(pool)
    text, call = request(tool, rng, split)
    return text, [tool], [call], None


def make_multiple(rng, split, pool):
    tool = rng.choice(pool)
    text, call = request(tool, rng, split)
    return text, _offer(rng, [tool], _distractors(rng, pool, [tool], rng.choice((1, 2, 2, 3, 3, 4)))), [call], None


def _series_param(tool: PTool):
    return [p for p in tool.params if not p.optional and p.kind in ("n", "i", "s", "f", "m", "u")]


def distinct_values(p: PParam, rng, split, want: int) -> dict:
    """Up to `want` different values of `p`, text -> value ("Italy" and "IT" are one value)."""
    values: dict = {}
    for _ in range(want * 5):
        text, value = sample_value(p, rng, split)
        if value not in values.values():
            values.setdefault(text, value)
        if len(values) == want:
            break
    return values


def make_parallel(rng, split, pool):
    """One tool 2-6 times, in the ways people ask for several runs of one thing:
    - a series over one value ('for 3, 4 and 5'; 2 values as often as 3 or 4);
    - 2-3 separate clauses, each a whole command;
    - cases: several values per call, said once per case ('twice: first with a base of 12 and a
      height of 15, then with a base of 18 and a height of 24'; 'The first has ... The second
      has ...'): one call per case, however many values each case lists;
    - two lists paired 'respectively': one call per position;
    - two lists without 'respectively': one call per combination ('Lakers and Bulls in 2018 and
      2020' is four calls), as BFCL's parallel category reads them.
    Without cases and combinations a model learns one call per value it sees, and writes a third
    call mixing the values of two cases."""
    roll = rng.random()
    if roll < 0.4:
        listable = [t for t in pool if len(_listable(t)) >= 2] if roll >= 0.2 else pool
        tool = rng.choice(listable or pool)
        made = _cases(tool, rng, split) if roll < 0.2 else _two_lists(tool, rng, split, paired=roll < 0.3)
        if made:
            return made[0], [tool], made[1], None
    tool = rng.choice(pool)
    want = rng.choice((2, 2, 3, 3, 4))
    # the templates name the param ("for each radius: ..."); "for to currency ..." would not read
    series = [p for p in _series_param(tool) if p.name.split("_")[0] + " " not in _PREPS]
    if series and rng.random() < 0.5:
        p = rng.choice(series)
        want = rng.choice((2, 2, 3, 4))  # short lists as often as long: the model must stop at the last
        values = distinct_values(p, rng, split, want)
        if any("," in t for t in values):  # JSON values: two at most, "A and B"
            values = dict(list(values.items())[:2])
        mentions, base = call_parts(tool, rng, split, skip=(p.name,))
        template = rng.choice(_choices(SERIES, split))
        text = template.format(h=tool.human, v=tool.verb, V=_cap(tool.verb), a=_args_text(mentions, rng, tool.human),
                               p=p.name.replace("_", " "), list=join_words(list(values)))
        calls = [{"name": tool.name, "arguments": {**base, p.name: v}} for v in values.values()]
        return text, [tool], calls, None
    parts = _distinct_calls(tool, rng, split, min(want, 3), lambda: clause(tool, rng, split))
    return _join(parts, rng, split), [tool], [c for _, c in parts], None


def _distinct_calls(tool: PTool, rng, split, want: int, make) -> list[tuple[object, dict]]:
    """Up to `want` (text, call) pairs from `make()` with distinct arguments: a repeated call
    teaches nothing and can't be scored."""
    parts, keys = [], set()
    for _ in range(12):
        text, call = make()
        key = repr(sorted(call["arguments"].items()))
        if key not in keys:
            keys.add(key)
            parts.append((text, call))
        if len(parts) == want:
            break
    return parts


ORDINALS = ("first", "second", "third")
TIMES = {2: "twice", 3: "three times"}
CASE_SEQUENCES = {
    "train": ["{V} {h} {times}: {seq}.", "I need {h} {times}: {seq}.", "Could you {v} {h} {times}? {Seq}."],
    "heldout": ["Work out {h} {times} for me: {seq}.", "{V} {h} in {n} cases: {seq}."],
}
CASE_STORIES = {
    "train": ["{name} is working on a {field} problem with {n} {case}s.", "{name} has {n} {case}s to compare.",
              "I am looking at {n} {case}s."],
    "heldout": ["{name} is preparing a {field} quiz with {n} {case}s.", "There are {n} {case}s here."],
}
CASE_ASKS = {
    "train": ["What is {h} in each {case}?", "{V} {h} for each {case}.", "Can you {v} {h} for all of them?"],
    "heldout": ["Please {v} {h} for every {case}.", "What would {h} be for each one?"],
}
CASE_NOUNS = ("case", "setup", "scenario", "sample", "option")


def _cases(tool: PTool, rng, split):
    """Two or three calls that differ in several values, each case said once: 'twice: first with
    a base of 12 and a height of 15, then with ...', or 'The first case has ... The second has
    ...'. Tools with fewer than two required params get None (a series says it better)."""
    if sum(not p.optional for p in tool.params) < 2:
        return None
    want = rng.choice((2, 2, 3))
    parts = _distinct_calls(tool, rng, split, want, lambda: _case_parts(tool, rng, split))
    if len(parts) < 2:
        return None
    n, calls = len(parts), [c for _, c in parts]
    all_nouns = not any(_is_phrase_tail(m) for mentions, _ in parts for m in mentions)
    if all_nouns and rng.random() < 0.5:
        case = rng.choice(CASE_NOUNS)
        lines = [f"The {ORDINALS[i]} {case} has {join_words(m)}." if i == 0 else
                 f"The {ORDINALS[i]} has {join_words(m)}." for i, (m, _) in enumerate(parts)]
        story = rng.choice(_choices(CASE_STORIES, split)).format(
            name=draw(FIRST, rng, split), field=tool.field.replace("_", " "), n=n, case=case)
        ask = rng.choice(_choices(CASE_ASKS, split)).format(h=tool.human, v=tool.verb, V=_cap(tool.verb), case=case)
        return " ".join([story, *lines, ask]), calls
    glued = [_args_text(m, rng, tool.human).strip() for m, _ in parts]
    links = ["first ", "then ", "and then "] if n == 3 else ["first ", "then "]
    seq = ", ".join(link + g for link, g in zip(links, glued))
    template = rng.choice(_choices(CASE_SEQUENCES, split))
    return template.format(h=tool.human, v=tool.verb, V=_cap(tool.verb), times=TIMES[n], n=n,
                           seq=seq, Seq=_cap(seq)), calls


def _case_parts(tool: PTool, rng, split):
    mentions, args = call_parts(tool, rng, split)
    return mentions, {"name": tool.name, "arguments": args}


RESPECTIVELY = (", respectively", ", in that order", " respectively")
COMBINATIONS = {"train": ["{V} {h}{a}.", "What is {h}{a}?", "{V} {h}{a}, for every combination."],
                "heldout": ["I'd like {h}{a}.", "Could you {v} {h}{a}, each combination?"]}


@lru_cache(maxsize=None)
def _listable(tool: PTool) -> tuple[PParam, ...]:
    """Params whose phrase names them ("a height of {}", not a bare "{}"): two bare lists side by
    side ("for 4366 and 205 and 4508 and 3142") say nothing of which list is which. Cached: every
    two-list record filters the whole pool by it."""
    return tuple(p for p in _series_param(tool) if re.search(r"[a-z]", p.phrase.replace("{}", ""))
                 and (p.kind != "s" or p.spec[0] not in ("JSON_TEXTS", "REGEXES")))


def _two_lists(tool: PTool, rng, split, paired: bool):
    """Two params listed at once. Paired ('... and 15 and 20 minutes, respectively'): call i takes
    the i-th value of each list. Not paired: one call per combination, first list outermost."""
    able = _listable(tool)
    if len(able) < 2:
        return None
    p, q = rng.sample(able, 2)
    sizes = (rng.choice((2, 2, 3)),) * 2 if paired else rng.choice(((2, 2), (2, 2), (2, 2), (2, 3)))
    first, second = distinct_values(p, rng, split, sizes[0]), distinct_values(q, rng, split, sizes[1])
    if len(first) != sizes[0] or len(second) != sizes[1] or any("," in t for t in [*first, *second]):
        return None  # "Paris, France" in a list of lists would not read
    mentions, base = call_parts(tool, rng, split, skip=(p.name, q.name))
    listed = [p.phrase.format(join_words(list(first))), q.phrase.format(join_words(list(second)))]
    if _is_phrase_tail(listed[0]) and not _is_phrase_tail(listed[1]):  # written nouns first: keep calls in that order
        p, q, first, second, listed = q, p, second, first, listed[::-1]
    order = [x.name for x in tool.params]

    def call(u, v):
        args = {**base, p.name: u, q.name: v}
        return {"name": tool.name, "arguments": dict(sorted(args.items(), key=lambda kv: order.index(kv[0])))}

    if paired:
        text = rng.choice(_choices(TEMPLATES, split))
        a = _args_text(mentions + listed, rng, tool.human)
        text = text.format(h=tool.human, H=_cap(tool.human), v=tool.verb, V=_cap(tool.verb),
                           a=a + rng.choice(RESPECTIVELY))
        return text, [call(u, v) for u, v in zip(first.values(), second.values())]
    template = rng.choice(_choices(COMBINATIONS, split))
    text = template.format(h=tool.human, v=tool.verb, V=_cap(tool.verb), a=_args_text(mentions + listed, rng, tool.human))
    return text, [call(u, v) for u in first.values() for v in second.values()]


def _join(parts: list[tuple[str, object]], rng, split) -> str:
    texts = [t for t, _ in parts]
    head = ", ".join(texts[:-1]) if len(texts) > 2 else texts[0]
    template = rng.choice(_choices(JOINS, split))
    return template.format(c1=head, C1=_cap(head), c2=texts[-1])


def series_clause(tool: PTool, rng, split, want: int) -> tuple[str, list[dict]] | None:
    """A command clause listing 2-`want` values of one required param, its phrase last: 'calculate
    the area of a triangle with a base of 4 and a height of 3, 5 and 8' -> one call per value."""
    series = _series_param(tool)
    if not series:
        return None
    p = rng.choice(series)
    values = distinct_values(p, rng, split, want)
    commas = not any("," in t for t in values)
    if not commas:  # JSON or "Paris, France": two at most, joined by "and" only
        values = dict(list(values.items())[:2])
    if len(values) < 2:
        return None
    mentions, base = call_parts(tool, rng, split, skip=(p.name,))
    if any(q.kind in ("an", "as") and q.name in base for q in tool.params):
        return None  # one list per clause: "with the numbers 3, 4 and 5" next to a series would blur
    mentions.append(p.phrase.format(join_series(list(values), rng, commas=commas)))
    order = [q.name for q in tool.params]
    calls = [{"name": tool.name, "arguments": dict(sorted({**base, p.name: v}.items(),
                                                          key=lambda kv: order.index(kv[0])))}
             for v in values.values()]
    return f"{tool.verb} {tool.human}{_args_text(mentions, rng, tool.human)}", calls


def shared_value_groups(pool) -> list[list[PTool]]:
    """Tools of one field, of different concepts, whose one required param takes the same kind of
    value: a string of one pool, a number under one name (radius), a list of numbers."""
    groups: dict = {}
    for t in pool:
        required = [p for p in t.params if not p.optional]
        if len(required) == 1 and required[0].kind in ("s", "n", "i", "an"):
            p = required[0]
            key = (t.field, p.kind, p.spec if p.kind == "s" else p.name if p.kind != "an" else "")
            groups.setdefault(key, []).append(t)
    return [g for _, g in sorted(groups.items()) if len({t.concept for t in g}) > 1]


def _shared_value(rng, split, pool):
    """'Calculate the circumference of a circle and the volume of a sphere with a radius of 7' ->
    one call of each tool with the same value (under each tool's own param name)."""
    groups = shared_value_groups(pool)
    if not groups:
        return None
    group = rng.choice(groups)
    first = rng.choice(group)
    second = rng.choice([t for t in group if t.concept != first.concept])
    p1, p2 = (next(p for p in t.params if not p.optional) for t in (first, second))
    if p1.kind in ("n", "i", "an"):  # a value both ranges allow
        p1 = replace(p1, spec=(max(p1.spec[0], p2.spec[0]), min(p1.spec[1], p2.spec[1])))
    text, value = sample_value(p1, rng, split)
    same_verb = first.verb == second.verb
    human = f"{first.human} and {'' if same_verb else second.verb + ' '}{second.human}"
    templates = [t for t in _choices(TEMPLATES, split) if same_verb or "{v} {h}" in t or "{V} {h}" in t]
    request_text = rng.choice(templates).format(h=human, H=_cap(human), v=first.verb, V=_cap(first.verb),
                                                a=_args_text([_mention(p2, text)], rng, human))
    calls = [{"name": first.name, "arguments": {p1.name: value}},
             {"name": second.name, "arguments": {p2.name: value}}]
    extra = _distractors(rng, pool, [first, second], rng.choice((0, 0, 1)))
    return request_text, _offer(rng, [first, second], extra), calls, None


def make_parallel_multiple(rng, split, pool, four_task_rate: float = 0.0):
    """2-3 tools in separate clauses. In ~4 of 10 records one clause (or two) is meant to list 2-3
    values of a param, one call each (3-5 calls mixing tools); else sometimes one tool twice. About
    1 in 10 asks two tools of one field about the same value. At `four_task_rate` a request of
    three one-call tasks gets a fourth (`_fourth_task`), drawn from a generator of its own
    (seeded by the request): every other draw, the system prompt's too, stays what it was, so a
    record that gets no fourth task is what it was without the option."""
    if rng.random() < 0.1:
        shared = _shared_value(rng, split, pool)
        if shared:
            return shared
    tools = [rng.choice(pool)]
    for _ in range(rng.choice((1, 1, 2))):
        near = _others(pool, tools, tools[0].field)
        tools.append(rng.choice(near if near and rng.random() < 0.5 else _others(pool, tools)))
    series_at: set = set()
    if rng.random() < 0.4:
        able = [i for i, t in enumerate(tools) if _series_param(t)]
        rng.shuffle(able)
        series_at = set(able[: 2 if len(tools) == 2 and rng.random() < 0.3 else 1])
    parts = []  # (text, calls)
    for i, tool in enumerate(tools):
        series = None
        if i in series_at:
            series = series_clause(tool, rng, split, 2 if len(series_at) == 2 else rng.choice((2, 3)))
        if series is None:
            text, call = clause(tool, rng, split)
            series = (text, [call])
        parts.append(series)
    if not series_at and len(tools) == 2 and rng.random() < 0.3:  # one of the tools twice, with other values
        text, call = clause(tools[0], rng, split)
        if call != parts[0][1][0]:
            parts.insert(1, (text, [call]))
    extra = _distractors(rng, pool, tools, rng.choice((0, 0, 1)))
    text, offered, calls = _join(parts, rng, split), _offer(rng, tools, extra), [c for _, cs in parts for c in cs]
    own = random.Random(f"four-task:{text}") if four_task_rate else None
    if own and own.random() < four_task_rate:
        fourth = _fourth_task(parts, tools, offered, pool, own, split)
        if fourth:
            clause_text, call, tool = fourth
            text = f"{text} {own.choice(THEN).format(c=clause_text)}"
            if tool not in offered:
                offered.insert(own.randrange(len(offered) + 1), tool)
            calls.append(call)
    return text, offered, calls, None


SAME_AGAIN = ("do the same", "do that again", "repeat it")
THEN = ("After that, {c}.", "Then {c}.", "Finally, {c}.", "Also {c}.")


def _fourth_task(parts: list, tools: list[PTool], offered: list[PTool], pool, rng, split):
    """A fourth task for a request of three one-call tasks, in the shapes of quality run 18's
    commonest parallel_multiple failure (three calls where four tasks wanted four; no procedural
    training request had more than three): with three tools, a fourth tool (A B C D) or one of
    the first two back at the end, in full (A B C A'); with a tool already asked twice (A A' B),
    the last one again, half the time as "do the same with ..." naming only the value that
    changes (A A' B B'). Returns (clause text, call, tool), or None for other requests."""
    if len(parts) != 3 or any(len(calls) != 1 for _, calls in parts):
        return None
    names = [calls[0]["name"] for _, calls in parts]
    by_name = {t.name: t for t in tools}
    others = _others(pool, offered)
    if len(set(names)) == 3 and others and rng.random() < 2 / 3:
        tool = rng.choice(others)
    elif len(set(names)) == 3:
        tool = by_name[rng.choice(names[:2])]
    else:
        tool = by_name[names[-1]]
        if rng.random() < 0.5:
            return _same_again(tool, parts[-1][1][0], rng, split)
    taken = [call for _, calls in parts for call in calls]
    for _ in range(12):
        text, call = clause(tool, rng, split)
        if call not in taken:
            return text, call, tool
    return None


def _same_again(tool: PTool, call: dict, rng, split):
    """'do the same with a radius of 9': `call` again with one required value changed."""
    able = [p for p in tool.params if not p.optional and not _is_attached(p) and p.kind not in ("b", "B", "o")
            and p.name in call["arguments"]]
    if not able:
        return None
    p = rng.choice(able)
    for _ in range(6):
        text, value = sample_value(p, rng, split)
        if value != call["arguments"][p.name]:
            said = f"{rng.choice(SAME_AGAIN)}{_args_text([_mention(p, text)], rng, tool.human)}"
            return said, {"name": tool.name, "arguments": {**call["arguments"], p.name: value}}, tool
    return None


def make_irrelevance(rng, split, pool):
    """A request for one concept; offered only other tools, near misses from its field first."""
    wanted = rng.choice(pool)
    text, _ = request(wanted, rng, split)
    offered = _distractors(rng, pool, [wanted], rng.choice((1, 2, 2, 3)))
    reply = rng.choice(DECLINES).format(h=wanted.human)
    return text, offered, [], reply


MAKERS = {"simple": make_simple, "multiple": make_multiple, "parallel": make_parallel,
          "parallel_multiple": make_parallel_multiple, "irrelevance": make_irrelevance}


def generate_proc_records(split: str, n: int, seed: int, seen: set, system_choices: list[str],
                          dedupe_key, four_task_rate: float = 0.0) -> list[dict]:
    """`n` distinct procedural records (ids left empty; the caller numbers the mixed split).

    `seen` holds the dedupe keys of every record made so far (all splits) and is extended.
    `four_task_rate`: see `make_parallel_multiple` (the caller gives it for training only).
    """
    pool = split_tools(split)
    makers = {**MAKERS, "parallel_multiple": partial(make_parallel_multiple, four_task_rate=four_task_rate)}

    def make(category: str, attempt: int) -> dict | None:
        rng = random.Random(f"proc:{seed}:{split}:{category}:{attempt}")
        text, tools, calls, content = makers[category](rng, split, pool)
        if category == "parallel" and len(calls) < 2:
            return None
        answer = {"tool_calls": calls, **({"content": content} if content else {})}
        return {"id": "", "messages": [{"role": "system", "content": rng.choice(system_choices)},
                                       {"role": "user", "content": text}],
                "tools": [t.schema() for t in tools], "answer": answer,
                "meta": {"source": "synth", "category": category, "family": "procedural"}}

    return fill_quotas(CATEGORY_WEIGHTS, n, make, dedupe_key, seen, f"split {split} (procedural)")
