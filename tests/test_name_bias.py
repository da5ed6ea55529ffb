"""Name bias: which words are names, where the bias acts (the first letters of a name, against
another name), what it leaves alone, and generate() with it."""

import pytest

from funcall_lib.name_bias import NameBias, opens_sentence, user_names
from funcall_lib.nudges import Nudges
from tests.processor_steps import city_per_user, rival_after

CALL = '<tool_call>\n{"name": "get_air_quality", "arguments": {'
ORDER = "Could you order apple pie from Nonna's to 125 Main Street, Singapore?"


@pytest.mark.parametrize("text, names", [
    (ORDER, ["Nonna", "Main", "Street", "Singapore"]),                    # not "Could": it opens the sentence
    ("What's the AQI in Singapore? Where's the closest hospital in Seoul?", ["Singapore", "Seoul"]),
    ("Weather in Kraków and the USA, per BoardGameGeek", ["Kraków"]),     # not all capitals, not camel case
    ("Flights to Rio, then \"Lima\". Then (Quito) and Oslo", ["Lima", "Quito", "Oslo"]),  # not "Rio": 3 letters
    ("\"Lima\" first. (Quito) next", []),
    ("first line\nSingapore starts the second one", []),
    ("Book the O'Neil suite, or McDonald's", []),
])
def test_user_names(text, names):
    assert [name for _, name in user_names(text)] == names
    assert all(text[start:start + len(name)] == name for start, name in user_names(text))


@pytest.mark.parametrize("text, start, opens", [
    ("Singapore", 0, True), ("Hi. Singapore", 4, True), ('Hi! "Singapore', 5, True), ("Hi? (Singapore", 5, True),
    ("in Singapore", 3, False), ("Hi, Singapore", 4, False), ("Hi: Singapore", 4, False)])
def test_opens_sentence(text, start, opens):
    assert opens_sentence(text, start) is opens


def _after(tokenizer, user, generated, best, rival, bonus=32.0, lead=21.5):
    """The scores of `best` and `rival` after `generated`, `best` leading by `lead` logits, and
    the processor."""
    return rival_after(NameBias, tokenizer, user, generated, best, rival, bonus, lead)


def _ids(tokenizer, *tokens):
    ids = [tokenizer.convert_tokens_to_ids(t) for t in tokens]
    assert tokenizer.unk_token_id not in ids
    return ids


def test_another_name_after_the_users_first_letter_is_turned_back(embedded_tokenizer):
    """SmolLM2 writes "Sydney" as "S" + "yd" + "ney" and "Singapore" as "Sing" + "apore"; after
    the "S", the tokens that spell "Singapore" get the bonus, found in the whole vocabulary."""
    tok = embedded_tokenizer
    yd, ing = _ids(tok, "yd", "ing")
    best, rival, bias = _after(tok, ORDER, CALL + '"city": "S', yd, ing)
    assert (best, rival) == (21.5, 32.0) and bias.biased_steps == 1
    ho, ou, on = _ids(tok, "H", "ou", "on")
    assert _after(tok, "Find coffee shops in Honolulu.", CALL + '"city": "H', ou, on)[:2] == (21.5, 32.0)


@pytest.mark.parametrize("user, generated, best", [
    (ORDER, CALL + '"city": "', "S"),                                    # the first letter is the model's
    ("Quote for Tesla, please.", CALL + '"symbol": "T', "SL"),       # capitals next: a code ("TSLA")
    (ORDER, CALL + '"city": "S', '"'),                                   # ending the value
    ("Find seafood in Seattle.", CALL + '"query": "Se', "af"),            # copies the user's "seafood"
    (ORDER, CALL + '"city": "s', "yd"),                                  # not a capital: not a name
    ("Singapore, please. Is it hot?", CALL + '"city": "S', "yd"),         # the user's only "Singapore" opens a sentence
    (ORDER, CALL + '"city": "Sing', "ul"),                               # four letters: the word bias's
    (ORDER, '<tool_call>\n{"name": "S', "yd"),                           # not an argument value
])
def test_the_bias_stays_out_where_no_name_is_being_respelled(embedded_tokenizer, user, generated, best):
    tok = embedded_tokenizer
    best_id, ing = _ids(tok, best, "ing")
    scores = _after(tok, user, generated, best_id, ing)
    assert scores[:2] == (21.5, 0.0) and scores[2].biased_steps == 0


def test_a_bonus_of_zero_is_off(embedded_tokenizer):
    tok = embedded_tokenizer
    yd, ing = _ids(tok, "yd", "ing")
    assert _after(tok, ORDER, CALL + '"city": "S', yd, ing, bonus=0.0)[:2] == (21.5, 0.0)


def test_generate_with_the_name_bias_spells_the_users_name_within_the_grammar(tiny_model, spy):
    """The schema allows "Singapore" and "Sydney" alone. Unbiased, the random model writes the
    same city for both users; a large bias makes each the user's own, inside the grammar."""
    from funcall_lib import name_bias

    made = spy(name_bias, "NameBias")
    model, tok = tiny_model
    users = ["What is there to do in Singapore?", "What is there to do in Sydney?"]
    plain = city_per_user(model, tok, "^S(ingapore|ydney)$", users)
    assert plain[0] == plain[1] and not made
    assert city_per_user(model, tok, "^S(ingapore|ydney)$", users, Nudges(name_bias=1e4)) == ["Singapore", "Sydney"]
    assert len(made) == 1 and made[0].biased_steps >= 1
