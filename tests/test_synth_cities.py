"""Training-only variation of city parameters (funcall_lib.synth_cities)."""

from __future__ import annotations

import copy

import pytest

from funcall_lib import synth_cities
from funcall_lib.synth import build_splits
from funcall_lib.synth_cities import LOCATION_NOTES, REGIONS, vary_cities


def _tool(name: str, props: dict, required: list) -> dict:
    return {"name": name, "description": "d", "parameters": {"type": "object", "properties": props,
                                                            "required": required}}


def _record(user: str, tools: list, calls: list, earlier: list | None = None) -> dict:
    messages = [{"role": "system", "content": "s"}]
    if earlier:
        messages += [{"role": "user", "content": "first"},
                     {"role": "assistant", "content": "", "tool_calls": earlier},
                     {"role": "tool", "content": "{}"}, {"role": "assistant", "content": "ok"}]
    messages.append({"role": "user", "content": user})
    return {"id": "train-00001", "messages": messages, "tools": tools, "answer": {"tool_calls": calls}}


@pytest.fixture
def always(monkeypatch):
    monkeypatch.setattr(synth_cities, "RENAME_RATE", 1.0)
    monkeypatch.setattr(synth_cities, "REGION_RATE", 1.0)


WEATHER = _tool("get_forecast", {"city": {"type": "string", "description": "City name"},
                                 "days": {"type": "integer", "description": "Days"}}, ["city", "days"])


def test_a_plain_city_becomes_location_everywhere_and_its_region_is_said(always):
    rec = _record("Forecast for Denver for 3 days.", [copy.deepcopy(WEATHER)],
                  [{"name": "get_forecast", "arguments": {"city": "Denver", "days": 3}}],
                  earlier=[{"name": "get_forecast", "arguments": {"city": "Boise", "days": 1}}])
    vary_cities(rec, seed=0)
    params = rec["tools"][0]["parameters"]
    assert list(params["properties"]) == ["location", "days"] and params["required"] == ["location", "days"]
    assert params["properties"]["location"]["description"] in LOCATION_NOTES
    assert rec["answer"]["tool_calls"][0]["arguments"] == {"location": "Denver", "days": 3}
    assert rec["messages"][2]["tool_calls"][0]["arguments"] == {"location": "Boise", "days": 1}
    said = rec["messages"][-1]["content"]
    assert said in (f"Forecast for Denver, {region} for 3 days." for region in REGIONS["Denver"])
    assert REGIONS["Denver"] == ("Colorado", "CO") and REGIONS["Oslo"] == ("Norway",)


def test_a_city_and_state_parameter_is_left_alone(always):
    hotel = _tool("find_hotel", {"location": {"type": "string",
                                              "description": "The city and state, e.g. Tulsa, OK"}}, ["location"])
    rec = _record("Hotels in Denver.", [hotel], [{"name": "find_hotel", "arguments": {"location": "Denver, CO"}}])
    before = copy.deepcopy(rec)
    assert vary_cities(rec, seed=0) == before


@pytest.mark.parametrize("user, arguments", [
    ("Forecast for Denver, then Denver again, 3 days.", {"city": "Denver", "days": 3}),  # said twice
    ("Forecast for Denver for 3 days, Denver's way.", {"city": "Denver", "days": 3}),
    ("Forecast for Atlantis for 3 days.", {"city": "Atlantis", "days": 3}),              # region unknown
])
def test_no_region_where_the_city_is_not_said_exactly_once_or_unknown(always, user, arguments):
    rec = _record(user, [copy.deepcopy(WEATHER)], [{"name": "get_forecast", "arguments": arguments}])
    vary_cities(rec, seed=0)
    assert rec["messages"][-1]["content"] == user


def test_no_region_where_another_argument_holds_the_city(always):
    tools = [copy.deepcopy(WEATHER), _tool("note", {"text": {"type": "string", "description": "Text"}}, ["text"])]
    calls = [{"name": "get_forecast", "arguments": {"city": "Oslo", "days": 2}},
             {"name": "note", "arguments": {"text": "trip to Oslo"}}]
    rec = _record("Forecast for Oslo for 2 days and note trip to Oslo.", tools, calls)
    vary_cities(rec, seed=0)
    assert rec["messages"][-1]["content"] == "Forecast for Oslo for 2 days and note trip to Oslo."


def test_only_training_varies_and_it_teaches_both_forms():
    """Dev, test and unseen tools are the same whatever the rates; training holds plain-city
    `location` parameters beside "city, state" ones, and cities said with a region whose value
    stays the city."""
    sizes = {"train": 600, "dev": 60, "test": 60, "test_unseen_tools": 60}
    varied = build_splits(seed=0, sizes=sizes, mix=0.6)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(synth_cities, "RENAME_RATE", 0.0)
        mp.setattr(synth_cities, "REGION_RATE", 0.0)
        plain = build_splits(seed=0, sizes=sizes, mix=0.6)
    for split in ("dev", "test", "test_unseen_tools"):
        assert varied[split] == plain[split]
    changed = [(a, b) for a, b in zip(plain["train"], varied["train"]) if a != b]
    assert 0 < len(changed) < len(plain["train"]) / 4
    notes = {t["parameters"]["properties"]["location"]["description"] for r in varied["train"]
             for t in r["tools"] if "location" in t["parameters"]["properties"]}
    assert notes & set(LOCATION_NOTES) and any("state" in n for n in notes)
    regions_said = 0
    for a, b in changed:
        if a["messages"][-1]["content"] != b["messages"][-1]["content"]:
            regions_said += 1
            values = {v for c in b["answer"]["tool_calls"] for v in c["arguments"].values()
                      if isinstance(v, str) and v in REGIONS}
            assert any(f"{v}, {r}" in b["messages"][-1]["content"] for v in values for r in REGIONS[v])
    assert regions_said
