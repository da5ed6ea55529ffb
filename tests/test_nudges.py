"""The decoding nudges as one value: checked once, flags named as its fields, reported whole."""

import math

import pytest

from funcall_lib import infer
from funcall_lib.nudges import NUDGE_FIELDS, VALUE_BIASES, Nudges

FLAGS = ["--stop-on-repeat", "--drop-subsumed", "--drop-doubled", "--copy-bias", "2", "--word-bias", "6",
         "--name-bias", "5",
         "--region-bias", "3", "--call-bias=-1.5", "--option-bias", "0.5", "--list-bias", "8", "--stated-layouts",
         "--stated-percents", "--rate-fractions", "--stated-units", "--said-flags", "--said-magnitudes", "--said-years", "--said-periods",
         "--said-options", "--lift-keys"]
ASKED = Nudges(stop_on_repeat=True, drop_subsumed=True, drop_doubled=True, copy_bias=2.0, word_bias=6.0, name_bias=5.0,
               region_bias=3.0, call_bias=-1.5, option_bias=0.5, list_bias=8.0, stated_layouts=True, stated_percents=True,
               rate_fractions=True, stated_units=True, said_flags=True, said_magnitudes=True, said_years=True, said_periods=True,
               said_options=True, lift_keys=True)


@pytest.mark.parametrize("command", [
    ["infer", "--tools", "t.json", "--prompt", "hi"],
    ["eval", "--model", "embedded", "--benchmark", "bfcl:simple_python", "--out", "r.json"],
])
def test_each_generating_command_reads_every_nudge_from_its_flags(command):
    from funcall_lib.cli import build_parser

    args = build_parser().parse_args([*command, *FLAGS])
    assert Nudges.from_args(args) == ASKED
    assert Nudges.from_args(build_parser().parse_args(command)) == Nudges()


def test_the_quality_recipe_reads_every_nudge_and_its_own_setting():
    import argparse

    from funcall_lib.quality import Decoding

    args = argparse.Namespace(**ASKED.report(), unmerged=True, max_new_tokens=300, run_dir="runs/q")
    decoding = Decoding.from_args(args)
    assert decoding.nudges() == ASKED and decoding.unmerged and decoding.max_new_tokens == 300
    assert decoding.report() == ASKED.report()            # not a decoding setting of the outputs
    assert decoding.nudges_for("required") == Nudges(stop_on_repeat=True, drop_subsumed=True, drop_doubled=True,
                                                     copy_bias=2.0,
                                                     word_bias=6.0, name_bias=5.0, region_bias=3.0, option_bias=0.5,
                                                     list_bias=8.0, stated_layouts=True,
                                                     stated_percents=True, rate_fractions=True, stated_units=True,
                                                     said_flags=True,
                                                     said_magnitudes=True, said_years=True, said_periods=True,
                                                     said_options=True, lift_keys=True)  # no call choice there


def test_the_quality_recipe_has_a_flag_for_every_nudge(capsys):
    from funcall_lib.quality import main

    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for name in NUDGE_FIELDS:
        assert "--" + name.replace("_", "-") in text


def test_bench_decode_takes_the_value_biases_only():
    from funcall_lib.cli import build_parser

    args = build_parser().parse_args(["bench", "decode", "--copy-bias", "2", "--list-bias", "8"])
    assert [getattr(args, name) for name in VALUE_BIASES] == [2.0, 0.0, 0.0, 0.0, 0.0, 8.0]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "decode", "--stop-on-repeat"])


@pytest.mark.parametrize("bad", [{"copy_bias": -0.5}, {"option_bias": math.inf}, {"list_bias": math.nan},
                                 {"word_bias": -1.0},
                                 {"call_bias": math.inf}, {"call_bias": math.nan}])
def test_a_bad_value_is_refused_when_the_nudges_are_made(bad):
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        Nudges(**bad)


def test_negative_call_bias_is_a_nudge_but_not_a_negative_value_bias():
    assert Nudges(call_bias=-3.0).call_bias == -3.0


def test_every_nudge_is_reported_and_parts_that_differ_in_one_do_not_merge():
    from funcall_lib.evaluate import PART_SETTINGS, merge_parts

    assert tuple(Nudges().report()) == NUDGE_FIELDS
    assert set(NUDGE_FIELDS) <= set(PART_SETTINGS)
    for name in NUDGE_FIELDS:
        one = ({"n": 1, **Nudges().report()}, [{"id": "a"}])
        other = ({"n": 1, **Nudges(**{name: True if name == "stop_on_repeat" else 1.0}).report()},
                 [{"id": "b"}])
        with pytest.raises(ValueError, match=name):
            merge_parts([one, other])


def test_value_biases_are_built_in_order_and_only_when_on(tool_tokenizer):
    from funcall_lib.copy_bias import CopyBias
    from funcall_lib.list_bias import ListEndBias
    from funcall_lib.name_bias import NameBias
    from funcall_lib.option_bias import OptionBias
    from funcall_lib.region_bias import RegionBias
    from funcall_lib.word_bias import WordFinishBias

    records = [{"id": "r", "tools": [], "messages": [{"role": "user", "content": "5 and 6"}]}]
    vocab = len(tool_tokenizer)
    assert Nudges(stop_on_repeat=True, call_bias=1.0).value_biases(tool_tokenizer, vocab, records) == []
    built = Nudges(list_bias=1.0, copy_bias=1.0).value_biases(tool_tokenizer, vocab, records)
    assert [type(b) for b in built] == [CopyBias, ListEndBias]
    built = Nudges(list_bias=1.0, option_bias=2.0, region_bias=2.5, name_bias=2.75, word_bias=3.0,
                   copy_bias=4.0).value_biases(tool_tokenizer, vocab, records)
    assert [type(b) for b in built] == [CopyBias, WordFinishBias, NameBias, RegionBias, OptionBias, ListEndBias]
    assert [b.bonus for b in built] == [4.0, 3.0, 2.75, 2.5, 2.0, 1.0]


def test_nudges_are_named_never_positional():
    """A new nudge may come between two others, so a positional value would land on the wrong one."""
    from funcall_lib.quality import Decoding

    with pytest.raises(TypeError):
        Nudges(True, 2.0)
    with pytest.raises(TypeError):
        Decoding(True)


def test_generate_takes_nudges_only_as_one_value(tiny_model):
    model, tok = tiny_model
    record = {"id": "r", "tools": [], "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(TypeError, match="Nudges"):
        infer.generate(model, tok, [record], nudges={"copy_bias": 2.0})
    with pytest.raises(TypeError):
        infer.generate(model, tok, [record], copy_bias=2.0)
    with pytest.raises(ValueError, match="call_bias applies to tool_choice 'auto' only"):
        infer.generate(model, tok, [record], tool_choice="required", nudges=Nudges(call_bias=1.0))


def test_recommended_turns_every_nudge_to_its_recommended_setting_unless_a_flag_says_otherwise():
    from funcall_lib.cli import build_parser
    from funcall_lib.nudges import RECOMMENDED

    command = ["eval", "--model", "embedded", "--benchmark", "bfcl:simple_python", "--out", "r.json"]
    assert Nudges.from_args(build_parser().parse_args([*command, "--recommended"])) == RECOMMENDED
    tuned = Nudges.from_args(build_parser().parse_args([*command, "--recommended", "--copy-bias", "4",
                                                        "--call-bias=-2"]))
    assert tuned.copy_bias == 4.0 and tuned.call_bias == -2.0 and tuned.word_bias == RECOMMENDED.word_bias
    assert all(getattr(RECOMMENDED, name) for name in NUDGE_FIELDS if name != "call_bias")   # every rule on


def test_the_quality_recipe_takes_recommended_too(capsys):
    import argparse

    from funcall_lib.nudges import RECOMMENDED
    from funcall_lib.quality import Decoding, main

    args = argparse.Namespace(**Nudges().report(), unmerged=False, max_new_tokens=512, recommended=True, run_dir="runs/q")
    decoding = Decoding.from_args(args)
    assert decoding.nudges() == RECOMMENDED and not decoding.unmerged
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--recommended" in capsys.readouterr().out
