"""Generation, constrained by default so a tool call always parses and validates.

The guide pulls JSON out of free text with a regex after the fact. Here the decoder itself is
constrained (xgrammar): from the offered tools we build one grammar, the model family's own call
wrapper (exactly what `chat.render` trained on, whitespace included) around a JSON object whose
"name" is one of the tools and whose arguments validate against that tool's schema. A call that
does not parse or validate cannot be produced. Grammars are compiled once per tool set and cached.

`tool_choice`: "auto" also allows a plain-text answer (needed when no tool fits), "required"
forces at least one call, "none" forbids calls. A schema the engine rejects falls back to free
decoding for that record, with a warning that says why (`Generation.fallback`). Optional
rules for small models come as one `funcall_lib.nudges.Nudges`: end a turn at its first
repeated call, nudge argument values toward the user's own words, write an optional argument
the user mentioned rather than close the call, close a list where the user's own list ends,
hold a date to the layout its description states, and shift the choice between calling and
answering.

Also here: `run_tool_loop` (call a local tool, feed the result back, let the model answer) and
the `funcall infer` command. Model text is only ever parsed with `json.loads`, never evaluated.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import weakref
from dataclasses import dataclass, field

from funcall_lib import chat
from funcall_lib.call_bias import call_openers
from funcall_lib.nudges import RESTATING, Nudges

log = logging.getLogger(__name__)

TOOL_CHOICES = ("auto", "required", "none")
MAX_CALLS = 8       # parallel calls one turn may hold under the grammar
_CACHE_SIZE = 64    # compiled grammars kept per tokenizer

@dataclass
class Generation:
    """One record's output. `seconds` is its share of its batch's wall time."""

    id: str | None
    text: str                          # raw generated text (end-of-turn token included)
    parsed: chat.ParseResult
    calls: list[dict] = field(default_factory=list)
    new_tokens: int = 0
    seconds: float = 0.0
    constrained: bool = True
    fallback: str | None = None        # why this record was decoded free despite constrained=True
    decode_seconds: float = 0.0        # its share of the batch's time after the prompt's prefill
    stopped_on_repeat: bool = False    # ended at the first exact repeat of a call (stop_on_repeat)
    call_margin: float | None = None   # tool_choice auto: first-token logit margin of calling (call_bias)
    dropped_subsumed: int = 0          # calls dropped: another call of the turn holds them (drop_subsumed)


# ---------------------------------------------------------------- grammar

def plain_tool(tool: dict) -> dict:
    """A tool as {"name", "description", "parameters"} whether given plain or OpenAI-style."""
    tool = tool.get("function", tool) if tool.get("type") == "function" else tool
    params = tool.get("parameters") or {"type": "object", "properties": {}}
    return {**tool, "parameters": params}


def tool_parameters(tools: list[dict]) -> dict[str, dict]:
    """Each offered tool's parameters schema by its name (`plain_tool`): what the rules that
    rewrite a finished turn look a call's tool up in."""
    return {plain["name"]: plain["parameters"] for plain in map(plain_tool, tools)}


def _call_schema(tool: dict, args_key: str, id_key: str | None = None) -> dict:
    props = {"name": {"const": tool["name"]}, args_key: tool["parameters"]}
    if id_key:  # Mistral: each call carries a 9-character alphanumeric id
        props[id_key] = {"type": "string", "pattern": "^[A-Za-z0-9]{9}$"}
    return {"type": "object", "properties": props, "required": list(props)}


def _lit(text: str) -> str:
    return json.dumps(text)


def _not_starting_with(prefixes: list[str]) -> str:
    """EBNF for non-empty text whose first characters are not any of `prefixes` (nor space)."""
    heads = sorted({p[0] for p in prefixes})
    first = "".join("\\" + c if c in "]\\^-" else c for c in heads)
    alts = [f"[^ \\t\\n\\r{first}] fc_any*"]
    for p in prefixes:  # text that begins like a prefix but leaves it before its end
        for i in range(1, len(p)):
            nxt = "\\" + p[i] if p[i] in "]\\^-" else p[i]
            nxt = nxt.replace("\n", "\\n")
            alts.append(f"{_lit(p[:i])} ([^{nxt}] fc_any*)?")
    return " | ".join(alts)


def _calls_json(tools: list[dict], args_key: str, id_key: str | None, any_order: bool) -> tuple[str, list[str]]:
    """The grammar of one call's JSON: (its root rule's name, the rules)."""
    from funcall_lib.any_order import calls_rules, json_schema_ebnf

    root = None
    if any_order:
        try:
            root, rules = calls_rules(tools, args_key, id_key, lambda t: _call_schema(t, args_key, id_key))
        except RuntimeError as exc:
            log.warning("keys in the schema's order: the any-order grammar failed (%s)", str(exc).strip()[-200:])
    if root is None:
        schema = {"anyOf": [_call_schema(t, args_key, id_key) for t in tools]}
        root, rules = "root", [json_schema_ebnf(schema)]
    # Length-bounded strings are emitted as [^"\\\r\n], which lets control characters through;
    # json.loads rejects those, so exclude them as the unbounded string rule does.
    return root, [r.replace('[^\\"\\\\\\r\\n]', '[^\\0-\\x1f\\"\\\\\\r\\n]') for r in rules]


def grammar_ebnf(tools: list[dict], family: str = "hermes", tool_choice: str = "auto",
                 max_calls: int = MAX_CALLS, any_order: bool = False) -> str:
    """The EBNF text of the grammar for these tools; its root rule is `fc_root`.

    The JSON part comes from xgrammar's JSON-schema converter with no free whitespace and
    json.dumps' default separators, so a constrained call is byte-for-byte the training text
    when its keys come in the schema's order, the only order that converter writes;
    `any_order` lets a call's arguments come in any order, as training calls do
    (`funcall_lib.any_order`).
    """
    if tool_choice not in TOOL_CHOICES:
        raise ValueError(f"tool_choice must be one of {TOOL_CHOICES}, not {tool_choice!r}")
    # the same layout chat.format_calls writes, so constrained calls are the training text
    # (call_wrapper raises a ValueError naming the families for an unknown one)
    start, pre, post, sep, end, args_key, id_key = chat.call_wrapper(family)
    tools = [plain_tool(t) for t in tools]
    rules = ["fc_any ::= [^]"]
    if tools and tool_choice != "none":
        json_root, json_rules = _calls_json(tools, args_key, id_key, any_order)
        rules += json_rules
        rules.append(f"fc_call ::= {_lit(pre)} {json_root} {_lit(post)}")
        rules.append(f"fc_calls ::= {_lit(start)} fc_call ({_lit(sep)} fc_call)"
                     f"{{0,{max_calls - 1}}} {_lit(end)}")
    # Plain text must not begin like a call: the wrapper, or for bare-JSON families a JSON value.
    rules.append(f"fc_text ::= {_not_starting_with(call_openers(family))}")
    if not tools or tool_choice == "none":
        root = "fc_text"
    else:
        root = "fc_calls" if tool_choice == "required" else "fc_calls | fc_text"
    rules.append(f"fc_root ::= {root}")
    return "\n".join(rules) + "\n"


class _Compiler:
    """xgrammar's tokenizer info and compiler for one tokenizer and vocabulary size."""

    def __init__(self, tokenizer, vocab_size: int):
        import xgrammar as xgr

        self.info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        self.compiler = xgr.GrammarCompiler(self.info, cache_enabled=True)
        self.cache: dict[str, object] = {}


_COMPILERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _compiler(tokenizer, vocab_size: int) -> _Compiler:
    per_tok = _COMPILERS.setdefault(tokenizer, {})
    if vocab_size not in per_tok:
        per_tok[vocab_size] = _Compiler(tokenizer, vocab_size)
    return per_tok[vocab_size]


def grammar_key(tools: list[dict], family: str, tool_choice: str, max_calls: int, any_order: bool = False) -> str:
    blob = json.dumps([tools, family, tool_choice, max_calls, any_order], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def compile_tools(tokenizer, vocab_size: int, tools: list[dict], family: str = "hermes",
                  tool_choice: str = "auto", max_calls: int = MAX_CALLS, any_order: bool = False):
    """The compiled grammar for a tool set, cached by a hash of (tools, family, choice, ...).

    The cache hangs off the tokenizer object (weakly), which is the tokenizer's identity here.
    Raises RuntimeError when xgrammar rejects a schema.
    """
    import xgrammar as xgr

    comp = _compiler(tokenizer, vocab_size)
    key = grammar_key(tools, family, tool_choice, max_calls, any_order)
    if key not in comp.cache:
        ebnf = grammar_ebnf(tools, family, tool_choice, max_calls, any_order)
        grammar = xgr.Grammar.from_ebnf(ebnf, root_rule_name="fc_root")
        if len(comp.cache) >= _CACHE_SIZE:
            comp.cache.pop(next(iter(comp.cache)))
        comp.cache[key] = comp.compiler.compile_grammar(grammar)
    return comp.cache[key]


# ---------------------------------------------------------------- decoding

class _PrefillClock:
    """Notes when the first logits arrive, i.e. when the prompt's prefill forward is done."""

    def __init__(self):
        self.first = None

    def __call__(self, input_ids, scores):
        if self.first is None:
            self.first = time.perf_counter()
        return scores


class GrammarLogitsProcessor:
    """Masks each batch row's logits with its own grammar matcher (None = that row is free).

    Stateful: make a new one for every `generate` call. Finished rows (matcher terminated on the
    end-of-turn token) are skipped; transformers pads them from then on.
    """

    def __init__(self, compiled: list, stop_ids: list[int], vocab_size: int,
                 stopped: list | None = None):
        import xgrammar as xgr

        self.stopped = stopped    # rows ended by a stopping criterion (entry true): skipped

        self.matchers = [None if c is None else xgr.GrammarMatcher(c, override_stop_tokens=stop_ids)
                         for c in compiled]
        self.bitmask = xgr.allocate_token_bitmask(len(compiled), vocab_size)
        self.batch = xgr.BatchGrammarMatcher(max_threads=1)
        self.started = False

    def __call__(self, input_ids, scores):
        import xgrammar as xgr

        live = [i for i, m in enumerate(self.matchers) if m is not None and not m.is_terminated()
                and not (self.stopped and self.stopped[i])]
        if self.started:
            last = input_ids[:, -1].tolist()     # one device-to-host copy per step, not one per row
            for i in live:
                token = last[i]
                if not self.matchers[i].accept_token(token):
                    raise RuntimeError(f"row {i}: the grammar rejected token {token}, which it "
                                       "allowed a step before (mask not applied?)")
            live = [i for i in live if not self.matchers[i].is_terminated()]
        self.started = True
        if not live:
            return scores
        self.batch.batch_fill_next_token_bitmask([self.matchers[i] for i in live], self.bitmask,
                                                 indices=live)
        device = scores.device
        masked = scores if device.type in ("cpu", "cuda") else scores.cpu()
        xgr.apply_token_bitmask_inplace(masked, self.bitmask.to(masked.device), indices=live)
        return masked.to(device)


class RepeatedCallStop:
    """Stopping criterion: a row is done once it writes a call identical to an earlier one.

    Small models loop ("f(x=1), f(x=1), f(x=1), ..." until the token limit); no correct turn
    repeats a call exactly, so a stopped row's text is cut with `chat.drop_repeats` (the repeat
    and all after it dropped, the turn ended there). Rows are checked only when their newest
    token could close a call. `generated[i]` is how many tokens row i had written when it
    stopped: `generate` pads a stopped row until the batch ends, and those pads were never
    written.
    """

    def __init__(self, tokenizer, prompt_length: int, family: str, rows: int):
        self.tokenizer, self.prompt_length, self.family = tokenizer, prompt_length, family
        self.closing = (chat.call_wrapper(family).suffix or "}")[-1]
        self.stopped = [False] * rows
        self.generated: list[int | None] = [None] * rows

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        for i in range(input_ids.shape[0]):
            if self.stopped[i] or self.closing not in self.tokenizer.decode(input_ids[i, -1:]):
                continue
            text = self.tokenizer.decode(input_ids[i, self.prompt_length:], skip_special_tokens=False)
            if chat.first_repeat(text, self.family) is not None:
                self.stopped[i], self.generated[i] = True, input_ids.shape[1] - self.prompt_length
        return torch.tensor(self.stopped, dtype=torch.bool, device=input_ids.device)


def logits_size(model) -> int:
    """The vocabulary as the model's logits see it (often padded past the tokenizer's)."""
    emb = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if emb is not None and getattr(emb, "weight", None) is not None:
        return int(emb.weight.shape[0])
    return int(model.config.vocab_size)


def _stop_ids(tokenizer) -> list[int]:
    ids = []
    for tok in (chat.end_of_turn(tokenizer), tokenizer.eos_token):
        tid = tokenizer.convert_tokens_to_ids(tok) if tok else None
        if tid is not None and tid != tokenizer.unk_token_id and tid not in ids:
            ids.append(tid)
    return ids


def _grammar_for(record, tokenizer, vocab, family, tool_choice, max_calls, hold_layouts=False, any_order=False):
    """(compiled grammar or None, fallback reason or None) for one record; `hold_layouts`: each
    string parameter is held to the date or time layout its description states
    (`stated_layouts`); `any_order`: arguments in any key order (`funcall_lib.any_order`)."""
    tools = record.get("tools") or []
    if hold_layouts:
        from funcall_lib.copy_bias import user_text
        from funcall_lib.stated_layouts import with_stated_layouts

        tools = with_stated_layouts(tools, said=user_text(record))
    try:
        return compile_tools(tokenizer, vocab, tools, family, tool_choice, max_calls, any_order), None
    except RuntimeError as exc:
        reason = f"xgrammar rejected the tool schemas ({str(exc).strip().splitlines()[-1]})"
        log.warning("record %s: %s; decoding it unconstrained", record.get("id"), reason)
        return None, reason


def prepare_for_inference(loaded, merge_adapter: bool = True) -> None:
    """Switch a `models.Loaded` to inference mode: Unsloth's fast path when it loaded the model.

    With transformers + peft, a LoRA adapter on an unquantized base is merged into the weights
    first (`merge_adapter=False` keeps it separate). An attached LoRA layer runs a float32 side
    path (a cast, two thin matmuls, a scale, an add) beside every projection, which costs most
    on long prompts: scoring the embedded model with an r=64 adapter on two CPU cores took
    1.3-2.2x as long attached. Merged weights are rounded to the model's dtype once; in bf16
    that moved about a tenth of the greedy outputs and no pass rate beyond chance, as much as
    decoding in bf16 instead of float32 moves them (docs/benchmarks.md). A 4-bit base is left
    attached: merging into it would requantize.
    """
    if getattr(loaded, "backend", None) == "unsloth":
        from unsloth import FastLanguageModel

        FastLanguageModel.for_inference(loaded.model)
        return
    if merge_adapter and not loaded.load_in_4bit and _has_lora(loaded.model):
        loaded.model = loaded.model.merge_and_unload()
        loaded.adapter_merged = True
    loaded.model.eval()


def _has_lora(model) -> bool:
    from peft import PeftModel, PeftType

    return isinstance(model, PeftModel) and all(
        c.peft_type == PeftType.LORA for c in model.peft_config.values())


def generate(model, tokenizer, records: list[dict], *, constrained: bool = True,
             tool_choice: str = "auto", max_new_tokens: int = 256, batch_size: int = 8,
             family: str | None = None, max_calls: int = MAX_CALLS,
             nudges: Nudges = Nudges()) -> list[Generation]:
    """Greedy, batched (left-padded) generation of each record's assistant turn.

    Prompts come from `chat.render_prompt(record["messages"], record["tools"], tokenizer)`.
    Rows of a batch may offer different tools: each row gets its own grammar matcher.
    `nudges` (`funcall_lib.nudges.Nudges`, all off by default) switches on the decoding rules
    for small models: `stop_on_repeat` ends a row at the first exact repeat of a call
    (`RepeatedCallStop`), and `drop_subsumed` drops a call that another call of the turn writes
    again with more arguments (`chat.drop_subsumed`), in either mode; `copy_bias` > 0 nudges
    argument values toward the user's own words (`copy_bias.CopyBias`); `word_bias` > 0
    finishes a word of the user's that a string value has begun copying
    (`word_bias.WordFinishBias`); `name_bias` > 0 spells the user's name where a value has begun
    it and the model would write another (`name_bias.NameBias`);
    `region_bias` > 0 favours a comma over ending a city whose parameter asks for the state too
    (`region_bias.RegionBias`); `option_bias` > 0 favours a comma over closing a call's
    arguments while an optional parameter the user mentioned is unwritten
    (`option_bias.OptionBias`); `list_bias` > 0 favours closing a list argument over going on
    after an item where the user's own list ends (`list_bias.ListEndBias`); `stated_layouts` holds
    a string to the date or time layout its description states, where decoding is constrained,
    and writes an ISO date the model chose instead in that layout (`stated_layouts`);
    `stated_percents` writes a percentage the user said as the fraction or the percent its
    description asks for (`stated_percents`), `rate_fractions` one as its fraction under a rate
    whose description is silent (`rate_fractions`), `stated_units` a quantity said in another
    unit converted to the one its description states (`stated_units`), `said_flags` a boolean
    parameter as the user's words say it, true where they name it, false where they deny it
    (`said_flags`), and `said_magnitudes` a number said with a scale word ("50 million") with its
    zeros as said (`said_magnitudes`), `said_years` a date whose month and day the user said with
    a year, with that year (`said_years`), `said_periods` a date the model made up for a period the
    user named ("next month", a season's year, a month) as the user named it (`said_periods`),
    `said_options` a left-out optional parameter with the one option of its own the user said, in
    a turn of one call (`said_options`), `lift_keys` moves an argument written inside an object
    argument up to the level whose schema names it (`lift_keys`), and `drop_doubled` drops a call
    that writes a value the user said once into two arguments beside a call of its tool that does
    not (`drop_doubled`): these ten act on every finished turn, a free one where it is exactly
    its calls (`restate_turn`).
    With `tool_choice="auto"`, `call_bias` is added to the logits of the call-opening tokens at
    the first step (negative: text answers more often; `call_bias.CallBias`), and each
    Generation records its `call_margin`.
    """
    if tool_choice not in TOOL_CHOICES:
        raise ValueError(f"tool_choice must be one of {TOOL_CHOICES}, not {tool_choice!r}")
    if not isinstance(nudges, Nudges):
        raise TypeError(f"nudges must be a funcall_lib.nudges.Nudges, not {type(nudges).__name__}")
    if nudges.call_bias and tool_choice != "auto":
        raise ValueError(f"call_bias applies to tool_choice 'auto' only, not {tool_choice!r}")
    family = family or chat.ensure_tool_template(tokenizer)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    prompts = [chat.render_prompt(r["messages"], r.get("tools") or [], tokenizer) for r in records]
    openers = _call_opener_ids(model, tokenizer, family) if tool_choice == "auto" else None
    order = sorted(range(len(records)), key=lambda i: len(prompts[i]))  # less padding per batch
    out: list[Generation | None] = [None] * len(records)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        for i, gen in zip(idx, _generate_batch(model, tokenizer, [records[i] for i in idx],
                                               [prompts[i] for i in idx], constrained, tool_choice,
                                               max_new_tokens, family, max_calls, nudges, openers)):
            out[i] = gen
    return out


def _call_opener_ids(model, tokenizer, family) -> list[int]:
    """The token ids that open a call, found once per `generate` call (a pass over the vocabulary)."""
    from funcall_lib.call_bias import opener_ids
    from funcall_lib.copy_bias import token_pieces

    return opener_ids(token_pieces(tokenizer, logits_size(model)), family)


def _generate_batch(model, tokenizer, records, prompts, constrained, tool_choice, max_new_tokens,
                    family, max_calls, nudges: Nudges = Nudges(), openers=None) -> list[Generation]:
    """One batch of `generate`; `openers` (the call-opening token ids, auto mode only) install
    the `CallBias` that records each row's call margin."""
    import torch
    from transformers import LogitsProcessorList, StoppingCriteriaList

    from funcall_lib.call_bias import CallBias

    stop = _stop_ids(tokenizer)
    vocab = logits_size(model)
    grammars, reasons = [None] * len(records), [None] * len(records)
    if constrained:
        pairs = [_grammar_for(r, tokenizer, vocab, family, tool_choice, max_calls, nudges.stated_layouts,
                              nudges.any_order) for r in records]
        grammars, reasons = [p[0] for p in pairs], [p[1] for p in pairs]
    enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    enc = {k: v.to(model.device) for k, v in enc.items()}
    clock = _PrefillClock()
    processors = LogitsProcessorList([clock])        # first, so grammar work counts as decoding
    repeat = RepeatedCallStop(tokenizer, enc["input_ids"].shape[1], family, len(records)) \
        if nudges.stop_on_repeat else None
    if any(g is not None for g in grammars):
        processors.append(GrammarLogitsProcessor(grammars, stop, vocab,
                                                 stopped=repeat.stopped if repeat else None))
    processors.extend(nudges.value_biases(tokenizer, vocab, records))
    call = CallBias(openers, nudges.call_bias, len(records)) if openers is not None else None
    if call:
        processors.append(call)
    t0 = time.perf_counter()
    with torch.inference_mode():
        seqs = model.generate(**enc, logits_processor=processors, do_sample=False,
                              stopping_criteria=StoppingCriteriaList([repeat] if repeat else []),
                              max_new_tokens=max_new_tokens, eos_token_id=stop,
                              pad_token_id=tokenizer.pad_token_id, temperature=None, top_p=None,
                              top_k=None)
    t1 = time.perf_counter()
    seconds, decode_seconds = (t1 - t0) / len(records), (t1 - (clock.first or t1)) / len(records)
    new = seqs[:, enc["input_ids"].shape[1]:].tolist()
    gens = []
    for k, (rec, row, grammar, reason) in enumerate(zip(records, new, grammars, reasons)):
        repeated = repeat is not None and repeat.stopped[k]
        if repeated:     # what follows the stop is padding
            row = row[: repeat.generated[k]]
        ends = [j for j, t in enumerate(row) if t in stop]
        row = row[: ends[0] + 1] if ends else row
        text = tokenizer.decode(row, skip_special_tokens=False)
        if repeated:
            text = chat.drop_repeats(text, family)[0] + chat.end_of_turn(tokenizer)
        dropped = 0
        if nudges.drop_subsumed:
            text, dropped = chat.drop_subsumed(text, family)
        parsed = chat.parse_tool_calls(text, family)
        if any(getattr(nudges, name) for name in RESTATING):
            text, parsed = restate_turn(text, parsed, rec, family, chat.end_of_turn(tokenizer), nudges,
                                        free=grammar is None)
        gens.append(Generation(rec.get("id"), text, parsed, parsed.calls, len(row), seconds,
                               constrained and grammar is not None, reason, decode_seconds,
                               repeated, call.margins[k] if call and rec.get("tools") else None, dropped))
    return gens


def restate_turn(text: str, parsed: chat.ParseResult, record: dict, family: str, end: str,
                 nudges: Nudges, *, free: bool = False) -> tuple[str, chat.ParseResult]:
    """A finished turn with each argument written inside an object argument whose schema does not
    name it moved up to the level that does (`lift_keys`), without each call that reads a value
    the user said once into two arguments beside one of its tool that does not (`drop_doubled`),
    and with its values written
    in the form their descriptions state or the user's words say: each ISO date that the grammar
    let through beside a stated layout, in that layout (`stated_layouts`); each percentage the
    user wrote, as the fraction or the percent the description asks for (`stated_percents`), or
    as the fraction under a rate whose description is silent (`rate_fractions`); each quantity
    the user said in another unit, converted to the one the description states
    (`stated_units`); each boolean parameter
    the user's words name or deny, as they say it (`said_flags`); each number the user said with
    a scale word, with its zeros as said (`said_magnitudes`); each date with the month and day of
    one the user said whole, with its said year where the model wrote one nobody said
    (`said_years`); each date the model made up for a period the user named, as they named it
    (`said_periods`); in a turn of one call, each optional parameter it left out, with the one
    option of its own (enum or quoted example) the user said (`said_options`). The calls are written anew by
    `chat.format_calls`, as the grammar writes them. A turn that is unchanged, holds no call, or
    ran out of tokens (does not close with `end`, the template's end of turn) stays as it is.
    A `free` turn (decoded without the grammar) is rewritten only where it is exactly its calls
    as `chat.format_calls` writes them (nothing else in it would be lost, no repair made strict),
    and only by the rules that need no grammar (`nudges.AFTER_DECODING`: not the stated layouts,
    whose ISO alternative the grammar offers). `generate` calls it on each turn;
    `evaluate.score_predictions` on written ones."""
    from funcall_lib.copy_bias import user_text
    from funcall_lib.drop_doubled import drop_doubled
    from funcall_lib.lift_keys import lift_keys
    from funcall_lib.rate_fractions import restate_rates
    from funcall_lib.said_flags import restate_flags
    from funcall_lib.said_magnitudes import restate_magnitudes
    from funcall_lib.said_options import restate_options
    from funcall_lib.said_periods import restate_periods
    from funcall_lib.said_years import restate_years
    from funcall_lib.stated_layouts import restate_calls
    from funcall_lib.stated_percents import restate_percents
    from funcall_lib.stated_units import restate_units

    if not parsed.calls or not text.endswith(end):
        return text, parsed
    if free and text != chat.format_calls(parsed.calls, family) + end:
        return text, parsed
    calls, tools, said = parsed.calls, record.get("tools") or [], user_text(record)
    if nudges.lift_keys:
        calls = lift_keys(calls, tools)
    if nudges.drop_doubled:
        calls = drop_doubled(calls, said)
    if nudges.stated_layouts and not free:
        calls = restate_calls(calls, tools)
    if nudges.stated_percents:
        calls = restate_percents(calls, tools, said)
    if nudges.rate_fractions:
        calls = restate_rates(calls, tools, said)
    if nudges.stated_units:
        calls = restate_units(calls, tools, said)
    if nudges.said_flags:
        calls = restate_flags(calls, tools, said)
    if nudges.said_magnitudes:
        calls = restate_magnitudes(calls, tools, said)
    if nudges.said_years:
        calls = restate_years(calls, tools, said)
    if nudges.said_periods:
        calls = restate_periods(calls, tools, said)
    if nudges.said_options:
        calls = restate_options(calls, tools, said)
    if calls == parsed.calls:
        return text, parsed
    text = chat.format_calls(calls, family) + end
    return text, chat.parse_tool_calls(text, family)


# ---------------------------------------------------------------- tool-execution loop

def run_tool_loop(model, tokenizer, messages: list[dict], tools_registry: dict, max_rounds: int = 3,
                  *, tool_choice: str = "auto", max_new_tokens: int = 256,
                  family: str | None = None) -> list[dict]:
    """Let the model call local tools until it answers in text; returns the whole transcript.

    Each round: constrained generation; every call's arguments are validated against the tool's
    schema and the Python function runs (`toolbox.call_tool`); its result (or the error) goes
    back as a `tool` message. `tool_choice` applies to the first round, later rounds are "auto",
    and after `max_rounds` the model must answer in text ("none").
    """
    from funcall_lib.toolbox import ToolError, call_tool, tool_specs

    transcript = [dict(m) for m in messages]
    specs = tool_specs(tools_registry)
    for round_no in range(max_rounds + 1):
        choice = "none" if round_no == max_rounds else (tool_choice if round_no == 0 else "auto")
        record = {"messages": transcript, "tools": specs}
        gen = generate(model, tokenizer, [record], tool_choice=choice, max_new_tokens=max_new_tokens,
                       batch_size=1, family=family)[0]
        if not gen.calls:
            transcript.append({"role": "assistant", "content": gen.parsed.content})
            return transcript
        transcript.append({"role": "assistant", "content": gen.parsed.content,
                           "tool_calls": gen.calls})
        for call in gen.calls:
            try:
                result = call_tool(tools_registry, call["name"], call["arguments"])
            except ToolError as exc:
                result = {"error": str(exc)}
            transcript.append({"role": "tool", "name": call["name"],
                               "content": json.dumps(result, ensure_ascii=False)})
    return transcript


# ---------------------------------------------------------------- CLI

def load_tools_file(path: str) -> list[dict]:
    """A JSON file holding a list of tools (canonical or OpenAI-style); errors name the file."""
    try:
        with open(path, encoding="utf-8") as f:
            tools = json.load(f)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
    if isinstance(tools, dict):
        tools = [tools]
    if not isinstance(tools, list):
        raise ValueError(f"{path}: expected a JSON list of tools, got {type(tools).__name__}")
    out = []
    for i, tool in enumerate(tools):
        tool = plain_tool(tool) if isinstance(tool, dict) else None
        if not tool or not isinstance(tool.get("name"), str):
            raise ValueError(f"{path}: tool #{i} has no string 'name'")
        out.append(tool)
    return out


def add_arguments(parser) -> None:
    from funcall_lib.nudges import add_arguments as add_nudge_arguments

    parser.add_argument("--model", default="embedded", help="model id (embedded, a dir, a Hub id)")
    parser.add_argument("--adapter", help="LoRA adapter directory written by `funcall train`")
    parser.add_argument("--tools", required=True, help="JSON file: a list of tools")
    parser.add_argument("--prompt", required=True, help="the user's message")
    parser.add_argument("--system", default=chat.DEFAULT_SYSTEM, help="system message")
    parser.add_argument("--free", action="store_true", help="decode without the grammar")
    parser.add_argument("--tool-choice", choices=TOOL_CHOICES, default="auto")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    add_nudge_arguments(parser)


def run_cli(args) -> int:
    from funcall_lib.models import load_model

    tools = load_tools_file(args.tools)
    loaded = load_model(args.model, adapter=args.adapter)
    prepare_for_inference(loaded)
    record = {"id": "cli", "tools": tools, "messages": [
        {"role": "system", "content": args.system}, {"role": "user", "content": args.prompt}]}
    gen = generate(loaded.model, loaded.tokenizer, [record], constrained=not args.free,
                   tool_choice=args.tool_choice, max_new_tokens=args.max_new_tokens,
                   nudges=Nudges.from_args(args))[0]
    print(gen.text)
    print(json.dumps({"calls": gen.calls, "content": gen.parsed.content,
                      "strict_json": gen.parsed.strict_json, "constrained": gen.constrained,
                      "fallback": gen.fallback, "new_tokens": gen.new_tokens, "call_margin": gen.call_margin,
                      "seconds": round(gen.seconds, 3)}, indent=2, ensure_ascii=False))
    return 0
