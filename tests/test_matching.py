"""One hand-written case (or a few) per matching rule in funcall_lib.matching."""

from __future__ import annotations

import pytest

from funcall_lib import matching as m

TOOLS = [
    {"name": "get_weather", "parameters": {"type": "object", "properties": {
        "city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]},
        "days": {"type": "integer"}, "threshold": {"type": "number"}, "alerts": {"type": "boolean"},
        "hours": {"type": "array", "items": {"type": "integer"}},
        "point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}}},
        "required": ["city"]}},
    {"name": "get_time", "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                        "required": ["city"]}},
]


def call(name="get_weather", **args):
    return {"name": name, "arguments": args}


def check(model_calls, gold_calls, normalize=False):
    return m.match_calls(model_calls, gold_calls, TOOLS, normalize=normalize)


def test_exact_name():
    assert check([call(city="Oslo")], [call(city="Oslo")])
    r = check([call("get_time", city="Oslo")], [call(city="Oslo")])
    assert not r and r.kind == m.WRONG_TOOL
    assert check([call("Get_Weather", city="Oslo")], [call(city="Oslo")]).kind == m.WRONG_TOOL


def test_required_argument_present():
    r = check([call(unit="c")], [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}])
    assert r.kind == m.MISSING and "city" in r.detail


def test_gold_argument_missing_is_missing():
    r = check([call(city="Oslo")], [call(city="Oslo", unit="c")])
    assert r.kind == m.MISSING and "unit" in r.detail


def test_argument_the_tool_does_not_define():
    r = check([call(city="Oslo", colour="red")], [call(city="Oslo")])
    assert r.kind == m.EXTRA and "does not define" in r.detail


def test_argument_the_gold_does_not_mention():
    r = check([call(city="Oslo", unit="c")], [call(city="Oslo")])
    assert r.kind == m.EXTRA


def test_int_accepted_for_number_not_reverse():
    assert check([call(city="a", threshold=3)], [call(city="a", threshold=3.0)])
    r = check([call(city="a", days=3.0)], [call(city="a", days=3)])
    assert r.kind == m.SCHEMA and "integer" in r.detail


def test_bool_is_not_a_number_and_number_not_bool():
    assert check([call(city="a", days=True)], [call(city="a", days=1)]).kind == m.SCHEMA
    assert check([call(city="a", alerts=1)], [call(city="a", alerts=True)]).kind == m.SCHEMA
    assert check([call(city="a", threshold=False)], [call(city="a", threshold=0.0)]).kind == m.SCHEMA


def test_wrong_value_of_right_type():
    r = check([call(city="a", days=4)], [call(city="a", days=3)])
    assert r.kind == m.WRONG_VALUE


def test_string_not_number():
    assert check([call(city="a", days="3")], [call(city="a", days=3)]).kind == m.SCHEMA


def test_lists_in_order():
    assert check([call(city="a", hours=[1, 2])], [call(city="a", hours=[1, 2])])
    assert check([call(city="a", hours=[2, 1])], [call(city="a", hours=[1, 2])]).kind == m.WRONG_VALUE
    assert check([call(city="a", hours=[1])], [call(city="a", hours=[1, 2])]).kind == m.WRONG_VALUE
    assert check([call(city="a", hours=[1, 2.5])], [call(city="a", hours=[1, 2])]).kind == m.SCHEMA


def test_objects_key_by_key():
    gold = [call(city="a", point={"x": 1.0, "y": 2.0})]
    assert check([call(city="a", point={"y": 2, "x": 1})], gold)
    assert check([call(city="a", point={"x": 1.0})], gold).kind == m.MISSING
    assert check([call(city="a", point={"x": 1.0, "y": 2.0, "z": 0})], gold).kind == m.EXTRA
    assert check([call(city="a", point={"x": 1.0, "y": 3.0})], gold).kind == m.WRONG_VALUE


def test_strings_exact_by_default():
    assert check([call(city="oslo")], [call(city="Oslo")]).kind == m.WRONG_VALUE
    assert check([call(city="Oslo ")], [call(city="Oslo")]).kind == m.WRONG_VALUE


def test_string_normalize_follows_bfcl():
    assert check([call(city="new-york, NY")], [call(city="New York NY")], normalize=True)
    assert not check([call(city="Boston")], [call(city="New York NY")], normalize=True)
    assert m.normalize_string("It's 1/2 A_B*C^D.") == 'it"s12abcd'


def test_alternatives_honoured():
    gold = [{"name": "get_weather", "arguments": {"city": "NYC"},
             "alternatives": {"city": ["NYC", "New York"]}}]
    assert check([call(city="New York")], gold)
    assert check([call(city="NYC")], gold)
    assert check([call(city="Boston")], gold).kind == m.WRONG_VALUE


def test_optional_argument_may_be_omitted_when_gold_allows():
    gold = [{"name": "get_weather", "arguments": {"city": "a", "unit": "c"},
             "alternatives": {"city": ["a"], "unit": ["c", ""]}}]
    assert check([call(city="a")], gold)
    assert check([call(city="a", unit="c")], gold)
    assert check([call(city="a", unit="f")], gold).kind == m.WRONG_VALUE


def test_alternatives_name_every_argument():
    gold = [{"name": "get_weather", "arguments": {"city": "a", "days": 2},
             "alternatives": {"city": ["a"]}}]
    assert check([call(city="a")], gold)
    assert check([call(city="a", days=2)], gold).kind == m.EXTRA


def test_nested_alternatives_in_objects():
    gold = [{"name": "get_weather", "arguments": {"city": "a"},
             "alternatives": {"city": ["a"], "point": [{"x": [1.0, 2.0], "y": [0.0, ""]}]}}]
    assert check([call(city="a", point={"x": 2.0})], gold)
    assert check([call(city="a", point={"x": 2.0, "y": 0})], gold)
    assert not check([call(city="a", point={"x": 3.0})], gold)


def test_gold_type_wins_where_schema_disagrees():
    gold = [{"name": "get_time", "arguments": {"city": True}}]   # schema says string
    assert check([call("get_time", city=True)], gold)


def test_parallel_order_free_multiset():
    gold = [call(city="Oslo"), call(city="Rome"), call("get_time", city="Oslo")]
    assert check([call("get_time", city="Oslo"), call(city="Rome"), call(city="Oslo")], gold)
    assert check([call(city="Oslo"), call(city="Oslo"), call("get_time", city="Oslo")], gold).kind \
        == m.WRONG_VALUE
    assert check([call(city="Oslo"), call(city="Rome")], gold).kind == m.WRONG_COUNT


def test_parallel_is_bipartite_not_greedy():
    # The first model call fits both gold calls; greedy pairing of gold 0 with it would strand
    # gold 1. A maximum matching pairs gold 0 with the second call instead.
    gold = [{"name": "get_time", "arguments": {"city": "a"}, "alternatives": {"city": ["a", "b"]}},
            {"name": "get_time", "arguments": {"city": "a"}}]
    assert check([call("get_time", city="a"), call("get_time", city="b")], gold)


def test_gold_empty_passes_only_without_calls():
    assert check([], [])
    assert check([call(city="a")], []).kind == m.IRRELEVANT_CALL
    assert check([], [call(city="a")]).kind == m.NO_CALL


@pytest.mark.parametrize("bad", [{"name": None, "arguments": {}}, {"name": "get_weather", "arguments": None},
                                 {"name": "get_weather", "arguments": [1]}])
def test_malformed_calls_fail_without_raising(bad):
    assert not check([bad], [call(city="a")])


def test_representative_inverts_alternatives():
    alts = {"point": [{"x": [1.0, 2.0], "y": ["", 3]}], "unit": ["", "c"]}
    assert m.representative(alts) == {"point": {"x": 1.0, "y": 3}, "unit": "c"}


def test_unpaired_gold_never_reported_as_pass():
    # Both gold calls fit only the first model call; the second is a wrong tool.
    gold = [call("get_time", city="a"), call("get_time", city="a")]
    r = check([call("get_time", city="a"), call("get_clock", city="a")], gold)
    assert not r and r.kind == m.WRONG_VALUE and "repeated" in r.detail
    r = check([call("get_time", city="b"), call("get_clock", city="a")], gold)
    assert not r and r.kind == m.WRONG_VALUE
