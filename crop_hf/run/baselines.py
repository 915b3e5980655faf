"""The baselines beside CROP: translate-train (the paper's Tables 2 and 3) and translate-test, as stages of the run.

``translate`` (once): the English gold training set is translated into each target language by the run's own LST
model in labeled mode (the ``crop-projection`` pipeline with ``mode="translate-train"``): each entity travels
inside its slot markers and labels the words it lands on. Sentences whose slots do not come back, or that the
projection filters drop (too long, too many entities, the translation in another language), are counted per reason
and left out. ``translate_train`` (once per seed): an NER model trained from the pretrained encoder on English +
translated with the recipe's ``ner`` settings, which the ``evaluate`` stage scores beside the zero-shot and CROP
models. When no translated sentence survived, nothing is trained: the baseline has no translated data, and the
report says so instead of a number.

``translate_test`` (once per seed): the run's projection pipeline (its LST model, the seed's English NER model, the
recipe's projection options) over every target test sentence, as raw text (the tokens joined by spaces): translated to
English, tagged there, the labels carried back. Every test sentence counts: a sentence the pipeline drops (a filter,
a slot that does not come back) predicts no entity, so the baseline's F1 is over the whole test set (the projection
F1 of the report counts only the kept raw sentences). Projected entities label the test tokens they overlap (by
character offsets into the joined text), the first one ``B-``. The ``evaluate`` stage scores the predictions beside
the models.

Translations are written per language and process (``translated/<lang>.<i>-of-<n>.jsonl``, atomically), so a
killed run resumes at the first language it had not finished; under ``accelerate launch`` process *i* of *n*
translates sentences *i*, *i + n*, ...
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from ..projection.projection_options import ProjectionOptions
from .data import ENGLISH, read_jsonl, write_jsonl
from .recipe import Recipe
from .records import at, processes
from .results import ModelsResult, NerResult, TranslateResult, TranslateTestResult
from .scores import kept_counts

logger = logging.getLogger(__name__)

TRANSLATED_DIR = "translated"
TRANSLATE_TRAIN_DIR = "models/translate-train-ner"
TRANSLATE_TEST_DIR = "translate_test"
_CHUNK = 256  # sentences per pipeline call (one progress step)


def translate_train_options(options: ProjectionOptions) -> dict[str, Any]:
    """The projection options a translate-train call reads: the filters (raw-mode matching does not apply)."""
    return {name: getattr(options, name) for name in options.FILTERS}


def translate(recipe: Recipe, out: Path, lst_dir: str) -> TranslateResult:
    """Translate the English gold set into every target language; the kept share and drops per language."""
    from transformers import pipeline

    from ..core.filters import FilterStats

    options = recipe.projection_options()
    limit = recipe.translate_train.get("sentences")
    english = list(read_jsonl(out / ENGLISH))[:limit]
    projector: Any = pipeline("crop-projection", model=at(out, lst_dir), **options.load_options())  # type: ignore[call-overload]
    procs = processes()
    per_lang: dict[str, Any] = {}
    for lang in recipe.languages:
        part = _part(out, lang, procs.index, procs.count)
        if not part.is_file():  # a finished language is not translated again when a killed run resumes
            mine = list(range(procs.index, len(english), procs.count))
            rows = []
            bar = tqdm(total=len(mine), desc=f"translate-train en->{lang}", disable=not procs.is_main)
            for start in range(0, len(mine), _CHUNK):
                chunk = mine[start : start + _CHUNK]
                inputs = [{"tokens": english[i]["tokens"], "tags": english[i]["tags"]} for i in chunk]
                results = projector(inputs, mode="translate-train", tgt_lang=lang, options=options,
                                    batch_size=options.batch_size)  # fmt: skip
                rows += [{"i": i, "kept": r["kept"], "reason": r["reason"], "tokens": r["tokens"], "tags": r["tags"]}
                         for i, r in zip(chunk, results)]  # fmt: skip
                bar.update(len(chunk))
            bar.close()
            write_jsonl(part, rows)
        procs.wait()
        rows = sorted((r for p in range(procs.count) for r in read_jsonl(_part(out, lang, p, procs.count))),
                      key=lambda r: r["i"])  # fmt: skip
        stats = FilterStats()
        for r in rows:
            stats.add(None if r["kept"] else r["reason"])
        per_lang[lang] = kept_counts(stats)
        if not stats.kept:
            logger.warning("translate: %s kept 0 of %d translated English sentences (%s): translate-train has no "
                           "%s data", lang, stats.seen, per_lang[lang]["drops"], lang)  # fmt: skip
    return TranslateResult(per_lang)


def translated_examples(out: Path, languages: list[str]) -> list[Any]:
    """The kept translated sentences of every language, as the ``translate`` stage wrote them."""
    from ..training.ner_data import NerExample

    procs = processes()
    return [NerExample(r["tokens"], r["tags"], lang, f"tt-{lang}-{r['i']}")
            for lang in languages for p in range(procs.count)
            for r in read_jsonl(_part(out, lang, p, procs.count)) if r["kept"]]  # fmt: skip


def translate_train(recipe: Recipe, out: Path, models: ModelsResult, seed: int, model_dir: str) -> NerResult:
    """The translate-train NER model of ``seed``: English gold + the kept translations; nothing is trained (and
    ``model_dir`` is ``None``) when no translation was kept in any language."""
    from ..training.selftrain import train_ner
    from .steps import arguments, english_examples

    translated = translated_examples(out, list(recipe.languages))
    if not translated:  # a weak LST model loses every slot: there is no baseline to train
        logger.warning("translate_train: no translated sentence kept in any language; no model is trained and the "
                       "report says 'no translated data' (the lst_quality stage scores the LST model)")  # fmt: skip
        return NerResult(None)
    args = arguments("ner", recipe, out / model_dir, recipe.ner, seed)
    result = train_ner(models.ner, [*english_examples(out), *translated], args)
    processes().wait()
    return NerResult(model_dir, True, result.train_loss, result.train_sentences, result.steps)


def _part(out: Path, lang: str, index: int, count: int) -> Path:
    return out / TRANSLATED_DIR / f"{lang}.{index}-of-{count}.jsonl"


def translate_test(recipe: Recipe, out: Path, models: ModelsResult, lst_dir: str, ner_dir: str,
                   predictions_dir: str) -> TranslateTestResult:  # fmt: skip
    """Tags for every test sentence of every language through the projection pipeline with ``ner_dir``'s English
    NER model; ``predictions_dir/<lang>.jsonl`` holds ``tokens`` (the test set's), ``tags``, ``kept``, ``reason``."""
    from ..core.filters import FilterStats
    from ..core.text import token_separator
    from .data import test_file
    from .steps import projection_pipeline

    options = recipe.projection_options()
    projector = projection_pipeline(recipe, at(out, lst_dir), ner_dir, models)
    per_lang: dict[str, Any] = {}
    for lang in recipe.languages:
        target = out / predictions_dir / f"{lang}.jsonl"
        rows = list(read_jsonl(out / test_file(lang)))
        if not target.is_file():  # a finished language is not projected again when a killed run resumes
            sep = token_separator(lang)  # the sentence as written: Chinese without spaces
            texts = [sep.join(r["tokens"]) for r in rows]
            results = []
            for start in tqdm(range(0, len(texts), _CHUNK), desc=f"translate-test {lang}->en->{lang}"):
                results += projector(texts[start : start + _CHUNK], src_lang=lang, options=options,
                                     batch_size=options.batch_size)  # fmt: skip
            write_jsonl(target, ({"tokens": r["tokens"], "tags": tags_on_tokens(r["tokens"], res, sep),
                                  "kept": res["kept"], "reason": res["reason"]} for r, res in zip(rows, results)))  # fmt: skip
        stats = FilterStats()
        for r in read_jsonl(target):
            stats.add(None if r["kept"] else r["reason"])
        per_lang[lang] = kept_counts(stats)
    return TranslateTestResult(predictions_dir, per_lang)


def tags_on_tokens(tokens: list[str], result: dict[str, Any], sep: str = " ") -> list[str]:
    """BIO tags over ``tokens`` from a projection result on ``sep.join(tokens)``: each kept entity labels the tokens
    its character span overlaps (the first ``B-``); a dropped result gives ``O`` everywhere."""
    from ..core.text import tokens_from_words

    tags = ["O"] * len(tokens)
    if not result["kept"]:
        return tags
    spans = tokens_from_words(tokens, sep)
    for entity in result["entities"]:
        inside = [i for i, t in enumerate(spans) if t.char_start < entity["end"] and entity["start"] < t.char_end]
        for k, i in enumerate(inside):
            tags[i] = f"{'B' if k == 0 else 'I'}-{entity['entity_group']}"
    return tags
