"""``crop-hf demo``: the whole CROP loop, offline, on the built-in corpus with tiny models.

Stages (each recorded in ``<output_dir>/stages/`` and reused by the next run):

1. ``corpus``: parallel training pairs, English NER data, raw target sentences (with gold tags kept aside
   for scoring), target test sets;
2. ``models``: a SentencePiece model with the slot markers, a tiny M2M100 and a tiny XLM-R;
3. ``align``: eflomal word alignment of the parallel pairs, phrase pairs for the slots;
4. ``train_lst``: one tiny M2M100 trained en->xx with slots (LabeledSeq2SeqTrainer) and xx->en plain, so it
   serves as both the LST model and the MT model of the pipeline;
5. ``train_ner``: the English NER model (the zero-shot baseline);
6. ``project``: the crop-projection pipeline over the raw sentences, scored against their gold tags;
7. ``selftrain``: the multilingual model on English gold + projected target data, re-labelling discards;
8. ``evaluate`` and ``report``: zero-shot vs CROP F1 per language, ``metrics.json``, ``report.md``, plots.

``metrics.json`` keys:

- ``languages``: the target languages of the run;
- ``lst``: ``steps``, ``training_pairs``, ``last_log`` (loss, ``loss_translation``, ``loss_labeled``),
  ``slot_boundary_precision`` and ``well_formed_rate`` per language (held-out pairs, gold entities wrapped);
- ``english_ner``: ``train_loss``, ``sentences``, ``steps`` of the English (zero-shot) model;
- ``projection``: per language ``precision``, ``recall``, ``f1`` (entities of kept raw sentences against gold),
  ``kept``, ``total``, ``kept_ratio`` and ``drops`` (count per discard reason or filter name);
- ``selftrain``: ``model_dir`` (the last round), ``projected``, ``discarded`` and per round the data counts;
- ``evaluation``: per language ``zero_shot`` and ``crop`` entity-level F1 on the target test set;
- ``stages``: per stage ``seconds`` and whether it was ``reused`` from an earlier run.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..run.stages import StageRunner
from .synthetic import SYNTHETIC_LANGUAGES, NoiseConfig, generate_corpus

logger = logging.getLogger(__name__)

PRESETS = ("tiny", "conll5", "xtreme40")
RAW_NOISE = NoiseConfig(wrong_language=0.05)


def run_demo(
    output_dir: str | Path = "demo_output",
    preset: str = "tiny",
    langs: Sequence[str] | None = None,
    size: float = 1.0,
    force: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """Run (or resume) the demo and return the metrics written to ``metrics.json``."""
    if preset not in PRESETS:
        raise ValueError(f"--preset {preset!r}: use one of {', '.join(PRESETS)}")
    if preset != "tiny":
        from ..presets import check_real_preset

        check_real_preset(preset)  # fails early and clearly without the Hub or a GPU
    langs = list(langs or SYNTHETIC_LANGUAGES)
    out = Path(output_dir)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    runner = StageRunner(out, force=force)
    sizes = _sizes(size)
    runner.run("corpus", lambda: build_corpus(out / "data", langs, sizes, seed))
    runner.run("models", lambda: build_models(out / "models", seed))
    runner.run("align", lambda: align_parallel(out / "data", langs))
    from . import steps as demo_steps

    lst = runner.run("train_lst", lambda: demo_steps.train_lst(out, langs, sizes, seed))
    ner = runner.run("train_ner", lambda: demo_steps.train_english_ner(out, sizes, seed))
    projection = runner.run("project", lambda: demo_steps.project(out, langs))
    selftrain = runner.run("selftrain", lambda: demo_steps.selftrain(out, langs, sizes, seed))
    evaluation = runner.run("evaluate", lambda: demo_steps.evaluate(out, langs, selftrain["model_dir"]))
    metrics = {
        "languages": langs,
        "lst": lst,
        "english_ner": ner,
        "projection": projection,
        "selftrain": selftrain,
        "evaluation": evaluation,
        "stages": {r.name: {"seconds": round(r.seconds, 2), "reused": r.reused} for r in runner.records},
    }
    runner.run("report", lambda: demo_steps.write_report(out, metrics))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    print(f"done: {out / 'report.md'} and {out / 'metrics.json'}")
    return metrics


def _sizes(size: float) -> dict[str, int]:
    def scaled(n: int) -> int:
        return max(1, int(round(n * size)))

    return {
        "parallel_per_lang": scaled(1000),
        "raw_per_lang": scaled(250),
        "test_per_lang": scaled(150),
        "english_ner": scaled(2000),
        "lst_steps": scaled(2000),
        "ner_epochs": 10,
    }


def build_corpus(data_dir: Path, langs: Sequence[str], sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """Write the demo's data as JSON lines; return the counts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, Any] = {}
    files = {
        "parallel": (generate_corpus(langs, sizes["parallel_per_lang"], seed, NoiseConfig(), "train"), [_pair_row]),
        "raw": (generate_corpus(langs, sizes["raw_per_lang"], seed, RAW_NOISE, "raw"), [_target_row]),
        "test": (
            generate_corpus(langs, sizes["test_per_lang"], seed, NoiseConfig(), "test"),
            [_target_row, _pair_row],
        ),
    }
    for name, (examples, rows) in files.items():
        outputs = [(data_dir / f"{name}.jsonl").open("w", encoding="utf-8")]
        if len(rows) > 1:
            outputs.append((data_dir / f"{name}_parallel.jsonl").open("w", encoding="utf-8"))
        n = 0
        for ex in examples:
            for f, row in zip(outputs, rows):
                f.write(json.dumps(row(ex), ensure_ascii=False) + "\n")
            n += 1
        for f in outputs:
            f.close()
        counts[name] = n
    english = [r for r in read_jsonl(data_dir / "parallel.jsonl")][: sizes["english_ner"]]
    with (data_dir / "english.jsonl").open("w", encoding="utf-8") as f:
        for r in english:
            f.write(json.dumps({"tokens": r["src_tokens"], "tags": r["src_tags"], "lang": "en"}) + "\n")
    counts["english"] = len(english)
    return counts


def build_models(models_dir: Path, seed: int) -> dict[str, Any]:
    """Tokenizer and randomly initialised tiny models."""
    from ..tagging import CONLL
    from .tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece

    spm = train_sentencepiece(corpus_texts(seed=seed), models_dir / "spm.model", vocab_size=2000)
    make_tiny_m2m100(models_dir / "m2m100-init", spm, seed=seed)
    make_tiny_xlmr(models_dir / "xlmr-init", spm, CONLL.labels, seed=seed)
    return {"spm": str(spm), "m2m100": str(models_dir / "m2m100-init"), "xlmr": str(models_dir / "xlmr-init")}


def align_parallel(data_dir: Path, langs: Sequence[str]) -> dict[str, Any]:
    """Phrase pairs for the slots of each parallel pair, written to ``parallel_aligned.jsonl``.

    With eflomal installed (``crop-hf[align]``) the phrase pairs come from word alignment; without it the demo
    falls back to the corpus's gold entity alignment and says so in the result (``source``).
    """
    rows = list(read_jsonl(data_dir / "parallel.jsonl"))
    from ..alignment import align_corpus, eflomal_available
    from ..languages import get_language

    source = "eflomal" if eflomal_available() else "gold entity alignment (eflomal is not installed)"
    for lang in langs:
        mine = [r for r in rows if r["lang"] == lang]
        if source == "eflomal":
            aligned = align_corpus(
                (r["src_tokens"] for r in mine),
                (r["tgt_tokens"] for r in mine),
                char_level_target=get_language(lang).char_level,
                progress=False,
            )
            for r, pair in zip(mine, aligned):
                r["phrases"] = [[p.src_start, p.src_end, p.tgt_start, p.tgt_end] for p in pair.phrases]
        else:
            for r in mine:
                r["phrases"] = _gold_phrases(r)
    with (data_dir / "parallel_aligned.jsonl").open("w", encoding="utf-8") as f:  # the input of crop-hf train-lst
        for r in rows:
            r["src_lang"], r["tgt_lang"] = "en", r["lang"]
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    per_lang = {
        lang: round(sum(len(r["phrases"]) for r in rows if r["lang"] == lang) / max(1, len(rows)) * len(langs), 2)
        for lang in langs
    }
    return {"pairs": len(rows), "source": source, "phrase_pairs_per_sentence": per_lang}


def _gold_phrases(row: dict[str, Any]) -> list[list[int]]:
    from ..tagging import tags_to_spans

    src, tgt = tags_to_spans(row["src_tags"]), tags_to_spans(row["tgt_tags"])
    return [[src[i].start, src[i].end, tgt[j].start, tgt[j].end] for i, j in row["alignment"]]


def read_jsonl(path: Path):
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _pair_row(ex) -> dict[str, Any]:
    return {
        "id": ex.id,
        "lang": ex.lang,
        "src_tokens": ex.src_tokens,
        "src_tags": ex.src_tags,
        "tgt_tokens": ex.tgt_tokens,
        "tgt_tags": ex.tgt_tags,
        "alignment": ex.alignment,
    }


def _target_row(ex) -> dict[str, Any]:
    return {"id": ex.id, "lang": ex.lang, "text": ex.tgt_text, "tokens": ex.tgt_tokens, "tags": ex.tgt_tags,
            "noise": ex.noise}  # fmt: skip
