"""The exported API (``from crop_hf import ...``) documents its arguments in ``Args:`` sections, as SpanMarker and trl
do: each name a caller passes is listed there."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

import crop_hf

# Exports documented on another branch (issue 23: translation as a package); the entry goes when it is merged.
PENDING: set[str] = set()


def documented(obj: object) -> set[str]:
    """The names listed in the ``Args:`` section of ``obj``'s docstring (``name:`` or ``**kwargs:`` lines)."""
    doc = inspect.getdoc(obj) or ""
    section = doc.split("Args:", 1)[1] if "Args:" in doc else ""
    section = re.split(r"\n\S", section, maxsplit=1)[0]  # up to the next unindented line (Returns:, prose)
    return set(re.findall(r"^ {4}(\**\w+):", section, re.MULTILINE))


def passed_names(obj: object) -> set[str]:
    """What a caller passes: a function's parameters, a class's ``__init__`` parameters (or dataclass fields) that
    crop-hf defines."""
    if inspect.isclass(obj):
        if hasattr(obj, "BUILDER_CONFIG_CLASS"):  # a datasets builder: the config, the files, the builder's own
            return {"config_name", "data_dir", "**kwargs"}
        if dataclasses.is_dataclass(obj):  # the fields it adds (a field it only gives another default is its base's)
            inherited = {
                f.name for base in obj.__mro__[1:] if dataclasses.is_dataclass(base) for f in dataclasses.fields(base)
            }
            return {
                f.name for f in dataclasses.fields(obj) if f.init and f.name in vars(obj).get("__annotations__", {})
            } - inherited
        init = obj.__init__
        if not (getattr(init, "__module__", None) or "").startswith("crop_hf"):
            return set()  # an inherited __init__ (the datasets builders, crop-hf's errors): nothing crop-hf defines
        obj = init
    names = set()
    for p in inspect.signature(obj).parameters.values():
        if p.name in ("self", "cls"):
            continue
        names.add(f"**{p.name}" if p.kind is p.VAR_KEYWORD else f"*{p.name}" if p.kind is p.VAR_POSITIONAL else p.name)
    return names


@pytest.mark.parametrize("name", sorted(set(crop_hf._EXPORTS) - PENDING))
def test_exported_api_lists_its_arguments(name):
    obj = getattr(crop_hf, name)
    listed = documented(obj)
    assert listed, f"{name}: no Args: section"
    missing = passed_names(obj) - listed
    assert not missing, f"{name}: Args: does not list {sorted(missing)}"


def test_the_check_finds_an_undocumented_argument():
    def half(a: int, b: int) -> int:
        """Adds.

        Args:
            a: The first.

        Returns:
            The sum.
        """
        return a + b

    assert documented(half) == {"a"} and passed_names(half) - documented(half) == {"b"}
