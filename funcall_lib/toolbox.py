"""A small registry of local, side-effect-free tools for the tool-execution loop.

Each tool is a Python function plus the JSON Schema the model sees. `call_tool` validates the
model's arguments against that schema (jsonschema) before the function runs, so a function only
ever receives arguments of the declared shape. Nothing here evaluates text: the calculator walks
the syntax tree of an arithmetic expression and accepts numbers, + - * / ** %, unary signs and
parentheses, nothing else.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Callable


class ToolError(ValueError):
    """A tool call that cannot run: unknown tool, invalid arguments, or a domain error."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict              # JSON Schema of the arguments object
    fn: Callable[..., object]

    def spec(self) -> dict:
        """The canonical tool record ({"name", "description", "parameters"})."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


# ---------------------------------------------------------------- calculator

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
MAX_EXPRESSION = 200
MAX_EXPONENT = 64
MAX_BITS = 1024


def _eval_node(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval_node(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval_node(node.left), _eval_node(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolError(f"exponent {right} is larger than {MAX_EXPONENT}")
        try:
            value = _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ToolError("division by zero") from None
        except OverflowError:
            raise ToolError("result too large") from None
        if isinstance(value, int) and value.bit_length() > MAX_BITS:  # (9**64)**64**64 ...
            raise ToolError("result too large")
        return value
    raise ToolError(f"not allowed in an arithmetic expression: {type(node).__name__}")


def calculate(expression: str) -> dict:
    """Value of an arithmetic expression: numbers, + - * / ** %, parentheses."""
    if len(expression) > MAX_EXPRESSION:
        raise ToolError(f"expression longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ToolError(f"not an arithmetic expression: {exc.msg}") from None
    value = _eval_node(tree.body)
    if isinstance(value, complex):  # (-8) ** 0.5
        raise ToolError("the result is not a real number")
    return {"expression": expression, "result": value}


# ---------------------------------------------------------------- unit converter

# Factors to a base unit per dimension (metre, kilogram, litre); temperature is affine.
_UNITS = {
    "length": {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048,
               "yd": 0.9144, "mi": 1609.344},
    "mass": {"g": 0.001, "kg": 1.0, "lb": 0.45359237, "oz": 0.028349523125},
    "volume": {"ml": 0.001, "l": 1.0, "gal": 3.785411784, "cup": 0.2365882365},
}
_TEMPS = {"c": (1.0, 0.0), "f": (5 / 9, -32.0), "k": (1.0, -273.15)}  # (scale, offset) to Celsius
ALL_UNITS = sorted({u for table in _UNITS.values() for u in table} | set(_TEMPS))


def _dimension(unit: str) -> str:
    if unit in _TEMPS:
        return "temperature"
    return next(dim for dim, table in _UNITS.items() if unit in table)


def convert_units(value: float, from_unit: str, to_unit: str) -> dict:
    """Convert a quantity between units of the same dimension."""
    dim = _dimension(from_unit)
    if dim != _dimension(to_unit):
        raise ToolError(f"cannot convert {dim} ({from_unit}) to {_dimension(to_unit)} ({to_unit})")
    if dim == "temperature":
        scale, offset = _TEMPS[from_unit]
        celsius = (value + offset) * scale
        scale, offset = _TEMPS[to_unit]
        result = celsius / scale - offset
    else:
        result = value * _UNITS[dim][from_unit] / _UNITS[dim][to_unit]
    return {"value": value, "from_unit": from_unit, "to_unit": to_unit, "result": round(result, 6)}


# ---------------------------------------------------------------- store inventory

INVENTORY = {  # read-only: the tools look things up, they never change stock
    "apple": {"category": "fruit", "stock": 120, "price": 0.4},
    "banana": {"category": "fruit", "stock": 0, "price": 0.25},
    "bread": {"category": "bakery", "stock": 14, "price": 2.9},
    "croissant": {"category": "bakery", "stock": 6, "price": 1.6},
    "milk": {"category": "dairy", "stock": 40, "price": 1.1},
    "cheese": {"category": "dairy", "stock": 9, "price": 5.5},
}


def check_stock(item: str) -> dict:
    """Stock and price of one item of the store."""
    key = item.strip().lower()
    if key not in INVENTORY:
        raise ToolError(f"no item {item!r} in the store; known: {', '.join(sorted(INVENTORY))}")
    return {"item": key, **INVENTORY[key], "in_stock": INVENTORY[key]["stock"] > 0}


def list_items(category: str) -> dict:
    """Items of a category with their stock."""
    items = {k: v["stock"] for k, v in sorted(INVENTORY.items()) if v["category"] == category}
    return {"category": category, "items": items}


# ---------------------------------------------------------------- registry

def default_registry() -> dict[str, Tool]:
    """name -> Tool for the bundled tools."""
    tools = [
        Tool("calculator", "Evaluate an arithmetic expression (numbers, + - * / ** %, parentheses).",
             {"type": "object", "properties": {"expression": {
                 "type": "string", "pattern": "^[0-9+*/%(). eE-]+$"}}, "required": ["expression"]}, calculate),
        Tool("convert_units", "Convert a quantity between units of length, mass, volume or "
             "temperature.",
             {"type": "object", "properties": {"value": {"type": "number"},
                                               "from_unit": {"type": "string", "enum": ALL_UNITS},
                                               "to_unit": {"type": "string", "enum": ALL_UNITS}},
              "required": ["value", "from_unit", "to_unit"]}, convert_units),
        Tool("check_stock", "Stock level and price of an item in the store.",
             {"type": "object", "properties": {"item": {"type": "string", "maxLength": 40}},
              "required": ["item"]}, check_stock),
        Tool("list_items", "Items of one store category with their stock.",
             {"type": "object", "properties": {"category": {
                 "type": "string", "enum": sorted({v["category"] for v in INVENTORY.values()})}},
              "required": ["category"]}, list_items),
    ]
    return {t.name: t for t in tools}


def tool_specs(registry: dict[str, Tool]) -> list[dict]:
    return [t.spec() for t in registry.values()]


def call_tool(registry: dict[str, Tool], name: str, arguments: object) -> object:
    """Validate `arguments` against the tool's schema, then run it. Raises ToolError."""
    import jsonschema

    if name not in registry:
        raise ToolError(f"unknown tool {name!r}; offered: {', '.join(registry)}")
    tool = registry[name]
    if not isinstance(arguments, dict):
        raise ToolError(f"{name}: arguments must be a JSON object, got {type(arguments).__name__}")
    errors = sorted(jsonschema.Draft202012Validator(tool.parameters).iter_errors(arguments),
                    key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "arguments"
        raise ToolError(f"{name}: invalid arguments at {where}: {errors[0].message}")
    return tool.fn(**arguments)
