"""What ``crop-hf inspect PATH`` can show, found on disk: a pipeline, projection shards, a run's results.

:func:`find_sources` looks at PATH once and says what is there: a saved pipeline folder (``crop_projection.json``),
a Hub id (a pipeline to load), a corpus-projection folder (``shard-*.parquet`` and ``summary.json``, or one folder
per language holding them) or a run folder (``crop-hf run`` / ``crop-hf demo`` output: ``metrics.json``,
``models/crop-projection``, ``projected/<lang>/``). Anything else raises :class:`InspectError` with one line that
names PATH and the fix.

:class:`Corpus` and :class:`RunResults` read those files into plain rows and tables for the app's views. They import
no gradio and no model code, so they are tested (and usable) without the ``app`` extra.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import InputError

PIPELINE_CONFIG = (
    "crop_projection.json"  # crop_hf.projection.config.CONFIG_NAME (not imported: that module loads the Hub)
)
SHARD_GLOB = "shard-*.parquet"
SUMMARY = "summary.json"
METRICS = "metrics.json"
RUN_PIPELINE = Path("models") / "crop-projection"
RUN_PROJECTED = "projected"
ALL = "all"
# the Run table's first columns: F1 per language beside the paper's, then projection and the LST model
_FIRST_SECTIONS = ("evaluation", "paper", "projection", "lst")
KEPT, DISCARDED = "kept", "discarded"


class InspectError(InputError):
    """PATH holds nothing the app can show; the message names PATH and what to pass instead."""


@dataclass
class Sources:
    """What one PATH holds: a pipeline (folder or Hub id), projection folders, a run folder."""

    pipeline: str | None = None
    corpus: list[Path] = field(default_factory=list)
    run: Path | None = None

    def describe(self) -> str:
        parts = [f"pipeline {self.pipeline}"] if self.pipeline else []
        if self.corpus:
            parts.append(f"{len(self.corpus)} projection folder(s)")
        if self.run:
            parts.append(f"run {self.run}")
        return ", ".join(parts)


def find_sources(path: str | Path) -> Sources:
    """What ``path`` holds; raises :class:`InspectError` when it is missing or holds none of the four kinds."""
    folder = Path(path).expanduser()
    if not folder.exists():
        if _looks_like_repo_id(str(path)):
            return Sources(pipeline=str(path))
        raise InspectError(
            f"{path}: no such folder; pass a pipeline folder, a crop-hf project output, a run folder (make demo "
            "writes demo_output) or a Hub id such as your-username/crop-projection-es"
        )
    if not folder.is_dir():
        raise InspectError(f"{path}: a file, not a folder; pass the folder that holds it")
    sources = Sources()
    if (folder / PIPELINE_CONFIG).is_file():
        sources.pipeline = str(folder)
    if (folder / METRICS).is_file() or (folder / RUN_PIPELINE / PIPELINE_CONFIG).is_file():
        sources.run = folder
        if (folder / RUN_PIPELINE / PIPELINE_CONFIG).is_file():
            sources.pipeline = str(folder / RUN_PIPELINE)
        sources.corpus = shard_folders(folder / RUN_PROJECTED)
    else:
        sources.corpus = shard_folders(folder)
    if not (sources.pipeline or sources.corpus or sources.run):
        raise InspectError(
            f"{path}: holds no crop-projection pipeline ({PIPELINE_CONFIG}), projection shards ({SHARD_GLOB}) or "
            f"run results ({METRICS}); pass a folder written by save_pretrained, crop-hf project or crop-hf run/demo"
        )
    return sources


def shard_folders(folder: Path) -> list[Path]:
    """``folder`` itself when it holds shards, else its sub-folders that do (one per language), sorted."""
    if not folder.is_dir():
        return []
    if any(folder.glob(SHARD_GLOB)):
        return [folder]
    return sorted(sub for sub in folder.iterdir() if sub.is_dir() and any(sub.glob(SHARD_GLOB)))


@dataclass
class Corpus:
    """Every row of one or more projection folders (entities parsed), and their ``summary.json`` where present."""

    rows: list[dict[str, Any]]
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)  # folder -> summary.json
    unreadable: list[str] = field(default_factory=list)  # "<file>: why": shards and summaries left out

    @classmethod
    def load(cls, folders: Iterable[str | Path]) -> Corpus:
        """The rows of every shard; a shard that is not Parquet or lacks the columns, an ``entities`` value or a
        ``summary.json`` that is not JSON are left out and listed in ``unreadable`` (the view says so)."""
        import pyarrow.parquet as pq

        rows: list[dict[str, Any]] = []
        summaries: dict[str, dict[str, Any]] = {}
        unreadable: list[str] = []
        paths = [Path(f) for f in folders]
        for folder in paths:
            for shard in sorted(folder.glob(SHARD_GLOB)):
                try:
                    table = pq.read_table(shard)
                except Exception as err:  # noqa: BLE001 - any Arrow error: the file is named and left out
                    unreadable.append(f"{shard.name}: not a readable Parquet file ({type(err).__name__})")
                    continue
                missing = sorted(SHARD_COLUMNS - set(table.column_names))
                if missing:
                    unreadable.append(f"{shard.name}: lacks the columns {', '.join(missing)}")
                    continue
                for row in table.to_pylist():
                    row["entities"] = _entities(row.get("entities"))
                    if row["entities"] is None:
                        unreadable.append(f"{shard.name} line {row.get('line')}: entities are not JSON")
                        row["entities"] = []
                    row["id"] = len(rows)
                    rows.append(row)
            if (folder / SUMMARY).is_file():
                summary = _json_file(folder / SUMMARY)
                if isinstance(summary, dict):
                    summaries[str(folder)] = summary
                else:
                    unreadable.append(f"{folder.name}/{SUMMARY}: not a JSON object")
        if not rows:
            why = f" ({'; '.join(unreadable[:3])})" if unreadable else ""
            raise InspectError(f"{', '.join(map(str, paths))}: no readable {SHARD_GLOB}{why}; run crop-hf project "
                               "first, or again with --overwrite")  # fmt: skip
        return cls(rows, summaries, unreadable)

    def languages(self) -> list[str]:
        return sorted({r["lang"] for r in self.rows if r.get("lang")})

    def reasons(self) -> list[str]:
        return sorted({r["reason"] for r in self.rows if not r["kept"] and r.get("reason")})

    def methods(self) -> list[str]:
        return sorted({e["method"] for r in self.rows for e in r["entities"]})

    def select(self, lang: str = ALL, status: str = ALL, reason: str = ALL, method: str = ALL) -> list[dict[str, Any]]:
        """The rows of ``lang`` that are kept / discarded, dropped for ``reason``, with an entity matched by
        ``method`` (``"all"`` for no filter)."""
        out = []
        for row in self.rows:
            if lang != ALL and row.get("lang") != lang:
                continue
            if status != ALL and row["kept"] != (status == KEPT):
                continue
            if reason != ALL and (row["kept"] or row.get("reason") != reason):
                continue
            if method != ALL and not any(e["method"] == method for e in row["entities"]):
                continue
            out.append(row)
        return out


def reason_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Discarded sentences per reason (``summary.json``'s ``drops``), largest first."""
    return dict(Counter(r["reason"] for r in rows if not r["kept"]).most_common())


def method_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Entities of the kept sentences per match method (exact, crop, fuzzy, ...), largest first."""
    return dict(Counter(e["method"] for r in rows if r["kept"] for e in r["entities"]).most_common())


def row_summary(row: Mapping[str, Any]) -> list[Any]:
    """One line of the corpus table: line, language, kept, reason, entities, text."""
    entities = ", ".join(f"{e['word']} ({e['entity_group']})" for e in row["entities"])
    return [row["line"], row.get("lang"), "yes" if row["kept"] else "no", row.get("reason") or "", entities,
            row.get("text") or ""]  # fmt: skip


CORPUS_HEADERS = ["line", "lang", "kept", "reason", "entities", "text"]


@dataclass
class RunResults:
    """A run folder's ``metrics.json`` (read whatever keys it has), its plots and ``report.md``."""

    root: Path
    metrics: dict[str, Any]

    @classmethod
    def load(cls, root: str | Path) -> RunResults:
        root = Path(root)
        path = root / METRICS
        if not path.is_file() or not _inside(root, path):
            return cls(root, {})
        try:
            metrics = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        except json.JSONDecodeError as err:
            raise InspectError(f"{path}: not valid JSON ({err}); rerun crop-hf run to write it again") from None
        if not isinstance(metrics, dict):
            raise InspectError(f"{path}: holds a JSON {type(metrics).__name__}, not the object crop-hf run writes; "
                               "rerun crop-hf run to write it again")  # fmt: skip
        return cls(root, metrics)

    def languages(self) -> list[str]:
        return [str(x) for x in self.metrics.get("languages") or []]

    def language_table(self) -> tuple[list[str], list[list[Any]]]:
        """One row per language, one column per per-language value found anywhere in ``metrics.json``.

        A section keyed by language (``{"evaluation": {"es": {"crop": 65.2}}}``) gives ``evaluation.crop``; a value
        keyed by language inside a section (``{"lst": {"entity_accuracy": {"es": 72.0}}}``) gives
        ``lst.entity_accuracy``. A nested count table (``drops``) becomes one ``reason: n`` cell. So new
        keys (translate-train F1, spBLEU, a ``paper`` block) appear without a change here.
        """
        langs = self.languages()
        columns: dict[str, dict[str, Any]] = {}
        for path, lang, value in _per_language(self.metrics, set(langs), ()):
            columns.setdefault(".".join(path), {})[lang] = value
        order = sorted(columns, key=lambda c: _FIRST_SECTIONS.index(c.split(".")[0]) if c.split(".")[0]
                       in _FIRST_SECTIONS else len(_FIRST_SECTIONS))  # fmt: skip
        return ["lang", *order], [[lang, *(_cell(columns[c].get(lang)) for c in order)] for lang in langs]

    def stage_table(self) -> list[list[Any]]:
        """[stage, seconds, reused] per stage, in run order."""
        stages = self.metrics.get("stages") or {}
        return [[name, s.get("seconds"), "yes" if s.get("reused") else "no"]
                for name, s in stages.items() if isinstance(s, Mapping)]  # fmt: skip

    def plots(self) -> list[Path]:
        return sorted(p for p in self.root.glob("*.png") if _inside(self.root, p))

    def report(self) -> str | None:
        """``report.md`` as text (bytes that are not UTF-8 replaced); a link leading outside the run is not read."""
        path = self.root / "report.md"
        if not path.is_file():
            return None
        if not _inside(self.root, path):
            return f"(report.md links to a file outside {self.root.name}: not shown)"
        return path.read_text(encoding="utf-8", errors="replace")


SHARD_COLUMNS = frozenset({"line", "kept", "text", "entities"})


def _entities(value: Any) -> list[dict[str, Any]] | None:
    """A shard's ``entities`` cell parsed (``None`` when it is not a JSON list of objects)."""
    try:
        entities = json.loads(value or "[]")
    except (TypeError, ValueError):
        return None
    ok = isinstance(entities, list) and all(isinstance(e, dict) for e in entities)
    return entities if ok else None


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        return None


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (a link followed) lies inside the folder ``root``: the app shows nothing from elsewhere."""
    target, base = path.resolve(), root.resolve()
    return target == base or base in target.parents


def _per_language(node: Any, langs: set[str], path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str, Any]]:
    if not isinstance(node, Mapping) or path[:1] == ("stages",):
        return
    for key, value in node.items():
        if key in langs and path:
            if isinstance(value, Mapping):
                for sub, leaf in value.items():
                    yield (*path, str(sub)), key, leaf
            else:
                yield path, key, value
        elif key not in langs:
            yield from _per_language(value, langs, (*path, str(key)))


def _cell(value: Any) -> Any:
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, float):
        return round(value, 4)
    return value


def _looks_like_repo_id(text: str) -> bool:
    if text.count("/") != 1 or text.startswith((".", "/", "~")):
        return False
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(text)
    except HFValidationError:
        return False
    return True
