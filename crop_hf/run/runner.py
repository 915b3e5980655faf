"""``crop-hf run RECIPE``: the stages of a CROP run in order, each reused while its inputs and settings hold.

data -> models -> align -> train_lst -> lst_quality -> train_ner -> [translate] -> project -> per seed:
[train_ner-seedN] [translate_train] [translate_test] selftrain -> evaluate -> report -> cards -> push

With several ``seeds`` the NER stages run once per seed (the first seed's keep their plain names and folders; the
others are named ``<stage>-seed<N>``, their models ``models/<name>-seed<N>``); data, the LST model, translation
and projection are shared (projection uses the first seed's English NER model).

:func:`plan` builds the stages without running anything (``--dry-run`` prints it, offline, without loading a
model); :func:`run_recipe` runs them through :class:`~crop_hf.run.records.StageRunner`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ..base.folder_lock import FolderLock
from ..base.resumable import fingerprint_dir
from . import paper, steps
from .baselines import (
    TRANSLATE_TEST_DIR,
    TRANSLATE_TRAIN_DIR,
    TRANSLATED_DIR,
    translate,
    translate_test,
    translate_train,
    translate_train_options,
)
from .data import ENGLISH, PARALLEL, lst_test_file, prepare_data, raw_file, test_file
from .lst_quality import lst_quality
from .recipe import Recipe, check_stage_fields
from .records import Stage, StageRunner, at, check_output_dir, in_run, processes
from .report import collect, label_mapping, skipped_languages, typed_metrics, write_cards, write_report
from .results import (
    AlignResult,
    CardsResult,
    DataResult,
    EvaluateResult,
    LstQualityResult,
    LstResult,
    ModelsResult,
    NerResult,
    ProjectResult,
    PushResult,
    ReportResult,
    SelftrainResult,
    StageResults,
    TranslateResult,
    TranslateTestResult,
)


def plan(recipe: Recipe, output_dir: str | Path, results: StageResults | None = None) -> list[Stage]:
    """The run's stages with their settings, inputs and outputs; each ``fn`` runs its stage when called and reads
    the results of earlier stages from ``results`` (which the caller fills, run or reused)."""
    out = Path(output_dir)
    r = results if results is not None else StageResults()
    langs = recipe.languages

    def models() -> ModelsResult:
        return steps.models_at(out, r.models)

    data = {role: {k: v for k, v in dataclasses.asdict(src).items() if v not in (None, {})}
            for role, src in recipe.data.items()}  # fmt: skip
    lst_init = "built by the models stage" if recipe.models.lst == "builtin" else recipe.models.lst
    ner_init = "built by the models stage" if recipe.models.ner == "builtin" else recipe.models.ner

    projection = recipe.projection_options()
    backend = projection.load_options()
    has_test = "lst_test" in recipe.data
    baselines = list(recipe.baselines)
    systems = ["zero_shot", *baselines, "crop"]
    first = recipe.ner_seeds[0]
    ner_stages = ["train_ner", *baselines, "selftrain"]
    stages = [
        Stage("data", "read each role's data into JSON lines",
              {"data": data, "languages": langs, "seed": recipe.seed, "files": _data_fingerprints(recipe)},
              [], [f"{role}: {src.describe()}" for role, src in recipe.data.items()],
              [ENGLISH, PARALLEL, "data/raw", "data/test", *(["data/lst_test"] if has_test else [])],
              lambda: prepare_data(recipe, out), result_type=DataResult),
        Stage("models", "resolve (demo: build) the initial checkpoints",
              {"models": dataclasses.asdict(recipe.models), "seed": recipe.seed, "local": _model_fingerprints(recipe)},
              [], [f"lst: {lst_init}", f"ner: {ner_init}", f"mt: {recipe.models.mt or 'the LST model (both ways)'}"],
              ["models/m2m100-init", "models/xlmr-init", "models/spm.model"] if recipe.builtin else [],
              lambda: steps.resolve_models(recipe, out), result_type=ModelsResult),
        Stage("align", f"phrase pairs of the parallel pairs ({recipe.alignment['method']})", dict(recipe.alignment),
              ["data"], [PARALLEL], [steps.ALIGNED], lambda: steps.align(recipe, out), result_type=AlignResult),
        Stage("train_lst", "fine-tune the labeled sequence translation model",
              {**recipe.lst, "heldout_pairs": recipe.lst_quality_options()["heldout_pairs"]},
              ["align", "models"], [steps.ALIGNED, f"init: {lst_init}"], [steps.LST_DIR],
              lambda: steps.train_lst(recipe, out, models()), everywhere=True, result_type=LstResult),
        Stage("lst_quality", "the LST model as a translator (spBLEU, chrF++ both ways) and as a labeled translator "
              "(slots around the aligned phrase, held-out pairs)", {**recipe.lst_quality_options(), **backend},
              ["train_lst", "data", "models"],
              [f"held-out pairs of {steps.ALIGNED}", *([lst_test_file(x) for x in langs] if has_test else [])], [],
              lambda: lst_quality(recipe, out, models(), r.train_lst.model_dir, steps.ALIGNED),
              result_type=LstQualityResult),
        _zero_shot_stage(recipe, out, r, first, first, ner_init),  # projection tags with the first seed's model
        *([Stage("translate", "translate the English gold set with the LST model, its labels in slots (the "
                 "translate-train baseline's data)", {**backend, **translate_train_options(projection),
                                                      **recipe.translate_train},
                 ["data", "train_lst"], [ENGLISH, steps.LST_DIR], [TRANSLATED_DIR],
                 lambda: translate(recipe, out, r.train_lst.model_dir), everywhere=True,
                 result_type=TranslateResult)] if "translate_train" in baselines else []),
        Stage("project", "project the raw target text with the crop-projection pipeline",
              projection.to_dict(), ["data", "train_lst", "train_ner"],
              [raw_file(lang) for lang in langs], [steps.PIPELINE_DIR, steps.PROJECTED_DIR],
              lambda: steps.project(recipe, out, models(), steps.english_ner_dir(out, r.train_ner)),
              everywhere=True, result_type=ProjectResult),
    ]  # fmt: skip
    for seed in recipe.ner_seeds:
        stages += _seed_stages(recipe, out, r, seed, first, ner_init)
    stages += [
        Stage("evaluate", f"F1 per language on the target test sets: {' vs '.join(systems)}"
              + (f", seeds {', '.join(map(str, recipe.ner_seeds))}" if len(recipe.ner_seeds) > 1 else ""),
              {"systems": systems, "seeds": recipe.ner_seeds},
              ["data", *(seeded(name, s, first) for s in recipe.ner_seeds for name in ner_stages)],
              [test_file(lang) for lang in langs], [],
              lambda: steps.evaluate(recipe, out, _system_dirs(out, r, recipe.ner_seeds, first, systems)),
              result_type=EvaluateResult),
        Stage("report", "report.md beside the paper's tables, plots, metrics.json",
              {"benchmark": recipe.benchmark, "encoder": paper.encoder_of(recipe.models.ner)},
              ["align", "train_lst", "lst_quality", "train_ner", *(["translate"] if "translate_train" in baselines else []), "project",
               "selftrain", "evaluate"], [], ["report.md", "metrics.json"], lambda: _report(recipe, out, r),
              result_type=ReportResult),
        Stage("cards", "model cards of the pipeline and the self-trained NER model",
              {"pipeline_repo": recipe.publish.pipeline_repo, "ner_repo": recipe.publish.ner_repo}, ["report"],
              [steps.PIPELINE_DIR, steps.CROP_DIR], [], lambda: _cards(recipe, out, r), result_type=CardsResult),
    ]  # fmt: skip
    if recipe.publish.push:
        stages.append(Stage("push", "publish the pipeline and the NER model", dataclasses.asdict(recipe.publish),
                            ["cards"], [], ["push"], lambda: _push(recipe, out, r), result_type=PushResult))  # fmt: skip
    return stages


def seeded(name: str, seed: int, first: int) -> str:
    """A per-seed stage's name (or a model folder): the first seed's is the plain one."""
    return name if seed == first else f"{name}-seed{seed}"


def _zero_shot_stage(recipe: Recipe, out: Path, r: StageResults, seed: int, first: int, ner_init: str) -> Stage:
    """The English NER model of ``seed`` (the zero-shot baseline)."""
    ner_dir = seeded(steps.NER_DIR, seed, first)
    return Stage(seeded("train_ner", seed, first), f"train the English NER model (the zero-shot baseline), seed {seed}",
                 {**recipe.ner, "label_scheme": recipe.label_scheme, "seed": seed}, ["data", "models"],
                 [ENGLISH, f"init: {recipe.models.english_ner or ner_init}"], [ner_dir],
                 lambda: steps.train_english_ner(recipe, out, steps.models_at(out, r.models), seed, ner_dir),
                 everywhere=True, result_type=NerResult)  # fmt: skip


def _seed_stages(recipe: Recipe, out: Path, r: StageResults, seed: int, first: int, ner_init: str) -> list[Stage]:
    """The NER stages of one seed: the English NER model (the first seed's runs before projection, in the plan
    itself), the translate-train baseline, CROP's self-training."""
    stages = [] if seed == first else [_zero_shot_stage(recipe, out, r, seed, first, ner_init)]

    def models() -> ModelsResult:
        return steps.models_at(out, r.models)

    tt_dir, crop_dir = (seeded(d, seed, first) for d in (TRANSLATE_TRAIN_DIR, steps.CROP_DIR))
    ner_settings = {**recipe.ner, "label_scheme": recipe.label_scheme, "seed": seed}
    if "translate_train" in recipe.baselines:
        stages.append(Stage(seeded("translate_train", seed, first), f"train the translate-train baseline (English + "
                            f"translated), seed {seed}", ner_settings, ["translate", "models"],
                            [ENGLISH, TRANSLATED_DIR, f"init: {ner_init}"], [tt_dir],
                            lambda: translate_train(recipe, out, models(), seed, tt_dir), everywhere=True,
                            result_type=NerResult))  # fmt: skip
    if "translate_test" in recipe.baselines:
        ner_dir, tt_out = seeded(steps.NER_DIR, seed, first), seeded(TRANSLATE_TEST_DIR, seed, first)
        stages.append(Stage(seeded("translate_test", seed, first), f"the translate-test baseline: every test sentence "
                            f"through the projection pipeline (to English, tagged, labels carried back), seed {seed}",
                            {**recipe.projection_options().to_dict(), "seed": seed},
                            ["data", "models", "train_lst", seeded("train_ner", seed, first)],
                            [*(test_file(lang) for lang in recipe.languages), steps.LST_DIR, ner_dir], [tt_out],
                            lambda: translate_test(recipe, out, models(), r.train_lst.model_dir,
                                                   steps.english_ner_dir(out, r[seeded("train_ner", seed, first)]),
                                                   tt_out), result_type=TranslateTestResult))  # fmt: skip
    stages.append(Stage(seeded("selftrain", seed, first), f"multilingual self-training (English gold + projected, "
                        f"re-labelled discards), seed {seed}", {**recipe.selftrain, "label_scheme": recipe.label_scheme,
                                                              "seed": seed},
                        ["project", "models"], [ENGLISH, steps.PROJECTED_DIR, f"init: {ner_init}"], [crop_dir],
                        lambda: steps.selftrain(recipe, out, models(), seed, crop_dir), everywhere=True,
                        result_type=SelftrainResult))  # fmt: skip
    return stages


def _system_dirs(out: Path, r: StageResults, seeds: list[int], first: int, systems: list[str]
                 ) -> dict[int, dict[str, str | None]]:  # fmt: skip
    """The NER model of each evaluated system and seed, from the results of the stages that trained it (``None``:
    the stage had no data to train on)."""
    dirs: dict[int, dict[str, str | None]] = {}
    for seed in seeds:
        stage = {"zero_shot": "train_ner", "crop": "selftrain", "translate_train": "translate_train",
                 "translate_test": "translate_test"}  # fmt: skip
        done: dict[str, Any] = {name: r[seeded(stage[name], seed, first)] for name in systems}
        dirs[seed] = {name: (steps.english_ner_dir(out, res) if name == "zero_shot" else
                             at(out, res.predictions_dir) if name == "translate_test" else
                             at(out, res.model_dir) if res.model_dir else None)
                      for name, res in done.items()}  # fmt: skip
    return dirs


def run_recipe(
    recipe: Recipe, output_dir: str | Path, force: bool = False, echo: Callable[[str], None] = print
) -> dict[str, Any]:
    """Run (or resume) every stage; return the content of ``metrics.json``."""
    check_stage_fields(recipe)
    out = check_output_dir(output_dir)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with FolderLock(out, "crop-hf run") if processes().is_main else nullcontext():  # one writer per run folder
        runner = StageRunner(out, force=force, echo=echo)
        results = StageResults()
        stages = plan(recipe, out, results)
        for stage in stages:
            results[stage.name] = runner.run(stage)
        runner.refresh_prints(stages)
    if not runner.procs.is_main:
        return {}
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    metrics["stages"] = {rec.name: {"seconds": round(rec.seconds, 2), "reused": rec.reused} for rec in runner.records}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    return metrics


def describe_plan(recipe: Recipe, output_dir: str | Path) -> str:
    """The plan as text: each stage with its inputs, outputs and settings (``crop-hf run --dry-run``)."""
    check_stage_fields(recipe)
    lines = [f"recipe {recipe.name} ({recipe.source}): languages {', '.join(recipe.languages)}; "
             f"benchmark {recipe.benchmark}; labels {recipe.label_scheme}; seed {recipe.seed}; "
             f"NER seeds {', '.join(map(str, recipe.ner_seeds))}; output {output_dir}",
             f"models: LST {recipe.models.lst}, NER {recipe.models.ner}; baselines: "
             f"{', '.join(recipe.baselines) or 'none'}"]  # fmt: skip
    mapping = label_mapping(recipe)
    if mapping:
        lines.append(mapping)
    if recipe.benchmark == "masakhaner2":
        lines.append("not in this run: " + "; ".join(f"{k} ({v})" for k, v in skipped_languages(recipe).items()))
    for i, stage in enumerate(plan(recipe, output_dir), start=1):
        lines.append(f"[{i}] {stage.name}: {stage.description}")
        if stage.after:
            lines.append(f"    after: {', '.join(stage.after)}")
        for item in stage.inputs:
            lines.append(f"    in:  {item}")
        for item in stage.outputs:
            lines.append(f"    out: {item}")
        shown = {k: v for k, v in stage.settings.items() if k not in ("files", "local")}
        if shown:
            lines.append(f"    settings: {json.dumps(shown, ensure_ascii=False, default=str)}")
    return "\n".join(lines)


def _report(recipe: Recipe, out: Path, r: StageResults) -> ReportResult:
    metrics, typed = collect(recipe, r)
    r.card_metrics = typed_metrics(recipe, metrics, seed=recipe.ner_seeds[0])
    return write_report(recipe, out, metrics, typed)


def _card_metrics(recipe: Recipe, r: StageResults) -> Any:
    """The first seed's numbers, which the cards and the push report (its models are the published ones)."""
    return r.card_metrics or typed_metrics(recipe, collect(recipe, r)[0], seed=recipe.ner_seeds[0])


def _cards(recipe: Recipe, out: Path, r: StageResults) -> CardsResult:
    typed = _card_metrics(recipe, r)
    return CardsResult(write_cards(recipe, out, typed, at(out, r.project.pipeline_dir),
                                   at(out, r.selftrain.model_dir)))  # fmt: skip


def _push(recipe: Recipe, out: Path, r: StageResults) -> PushResult:
    """Publish the pipeline and the self-trained NER model with the cards of this run (``publish.dry_run``: the
    folders that would be uploaded, under ``push/``). The token comes from huggingface_hub's usual sources."""
    from ..publish.publishing import PublishOptions, publish_ner_model, publish_pipeline

    pub = recipe.publish
    typed = _card_metrics(recipe, r)
    done = {}
    for key, repo, publish, folder in (
        ("pipeline", pub.pipeline_repo, publish_pipeline, r.project.pipeline_dir),
        ("ner", pub.ner_repo, publish_ner_model, r.selftrain.model_dir),
    ):
        if repo:
            dry = out / "push" / key if pub.dry_run else None
            options = PublishOptions(private=pub.private, revision=pub.revision, languages=list(recipe.languages),
                                     dry_run_dir=dry)  # fmt: skip
            res = publish(at(out, folder), repo, typed, options)
            done[key] = {"repo": repo, "files": len(res.files), "location": in_run(out, dry) if dry else res.location}
    return PushResult(done)


def _data_fingerprints(recipe: Recipe) -> dict[str, Any]:
    """Changed input files rerun the data stage: a hash of names, sizes and times of each local source."""
    prints: dict[str, Any] = {}
    for role, src in recipe.data.items():
        if src.data_dir:
            prints[role] = fingerprint_dir(src.data_dir)
        elif src.files:
            prints[role] = [_file_print(Path(p)) for p in src.file_paths(recipe.languages)]
    return prints


def _model_fingerprints(recipe: Recipe) -> dict[str, Any]:
    return {role: fingerprint_dir(value) for role, value in dataclasses.asdict(recipe.models).items()
            if value and Path(value).is_dir()}  # fmt: skip


def _file_print(path: Path) -> str | None:
    if not path.is_file():
        return None
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"
