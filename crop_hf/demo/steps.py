"""The model stages of ``crop-hf demo`` (see :mod:`crop_hf.demo` for the order and the outputs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .loop import read_jsonl

LST_DIR = "models/lst"
NER_DIR = "models/english-ner"
CROP_DIR = "models/crop-ner"
PROJECTED = "data/projected.parquet"


def train_lst(out: Path, langs: Sequence[str], sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """Train the tiny M2M100 en->xx with slots and xx->en plain (crop-hf train-lst's code) and score its slots."""
    import torch

    from ..lst import train_lst_model
    from ..trainer import LabeledSeq2SeqTrainingArguments

    torch.manual_seed(seed)
    features = []
    for r in read_jsonl(out / "data" / "parallel_aligned.jsonl"):
        features.append({k: r[k] for k in ("src_tokens", "tgt_tokens", "phrases", "src_lang", "tgt_lang")})
        flipped = [[t0, t1, s0, s1] for s0, s1, t0, t1 in r["phrases"]]
        features.append({"src_tokens": r["tgt_tokens"], "tgt_tokens": r["src_tokens"], "phrases": flipped,
                         "src_lang": r["tgt_lang"], "tgt_lang": "en"})  # fmt: skip
    args = LabeledSeq2SeqTrainingArguments(
        output_dir=str(out / LST_DIR), max_steps=sizes["lst_steps"], per_device_train_batch_size=32,
        learning_rate=3e-3, warmup_steps=100, adam_beta2=0.98, weight_decay=0.0, label_smoothing_factor=0.1,
        logging_steps=100, save_steps=500, save_total_limit=1, report_to=[], use_cpu=not torch.cuda.is_available(),
        seed=seed,
    )  # fmt: skip
    trainer = train_lst_model(str(out / "models" / "m2m100-init"), features, args)
    history = [h for h in trainer.state.log_history if "loss" in h]
    return {
        "last_log": history[-1] if history else {},
        "steps": trainer.state.global_step,
        "training_pairs": len(features),
        **slot_quality(out, langs),
    }


def slot_quality(out: Path, langs: Sequence[str]) -> dict[str, Any]:
    """Slot boundary precision and well-formed rate of the LST model on test sentences with gold entities."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from ..languages import get_language
    from ..metrics import slot_boundary_precision, well_formed_rate
    from ..slots import parse_slots, wrap
    from ..tagging import tags_to_spans
    from ..translation import Translator

    model = AutoModelForSeq2SeqLM.from_pretrained(out / LST_DIR)
    translator = Translator(model, AutoTokenizer.from_pretrained(out / LST_DIR), batch_size=64)
    rows = list(read_jsonl(out / "data" / "test_parallel.jsonl"))
    precision: dict[str, float] = {}
    well_formed: dict[str, float] = {}
    for lang in langs:
        mine = [r for r in rows if r["lang"] == lang and tags_to_spans(r["src_tags"])]
        char = get_language(lang).char_level
        wrapped, gold = [], []
        for r in mine:
            src_spans, tgt_spans = tags_to_spans(r["src_tags"]), tags_to_spans(r["tgt_tags"])
            wrapped.append(wrap(r["src_tokens"], src_spans))
            gold.append({i: r["tgt_tokens"][tgt_spans[j].start : tgt_spans[j].end] for i, j in r["alignment"]})
        parsed = [parse_slots(t or "") for t in translator.translate(wrapped, "en", lang)]
        precision[lang] = round(slot_boundary_precision(parsed, gold, char_level=char), 4)
        well_formed[lang] = round(well_formed_rate(parsed), 4)
    return {"slot_boundary_precision": precision, "well_formed_rate": well_formed}


def project(out: Path, langs: Sequence[str]) -> dict[str, Any]:
    """Run the crop-projection pipeline over the raw sentences; score kept ones against their gold tags."""
    from transformers import pipeline

    from ..languages import get_language

    projector = pipeline("crop-projection", model=str(out / LST_DIR), ner_model=str(out / NER_DIR))
    projector.save_pretrained(out / "models" / "crop-projection")
    rows = list(read_jsonl(out / "data" / "raw.jsonl"))
    candidates = sorted({get_language(lang).langid_code for lang in [*langs, "en"]} - {None})
    per_lang: dict[str, Any] = {}
    projected_rows = []
    for lang in langs:
        mine = [r for r in rows if r["lang"] == lang]
        results = projector([r["text"] for r in mine], src_lang=lang, batch_size=64, langid_candidates=candidates)
        projected_rows.extend({"id": r["id"], **res.to_dict()} for r, res in zip(mine, results))
        per_lang[lang] = projection_quality(mine, results)
    _write_parquet(projected_rows, out / PROJECTED)
    return per_lang


def projection_quality(gold_rows: Sequence[dict[str, Any]], results: Sequence[Any]) -> dict[str, Any]:
    """P/R/F1 of the kept results against the gold tags of their rows, the kept ratio and drops per reason.

    A kept sentence whose tokens differ from the gold row's (the raw tokenizer split a word differently) cannot
    be scored and counts as a ``tokenisation`` drop.
    """
    from ..metrics import projection_scores
    from ..tagging import tags_to_spans

    gold, pred, drops = [], [], {}
    for row, res in zip(gold_rows, results):
        if res.kept and res.tokens == row["tokens"]:
            gold.append(tags_to_spans(row["tags"]))
            pred.append(tags_to_spans(res.tags))
        else:
            reason = res.reason or "tokenisation"
            drops[reason] = drops.get(reason, 0) + 1
    scores = projection_scores(gold, pred)
    return {
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
        "kept": len(pred),
        "total": len(gold_rows),
        "kept_ratio": round(len(pred) / max(1, len(gold_rows)), 4),
        "drops": drops,
    }


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    from datasets import Dataset

    path.parent.mkdir(parents=True, exist_ok=True)
    Dataset.from_list([{**r, "entities": json.dumps(r["entities"], ensure_ascii=False)} for r in rows]).to_parquet(
        str(path)
    )


def train_english_ner(out: Path, sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """The English NER model (also the zero-shot baseline): the tiny XLM-R trained on English gold."""
    from ..selftrain import train_ner

    result = train_ner(str(out / "models" / "xlmr-init"), _english(out), _ner_args(out / NER_DIR, sizes, seed))
    return {"train_loss": result.train_loss, "sentences": result.train_sentences, "steps": result.steps}


def selftrain(out: Path, langs: Sequence[str], sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """CROP's multilingual self-training (crop_hf.selftrain): English gold + projected sentences, then the
    discarded sentences re-labelled by the previous round's model, 2 rounds."""
    from ..ner_data import NerExample
    from ..selftrain import self_train

    projected, discarded = [], []
    for r in read_parquet(out / PROJECTED):
        if r["kept"]:
            projected.append(NerExample(r["tokens"], r["tags"], r["lang"], r["id"]))
        elif r["reason"] not in ("wrong_language", "too_long", "empty") and r["tokens"]:
            discarded.append(NerExample(r["tokens"], None, r["lang"], r["id"]))
    args = _ner_args(out / CROP_DIR, sizes, seed)
    result = self_train(str(out / "models" / "xlmr-init"), _english(out), projected, discarded, args)
    return {
        "model_dir": result.model_dir,
        "projected": len(projected),
        "discarded": len(discarded),
        "rounds": [
            {"round": r.round, "sentences": r.train_sentences, "train_loss": r.train_loss, "data": r.data}
            for r in result.rounds
        ],  # fmt: skip
    }


def evaluate(out: Path, langs: Sequence[str], crop_dir: str) -> dict[str, Any]:
    """Entity-level F1 per target language: zero-shot English model vs the CROP self-trained model."""
    from ..ner_data import NerExample
    from ..selftrain import evaluate_ner

    test = list(read_jsonl(out / "data" / "test.jsonl"))
    eval_sets = {lang: [NerExample(r["tokens"], r["tags"], lang, r["id"]) for r in test if r["lang"] == lang]
                 for lang in langs}  # fmt: skip
    results: dict[str, Any] = {lang: {} for lang in langs}
    for name, path in (("zero_shot", out / NER_DIR), ("crop", Path(crop_dir))):
        for lang, scores in evaluate_ner(path, eval_sets).items():
            results[lang][name] = round(scores.f1, 4)
    return results


def write_report(out: Path, metrics: dict[str, Any]) -> dict[str, Any]:
    """report.md and the plots, from the metrics of this run."""
    lines = ["# crop-hf demo report", "", "Built-in corpus, tiny models, CPU. Numbers from this run.", ""]
    lines += ["| lang | projection P | R | F1 | kept | zero-shot F1 | CROP F1 | slot precision |", "|---" * 8 + "|"]
    for lang in metrics["languages"]:
        p = metrics["projection"][lang]
        e = metrics["evaluation"][lang]
        sp = metrics["lst"]["slot_boundary_precision"].get(lang, float("nan"))
        lines.append(
            f"| {lang} | {p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f} | {p['kept']}/{p['total']} "
            f"| {e['zero_shot']:.3f} | {e['crop']:.3f} | {sp:.3f} |"
        )
    lines += ["", "Drops per reason:", ""]
    for lang in metrics["languages"]:
        lines.append(f"- {lang}: {metrics['projection'][lang]['drops']}")
    (out / "report.md").write_text("\n".join(lines) + "\n")
    plots = _plots(out, metrics)
    from ..model_card import CardInfo, projection_card, read_metrics

    pipeline_dir = out / "models" / "crop-projection"
    info = CardInfo(repo_id="crop-hf/crop-projection-tiny-demo", languages=list(metrics["languages"]),
                    training_data="the built-in synthetic corpus of crop-hf (crop_hf.synthetic)")  # fmt: skip
    projection_card(pipeline_dir, info, read_metrics(metrics), image_dir=pipeline_dir).save(pipeline_dir / "README.md")
    return {"report": str(out / "report.md"), "plots": plots, "model_card": str(pipeline_dir / "README.md")}


def read_parquet(path: Path):
    import pyarrow.parquet as pq

    yield from pq.read_table(path).to_pylist()


def _plots(out: Path, metrics: dict[str, Any]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    langs = metrics["languages"]
    fig, ax = plt.subplots(figsize=(6, 3))
    x = range(len(langs))
    ax.bar([i - 0.2 for i in x], [metrics["evaluation"][lang]["zero_shot"] for lang in langs], 0.4, label="zero-shot")
    ax.bar([i + 0.2 for i in x], [metrics["evaluation"][lang]["crop"] for lang in langs], 0.4, label="CROP")
    ax.set_xticks(list(x), langs)
    ax.set_ylabel("F1")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "f1_per_language.png")
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(langs, [metrics["projection"][lang]["kept_ratio"] for lang in langs])
    ax.set_ylabel("kept ratio")
    fig.tight_layout()
    fig.savefig(out / "kept_ratio_per_language.png")
    plt.close("all")
    return [str(out / "f1_per_language.png"), str(out / "kept_ratio_per_language.png")]


def _english(out: Path) -> list:
    from ..ner_data import NerExample

    return [
        NerExample(r["tokens"], r["tags"], "en", f"en-{i}")
        for i, r in enumerate(read_jsonl(out / "data" / "english.jsonl"))
    ]


def _ner_args(output_dir: Path, sizes: dict[str, int], seed: int):
    from ..selftrain import SelfTrainingArguments

    return SelfTrainingArguments(
        output_dir=str(output_dir), num_train_epochs=sizes["ner_epochs"], learning_rate=5e-4,
        per_device_train_batch_size=32, report_to=[], seed=seed, logging_steps=50,
    )  # fmt: skip
