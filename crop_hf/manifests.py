"""Run manifests: the JSON file of a resumable output folder that records what its results come from (the input,
model and settings), so that a rerun resumes only the same run (corpus projection, self-training)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path``; ``None`` when there is none, ``{"format": "unreadable"}`` when it is not JSON."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {"format": "unreadable"}


def manifest_problem(
    path: Path,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    found: Sequence[str],
    run: str,
    differences: Callable[[Mapping[str, Any], Mapping[str, Any]], str],
) -> str | None:
    """Why the folder of manifest ``path`` (``old`` read from it, ``found``: the results it holds) cannot take the
    ``run`` of manifest ``new``, as the end of "<folder> ..."; ``None`` when it can (same run, or a fresh folder)."""
    if old == new or (old is None and not found):
        return None
    if old is None:
        return f"holds {', '.join(found)} but no {path.name} to check them against"
    if old.get("format") != new["format"]:
        return f"holds a {path.name} that is unreadable or from another crop-hf version"
    return f"holds a {run} run with other {differences(old, new)}"
