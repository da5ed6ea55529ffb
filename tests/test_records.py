"""The canonical record: normalisation, validation reasons, the validate CLI, file loading."""

from __future__ import annotations

import copy
import json

import pytest

from funcall_lib.cli import main
from funcall_lib.records import (RecordError, infer_category, load_records, normalize_record,
                                 representative, save_records, validate_record)

TOOL = {"name": "get_weather", "description": "Weather.",
        "parameters": {"type": "object",
                       "properties": {"city": {"type": "string"},
                                      "unit": {"type": "string", "enum": ["c", "f"]},
                                      "days": {"type": "integer"},
                                      "when": {"type": "string", "format": "date"}},
                       "required": ["city"]}}
GOOD = {"id": "r1", "messages": [{"role": "user", "content": "Weather in Oslo?"}], "tools": [TOOL],
        "answer": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]},
        "meta": {"source": "test", "category": "simple"}}


def test_good_record_is_valid():
    assert validate_record(copy.deepcopy(GOOD)) == []


def test_normalize_guide_shape_and_openai_wrapping():
    raw = {"messages": [{"role": "user", "content": "hi"},
                        {"role": "assistant", "tool_calls": [{"id": "x", "type": "function", "function": {
                            "name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                        {"role": "tool", "content": {"temp": 3}},
                        {"role": "user", "content": "and Paris?"}],
           "tools": [{"type": "function", "function": TOOL}],
           "answer": {"tool_call": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}}
    rec = normalize_record(raw, default_id="x-1")
    assert rec["id"] == "x-1"
    assert rec["tools"][0]["name"] == "get_weather"
    assert rec["answer"] == {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    assert rec["messages"][1]["tool_calls"] == [{"name": "get_weather", "arguments": {"city": "Oslo"}}]
    assert rec["messages"][2]["content"] == '{"temp": 3}'
    assert rec["meta"]["category"] == "multi_turn"
    assert validate_record(rec) == []


@pytest.mark.parametrize("mutate, needle", [
    (lambda r: r["answer"]["tool_calls"][0].update(name="send_email"), "not an offered tool"),
    (lambda r: r["answer"]["tool_calls"][0]["arguments"].pop("city"), "'city' is a required property"),
    (lambda r: r["answer"]["tool_calls"][0]["arguments"].update(unit="k"), "is not one of"),
    (lambda r: r["answer"]["tool_calls"][0]["arguments"].update(days="3"), "not of type 'integer'"),
    (lambda r: r["answer"]["tool_calls"][0]["arguments"].update(when="03/04/2026"), "is not a 'date'"),
    (lambda r: r["tools"][0]["parameters"].update(type="array"), "must be an object schema"),
    (lambda r: r["tools"][0]["parameters"]["properties"]["city"].update(type="text"), "not a valid JSON Schema"),
    (lambda r: r["tools"].append(copy.deepcopy(TOOL)), "offered twice"),
    (lambda r: r.update(tools=[]), "not an offered tool (offered: none)"),
    (lambda r: r["meta"].update(category="irrelevance"), "gold calls a tool"),
    (lambda r: r["answer"].update(tool_calls=[]), "gold calls no tool"),
    (lambda r: r["messages"][0].update(role="robot"), "messages/0/role"),
    (lambda r: r.pop("answer"), "'answer' is a required property"),
    (lambda r: r["answer"]["tool_calls"][0].update(arguments="{bad"), "not of type 'object'"),
])
def test_invalid_records_name_the_reason(mutate, needle):
    rec = copy.deepcopy(GOOD)
    mutate(rec)
    reasons = validate_record(rec)
    assert reasons and any(needle in r for r in reasons), reasons


def test_irrelevance_with_empty_tools_is_valid():
    rec = copy.deepcopy(GOOD)
    rec.update(tools=[], answer={"tool_calls": [], "content": "No tool fits."})
    rec["meta"]["category"] = "irrelevance"
    assert validate_record(rec) == []


def test_alternatives_are_validated_and_representative():
    rec = copy.deepcopy(GOOD)
    rec["answer"]["tool_calls"][0]["alternatives"] = {"city": ["Oslo", "oslo"], "days": ["", 3]}
    assert validate_record(rec) == []
    rec["answer"]["tool_calls"][0]["alternatives"]["days"] = ["three", 3]  # one fitting is enough
    assert validate_record(rec) == []
    rec["answer"]["tool_calls"][0]["alternatives"]["days"] = ["three"]
    assert any("no alternative for 'days' fits" in r for r in validate_record(rec))
    rec["answer"]["tool_calls"][0]["alternatives"] = {"days": [3]}
    assert any("not among its alternatives" in r for r in validate_record(rec))
    nested = {"conditions": [{"dept": ["Science"], "school": ["", "Bluebird"]}], "z": ["", 0], "w": [""]}
    assert representative(nested) == {"conditions": {"dept": "Science", "school": "Bluebird"}, "z": 0}


def test_infer_category():
    rec = copy.deepcopy(GOOD)
    assert infer_category(rec) == "simple"
    rec["answer"]["tool_calls"].append({"name": "get_weather", "arguments": {"city": "Rome"}})
    assert infer_category(rec) == "parallel"
    rec["answer"]["tool_calls"][1]["name"] = "other"
    assert infer_category(rec) == "parallel_multiple"
    rec["answer"]["tool_calls"] = []
    assert infer_category(rec) == "irrelevance"


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_cli_exit_codes_and_lines(tmp_path, capsys):
    good = json.dumps(GOOD, ensure_ascii=False)
    bad = copy.deepcopy(GOOD)
    bad["id"] = "r2"
    bad["answer"]["tool_calls"][0]["name"] = "nope"
    ok_file = _write(tmp_path / "ok.jsonl", [good])
    assert main(["data", "validate", str(ok_file)]) == 0
    mixed = _write(tmp_path / "mixed.jsonl", [good, "{not json", json.dumps(bad), "", good])
    assert main(["data", "validate", str(mixed)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{mixed}:2: not valid JSON") for line in out)
    assert any(line.startswith(f"{mixed}:3: ") and "'nope'" in line for line in out)
    assert any(line.startswith(f"{mixed}:5: duplicate id 'r1'") for line in out)
    assert not any(f"{mixed}:1:" in line for line in out)  # good records never reported
    assert main(["data", "validate", str(tmp_path / "missing.jsonl")]) == 2


def test_load_records_raises_with_file_and_line(tmp_path):
    path = _write(tmp_path / "r.jsonl", [json.dumps(GOOD), json.dumps({"messages": []})])
    with pytest.raises(RecordError, match=r"r\.jsonl:2: "):
        load_records(path)
    assert len(load_records(path, validate=False)) == 2


def test_save_and_load_roundtrip_unicode(tmp_path):
    rec = copy.deepcopy(GOOD)
    rec["messages"][0]["content"] = "Wetter in Zürich? 🌧"
    rec["answer"]["tool_calls"][0]["arguments"]["city"] = "Zürich"
    save_records(tmp_path / "u.jsonl", [rec])
    assert load_records(tmp_path / "u.jsonl") == [rec]
