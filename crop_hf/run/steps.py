"""The model stages of a run, each a call into the library (see :mod:`crop_hf.run.runner` for the order).

Every function takes the recipe and the run's output folder, reads what earlier stages wrote there and returns a
JSON-able result that the stage record keeps. Paths under the output folder are the constants below; a result
records them relative to the output folder (:func:`~crop_hf.run.records.in_run`), and the stages that read them
join them to the folder's current place (:func:`~crop_hf.run.records.at`), so a run folder can be moved and rerun.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.tagging import tags_to_spans
from .data import ENGLISH, PARALLEL, raw_file, read_jsonl, test_file, write_jsonl
from .recipe import Recipe, RecipeError
from .records import at, in_run, processes
from .results import AlignResult, EvaluateResult, LstResult, ModelsResult, NerResult, ProjectResult, SelftrainResult
from .scores import kept_counts, percent

logger = logging.getLogger(__name__)

ALIGNED = "data/parallel_aligned.jsonl"
LST_DIR = "models/lst"
NER_DIR = "models/english-ner"
PIPELINE_DIR = "models/crop-projection"
CROP_DIR = "models/crop-ner"
PROJECTED_DIR = "projected"
NO_RELABEL = ("raw_language", "too_long", "empty")  # discards that are not worth re-labelling
PREDICTED_SYSTEMS = ("translate_test",)  # systems scored from the tags they wrote, not from a model


def resolve_models(recipe: Recipe, out: Path) -> ModelsResult:
    """The checkpoints of each role: built here for the demo (``builtin``), else the recipe's ids or folders."""
    if recipe.models.lst == "builtin" or recipe.models.ner == "builtin":
        from ..demo.corpus import build_models

        built = build_models(out / "models", recipe.seed)
        return ModelsResult(in_run(out, built["lst"]), in_run(out, built["ner"]), in_run=["lst", "ner"])
    return ModelsResult(recipe.models.lst, recipe.models.ner, recipe.models.mt, recipe.models.english_ner)


def models_at(out: Path, models: ModelsResult) -> ModelsResult:
    """The ``models`` stage's result with the checkpoints it built joined to the run folder."""
    joined = {role: at(out, getattr(models, role)) for role in models.in_run}
    return dataclasses.replace(models, **joined, in_run=[])


def english_ner_dir(out: Path, result: NerResult) -> str:
    """The zero-shot model of the ``train_ner`` stage: trained in the run folder, or the one the recipe names."""
    return at(out, result.model_dir or "") if result.trained else result.model_dir or ""


def align(recipe: Recipe, out: Path) -> AlignResult:
    """Phrase pairs of every parallel pair: eflomal word alignment, or the source's gold entity alignment."""
    from ..core.alignment import align_corpus
    from ..core.languages import get_language

    rows = list(read_jsonl(out / PARALLEL))
    method = recipe.alignment["method"]
    per_lang: dict[str, float] = {}
    for lang in recipe.languages:
        mine = [r for r in rows if r["tgt_lang"] == lang and "phrases" not in r]
        if method == "gold":
            missing = [r for r in mine if "gold_phrases" not in r]
            if missing:
                raise RecipeError(f"{recipe.source}: alignment.method=gold but the {lang} pairs carry no gold "
                                  "alignment; use method: eflomal")  # fmt: skip
            for r in mine:
                r["phrases"] = r["gold_phrases"]
        elif mine:
            aligned = align_corpus(
                [r["src_tokens"] for r in mine], [r["tgt_tokens"] for r in mine],
                max_phrase_len=recipe.alignment["max_phrase_len"], char_level_target=get_language(lang).char_level,
                max_tokens=recipe.alignment.get("max_tokens", 512), progress=False,
            )  # fmt: skip
            for r, pair in zip(mine, aligned):
                r["phrases"] = [[p.src_start, p.src_end, p.tgt_start, p.tgt_end] for p in pair.phrases]
        lang_rows = [r for r in rows if r["tgt_lang"] == lang]
        per_lang[lang] = round(sum(len(r.get("phrases", [])) for r in lang_rows) / max(1, len(lang_rows)), 2)
    n = write_jsonl(out / ALIGNED, ({k: v for k, v in r.items() if k != "gold_phrases"} for r in rows))
    return AlignResult(n, method, per_lang)


def train_lst(recipe: Recipe, out: Path, models: ModelsResult) -> LstResult:
    """Fine-tune the LST model en->xx with slots (and xx->en plain when it also serves as the MT model)."""
    from ..training.lst import train_lst_model
    from .lst_quality import heldout

    features = []
    both_ways = not models.mt
    rows = list(read_jsonl(out / ALIGNED))
    held = heldout(rows, recipe)  # measured by the lst_quality stage, never trained on
    for r in (r for i, r in enumerate(rows) if i not in held):
        features.append({k: r[k] for k in ("src_tokens", "tgt_tokens", "phrases", "src_lang", "tgt_lang")})
        if both_ways:
            flipped = [[t0, t1, s0, s1] for s0, s1, t0, t1 in r["phrases"]]
            features.append({"src_tokens": r["tgt_tokens"], "tgt_tokens": r["src_tokens"], "phrases": flipped,
                             "src_lang": r["tgt_lang"], "tgt_lang": "en"})  # fmt: skip
    args = arguments("lst", recipe, out / LST_DIR, recipe.lst)
    trainer = train_lst_model(models.lst, features, args)
    processes().wait()
    if not processes().is_main:
        return LstResult()  # the main process writes the record the others read
    history = [h for h in trainer.state.log_history if "loss" in h]
    accuracy, well_formed = slot_quality(recipe, out)
    return LstResult(LST_DIR, history[-1] if history else {}, trainer.state.global_step, len(features), len(held),
                     accuracy, well_formed)  # fmt: skip


def slot_quality(recipe: Recipe, out: Path) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """The labeled translation accuracy on the test set's gold entities (``entity_accuracy``: of the English gold
    entities sent in slots, the share that come back around their aligned target entity; a missing or malformed
    slot is a failure) and the share of outputs with well-formed slots (``entity_well_formed``), in percent.

    Only sources that carry the English side and the alignment (the built-in corpus) can be scored this way; both
    are empty otherwise.
    """
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from ..core.languages import get_language
    from ..core.metrics import labeled_accuracy, well_formed_rate
    from ..core.slots import parse_slots, wrap
    from ..translation import Translator

    rows = {lang: [r for r in read_jsonl(out / test_file(lang)) if r.get("alignment") and tags_to_spans(r["tags"])]
            for lang in recipe.languages}  # fmt: skip
    if not any(rows.values()):
        return {}, {}
    model = AutoModelForSeq2SeqLM.from_pretrained(out / LST_DIR)
    translator = Translator(model, AutoTokenizer.from_pretrained(out / LST_DIR), batch_size=64)
    accuracy: dict[str, float | None] = {}
    well_formed: dict[str, float | None] = {}
    for lang, mine in rows.items():
        wrapped, gold = [], []
        for r in mine:
            src_spans, tgt_spans = tags_to_spans(r["src_tags"]), tags_to_spans(r["tags"])
            wrapped.append(wrap(r["src_tokens"], src_spans))
            gold.append({i: r["tokens"][tgt_spans[j].start : tgt_spans[j].end] for i, j in r["alignment"]})
        parsed = [parse_slots(t or "") for t in translator.translate(wrapped, "en", lang)]
        accuracy[lang] = percent(labeled_accuracy(parsed, gold, char_level=get_language(lang).char_level))
        well_formed[lang] = percent(well_formed_rate(parsed))
    return accuracy, well_formed


def train_english_ner(
    recipe: Recipe, out: Path, models: ModelsResult, seed: int, model_dir: str = NER_DIR
) -> NerResult:
    """The English NER model of ``seed`` (the zero-shot baseline), or the fine-tuned one the recipe names."""
    if models.english_ner:
        return NerResult(models.english_ner, trained=False)
    from ..training.selftrain import train_ner

    args = arguments("ner", recipe, out / model_dir, recipe.ner, seed)
    result = train_ner(models.ner, english_examples(out), args)
    processes().wait()
    return NerResult(model_dir, True, result.train_loss, result.train_sentences, result.steps)


def project(recipe: Recipe, out: Path, models: ModelsResult, ner_dir: str) -> ProjectResult:
    """The crop-projection pipeline over each language's raw text, into resumable shards, scored against gold."""
    from ..projection.corpus_projection import project_corpus

    options = recipe.projection_options()
    projector = projection_pipeline(recipe, str(out / LST_DIR), ner_dir, models)
    projector.crop_config.languages = list(recipe.languages)  # saved with it: what the app and the card offer
    procs = processes()
    if procs.is_main:
        projector.save_pretrained(out / PIPELINE_DIR)
    for lang in recipe.languages:  # under accelerate launch, process i projects the shards k with k % n == i
        project_corpus(projector, out / raw_file(lang), out / PROJECTED_DIR / lang, src_lang=lang, options=options,
                       process_index=procs.index, num_processes=procs.count, barrier=procs.wait)  # fmt: skip
    procs.wait()
    if not procs.is_main:
        return ProjectResult()  # the main process writes the record the others read
    per_lang = {lang: projection_quality(list(read_jsonl(out / raw_file(lang))), read_shards(out / PROJECTED_DIR / lang))
                for lang in recipe.languages}  # fmt: skip
    for lang, p in per_lang.items():
        if not p["kept"]:
            logger.warning("project: %s kept 0 of %d raw sentences (%s): CROP has no projected %s data", lang,
                           p["total"], p["drops"], lang)  # fmt: skip
    return ProjectResult(PIPELINE_DIR, per_lang, projector.decoding, options.min_slot_score)


def projection_pipeline(recipe: Recipe, lst_dir: str, ner_dir: str, models: ModelsResult) -> Any:
    """The crop-projection pipeline of the run's LST model, an English NER model and the recipe's MT model, loaded
    with the recipe's projection options and decoding (projection and the translate-test baseline)."""
    from transformers import pipeline

    options = recipe.projection_options()
    return pipeline("crop-projection", model=lst_dir, ner_model=ner_dir, mt_model=models.mt,  # type: ignore[call-overload]  # a task registered at run time
                    **{**options.load_options(), "decoding": options.decoding})  # fmt: skip


def read_shards(shard_dir: Path) -> list[dict[str, Any]]:
    """The projected rows of one language, in input order."""
    import pyarrow.parquet as pq

    rows = []
    for shard in sorted(shard_dir.glob("shard-*.parquet")):
        rows.extend(pq.read_table(shard, columns=["line", "kept", "reason", "detail", "tokens", "tags"]).to_pylist())
    return sorted(rows, key=lambda r: r["line"])


def projection_quality(gold_rows: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """P/R/F1 of the kept sentences against the gold tags of their rows, the kept share and drops per reason (in
    percent).

    Sources without labels give only the counts. A kept sentence whose tokens differ from the gold row's (the raw
    tokenizer split a word differently) cannot be scored and counts as a ``tokenisation`` drop.
    """
    from ..core.filters import FilterStats
    from ..core.metrics import projection_scores

    gold, pred, stats = [], [], FilterStats()
    for row, res in zip(gold_rows, results):
        if is_scored(row, res):
            gold.append(tags_to_spans(row["tags"]) if "tags" in row else [])
            pred.append(tags_to_spans(res["tags"]))
            stats.add(None)
        else:
            stats.add(res["reason"] or "tokenisation")
    scored = all("tags" in row for row in gold_rows)
    scores = projection_scores(gold, pred) if scored else None
    return {
        "precision": percent(scores.precision) if scores else None,
        "recall": percent(scores.recall) if scores else None,
        "f1": percent(scores.f1) if scores else None,
        **kept_counts(stats),
    }


def is_scored(gold_row: dict[str, Any], result: dict[str, Any]) -> bool:
    """Whether :func:`projection_quality` scores a projected sentence: kept, in its gold row's tokens (when the row
    is labelled)."""
    return bool(result["kept"]) and ("tags" not in gold_row or result["tokens"] == gold_row["tokens"])


def selftrain(
    recipe: Recipe, out: Path, models: ModelsResult, seed: int, model_dir: str = CROP_DIR
) -> SelftrainResult:
    """CROP's multilingual self-training with ``seed``: English gold + kept projections, then re-labelled
    discards. Its model is the last round's final checkpoint; no target-language gold data chooses it."""
    from ..training.ner_data import NerExample
    from ..training.selftrain import self_train

    projected, discarded = [], []
    for lang in recipe.languages:
        for r in read_shards(out / PROJECTED_DIR / lang):
            if r["kept"]:
                projected.append(NerExample(r["tokens"], r["tags"], lang, f"{lang}-{r['line']}"))
            elif r["tokens"] and r["reason"] not in NO_RELABEL:
                discarded.append(NerExample(r["tokens"], None, lang, f"{lang}-{r['line']}"))
    args = arguments("selftrain", recipe, out / model_dir, recipe.selftrain, seed)
    result = self_train(models.ner, english_examples(out), projected, discarded, args)
    processes().wait()
    rounds = [{"round": r.round, "sentences": r.train_sentences, "train_loss": r.train_loss, "data": r.data}
              for r in result.rounds]  # fmt: skip
    return SelftrainResult(in_run(out, result.model_dir), len(projected), len(discarded), rounds)


def evaluate(recipe: Recipe, out: Path, systems: dict[int, dict[str, str | None]]) -> EvaluateResult:
    """Entity-level F1 (in percent) per seed, target language and system (zero-shot, baselines, CROP) on the
    language's test set: ``{"by_seed": {seed: {lang: {system: f1}}}}``; a system without a model (nothing to
    train it on) is ``None``. ``systems[seed][name]`` is a model folder, or for the systems that predict through the
    pipeline (:data:`PREDICTED_SYSTEMS`: translate-test) the folder of their predicted tags."""
    from ..training.ner_data import NerExample
    from ..training.selftrain import evaluate_ner

    eval_sets = {lang: [NerExample(r["tokens"], r["tags"], lang, str(r.get("id", i)))
                        for i, r in enumerate(read_jsonl(out / test_file(lang)))]
                 for lang in recipe.languages}  # fmt: skip
    by_seed: dict[str, Any] = {}
    for seed, dirs in systems.items():
        results: dict[str, Any] = {lang: {} for lang in recipe.languages}
        for name, path in dirs.items():
            if name in PREDICTED_SYSTEMS:
                scores = _predicted_scores(Path(path), eval_sets) if path else {}
            else:
                scores = evaluate_ner(path, eval_sets) if path else {}
            for lang in recipe.languages:
                results[lang][name] = percent(scores[lang].f1) if lang in scores else None
        by_seed[str(seed)] = results
    return EvaluateResult(by_seed)


def _predicted_scores(folder: Path, eval_sets: dict[str, list]) -> dict[str, Any]:
    """Entity-level scores of a system that wrote its tags (``<lang>.jsonl``, one row per test sentence, in order)
    instead of a model: the same seqeval scores as :func:`~crop_hf.training.selftrain.evaluate_ner`."""
    from ..core.metrics import ner_scores

    scores = {}
    for lang, examples in eval_sets.items():
        rows = list(read_jsonl(folder / f"{lang}.jsonl"))
        if [r["tokens"] for r in rows] != [ex.tokens for ex in examples]:
            raise RuntimeError(
                f"{folder / lang}.jsonl does not hold the {lang} test set's sentences: rerun with --force"
            )
        scores[lang] = ner_scores([ex.tags for ex in examples], [r["tags"] for r in rows])
    return scores


def english_examples(out: Path) -> list:
    from ..training.ner_data import NerExample

    return [NerExample(r["tokens"], r["tags"], "en", str(r.get("id", i)))
            for i, r in enumerate(read_jsonl(out / ENGLISH))]  # fmt: skip


def arguments(stage: str, recipe: Recipe, output_dir: Path, settings: dict[str, Any], seed: int | None = None) -> Any:
    """The stage's arguments dataclass from the recipe's fields (CPU picked by itself when there is no GPU), with
    ``seed`` (default: the recipe's)."""
    import torch

    from ..training.selftrain import SelfTrainingArguments
    from ..training.trainer import LabeledSeq2SeqTrainingArguments

    cls: type = LabeledSeq2SeqTrainingArguments if stage == "lst" else SelfTrainingArguments
    defaults: dict[str, Any] = {"report_to": [], "seed": recipe.seed if seed is None else seed,
                                "use_cpu": not torch.cuda.is_available()}  # fmt: skip
    if stage != "lst":
        defaults["label_scheme"] = recipe.label_scheme
    try:
        return cls(output_dir=str(output_dir), **{**defaults, **settings})
    except (TypeError, ValueError) as err:
        raise RecipeError(f"{recipe.source}: {stage}: {err}") from err
