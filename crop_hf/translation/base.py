"""The base translator: batched, length-sorted translation through ``generate`` for M2M100, NLLB and any seq2seq model.

transformers 5.x has no translation pipeline; :class:`Translator` is the one place crop-hf calls ``generate``.
Inputs are sorted by length so that each batch pads little, translated, and put back in order. An input longer
than the model accepts is never truncated silently: it is counted, reported in a warning, and its result is
``None``. How to generate (batch size, beams, the number of new tokens) is one :class:`GenerationSettings`, shared
by every backend; a backend replaces only :meth:`Translator._generate` (see :mod:`crop_hf.translation.ct2`).

:func:`decode_with_markers` turns generated (or label) ids back into text with the slot markers standing apart;
the translators and the LST trainer's evaluation (:mod:`crop_hf.training.lst`) decode through it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.languages import get_language

logger = logging.getLogger(__name__)
_MARKER_GLUE = re.compile(r"(__SLOT\d+__)")


@dataclass
class GenerationSettings:
    """How a translator generates, whatever its backend.

    Args:
        batch_size: sentences per generation batch.
        num_beams: beam size (1: greedy); ``None``: the model's own generation default (``generation_config``;
            facebook/m2m100_418M comes with 5), as ``generate`` would use.
        max_new_tokens: the most tokens generated per sentence (default: twice the input plus 10, capped at the
            model's input limit).
        max_input_tokens: longer inputs are not translated (result ``None``); default: the model's limit.
        min_new_tokens: the fewest tokens generated per sentence (default: no minimum).
    """

    batch_size: int = 32
    num_beams: int | None = None
    max_new_tokens: int | None = None
    max_input_tokens: int | None = None
    min_new_tokens: int | None = None


@dataclass
class TranslationStats:
    """What one :meth:`Translator.translate` call did."""

    inputs: int = 0
    too_long: int = 0
    batches: int = 0
    too_long_indices: list[int] = field(default_factory=list)


class Translator:
    """Translate lists of sentences with a seq2seq model, in length-sorted batches.

    Language codes are handled per model family: M2M100 tokenizers take M2M100 codes (``"es"``) and force the
    ``__es__`` token; NLLB tokenizers take NLLB codes (``"spa_Latn"``); other models get no codes.

    Args:
        model: a seq2seq model (M2M100, NLLB or any ``generate``-capable one).
        tokenizer: its tokenizer.
        settings: the generation settings (:class:`GenerationSettings`: batch size, beams, lengths...).
        **overrides: single fields of ``settings`` replaced by keyword (``Translator(model, tok, batch_size=64)``).
    """

    def __init__(
        self, model: Any, tokenizer: Any, settings: GenerationSettings | None = None, **overrides: Any
    ) -> None:
        """``settings`` (default :class:`GenerationSettings`), with single fields replaced by keyword
        (``Translator(model, tok, batch_size=64)``); an unknown keyword is a ``TypeError``."""
        self.model = model
        self.tokenizer = tokenizer
        self.settings = replace(settings or GenerationSettings(), **overrides)
        if self.settings.num_beams is None:  # the model's own default, as generate() would take it
            default = getattr(getattr(model, "generation_config", None), "num_beams", None)
            self.settings.num_beams = default if isinstance(default, int) and default >= 1 else 1
        self.family = model_family(tokenizer)
        self.last_stats = TranslationStats()
        self._strip_ids = strip_ids(tokenizer)

    @property
    def batch_size(self) -> int:
        """The settings' batch size; callers that batch themselves (the pipeline) set it before each call."""
        return self.settings.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.settings.batch_size = value

    @property
    def input_limit(self) -> int:
        """The longest input translated, in tokens: the settings' ``max_input_tokens``, else the model's limit."""
        return self.settings.max_input_tokens or _model_input_limit(self.model, self.tokenizer)

    def translate(
        self, texts: Sequence[str], src_lang: str, tgt_lang: str, progress: bool = False
    ) -> list[str | None]:
        """Translate ``texts`` from ``src_lang`` to ``tgt_lang`` (crop-hf language codes such as ``"es"``)."""
        stats = TranslationStats(inputs=len(texts))
        self._set_languages(src_lang)
        encoded = [self.tokenizer(t, add_special_tokens=True)["input_ids"] for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(encoded[i]))
        keep, limit = [], self.input_limit
        for i in order:
            if len(encoded[i]) > limit:
                stats.too_long += 1
                stats.too_long_indices.append(i)
            else:
                keep.append(i)
        if stats.too_long:
            logger.warning(
                "%d of %d inputs are longer than the model's %d tokens and were not translated (result None)",
                stats.too_long,
                len(texts),
                limit,
            )
        results: list[str | None] = [None] * len(texts)
        size = self.settings.batch_size
        batches = [keep[k : k + size] for k in range(0, len(keep), size)]
        from tqdm.auto import tqdm

        for batch in tqdm(batches, desc=f"translate {src_lang}->{tgt_lang}", disable=not progress):
            inputs = [encoded[i] for i in batch]
            max_new = self.settings.max_new_tokens or min(limit, 2 * len(inputs[0]) + 10)
            for i, ids in zip(batch, self._generate(inputs, tgt_lang, max_new)):
                results[i] = self.decode(ids)
            stats.batches += 1
        self.last_stats = stats
        return results

    def _generate(self, inputs: list[list[int]], tgt_lang: str, max_new: int) -> list[list[int]]:
        """Generated ids for one batch of encoded inputs (longest first), through ``model.generate``."""
        import torch

        ids, mask = pad_batch(inputs, self.tokenizer.pad_token_id)
        device = next(self.model.parameters()).device
        minimum = self.settings.min_new_tokens
        extra = {"min_new_tokens": minimum} if minimum else {}
        self.model.eval()
        with torch.no_grad():
            out = self.model.generate(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                max_new_tokens=max_new,
                num_beams=self.settings.num_beams,
                **self._generate_kwargs(tgt_lang),
                **extra,
            )
        return out.tolist()

    def decode(self, ids: Sequence[int]) -> str:
        """Decode generated ids, dropping special tokens and language codes; slot markers stand apart.

        Markers added as tokens decode glued to their neighbours (``Ana__SLOT1__``); they are atomic tokens,
        so the glue says nothing about the model's output and is replaced by spaces.
        """
        return decode_with_markers(self.tokenizer, ids, self._strip_ids)

    def _set_languages(self, src_lang: str) -> None:
        set_tokenizer_languages(self.tokenizer, src_lang)

    def _generate_kwargs(self, tgt_lang: str) -> dict[str, Any]:
        forced = self._target_lang_id(tgt_lang)
        return {} if forced is None else {"forced_bos_token_id": forced}

    def _target_lang_id(self, tgt_lang: str) -> int | None:
        """The id generation is forced to start with (the target-language code), or None for generic models."""
        if self.family == "m2m100":
            return self.tokenizer.get_lang_id(_m2m_code(tgt_lang))
        if self.family == "nllb":
            return self.tokenizer.convert_tokens_to_ids(get_language(tgt_lang).nllb_code)
        return None


def pad_batch(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[Any, Any]:
    """``input_ids`` and ``attention_mask`` tensors of ``rows`` padded on the right to the longest."""
    import torch

    ids = torch.full((len(rows), max(len(r) for r in rows)), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for k, row in enumerate(rows):
        ids[k, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[k, : len(row)] = 1
    return ids, mask


def decode_with_markers(tokenizer: Any, ids: Sequence[int], strip: set[int] | None = None) -> str:
    """Text of ``ids`` without special tokens, language codes and negative ids (label padding), markers apart.

    Slot markers added as tokens decode glued to their neighbours (``Ana__SLOT1__``); they are atomic tokens, so
    the glue says nothing about the model's output and is replaced by spaces. ``strip``: the ids to drop
    (default :func:`strip_ids` of ``tokenizer``; pass it when decoding many rows).
    """
    strip = strip_ids(tokenizer) if strip is None else strip
    text = tokenizer.decode([int(i) for i in ids if int(i) >= 0 and int(i) not in strip])
    return " ".join(_MARKER_GLUE.sub(r" \1 ", text).split())


def strip_ids(tokenizer: Any) -> set[int]:
    """The ids decoding drops: the tokenizer's special tokens and its language codes."""
    codes = getattr(tokenizer, "lang_code_to_id", {}) or {}
    return set(getattr(tokenizer, "all_special_ids", [])) | set(codes.values())


def model_family(tokenizer: Any) -> str:
    """``"m2m100"``, ``"nllb"`` or ``"generic"``, from the tokenizer (NLLB models report model_type m2m_100)."""
    name = type(tokenizer).__name__.lower()
    if "nllb" in name:
        return "nllb"
    if hasattr(tokenizer, "get_lang_id") and hasattr(tokenizer, "lang_code_to_id"):
        return "m2m100"
    return "generic"


def set_tokenizer_languages(tokenizer: Any, src_lang: str, tgt_lang: str | None = None) -> None:
    """Point an M2M100 or NLLB tokenizer at crop-hf language codes; other tokenizers are left alone."""
    family = model_family(tokenizer)
    if family == "generic":
        return
    code = _m2m_code if family == "m2m100" else (lambda lang: get_language(lang).nllb_code)
    tokenizer.src_lang = code(src_lang)
    if tgt_lang is not None:
        tokenizer.tgt_lang = code(tgt_lang)


def _m2m_code(lang: str) -> str:
    code = get_language(lang).m2m100_code
    if code is None:
        raise ValueError(f"M2M100 has no language code for {lang!r}; use an NLLB model for it")
    return code


def _model_input_limit(model: Any, tokenizer: Any) -> int:
    limits = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    usable = [int(x) for x in limits if isinstance(x, int) and 0 < x < 1_000_000]
    return min(usable) if usable else 1024
