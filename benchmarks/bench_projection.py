"""Projection quality per matching strictness: P/R/F1 against gold target tags and the kept ratio.

    python benchmarks/bench_projection.py --demo-dir demo_output [--langs es,de,zh]

Uses the crop-projection pipeline and the raw sentences (with their gold tags, noise dialled in) that
``crop-hf demo`` saved. The models run once; each strictness re-matches the same back-translations.
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
    parser.add_argument("--langs", default=None)
    args = parser.parse_args()
    demo = Path(args.demo_dir)
    projector = pipeline("crop-projection", model=str(demo / "models" / "crop-projection"))
    langs = args.langs.split(",") if args.langs else sorted(p.stem for p in (demo / "data" / "raw").glob("*.jsonl"))
    print(f"{'lang':5} {'strictness':10} {'P':>6} {'R':>6} {'F1':>6} {'kept':>6}")
    for lang in langs:
        mine = [json.loads(line) for line in (demo / "data" / "raw" / f"{lang}.jsonl").open(encoding="utf-8")]
        options = {"src_lang": lang, "check_raw_language": True, "langid_candidates": (lang, "en")}  # mixed raw text
        items = [projector.preprocess(r["text"], **options)["item"] for r in mine]
        outputs = projector._forward({"item": items})["item"]  # the models run once; matching redone per strictness
        for strictness in STRICTNESS_LEVELS:
            results = [projector.postprocess({"item": out}, strictness=strictness) for out in outputs]
            q = projection_quality(mine, results)
            print(
                f"{lang:5} {strictness:10} {q['precision']:6.3f} {q['recall']:6.3f} {q['f1']:6.3f} {q['kept_ratio']:6.3f}"
            )


if __name__ == "__main__":
    main()
