"""Batched, length-sorted translation through ``generate`` for M2M100, NLLB and any other seq2seq model.

transformers 5.x has no translation pipeline; this is the one place crop-hf calls ``generate``. Inputs are
sorted by length so that each batch pads little, translated, and put back in order. An input longer than
the model accepts is never truncated silently: it is counted, reported in a warning, and its result is
``None``.

:func:`make_translator` picks the generation backend: ``"transformers"`` (:class:`Translator`, ``generate``)
or ``"ctranslate2"`` (:class:`~crop_hf.ct2_backend.CT2Translator`, the same tokenization, batching and
decoding settings on a converted copy of the model; ``pip install crop-hf[ct2]``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .languages import get_language

logger = logging.getLogger(__name__)
_MARKER_GLUE = re.compile(r"(__SLOT\d+__)")
BACKENDS = ("transformers", "ctranslate2")
CT2_OPTIONS = ("device", "intra_threads", "cache_dir")  # CT2Translator arguments beside compute_type


def make_translator(
    model: Any, tokenizer: Any, backend: str = "transformers", compute_type: str | None = None, **kwargs: Any
) -> Translator:
    """A translator for ``model`` on ``backend``; ``kwargs`` are :class:`Translator`'s (batch size, beams, ...).

    ``compute_type`` and the other options of :class:`~crop_hf.ct2_backend.CT2Translator` (``device``,
    ``intra_threads``, ``cache_dir``) apply to ``backend="ctranslate2"`` only (default compute type: int8 on
    CPU, float16 or bfloat16 on GPU).
    """
    check_backend(backend, compute_type)
    if backend == "ctranslate2":
        from .ct2_backend import CT2Translator

        return CT2Translator(model, tokenizer, compute_type=compute_type, **kwargs)
    misplaced = sorted(k for k in CT2_OPTIONS if kwargs.get(k) is not None)
    if misplaced:
        raise ValueError(f"{', '.join(misplaced)} apply to backend='ctranslate2' only; drop them or switch backend")
    return Translator(model, tokenizer, **{k: v for k, v in kwargs.items() if k not in CT2_OPTIONS})


def check_backend(backend: str, compute_type: str | None = None) -> None:
    """Fail early, in one line, on an unknown backend, a missing extra, or a compute type for transformers."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: use one of {BACKENDS}")
    if backend == "transformers" and compute_type is not None:
        raise ValueError(f"compute_type={compute_type!r} applies to backend='ctranslate2' only; drop it")
    if backend == "ctranslate2":
        from .ct2_backend import require_ctranslate2

        require_ctranslate2()


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
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        batch_size: int = 32,
        num_beams: int = 1,
        max_new_tokens: int | None = None,
        max_input_tokens: int | None = None,
        min_new_tokens: int | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        self.min_new_tokens = min_new_tokens
        self.max_input_tokens = max_input_tokens or _model_input_limit(model, tokenizer)
        self.family = model_family(tokenizer)
        self.last_stats = TranslationStats()
        self._strip_ids = set(getattr(tokenizer, "all_special_ids", [])) | set(
            getattr(tokenizer, "lang_code_to_id", {}).values()
        )

    def translate(
        self, texts: Sequence[str], src_lang: str, tgt_lang: str, progress: bool = False
    ) -> list[str | None]:
        """Translate ``texts`` from ``src_lang`` to ``tgt_lang`` (crop-hf language codes such as ``"es"``)."""
        stats = TranslationStats(inputs=len(texts))
        self._set_languages(src_lang)
        encoded = [self.tokenizer(t, add_special_tokens=True)["input_ids"] for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(encoded[i]))
        keep = []
        for i in order:
            if len(encoded[i]) > self.max_input_tokens:
                stats.too_long += 1
                stats.too_long_indices.append(i)
            else:
                keep.append(i)
        if stats.too_long:
            logger.warning(
                "%d of %d inputs are longer than the model's %d tokens and were not translated (result None)",
                stats.too_long,
                len(texts),
                self.max_input_tokens,
            )
        results: list[str | None] = [None] * len(texts)
        batches = [keep[k : k + self.batch_size] for k in range(0, len(keep), self.batch_size)]
        from tqdm.auto import tqdm

        for batch in tqdm(batches, desc=f"translate {src_lang}->{tgt_lang}", disable=not progress):
            inputs = [encoded[i] for i in batch]
            max_new = self.max_new_tokens or min(self.max_input_tokens, 2 * len(inputs[0]) + 10)
            for i, ids in zip(batch, self._generate(inputs, tgt_lang, max_new)):
                results[i] = self.decode(ids)
            stats.batches += 1
        self.last_stats = stats
        return results

    def _generate(self, inputs: list[list[int]], tgt_lang: str, max_new: int) -> list[list[int]]:
        """Generated ids for one batch of encoded inputs (longest first), through ``model.generate``."""
        import torch

        width = len(inputs[0])
        ids = torch.full((len(inputs), width), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(inputs), width), dtype=torch.long)
        for row, seq in enumerate(inputs):
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
        device = next(self.model.parameters()).device
        extra = {"min_new_tokens": self.min_new_tokens} if self.min_new_tokens else {}
        self.model.eval()
        with torch.no_grad():
            out = self.model.generate(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                max_new_tokens=max_new,
                num_beams=self.num_beams,
                **self._generate_kwargs(tgt_lang),
                **extra,
            )
        return out.tolist()

    def decode(self, ids: Sequence[int]) -> str:
        """Decode generated ids, dropping special tokens and language codes; slot markers stand apart.

        Markers added as tokens decode glued to their neighbours (``Ana__SLOT1__``); they are atomic tokens,
        so the glue says nothing about the model's output and is replaced by spaces.
        """
        text = self.tokenizer.decode([i for i in ids if i not in self._strip_ids])
        return " ".join(_MARKER_GLUE.sub(r" \1 ", text).split())

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
