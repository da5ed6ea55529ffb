"""The local tools: safe arithmetic, unit conversion, a read-only inventory, argument checks."""

from __future__ import annotations

import pytest

from funcall_lib.toolbox import INVENTORY, ToolError, calculate, call_tool, convert_units, \
    default_registry, tool_specs


@pytest.mark.parametrize("expr, value", [("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("2 ** 10", 1024),
                                         ("-3 + +4", 1), ("7 % 4", 3), ("1 / 4", 0.25),
                                         ("1.5e2 - 50", 100.0)])
def test_calculator_arithmetic(expr, value):
    assert calculate(expr)["result"] == value


@pytest.mark.parametrize("expr", ["__import__('os').system('true')", "a + 1", "len([1])",
                                  "1 if 1 else 2", "[1, 2]", "True + 1", "'a' * 3", "1; 2",
                                  "lambda: 1", "(1).real", "1 < 2"])
def test_calculator_rejects_anything_but_arithmetic(expr):
    with pytest.raises(ToolError):
        calculate(expr)


@pytest.mark.parametrize("expr, why", [("1 / 0", "division by zero"), ("2 ** 1000", "exponent"),
                                       ("(9 ** 64) ** 64", "too large"), ("1 +", "not an"),
                                       ("(-8) ** 0.5", "real number"), ("1" * 300, "longer")])
def test_calculator_domain_errors(expr, why):
    with pytest.raises(ToolError, match=why):
        calculate(expr)


def test_unit_conversion():
    assert convert_units(1, "km", "m")["result"] == 1000
    assert convert_units(100, "c", "f")["result"] == pytest.approx(212)
    assert convert_units(32, "f", "k")["result"] == pytest.approx(273.15)
    assert convert_units(1, "lb", "g")["result"] == pytest.approx(453.59237)
    with pytest.raises(ToolError, match="cannot convert length"):
        convert_units(1, "m", "kg")


def test_registry_validates_before_running():
    reg = default_registry()
    assert call_tool(reg, "check_stock", {"item": "Apple"})["stock"] == INVENTORY["apple"]["stock"]
    assert call_tool(reg, "list_items", {"category": "dairy"})["items"] == {"cheese": 9, "milk": 40}
    with pytest.raises(ToolError, match="unknown tool"):
        call_tool(reg, "rm_rf", {})
    with pytest.raises(ToolError, match="invalid arguments at value"):
        call_tool(reg, "convert_units", {"value": "ten", "from_unit": "m", "to_unit": "cm"})
    with pytest.raises(ToolError, match="invalid arguments at expression"):
        call_tool(reg, "calculator", {"expression": "open('x')"})   # blocked by the pattern
    with pytest.raises(ToolError, match="required"):
        call_tool(reg, "check_stock", {})
    with pytest.raises(ToolError, match="no item"):
        call_tool(reg, "check_stock", {"item": "caviar"})
    before = {k: dict(v) for k, v in INVENTORY.items()}
    call_tool(reg, "check_stock", {"item": "bread"})
    assert INVENTORY == before                                        # no side effects


def test_specs_are_valid_canonical_tools():
    import jsonschema

    for spec in tool_specs(default_registry()):
        assert set(spec) == {"name", "description", "parameters"}
        jsonschema.Draft202012Validator.check_schema(spec["parameters"])
