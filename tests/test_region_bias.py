"""Region bias: which descriptions ask for the city with its state, where the processor acts on
SmolLM2's real vocabulary (and where it stays out), and generate() with it."""

import math

import pytest

from funcall_lib import infer
from funcall_lib.copy_bias import token_pieces
from funcall_lib.nudges import Nudges
from funcall_lib.region_bias import (RegionBias, ends_string, region_parameters, region_turns, starts_region,
                                     wants_region, writes_comma)
from tests.processor_steps import scores_after


@pytest.mark.parametrize("description, wanted", [
    ("The city and state, e.g. San Francisco, CA", True),
    ("In the format City, State.", True),
    ("The starting location. Specify the location in the format of City, State.", True),
    ("The city and country, e.g. Paris, France", True),
    ("The city and its province", True),
    ("Name of the city, state, or country.", False),     # one of them, not a format
    ("Specify whether the area is city/state/country.", False),
    ("The city where the exhibition is held, e.g., New York, NY.", True),
    ("The reference location e.g. Central Park, NY", True),
    ("The location of the Safeway store, e.g. Palo Alto, CA.", True),
    ("Name of the city", False),
    ("City name only, without state or country", False),
    ("The location of the hotel.", False),
    ("The league. E.g. UEFA Champions League, La Liga", False),   # a list of examples, no code
    ("e.g. Lyon, la ville", False),
    ("State code, e.g. CA", False),
])
def test_wants_region(description, wanted):
    assert wants_region(description) is wanted


def _tool(properties: dict, name="find_store"):
    return {"name": name, "description": "A tool.",
            "parameters": {"type": "object", "properties": properties, "required": list(properties)}}


CITY_STATE = {"type": "string", "description": "The city and state, e.g. Austin, TX"}
PLAIN_CITY = {"type": "string", "description": "Name of the city"}


def test_region_parameters_are_string_parameters_whose_description_asks():
    tool = _tool({"location": CITY_STATE, "city": PLAIN_CITY,
                  "zip": {"type": "integer", "description": "The city and state's zip"},
                  "where": {"description": "The city and state"}, "odd": "not a schema"})
    assert region_parameters(tool) == {"location"}
    assert region_parameters({"name": "f", "parameters": {}}) == frozenset()


@pytest.mark.parametrize("piece, ends, comma", [
    ('"', True, False), ('",', True, False), ('"}}', True, False), (' ",', True, False), (' "', True, False),
    (",", False, True), (", ", False, True), (",,", False, False),
    (", TX", False, False), (",\"", False, False), (" ,", False, False), ("x", False, False),
])
def test_end_and_comma_tokens(piece, ends, comma):
    assert ends_string(piece) is ends and writes_comma(piece) is comma


CALL = '<tool_call>\n{"name": "find_store", "arguments": {'
TOOLS = [_tool({"location": CITY_STATE, "city": PLAIN_CITY})]


def _after(tokenizer, generated, best, tools=TOOLS, bonus=8.0, scores=None):
    """Feed `generated` through a RegionBias token by token, then score one step whose likeliest
    token is `best`; return the processed scores and the processor."""
    pieces = token_pieces(tokenizer, len(tokenizer))
    bias = RegionBias([tools], pieces, bonus=bonus)
    ids = tokenizer(generated, add_special_tokens=False)["input_ids"]
    return scores_after(bias, ids, best, len(pieces), scores), bias


def test_ending_a_city_whose_parameter_wants_the_state_turns_to_a_comma(embedded_tokenizer):
    tok = embedded_tokenizer
    pieces = token_pieces(tok, len(tok))
    quote, comma = pieces.index('"'), pieces.index(",")
    out, bias = _after(tok, CALL + '"location": "New York', quote)
    assert out[quote] == 5.0 and out[comma] == 8.0 and bias.biased_steps == 1
    assert region_turns(pieces).comma.quote_turned_to == [comma]      # SmolLM2 has no ", " token
    # ending the value and going on ('",') or closing ('"}') is ending it too
    for end in ('",', '"}'):
        out, bias = _after(tok, CALL + '"location": "New York', pieces.index(end))
        assert out[comma] == 8.0 and bias.biased_steps == 1


@pytest.mark.parametrize("value", ["Chicago,", "Chicago, "])
def test_right_after_the_comma_ending_the_value_turns_to_a_regions_first_letters(embedded_tokenizer, value):
    tok = embedded_tokenizer
    pieces = token_pieces(tok, len(tok))
    quote, comma, il, il_space = (pieces.index(p) for p in ('"', ",", "IL", " IL"))
    out, bias = _after(tok, CALL + '"location": "' + value, quote)
    assert out[quote] == 5.0 and out[il] == 8.0 and out[il_space] == 8.0 and out[comma] == 0.0
    assert bias.biased_steps == 1 and bias.missing(0) == "region"
    out, bias = _after(tok, CALL + '"location": "' + value, pieces.index(' ",'))    # a space, then the end
    assert out[il] == 8.0 and bias.biased_steps == 1
    # once the region has begun, or after a second comma, the value's end is the model's again
    for more in (", IL", ", IL,"):
        out, bias = _after(tok, CALL + '"location": "Chicago' + more, quote)
        assert out[il] == 0.0 and bias.biased_steps == 0


@pytest.mark.parametrize("piece, ok", [(" IL", True), ("IL", True), ("Illinois", True), (" Île", True),
                                       ("  IL", False), (' IL"', False), (" 60601", False), (",", False),
                                       ('"', False), (" with", False), ("il", False)])
def test_starts_region(piece, ok):
    assert starts_region(piece) is ok


@pytest.mark.parametrize("generated, best", [
    (CALL + '"location": "Boston, MA', '"'),             # the region is there already
    (CALL + '"location": "', '"'),                       # nothing written: an empty value is the model's
    (CALL + '"location": "New York', "ĠCity"),           # the value goes on
    (CALL + '"city": "Austin', '"'),                     # a plain-city parameter
    ('<tool_call>\n{"name": "other_tool", "arguments": {"location": "Austin', '"'),   # another tool
    ('<tool_call>\n{"name": "find_store', '"'),          # not an argument value
])
def test_the_bias_stays_out_elsewhere(embedded_tokenizer, generated, best):
    tok = embedded_tokenizer
    comma = tok.convert_tokens_to_ids(",")
    out, bias = _after(tok, generated, tok.convert_tokens_to_ids(best))
    assert out[comma] == 0.0 and bias.biased_steps == 0


def test_off_and_masked_commas_stay_as_they_are(embedded_tokenizer):
    import torch

    tok = embedded_tokenizer
    quote, comma = tok.convert_tokens_to_ids('"'), tok.convert_tokens_to_ids(",")
    out, bias = _after(tok, CALL + '"location": "Austin', quote, bonus=0.0)
    assert out[comma] == 0.0 and bias.biased_steps == 0
    scores = torch.zeros(1, len(tok))
    scores[0, comma] = -math.inf        # a pattern forbids the comma
    out, bias = _after(tok, CALL + '"location": "Austin', quote, scores=scores)
    assert out[comma] == -math.inf and out[quote] == 5.0 and bias.biased_steps == 1


def _records(tools_per_row):
    return [{"id": str(i), "tools": tools, "messages": [{"role": "user", "content": "Stores in Denver?"}]}
            for i, tools in enumerate(tools_per_row)]


def test_generate_writes_the_state_only_where_the_description_asks(tiny_model, spy):
    """Both rows' schemas allow "Denver" or "Denver, CO"; only the first row's description asks
    for the state. Unbiased, the random model ends both values after "Denver"; with the bias the
    first row goes on with a comma, and the grammar then leaves only ", CO"."""
    from funcall_lib import region_bias

    made = spy(region_bias, "RegionBias")
    model, tok = tiny_model
    pattern = {"pattern": "^Denver(, CO)?$"}
    asks = _tool({"location": {**CITY_STATE, **pattern}})
    plain_city = _tool({"location": {**PLAIN_CITY, **pattern}})
    records = _records([[asks], [plain_city]])
    kwargs = dict(tool_choice="required", max_new_tokens=60, max_calls=1, batch_size=2)
    plain = [g.calls[0]["arguments"]["location"] for g in infer.generate(model, tok, records, **kwargs)]
    assert plain == ["Denver", "Denver"] and not made
    gens = infer.generate(model, tok, records, nudges=Nudges(region_bias=1e4), **kwargs)
    assert [g.calls[0]["arguments"]["location"] for g in gens] == ["Denver, CO", "Denver"]
    assert len(made) == 1 and made[0].biased_steps == 1
