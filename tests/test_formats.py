"""Converters on hand-written fixtures in each dataset's exact structure, and on real BFCL files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from funcall_lib.cli import main
from funcall_lib.formats import convert_file, detect_format
from funcall_lib.formats.common import ConvertError, loads_lenient
from funcall_lib.formats.xlam import type_schema
from funcall_lib.records import load_records, validate_record

FIX = Path(__file__).parent / "fixtures" / "formats"


def _convert(tmp_path, name, fmt=None, **kw):
    out = tmp_path / f"{name}.out.jsonl"
    stats = convert_file(FIX / name, out, fmt, **kw)
    records = load_records(out)  # every written record is valid
    rejects = {}
    if stats.rejects_path:
        for line in Path(stats.rejects_path).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rejects[row["line"]] = row["reason"]
    return stats, records, rejects


@pytest.mark.parametrize("name, fmt", [("hermes.jsonl", "hermes"), ("xlam.jsonl", "xlam"),
                                       ("glaive.jsonl", "glaive"), ("openai.jsonl", "openai"),
                                       ("seed.jsonl", "seed"), ("bfcl_questions.json", "bfcl")])
def test_detection(name, fmt):
    assert detect_format(FIX / name) == fmt


def test_hermes(tmp_path):
    stats, recs, rejects = _convert(tmp_path, "hermes.jsonl")
    assert (stats.read, stats.converted, stats.records, stats.rejected) == (7, 2, 3, 5)
    first, second, refusal = recs
    assert first["answer"]["tool_calls"] == [
        {"name": "get_weather", "arguments": {"city": "Zürich"}},
        {"name": "get_weather", "arguments": {"city": "São Paulo", "unit": "c"}}]
    assert first["meta"]["category"] == "parallel"
    assert [t["name"] for t in first["tools"]] == ["get_weather", "book_table"]  # Python literal parsed
    assert second["meta"]["category"] == "multi_turn"
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "tool", "tool",
                                                       "assistant", "user"]
    assert second["answer"]["tool_calls"][0]["arguments"]["guests"][0] == {"name": "Ana", "vegan": True}
    assert refusal["answer"] == {"tool_calls": [], "content": "I can only check the weather."}
    assert "'send_email', which is not an offered tool" in rejects[3]
    assert "(offered: none)" in rejects[4]          # empty tool list
    assert "<tools> block" in rejects[5]            # malformed tools
    assert "<tool_call>" in rejects[6]              # malformed call
    assert "not valid JSON" in rejects[7]


def test_xlam(tmp_path):
    stats, recs, rejects = _convert(tmp_path, "xlam.jsonl")
    assert (stats.read, stats.records, stats.rejected) == (7, 2, 5)
    params = recs[0]["tools"][0]["parameters"]
    assert params["required"] == ["adults"]         # city has a default, max_price is optional
    assert params["properties"]["amenities"] == {"type": "array", "items": {"type": "string"},
                                                 "description": "Amenities", "default": []}
    assert recs[0]["tools"][1]["parameters"]["properties"]["pair"]["prefixItems"] == [
        {"type": "string"}, {"type": "string"}]
    assert recs[0]["meta"]["category"] == "parallel_multiple"
    assert recs[0]["answer"]["tool_calls"][0]["arguments"]["city"] == "Kraków"
    assert "not an offered tool" in rejects[3] and "unknown xlam type 'Callable'" in rejects[4]
    assert "missing field(s) ['answers']" in rejects[6] and "not of type 'integer'" in rejects[7]


@pytest.mark.parametrize("name, schema, optional", [
    ("str", {"type": "string"}, False), ("int, optional", {"type": "integer"}, True),
    ("float", {"type": "number"}, False), ("bool", {"type": "boolean"}, False),
    ("List[int]", {"type": "array", "items": {"type": "integer"}}, False),
    ("List[Dict[str, Any]]", {"type": "array", "items": {"type": "object"}}, False),
    ("Dict[str, int]", {"type": "object", "additionalProperties": {"type": "integer"}}, False),
    ("Any", {}, False), ("Optional[str]", {"type": "string"}, True), ("list", {"type": "array"}, False),
    ("Union[int, float]", {"anyOf": [{"type": "integer"}, {"type": "number"}]}, False)])
def test_xlam_types(name, schema, optional):
    assert type_schema(name) == (schema, optional)


def test_glaive(tmp_path):
    stats, recs, rejects = _convert(tmp_path, "glaive.jsonl")
    assert (stats.read, stats.records, stats.rejected) == (5, 3, 3)
    assert recs[0]["answer"]["tool_calls"] == [
        {"name": "convert_currency", "arguments": {"amount": 100, "from": "USD", "to": "EUR"}}]
    assert recs[1]["answer"]["tool_calls"] == [{"name": "get_news", "arguments": {"country": "Côte d'Ivoire"}}]
    assert recs[1]["messages"][3] == {"role": "tool", "content": '{"converted_amount": 92.5}'}
    assert recs[2]["meta"]["category"] == "irrelevance"
    assert "no tools offered" in rejects[3] and "not JSON" in rejects[4] and "['chat']" in rejects[5]


def test_openai(tmp_path):
    stats, recs, rejects = _convert(tmp_path, "openai.jsonl")
    assert (stats.records, stats.rejected) == (1, 3)
    args = recs[0]["answer"]["tool_calls"][0]["arguments"]
    assert args == {"items": [{"name": "café au lait", "qty": 2}],
                    "address": {"street": "12 Rue de Rivoli", "city": "Paris"}}
    assert recs[0]["messages"][0]["content"] == "You help."
    assert "must be an object schema" in rejects[4]


def test_seed(tmp_path):
    stats, recs, rejects = _convert(tmp_path, "seed.jsonl")
    assert recs[0]["answer"]["tool_calls"][0]["arguments"]["quantity"] == [3, 2, 1]
    assert "not of type 'integer'" in rejects[2] and "not a valid JSON Schema" in rejects[3]
    assert "['answer']" in rejects[4]


def test_bfcl_fixture(tmp_path):
    stats, recs, rejects = _convert(tmp_path, "bfcl_questions.json")
    simple, parallel, irrelevant = recs
    props = simple["tools"][0]["parameters"]
    assert props["type"] == "object" and props["properties"]["height"]["type"] == "number"
    assert props["properties"]["dims"]["type"] == "array" and "type" not in props["properties"]["extra"]
    assert "optional" not in props["properties"]["unit"]
    call = simple["answer"]["tool_calls"][0]
    assert call["alternatives"]["unit"] == ["cm²", "", "units"]
    assert call["arguments"] == {"base": 10, "height": 5, "unit": "cm²", "options": {"precise": True}}
    assert len(parallel["answer"]["tool_calls"]) == 2 and parallel["meta"]["category"] == "parallel"
    assert irrelevant["answer"]["tool_calls"] == [] and irrelevant["meta"]["category"] == "irrelevance"
    assert "no possible answer" in rejects[4] and "multi-turn" in rejects[5]


def test_strict_and_cli(tmp_path, capsys):
    out = tmp_path / "x.jsonl"
    with pytest.raises(ValueError, match=r"xlam\.jsonl:3: .*--strict"):
        convert_file(FIX / "xlam.jsonl", out, strict=True)
    assert not out.exists()  # atomic: nothing half-written
    assert main(["data", "convert", str(FIX / "seed.jsonl"), "-o", str(out)]) == 0
    assert "read 4 rows, converted 1 (1 records), rejected 3" in capsys.readouterr().out
    assert (tmp_path / "x.rejects.jsonl").is_file()
    assert main(["data", "convert", str(FIX / "seed.jsonl"), "--strict", "-o", str(out)]) == 2


def test_literal_parsing_is_safe():
    assert loads_lenient("{'a': True, 'b': None}") == {"a": True, "b": None}
    with pytest.raises(ConvertError):
        loads_lenient("__import__('os').system('echo pwned')")


@pytest.mark.parametrize("category, expected", [("simple_python", 400), ("multiple", 200),
                                                ("parallel", 200), ("parallel_multiple", 200),
                                                ("irrelevance", 240)])
def test_real_bfcl_files_convert_and_validate(category, expected):
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution("bfcl-eval")
    except PackageNotFoundError:
        pytest.skip("bfcl-eval not installed")
    from funcall_lib.formats.bfcl import load_bfcl

    records = load_bfcl(category)
    assert len(records) == expected
    # Two parallel_multiple entries contradict their own schema; kept (BFCL's denominator), flagged.
    flagged = {r["id"] for r in records if "gold_problems" in r["meta"]}
    assert flagged == ({"parallel_multiple_21", "parallel_multiple_94"}
                       if category == "parallel_multiple" else set())
    assert all(validate_record(r) == [] for r in records if r["id"] not in flagged)
    assert len(load_bfcl(category, keep_invalid=False)) == expected - len(flagged)
    assert {r["meta"]["category"] for r in records} == {category.removesuffix("_python")}
    if category == "irrelevance":
        assert all(r["answer"]["tool_calls"] == [] for r in records)
    if category == "simple_python":  # a wrong-shaped alternative stays, the representative skips it
        call = next(r for r in records if r["id"] == "simple_python_149")["answer"]["tool_calls"][0]
        assert call["arguments"] == {"company_names": ["Apple", "Microsoft"]}
        assert [["Apple"], ["Microsoft"]] in call["alternatives"]["company_names"]


def test_json_array_dump(tmp_path):
    """Some Hub exports are one JSON array, not JSONL: items are numbered like lines."""
    rows = [json.loads(line) for line in (FIX / "glaive.jsonl").read_text(encoding="utf-8").splitlines()[:2]]
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    assert detect_format(path) == "glaive"
    stats = convert_file(path, tmp_path / "out.jsonl")
    assert (stats.read, stats.records, stats.rejected) == (2, 3, 0)
    assert [r["id"] for r in load_records(tmp_path / "out.jsonl")] == ["glaive-1-t0", "glaive-1-t1", "glaive-2"]
