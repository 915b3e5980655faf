"""Train a labeled sequence translation (LST) model: read the pairs, align them, train, save.

:func:`train_lst_model` is what ``crop-hf train-lst`` (``crop_hf/scripts/train_lst.py``) runs, and what a run's
LST stage calls: it builds :class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainer` from the checkpoint, trains (resuming
from the last checkpoint in ``args.output_dir``) and saves a model + tokenizer that
``pipeline("crop-projection", model=output_dir, ...)`` loads. The trainer itself makes the slot markers single
tokens of the checkpoint, skips pairs longer than ``args.max_length`` (counted, with a warning) and, with
``args.lora_r > 0``, adapts the attention projections with LoRA while peft's ``trainable_token_indices`` trains the
slot-marker embedding rows (only those rows: the rest of the vocabulary stays frozen); the adapter is merged before
saving, so the output is a plain model (:mod:`crop_hf.training.trainer_setup`).

:func:`make_lst_compute_metrics` scores generated outputs during evaluation (``predict_with_generate=True``):
slot-boundary precision, well-formed rate and BLEU, from :mod:`crop_hf.core.metrics`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..base.errors import InputError
from ..core.languages import LANGUAGE_TABLE
from ..core.slots import DEFAULT_MAX_SLOTS, parse_slots
from ..translation import decode_with_markers, strip_ids
from .trainer import LabeledSeq2SeqTrainingArguments

REQUIRED_KEYS = ("src_tokens", "tgt_tokens", "tgt_lang")


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
    from ..core.alignment import align_corpus
    from ..core.languages import get_language

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


def train_lst_model(
    model_name_or_path: str,
    rows: Sequence[dict],
    args: LabeledSeq2SeqTrainingArguments,
    max_length: int | None = None,
    lora_r: int | None = None,
    eval_rows: Sequence[dict] | None = None,
) -> Any:
    """Train (or resume from the last checkpoint in ``args.output_dir``) and save model + tokenizer there.

    A thin helper over :class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainer`, which prepares the slot tokens, skips the
    long pairs and wraps LoRA itself. ``max_length`` and ``lora_r`` override ``args.max_length`` and
    ``args.lora_r``. ``eval_rows`` (same layout as ``rows``) become the evaluation set; with
    ``args.predict_with_generate`` they are scored by :func:`make_lst_compute_metrics`. Returns the trainer.
    """
    from transformers.trainer_utils import get_last_checkpoint

    from .trainer import LabeledSeq2SeqTrainer

    if max_length is not None:
        args.max_length = max_length
    if lora_r is not None:
        args.lora_r = lora_r
    trainer = LabeledSeq2SeqTrainer(
        model_name_or_path, args, train_dataset=list(rows), eval_dataset=list(eval_rows or []) or None
    )
    if eval_rows and args.predict_with_generate:
        trainer.compute_metrics = make_lst_compute_metrics(trainer.processing_class, args.max_slots)
    checkpoint = get_last_checkpoint(args.output_dir) if args.output_dir and Path(args.output_dir).is_dir() else None
    trainer.train(resume_from_checkpoint=checkpoint)
    trainer.save_model(args.output_dir)  # tokenizer included; a LoRA model is merged first: a plain model
    return trainer


def make_lst_compute_metrics(tokenizer: Any, max_slots: int = DEFAULT_MAX_SLOTS) -> Callable[[Any], dict[str, float]]:
    """A ``compute_metrics`` for :class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainer` with ``predict_with_generate``.

    Returns ``slot_precision`` (predicted slots whose words equal the reference's slot of the same id,
    :func:`~crop_hf.core.metrics.slot_boundary_precision`), ``well_formed`` (outputs with no slot problem) and
    ``bleu`` (sacrebleu on the texts without markers, the target language's tokenisation when all rows share
    one). The trainer logs them as ``eval_slot_precision``, ``eval_well_formed``, ``eval_bleu``.
    """
    from ..core.metrics import bleu, slot_boundary_precision, well_formed_rate

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


def _language_tokens(tokenizer: Any) -> dict[int, Any]:
    """Token id of each language code the tokenizer knows (M2M100 ``__es__``, NLLB ``spa_Latn``) -> table row."""
    out: dict[int, Any] = {}
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
