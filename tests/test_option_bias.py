"""Option bias: which optional parameters a request mentions, the call scanner, the logits
processor on a fake vocabulary, generate(), and the flag through eval and the quality recipe.
The checks that every value bias (copy, option, list-end) shares are here too, one test each."""

import json
import math

import pytest

from funcall_lib import infer, option_bias
from funcall_lib.nudges import VALUE_BIASES, Nudges
from funcall_lib.option_bias import (CallScanner, OptionBias, closes_object, continues_object,
                                     KEY_BONUS, mentioned_options, name_words, option_mentions, option_turns,
                                     stated_examples, words_match, writes_key)
from tests.processor_steps import scores_after


def _tool(properties: dict, required=(), name="f"):
    return {"name": name, "description": "A tool.",
            "parameters": {"type": "object", "properties": properties, "required": list(required)}}


NUM, BOOL, STR = {"type": "number"}, {"type": "boolean"}, {"type": "string"}


# ---------------------------------------------------------------- mentioned_options

@pytest.mark.parametrize("name, words", [
    ("initial_investment", ["initial", "investment"]),
    ("considerTerrain", ["consider", "terrain"]),
    ("HTTPServer.port-number", ["http", "server", "port"]),
    ("to_unit", []),                       # "to" is short, "unit" generic
    ("max_results", ["results"]),
    ("include_data_type", []),
])
def test_name_words_split_and_drop_short_and_generic_words(name, words):
    assert name_words(name) == words


@pytest.mark.parametrize("a, b, ok", [
    ("standardize", "standardization", True),
    ("owner", "owners", True),
    ("detail", "detailed", True),
    ("terrain", "terrains", True),
    ("rain", "terrain", False),
    ("terrain", "rain", False),
    ("rain", "rainy", False),             # below five letters only equal words match
    ("interest", "intense", False),       # "inte" is shorter than five letters
    ("interest", "internet", True),       # the rule's price: "inter" is a long enough prefix
    ("compound", "compounded", True),
])
def test_words_match_on_equality_or_a_long_shared_prefix(a, b, ok):
    assert words_match(a, b) is ok


def test_mentioned_options_by_name_words_and_stems():
    tool = _tool({"principal": NUM, "initial_investment": NUM, "detailed": BOOL,
                  "consider_terrain": BOOL, "owner_name": STR}, required=["principal"])
    text = "Grow $5000 with an initial investment of $2000. Detail the owners, considering terrain."
    assert mentioned_options(tool, text) == {"initial_investment", "detailed", "consider_terrain",
                                             "owner_name"}
    assert mentioned_options(tool, "Find me information about the investment.") == set()
    # every content word must occur: "terrain" alone does not mention consider_terrain
    assert mentioned_options(tool, "accounting for terrain") == set()


def test_required_parameters_are_never_returned():
    tool = _tool({"city": STR, "detailed": BOOL}, required=["city", "detailed"])
    assert mentioned_options(tool, "Detailed weather for the city of Oslo") == set()


def test_generic_only_names_are_never_mentioned_by_name():
    tool = _tool({"unit": STR, "type": STR, "max": NUM, "to_unit": STR, "id": STR})
    assert mentioned_options(tool, "unit type max to unit id") == set()


def test_a_word_inside_another_word_is_no_mention():
    tool = _tool({"rain": BOOL, "terrain": BOOL})
    assert mentioned_options(tool, "any terrains?") == {"terrain"}
    assert mentioned_options(tool, "the terrain is steep") == {"terrain"}
    assert mentioned_options(tool, "will it rain") == {"rain"}


def test_enum_values_mention_their_parameter_as_whole_word_phrases():
    tool = _tool({"speed": NUM,
                  "to_unit": {"type": "string", "enum": ["km/h", "mph", "m/s"]},
                  "sort": {"type": "string", "enum": ["Most Recent", "oldest"]},
                  "tags": {"type": "array", "items": {"type": "string", "enum": ["vegan", "spicy"]}},
                  "size": {"type": "integer", "enum": [1, 2, 500]}}, required=["speed"])
    assert mentioned_options(tool, "Convert 30 m/s in km/h") == {"to_unit"}
    assert mentioned_options(tool, "show the most recent, spicy ones") == {"sort", "tags"}
    assert mentioned_options(tool, "a batch of 500") == {"size"}
    # whole words only ("mphx" is not "mph"), and phrases of 3 characters or more ("1", "2" are not)
    assert mentioned_options(tool, "30 mphx, mostrecent, 1 or 2") == set()
    # the rule's price: a unit the user converts from mentions the target unit's parameter too
    assert mentioned_options(tool, "Convert 30 m/s") == {"to_unit"}


@pytest.mark.parametrize("description, examples", [
    ("Type of the lawsuit, e.g., 'IPR', 'Patent', 'Commercial', etc. Default is 'all'.", ["IPR", "Patent", "Commercial"]),
    ("Format of movies - could be 'IMAX', '2D', '3D', '4DX' etc. Default is 'all'", ["IMAX", "2D", "3D", "4DX"]),
    ("Dietary preferences. e.g. 'Vegetarian', 'Gluten-free', etc. Default 'Vegetarian'.", ["Gluten-free"]),
    ('Mode of analysis, e.g. "static" or "dynamic".', ["static", "dynamic"]),
    ("The user's friend's name", []),                  # apostrophes inside words quote nothing
    ("", []),
])
def test_the_values_a_description_quotes_less_its_default(description, examples):
    assert stated_examples(description) == examples


def test_a_value_the_description_quotes_mentions_its_parameter():
    tool = _tool({"company": STR,
                  "case_type": {"type": "string", "description": "Type, e.g., 'IPR', 'Patent'. Default is 'all'."},
                  "mode": {"type": "string", "description": "Mode of analysis, e.g. 'static' or 'dynamic'."}},
                 required=["company"])
    assert mentioned_options(tool, "Find patent lawsuits involving Apple") == {"case_type"}
    assert mentioned_options(tool, "the dynamic analysis of B1004") == {"mode"}
    assert mentioned_options(tool, "all lawsuits involving Apple, statically") == set()   # the default; a word inside


def test_object_valued_parameters_are_not_mentioned_by_their_name():
    card = {"type": "object", "properties": {"rank": STR, "suit": STR}}
    tool = _tool({"rank": STR, "suit": STR, "deck": {"type": "array", "items": card},
                  "filters": {"type": "object"}, "decks": {"type": "array", "items": STR}},
                 required=["rank", "suit"])
    text = "Find a Card of rank 'Queen' and suit 'Hearts' in the deck, with filters; two decks"
    assert mentioned_options(tool, text) == {"decks"}


def test_a_tool_without_usable_parameters_has_no_options():
    assert mentioned_options({"name": "f", "parameters": {}}, "anything") == set()
    assert mentioned_options({"name": "f", "parameters": {"properties": []}}, "anything") == set()


def test_option_mentions_are_counted():
    """Each mention can ask for the option in one call: "rounded to the nearest dollar, ...
    rounded to the nearest cent" asks twice, "at 536 dpi" once."""
    tool = _tool({"price": NUM, "dpi": NUM, "round_to": {"type": "string", "enum": ["cent", "dollar"]},
                  "timing": {"type": "string", "enum": ["end", "begin"]}}, required=["price"])
    text = "A price of $45 rounded to the nearest dollar, then $12 rounded to the nearest cent, at 536 dpi."
    assert option_mentions(tool, text) == {"round_to": 2, "dpi": 1}
    assert option_mentions(tool, "Price it to the nearest cent and the nearest dollar") == {"round_to": 2}
    assert option_mentions(tool, "with payments at the end of each year") == {"timing": 1}
    assert option_mentions(tool, "nothing here") == {}


# ---------------------------------------------------------------- the scanner

CALL = '{"name": "f", "arguments": {"a": 1, "b": "x"}}'


@pytest.mark.parametrize("text, tool, written, at_level", [
    ('{"name": "f', None, set(), False),                              # the name is not done
    ('{"name": "f", "arguments": {', "f", set(), True),
    ('{"name": "f", "arguments": {"a', "f", set(), False),            # inside a key
    ('{"name": "f", "arguments": {"a": 1', "f", {"a"}, True),
    ('{"name": "f", "arguments": {"a": 1, "b": "x', "f", {"a", "b"}, False),   # inside a value
    ('{"name": "f", "arguments": {"a": 1, "b": "x"', "f", {"a", "b"}, True),
    ('{"name": "f", "arguments": {"a": 1, "b": "x"}', "f", {"a", "b"}, False),  # back in the call
    (CALL, "f", {"a", "b"}, False),
    ('{"name": "f", "arguments": {"o": {"k": 1', "f", {"o"}, False),  # a nested object's keys
    ('{"name": "f", "arguments": {"o": {"k": 1}', "f", {"o"}, True),
    ('{"name": "f", "arguments": {"xs": [1, 2', "f", {"xs"}, False),
    ('{"name": "f", "parameters": {"q": "ab"', "f", {"q"}, True),     # llama3's key
    ('{"name": "f", "arguments": {"name": "n", "a": 1', "f", {"name", "a"}, True),  # "name" argument
])
def test_scanner_knows_the_call_its_keys_and_the_arguments_level(text, tool, written, at_level):
    scanner = CallScanner.after(text)
    assert (scanner.tool_name, scanner.written, scanner.at_arguments_level) == (tool, written, at_level)


def test_scanner_starts_over_for_each_call():
    first = f"<tool_call>\n{CALL}\n</tool_call>\n<tool_call>\n"
    scanner = CallScanner.after(first + '{"na')
    assert (scanner.tool_name, scanner.written, scanner.at_arguments_level) == (None, set(), False)
    scanner.feed('me": "g", "arguments": {')
    assert (scanner.tool_name, scanner.written, scanner.at_arguments_level) == ("g", set(), True)
    scanner.feed('"c": [1, 2]')
    assert (scanner.tool_name, scanner.written, scanner.at_arguments_level) == ("g", {"c"}, True)
    assert scanner.earlier == {"f": {"a": 1, "b": 1}}
    scanner.feed("}}\n</tool_call>\n<tool_call>\n" + CALL)
    assert scanner.earlier == {"f": {"a": 1, "b": 1}, "g": {"c": 1}}
    scanner.feed("\n</tool_call>\n<tool_call>\n{")
    assert scanner.earlier == {"f": {"a": 2, "b": 2}, "g": {"c": 1}} and scanner.tool_name is None
    # calls in a list, each with an id after its arguments (mistral)
    scanner = CallScanner.after('[{"name": "f", "arguments": {"a": 1}, "id": "abc123XYZ"}, {"name": "g", "arguments": {')
    assert (scanner.tool_name, scanner.written, scanner.at_arguments_level) == ("g", set(), True)


def test_scanner_still_finds_argument_values_for_the_copy_bias():
    scanner = CallScanner.after('{"name": "f", "arguments": {"a": 12')
    assert (scanner.value, scanner.kind) == ("12", "number")


# ---------------------------------------------------------------- the processor

PIECES = ["<s>", '{"name": "f", "arguments": {', '"a": 1', ' "to_unit": "km/h"', '"detailed": true',
          "}", "}}", " }", ",", " ,", ', "', ',"', '",', "x", '"', '{"name": "g", "arguments": {',
          '{"name": "h", "arguments": {', '"s": "']
ID = {piece: i for i, piece in enumerate(PIECES)}
CLOSE, COMMAS = ID["}}"], [ID[p] for p in (",", " ,", ', "', ',"')]
TOOLS = [_tool({"a": NUM, "detailed": BOOL, "to_unit": {"type": "string", "enum": ["km/h", "mph"]}},
               required=["a"]),
         _tool({"b": NUM}, name="g"),
         _tool({"s": {"type": "string"}, "to_unit": {"type": "string", "enum": ["km/h", "mph"]}},
               required=["s"], name="h")]


def test_close_and_comma_tokens():
    tokens = option_turns(PIECES)
    assert tokens.taken == {ID["}"], ID["}}"], ID[" }"]}
    assert tokens.turned_to == COMMAS
    assert closes_object("\n}") and not closes_object('"}')
    assert continues_object(' , "') and not continues_object('", ') and not continues_object(', "a')
    assert not continues_object(',""')


def _after(written, best, bonus=2.0, text="Speed in km/h please", tools=TOOLS, scores=None):
    """The scores of a step whose likeliest token is `best`, after the pieces `written`, and the
    OptionBias that processed them."""
    bias = OptionBias([text], [tools], PIECES, bonus=bonus)
    return scores_after(bias, [ID[p] for p in written], ID[best], len(PIECES), scores), bias


def test_the_bonus_goes_to_commas_when_the_model_would_close_before_a_mentioned_option():
    out, bias = _after(['{"name": "f", "arguments": {', '"a": 1'], "}}")
    assert [out[i] for i in COMMAS] == [2.0] * 4
    assert out[CLOSE] == 5.0 and out[ID["x"]] == 0.0 and out[ID['",']] == 0.0
    assert bias.biased_steps == 1 and bias.pending_options(0) == ["to_unit"]


@pytest.mark.parametrize("written, best, bonus, text", [
    (['{"name": "f", "arguments": {', '"a": 1'], "x", 2.0, "in km/h"),        # not closing
    (['{"name": "f", "arguments": {', '"a": 1'], "}}", 0.0, "in km/h"),       # off
    (['{"name": "f", "arguments": {', '"a": 1'], "}}", 2.0, "in mps"),        # not mentioned
    (['{"name": "f", "arguments": {', '"a": 1', ",", ' "to_unit": "km/h"'], "}}", 2.0, "in km/h"),  # written
    (['{"name": "g", "arguments": {', '"a": 1'], "}}", 2.0, "in km/h"),       # another tool
    (['{"name": "f", "arguments": {', '"a": 1', ', "', "x"], "x", 2.0, "in km/h"),  # a string goes on
])
def test_no_bonus_otherwise(written, best, bonus, text):
    out, bias = _after(written, best, bonus=bonus, text=text)
    assert [out[i] for i in COMMAS] == [0.0] * 4 and bias.biased_steps == 0


def test_at_a_string_values_end_the_bonus_goes_to_the_quote_comma():
    """SmolLM2 ends a string and goes on in one token ('",'), but ends it and closes in two."""
    value = ['{"name": "h", "arguments": {', '"s": "', "x"]
    out, bias = _after(value, '"')
    assert out[ID['",']] == 2.0 and [out[i] for i in COMMAS] == [0.0] * 4 and out[ID['"']] == 5.0
    assert bias.biased_steps == 1 and bias.scanners[0].in_argument_string
    out, bias = _after(value, "x")   # the value goes on
    assert out[ID['",']] == 0.0 and bias.biased_steps == 0
    out, bias = _after(['{"name": "f", "arguments": {', '"a": 1', ', "', "x"], '"')   # a key ends
    assert out[ID['",']] == 0.0 and bias.biased_steps == 0


def test_quote_tokens():
    tokens = option_turns(PIECES + ['"}}', '" }', '"]', '", "', '"x'])
    n = len(PIECES)
    assert tokens.quote_taken == {ID['"'], n, n + 1}
    assert tokens.quote_turned_to == [ID['",'], n + 3]


def test_an_option_before_a_written_key_in_schema_order_is_no_longer_pending():
    """The grammar writes properties in schema order: after to_unit, detailed cannot follow."""
    text = "A detailed answer in km/h"
    _, bias = _after(['{"name": "f", "arguments": {', '"a": 1'], "}}", text=text)
    assert bias.pending_options(0) == ["detailed", "to_unit"]
    out, bias = _after(['{"name": "f", "arguments": {', '"a": 1', ",", ' "to_unit": "km/h"'], "}}",
                       text=text)
    assert bias.pending_options(0) == [] and out[COMMAS[0]] == 0.0


@pytest.mark.parametrize("text, pending", [("Speed in km/h please", []),
                                           ("Speed in km/h please, and again in km/h", ["to_unit"])])
def test_an_option_mentioned_once_is_written_once_in_a_turn(text, pending):
    """A later call of the tool is not pushed to write an option that earlier calls have written
    as many times as the request mentions it (quality run 26: at a bonus of 8, "at 536 dpi" for
    the first of three photos gave all three a `dpi`)."""
    first = ['{"name": "f", "arguments": {', '"a": 1', ",", ' "to_unit": "km/h"', "}}"]
    out, bias = _after([*first, '{"name": "f", "arguments": {', '"a": 1'], "}}", text=text)
    assert bias.pending_options(0) == pending
    assert [out[i] for i in COMMAS] == [2.0 if pending else 0.0] * 4
    _, bias = _after([*first, '{"name": "h", "arguments": {', '"s": "', "x", '"'], "}}", text=text)
    assert bias.pending_options(0) == ["to_unit"]     # another tool's calls do not count


def test_a_masked_comma_stays_masked():
    import torch

    scores = torch.zeros(1, len(PIECES))
    scores[0, COMMAS[1:]] = -math.inf
    out, bias = _after(['{"name": "f", "arguments": {', '"a": 1'], "}}", scores=scores)
    assert out[COMMAS[0]] == 2.0 and all(out[i] == -math.inf for i in COMMAS[1:])


def test_rows_are_biased_apart():
    import torch

    bias = OptionBias(["in km/h", "in mph", "nothing"], [TOOLS] * 3, PIECES, bonus=1.5)
    prefix = [ID['{"name": "f", "arguments": {'], ID['"a": 1']]
    for step in range(len(prefix) + 1):
        scores = torch.zeros(3, len(PIECES))
        scores[:, CLOSE if step == len(prefix) else 0] = 1.0
        out = bias(torch.tensor([[0] + prefix[:step]] * 3), scores)
    assert out[:, COMMAS[0]].tolist() == [1.5, 1.5, 0.0] and bias.biased_steps == 2


# ---------------------------------------------------------------- generate, CLIs, reports

CONVERT = _tool({"speed": {"type": "number", "minimum": 0, "maximum": 999},
                 "to_unit": {"type": "string", "enum": ["km/h", "mph"]},
                 "detailed": {"type": "boolean"}}, required=["speed"], name="convert_speed")


@pytest.mark.parametrize("constrained", [True, False])
def test_generate_runs_with_the_option_bias(tiny_model, spy, constrained):
    made = spy(option_bias, "OptionBias")
    model, tok = tiny_model
    records = [{"id": str(i), "tools": [CONVERT], "messages": [{"role": "user", "content": text}]}
               for i, text in enumerate(["Convert 30 m/s in km/h, detailed", "Convert 12 knots"])]
    kwargs = dict(constrained=constrained, tool_choice="required", max_new_tokens=60, batch_size=2)
    plain = infer.generate(model, tok, records, **kwargs)
    assert not made
    gens = infer.generate(model, tok, records, nudges=Nudges(option_bias=1.0), **kwargs)
    assert len(made) == 1 and len(gens) == 2
    mentioned = sorted(tuple(tuple(o.mentioned) for o in row.values()) for row in made[0].options)
    assert mentioned == [(), (("to_unit", "detailed"),)]      # rows go shortest prompt first
    assert [g.constrained for g in gens] == [constrained] * 2
    if constrained:
        for gen in gens:
            assert gen.parsed.strict_json and gen.calls[0]["name"] == "convert_speed", gen.text
    assert gens[1].text == plain[1].text     # nothing mentioned: nothing changes


def test_the_option_bias_writes_a_mentioned_option_the_model_left_out(tiny_model, spy):
    """The tiny random model closes {"speed": -0} at once; with a bonus it writes "detailed" too,
    and a huge bonus still lets through only what the grammar allows."""
    made = spy(option_bias, "OptionBias")
    model, tok = tiny_model
    tool = _tool({"speed": NUM, "detailed": BOOL}, required=["speed"], name="convert_speed")
    record = {"id": "r", "tools": [tool], "messages": [{"role": "user", "content": "detailed please"}]}
    kwargs = dict(tool_choice="required", max_new_tokens=120, max_calls=1)
    plain = infer.generate(model, tok, [record], **kwargs)[0]
    biased = infer.generate(model, tok, [record], nudges=Nudges(option_bias=1e4), **kwargs)[0]
    assert list(plain.calls[0]["arguments"]) == ["speed"], plain.text
    assert biased.parsed.strict_json and list(biased.calls[0]["arguments"]) == ["speed", "detailed"]
    assert made[0].biased_steps == 1 and made[0].scanners[0].tool_name == "convert_speed"


@pytest.mark.parametrize("key", VALUE_BIASES)
def test_bad_bias_settings_are_refused(key, tiny_model, tmp_path, capsys):
    from funcall_lib.cli import main

    model, tok = tiny_model
    record = {"id": "r", "tools": [CONVERT], "messages": [{"role": "user", "content": "30?"}]}
    for bad in (-1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=f"{key} must be 0"):
            infer.generate(model, tok, [record], nudges=Nudges(**{key: bad}))
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"id": "r", "output": "hi"}\n')
    flag = "--" + key.replace("_", "-")
    rc = main(["eval", "--predictions", str(preds), "--benchmark", "bfcl:simple_python",
               "--out", str(tmp_path / "r.json"), flag, "2"])
    assert rc == 2 and f"{flag} acts while generating" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("command", [
    ["infer", "--tools", "t.json", "--prompt", "hi"],
    ["eval", "--model", "embedded", "--benchmark", "bfcl:simple_python", "--out", "r.json"],
    ["bench", "decode"],
])
@pytest.mark.parametrize("value", ["-1", "inf", "nan"])
@pytest.mark.parametrize("flag", ["--" + name.replace("_", "-") for name in VALUE_BIASES])
def test_generating_commands_refuse_a_bad_bias_before_any_work(command, value, flag, capsys):
    from funcall_lib.cli import main

    with pytest.raises(SystemExit) as stop:
        main([*command, flag, value])
    assert stop.value.code == 2 and "expected 0 (off) or more" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["word_bias", "name_bias", "region_bias", "option_bias", "list_bias"])
def test_evaluate_model_passes_the_bias_and_reports_it(key, monkeypatch, tool_tokenizer):
    from funcall_lib import evaluate
    from funcall_lib.models import Loaded

    seen = {}

    def fake_generate(model, tokenizer, records, **kwargs):
        seen.update(kwargs)
        return [infer.Generation(r["id"], "hi", infer.chat.ParseResult(content="hi")) for r in records]

    monkeypatch.setattr(infer, "generate", fake_generate)
    loaded = Loaded(None, tool_tokenizer, "hf", None, False)
    records = [{"id": "a", "tools": [CONVERT], "messages": [{"role": "user", "content": "q"}]}]
    report, _ = evaluate.evaluate_model("m", records, loaded=loaded, nudges=Nudges(**{key: 1.5}))
    assert getattr(seen["nudges"], key) == 1.5 and report[key] == 1.5
    assert key in evaluate.PART_SETTINGS


def test_parts_decoded_with_other_option_biases_do_not_merge():
    from funcall_lib.evaluate import merge_parts

    one = ({"n": 1, "option_bias": 1.0}, [{"id": "a"}])
    other = ({"n": 1, "option_bias": 0.0}, [{"id": "b"}])
    with pytest.raises(ValueError, match="option_bias=0.0 vs 1.0"):
        merge_parts([one, other])


def test_the_option_bias_has_its_own_report_dir():
    from funcall_lib.quality import Decoding, report_path

    assert Decoding(option_bias=1.5).folder_suffix() == "-option-bias-1.5"
    assert Decoding(stop_on_repeat=True, copy_bias=2.0, call_bias=-1.0, unmerged=True,
                    option_bias=0.5).folder_suffix() == \
        "-stop-on-repeat-copy-bias-2-option-bias-0.5-call-bias-1-unmerged"
    path = report_path(__import__("pathlib").Path("run"), "base", "test", "required",
                       Decoding(copy_bias=2.0, call_bias=-1.0, option_bias=3.0), shard=(1, 2))
    assert str(path) == "run/eval-copy-bias-2-option-bias-3/parts/base-test-required.1of2.json"


def test_quality_scores_with_the_option_bias_in_side_jobs_and_merges_their_parts(tmp_path, monkeypatch):
    """Each child process gets the flag; parts and merged reports go to eval-option-bias-B/."""
    from funcall_lib import quality, side_by_side
    from funcall_lib.chat import format_calls
    from funcall_lib.evaluate import score_outputs, write_report

    records = [{"id": f"r{i}", "messages": [{"role": "user", "content": "q"}], "tools": [CONVERT],
                "answer": {"tool_calls": [{"name": "convert_speed", "arguments": {"speed": i}}]}}
               for i in range(4)]
    outputs = [format_calls([{"name": "convert_speed", "arguments": {"speed": i}}], "hermes") for i in range(4)]
    monkeypatch.setattr(quality, "build_data", lambda run_dir, **kw: tmp_path / "q" / "data")
    monkeypatch.setattr(quality, "eval_sets", lambda data, names, limit, shard: {"test": records})
    children, log_dirs = [], []

    def fake_run(jobs, at_once, log_dir):
        log_dirs.append(log_dir)
        for job in jobs:
            children.append(job.argv)
            k, n = map(int, job.argv[job.argv.index("--shard") + 1].split("/"))
            lo, hi = len(records) * (k - 1) // n, len(records) * k // n
            report, examples = score_outputs(records[lo:hi], outputs[lo:hi], constrained=True, seconds=1.0)
            report.update(data="test", tool_choice="auto", option_bias=1.5)
            write_report(tmp_path / "q" / "eval-option-bias-1.5" / "parts" / f"base-test-constrained.{k}of{n}.json",
                         report, examples)

    monkeypatch.setattr(side_by_side, "run_side_by_side", fake_run)
    argv = ["--run-dir", str(tmp_path / "q"), "--skip-train", "--labels", "base", "--modes", "constrained",
            "--sets", "test", "--jobs", "2", "--shards", "2", "--option-bias=1.5"]
    assert quality.main(argv) == 0
    assert len(children) == 2 and all("--option-bias=1.5" in argv for argv in children)
    assert log_dirs == [tmp_path / "q" / "logs" / "eval-option-bias-1.5"]   # not the plain pass's logs
    merged = json.loads((tmp_path / "q" / "eval-option-bias-1.5" / "base-test-constrained.json").read_text())
    assert merged["n"] == 4 and merged["parts"] == 2 and merged["option_bias"] == 1.5
    assert "| test | 1.000 (n=4" in (tmp_path / "q" / "quality-option-bias-1.5.md").read_text()
    assert not (tmp_path / "q" / "eval").exists()


# ---------------------------------------------------------------- after the comma: which key

@pytest.mark.parametrize("text, key", [
    ('{"name": "f", "arguments": {"a', "a"),
    ('{"name": "f", "arguments": {"a": 1, "', ""),
    ('{"name": "f", "arguments": {"a": 1', None),                 # between keys
    ('{"name": "f", "arguments": {"a": "x', None),                # in a value
    ('{"name": "f", "arguments": {"o": {"k', None),               # a nested object's key
    ('{"na', None),                                               # a call's own key
])
def test_scanner_knows_the_key_being_written(text, key):
    assert CallScanner.after(text).key_so_far == key


RECIPES = _tool({"ingredients": {"type": "array", "items": STR}, "max_minutes": {"type": "integer"},
                 "diet": {"type": "string", "enum": ["vegetarian", "vegan", "none"]}},
                required=["ingredients"], name="search_recipes")
KEY_CALL = '<tool_call>\n{"name": "search_recipes", "arguments": {"ingredients": ["mushrooms"], "'


def _key_step(tok, generated, best, text="Search vegan recipes using mushrooms"):
    """The scores of a step whose likeliest token is `best`, after `generated` (at the steps
    before, the likeliest token is id 0, which spells no key: there is no grammar here)."""
    from funcall_lib.copy_bias import token_pieces

    pieces = token_pieces(tok, len(tok))
    bias = OptionBias([text], [[RECIPES]], pieces, bonus=2.0)
    ids = tok(generated, add_special_tokens=False)["input_ids"]
    return scores_after(bias, ids, pieces.index(best), len(pieces)), bias, pieces


def test_in_a_key_an_unmentioned_option_turns_to_the_mentioned_one(embedded_tokenizer):
    """Test unseen tools 53: "vegan" mentions `diet`, but the model wrote `max_minutes`, the
    optional key the schema puts first, and made up its value."""
    out, bias, pieces = _key_step(embedded_tokenizer, KEY_CALL, "max")
    assert bias.pending_options(0) == ["diet"] and bias.scanners[0].key_so_far == ""
    assert out[pieces.index("max")] == 5.0
    # at least KEY_BONUS, though the comma's bonus is 2; SmolLM2 has no "diet" token
    assert [out[pieces.index(p)] for p in ("d", "di", "die")] == [KEY_BONUS] * 3 == [32.0] * 3
    assert out[pieces.index("died")] == 0.0 and out[pieces.index("dict")] == 0.0    # they spell other keys
    assert writes_key('diet"', "", "diet") and not writes_key('die"', "", "diet")
    assert writes_key("et", "di", "diet") and not writes_key("", "", "diet")


@pytest.mark.parametrize("generated, best, text", [
    (KEY_CALL, "d", "Search vegan recipes using mushrooms"),            # spells it already
    (KEY_CALL, "max", "Search recipes using mushrooms"),                # nothing mentioned
    (KEY_CALL + 'diet": "vegan", "', "max", "Search vegan recipes"),    # written; none left
    (KEY_CALL[:-2] + "}", "}", "Search vegan recipes using mushrooms"), # not in a key
])
def test_in_a_key_the_model_keeps_its_choice_otherwise(embedded_tokenizer, generated, best, text):
    out, bias, pieces = _key_step(embedded_tokenizer, generated, best, text)
    assert out[pieces.index("die")] == 0.0 and out[pieces.index(best)] == 5.0


def test_generate_writes_the_mentioned_key_where_the_model_would_write_another(tiny_model, spy):
    """Unbiased, the tiny random model follows its first value with `limit` (unmentioned, and
    first in the schema) and a made-up number; with the option bias, the key is `diet`, which
    "vegan" mentions, and the grammar picks its value from the enum."""
    made = spy(option_bias, "OptionBias")
    model, tok = tiny_model
    tool = _tool({"ingredients": STR, "limit": {"type": "integer"},
                  "diet": {"type": "string", "enum": ["vegan", "none"]}}, required=["ingredients"],
                 name="search_recipes")
    record = {"id": "r", "tools": [tool], "messages": [{"role": "user", "content": "Search vegan recipes using rice"}]}
    kwargs = dict(tool_choice="required", max_new_tokens=80, max_calls=1)
    plain = infer.generate(model, tok, [record], **kwargs)[0]
    biased = infer.generate(model, tok, [record], nudges=Nudges(option_bias=2.0), **kwargs)[0]
    assert list(plain.calls[0]["arguments"]) == ["ingredients", "limit"], plain.text
    assert list(biased.calls[0]["arguments"]) == ["ingredients", "diet"], biased.text
    assert made[0].biased_steps >= 1
