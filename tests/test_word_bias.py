"""Word-finish bias: where it acts (inside a word of the user's, against a respelling), what it
leaves alone, and generate() with it."""

import pytest

from funcall_lib.nudges import Nudges
from funcall_lib.word_bias import WordFinishBias, letters_at_end, respells
from tests.processor_steps import city_per_user, rival_after

CALL = '<tool_call>\n{"name": "fetch_habitat_range", "arguments": {'
TURTLE = "Using the hawksbill turtle, get the habitat range of an animal, please."


@pytest.mark.parametrize("value, n", [("hawk", 4), ("New Yo", 2), ("B678", 0), ("", 0),
                                      ("Liverpool F", 1), ("Montré", 6), ("snake_case", 4)])
def test_letters_at_end(value, n):
    assert letters_at_end(value) == n


@pytest.mark.parametrize("piece, ok", [
    ("bill", True),             # "hawk" + "bill": letters the user did not write
    ("s", False),               # "hawk" + "s": the user's own next letter
    ("sbill", False),
    ('"', False),               # ending the value: the model's choice ("price" for "prices")
    (" turtle", False),         # so is ending the word
    ("-", False),
    ('bill"', True),
])
def test_respells(piece, ok):
    assert respells(piece, ["sbill turtle, get the habitat"]) is ok


def _after(tokenizer, user, generated, best, rival, bonus=32.0, lead=21.5):
    """The scores of `best` and `rival` after `generated`, `best` leading by `lead` logits (about
    as far as "bill" leads "s" after "hawk" in our tuned model), and the processor."""
    return rival_after(WordFinishBias, tokenizer, user, generated, best, rival, bonus, lead)


def test_a_respelling_inside_the_users_word_is_turned_back(embedded_tokenizer):
    tok = embedded_tokenizer
    bill, s = (tok.convert_tokens_to_ids(t) for t in ("bill", "s"))
    best, rival, bias = _after(tok, TURTLE, CALL + '"animal": "hawk', bill, s)
    assert (best, rival) == (21.5, 32.0) and bias.biased_steps == 1
    # every token that goes on copying gets it, found in the whole vocabulary, not only the top
    sb = tok.convert_tokens_to_ids("sb")
    _, rival_sb, _ = _after(tok, TURTLE, CALL + '"animal": "hawk', bill, sb)
    assert rival_sb == 32.0


@pytest.mark.parametrize("user, generated", [
    (TURTLE, CALL + '"animal": "haw'),                        # three letters: too few to tell
    ("Is a hawk a hawksbill?", CALL + '"animal": "hawk'),     # the user's "hawk" ends here
    ("Where do hawks nest?", CALL + '"animal": "Ospr'),       # not the user's word at all
    (TURTLE, '<tool_call>\n{"name": "hawk'),                  # not an argument value
    (TURTLE, CALL + '"animal": "a hawk'),                     # not a copy from the value's start
])
def test_the_bias_stays_out_where_the_value_is_not_inside_a_users_word(embedded_tokenizer, user,
                                                                       generated):
    tok = embedded_tokenizer
    bill, s = (tok.convert_tokens_to_ids(t) for t in ("bill", "s"))
    best, rival, bias = _after(tok, user, generated, bill, s)
    assert (best, rival) == (21.5, 0.0) and bias.biased_steps == 0


def test_ending_the_word_stays_the_models_choice(embedded_tokenizer):
    tok = embedded_tokenizer
    quote, s = tok.convert_tokens_to_ids('"'), tok.convert_tokens_to_ids("s")
    user = "Get the prices and volumes for Apple."
    assert _after(tok, user, CALL + '"fields": ["price', quote, s)[:2] == (21.5, 0.0)
    assert _after(tok, TURTLE, CALL + '"animal": "hawk', s, tok.convert_tokens_to_ids("bill"),
                  bonus=0.0)[:2] == (21.5, 0.0)


def test_numbers_are_left_to_the_copy_bias(embedded_tokenizer):
    tok = embedded_tokenizer
    dot, three = tok.convert_tokens_to_ids("."), tok.convert_tokens_to_ids("3")
    user = "It weighs 4394 grams."
    assert _after(tok, user, CALL + '"kg": 4', dot, three)[:2] == (21.5, 0.0)


def test_generate_with_the_word_bias_finishes_the_users_word_within_the_grammar(tiny_model, spy):
    """The schema makes every value start "Tallahass" and end "ee" or "ly". Unbiased, the random
    model writes the same ending for both users; a large bias makes each the user's own, inside
    the grammar (no token can span from the fourth letter past the ninth, so the value is long
    enough for the bias wherever the model parts from the user's word)."""
    from funcall_lib import word_bias

    made = spy(word_bias, "WordFinishBias")
    model, tok = tiny_model
    users = ["What is there to do in Tallahassee?", "Where is the Tallahassly festival held?"]
    plain = city_per_user(model, tok, "^Tallahass(ee|ly)$", users)
    assert plain[0] == plain[1] and not made
    biased = city_per_user(model, tok, "^Tallahass(ee|ly)$", users, Nudges(word_bias=1e4))
    assert biased == ["Tallahassee", "Tallahassly"]
    assert len(made) == 1 and made[0].biased_steps >= 1
