"""The ``builtin`` data source and model source of a recipe: the built-in corpus and the tiny models.

The ``demo`` recipe names ``builder: builtin`` for every data role and ``builtin`` for the models; the run's
``data`` and ``models`` stages come here for them, and every later stage is the code a real run executes.
A builtin source's ``limit`` is the number of sentences per language (English: in all) and its ``options`` are
:class:`~crop_hf.demo.synthetic.NoiseConfig` fields (e.g. ``wrong_language: 0.05`` for the raw text).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.tagging import tags_to_spans
from .synthetic import NoiseConfig, english_corpus, generate_corpus

_SPLITS = {"target_raw": "raw", "target_test": "test", "parallel": "train", "lst_test": "devtest"}
_DEFAULT_SIZES = {"english": 2000, "target_raw": 250, "target_test": 150, "parallel": 1000, "lst_test": 200}


def builtin_rows(role: str, source: Any, recipe: Any, lang: str | None = None) -> Iterator[dict[str, Any]]:
    """Rows of one role (and language) in the layout of :mod:`crop_hf.run.data`."""
    n = source.limit or _DEFAULT_SIZES[role]
    if role == "english":
        for i, (tokens, tags) in enumerate(english_corpus(n, seed=recipe.seed, split="train")):
            yield {"id": f"en-{i}", "lang": "en", "tokens": tokens, "tags": tags}
        return
    noise = NoiseConfig(**source.options)
    for ex in generate_corpus(recipe.languages, n, seed=recipe.seed, noise=noise, split=_SPLITS[role]):
        if ex.lang != lang:
            continue
        if role == "lst_test":  # a FLORES-like test set: the same sentences in English and the target
            yield {"en": ex.src_text, "xx": ex.tgt_text}
        elif role == "parallel":
            # Chinese pairs come in words, as a segmented parallel corpus gives them: alignment still counts
            # characters, and its phrases are whole words (docs/decoding.md: held-out well-formed zh 57 -> 85 %)
            src, tgt = tags_to_spans(ex.src_tags), ex.tgt_word_spans()
            phrases = [[src[i].start, src[i].end, tgt[j].start, tgt[j].end] for i, j in ex.alignment]
            yield {"id": ex.id, "src_tokens": ex.src_tokens, "tgt_tokens": ex.tgt_words, "src_lang": "en",
                   "tgt_lang": ex.lang, "gold_phrases": phrases}  # fmt: skip
        else:  # raw and test rows keep the English side, so slot quality can be measured on test pairs
            yield {"id": ex.id, "lang": ex.lang, "text": ex.tgt_text, "tokens": ex.tgt_tokens, "tags": ex.tgt_tags,
                   "src_tokens": ex.src_tokens, "src_tags": ex.src_tags, "alignment": ex.alignment}  # fmt: skip


# the demo LST model translates with 4 beams (facebook/m2m100_418M comes with 5): its held-out well-formed share
# with greedy search was 78-89 % (es nl de no ru), with 4 beams 89-92 % (docs/decoding.md)
DEMO_BEAMS = 4


def build_models(models_dir: Path, seed: int) -> dict[str, str]:
    """A SentencePiece model with the slot markers, a tiny M2M100 and a tiny XLM-R, randomly initialised."""
    from ..core.tagging import CONLL
    from .tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece

    # BPE: words whole, half as many pieces per sentence as unigram on this corpus (held-out well-formed at 2,000
    # steps 84-97 % -> 88-98 %, docs/decoding.md)
    spm = train_sentencepiece(corpus_texts(seed=seed), models_dir / "spm.model", vocab_size=2000, model_type="bpe")
    make_tiny_m2m100(models_dir / "m2m100-init", spm, seed=seed, num_beams=DEMO_BEAMS)
    make_tiny_xlmr(models_dir / "xlmr-init", spm, CONLL.labels, seed=seed)
    return {"lst": str(models_dir / "m2m100-init"), "ner": str(models_dir / "xlmr-init")}
