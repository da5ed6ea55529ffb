"""`funcall data build`: the bundled, seeded generator of training and evaluation records.

Tools and phrasings are data (`synth_tools.py`), values come from pools (`synth_pools.py`).
Splits are built so that evaluation measures generalisation, not recall:
  train              tools of the training domains, all but the last phrasing of each tool,
                     3 in 4 pool values, the training wrappers ("Please ...", "Could you ...?")
  dev, test          the same tools, only held-out phrasings, wrappers and values
  test_unseen_tools  tools of whole domains that never appear in the other splits
Every record is deduplicated across all splits by (prompt text, answer); `check_overlap` proves
it. Categories: simple, multiple (1-4 distractor tools), parallel (2-4 calls of one tool),
parallel_multiple (2-3 tools, 2-5 calls), irrelevance (gold [] and a short reply), multi_turn (an
earlier call and its result in the conversation, then a follow-up call).

Several calls are asked for the ways people ask: separate clauses ("Convert 5 km to miles. Also,
..."), or a series, one phrasing whose slot lists 2-4 values ("the weather in Oslo, Lima and
Seoul", "both A and B", "each of A, B and C") -> one call per value in the order written, the other
arguments shared. Half the parallel records are series (2 values half the time; with mostly 3-4,
the tuned model's wrong call counts were mostly too many calls); in about a third of the
parallel_multiple records one clause (or two) is a series, so calls of one tool sit among calls
of others. About 1 in 10 parallel_multiple records gives one value to two tools of a domain ("check
the current weather and check the air quality in Oslo"), where the phrasings allow it (the training
ones only, as it happens).

`--mix procedural=F` (or `--preset quality`: 20k training records, F=0.6) draws a share F of every
split from the procedural family (`synth_proc.py`: 430 composed tools of 215 concepts over 25
fields, four fields only in test_unseen_tools), for breadth on tools the hand-written catalogue
lacks. Its parallel records add the shapes the hand-written phrasings cannot: cases that each
say several values, two lists paired "respectively", and two lists meaning every combination
(up to 6 calls).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from funcall_lib.chat import DEFAULT_SYSTEM, NO_CALL_REPLY
from funcall_lib.synth_cities import vary_cities
from funcall_lib.synth_currency import SAY_RATE, say_currency_names
from funcall_lib.synth_pools import GENERAL_QUESTIONS, KINDS, date_formats, format_date, held_out, join_series
from funcall_lib.synth_proc import generate_proc_records
from funcall_lib.synth_quota import fill_quotas
from funcall_lib.synth_tools import CHAINS, EXTRA_TOOLS, HELD_OUT_DOMAINS, TOOLS, Tool

SPLITS = ("train", "dev", "test", "test_unseen_tools")
CATEGORY_WEIGHTS = {"simple": 22, "multiple": 22, "parallel": 12, "parallel_multiple": 12,
                    "irrelevance": 16, "multi_turn": 16}
WRAPPERS = {"train": ["{C}.", "Please {c}.", "Could you {c}?", "Can you {c}?", "I'd like you to {c}.",
                      "{C}, please.", "Hey, {c}.", "I need you to {c}.", "{C}"],
            "heldout": ["Would you {c}?", "Kindly {c}.", "Go ahead and {c}.", "Quick one: {c}.",
                        "{C}, thanks!"]}
FOLLOW_COMMAND = ["Also, {c}.", "And then {c}.", "After that, {c}.", "Please also {c}.", "Then {c}."]
FOLLOW_QUESTION = ["{Q}", "Also, {q}", "And {q}"]
ACKS = ["Done.", "All set.", "That's done.", "Done. Anything else?"]
FOUND = ["Here's what I found.", "Here are the results.", "I found this.", "This is what came back."]
SYSTEMS = [DEFAULT_SYSTEM, "You are a helpful assistant with access to tools. Call a tool when it "
           "helps; otherwise reply directly."]
REFUSALS = ["Sorry, I can't {x} with the tools I have.", "None of my tools can {x}, sorry.",
            "I don't have a tool that can {x}.", "That's outside what my tools do: I can't {x}."]
# quality: ~20k training records, 60% from the procedural family (breadth for unseen tools).
DATA_PRESETS = {"default": {"n": 3000, "mix": 0.0}, "quality": {"n": 20000, "mix": 0.6}}
_BY_NAME = {t.name: t for t in TOOLS + EXTRA_TOOLS}
_SLOT_RE = re.compile(r"\{(\w+)\}")


# ---------------------------------------------------------------- tools -> JSON Schema

def tool_schema(tool: Tool) -> dict:
    """A catalogue tool -> {"name", "description", "parameters": object schema}."""
    props, required = {}, []
    for name, p in tool.params.items():
        if p.boolean:
            schema = {"type": "boolean"}
        elif p.enum:
            schema = {"type": "string", "enum": list(p.enum)}
        else:
            schema = dict(KINDS[p.kind].schema)
        props[name] = {**schema, "description": p.description}
        if not p.optional:
            required.append(name)
    return {"name": tool.name, "description": tool.description,
            "parameters": {"type": "object", "properties": props, "required": required}}


# ---------------------------------------------------------------- phrasings

def parse_phrasing(text: str) -> tuple[str, dict, bool]:
    """'=Question {x}? || flag=true' -> (template, fixed arguments, is a whole sentence)."""
    template, _, fixed_text = text.partition("||")
    fixed = {}
    for part in fixed_text.split(";"):
        if part.strip():
            key, _, value = part.strip().partition("=")
            fixed[key.strip()] = json.loads(value)
    template = template.strip()
    return template.lstrip("="), fixed, template.startswith("=")


def phrasings_for(tool: Tool, split: str) -> tuple:
    """Training sees all but the last phrasing; dev/test only the last; unseen tools all."""
    if split == "train":
        return tool.phrasings[:-1]
    if split in ("dev", "test"):
        return tool.phrasings[-1:]
    return tool.phrasings


def _sample_value(tool: Tool, param: str, rng: random.Random, split: str):
    p = tool.params[param]
    if p.enum:
        v = rng.choice(p.enum)
        return str(v), v
    return KINDS[p.kind].sample(rng, split)


def fill(tool: Tool, phrasing: str, rng: random.Random, split: str,
         given: dict | None = None) -> tuple[str, dict, bool]:
    """(text, arguments, is_sentence): every {slot} sampled, its value put in the arguments."""
    template, fixed, sentence = parse_phrasing(phrasing)
    args, texts = dict(fixed), {}
    for slot in dict.fromkeys(_SLOT_RE.findall(template)):
        for _ in range(8):  # two slots of one kind (origin, destination) get different values
            texts[slot], args[slot] = _sample_value(tool, slot, rng, split)
            if args[slot] not in [v for k, v in args.items() if k != slot]:
                break
    args.update(given or {})
    text = template.format(**texts)
    return (_tidy(text) if sentence else text), args, sentence


def as_sentence(text: str, sentence: bool, rng: random.Random, split: str) -> str:
    if sentence:
        return text
    wrapper = rng.choice(WRAPPERS["train" if split == "train" else "heldout"])
    return _tidy(wrapper.format(c=text, C=text[:1].upper() + text[1:]))


def _tidy(text: str) -> str:
    """One end mark where a phrasing ends with a quoted sentence: '"... review.".' -> '"... review."',
    '"... tomorrow?"?' -> '"... tomorrow?"'; a '?' after a quoted statement stays ('saying "Hi."?')."""
    text = re.sub(r"([.!?])([\"']?)\.$", r"\1\2", text)
    text = re.sub(r"([!?])([\"']?)\?$", r"\1\2", text)
    return re.sub(r"\.\?$", "?", text)


def _ends_sentence(text: str) -> bool:
    return re.search(r"[.?!][\"']?$", text) is not None


def clause(tool: Tool, rng: random.Random, split: str, given: dict | None = None,
           phrasings: tuple | None = None) -> tuple[str, bool, dict]:
    """(phrasing text, is a whole sentence, gold call) for one request to `tool`."""
    phrasing = rng.choice(phrasings or phrasings_for(tool, split))
    text, args, sentence = fill(tool, phrasing, rng, split, given)
    return text, sentence, {"name": tool.name, "arguments": args}


def request(tool: Tool, rng: random.Random, split: str, given: dict | None = None,
            phrasings: tuple | None = None) -> tuple[str, dict]:
    text, sentence, call = clause(tool, rng, split, given, phrasings)
    return as_sentence(text, sentence, rng, split), call


def _template_starts() -> frozenset:
    """First words of the whole-sentence phrasings that are template words, not slot values."""
    texts = [ph for t in TOOLS for ph in t.phrasings] + [ph for c in CHAINS for ph in c["phrasings"]]
    return frozenset(m.group(0) for ph in texts if ph.startswith("=")
                     for m in [re.match(r"[A-Za-z']+", ph[1:])] if m)


_TEMPLATE_STARTS = _template_starts()


def _lower_first(text: str) -> str:
    """"What's ..." -> "what's ..." after "And"; codes, names and "I" keep their case ("And NH203
    status?", "And SMS to ...", "And Oslo ..."): only an ordinary capitalised template word is lowered."""
    m = re.match(r"[A-Za-z']+", text)
    word = m.group(0) if m else ""
    if word not in _TEMPLATE_STARTS or not re.fullmatch(r"[A-Z][a-z']+", word) or word.startswith("I'"):
        return text
    return text[:1].lower() + text[1:]


def join_clauses(clauses: list[tuple[str, bool]], rng: random.Random, split: str,
                 inline: bool = True) -> str:
    """Several requests in one user message: "Please A and B." or "A? Also, B." etc.

    `inline=False` (a clause lists values with "and") keeps the clauses in separate sentences."""
    if inline and len(clauses) == 2 and not clauses[0][1] and not clauses[1][1] and rng.random() < 0.35:
        return as_sentence(f"{clauses[0][0]} and {clauses[1][0]}", False, rng, split)
    parts = [as_sentence(*clauses[0], rng, split)]
    if inline and len(clauses) == 2 and rng.random() < 0.15:
        parts.insert(0, "Two things.")
    for text, sentence in clauses[1:]:
        if sentence:
            parts.append(rng.choice(FOLLOW_QUESTION).format(Q=text, q=_lower_first(text)))
        else:
            parts.append(_tidy(rng.choice(FOLLOW_COMMAND).format(c=text)))
    return " ".join(p if _ends_sentence(p) else p + "." for p in parts)


# ---------------------------------------------------------------- series and shared values

_PREPOSITIONS = ("in", "for", "of", "about", "on", "at", "to", "from", "near", "into", "with")
_SCALAR = ("string", "integer", "number")


def series_slots(tool: Tool, phrasing: str) -> list[str]:
    """Slots of a phrasing that can take a list of values, one call each: a required free value
    (not a boolean, not an enum, not an array or object), written once, not fixed by the phrasing
    (and no number for a set_ tool); none in a phrasing that already lists values of an array."""
    template, fixed, _ = parse_phrasing(phrasing)
    slots = _SLOT_RE.findall(template)
    if any(tool.params[s].kind and KINDS[tool.params[s].kind].schema["type"] == "array" for s in slots):
        return []  # "plan 3 and 5 days of meals without feta and tofu": one list per sentence
    # A setter takes one level at a time: rooms can be listed for set_thermostat, temperatures not.
    types = ("string",) if tool.name.startswith("set_") else _SCALAR
    return [s for s in dict.fromkeys(slots) if slots.count(s) == 1 and s not in fixed
            and not tool.params[s].optional and tool.params[s].kind
            and KINDS[tool.params[s].kind].schema["type"] in types]


def series_clause(tool: Tool, rng: random.Random, split: str, want: int,
                  phrasings: tuple | None = None) -> tuple[str, bool, list[dict]] | None:
    """One phrasing with one slot listing `want` (or, when the split's values run out, at least 2)
    distinct values: "check the weather in Oslo, Lima and Seoul" -> one call per value, in the
    order written, the other arguments shared. None when the tool has no such slot."""
    options = [(ph, slot) for ph in phrasings or phrasings_for(tool, split) for slot in series_slots(tool, ph)]
    if not options:
        return None
    phrasing, slot = rng.choice(options)
    template, fixed, sentence = parse_phrasing(phrasing)
    args, texts = dict(fixed), {}
    for other in dict.fromkeys(_SLOT_RE.findall(template)):
        if other == slot:
            args[slot] = None  # keeps the argument order of the phrasing
            continue
        for _ in range(8):
            texts[other], args[other] = _sample_value(tool, other, rng, split)
            if args[other] not in [v for k, v in args.items() if k != other]:
                break
    values: dict = {}  # text -> value
    for _ in range(want * 6):
        text, value = _sample_value(tool, slot, rng, split)
        if value not in values.values() and value not in args.values() and text not in values:
            values[text] = value
        if len(values) == want:
            break
    if tool.params[slot].kind == "date":  # one series, one way of writing dates
        fmt = rng.choice(date_formats(split))
        values = {format_date(v, fmt): v for v in values.values()}
    items = list(values)
    if len(items) > 2 and any("," in t for t in items):
        items = items[:2]  # "March 4, 2026, May 1, 2026 and ..." would not read as a list
    if len(items) < 2:
        return None
    m = re.search(r"(['\"]?)\{%s\}(['\"]?)" % slot, template)
    quote = m.group(1) if m.group(1) and m.group(1) == m.group(2) else ""
    if quote:  # "'{title}'" -> "'A', 'B' and 'C'"
        template = template.replace(m.group(0), "{%s}" % slot)
    before = template[:template.index("{%s}" % slot)].split()
    texts[slot] = join_series([f"{quote}{t}{quote}" for t in items], rng,
                              quantifier=bool(before) and before[-1] in _PREPOSITIONS,
                              commas=not any("," in t for t in items))
    calls = [{"name": tool.name, "arguments": {k: values[t] if k == slot else v for k, v in args.items()}}
             for t in items]
    text = template.format(**texts)
    return (_tidy(text) if sentence else text), sentence, calls


def _single_value_phrasings(tool: Tool, split: str):
    """(template, fixed, param) of the command phrasings whose only slot is the tool's one
    required parameter (a free scalar value)."""
    required = [n for n, p in tool.params.items() if not p.optional]
    if len(required) != 1 or not tool.params[required[0]].kind \
            or KINDS[tool.params[required[0]].kind].schema["type"] not in _SCALAR:
        return []
    out = []
    for phrasing in phrasings_for(tool, split):
        template, fixed, sentence = parse_phrasing(phrasing)
        if not sentence and _SLOT_RE.findall(template) == required:
            out.append((template, fixed, required[0]))
    return out


def shared_value_pairs(pool: list[Tool], split: str) -> list[tuple]:
    """Two tools of one domain whose one required parameter is the same kind of value, phrased so
    that the value can close both requests: "check the current weather and check the air quality
    in Oslo". The first phrasing must end in "<preposition> [the] {slot}" (that tail is dropped),
    the second in "{slot}"."""
    heads, tails = [], []
    for tool in pool:
        for template, fixed, param in _single_value_phrasings(tool, split):
            m = re.fullmatch(r"(.+?) (?:%s) (?:the )?\{%s\}" % ("|".join(_PREPOSITIONS), param), template)
            if m:
                heads.append((tool, m.group(1), fixed, param))
            if template.endswith("{%s}" % param):
                tails.append((tool, template, fixed, param))
    return [(h, t) for h in heads for t in tails if h[0].domain == t[0].domain and h[0] is not t[0]
            and h[0].params[h[3]].kind == t[0].params[t[3]].kind]


def _shared_value(rng, split, pool):
    pairs = shared_value_pairs(pool, split)
    if not pairs:
        return None
    (first, head, fixed1, param1), (second, template, fixed2, param2) = rng.choice(pairs)
    text, value = _sample_value(first, param1, rng, split)
    request_text = f"{head} and {template.format(**{param2: text})}"
    calls = [{"name": first.name, "arguments": {**fixed1, param1: value}},
             {"name": second.name, "arguments": {**fixed2, param2: value}}]
    offered = _offer(rng, pool, [first, second], rng.choice((0, 0, 1)))
    return [as_sentence(request_text, False, rng, split)], offered, calls, None


# ---------------------------------------------------------------- categories

def _offer(rng, pool: list[Tool], needed: list[Tool], extra: int) -> list[Tool]:
    others = [t for t in pool if t not in needed]
    offered = needed + rng.sample(others, min(extra, len(others)))
    rng.shuffle(offered)
    return offered


def make_simple(rng, split, pool):
    tool = rng.choice(pool)
    text, call = request(tool, rng, split)
    return [text], [tool], [call], None


def make_multiple(rng, split, pool):
    """One call, with 1-4 distractors (often from the same domain, the hard case)."""
    text, tools, calls, _ = make_simple(rng, split, pool)
    extra = rng.choice((1, 1, 2, 2, 3, 4))  # few distractors mostly: long prompts cost memory
    near = [t for t in pool if t.domain == tools[0].domain and t is not tools[0]]
    near = rng.sample(near, min(rng.randint(0, extra), len(near)))
    return text, _offer(rng, pool, tools + near, extra - len(near)), calls, None


def _key_args(tool: Tool, call: dict) -> tuple:
    """The arguments that make two calls different requests: the required ones (all of them for
    a tool without required parameters, e.g. play_music)."""
    params = [p for p, spec in tool.params.items() if not spec.optional] or list(tool.params)
    return tuple(json.dumps(call["arguments"].get(p), sort_keys=True) for p in params)


def make_parallel(rng, split, pool):
    """2-4 calls of one tool: half the time a series, one phrasing listing 2-4 values of one slot
    ("... in Oslo, Lima and Seoul"; 2 or 3 values, sometimes 4), else 2-3 clauses that differ in required arguments."""
    if rng.random() < 0.5:
        able = [t for t in pool if any(series_slots(t, ph) for ph in phrasings_for(t, split))]
        if able:
            tool = rng.choice(able)
            series = series_clause(tool, rng, split, rng.choice((2, 2, 3, 4)))
            if series:
                text, sentence, calls = series
                return [as_sentence(text, sentence, rng, split)], [tool], calls, None
    for _ in range(10):
        tool = rng.choice(pool)
        want = rng.choice((2, 3, 3))
        clauses, calls, keys = [], [], set()
        for _ in range(want * 4):
            text, sentence, call = clause(tool, rng, split)
            if _key_args(tool, call) not in keys:
                keys.add(_key_args(tool, call))
                clauses.append((text, sentence))
                calls.append(call)
            if len(calls) == want:
                break
        if len(calls) >= 2:  # a tool whose phrasings allow one request only: take another
            return [join_clauses(clauses, rng, split)], [tool], calls, None
    raise RuntimeError(f"split {split}: no tool gives two distinct parallel calls")


def make_parallel_multiple(rng, split, pool):
    """2-3 tools, in the order asked. In ~4 of 10 records one clause (or two) is meant to list 2-3
    values of a slot, one call each (3-5 calls mixing tools; a tool without such a slot keeps a plain
    clause); ~1 in 10 is one value for two tools of a domain, where a pair of phrasings allows it."""
    if rng.random() < 0.1:
        shared = _shared_value(rng, split, pool)
        if shared:
            return shared
    tools = rng.sample(pool, rng.choice([2, 2, 3]))
    series_at: set = set()
    if rng.random() < 0.4:
        able = [i for i, t in enumerate(tools) if any(series_slots(t, ph) for ph in phrasings_for(t, split))]
        rng.shuffle(able)
        series_at = set(able[: 2 if len(tools) == 2 and rng.random() < 0.3 else 1])
    parts = []  # (text, is a sentence, calls)
    for i, tool in enumerate(tools):
        series = None
        if i in series_at:
            series = series_clause(tool, rng, split, 2 if len(series_at) == 2 else rng.choice((2, 3)))
        if series is None:
            text, sentence, call = clause(tool, rng, split)
            series = (text, sentence, [call])
        parts.append(series)
    offered = _offer(rng, pool, tools, rng.choice((0, 0, 1)))
    text = join_clauses([(t, s) for t, s, _ in parts], rng, split, inline=not series_at)
    return [text], offered, [c for _, _, calls in parts for c in calls], None


def make_irrelevance(rng, split, pool):
    if rng.random() < 0.3:
        question = rng.choice(held_out(GENERAL_QUESTIONS, split))
        return [question], rng.sample(pool, rng.randint(0, 3)), [], NO_CALL_REPLY
    wanted = rng.choice(pool)
    text, _ = request(wanted, rng, split)
    offered = rng.sample([t for t in pool if t.domain != wanted.domain], rng.randint(1, 3))
    x = wanted.description.rstrip(".")
    reply = rng.choice(REFUSALS).format(x=x[:1].lower() + x[1:])
    return [text], offered, [], reply


def make_multi_turn(rng, split, pool):
    names = {t.name for t in pool}
    chains = [c for c in CHAINS if c["first"] in names]
    if chains and rng.random() < 0.5:
        return _chain(rng, split, pool, rng.choice(chains))
    first, second = rng.sample(pool, 2)
    text1, call1 = request(first, rng, split)
    text2, call2 = request(second, rng, split)
    result = {"status": "ok"}
    return [text1, call1, result, rng.choice(ACKS), text2], _offer(rng, pool, [first, second], rng.randint(0, 1)), [call2], None


def _chain(rng, split, pool, chain):
    first, then = _BY_NAME[chain["first"]], _BY_NAME[chain["then"]]
    text1, call1 = request(first, rng, split)
    result = chain["result"](rng, call1["arguments"])
    given = {}
    for param, path in chain["carry"].items():
        value = result
        for key in path:
            value = value[key]
        given[param] = value
    follow = chain["phrasings"][:-1] if split == "train" else chain["phrasings"][-1:] \
        if split in ("dev", "test") else chain["phrasings"]
    text2, call2 = request(then, rng, split, given=given, phrasings=follow)
    offered = _offer(rng, pool, [first, then], rng.choice((0, 0, 1)))
    return [text1, call1, result, rng.choice(FOUND), text2], offered, [call2], None


MAKERS = {"simple": make_simple, "multiple": make_multiple, "parallel": make_parallel,
          "parallel_multiple": make_parallel_multiple, "irrelevance": make_irrelevance,
          "multi_turn": make_multi_turn}


def _record(rid: str, category: str, parts: list, tools: list[Tool], calls: list[dict],
            content: str | None, system: str) -> dict:
    """Turn a category maker's output into a canonical record."""
    messages = [{"role": "system", "content": system}]
    for k, part in enumerate(parts):
        if isinstance(part, str):
            # A text right after a tool result is the assistant's reply to it; others are user turns.
            after_result = k and isinstance(parts[k - 1], dict) and "arguments" not in parts[k - 1]
            role = "assistant" if after_result else "user"
            messages.append({"role": role, "content": part})
        elif "name" in part and "arguments" in part:
            messages.append({"role": "assistant", "content": "", "tool_calls": [part]})
        else:
            messages.append({"role": "tool", "content": json.dumps(part, ensure_ascii=False)})
    answer = {"tool_calls": calls}
    if content:
        answer["content"] = content
    return {"id": rid, "messages": messages, "tools": [tool_schema(t) for t in tools],
            "answer": answer, "meta": {"source": "synth", "category": category}}


# ---------------------------------------------------------------- splits

def split_tools(split: str) -> list[Tool]:
    unseen = split == "test_unseen_tools"
    return [t for t in TOOLS if (t.domain in HELD_OUT_DOMAINS) == unseen]


def dedupe_key(rec: dict) -> str:
    """What makes two records the same example: the prompt text and the answer."""
    prompt = "\n".join(str(m.get("content") or "") + json.dumps(m.get("tool_calls") or [], sort_keys=True)
                       for m in rec["messages"])
    return prompt + "\x00" + json.dumps(rec["answer"], sort_keys=True, ensure_ascii=False)


def generate_records(split: str = "train", n: int = 100, seed: int = 0,
                     exclude: set | None = None) -> list[dict]:
    """`n` distinct records of a split; deterministic in (split, n, seed, exclude)."""
    pool = split_tools(split)

    def make(category: str, attempt: int) -> dict:
        rng = random.Random(f"{seed}:{split}:{category}:{attempt}")
        parts, tools, calls, content = MAKERS[category](rng, split, pool)
        return _record("", category, parts, tools, calls, content, rng.choice(SYSTEMS))

    made = fill_quotas(CATEGORY_WEIGHTS, n, make, dedupe_key, set(exclude or ()), f"split {split}")
    random.Random(f"{seed}:{split}:order").shuffle(made)
    for i, rec in enumerate(made):
        rec["id"] = f"{split}-{i:05d}"
    return made


def default_sizes(n: int) -> dict[str, int]:
    small = max(20, n // 10)
    return {"train": n, "dev": small, "test": small, "test_unseen_tools": small}


@dataclass(frozen=True)
class TrainingVariation:
    """What the training split gets that dev and the test sets never do, so every variant is
    scored on the same records. The defaults make data v11."""
    currency_name_rate: float = SAY_RATE  # currency codes said by name (`synth_currency`; 0: data v9)
    four_task_rate: float = 0.0  # a fourth task in three-task requests (`synth_proc`; 1 is data v12: no better, run 20)

    def __post_init__(self):
        for name, rate in vars(self).items():
            check_rate(name, rate)


def check_rate(name: str, rate: float) -> None:
    """A share of records: ValueError naming the setting unless 0 <= rate <= 1."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {rate}")


def mixed_records(split: str, size: int, seed: int, seen: set, mix: float = 0.0,
                  variation: TrainingVariation = TrainingVariation()) -> list[dict]:
    """`size` records of a split: a `mix` fraction from the procedural family, the rest hand-written.

    `seen` (dedupe keys of all records made so far) is extended, so splits never share an example.
    Training records then get their city parameters varied (`synth_cities`, data v9) and
    `variation`'s changes.
    """
    train = split == "train"
    n_proc = round(size * mix)
    records = generate_records(split, size - n_proc, seed, exclude=seen)
    seen |= {dedupe_key(r) for r in records}
    if n_proc:
        records += generate_proc_records(split, n_proc, seed, seen, SYSTEMS, dedupe_key,
                                         four_task_rate=variation.four_task_rate if train else 0.0)
        random.Random(f"{seed}:{split}:mix").shuffle(records)
        for i, rec in enumerate(records):
            rec["id"] = f"{split}-{i:05d}"
    if train:
        records = [say_currency_names(vary_cities(rec, seed), seed, variation.currency_name_rate) for rec in records]
    return records


def build_splits(n: int = 3000, seed: int = 0, sizes: dict | None = None,
                 mix: float = 0.0, variation: TrainingVariation = TrainingVariation()) -> dict[str, list[dict]]:
    """All four splits, each excluding every example of the splits built before it.

    `mix` is the procedural family's share of every split (0 = the hand-written corpus only).
    """
    check_rate("mix", mix)
    sizes = sizes or default_sizes(n)
    seen: set = set()
    splits = {}
    for split in ("test_unseen_tools", "test", "dev", "train"):
        splits[split] = mixed_records(split, sizes[split], seed, seen, mix, variation)
    return {s: splits[s] for s in SPLITS}


def check_overlap(splits: dict[str, list[dict]]) -> dict[str, dict[str, int]]:
    """For each pair of splits: how many ids and (prompt, answer) pairs they share."""
    names = list(splits)
    ids_of = {s: {r["id"] for r in recs} for s, recs in splits.items()}
    keys_of = {s: {dedupe_key(r) for r in recs} for s, recs in splits.items()}
    report = {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ids = ids_of[a] & ids_of[b]
            keys = keys_of[a] & keys_of[b]
            report[f"{a}|{b}"] = {"ids": len(ids), "prompt_answer": len(keys)}
    return report


def build_dataset(out_dir: str | Path, n: int = 3000, seed: int = 0,
                  sizes: dict | None = None, mix: float = 0.0,
                  invented_rate: float = 0.0, variation: TrainingVariation = TrainingVariation()) -> dict[str, int]:
    """Write {train,dev,test,test_unseen_tools}.jsonl under out_dir; return split -> count.
    `invented_rate`: the share of training pool draws replaced by new real names and words
    (`synth_values.invented_like`); `variation`: see `TrainingVariation`. Dev and test are the
    same whatever they are."""
    from funcall_lib.records import save_records
    from funcall_lib.synth_values import invented_values

    with invented_values(invented_rate):
        splits = build_splits(n, seed, sizes, mix, variation)
    overlap = {k: v for k, v in check_overlap(splits).items() if any(v.values())}
    if overlap:
        raise RuntimeError(f"splits overlap: {overlap}")
    out_dir = Path(out_dir)
    for name, records in splits.items():
        save_records(out_dir / f"{name}.jsonl", records)
    return {name: len(records) for name, records in splits.items()}


def parse_mix(text: str | None) -> float:
    """'procedural=0.6' -> 0.6 (the procedural family's share of each split)."""
    if not text:
        return 0.0
    key, sep, value = text.partition("=")
    if key.strip() != "procedural" or not sep:
        raise ValueError(f"--mix: expected procedural=FRACTION, got {text!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"--mix: {value!r} is not a number") from None


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, help="directory for the four split files")
    parser.add_argument("--n", type=int, default=None,
                        help="training records (dev/test get n/10); default 3000, or the preset's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mix", default=None,
                        help="share of the procedural tool family, e.g. procedural=0.6 (default 0)")
    parser.add_argument("--preset", choices=sorted(DATA_PRESETS), default=None,
                        help="a named size and mix; --n and --mix override it")
    parser.add_argument("--invented-rate", type=float, default=0.0,
                        help="share of training values drawn as new real names and words instead "
                             "of from the pools (default 0; dev/test do not change)")
    add_variation_arguments(parser)


def add_variation_arguments(parser) -> None:
    """The `TrainingVariation` flags, shared by `funcall data build` and the quality recipe."""
    parser.add_argument("--currency-name-rate", type=float, default=SAY_RATE,
                        help="share of training requests' currency codes said by name, '250 euros' "
                             f"for EUR (default {SAY_RATE}: data v11; 0: data v9; dev/test do not change)")
    parser.add_argument("--four-task-rate", type=float, default=0.0,
                        help="share of training requests of three tasks that get a fourth (default 0; "
                             "1: data v12, no better than v11 in quality run 20; dev/test do not change)")


def variation_from(args) -> TrainingVariation:
    return TrainingVariation(currency_name_rate=args.currency_name_rate, four_task_rate=args.four_task_rate)


def run_cli(args) -> int:
    start = time.perf_counter()
    preset = DATA_PRESETS.get(args.preset or "", {})
    n = args.n if args.n is not None else preset.get("n", 3000)
    mix = parse_mix(args.mix) if args.mix is not None else preset.get("mix", 0.0)
    counts = build_dataset(args.out, n=n, seed=args.seed, mix=mix, invented_rate=args.invented_rate,
                           variation=variation_from(args))
    print(f"wrote {counts} to {args.out} in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0
