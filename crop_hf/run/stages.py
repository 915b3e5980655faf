"""Resumable stages for long jobs: a stage that finished is recorded and not run again.

Each stage writes ``<output_dir>/stages/<name>.json`` with its result and timing once it completes; a later
run reads that file instead of redoing the work. Delete the file (or pass ``force``) to redo a stage.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class StageRecord:
    name: str
    seconds: float
    reused: bool
    result: dict[str, Any] = field(default_factory=dict)


class StageRunner:
    """Run named stages once per output directory, logging progress and timing."""

    def __init__(self, output_dir: str | Path, force: bool = False, echo: Callable[[str], None] = print) -> None:
        self.dir = Path(output_dir) / "stages"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.force = force
        self.echo = echo
        self.records: list[StageRecord] = []

    def run(self, name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        path = self.dir / f"{name}.json"
        if path.exists() and not self.force:
            saved = json.loads(path.read_text())
            record = StageRecord(name, saved["seconds"], True, saved["result"])
            self.echo(f"[{len(self.records) + 1}] {name}: done before ({saved['seconds']:.1f}s then), reused")
        else:
            self.echo(f"[{len(self.records) + 1}] {name} ...")
            start = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - start
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"seconds": seconds, "result": result}, indent=2, ensure_ascii=False))
            tmp.replace(path)
            record = StageRecord(name, seconds, False, result)
            self.echo(f"[{len(self.records) + 1}] {name}: {seconds:.1f}s")
        self.records.append(record)
        return record.result
