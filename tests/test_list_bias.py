"""List-end bias: where the user's own list ends, the scanner of list items, the logits processor
on a fake vocabulary, generate(), and the flag through eval and the quality recipe."""

import math

import pytest

from funcall_lib import infer, list_bias
from funcall_lib.list_bias import ListEndBias, ListScanner, closes_list, goes_on, list_turns
from funcall_lib.nudges import Nudges
from tests.processor_steps import scores_after

# ---------------------------------------------------------------- where the user's list ends

HISTOGRAM = "Make a histogram of 85, 90, 88, 91 and set the bin range to 5."


@pytest.mark.parametrize("item, kind, text, expected", [
    ("85", "number", HISTOGRAM, True),
    ("91", "number", HISTOGRAM, False),             # "and set ...": no number follows
    ("5", "number", HISTOGRAM, False),
    ("9", "number", HISTOGRAM, None),               # not a whole number of the text
    ("2015", "number", "cases from 2015 to 2021 in New York", True),
    ("2021", "number", "cases from 2015 to 2021 in New York", False),
    ("36", "number", "dataset_A with 12, 24, 36 and dataset_B with 15, 30", False),
    ("5", "number", "weights of 5 kg, 10 kg and 12 kg", True),       # a unit between items
    ("33.4", "number", "points (33.4 N, 112.0 W) and (34.0 N, 118.2 W)", True),
    ("10000", "number", "budgets of 10,000 and 20,000", True),      # thousands separators
    ("16", "number", "a square painting, dimensions 16x16 inches", True),   # dimensions
    ("4", "number", "a 4 ft x 4 ft marble statue", True),
    ("3", "number", "a 6 by 3 rug", False),
    ("6", "number", "a 6 × 3 rug", True),
    ("5", "number", "5 xylophones", False),          # an "x" that starts a word is no separator
    ("Vegan", "string", "a restaurant that serves vegan food", False),   # case-blind
    ("Paris", "string", "Paris, London and Rome", True),
    ("London", "string", "Paris, London and Rome", True),
    ("Rome", "string", "Paris, London and Rome", False),
    ("Lyon", "string", "Paris, London and Rome", None),
    ("", "string", "Paris", None),
])
def test_goes_on_reads_the_users_list(item, kind, text, expected):
    assert goes_on(item, kind, text) is expected


def test_an_item_that_goes_on_anywhere_goes_on():
    assert goes_on("7", "number", "7 days; then 7, 8 and 9") is True


# ---------------------------------------------------------------- the scanner

@pytest.mark.parametrize("text, in_list, item", [
    ('{"name": "f", "arguments": {"xs": [85, 9', True, ("9", "number")),
    ('{"name": "f", "arguments": {"xs": [85, 91', True, ("91", "number")),
    ('{"name": "f", "arguments": {"xs": [85,', True, None),       # after a comma: no item yet
    ('{"name": "f", "arguments": {"xs": [85, 91]', False, None),
    ('{"name": "f", "arguments": {"xs": ["Vegan', True, ("Vegan", "string")),
    ('{"name": "f", "arguments": {"xs": ["Vegan"', True, ("Vegan", "string")),
    ('{"name": "f", "arguments": {"xs": ["Vegan", ', True, None),
    ('{"name": "f", "arguments": {"xs": [[1, 2', False, None),     # a list in a list
    ('{"name": "f", "arguments": {"o": {"xs": [1', False, None),   # a list in an object argument
    ('{"name": "f", "arguments": {"n": 12', False, None),          # not a list
    ('{"name": "f", "parameters": {"xs": [3', True, ("3", "number")),   # llama3's key
])
def test_scanner_knows_the_list_item_being_written(text, in_list, item):
    scanner = ListScanner.after(text)
    assert (scanner.in_list, scanner.current_item()) == (in_list, item)


# ---------------------------------------------------------------- the processor

PIECES = ["<s>", '{"name": "f", "arguments": {"xs": [', "85", "91", "5", ",", " ,", "]", "]}",
          "],", '"', '",', '"]', '"],', "Vegan", "x", "9"]
ID = {piece: i for i, piece in enumerate(PIECES)}
COMMAS = [ID[","], ID[" ,"]]
CLOSES = [ID["]"], ID["]}"], ID["],"]]
OPEN = '{"name": "f", "arguments": {"xs": ['


def test_list_tokens():
    tokens = list_turns(PIECES)
    assert tokens.taken == set(COMMAS) and tokens.turned_to == CLOSES
    assert tokens.quote_taken == {ID['",']} and tokens.quote_turned_to == [ID['"]'], ID['"],']]
    assert closes_list(" ]") and not closes_list('"]')


def _after(written, best, bonus=2.0, text=HISTOGRAM, scores=None):
    """The scores of a step whose likeliest token is `best`, after the pieces `written`, and the
    ListEndBias that processed them."""
    bias = ListEndBias([text], PIECES, bonus=bonus)
    return scores_after(bias, [ID[p] for p in written], ID[best], len(PIECES), scores), bias


def test_the_bonus_goes_to_closing_where_the_users_list_ends():
    out, bias = _after([OPEN, "85", ",", "91"], ",")
    assert [out[i] for i in CLOSES] == [2.0] * 3
    assert out[ID[","]] == 5.0 and out[ID[" ,"]] == 0.0 and out[ID['"]']] == 0.0
    assert bias.biased_steps == 1


@pytest.mark.parametrize("written, best, bonus, text", [
    ([OPEN, "85"], ",", 2.0, HISTOGRAM),               # the user's list goes on after 85
    ([OPEN, "85", ",", "91"], "x", 2.0, HISTOGRAM),    # the model would not go on
    ([OPEN, "85", ",", "91"], ",", 0.0, HISTOGRAM),    # off
    ([OPEN, "85", ",", "9"], ",", 2.0, HISTOGRAM),     # 9 is no item of the user's
    ([OPEN, "85", ",", "91"], ",", 2.0, "Plot 85 and 91, 5"),   # there it goes on
    ([OPEN, "85", ","], " ,", 2.0, HISTOGRAM),         # no item after the comma yet
])
def test_no_bonus_otherwise(written, best, bonus, text):
    out, bias = _after(written, best, bonus=bonus, text=text)
    assert [out[i] for i in CLOSES] == [0.0] * 3 and bias.biased_steps == 0


def test_at_a_string_items_end_the_bonus_goes_to_the_quote_bracket():
    """SmolLM2 ends a string item and goes on in one token ('",'), or ends it and closes ('"]')."""
    text = "a restaurant that serves vegan food"
    out, bias = _after([OPEN, '"', "Vegan"], '",', text=text)
    assert out[ID['"]']] == 2.0 and out[ID['"],']] == 2.0 and [out[i] for i in CLOSES] == [0.0] * 3
    assert bias.biased_steps == 1
    out, bias = _after([OPEN, '"', "Vegan"], '",', text="vegan, vegetarian or halal food")
    assert out[ID['"]']] == 0.0 and bias.biased_steps == 0
    out, bias = _after([OPEN, '"', "Vegan", '"'], ",", text=text)     # the quote came alone
    assert [out[i] for i in CLOSES] == [2.0] * 3 and bias.biased_steps == 1


def test_a_masked_close_stays_masked():
    import torch

    scores = torch.zeros(1, len(PIECES))
    scores[0, CLOSES[1:]] = -math.inf
    out, _ = _after([OPEN, "85", ",", "91"], ",", scores=scores)
    assert out[CLOSES[0]] == 2.0 and all(out[i] == -math.inf for i in CLOSES[1:])


def test_rows_are_biased_apart():
    import torch

    bias = ListEndBias([HISTOGRAM, "Plot 91, 92", "nothing"], PIECES, bonus=1.5)
    prefix = [ID[OPEN], ID["91"]]
    for step in range(len(prefix) + 1):
        scores = torch.zeros(3, len(PIECES))
        scores[:, ID[","] if step == len(prefix) else 0] = 1.0
        out = bias(torch.tensor([[0] + prefix[:step]] * 3), scores)
    assert out[:, CLOSES[0]].tolist() == [1.5, 0.0, 0.0] and bias.biased_steps == 1


# ---------------------------------------------------------------- generate, CLIs, reports

HIST_TOOL = {"name": "histogram", "description": "Draw a histogram.",
             "parameters": {"type": "object", "required": ["data"], "properties": {
                 "data": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 99}}}}}
DIETS = {"name": "find_food", "description": "Find food.",
         "parameters": {"type": "object", "required": ["diets"], "properties": {"diets": {
             "type": "array", "minItems": 3, "maxItems": 4,
             "items": {"type": "string", "enum": ["vegan", "halal", "kosher"]}}}}}


def test_on_the_real_vocabulary_the_bonus_goes_to_the_tokens_that_close(tool_tokenizer):
    """SmolLM2's own tokens: after "91" (a user's last item) a likeliest "," gives every "]..."
    token the bonus; after "85" (the list goes on) nothing changes."""
    import torch

    from funcall_lib.copy_bias import token_pieces

    tok = tool_tokenizer
    pieces = token_pieces(tok, len(tok))
    comma, close = tok.convert_tokens_to_ids(","), tok.convert_tokens_to_ids("]")
    for item, biased in (("91", True), ("85", False)):
        prefix = tok('<tool_call>\n{"name": "histogram", "arguments": {"data": [85, ' + item,
                     add_special_tokens=False).input_ids
        bias = ListEndBias([HISTOGRAM], pieces, bonus=3.0, tokens=list_bias.list_tokens(tok, len(tok)))
        for end in range(len(prefix) + 1):
            scores = torch.zeros(1, len(pieces))
            scores[0, comma] = 1.0
            out = bias(torch.tensor([[0] + prefix[:end]]), scores)
        assert out[0, close].item() == (3.0 if biased else 0.0)
        assert bias.biased_steps == (1 if biased else 0)


def test_generate_installs_the_list_bias_and_the_grammar_keeps_a_list_its_schema_wants(tiny_model, spy):
    """The tiny model writes "kosher" four times. The user's list ends at its first item, but the
    schema wants three: until then the bonus falls on masked tokens; then the list closes.
    Without a list, nothing changes."""
    made = spy(list_bias, "ListEndBias")
    model, tok = tiny_model
    kwargs = dict(tool_choice="required", max_new_tokens=120, max_calls=1)
    record = {"id": "r", "tools": [DIETS], "messages": [{"role": "user", "content": "kosher food"}]}
    plain = infer.generate(model, tok, [record], **kwargs)[0]
    biased = infer.generate(model, tok, [record], nudges=Nudges(list_bias=1e4), **kwargs)[0]
    assert len(made) == 1 and made[0].biased_steps >= 1, biased.text
    assert plain.calls[0]["arguments"]["diets"] == ["kosher"] * 4, plain.text
    assert biased.parsed.strict_json and biased.calls[0]["arguments"]["diets"] == ["kosher"] * 3
    other = {"id": "s", "tools": [HIST_TOOL], "messages": [{"role": "user", "content": "A histogram of 1"}]}
    assert infer.generate(model, tok, [other], nudges=Nudges(list_bias=1e4), **kwargs)[0].text == \
        infer.generate(model, tok, [other], **kwargs)[0].text


def test_the_list_bias_has_its_own_report_dir_and_reaches_every_mode():
    from funcall_lib.quality import Decoding

    assert Decoding(list_bias=8.0).folder_suffix() == "-list-bias-8"
    assert Decoding(copy_bias=2.0, option_bias=2.0, list_bias=4.0).folder_suffix("required") == \
        "-copy-bias-2-option-bias-2-list-bias-4"
    assert Decoding(list_bias=4.0).nudges_for("required") == Nudges(list_bias=4.0)
