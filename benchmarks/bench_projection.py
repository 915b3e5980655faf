"""Projection quality per matching strictness: P/R/F1 against gold target tags and the kept ratio.

    python benchmarks/bench_projection.py --demo-dir demo_output [--langs es,de,zh]
    python benchmarks/bench_projection.py --pipeline DIR --raw-dir DIR [--langs es]

Uses the crop-projection pipeline and the raw sentences (with their gold tags, noise dialled in) that
``crop-hf demo`` saved (``--pipeline`` and ``--raw-dir`` name others: a saved pipeline and ``<lang>.jsonl`` files
with ``text``, ``tokens`` and ``tags``). The models run once; each strictness re-matches the same back-translations.
The last line is the ratio of sentences kept by the loosest strictness over the strictest, over all languages.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from transformers import pipeline

import crop_hf  # noqa: F401
from crop_hf.matching import STRICTNESS_LEVELS
from crop_hf.run.steps import projection_quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", default="demo_output")
    parser.add_argument("--pipeline", default=None, help="saved pipeline (default: DEMO_DIR/models/crop-projection)")
    parser.add_argument("--raw-dir", default=None, help="<lang>.jsonl with gold tags (default: DEMO_DIR/data/raw)")
    parser.add_argument("--langs", default=None)
    args = parser.parse_args()
    demo = Path(args.demo_dir)
    raw_dir = Path(args.raw_dir) if args.raw_dir else demo / "data" / "raw"
    projector = pipeline("crop-projection", model=args.pipeline or str(demo / "models" / "crop-projection"))
    langs = args.langs.split(",") if args.langs else sorted(p.stem for p in raw_dir.glob("*.jsonl"))
    kept = dict.fromkeys(STRICTNESS_LEVELS, 0)
    print(f"{'lang':5} {'strictness':10} {'P':>6} {'R':>6} {'F1':>6} {'kept':>6}")
    for lang in langs:
        mine = [json.loads(line) for line in (raw_dir / f"{lang}.jsonl").open(encoding="utf-8")]
        options = {"src_lang": lang, "check_raw_language": True, "langid_candidates": (lang, "en")}  # mixed raw text
        items = [projector.preprocess(r["text"], **options)["item"] for r in mine]
        outputs = projector._forward({"item": items})["item"]  # the models run once; matching redone per strictness
        for strictness in STRICTNESS_LEVELS:
            results = [projector.postprocess({"item": out}, strictness=strictness) for out in outputs]
            q = projection_quality(mine, results)
            kept[strictness] += q["kept"]
            print(
                f"{lang:5} {strictness:10} {q['precision']:6.3f} {q['recall']:6.3f} {q['f1']:6.3f} {q['kept_ratio']:6.3f}"
            )

    loose, strict = kept[STRICTNESS_LEVELS[-1]], kept[STRICTNESS_LEVELS[0]]
    ratio = f"{loose / strict:.3f}" if strict else "n/a (the strictest kept none)"
    print(f"ratio kept {STRICTNESS_LEVELS[-1]} / {STRICTNESS_LEVELS[0]}: {ratio} ({loose} / {strict} sentences)")


if __name__ == "__main__":
    main()
