"""What several benchmarks share: the model shapes they build, and a demo run's saved pipeline and raw text.

Imported by the scripts beside it (``python benchmarks/bench_x.py`` puts this folder on the import path).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

SHAPES = {  # the LST/MT model's shape; "tiny" only checks that a script runs (the suite's smoke test)
    "m2m100_418M": {
        "d_model": 1024,
        "layers": 12,
        "heads": 16,
        "ffn_dim": 4096,
        "max_positions": 1024,
        "num_beams": 5,
    },
    "tiny": {"d_model": 32, "layers": 2, "heads": 2, "ffn_dim": 64, "max_positions": 128},
}


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """``--demo-dir``, ``--pipeline``, ``--raw-dir`` and ``--langs``: where a demo run's pipeline and raw text are."""
    parser.add_argument("--demo-dir", default="demo_output")
    parser.add_argument("--pipeline", default=None, help="saved pipeline (default: DEMO_DIR/models/crop-projection)")
    parser.add_argument("--raw-dir", default=None, help="<lang>.jsonl with gold tags (default: DEMO_DIR/data/raw)")
    parser.add_argument("--langs", default=None)


def demo_inputs(args: argparse.Namespace) -> tuple[str, Path, list[str]]:
    """The saved pipeline's folder, the raw-text folder and the languages that :func:`add_demo_arguments` name."""
    demo = Path(args.demo_dir)
    raw_dir = Path(args.raw_dir) if args.raw_dir else demo / "data" / "raw"
    langs = args.langs.split(",") if args.langs else sorted(p.stem for p in raw_dir.glob("*.jsonl"))
    return args.pipeline or str(demo / "models" / "crop-projection"), raw_dir, langs


def read_raw(raw_dir: Path, lang: str) -> list[dict[str, Any]]:
    """The raw lines of one language (``text``, ``tokens``, gold ``tags``)."""
    return [json.loads(line) for line in (raw_dir / f"{lang}.jsonl").open(encoding="utf-8")]
