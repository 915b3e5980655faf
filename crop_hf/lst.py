"""Train a labeled sequence translation (LST) model: read the pairs, align them, train, save.

:func:`train_lst_model` is what ``crop-hf train-lst`` (``crop_hf/scripts/train_lst.py``) runs, and what a run's
LST stage calls: it makes the slot markers single tokens of the checkpoint, skips pairs longer than
``args.max_length`` (counted, with a warning), trains :class:`~crop_hf.trainer.LabeledSeq2SeqTrainer` (resuming
from the last checkpoint in ``args.output_dir``) and saves a model + tokenizer that
``pipeline("crop-projection", model=output_dir, ...)`` loads. With ``args.lora_r > 0`` LoRA adapts the attention
projections and peft's ``trainable_token_indices`` trains the slot-marker embedding rows (only those rows: the
rest of the vocabulary stays frozen); the adapter is merged before saving, so the output is a plain model.

:func:`make_lst_compute_metrics` scores generated outputs during evaluation (``predict_with_generate=True``):
slot-boundary precision, well-formed rate and BLEU, from :mod:`crop_hf.metrics`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .languages import LANGUAGE_TABLE
from .phrases import PhrasePair
from .slots import DEFAULT_MAX_SLOTS, join_tokens, parse_slots, slot_markers, wrap_tokens
from .trainer import LabeledSeq2SeqTrainingArguments
from .translation import decode_with_markers, strip_ids

logger = logging.getLogger(__name__)

REQUIRED_KEYS = ("src_tokens", "tgt_tokens", "tgt_lang")


@dataclass
class LongPairReport:
    """What :func:`drop_long_pairs` did: ``skipped`` of ``total`` pairs were over ``max_length`` tokens."""

    kept: list[dict]
    skipped: int
    total: int
    max_length: int


def load_pairs(path: str | Path, max_phrase_len: int = 4) -> list[dict]:
    """Read JSON lines of parallel pairs; rows without ``phrases`` get them from eflomal word alignment.

    Each line holds ``src_tokens``, ``tgt_tokens``, ``tgt_lang`` (``src_lang`` defaults to ``"en"``) and
    optionally ``phrases`` (``[[src_start, src_end, tgt_start, tgt_end], ...]``).
    """
    rows = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = [k for k in REQUIRED_KEYS if k not in row]
            if missing:
                raise InputError(f"{Path(path).name} line {number}: missing {missing}")
            row.setdefault("src_lang", "en")
            rows.append(row)
    if not rows:
        raise InputError(f"{path}: no training pairs")
    align_missing_phrases(rows, max_phrase_len)
    return rows


def align_missing_phrases(rows: Sequence[dict], max_phrase_len: int = 4) -> int:
    """Give every row without ``phrases`` its phrase pairs from eflomal (``pip install crop-hf[align]``), in place.

    Rows are aligned per target language (char-level targets on characters); returns how many were aligned.
    """
    from .alignment import align_corpus
    from .languages import get_language

    unaligned = [r for r in rows if "phrases" not in r]
    for lang in sorted({r["tgt_lang"] for r in unaligned}):
        mine = [r for r in unaligned if r["tgt_lang"] == lang]
        pairs = align_corpus(
            [r["src_tokens"] for r in mine],
            [r["tgt_tokens"] for r in mine],
            max_phrase_len=max_phrase_len,
            char_level_target=get_language(lang).char_level,
        )
        for r, pair in zip(mine, pairs):
            r["phrases"] = [[p.src_start, p.src_end, p.tgt_start, p.tgt_end] for p in pair.phrases]
    return len(unaligned)


def drop_long_pairs(rows: Sequence[dict], tokenizer: Any, max_length: int, max_slots: int = 4) -> LongPairReport:
    """Keep the pairs whose source and target fit ``max_length`` tokens, plain and with slots.

    The slot version measured is the longest the collator can draw: up to ``max_slots`` disjoint phrase pairs
    wrapped. Skipped pairs are counted and logged as one warning.
    """
    from .languages import get_language
    from .translation import set_tokenizer_languages

    kept = []
    for row in rows:
        src, tgt = list(row["src_tokens"]), list(row["tgt_tokens"])
        src_lang, tgt_lang = row.get("src_lang", "en"), row["tgt_lang"]
        src_char, tgt_char = get_language(src_lang).char_level, get_language(tgt_lang).char_level
        chosen = _most_slots(row.get("phrases") or (), max_slots)
        if chosen:
            src = wrap_tokens(src, [(p.src_start, p.src_end) for p in chosen], max_slots=max_slots)
            tgt = wrap_tokens(tgt, [(p.tgt_start, p.tgt_end) for p in chosen], max_slots=max_slots)
        set_tokenizer_languages(tokenizer, src_lang, tgt_lang)
        enc = tokenizer(join_tokens(src, src_char), text_target=join_tokens(tgt, tgt_char), add_special_tokens=True)
        if len(enc["input_ids"]) <= max_length and len(enc["labels"]) <= max_length:
            kept.append(row)
    skipped = len(rows) - len(kept)
    if skipped:
        logger.warning("skipped %d of %d pairs longer than max_length=%d tokens", skipped, len(rows), max_length)
    return LongPairReport(kept, skipped, len(rows), max_length)


def slot_token_ids(tokenizer: Any, max_slots: int) -> list[int]:
    """The ids of ``__SLOT0__`` .. ``__SLOT{max_slots-1}__`` (single tokens after ``prepare_tokenizer_for_slots``)."""
    return [int(tokenizer.convert_tokens_to_ids(m)) for m in slot_markers(max_slots)]


def train_lst_model(
    model_name_or_path: str,
    rows: Sequence[dict],
    args: LabeledSeq2SeqTrainingArguments,
    max_length: int | None = None,
    lora_r: int | None = None,
    eval_rows: Sequence[dict] | None = None,
) -> Any:
    """Train (or resume from the last checkpoint in ``args.output_dir``) and save model + tokenizer there.

    ``max_length`` and ``lora_r`` override ``args.max_length`` and ``args.lora_r``. ``eval_rows`` (same layout as
    ``rows``) become the evaluation set; with ``args.predict_with_generate`` they are scored by
    :func:`make_lst_compute_metrics`. Returns the trainer.
    """
    from datasets import Dataset
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.trainer_utils import get_last_checkpoint

    from .tokenizer_prep import prepare_tokenizer_for_slots
    from .trainer import LabeledSeq2SeqTrainer

    if max_length is not None:
        args.max_length = max_length
    if lora_r is not None:
        args.lora_r = lora_r
    tokenizer = AutoTokenizer.from_pretrained(model_name_or_path)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_name_or_path)
    report = prepare_tokenizer_for_slots(tokenizer, model, max_slots=args.max_slots)
    if report.added:
        logger.info("added %d slot markers as tokens from id %d", len(report.added), report.first_id)
    train = drop_long_pairs(rows, tokenizer, args.max_length, args.max_slots)
    if not train.kept:
        raise ValueError(f"all {train.total} pairs are longer than max_length={args.max_length} tokens; raise it")
    evaluation = drop_long_pairs(eval_rows, tokenizer, args.max_length, args.max_slots) if eval_rows else None
    if args.lora_r:
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(
            task_type="SEQ_2_SEQ_LM",
            r=args.lora_r,
            target_modules=["q_proj", "v_proj"],
            trainable_token_indices=slot_token_ids(tokenizer, args.max_slots),
        )
        model = get_peft_model(model, config)
    compute_metrics = make_lst_compute_metrics(tokenizer, args.max_slots) if args.predict_with_generate else None
    trainer = LabeledSeq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(list(train.kept)),
        eval_dataset=Dataset.from_list(list(evaluation.kept)) if evaluation and evaluation.kept else None,
        processing_class=tokenizer,
        compute_metrics=compute_metrics if evaluation else None,
    )
    checkpoint = get_last_checkpoint(args.output_dir) if Path(args.output_dir).is_dir() else None
    trainer.train(resume_from_checkpoint=checkpoint)
    if args.lora_r:  # a plain model with the trained marker rows merged in, loadable without peft
        merged = trainer.model.merge_and_unload()
        if trainer.is_world_process_zero():
            merged.save_pretrained(args.output_dir)
    else:
        trainer.save_model(args.output_dir)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(args.output_dir)
    trainer.skipped_long_pairs = train.skipped
    return trainer


def make_lst_compute_metrics(tokenizer: Any, max_slots: int = DEFAULT_MAX_SLOTS) -> Callable[[Any], dict[str, float]]:
    """A ``compute_metrics`` for :class:`~crop_hf.trainer.LabeledSeq2SeqTrainer` with ``predict_with_generate``.

    Returns ``slot_precision`` (predicted slots whose words equal the reference's slot of the same id,
    :func:`~crop_hf.metrics.slot_boundary_precision`), ``well_formed`` (outputs with no slot problem) and
    ``bleu`` (sacrebleu on the texts without markers, the target language's tokenisation when all rows share
    one). The trainer logs them as ``eval_slot_precision``, ``eval_well_formed``, ``eval_bleu``.
    """
    from .metrics import bleu, slot_boundary_precision, well_formed_rate

    strip = strip_ids(tokenizer)
    languages = _language_tokens(tokenizer)

    def decode(row: Sequence[int]) -> str:
        return decode_with_markers(tokenizer, row, strip)

    def compute_metrics(prediction: Any) -> dict[str, float]:
        predictions = prediction.predictions
        predictions = predictions[0] if isinstance(predictions, tuple) else predictions
        labels = prediction.label_ids
        outputs = [parse_slots(decode(row), max_slots) for row in predictions]
        references = [parse_slots(decode(row), max_slots) for row in labels]
        langs = [languages.get(int(next((i for i in row if i >= 0), -1))) for row in labels]
        gold = [{s.slot_id: ref.tokens[s.start : s.end] for s in ref.spans} for ref in references]
        char = [lang is not None and lang.char_level for lang in langs]
        codes = {lang.code for lang in langs if lang is not None}
        score = bleu(
            [o.text for o in outputs], [r.text for r in references], lang=codes.pop() if len(codes) == 1 else None
        )
        return {
            "slot_precision": slot_boundary_precision(outputs, gold, char),
            "well_formed": well_formed_rate(outputs),
            "bleu": score.score,
        }

    return compute_metrics


def _most_slots(phrases: Sequence[Any], max_slots: int) -> list[PhrasePair]:
    """Up to ``max_slots`` phrase pairs disjoint on both sides, shortest first (the most markers a draw can add)."""
    pairs = sorted((p if isinstance(p, PhrasePair) else PhrasePair(*p) for p in phrases), key=_width)
    chosen: list[PhrasePair] = []
    for p in pairs:
        if len(chosen) == max_slots:
            break
        if all(p.src_end <= c.src_start or c.src_end <= p.src_start for c in chosen) and all(
            p.tgt_end <= c.tgt_start or c.tgt_end <= p.tgt_start for c in chosen
        ):
            chosen.append(p)
    return sorted(chosen, key=lambda p: p.src_start)


def _width(p: PhrasePair) -> tuple[int, int]:
    return (p.src_end - p.src_start + p.tgt_end - p.tgt_start, p.src_start)


def _language_tokens(tokenizer: Any) -> dict[int, Any]:
    """Token id of each language code the tokenizer knows (M2M100 ``__es__``, NLLB ``spa_Latn``) -> table row."""
    out = {}
    vocab_lookup = tokenizer.convert_tokens_to_ids
    unk = getattr(tokenizer, "unk_token_id", None)
    for lang in LANGUAGE_TABLE:
        for token in (f"__{lang.m2m100_code}__" if lang.m2m100_code else None, lang.nllb_code):
            if token is None:
                continue
            token_id = vocab_lookup(token)
            if isinstance(token_id, int) and token_id != unk:
                out.setdefault(token_id, lang)
    return out
