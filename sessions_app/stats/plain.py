"""The statistics' own objects as plain JSON values, and the JSON Schema of that form from their type hints.

The statistics as JSON (`GET /api/session/<id>/stats`) are the very `Dashboard` and `Watchlist` objects
the pages render, turned into plain values here, field by field; the OpenAPI schema of that answer is
read from the same classes' annotations. So a figure added to a section appears in the page's object,
the JSON and its schema at once, and none is computed twice.

Dates become ISO 8601 strings (also as keys: the heatmap's days), Decimals (ratings) numbers, tuples
arrays, enums their value; read-only properties with a return annotation (an overview's `hours`, a
group's `average`) are included beside the fields.
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache


def _properties(cls: type) -> list[str]:
    """The class's annotated read-only properties, in definition order."""
    return [
        name
        for name, value in vars(cls).items()
        if isinstance(value, property) and "return" in getattr(value.fget, "__annotations__", {})
    ]


def plain(value: object) -> object:
    """`value` as JSON's values: dicts, lists, strings, numbers, booleans and None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out.update({name: plain(getattr(value, name)) for name in _properties(type(value))})
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


_BASIC: dict[object, dict] = {
    int: {"type": "integer"},
    float: {"type": "number"},
    Decimal: {"type": "number"},
    str: {"type": "string"},
    bool: {"type": "boolean"},
    date: {"type": "string", "format": "date"},
    dict: {"type": "object"},  # a collection's part, as TMDB gives it
    object: {},  # a FilmRef's value: a rating, a count, a runtime or a date, as the section says
}


def schema(hint: object) -> dict:
    """The OpenAPI (3.0) schema of `plain()` of a value of this type."""
    if hint in _BASIC:
        return dict(_BASIC[hint])
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        inner = schema(options[0]) if len(options) == 1 else {"anyOf": [schema(a) for a in options]}
        return {**inner, "nullable": True} if type(None) in args else inner
    if origin is list:
        return {"type": "array", "items": schema(args[0])}
    if origin is tuple:
        return {
            "type": "array",
            "items": {"anyOf": [schema(a) for a in dict.fromkeys(args)]} if len(set(args)) > 1 else schema(args[0]),
            "minItems": len(args),
            "maxItems": len(args),
        }
    if origin is dict:
        return {"type": "object", "additionalProperties": schema(args[1])}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"type": "string", "enum": [member.value for member in hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return copy.deepcopy(_dataclass_schema(hint))  # the caller may extend it; the cached one stays
    raise TypeError(f"no JSON schema for {hint!r}")


@cache
def _dataclass_schema(cls: type) -> dict:
    hints = typing.get_type_hints(cls)
    properties = {f.name: schema(hints[f.name]) for f in dataclasses.fields(cls)}
    for name in _properties(cls):
        fget = typing.cast(property, vars(cls)[name]).fget
        properties[name] = {**schema(typing.get_type_hints(fget)["return"]), "readOnly": True}
    return {"type": "object", "title": cls.__name__, "properties": properties, "required": list(properties)}
