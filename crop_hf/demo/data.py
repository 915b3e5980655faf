"""Built-in corpus as NerExamples: what `--synthetic` in crop-hf selftrain/evaluate reads."""

from __future__ import annotations

from collections.abc import Sequence

from ..training.ner_data import NerExample


def synthetic_english(n: int, seed: int = 0, split: str = "train") -> list[NerExample]:
    """English gold sentences (Lsrc) from the built-in corpus."""
    from .synthetic import english_corpus

    return [
        NerExample(tokens, tags, "en", f"{split}-en-{i}")
        for i, (tokens, tags) in enumerate(english_corpus(n, seed=seed, split=split))
    ]


def synthetic_target(
    langs: Sequence[str], n_per_lang: int, seed: int = 0, split: str = "test"
) -> dict[str, list[NerExample]]:
    """Target-language sentences of the built-in corpus with their gold tags, per language."""
    from .synthetic import generate_corpus

    out: dict[str, list[NerExample]] = {lang: [] for lang in langs}
    for ex in generate_corpus(langs, n_per_lang, seed=seed, split=split):
        out[ex.lang].append(NerExample(ex.tgt_tokens, ex.tgt_tags, ex.lang, ex.id))
    return out
