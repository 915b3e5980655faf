"""Projection at corpus scale: stream sentences through the pipeline into Parquet shards that resume.

The input (a text file with one sentence per line, or a JSON-lines file with a ``text`` field) is cut into
shards of ``shard_size`` lines. Shard *k* covers input lines ``[k * shard_size, (k + 1) * shard_size)`` and is
written atomically as ``shard-{k:06d}.parquet``; a restarted run skips the shards that exist, so a kill loses
at most the shard in flight and never duplicates rows. Under ``accelerate launch`` process *r* of *n* takes
the shards with ``k % n == r``; the main process writes the summary once all shards exist.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import count, islice
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SUMMARY_NAME = "summary.json"


@dataclass
class ProjectionSummary:
    """What a corpus projection produced, summed over all shards."""

    sentences: int = 0
    kept: int = 0
    drops: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    shards: int = 0

    @property
    def kept_ratio(self) -> float:
        return self.kept / self.sentences if self.sentences else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kept_ratio": round(self.kept_ratio, 4)}


def read_sentences(path: str | Path) -> Iterator[str]:
    """Lines of a text file, or the ``text`` field of a ``.jsonl`` file; streamed, never loaded whole."""
    path = Path(path)
    jsonl = path.suffix == ".jsonl"
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not jsonl:
                yield line
                continue
            try:
                yield json.loads(line)["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path.name} line {number}: expected a JSON object with a 'text' field") from err


def project_corpus(
    projector: Any,
    input_path: str | Path,
    output_dir: str | Path,
    src_lang: str,
    shard_size: int = 1000,
    batch_size: int = 32,
    process_index: int = 0,
    num_processes: int = 1,
    progress: bool = True,
    **pipeline_kwargs: Any,
) -> list[Path]:
    """Project every sentence of ``input_path`` into shards under ``output_dir``; return the shards written now."""
    from tqdm.auto import tqdm

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    sentences = read_sentences(input_path)
    bar = tqdm(desc=f"project {src_lang} (process {process_index})", unit="sent", disable=not progress)
    for k in count():
        chunk = list(islice(sentences, shard_size))
        if not chunk:
            break
        shard = out / f"shard-{k:06d}.parquet"
        if k % num_processes != process_index or shard.exists():
            continue
        results = projector(chunk, src_lang=src_lang, batch_size=batch_size, **pipeline_kwargs)
        rows = [shard_row(k * shard_size + i, r) for i, r in enumerate(results)]
        _write_shard(rows, shard)
        written.append(shard)
        bar.update(len(chunk))
    bar.close()
    return written


def summarize(output_dir: str | Path) -> ProjectionSummary:
    """Sum the shards of ``output_dir`` and write ``summary.json``."""
    import pyarrow.parquet as pq

    out = Path(output_dir)
    summary = ProjectionSummary()
    drops: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    for shard in sorted(out.glob("shard-*.parquet")):
        table = pq.read_table(shard, columns=["kept", "reason", "entities"]).to_pylist()
        summary.shards += 1
        summary.sentences += len(table)
        for row in table:
            if row["kept"]:
                summary.kept += 1
                entities.update(e["entity_group"] for e in json.loads(row["entities"]))
            else:
                drops[row["reason"]] += 1
    summary.drops, summary.entities = dict(drops), dict(entities)
    (out / SUMMARY_NAME).write_text(json.dumps(summary.to_dict(), indent=2))
    return summary


def shard_row(line: int, result: dict[str, Any]) -> dict[str, Any]:
    """One shard row: the input's line number and the pipeline's result (a dict; ``entities`` as JSON text)."""
    return {"line": line, **result, "entities": json.dumps(result["entities"], ensure_ascii=False)}


def _write_shard(rows: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pylist(rows), tmp)
    tmp.replace(path)
