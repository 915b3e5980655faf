"""Projection at corpus scale: stream sentences through the pipeline into Parquet shards that resume and verify.

The input (a UTF-8 text file with one sentence per line, or a JSON-lines file with a ``text`` field) is cut into
shards of ``shard_size`` lines. Shard *k* covers input lines ``k * shard_size + 1`` to ``(k + 1) * shard_size``
(1-based, as an editor numbers them) and is written atomically as ``shard-{k:06d}.parquet``, one row per input line
with its ``line`` number. Lines end at ``\\n`` only (a ``\\r\\n`` ending loses its ``\\r``; a lone ``\\r`` stays
inside its sentence) and a UTF-8 byte-order mark is dropped.

Resume verifies what it finds. Before the first shard, ``run_manifest.json`` records the input (its SHA-256 and
line count), the shard size, the pipeline (its models) and the settings; a rerun with another input, shard size,
pipeline or settings refuses with one line naming what differs, or starts over with ``overwrite=True``
(``--overwrite``). A shard counts as done only when it reads back with exactly the lines of its range; a truncated
or unreadable one is projected again. :func:`summarize` never stops at a bad shard: it reports it, and the missing
lines, so a caller can refuse to call the run complete. Every byte read is hashed: when the input read is not the
one the run started from (a line edited or appended meanwhile), the manifest records it, the run stays incomplete
and :class:`InputChangedError` says to rerun with ``--overwrite``.

A line that cannot be read (a byte that is not UTF-8, invalid JSON, a JSON value without a string ``text``) or a
sentence the pipeline raises on becomes a discarded row with its reason and line number; the run goes on. Under
``accelerate launch`` process *r* of *n* takes the shards with ``k % n == r``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ..base.errors import CropHfError, InputError
from ..base.folder_lock import FolderLock
from ..base.resumable import fingerprint_dir, manifest_problem, read_manifest, write_json
from ..core.corpus_input import (  # noqa: F401  (InputLine, read_lines, LINE_REASONS: part of this module's interface)
    LINE_REASONS,
    PIPELINE_ERROR,
    InputLine,
    check_corpus_input,
    one_line,
    read_lines,
)
from ..core.filters import RAW_LANGUAGE
from ..core.projection import EMPTY, LANGID_ERROR, MODEL_ERROR, UNDECODABLE, WRONG_TYPE
from .projection_options import OptionError, ProjectionOptions

logger = logging.getLogger(__name__)

SUMMARY_NAME = "summary.json"
MANIFEST_NAME = "run_manifest.json"
MANIFEST_FORMAT = 1
_MAX_LISTED_LINES = 1000
# discard reasons given before any model runs on a sentence
_BEFORE_THE_MODEL = frozenset({*LINE_REASONS, EMPTY, UNDECODABLE, WRONG_TYPE, LANGID_ERROR, RAW_LANGUAGE})


class InputChangedError(InputError):
    """The input file changed while a corpus projection read it: the run is incomplete, rerun with overwrite."""


@dataclass
class ProjectionSummary:
    """What a corpus projection produced, summed over all shards."""

    sentences: int = 0
    kept: int = 0
    drops: dict[str, int] = field(default_factory=dict)  # discards by reason, model errors apart (below)
    model_errors: int = 0  # sentences a tokenizer or model raised on: a fault of the run, not of the sentence
    first_model_error: str | None = None  # "line N: <error>" of the first of them
    entities: dict[str, int] = field(default_factory=dict)
    shards: int = 0
    lines_expected: int | None = None  # input lines, from the run manifest (None without one)
    input_changed: str | None = None  # the input changed while the run read it (from the run manifest)
    bad_shards: list[str] = field(default_factory=list)
    discarded_lines: dict[str, list[int]] = field(default_factory=dict)  # unreadable lines by reason (first 1000)

    @property
    def kept_ratio(self) -> float:
        return self.kept / self.sentences if self.sentences else 0.0

    @property
    def complete(self) -> bool:
        """Every input line has its row in a good shard."""
        complete = not self.bad_shards and self.lines_expected is not None and self.sentences == self.lines_expected
        return complete and self.input_changed is None

    @property
    def model_failed(self) -> bool:
        """Nothing kept, and every sentence that reached the models failed there (``model_error``).

        Drops decided before any model runs (empty or unreadable lines, the raw-text language check) do not count
        against it: a corpus of those and model errors is a run whose models could not run, not a poor corpus.
        """
        return self.kept == 0 and self.model_errors > 0 and all(reason in _BEFORE_THE_MODEL for reason in self.drops)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kept_ratio": round(self.kept_ratio, 4), "complete": self.complete}


class ProjectionFailedError(CropHfError):
    """A corpus projection in which every sentence that reached the models failed (see ``model_failed``)."""


# The columns of a shard row, in order (see result_row).
SHARD_COLUMNS = ("line", "text", "lang", "kept", "reason", "detail", "tokens", "tags", "entities", "english",
                 "labeled_translation")  # fmt: skip


def result_row(line: int, result: Mapping[str, Any]) -> dict[str, Any]:
    """One pipeline result (a dict) as a shard row; the one place that knows its shape."""
    out = {name: result.get(name) for name in SHARD_COLUMNS}
    out["line"] = line
    out["kept"] = bool(out["kept"])
    out["tokens"], out["tags"] = list(out["tokens"] or []), list(out["tags"] or [])
    out["entities"] = json.dumps(out["entities"] or [], ensure_ascii=False)
    return out


def discarded_row(line: int, text: str | None, lang: str, reason: str, detail: str | None) -> dict[str, Any]:
    """The row of a line that was not projected (same columns as :func:`result_row`)."""
    return result_row(line, {"text": text, "lang": lang, "kept": False, "reason": reason, "detail": detail})


def projection_manifest(
    projector: Any, input_path: str | Path, src_lang: str, shard_size: int, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """What a run's shards depend on: the input's content, the shard size, the pipeline's models, the settings (the
    decoding among them: the call's, else the pipeline's)."""
    digest, lines, size = hashlib.sha256(), 0, 0
    last = b"\n"
    with Path(input_path).open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            lines += block.count(b"\n")
            size += len(block)
            last = block[-1:]
    lines += last != b"\n"
    recorded = {"src_lang": src_lang, "decoding": getattr(projector, "decoding", "free"), **settings}
    return {
        "format": MANIFEST_FORMAT,
        "input": {"name": Path(input_path).name, "sha256": digest.hexdigest(), "bytes": size, "lines": lines},
        "shard_size": shard_size,
        "pipeline": pipeline_identity(projector),
        "settings": json.loads(json.dumps(recorded, sort_keys=True, default=str)),
    }


def project_corpus(
    projector: Any,
    input_path: str | Path,
    output_dir: str | Path,
    src_lang: str,
    options: ProjectionOptions | None = None,
    *,
    process_index: int = 0,
    num_processes: int = 1,
    progress: bool = True,
    overwrite: bool = False,
    barrier: Callable[[], None] | None = None,
    **settings: Any,
) -> list[Path]:
    """Project every line of ``input_path`` into shards under ``output_dir``; return the shards written now.

    ``options`` (default: :class:`~crop_hf.projection.projection_options.ProjectionOptions`' defaults), with any of its fields
    given as ``settings`` in place (``shard_size=100, check_language=False``), says how: ``shard_size`` and
    ``batch_size``, and the matching and filter options of each pipeline call. Its backend is the pipeline's
    (``options.load_options()`` go to ``pipeline(...)``); naming another one here is an error.
    ``barrier`` (``PartialState().wait_for_everyone`` under ``accelerate launch``) keeps the processes together
    while the main one checks and (re)writes the run manifest, and at the end, when the main one writes
    ``summary.json``. Raises :class:`ProjectionFailedError` (every process) when every sentence that reached the
    models failed there, naming the first error: a pipeline that cannot run keeps nothing and must not pass.
    """
    from tqdm.auto import tqdm

    options = ProjectionOptions.from_mapping(settings, options)
    check_corpus_input(input_path)
    backend = getattr(projector, "backend", None)
    if options.backend is not None and options.backend != backend:
        raise OptionError("backend", options.backend, f"the pipeline generates with {backend}; pass backend= to "
                          "pipeline('crop-projection', ...) instead")  # fmt: skip
    shard_size = options.shard_size
    out = Path(output_dir)
    manifest = projection_manifest(projector, input_path, src_lang, shard_size, options.recorded())
    with FolderLock(out, "crop-hf project") if process_index == 0 else nullcontext():  # one writer per folder
        start_over = _check_manifest(out, manifest, overwrite)  # every process decides the same, before any writes
        wait = barrier or (lambda: None)
        wait()
        if process_index == 0:
            out.mkdir(parents=True, exist_ok=True)
            if start_over:
                _clear(out)
            write_json(out / MANIFEST_NAME, manifest)
        wait()
        written: list[Path] = []
        bar = tqdm(desc=f"project {src_lang} (process {process_index})", unit="sent", disable=not progress)
        read = hashlib.sha256()
        lines = read_lines(input_path, read)
        k = -1
        while chunk := list(islice(lines, shard_size)):
            k += 1
            shard = out / f"shard-{k:06d}.parquet"
            if k % num_processes != process_index:
                continue
            if shard.exists():
                if shard_is_complete(shard, chunk[0].number, len(chunk)):
                    continue
                logger.warning("%s is unreadable or misses lines; projecting its lines again", shard)
            rows = _project_chunk(projector, chunk, src_lang, options)
            _write_shard(rows, shard)
            written.append(shard)
            bar.update(len(chunk))
        bar.close()
        _check_input_read(out, manifest, read.hexdigest(), input_path, process_index == 0)
        wait()
        summary = summarize(out) if process_index == 0 else tally(out)  # every process reads; the main one writes
        if summary.model_failed:
            raise ProjectionFailedError(
                f"{out}: every sentence that reached the models failed ({summary.model_errors} model_error discards, "
                f"nothing kept); first error at {summary.first_model_error}"
            )
    return written


def shard_is_complete(shard: Path, first_line: int, n_lines: int) -> bool:
    """The shard reads back and holds exactly the rows of lines ``first_line .. first_line + n_lines - 1``."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(shard)  # every column, so damage anywhere in the file shows
        lines = table.column("line").to_pylist()
    except Exception:  # noqa: BLE001  (any unreadable file is a shard to redo)
        return False
    return set(SHARD_COLUMNS) <= set(table.column_names) and lines == list(range(first_line, first_line + n_lines))


def summarize(output_dir: str | Path) -> ProjectionSummary:
    """Sum the shards of ``output_dir`` and write ``summary.json``; bad shards are listed, never fatal."""
    summary = tally(output_dir)
    write_json(Path(output_dir) / SUMMARY_NAME, summary.to_dict())
    return summary


def tally(output_dir: str | Path) -> ProjectionSummary:
    """Sum the shards of ``output_dir`` (what :func:`summarize` writes), reading only."""
    out = Path(output_dir)
    manifest = read_manifest(out / MANIFEST_NAME) or {}
    summary = ProjectionSummary(lines_expected=manifest.get("input", {}).get("lines"))
    summary.input_changed = manifest.get("input_changed")
    shard_size = manifest.get("shard_size")
    drops: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    for shard in sorted(out.glob("shard-*.parquet")):
        try:
            table = _shard_rows(shard, shard_size, summary.lines_expected)
        except Exception as err:  # noqa: BLE001  (a bad shard is reported, never fatal)
            logger.warning("%s: not counted (%s); rerun the projection to redo it", shard, one_line(err))
            summary.bad_shards.append(shard.name)
            continue
        summary.shards += 1
        summary.sentences += len(table)
        for row in table:
            if row["kept"]:
                summary.kept += 1
                entities.update(e["entity_group"] for e in json.loads(row["entities"]))
                continue
            if row["reason"] == MODEL_ERROR:
                summary.model_errors += 1
                summary.first_model_error = summary.first_model_error or f"line {row['line']}: {row['detail']}"
                continue
            drops[row["reason"]] += 1
            listed = summary.discarded_lines.setdefault(row["reason"], []) if row["reason"] in LINE_REASONS else None
            if listed is not None and len(listed) < _MAX_LISTED_LINES:
                listed.append(row["line"])
    summary.drops, summary.entities = dict(drops), dict(entities)
    return summary


def pipeline_identity(projector: Any) -> dict[str, str]:
    """The models a pipeline runs (Hub id and revision, or local folder and its files' sizes and times)."""
    identity = {"class": type(projector).__name__}
    for role in ("model", "mt_model", "ner_model"):
        model = getattr(projector, role, None)
        config = getattr(model, "config", None)
        name = getattr(model, "name_or_path", None) or getattr(config, "_name_or_path", None)
        if name:
            identity[role] = _model_identity(str(name), getattr(config, "_commit_hash", None))
    return identity


# ----------------------------------------------------------------------------------------------------------
# helpers


def _project_chunk(
    projector: Any, chunk: Sequence[InputLine], src_lang: str, options: ProjectionOptions
) -> list[dict[str, Any]]:
    readable = [item for item in chunk if item.reason is None]
    results = iter(_project_texts(projector, [item.text or "" for item in readable], src_lang, options))
    return [
        result_row(item.number, next(results))
        if item.reason is None
        else discarded_row(item.number, item.text, src_lang, item.reason, item.detail)
        for item in chunk
    ]


def _project_texts(projector: Any, texts: list[str], src_lang: str, options: ProjectionOptions) -> list[Any]:
    """The pipeline's results (the options passed whole); when a batch raises, sentence by sentence, a sentence that
    raises becomes a discard.

    When every sentence of a batch of several raises, the error is the run's, not a sentence's: it propagates.
    """
    if not texts:
        return []
    try:
        results = list(projector(texts, src_lang=src_lang, batch_size=options.batch_size, options=options))
    except Exception as batch_error:  # noqa: BLE001
        results, failed = [], 0
        for text in texts:
            try:
                results.append(projector([text], src_lang=src_lang, batch_size=1, options=options)[0])
            except Exception as err:  # noqa: BLE001
                failed += 1
                detail = f"{type(err).__name__}: {one_line(err)}"
                results.append({"text": text, "lang": src_lang, "kept": False, "reason": PIPELINE_ERROR,
                                "detail": detail})  # fmt: skip
        if failed == len(texts) > 1:
            raise batch_error
        logger.warning("%d of %d sentences raised in the pipeline; kept as %s discards", failed, len(texts),
                       PIPELINE_ERROR)  # fmt: skip
    if len(results) != len(texts):
        raise RuntimeError(f"the pipeline returned {len(results)} results for {len(texts)} sentences")
    return results


def _shard_rows(shard: Path, shard_size: int | None, lines_expected: int | None) -> list[dict[str, Any]]:
    """A shard's rows; raises when it is unreadable or (given the run's shard size) misses lines of its range."""
    import pyarrow.parquet as pq

    rows = pq.read_table(shard, columns=["line", "kept", "reason", "detail", "entities"]).to_pylist()
    if shard_size:
        first = int(shard.stem.split("-")[1]) * shard_size + 1
        last = first + shard_size - 1 if lines_expected is None else min(first + shard_size - 1, lines_expected)
        if [r["line"] for r in rows] != list(range(first, last + 1)):
            raise ValueError(f"holds {len(rows)} rows, not lines {first}-{last}")
    return rows


def _check_manifest(out: Path, manifest: dict[str, Any], overwrite: bool) -> bool:
    """Whether the run must start over; raises when ``out`` holds another run and ``overwrite`` is off."""
    old = read_manifest(out / MANIFEST_NAME)
    shards = sorted(out.glob("shard-*.parquet")) if out.is_dir() else []
    found = [f"{len(shards)} shard(s)"] if shards else []
    problem = manifest_problem(out / MANIFEST_NAME, old, manifest, found, "projection", _projection_differences)
    if problem is None:
        return False
    if overwrite:
        logger.warning("%s %s: starting over (overwrite)", out, problem)
        return True
    raise InputError(f"{out} {problem}; rerun with the same input and settings, or pass --overwrite to start over")


def _check_input_read(out: Path, manifest: dict[str, Any], read_sha256: str, input_path: Any, main: bool) -> None:
    """Raise (after marking the run incomplete in its manifest) unless the input read is the one the run started
    from: an edit or an append while the run read the file leaves shards from two versions of it."""
    started = manifest["input"]["sha256"]
    if read_sha256 == started:
        return
    changed = (f"{input_path} changed while the projection read it (sha256 {started[:12]} at the start, "
               f"{read_sha256[:12]} as read)")  # fmt: skip
    if main:
        write_json(out / MANIFEST_NAME, {**manifest, "input_changed": changed})
    raise InputChangedError(
        f"{changed}: the shards in {out} do not all come from one version of it, so the run is incomplete; "
        "rerun with --overwrite (overwrite=True) to project the file as it is now"
    )


def _projection_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    parts = []
    if old.get("input", {}).get("sha256") != new["input"]["sha256"] or old.get("input_changed"):
        o, n = old.get("input", {}), new["input"]
        parts.append(f"input ({o.get('name')}: {o.get('lines')} lines, now {n['name']}: {n['lines']} lines, "
                     f"{old.get('input_changed') or 'other content'})")  # fmt: skip
    if old.get("shard_size") != new["shard_size"]:
        parts.append(f"shard_size ({old.get('shard_size')}, now {new['shard_size']})")
    for section in ("pipeline", "settings"):
        o, n = old.get(section, {}), new[section]
        for key in sorted(set(o) | set(n)):
            if o.get(key) != n.get(key):
                parts.append(f"{section} {key} ({o.get(key)!r}, now {n.get(key)!r})")
    return "; ".join(parts) or "settings"


def _clear(out: Path) -> None:
    for pattern in ("shard-*.parquet", "shard-*.tmp", SUMMARY_NAME, MANIFEST_NAME):
        for path in out.glob(pattern):
            path.unlink()


def _model_identity(name: str, commit: str | None) -> str:
    folder = Path(name)
    if not folder.is_dir():
        return f"{name}@{commit}" if commit else name
    return f"local folder {folder.name} (files {fingerprint_dir(folder)})"  # no path: a moved run still matches


def _write_shard(rows: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # one name per writer
    pq.write_table(pa.Table.from_pylist(rows, schema=_shard_schema()), tmp)
    tmp.replace(path)


def _shard_schema() -> Any:
    import pyarrow as pa

    text, words = pa.string(), pa.list_(pa.string())
    types = {"line": pa.int64(), "kept": pa.bool_(), "tokens": words, "tags": words}
    return pa.schema([(name, types.get(name, text)) for name in SHARD_COLUMNS])
