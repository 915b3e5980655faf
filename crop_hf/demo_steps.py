"""The model stages of ``crop-hf demo`` (see :mod:`crop_hf.demo` for the order and the outputs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .demo import read_jsonl

LST_DIR = "models/lst"
NER_DIR = "models/english-ner"
CROP_DIR = "models/crop-ner"
PROJECTED = "data/projected.parquet"


def train_lst(out: Path, langs: Sequence[str], sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """Train the tiny M2M100 en->xx with slots and xx->en plain; save it where the pipeline loads it."""
    import torch
    from datasets import Dataset
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from .collator import DataCollatorForLabeledSeq2Seq
    from .trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments

    torch.manual_seed(seed)
    rows = list(read_jsonl(out / "data" / "parallel_aligned.jsonl"))
    features = []
    for r in rows:
        features.append(
            {"src_tokens": r["src_tokens"], "tgt_tokens": r["tgt_tokens"], "phrases": r["phrases"], "src_lang": "en",
             "tgt_lang": r["lang"]}
        )  # fmt: skip
        flipped = [[t0, t1, s0, s1] for s0, s1, t0, t1 in r["phrases"]]
        features.append(
            {"src_tokens": r["tgt_tokens"], "tgt_tokens": r["src_tokens"], "phrases": flipped, "src_lang": r["lang"],
             "tgt_lang": "en"}
        )  # fmt: skip
    init = out / "models" / "m2m100-init"
    tokenizer = AutoTokenizer.from_pretrained(init)
    model = AutoModelForSeq2SeqLM.from_pretrained(init)
    args = LabeledSeq2SeqTrainingArguments(
        output_dir=str(out / "checkpoints" / "lst"),
        max_steps=sizes["lst_steps"],
        per_device_train_batch_size=32,
        learning_rate=3e-3,
        warmup_steps=100,
        adam_beta2=0.98,
        weight_decay=0.0,
        label_smoothing_factor=0.1,
        logging_steps=100,
        save_steps=500,
        save_total_limit=1,
        report_to=[],
        use_cpu=not torch.cuda.is_available(),
        seed=seed,
        disable_tqdm=False,
        dataloader_num_workers=0,
    )
    collator = DataCollatorForLabeledSeq2Seq(tokenizer, max_slots=args.max_slots, seed=seed)
    trainer = LabeledSeq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(features),
        data_collator=collator,
        processing_class=tokenizer,
    )
    checkpoint = _last_checkpoint(args.output_dir)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    trainer.save_model(str(out / LST_DIR))
    tokenizer.save_pretrained(out / LST_DIR)
    history = [h for h in trainer.state.log_history if "loss" in h]
    slot_metrics = slot_quality(out, langs)
    return {
        "train_loss": round(result.training_loss, 4),
        "last_log": history[-1] if history else {},
        "steps": trainer.state.global_step,
        "training_pairs": len(features),
        **slot_metrics,
    }


def slot_quality(out: Path, langs: Sequence[str]) -> dict[str, Any]:
    """Slot boundary precision and well-formed rate of the LST model on test sentences with gold entities."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from .languages import get_language
    from .metrics import slot_boundary_precision, well_formed_rate
    from .slots import parse_slots, wrap
    from .tagging import tags_to_spans
    from .translation import Translator

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


def _last_checkpoint(output_dir: str) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(output_dir) if Path(output_dir).is_dir() else None


def project(out: Path, langs: Sequence[str]) -> dict[str, Any]:
    """Run the crop-projection pipeline over the raw sentences; score kept ones against their gold tags."""
    from transformers import pipeline

    from .languages import get_language
    from .metrics import projection_scores
    from .tagging import tags_to_spans

    projector = pipeline("crop-projection", model=str(out / LST_DIR), ner_model=str(out / NER_DIR))
    projector.save_pretrained(out / "models" / "crop-projection")
    rows = list(read_jsonl(out / "data" / "raw.jsonl"))
    candidates = sorted({get_language(lang).langid_code for lang in [*langs, "en"]} - {None})
    per_lang: dict[str, Any] = {}
    projected_rows = []
    for lang in langs:
        mine = [r for r in rows if r["lang"] == lang]
        results = projector([r["text"] for r in mine], src_lang=lang, batch_size=64, langid_candidates=candidates)
        gold, pred, drops = [], [], {}
        for r, res in zip(mine, results):
            gold_spans = tags_to_spans(r["tags"]) if res.tokens == r["tokens"] else None
            if res.kept and gold_spans is not None:
                gold.append(gold_spans)
                pred.append(tags_to_spans(res.tags))
            else:
                drops[res.reason or "tokenisation"] = drops.get(res.reason or "tokenisation", 0) + 1
            projected_rows.append({"id": r["id"], **res.to_dict()})
        scores = projection_scores(gold, pred)
        per_lang[lang] = {
            "precision": round(scores.precision, 4),
            "recall": round(scores.recall, 4),
            "f1": round(scores.f1, 4),
            "kept": len(pred),
            "total": len(mine),
            "kept_ratio": round(len(pred) / max(1, len(mine)), 4),
            "drops": drops,
        }
    _write_parquet(projected_rows, out / PROJECTED)
    return per_lang


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    from datasets import Dataset

    path.parent.mkdir(parents=True, exist_ok=True)
    Dataset.from_list([{**r, "entities": json.dumps(r["entities"], ensure_ascii=False)} for r in rows]).to_parquet(
        str(path)
    )


def train_english_ner(out: Path, sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """The English NER model (also the zero-shot baseline): the tiny XLM-R trained on English gold."""
    english = list(read_jsonl(out / "data" / "english.jsonl"))
    return _train_token_classifier(out / "models" / "xlmr-init", english, out / NER_DIR, sizes["ner_epochs"], seed)


def selftrain(out: Path, langs: Sequence[str], sizes: dict[str, int], seed: int) -> dict[str, Any]:
    """Round 1: English gold + projected target sentences. Round 2: also the discarded raw sentences,
    re-labelled by the round-1 model (kept when it finds at least one entity)."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from .ner_data import predict_tags

    english = list(read_jsonl(out / "data" / "english.jsonl"))
    projected = list(read_jsonl_parquet(out / PROJECTED))
    kept = [{"tokens": r["tokens"], "tags": r["tags"]} for r in projected if r["kept"]]
    discarded = [r for r in projected if not r["kept"] and r["reason"] not in ("wrong_language", "too_long", "empty")]
    round1 = _train_token_classifier(
        out / NER_DIR, english + kept, out / CROP_DIR / "round_1", sizes["ner_epochs"], seed
    )
    model = AutoModelForTokenClassification.from_pretrained(out / CROP_DIR / "round_1")
    tokenizer = AutoTokenizer.from_pretrained(out / CROP_DIR / "round_1")
    relabelled = []
    for r, tags in zip(discarded, predict_tags(model, tokenizer, [r["tokens"] for r in discarded])):
        if any(t != "O" for t in tags):
            relabelled.append({"tokens": r["tokens"], "tags": tags})
    round2 = _train_token_classifier(
        out / CROP_DIR / "round_1", english + kept + relabelled, out / CROP_DIR / "round_2", sizes["ner_epochs"], seed
    )
    return {"projected_kept": len(kept), "relabelled": len(relabelled), "round_1": round1, "round_2": round2}


def evaluate(out: Path, langs: Sequence[str]) -> dict[str, Any]:
    """Entity-level F1 per target language: zero-shot English model vs the CROP self-trained model."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from .metrics import ner_scores
    from .ner_data import predict_tags

    test = list(read_jsonl(out / "data" / "test.jsonl"))
    results: dict[str, Any] = {}
    for name, path in (("zero_shot", out / NER_DIR), ("crop", out / CROP_DIR / "round_2")):
        model = AutoModelForTokenClassification.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        for lang in langs:
            mine = [r for r in test if r["lang"] == lang]
            pred = predict_tags(model, tokenizer, [r["tokens"] for r in mine])
            scores = ner_scores([r["tags"] for r in mine], pred)
            results.setdefault(lang, {})[name] = round(scores.f1, 4)
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
    return {"report": str(out / "report.md"), "plots": plots}


def read_jsonl_parquet(path: Path):
    from datasets import Dataset

    yield from Dataset.from_parquet(str(path))


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


def _train_token_classifier(init: Path, rows: list[dict], output: Path, epochs: int, seed: int) -> dict[str, Any]:
    import torch
    from datasets import Dataset
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
    )

    tokenizer = AutoTokenizer.from_pretrained(init)
    model = AutoModelForTokenClassification.from_pretrained(init)
    label2id = model.config.label2id

    def encode(batch):
        enc = tokenizer(batch["tokens"], is_split_into_words=True, truncation=True, max_length=256)
        enc["labels"] = []
        for row, tags in enumerate(batch["tags"]):
            labels, previous = [], None
            for word in enc.word_ids(row):
                labels.append(-100 if word is None or word == previous else label2id[tags[word]])
                previous = word
            enc["labels"].append(labels)
        return enc

    data = Dataset.from_list([{"tokens": r["tokens"], "tags": r["tags"]} for r in rows])
    data = data.map(encode, batched=True, remove_columns=["tokens", "tags"])
    args = TrainingArguments(
        output_dir=str(output) + "-checkpoints", num_train_epochs=epochs, per_device_train_batch_size=32,
        learning_rate=5e-4, warmup_steps=0.1, report_to=[], use_cpu=not torch.cuda.is_available(), seed=seed,
        save_strategy="no", logging_steps=50,
    )  # fmt: skip
    trainer = Trainer(model=model, args=args, train_dataset=data,
                      data_collator=DataCollatorForTokenClassification(tokenizer), processing_class=tokenizer)  # fmt: skip
    result = trainer.train()
    trainer.save_model(str(output))
    tokenizer.save_pretrained(output)
    return {"train_loss": round(result.training_loss, 4), "examples": len(rows), "epochs": epochs}
