"""Recipe YAML read within bounds: a recipe is a short text file, and reading one must fail fast, in one line.

:func:`load_yaml` is ``yaml.safe_load`` (no Python tags) plus: at most :data:`MAX_BYTES` bytes, UTF-8 text only (no
NUL), no key twice in one mapping, at most :data:`MAX_DEPTH` levels of nesting and :data:`MAX_NODES` values once
aliases are expanded (a "billion laughs" file is refused before anything is built from it). Every refusal is a
:class:`YamlLimitError` naming what and where.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 100_000


class YamlLimitError(ValueError):
    """A YAML text that is not a recipe: too big, binary, nested too deep, aliases expanding too far, a key twice."""


def load_yaml(data: bytes | str, what: str) -> Any:
    """The value of the YAML ``data`` (one document), read within the bounds above; ``what`` names it in errors."""
    if len(data) > MAX_BYTES:
        raise YamlLimitError(f"{what}: {len(data)} bytes, more than a recipe's {MAX_BYTES}: is it the right file?")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise YamlLimitError(f"{what}: not UTF-8 text (byte {err.start}): give a YAML text file") from None
    if "\0" in data:
        raise YamlLimitError(f"{what}: holds NUL characters, so it is a binary file: give a YAML text file")
    loader = _Loader(data)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, 0, what)
        return loader.construct_document(node)
    except RecursionError:
        raise YamlLimitError(f"{what}: nested deeper than {MAX_DEPTH} levels: a recipe is a few levels deep") from None
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise YamlLimitError(f"line {key_node.start_mark.line + 1}: the key {key!r} is given twice in one "
                                     "mapping; keep one (YAML would silently keep the last)")  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep)


def _expanded_size(node: Any, memo: dict[int, int], depth: int, what: str) -> int:
    """The number of values ``node`` stands for once every alias is expanded (each shared node counted each time it
    is used); raises past :data:`MAX_NODES` or :data:`MAX_DEPTH` (a node that contains itself hits the latter)."""
    if depth > MAX_DEPTH:
        raise YamlLimitError(f"{what}: nested deeper than {MAX_DEPTH} levels (or an alias inside its own anchor)")
    if id(node) in memo:
        return memo[id(node)]
    value = node.value
    if isinstance(value, list):
        children = [c for pair in value for c in pair] if value and isinstance(value[0], tuple) else value
        size = 1 + sum(_expanded_size(child, memo, depth + 1, what) for child in children)
    else:
        size = 1
    if size > MAX_NODES:
        raise YamlLimitError(f"{what}: its aliases expand to more than {MAX_NODES} values: a recipe is a few dozen")
    memo[id(node)] = size
    return size
