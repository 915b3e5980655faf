"""Resumable output folders, in one place: what a crop-hf run writes so that a killed run resumes and a changed one
does not.

- :func:`write_json` and :func:`atomic_text`: a file appears whole or not at all (written beside it, then
  renamed), so a kill never leaves half a record, manifest or JSON-lines file behind;
- :func:`fingerprint_dir`: a short hash of a folder's file names, sizes and modification times, the cheap test of
  "did this data or model folder change" used by the builders' caches, corpus projection and the run's stages;
- run manifests (:func:`read_manifest`, :func:`manifest_problem`): the JSON file of a resumable folder that
  records what its results come from (the input, model and settings), so that a rerun resumes only the same run
  (corpus projection, self-training).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

_MAX_FINGERPRINT_FILES = 10_000


def write_json(path: str | Path, data: Any) -> None:
    """``data`` as indented UTF-8 JSON at ``path``, atomically (values JSON cannot hold are written as text)."""
    with atomic_text(path) as f:
        f.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def atomic_text(path: str | Path) -> Iterator[IO[str]]:
    """A UTF-8 text file to write that becomes ``path`` only when the block ends without an error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # one name per writer: two never share a temporary
    try:
        with tmp.open("w", encoding="utf-8") as f:
            yield f
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def fingerprint_dir(folder: str | os.PathLike) -> str | None:
    """A short hash of the relative paths, sizes and mtimes of the files under ``folder`` (hidden folders left out;
    at most the first 10,000 files); ``None`` when it is not a folder."""
    root = Path(folder)
    if not root.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(_walk_files(root)):
        stat = path.stat()
        digest.update(f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


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


def _walk_files(root: Path) -> Iterator[Path]:
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in (f for f in files if not f.startswith(".")):  # a lock file is not content
            seen += 1
            if seen > _MAX_FINGERPRINT_FILES:
                return
            yield Path(folder) / name
