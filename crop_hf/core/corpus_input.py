"""Reading a raw corpus for projection: one :class:`InputLine` per line, text kept whole, unreadable lines named.

A text file gives one sentence per line, a ``.jsonl`` file the ``text`` field of each line's object. Lines end at
``\\n`` only (a ``\\r\\n`` ending loses its ``\\r``; a lone ``\\r`` stays inside its sentence), a UTF-8 byte-order
mark is dropped, and the file is streamed, never loaded whole. A line that cannot be read (a byte that is not
UTF-8, invalid JSON, a JSON value without a string ``text``, a lone surrogate) comes back with ``text=None``, a
``reason`` and a ``detail`` naming its line, for the caller to keep as a discarded row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import InputError, one_line

# Discard reasons of lines that never reached the pipeline, and of sentences it raised on.
UNDECODABLE = "undecodable"
INVALID_JSON = "invalid_json"
NOT_TEXT = "not_text"
PIPELINE_ERROR = "pipeline_error"
LINE_REASONS = (UNDECODABLE, INVALID_JSON, NOT_TEXT, PIPELINE_ERROR)


@dataclass
class InputLine:
    """One input line: its text, or why it could not be read (``reason`` and ``detail``)."""

    number: int  # 1-based
    text: str | None
    reason: str | None = None
    detail: str | None = None


def read_lines(path: str | Path, digest: Any = None) -> Iterator[InputLine]:
    """Lines of a text file, or the ``text`` field of a ``.jsonl`` file; streamed, never loaded whole.

    ``digest`` (a ``hashlib`` object) is fed every byte as read: once the lines are exhausted it is the hash of the
    input this reader saw, to compare with the one a run started from.
    """
    path = Path(path)
    jsonl = path.suffix == ".jsonl"
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if digest is not None:
                digest.update(raw)
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            raw = raw[:-1] if raw.endswith(b"\r") else raw
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputLine(number, None, UNDECODABLE, f"line {number}: byte {err.start} is not UTF-8")
                continue
            yield _json_text(number, text) if jsonl else InputLine(number, text)


def check_corpus_input(input_path: str | Path) -> None:
    """One-line :class:`~crop_hf.base.errors.InputError` (a ``ValueError``) for an input file that cannot be projected,
    before any model loads or anything is written."""
    path = Path(input_path)
    if not path.is_file():
        raise InputError(f"input {path}: no such file; give a text file (one sentence per line) or a .jsonl file")
    if path.stat().st_size == 0:
        raise InputError(f"input {path}: the file is empty; give at least one sentence")


def _json_text(number: int, line: str) -> InputLine:
    if not line.strip():
        return InputLine(number, None, INVALID_JSON, f"line {number}: blank line")
    try:
        value = json.loads(line)
    except ValueError as err:
        return InputLine(number, None, INVALID_JSON, f"line {number}: invalid JSON ({one_line(err)})")
    text = value.get("text") if isinstance(value, dict) else None
    if not isinstance(text, str):
        got = f"'text' is {type(text).__name__}" if isinstance(value, dict) else f"a JSON {type(value).__name__}"
        return InputLine(number, None, NOT_TEXT, f"line {number}: expected an object with a string 'text', got {got}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return InputLine(number, None, UNDECODABLE, f"line {number}: 'text' holds a lone surrogate (\\ud800-\\udfff)")
    return InputLine(number, text)
