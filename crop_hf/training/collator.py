"""DataCollatorForLabeledSeq2Seq: parallel sentences + phrase pairs -> inputs for both CROP objectives.

Each feature is a parallel sentence pair with the phrase pairs that alignment found in it::

    {"src_tokens": [...], "tgt_tokens": [...], "phrases": [[s0, s1, t0, t1], ...], "src_lang": "en", "tgt_lang": "es"}

Every epoch, the collator draws afresh which objective each example serves: with probability
``translation_ratio`` the plain pair (translation loss Lt), otherwise 0..``max_slots`` freshly sampled
non-overlapping phrase pairs are wrapped in slots (labeled loss Llst; zero spans gives the plain pair, as in
CROP's 0..k sampling). Drawing per example keeps one forward pass per batch, so a labeled step costs what a
plain step costs; ``objective`` (0 = Lt, 1 = Llst) tells :class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainer` how to
weight each sequence.

With a ``seed``, the draw of an example is a function of (seed, epoch, the example's content) alone: it does
not depend on the batch it lands in, the number of processes, dataloader workers or evaluations run in between,
so one process with batch 8 and two with batch 4 train on identical batches. The trainer advances ``epoch``
(:meth:`DataCollatorForLabeledSeq2Seq.set_epoch`); identical pairs draw alike within an epoch.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.languages import get_language
from ..core.phrases import PhrasePair, as_phrase_pairs, sample_phrase_pairs
from ..core.slots import join_tokens, wrap_tokens
from ..translation import set_tokenizer_languages
from .name_phrases import NameFilter

TRANSLATION, LABELED = 0, 1


@dataclass
class LabeledPair:
    """One collated example as text, before tokenisation (what the model sees)."""

    source: str
    target: str
    objective: int
    src_lang: str
    tgt_lang: str


@dataclass
class DataCollatorForLabeledSeq2Seq:
    """Collate parallel examples into a padded batch mixing plain and slot-wrapped pairs.

    Args:
        tokenizer: an M2M100/NLLB tokenizer (language codes are set per example) or any seq2seq tokenizer.
        max_slots: the most phrase pairs wrapped in one sentence (k).
        translation_ratio: share of examples given as the plain pair; 1 - ratio get slots.
        max_phrase_len: longest phrase (tokens, either side) wrapped in a slot; longer pairs are never drawn
            (``None``: no limit).
        max_length: longest tokenised source/target kept; longer ones raise (the trainer skips them before
            training: ``crop_hf.training.trainer_setup.drop_long_pairs``).
        seed: seed of the draws (``None``: not reproducible).
        label_pad_token_id: the label of padding positions, ignored by the loss.
        epoch: the epoch whose draws are made; :class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainer` sets it.
        min_slots: the fewest phrase pairs wrapped in a labeled example (CROP: 0, a count drawn in 0..k).
        names: ``None`` (CROP) draws the slots from every phrase pair; a
            :class:`~crop_hf.training.name_phrases.NameFilter` (of the training corpus) draws them only from the pairs
            that are names (:meth:`~crop_hf.training.name_phrases.NameFilter.name_pairs`).
    """

    tokenizer: Any
    max_slots: int = 4
    translation_ratio: float = 0.5
    max_length: int = 256
    seed: int | None = None
    label_pad_token_id: int = -100
    max_phrase_len: int | None = None
    epoch: int = 0
    min_slots: int = 0
    names: NameFilter | None = None
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.translation_ratio <= 1.0:
            raise ValueError(f"translation_ratio must be in [0, 1], got {self.translation_ratio}")
        self._rng = random.Random(self.seed)

    def set_epoch(self, epoch: int) -> None:
        """Make the draws of ``epoch`` (each epoch gives every example a fresh, reproducible draw)."""
        self.epoch = int(epoch)

    def make_pair(self, feature: dict[str, Any]) -> LabeledPair:
        """Draw the objective and the slots of one example."""
        src_tokens, tgt_tokens = list(feature["src_tokens"]), list(feature["tgt_tokens"])
        src_lang, tgt_lang = feature.get("src_lang", "en"), feature["tgt_lang"]
        src_char = get_language(src_lang).char_level
        tgt_char = get_language(tgt_lang).char_level
        phrases = as_phrase_pairs(feature.get("phrases"))
        if self.max_phrase_len is not None:
            limit = self.max_phrase_len
            phrases = [p for p in phrases if p.src_end - p.src_start <= limit and p.tgt_end - p.tgt_start <= limit]
        if self.names is not None:
            phrases = self.names.name_pairs(phrases, src_tokens, tgt_tokens, src_lang, tgt_lang)
        rng = self._rng if self.seed is None else self._example_rng(src_tokens, tgt_tokens, src_lang, tgt_lang)
        chosen: list[PhrasePair] = []
        if phrases and rng.random() >= self.translation_ratio:
            chosen = sample_phrase_pairs(phrases, self.max_slots, rng, self.min_slots)
        if not chosen:
            return LabeledPair(
                join_tokens(src_tokens, src_char), join_tokens(tgt_tokens, tgt_char), TRANSLATION, src_lang, tgt_lang
            )
        chosen.sort(key=lambda p: p.src_start)
        src = wrap_tokens(src_tokens, [(p.src_start, p.src_end) for p in chosen], max_slots=self.max_slots)
        tgt = wrap_tokens(tgt_tokens, [(p.tgt_start, p.tgt_end) for p in chosen], max_slots=self.max_slots)
        return LabeledPair(join_tokens(src, src_char), join_tokens(tgt, tgt_char), LABELED, src_lang, tgt_lang)

    def __call__(self, features: Sequence[dict[str, Any]]) -> dict[str, Any]:
        import torch

        pairs = [self.make_pair(f) for f in features]
        encoded = [self._encode(p) for p in pairs]
        pad_id = self.tokenizer.pad_token_id
        width = max(len(ids) for ids, _ in encoded)
        label_width = max(len(labels) for _, labels in encoded)
        input_ids = torch.full((len(pairs), width), pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(pairs), width), dtype=torch.long)
        labels = torch.full((len(pairs), label_width), self.label_pad_token_id, dtype=torch.long)
        for row, (ids, target) in enumerate(encoded):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            attention_mask[row, : len(ids)] = 1
            labels[row, : len(target)] = torch.tensor(target)
        return {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "labels": labels,
            "objective": torch.tensor([p.objective for p in pairs], dtype=torch.long),
        }

    def _example_rng(self, src_tokens: list, tgt_tokens: list, src_lang: str, tgt_lang: str) -> random.Random:
        content = json.dumps([src_tokens, tgt_tokens, src_lang, tgt_lang], ensure_ascii=False).encode("utf-8")
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
        return random.Random(f"{self.seed}:{self.epoch}:{digest}")

    def _encode(self, pair: LabeledPair) -> tuple[list[int], list[int]]:
        set_tokenizer_languages(self.tokenizer, pair.src_lang, pair.tgt_lang)
        enc = self.tokenizer(pair.source, text_target=pair.target, add_special_tokens=True)
        ids, labels = enc["input_ids"], enc["labels"]
        if len(ids) > self.max_length or len(labels) > self.max_length:
            raise ValueError(
                f"example longer than max_length={self.max_length} tokens ({len(ids)} source, {len(labels)} target):"
                f" {pair.source[:80]!r}... filter long pairs before training or raise max_length"
            )
        return ids, labels
