"""Recipe values checked against the types they are meant to have, when the recipe is read (dry run included).

YAML 1.1 reads ``3e-4`` and ``1e3`` as strings (a float needs a dot: ``3.0e-4``), and ``--set`` values arrive the
same way; a stage would only fail on them when it starts, after the stages before it ran. Here each value of a
stage section (``lst``, ``ner``, ``selftrain``) is read against the type of its arguments-dataclass field, and the
other sections against the types listed in :mod:`crop_hf.run.recipe`: a number written as text becomes the
number, a whole float becomes an int where an int is meant, and anything else that does not fit is one error
naming the key, the value and what to write instead.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from typing import Any

_NONE = type(None)


class ValueProblem(ValueError):
    """A value that does not fit its type; the message says what fits (the caller adds the key)."""


def coerce(value: Any, hint: Any) -> Any:
    """``value`` read as ``hint`` (a type or a typing form): returned as it fits, or :class:`ValueProblem`."""
    kinds = _kinds(hint)
    if not kinds or object in kinds:
        return value
    if value is None:
        if _NONE in kinds:
            return None
        raise ValueProblem(f"null is not allowed here; give {_describe(kinds)}")
    if isinstance(value, bool):
        if bool in kinds:
            return value
        raise ValueProblem(f"expected {_describe(kinds)}, got {value!r}")
    if isinstance(value, (int, float)):
        return _number(value, kinds)
    if isinstance(value, str):
        if str in kinds or any(_is_enum(k) for k in kinds):
            return value
        if int in kinds or float in kinds:
            try:
                number = float(value)
            except ValueError:
                raise ValueProblem(f"expected {_describe(kinds)}, got {value!r}") from None
            return _number(number, kinds)
        if bool in kinds and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueProblem(f"expected {_describe(kinds)}, got {value!r}")
    if isinstance(value, Mapping):
        if dict in kinds or str in kinds:  # a JSON string field (e.g. lr_scheduler_kwargs) also takes a mapping
            return value
        raise ValueProblem(f"expected {_describe(kinds)}, got a mapping")
    if isinstance(value, list):
        if list in kinds or tuple in kinds:
            return value
        raise ValueProblem(f"expected {_describe(kinds)}, got a list")
    return value


def field_types(cls: type) -> dict[str, Any]:
    """The resolved annotation of each field of a dataclass (``from __future__ import annotations`` included)."""
    import dataclasses

    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls)}


def _number(value: int | float, kinds: set[type]) -> int | float:
    if isinstance(value, int):
        if int in kinds or float in kinds:  # an int is a valid float: kept as written
            return value
    elif float in kinds:
        return value
    elif int in kinds:
        if value.is_integer():
            return int(value)
        raise ValueProblem(f"expected a whole number, got {value!r}")
    if str in kinds:
        return value  # e.g. a run name of digits; the dataclass decides
    raise ValueProblem(f"expected {_describe(kinds)}, got {value!r}")


def _kinds(hint: Any) -> set[type]:
    """The plain classes a hint admits: ``Optional[Union[int, str]]`` -> {int, str, NoneType}."""
    if hint is Any or hint is None:
        return {object} if hint is Any else {_NONE}
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return set().union(*(_kinds(arg) for arg in typing.get_args(hint)))
    if origin is typing.Literal:
        return {type(arg) for arg in typing.get_args(hint)}
    if origin is not None:
        return {origin} if isinstance(origin, type) else {object}
    return {hint} if isinstance(hint, type) else {object}


def _is_enum(kind: type) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def _describe(kinds: set[type]) -> str:
    names = {int: "a whole number", float: "a number", str: "a string", bool: "true or false", dict: "a mapping",
             list: "a list", tuple: "a list", _NONE: "null"}  # fmt: skip
    words = sorted({names.get(k, "a string" if _is_enum(k) else k.__name__) for k in kinds})
    return " or ".join(words)
