"""Stage records: a stage runs once per set of inputs and settings, and is reused while they stay the same (what
each stage does is in :mod:`crop_hf.run.steps`, :mod:`~crop_hf.run.baselines` and :mod:`~crop_hf.run.lst_quality`).

Each stage writes ``<output_dir>/stages/<name>.json``: its fingerprint (a hash of its settings and of the
fingerprints of the stages it reads from), the settings themselves, its outputs, its result and its time. A rerun
with the same fingerprint reuses the record; a changed setting changes that stage's fingerprint and so the
fingerprint of every stage downstream of it, which rerun, while the stages before it are reused.

Under ``accelerate launch`` every process runs the runner: a stage marked ``everywhere`` (the training stages,
projection) runs on every process, the others on the main process only while the rest wait; the main process
writes the records and the others read their results from them.

A finished record also holds a print of the stage's outputs (names and sizes of their files): a stage whose outputs
were deleted or changed since is not reused but runs again (its outputs cleared first), and so does every stage
after a stage that ran. The run folder is locked for the run (:class:`~crop_hf.base.folder_lock.FolderLock`).

A stage that starts writes its record with ``"status": "running"`` first. When a rerun finds a record of the
same fingerprint still running (the process was killed), the stage runs again over its outputs, and the library
function it calls resumes from what it left (Trainer checkpoints, finished self-training rounds, Parquet
shards). When the fingerprint differs, the stage's outputs are deleted before it runs, so nothing trained under
other settings is resumed from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.resumable import write_json
from .recipe import RecipeError

logger = logging.getLogger(__name__)

# 2: the paths in a record's result are relative to the run folder, so that the folder can be moved and rerun;
# records of format 1 (paths relative to the working directory) are not reused.
# 3: scores in percent (crop_hf.run.scores); records of format 2 held fractions.
RECORD_FORMAT = 3


def in_run(root: str | Path, path: str | Path) -> str:
    """``path`` as a stage record keeps it: relative to the run folder ``root`` (posix) when it lies inside it."""
    target, base = Path(path).resolve(), Path(root).resolve()
    if target == base or base in target.parents:
        return target.relative_to(base).as_posix() or "."
    return str(path)


def check_output_dir(path: str | Path) -> Path:
    """The run folder, refused when it is empty text, the file-system root, the home folder or an existing regular
    file: a run writes ``data/``, ``models/``, ``stages/`` and more into it and may delete what a changed stage
    wrote."""
    if not str(path).strip():
        raise RecipeError("--output_dir is empty: name a folder for the run, e.g. --output_dir runs/demo")
    target = Path(path).expanduser()
    resolved = target.resolve()
    if resolved.exists() and not resolved.is_dir():
        raise RecipeError(f"--output_dir {path}: is an existing file, not a folder; name a new or run folder")
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise RecipeError(f"--output_dir {path}: refusing to write a run into {resolved}; name a folder of its own, "
                          "e.g. --output_dir runs/conll5")  # fmt: skip
    return target


def at(root: str | Path, recorded: str) -> str:
    """A recorded run-relative path as a path to open now (against the run folder's current place)."""
    return str(Path(root) / recorded)


@dataclass
class StageRecord:
    name: str
    seconds: float
    reused: bool
    fingerprint: str = ""
    result: Any = None


def read_result(kind: type | None, record: Mapping[str, Any] | None) -> Any:
    """A stage's result from its record: the dataclass ``kind`` (fields the record lacks at their defaults), or the
    record itself when the stage has no result type."""
    if kind is None:
        return dict(record or {})
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in (record or {}).items() if k in names})


def result_record(result: Any) -> Any:
    """What a stage record keeps of a result: the dataclass as a dict (JSON-ready)."""
    return dataclasses.asdict(result) if dataclasses.is_dataclass(result) and not isinstance(result, type) else result


@dataclass
class Stage:
    """One stage of a run, as the plan shows it and the runner executes it."""

    name: str
    description: str
    settings: dict[str, Any] = field(default_factory=dict)
    after: list[str] = field(default_factory=list)  # stages whose results this one reads
    inputs: list[str] = field(default_factory=list)  # files, datasets and models it reads (for the plan)
    outputs: list[str] = field(default_factory=list)  # paths under the output dir it writes
    fn: Callable[[], Any] | None = None
    everywhere: bool = False  # runs on every process of an accelerate launch (training, projection)
    result_type: type | None = None  # the dataclass of its result (crop_hf.run.results); None: a plain dict


class Processes:
    """The processes of an ``accelerate launch`` (a single one when the run is started plainly)."""

    def __init__(self) -> None:
        self.state = None
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            import torch
            from accelerate import PartialState

            # on CPUs a plain PartialState() gives each launched process a world of its own
            self.state = PartialState(cpu=not torch.cuda.is_available())

    @property
    def is_main(self) -> bool:
        return self.state is None or self.state.is_main_process

    @property
    def index(self) -> int:
        return 0 if self.state is None else self.state.process_index

    @property
    def count(self) -> int:
        return 1 if self.state is None else self.state.num_processes

    def wait(self) -> None:
        if self.state is not None:
            self.state.wait_for_everyone()


_PROCESSES: Processes | None = None


def processes() -> Processes:
    global _PROCESSES
    if _PROCESSES is None:
        _PROCESSES = Processes()
    return _PROCESSES


class StageRunner:
    """Run stages in order under ``output_dir``, reusing those whose fingerprint is unchanged."""

    def __init__(self, output_dir: str | Path, force: bool = False, echo: Callable[[str], None] = print) -> None:
        self.procs = processes()
        self.root = check_output_dir(output_dir)
        self.dir = self.root / "stages"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.force = force
        self.echo = echo if self.procs.is_main else (lambda message: None)
        self.records: list[StageRecord] = []
        self._fingerprints: dict[str, str] = {}
        self._ran: set[str] = set()  # stages run (not reused) by this runner: the stages after them run too

    def fingerprint(self, stage: Stage) -> str:
        upstream = {name: self._fingerprints[name] for name in stage.after}
        blob = json.dumps(
            {"settings": stage.settings, "after": upstream, "format": RECORD_FORMAT}, sort_keys=True, default=str
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def run(self, stage: Stage) -> Any:
        missing = [name for name in stage.after if name not in self._fingerprints]
        if missing:
            raise RuntimeError(f"stage {stage.name!r} needs {missing} to run first")
        fp = self.fingerprint(stage)
        self._fingerprints[stage.name] = fp
        path = self.dir / f"{stage.name}.json"
        self.procs.wait()  # every process sees the same records
        saved = _read(path) or {}
        step = f"[{len(self.records) + 1}] {stage.name}"
        done = saved.get("status") == "done" and saved.get("fingerprint") == fp and not self.force
        upstream = sorted(set(stage.after) & self._ran)
        gone = _gone(saved.get("outputs_print") or {}, self._print(stage.outputs)) if done else []
        if done and not upstream and not gone:
            record = StageRecord(
                stage.name, saved["seconds"], True, fp, read_result(stage.result_type, saved["result"])
            )
            self.echo(f"{step}: unchanged, reused ({saved['seconds']:.1f}s when it ran)")
            self.records.append(record)
            return record.result
        self._ran.add(stage.name)
        if self.procs.is_main:
            if saved and (saved.get("fingerprint") != fp or self.force or gone or upstream):
                why = (
                    "forced" if self.force
                    else f"its outputs changed since it ran ({', '.join(gone)})" if gone
                    else f"{', '.join(upstream)} ran again" if done
                    else _changed(saved.get("settings", {}), stage.settings) or "upstream changed"
                )  # fmt: skip
                self.echo(f"{step}: {why}; its earlier outputs are removed")
                self._clear(stage.outputs)
            elif saved:
                self.echo(f"{step}: resuming an interrupted run")
            self.echo(f"{step}: {stage.description} ...")
            write_json(
                path, {"status": "running", "fingerprint": fp, "settings": stage.settings, "outputs": stage.outputs}
            )
        self.procs.wait()
        start = time.perf_counter()
        assert stage.fn is not None
        result = stage.fn() if stage.everywhere or self.procs.is_main else None
        seconds = time.perf_counter() - start
        self.procs.wait()
        if self.procs.is_main:
            write_json(path, {"status": "done", "fingerprint": fp, "settings": stage.settings, "outputs": stage.outputs,
                          "outputs_print": self._print(stage.outputs), "seconds": seconds,
                          "result": result_record(result)})  # fmt: skip
        self.procs.wait()
        if not self.procs.is_main:  # the main process's result, as its record holds it
            result = read_result(stage.result_type, (_read(path) or {}).get("result"))
        self.echo(f"{step}: done in {seconds:.1f}s")
        record = StageRecord(stage.name, seconds, False, fp, result)
        self.records.append(record)
        return result

    def refresh_prints(self, stages: Sequence[Stage]) -> None:
        """Record the outputs as the whole run left them: a later stage may add to an earlier one's folder (the
        cards stage writes README.md into the model folders), which is not a change to rerun it for."""
        if not self.procs.is_main:
            return
        for stage in stages:
            path = self.dir / f"{stage.name}.json"
            saved = _read(path)
            if saved and saved.get("status") == "done":
                write_json(path, {**saved, "outputs_print": self._print(stage.outputs)})

    def _print(self, outputs: Sequence[str]) -> dict[str, str | None]:
        """Per output: a hash of the names and sizes of its files (a file: its size; ``metrics.json``, which the run
        rewrites after the report stage: that it exists), ``None`` when it is missing. Paths are relative, so a
        moved run folder keeps its prints."""
        prints: dict[str, str | None] = {}
        for rel in outputs:
            target = self.root / rel
            if target.is_dir():
                digest = hashlib.sha256()
                for file in sorted(p for p in target.rglob("*") if p.is_file() and not p.name.startswith(".")):
                    digest.update(f"{file.relative_to(target).as_posix()}\0{file.stat().st_size}\n".encode())
                prints[rel] = digest.hexdigest()[:16]
            elif target.is_file():
                prints[rel] = "exists" if target.name == "metrics.json" else str(target.stat().st_size)
            else:
                prints[rel] = None
        return prints

    def _clear(self, outputs: Sequence[str]) -> None:
        for rel in outputs:
            target = (self.root / rel).resolve()
            if self.root.resolve() not in target.parents:  # never outside the run's folder
                continue
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def _gone(recorded: Mapping[str, str | None], now: Mapping[str, str | None]) -> list[str]:
    """The outputs whose print differs from the one recorded when the stage finished (deleted or changed)."""
    return [rel for rel, value in recorded.items() if now.get(rel) != value]


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    keys = sorted(
        k for k in set(old) | set(new) if json.dumps(old.get(k), default=str) != json.dumps(new.get(k), default=str)
    )
    return f"settings changed ({', '.join(keys[:4])}{', ...' if len(keys) > 4 else ''})" if keys else ""


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
