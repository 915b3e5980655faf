"""What :class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainer` prepares before it trains, as trl's trainers build what
they need from their config.

- **Slot tokens.** :func:`~crop_hf.training.tokenizer_prep.prepare_tokenizer_for_slots` makes ``__SLOT0__`` ..
  ``__SLOT{max_slots-1}__`` single tokens of the checkpoint (resizing the embeddings if it adds any).
- **Long pairs.** :func:`drop_long_pairs` keeps the pairs whose source and target fit ``max_length`` tokens, also
  with the most slots the collator can draw; the skipped ones are counted and logged as one warning (the collator
  would refuse them in the middle of training).
- **LoRA.** :func:`lora_with_slot_rows` adds the slot markers' embedding rows to a peft ``LoraConfig``'s
  ``trainable_token_indices`` (unless it names its own): LoRA then adapts the attention projections and trains
  those rows, and only those rows, of the otherwise frozen vocabulary.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from typing import Any

from ..core.phrases import PhrasePair, as_phrase_pairs
from ..core.slots import join_tokens, slot_markers, wrap_tokens
from .tokenizer_prep import SlotTokenReport, prepare_tokenizer_for_slots

logger = logging.getLogger(__name__)

LST_COLUMNS = ("src_tokens", "tgt_tokens", "tgt_lang")  # what a row of LST training pairs holds (and phrases)


@dataclass
class LongPairReport:
    """What :func:`drop_long_pairs` did: ``skipped`` of ``total`` pairs were over ``max_length`` tokens."""

    kept: list[dict]
    skipped: int
    total: int
    max_length: int


def drop_long_pairs(rows: Sequence[dict], tokenizer: Any, max_length: int, max_slots: int = 4) -> LongPairReport:
    """Keep the pairs whose source and target fit ``max_length`` tokens, plain and with slots.

    The slot version measured is the longest the collator can draw: up to ``max_slots`` disjoint phrase pairs
    wrapped. Skipped pairs are counted and logged as one warning.
    """
    keep = _fitting(rows, tokenizer, max_length, max_slots)
    return LongPairReport([rows[i] for i in keep], len(rows) - len(keep), len(rows), max_length)


def pair_fits(row: dict, tokenizer: Any, max_length: int, max_slots: int = 4) -> bool:
    """Whether one pair fits ``max_length`` tokens on both sides, with the most slots it can get (see above)."""
    from ..core.languages import get_language
    from ..translation import set_tokenizer_languages

    src, tgt = list(row["src_tokens"]), list(row["tgt_tokens"])
    src_lang, tgt_lang = row.get("src_lang") or "en", row["tgt_lang"]
    chosen = _most_slots(row.get("phrases") or (), max_slots)
    if chosen:
        src = wrap_tokens(src, [(p.src_start, p.src_end) for p in chosen], max_slots=max_slots)
        tgt = wrap_tokens(tgt, [(p.tgt_start, p.tgt_end) for p in chosen], max_slots=max_slots)
    set_tokenizer_languages(tokenizer, src_lang, tgt_lang)
    src_char, tgt_char = get_language(src_lang).char_level, get_language(tgt_lang).char_level
    enc = tokenizer(join_tokens(src, src_char), text_target=join_tokens(tgt, tgt_char), add_special_tokens=True)
    return len(enc["input_ids"]) <= max_length and len(enc["labels"]) <= max_length


def fit_pairs(dataset: Any, tokenizer: Any, max_length: int, max_slots: int) -> tuple[Any, int]:
    """``dataset`` without its long LST pairs, and how many were skipped.

    A list of LST rows comes back as a ``datasets.Dataset``, a ``datasets.Dataset`` as a selection of it, a dict of
    them (evaluation sets) as a dict; anything else (tokenised features, an ``IterableDataset``, ``None``) as it
    is, with 0. Raises when no pair fits.
    """
    if isinstance(dataset, dict):
        fitted = {name: fit_pairs(part, tokenizer, max_length, max_slots) for name, part in dataset.items()}
        return {name: part for name, (part, _) in fitted.items()}, sum(skipped for _, skipped in fitted.values())
    names = dataset[0].keys() if isinstance(dataset, list) and dataset else getattr(dataset, "column_names", None)
    if not isinstance(names, Iterable) or not set(LST_COLUMNS) <= set(names) or not isinstance(dataset, Sized):
        return dataset, 0
    if not isinstance(dataset, list) and not hasattr(dataset, "select"):
        return dataset, 0
    keep = _fitting(dataset, tokenizer, max_length, max_slots)
    if not keep:
        raise ValueError(f"all {len(dataset)} pairs are longer than max_length={max_length} tokens; raise it")
    if isinstance(dataset, list):
        from datasets import Dataset

        return Dataset.from_list([dataset[i] for i in keep]), len(dataset) - len(keep)
    return (dataset.select(keep) if len(keep) < len(dataset) else dataset), len(dataset) - len(keep)


def load_seq2seq(name_or_path: str, tokenizer: Any = None) -> tuple[Any, Any]:
    """The seq2seq model of a Hub id or folder, and its tokenizer unless one is given."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    model = AutoModelForSeq2SeqLM.from_pretrained(name_or_path)
    return model, tokenizer or AutoTokenizer.from_pretrained(name_or_path)


DROPOUT_NAMES = ("dropout", "attention_dropout", "activation_dropout", "encoder_layerdrop", "decoder_layerdrop",
                 "layerdrop")  # fmt: skip


def set_dropout(model: Any, value: float) -> int:
    """Every dropout and layer-drop rate of ``model`` (its ``nn.Dropout`` modules, the rates M2M100 / NLLB layers
    keep as attributes, and its config, so the saved model says so) set to ``value``; returns how many were set."""
    import torch

    changed = 0
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = value
            changed += 1
        for name in DROPOUT_NAMES:
            if isinstance(getattr(module, name, None), float):
                setattr(module, name, value)
                changed += 1
    config = getattr(model, "config", None)
    for name in DROPOUT_NAMES:
        if isinstance(getattr(config, name, None), float):
            setattr(config, name, value)
    return changed


def prepare_slot_tokens(tokenizer: Any, model: Any, max_slots: int) -> SlotTokenReport:
    """:func:`~crop_hf.training.tokenizer_prep.prepare_tokenizer_for_slots`, logging the markers it added."""
    report = prepare_tokenizer_for_slots(tokenizer, model, max_slots=max_slots)
    if report.added:
        logger.info("added %d slot markers as tokens from id %d", len(report.added), report.first_id)
    return report


def slot_token_ids(tokenizer: Any, max_slots: int) -> list[int]:
    """The ids of ``__SLOT0__`` .. ``__SLOT{max_slots-1}__`` (single tokens after ``prepare_tokenizer_for_slots``)."""
    return [int(tokenizer.convert_tokens_to_ids(m)) for m in slot_markers(max_slots)]


def lora_with_slot_rows(peft_config: Any, tokenizer: Any, max_slots: int) -> Any:
    """``peft_config`` training the slot markers' embedding rows too, unless it names its own token rows."""
    if tokenizer is None or getattr(peft_config, "trainable_token_indices", None) is not None:
        return peft_config
    if not hasattr(peft_config, "trainable_token_indices"):
        return peft_config  # a peft method without token rows (e.g. prefix tuning): as given
    return dataclasses.replace(peft_config, trainable_token_indices=slot_token_ids(tokenizer, max_slots))


def is_peft_model(model: Any) -> bool:
    """Whether ``model`` is already wrapped by peft (then the trainer neither resizes nor wraps it again)."""
    return hasattr(model, "peft_config") and hasattr(model, "get_base_model")


def _fitting(rows: Any, tokenizer: Any, max_length: int, max_slots: int) -> list[int]:
    """Indices of the rows that fit; one warning with the count of those that do not."""
    keep = [i for i, row in enumerate(rows) if pair_fits(row, tokenizer, max_length, max_slots)]
    if len(keep) < len(rows):
        skipped = len(rows) - len(keep)
        logger.warning("skipped %d of %d pairs longer than max_length=%d tokens", skipped, len(rows), max_length)
    return keep


def _most_slots(phrases: Sequence[Any], max_slots: int) -> list[PhrasePair]:
    """Up to ``max_slots`` phrase pairs disjoint on both sides, shortest first (the most markers a draw can add)."""
    pairs = sorted(as_phrase_pairs(phrases), key=_width)
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
