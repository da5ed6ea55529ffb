"""Our verdicts against BFCL's own AST checker, on the same outputs, for BFCL's non-live categories.

Outputs: each gold answer and systematic perturbations of it (wrong name, dropped required
argument, extra argument, wrong value type, int-for-float, float-for-int, string case and
whitespace variants, reordered and dropped parallel calls, omitted optional arguments, other
acceptable values). Both checkers judge every output; we require >= 99% agreement per category
and print every disagreement with both verdicts.

Importing BFCL's checker: `bfcl_eval/eval_checker/ast_eval/ast_checker.py` imports
`bfcl_eval.constants.model_config` only for `MODEL_CONFIG_MAPPING[model].underscore_to_dot`
(used by `convert_func_name`, which rewrites "a.b" to "a_b" for APIs that forbid dots in
names). That module imports every vendor SDK (anthropic, openai, ...), which bfcl-eval installed
--no-deps lacks. We put a stand-in for that one module in `sys.modules` whose every entry says
`underscore_to_dot=False`, which is BFCL's own setting for models, like ours, that write dotted
names as they are. Nothing else is stubbed; the checker module itself is BFCL's code, unchanged.
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
import types
from importlib.metadata import distribution

import pytest

from funcall_lib import matching
from funcall_lib.evaluate import load_benchmark, score_outputs
from funcall_lib.chat import format_calls

CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple")
# Disagreements seen so far, and why (printed beside each disagreement the test finds).
KNOWN = {
    ("parallel_178", "calls reversed"): "BFCL pairs parallel calls greedily: gold call 0 accepts "
    "'Microsoft' or 'Apple', takes the model's first Apple call, and strands gold call 2; our "
    "bipartite matching pairs every call (rule 7 in funcall_lib.matching)",
}
MODEL_NAME = "funcall-finetune"


@pytest.fixture(scope="module")
def bfcl_checker():
    name = "bfcl_eval.constants.model_config"
    saved = sys.modules.get(name)
    stand_in = types.ModuleType(name)

    class _AnyModel(dict):
        def __missing__(self, key):
            return types.SimpleNamespace(underscore_to_dot=False)

    stand_in.MODEL_CONFIG_MAPPING = _AnyModel()
    sys.modules[name] = stand_in
    try:
        ast = importlib.import_module("bfcl_eval.eval_checker.ast_eval.ast_checker")
        enums = importlib.import_module("bfcl_eval.constants.enums")
    finally:
        if saved is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = saved

    def check(functions, calls, truth, category):
        output = [{c["name"]: c["arguments"]} for c in calls]
        try:
            result = ast.ast_checker(functions, output, truth, enums.Language.PYTHON, category, MODEL_NAME)
        except Exception as exc:  # BFCL's checker can raise on odd input; that output fails there
            return False, f"BFCL raised {type(exc).__name__}: {exc}"
        return bool(result["valid"]), result.get("error_type", "")

    return check


def _raw(category):
    data = distribution("bfcl-eval").locate_file("bfcl_eval/data")
    read = lambda p: {o["id"]: o for o in map(json.loads, open(p, encoding="utf-8"))}  # noqa: E731
    return (read(data / f"BFCL_v4_{category}.json"),
            read(data / "possible_answer" / f"BFCL_v4_{category}.json"))


# ---------------------------------------------------------------- perturbations

def _props(record, name):
    tool = next((t for t in record["tools"] if t["name"] == name), {})
    return tool.get("parameters", {}).get("properties", {}), tool.get("parameters", {}).get("required", [])


def _wrong_type(value):
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"items": value}
    return [value]


def perturbations(record):
    """(label, calls) pairs derived from the gold answer of a record."""
    gold = record["answer"]["tool_calls"]
    base = [{"name": c["name"], "arguments": dict(c["arguments"])} for c in gold]
    out = [("gold", base)]

    def edit(label, fn, index=0):
        calls = copy.deepcopy(base)
        if fn(calls[index], gold[index]) is not False:
            out.append((label, calls))

    others = [t["name"] for t in record["tools"] if t["name"] != base[0]["name"]]
    edit("wrong name", lambda c, g: c.update(name=others[0] if others else c["name"] + "_v2"))
    edit("extra argument", lambda c, g: c["arguments"].update(unexpected_flag=True))

    def drop_required(c, g):
        req = [r for r in _props(record, c["name"])[1] if r in c["arguments"]]
        if not req:
            return False
        del c["arguments"][req[0]]
    edit("dropped required", drop_required)

    def retype(c, g):
        if not c["arguments"]:
            return False
        k = next(iter(c["arguments"]))
        c["arguments"][k] = _wrong_type(c["arguments"][k])
    edit("wrong value type", retype)

    def numeric(kind):
        def fn(c, g):
            props = _props(record, c["name"])[0]
            for k, v in c["arguments"].items():
                t = props.get(k, {}).get("type")
                if kind == "int-for-float" and t == "number" and isinstance(v, float):
                    c["arguments"][k] = int(v)
                    return True
                if kind == "float-for-int" and t == "integer" and isinstance(v, int) and not isinstance(v, bool):
                    c["arguments"][k] = float(v)
                    return True
            return False
        return fn
    edit("int-for-float", numeric("int-for-float"))
    edit("float-for-int", numeric("float-for-int"))

    def strings(fn):
        def apply(c, g):
            keys = [k for k, v in c["arguments"].items() if isinstance(v, str) and v.strip()]
            for k in keys:
                c["arguments"][k] = fn(c["arguments"][k])
            return bool(keys)
        return apply
    edit("string upper-case", strings(str.upper))
    edit("string padded", strings(lambda s: f"  {s} "))
    edit("string dashes for spaces", strings(lambda s: s.replace(" ", "-")))
    edit("string changed", strings(lambda s: s + " extra"))

    def omit_optional(c, g):
        alts = g.get("alternatives") or {}
        keys = [k for k, v in alts.items() if "" in v and k in c["arguments"]]
        for k in keys:
            del c["arguments"][k]
        return bool(keys)
    edit("optional omitted", omit_optional)

    def other_alternative(c, g):
        alts = g.get("alternatives") or {}
        changed = False
        for k, v in alts.items():
            options = [o for o in v if o != ""]
            if len(options) > 1:
                c["arguments"][k] = matching.representative(options[-1])
                changed = True
        return changed
    edit("other alternative", other_alternative)

    if len(base) > 1:
        out.append(("calls reversed", list(reversed(copy.deepcopy(base)))))
        out.append(("call dropped", copy.deepcopy(base[1:])))
        out.append(("call duplicated", copy.deepcopy(base[1:] + base[1:2])))
    return out


# ---------------------------------------------------------------- the comparison

def compare(category, bfcl_checker):
    questions, truths = _raw(category)
    rows = []
    for record in load_benchmark(f"bfcl:{category}"):
        q, truth = questions[record["id"]], truths[record["id"]]["ground_truth"]
        for label, calls in perturbations(record):
            calls = json.loads(json.dumps(calls))   # what a model's JSON would round-trip to
            ours = matching.match_calls(calls, record["answer"]["tool_calls"], record["tools"],
                                        normalize=True)
            theirs, why = bfcl_checker(q["function"], calls, truth, category)
            rows.append((record["id"], label, ours, theirs, why, calls))
    return rows


@pytest.mark.parametrize("category", CATEGORIES)
def test_agreement_with_bfcl_ast_checker(category, bfcl_checker, capsys):
    rows = compare(category, bfcl_checker)
    disagree = [r for r in rows if bool(r[2]) != r[3]]
    with capsys.disabled():
        print(f"\n{category}: {len(rows)} outputs, {len(disagree)} disagreements "
              f"({100 * (1 - len(disagree) / len(rows)):.2f}% agreement)")
        for rid, label, ours, theirs, why, calls in disagree:
            print(f"  {rid} [{label}] ours={'pass' if ours else 'fail: ' + ours.detail} "
                  f"bfcl={'pass' if theirs else 'fail: ' + why} output={json.dumps(calls)[:200]}")
            print(f"    why: {KNOWN.get((rid, label), 'not analysed yet')}")
    labels = {label for _, label, *_ in rows}
    assert {"gold", "wrong name", "extra argument", "wrong value type"} <= labels
    assert len(rows) > 5 * len({r[0] for r in rows})   # many outputs per example
    assert 1 - len(disagree) / len(rows) >= 0.99


def test_gold_passes_end_to_end_through_text(bfcl_checker):
    """Gold answers written as model text pass the whole pipeline (parse, schema, match), except
    where BFCL's own checker fails its gold too (two golds pass arguments the tool lacks)."""
    for category in CATEGORIES + ("irrelevance",):
        records = load_benchmark(f"bfcl:{category}")
        outputs = [format_calls(r["answer"]["tool_calls"]) if r["answer"]["tool_calls"]
                   else "I cannot help with that using these tools." for r in records]
        report, examples = score_outputs(records, outputs)
        assert report["strict_json_rate"] in (1.0, None)
        if category == "irrelevance":
            assert report["irrelevance_accuracy"] == 1.0
            continue
        questions, truths = _raw(category)
        for e in examples:
            if not e["task_pass"]:
                ok, why = bfcl_checker(questions[e["id"]]["function"], e["calls"],
                                       truths[e["id"]]["ground_truth"], category)
                assert not ok, (e["id"], e["reason"])


def test_irrelevance_is_no_call_checking():
    records = load_benchmark("bfcl:irrelevance")[:20]
    assert all(r["answer"]["tool_calls"] == [] for r in records)
    tool = records[0]["tools"][0]
    call = {"name": tool["name"], "arguments": {}}
    report, _ = score_outputs(records[:1] * 2, ["No tool fits.", format_calls([call])])
    assert report["irrelevance_accuracy"] == 0.5
