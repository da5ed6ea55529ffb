"""Copy bias: the JSON scanner, the continuation rule, the logits processor, and generate()."""

import pytest

from funcall_lib import infer
from funcall_lib.copy_bias import CopyBias, ValueScanner, continues, token_pieces, user_text
from funcall_lib.nudges import Nudges

CALL = '<tool_call>\n{"name": "order_food", "arguments": {'


@pytest.mark.parametrize("text, value, kind", [
    (CALL + '"address": {"city": "S', "S", "string"),
    (CALL + '"hours": 2', "2", "number"),
    (CALL + '"hours": -12.5', "-12.5", "number"),
    (CALL + '"xs": [1, 20', "20", "number"),
    (CALL + '"tags": ["red", "bl', "bl", "string"),
    (CALL + '"city": "Oslo", "unit": "', "", "string"),
    (CALL + '"note": "say \\"hi', None, None),        # an escape: this value is left alone
    (CALL + '"hours": 2,', None, None),
    (CALL + '"city": "Oslo"', None, None),
    (CALL + '"ci', None, None),                        # a key, not a value
    ('<tool_call>\n{"name": "order_fo', None, None),   # the tool's name is not an argument
    ('[{"name": "f", "arguments": {"q": "ab', "ab", "string"),   # calls in a list (mistral)
    ('{"name": "f", "parameters": {"q": "ab', "ab", "string"),   # llama3's key
    ('The weather in "Oslo', None, None),              # plain text
])
def test_scanner_knows_when_an_argument_value_is_being_written(text, value, kind):
    scanner = ValueScanner.after(text)
    assert (scanner.value, scanner.kind) == (value, kind)


def test_scanner_follows_several_calls():
    scanner = ValueScanner.after(CALL + '"city": "Oslo"}}\n</tool_call>\n<tool_call>\n{"name": "f", "argu')
    assert scanner.value is None and len(scanner.stack) == 1
    scanner.feed('ments": {"city": "Ro')
    assert scanner.value == "Ro"


@pytest.mark.parametrize("piece, rest, kind, ok", [
    ("ing", "ingapore please", "string", True),
    ("ingapore", "ingapore please", "string", True),
    ('ingapore"', "ingapore please", "string", True),     # ends where the user's word ends
    ('ingapore",', "ingapore please", "string", True),
    ('ing"', "ingapore please", "string", False),         # ends in the middle of the word
    ("yd", "ingapore please", "string", False),
    ("ING", "ingapore please", "string", False),          # copies keep the user's case
    ('"', " please", "string", True),
    ('"', "", "string", True),
    (",", " hours", "number", True),
    ("}", " hours", "number", True),
    ("0", " hours", "number", False),                     # "2 hours" is not 20
    ("0", "0000, then", "number", True),
    ("5", ".5 million", "number", False),
    (".", ".5 million", "number", True),
])
def test_continues(piece, rest, kind, ok):
    assert continues(piece, rest, kind) is ok


def test_the_quick_filter_never_drops_a_copying_token(embedded_tokenizer):
    from funcall_lib.copy_bias import _may_continue

    pieces = token_pieces(embedded_tokenizer, len(embedded_tokenizer))
    for kind, rests in (("string", ["ingapore please", " Main Street", "", "-free"]),
                        ("number", ["0000, then", " hours", ".5 million", ""])):
        kept = [p for p in pieces if any(continues(p, r, kind) for r in rests)]
        assert kept and all(_may_continue(p, rests, kind) for p in kept)


def _bias_after(tokenizer, user, generated, boosted, rival, bonus=3.0):
    """Feed `generated` through a CopyBias token by token, then score one step where `rival`
    leads `boosted` by 1.0; return the processed scores of the two."""
    import torch

    pieces = token_pieces(tokenizer, len(tokenizer))
    ids = tokenizer(generated, add_special_tokens=False)["input_ids"]
    bias = CopyBias([user], pieces, bonus=bonus)
    for step in range(len(ids) + 1):
        scores = torch.zeros(1, len(pieces))
        scores[0, rival], scores[0, boosted] = 2.0, 1.0
        out = bias(torch.tensor([ids[:step] or [0]]), scores)
    return out[0, boosted].item(), out[0, rival].item(), bias


def test_copy_bias_moves_a_held_out_city_past_a_trained_one(embedded_tokenizer):
    tok = embedded_tokenizer
    ing, yd = (tok.convert_tokens_to_ids(t) for t in ("ing", "yd"))
    user = "Please deliver to 125 Main Street, Singapore."
    boosted, rival, bias = _bias_after(tok, user, CALL + '"city": "S', ing, yd)
    assert boosted == 4.0 and rival == 2.0 and bias.biased_steps == 1
    # No bonus where the prefix is not the start of a user word, nor outside argument values.
    assert _bias_after(tok, "Please deliver to Paris.", CALL + '"city": "S', ing, yd)[:2] == (1.0, 2.0)
    assert _bias_after(tok, user, '<tool_call>\n{"name": "S', ing, yd)[:2] == (1.0, 2.0)
    assert _bias_after(tok, user, CALL + '"city": "S', ing, yd, bonus=0.0)[:2] == (1.0, 2.0)


def test_copy_bias_ends_a_number_where_the_users_number_ends(embedded_tokenizer):
    tok = embedded_tokenizer
    zero, comma = (tok.convert_tokens_to_ids(t) for t in ("0", ","))
    user = "How fast is a car that covers 50 kilometers in 2 hours?"
    assert _bias_after(tok, user, CALL + '"hours": 2', comma, zero)[:2] == (4.0, 2.0)
    # thousands separators: "10,000" is copied as 10000
    user = "Invest $10,000 for 5 years."
    assert _bias_after(tok, user, CALL + '"amount": 1000', zero, comma)[:2] == (4.0, 2.0)


def test_user_text_keeps_only_the_users_words():
    record = {"messages": [{"role": "system", "content": "Be brief."},
                           {"role": "user", "content": "Weather in Oslo?"},
                           {"role": "assistant", "content": "Which unit?"},
                           {"role": "user", "content": "Celsius"}]}
    assert user_text(record) == "Weather in Oslo?\nCelsius"


WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object",
                          "properties": {"city": {"type": "string", "maxLength": 12},
                                         "days": {"type": "integer", "minimum": 1, "maximum": 9}},
                          "required": ["city", "days"]}}


def test_generate_with_copy_bias_keeps_to_the_grammar(tiny_model, spy):
    from funcall_lib import copy_bias

    made = spy(copy_bias, "CopyBias")
    model, tok = tiny_model
    texts = ["Weather in Oslo for 3 days?", "Is it cold in Reykjavik?",
             ", , , . . 1 2 3 4 5 6 7 8 9"]   # the random model writes ", " and 6: biased
    records = [{"id": str(i), "tools": [WEATHER], "messages": [{"role": "user", "content": text}]}
               for i, text in enumerate(texts)]
    kwargs = dict(tool_choice="required", max_new_tokens=80, max_calls=1, batch_size=3)
    plain = infer.generate(model, tok, records, **kwargs)
    zero = infer.generate(model, tok, records, nudges=Nudges(copy_bias=0.0), **kwargs)
    assert [g.text for g in zero] == [g.text for g in plain] and not made
    huge = infer.generate(model, tok, records, nudges=Nudges(copy_bias=1e4), **kwargs)
    assert len(made) == 1 and made[0].biased_steps > 0
    for gen in huge:   # a bonus never lets through a token the grammar masked
        assert gen.parsed.strict_json and gen.calls, gen.text
        assert len(gen.calls[0]["arguments"]["city"]) <= 12
        assert 1 <= gen.calls[0]["arguments"]["days"] <= 9
