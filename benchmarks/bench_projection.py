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

from _shared import add_demo_arguments, demo_inputs, read_raw  # benchmarks/_shared.py, beside this script
from transformers import pipeline

import crop_hf  # noqa: F401
from crop_hf.core.matching import STRICTNESS_LEVELS
from crop_hf.run.steps import projection_quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_demo_arguments(parser)
    args = parser.parse_args()
    path, raw_dir, langs = demo_inputs(args)
    projector = pipeline("crop-projection", model=path)
    kept = dict.fromkeys(STRICTNESS_LEVELS, 0)
    print(f"{'lang':5} {'strictness':10} {'P %':>6} {'R %':>6} {'F1 %':>6} {'kept %':>6}")
    for lang in langs:
        mine = read_raw(raw_dir, lang)
        options = {"src_lang": lang, "check_raw_language": True, "langid_candidates": (lang, "en")}  # mixed raw text
        items = [projector.preprocess(r["text"], **options)["item"] for r in mine]
        outputs = projector._forward({"item": items})["item"]  # the models run once; matching redone per strictness
        for strictness in STRICTNESS_LEVELS:
            results = [projector.postprocess({"item": out}, strictness=strictness) for out in outputs]
            q = projection_quality(mine, results)
            kept[strictness] += q["kept"]
            scores = [q["precision"], q["recall"], q["f1"], q["kept_percent"]]  # percent; None without gold tags
            print(f"{lang:5} {strictness:10} " + " ".join("     -" if x is None else f"{x:6.1f}" for x in scores))

    loose, strict = kept[STRICTNESS_LEVELS[-1]], kept[STRICTNESS_LEVELS[0]]
    ratio = f"{loose / strict:.3f}" if strict else "n/a (the strictest kept none)"
    print(f"ratio kept {STRICTNESS_LEVELS[-1]} / {STRICTNESS_LEVELS[0]}: {ratio} ({loose} / {strict} sentences)")


if __name__ == "__main__":
    main()
