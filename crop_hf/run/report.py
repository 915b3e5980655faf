"""The run's report: one typed metrics object built from the stage results, ``report.md`` beside the paper's
table, the plots, ``metrics.json`` and the model cards.

Every score is in percent (:mod:`crop_hf.run.scores`; ``scale`` in ``metrics.json`` says so). The
:class:`~crop_hf.publish.model_card.RunMetrics` built here is what the report, the cards and the Hub push read; nothing
re-parses ``metrics.json``, which is written for people and scripts. Its keys:

- ``scale``: the one sentence on the scale; ``recipe``: name, benchmark, source file, NER ``encoder`` (as the paper
  names it, ``None`` for one it does not report) and ``seeds`` of the run; ``languages``: the target languages;
- ``data``: sentences per role and language; ``alignment``: method and phrase pairs per sentence;
- ``lst``: steps, training_pairs, last_log, and (built-in data) ``entity_accuracy`` / ``entity_well_formed`` per
  language: the labeled translation accuracy on the test set's gold entities; ``english_ner``: train_loss,
  sentences, steps of the zero-shot model (first seed), or the model given;
- ``projection``: per language precision, recall, f1 (None without gold labels), kept, total, kept_percent, drops
  (``raw_language``: the raw sentence is in another language; ``wrong_language``: its labeled translation is);
  ``decoding``: how the labeled back-translation was decoded (``decoding``: free or constrained, ``min_slot_score``);
- ``selftrain``: model_dir, projected, discarded and per round the data counts (first seed);
- ``lst_quality``: per language ``labeled`` (accuracy: of the slots sent around held-out aligned phrases, the
  share that came back around the aligned target phrase, the paper's Table 6 measure made automatic; well_formed;
  pairs; slots) and, with ``lst_test`` data, ``translation`` (``x_en`` and ``en_x``: bleu, chrf++, tokenize;
  sentences); ``tokenisation``: what the BLEU columns are;
- ``translate_train`` (when the baseline runs): per language kept, total, kept_percent, drops of the translation;
- ``translate_test`` (when the baseline runs): per language kept, total, kept_percent, drops of the test sentences
  through the pipeline (first seed; a dropped sentence predicts no entity);
- ``evaluation``: per language the entity-level F1 of zero_shot, translate_train and translate_test (when run) and
  crop on the target test set, the mean over the seeds (``None`` where the system had no data in that language: see ``no_data``);
  ``evaluation_std`` (several seeds): their sample standard deviation; ``evaluation_by_seed``: every seed's F1;
  ``no_data``: per language the systems without data in it and why ("no projected data", "no translated data");
- ``checkpoints``: which checkpoint each NER model is;
- ``paper``: the paper's table beside this run (title, per language and avg the published F1), when the recipe names
  a benchmark and the paper reports the encoder;
- ``later_methods`` (benchmark masakhaner2): ``label_mapping``, ``skipped`` (MasakhaNER languages left out, and why)
  and ``methods``: per later method (:mod:`crop_hf.run.later_methods`) its published average and its average on the
  run's languages it reports;
- ``stages``: per stage seconds and whether it was reused.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..publish.model_card import RunMetrics, training_facts
from . import paper
from .later_methods import beside_later_methods
from .lst_quality import tokenisation_note
from .recipe import Recipe
from .records import in_run
from .results import ReportResult, StageResults
from .scores import SCALE_NOTE

NO_DATA = {"crop": "no projected data", "translate_train": "no translated data"}
SYSTEM_NAMES = {"zero_shot": "zero-shot", "translate_train": "translate-train", "translate_test": "translate-test",
                "crop": "CROP"}  # every system a run evaluates, in the report's order  # fmt: skip
CHECKPOINTS = (
    "Each NER model is the final checkpoint of its training (the steps or epochs the recipe sets; CROP's, that of its "
    "last self-training round): no target-language gold data chose any of them (no development set, no early "
    "stopping, no choice among rounds)."
)
SLOT_MEASURES = [
    "- *labeled accuracy (entities)*: the test set's English gold entities sent to the LST model in slot markers; "
    "the share that came back around their aligned target entity (a missing or malformed slot is a failure).",
    "- *labeled accuracy (aligned phrases)*: the same measure on one to three aligned phrase pairs of each held-out "
    "parallel pair, the paper's Table 6 measure made automatic: the paper checks entities by hand, this checks the "
    "aligned phrases LST training draws its slots from (any, or with lst.slot_phrases: names the names) against the "
    "word alignment.",
]


def collect(recipe: Recipe, results: StageResults) -> tuple[dict[str, Any], RunMetrics]:
    """``metrics.json``'s content and the typed metrics of the run, from the stage results."""
    seeds = recipe.ner_seeds
    project, quality = results.project, results.lst_quality
    projection = project.languages
    translated = results.translate.languages if results.translate is not None else None
    by_seed = results.evaluate.by_seed
    no_data = _no_data(recipe.languages, projection, translated)
    evaluation, spread = _over_seeds(by_seed, no_data)
    encoder = paper.encoder_of(recipe.models.ner)
    metrics: dict[str, Any] = {
        "scale": SCALE_NOTE,
        "recipe": {
            "name": recipe.name,
            "benchmark": recipe.benchmark,
            "source": recorded_source(recipe),
            "encoder": encoder,
            "seeds": seeds,
        },  # fmt: skip
        "languages": list(recipe.languages),
        "data": asdict(results.data),
        "alignment": asdict(results.align),
        "lst": asdict(results.train_lst),
        "english_ner": asdict(results.train_ner),
        "projection": projection,
        "decoding": {"decoding": project.decoding, "min_slot_score": project.min_slot_score},
        "selftrain": asdict(results.selftrain),
        "lst_quality": {
            "labeled": quality.labeled,
            **({"translation": quality.translation} if quality.translation else {}),
        },  # fmt: skip
        "evaluation": evaluation,
        **({"evaluation_std": spread} if len(seeds) > 1 else {}),
        "evaluation_by_seed": by_seed,
        **({"no_data": no_data} if no_data else {}),
        "checkpoints": CHECKPOINTS,
    }
    if quality.translation:
        metrics["lst_quality"]["tokenisation"] = tokenisation_note(quality.translation)
    if translated is not None:
        metrics["translate_train"] = {"languages": translated}
    if "translate_test" in results:
        metrics["translate_test"] = {"languages": results["translate_test"].languages}
    title, published = paper.beside(recipe.benchmark, list(recipe.languages), encoder)
    if published:
        metrics["paper"] = {"title": title, "f1": published}
    if recipe.benchmark == "masakhaner2":
        metrics["later_methods"] = {"label_mapping": label_mapping(recipe), "skipped": skipped_languages(recipe),
                                    "methods": beside_later_methods(list(recipe.languages))}  # fmt: skip
    return metrics, typed_metrics(recipe, metrics)


def typed_metrics(recipe: Recipe, metrics: dict[str, Any], seed: int | None = None) -> RunMetrics:
    """The typed view of ``metrics``: F1 as the mean over the seeds (the report), or one ``seed``'s (the cards and
    the push describe the first seed's models, the ones the run folder keeps under their plain names)."""
    typed = RunMetrics.from_dict(metrics, source=recipe.source, seed=seed)
    typed.training, typed.synthetic = training_facts(metrics), recipe.builtin
    return typed


def recorded_source(recipe: Recipe) -> str:
    """The recipe's file as the run records it: a shipped recipe by its name (no path of this machine), a user's
    file as it was given."""
    shipped = Path(__file__).resolve().parents[1] / "recipes"
    return f"shipped recipe {recipe.name}" if Path(recipe.source).resolve().parent == shipped else recipe.source


def _no_data(
    languages: list[str], projection: dict[str, Any], translated: dict[str, Any] | None
) -> dict[str, dict[str, str]]:
    """Per language, the systems that had no data of it: CROP where projection kept nothing, translate-train
    where no translation was kept."""
    missing: dict[str, dict[str, str]] = {}
    for lang in languages:
        if not projection[lang]["kept"]:
            missing.setdefault(lang, {})["crop"] = NO_DATA["crop"]
        if translated is not None and not translated[lang]["kept"]:
            missing.setdefault(lang, {})["translate_train"] = NO_DATA["translate_train"]
    return missing


def _over_seeds(
    by_seed: dict[str, Any], no_data: dict[str, dict[str, str]]
) -> tuple[dict[str, dict[str, float | None]], dict[str, dict[str, float]]]:
    """Mean and sample standard deviation over the seeds of each language's and system's F1 (``None`` for a
    system without data in the language)."""
    runs = list(by_seed.values())
    means: dict[str, dict[str, float | None]] = {}
    spread: dict[str, dict[str, float]] = {}
    for lang, systems in runs[0].items():
        means[lang], spread[lang] = {}, {}
        for system in systems:
            values = [run[lang][system] for run in runs if run[lang][system] is not None]
            if system in no_data.get(lang, {}) or not values:
                means[lang][system] = None
                continue
            means[lang][system] = round(statistics.fmean(values), 2)
            if len(values) > 1:
                spread[lang][system] = round(statistics.stdev(values), 2)
    return means, spread


def write_report(recipe: Recipe, out: Path, metrics: dict[str, Any], typed: RunMetrics) -> ReportResult:
    """``report.md``, the plots and ``metrics.json`` of this run."""
    seeds = recipe.ner_seeds
    lines = [f"# crop-hf run report: {recipe.name}", ""]
    lines.append("Built-in corpus and tiny models: the numbers show the method's shape, not the paper's scale."
                 if recipe.builtin else f"Recipe `{recipe.source}`, benchmark {recipe.benchmark}.")  # fmt: skip
    over = (f"the mean ± sample standard deviation over {len(seeds)} seeds ({', '.join(map(str, seeds))}) of the "
            "NER stages, the LST model and projection shared" if len(seeds) > 1 else f"one seed ({seeds[0]})")  # fmt: skip
    lines += ["", SCALE_NOTE, "", f"NER F1: {over}. {CHECKPOINTS}"]
    lines += [line for no_data in no_data_lines(metrics) for line in ("", no_data)]
    lines += ["", *results_table(typed), "", *SLOT_MEASURES, "", decoding_line(metrics["decoding"])]
    if "paper" in metrics:
        lines += ["", *paper_table(typed, metrics["paper"])]
    elif recipe.benchmark in paper.TABLES:
        lines += ["", f"The paper has no row for the encoder `{recipe.models.ner}` (it reports "
                      f"{' and '.join(paper.ENCODERS)}): no comparison row."]  # fmt: skip
    if "later_methods" in metrics:
        lines += ["", *later_methods_table(metrics)]
    lines += ["", *lst_table(typed, metrics["lst_quality"])]
    if "translate_train" in metrics:
        lines += [
            "",
            "Translate-train: English gold sentences translated and kept per language; drops per reason:",
            "",
        ]
        for lang, t in metrics["translate_train"]["languages"].items():
            lines.append(f"- {lang}: kept {t['kept']}/{t['total']} ({t['kept_percent']:.1f} %); {t['drops']}")
    if "translate_test" in metrics:
        lines += ["", "Translate-test: every test sentence through the projection pipeline (to English, tagged there, "
                  "the labels carried back); a sentence the pipeline drops predicts no entity, so its F1 counts the "
                  "whole test set. Test sentences kept per language (first seed); drops per reason:", ""]  # fmt: skip
        for lang, t in metrics["translate_test"]["languages"].items():
            lines.append(f"- {lang}: kept {t['kept']}/{t['total']} ({t['kept_percent']:.1f} %); {t['drops']}")
    lines += ["", "Projection: kept over all raw lines; drops per reason (raw_language: the raw sentence is not in the "
              "language, checked when projection.check_raw_language is on; wrong_language: its labeled translation "
              "is not, the paper's filter):", ""]  # fmt: skip
    for lang in recipe.languages:
        p = metrics["projection"][lang]
        lines.append(f"- {lang}: kept {p['kept']}/{p['total']} ({p['kept_percent']:.1f} %); {p['drops']}")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    return ReportResult("report.md", "metrics.json", _plots(out, typed))


def no_data_lines(metrics: dict[str, Any]) -> list[str]:
    """One line per language and system that had no data of the language (the console summary prints them too)."""
    lines = []
    for lang, missing in (metrics.get("no_data") or {}).items():
        if "crop" in missing:
            p = metrics["projection"][lang]
            lines.append(f"**{lang}: no projected data**: projection kept none of its {p['total']} raw sentences "
                         f"({p['drops']}); its CROP F1 reads so instead of a number.")  # fmt: skip
        if "translate_train" in missing:
            t = metrics["translate_train"]["languages"][lang]
            lines.append(f"**{lang}: no translated data**: none of the {t['total']} English sentences translated "
                         f"into {lang} was kept ({t['drops']}); its translate-train F1 reads so.")  # fmt: skip
    return lines


def console_summary(metrics: dict[str, Any], output_dir: str) -> list[str]:
    """The lines ``crop-hf run`` ends with: each system's mean F1 over the languages, on how many languages CROP
    beats each baseline, the languages without data, where the report is."""
    evaluation, name = metrics["evaluation"], metrics["recipe"]["name"]
    systems = [s for s in SYSTEM_NAMES if any(s in e for e in evaluation.values())]
    labels = SYSTEM_NAMES
    seeds = metrics["recipe"].get("seeds") or []
    means = []
    for s in systems:
        values = [e[s] for e in evaluation.values() if e.get(s) is not None]
        means.append(f"{labels[s]} {_mean(values)}" + (f" ({len(values)} languages)" if len(values) < len(evaluation)
                                                      else ""))  # fmt: skip
    over = f", mean of {len(seeds)} seeds" if len(seeds) > 1 else ""
    lines = [f"crop-hf run {name}: F1 % averaged over the languages{over}: {', '.join(means)}"]
    for base in systems[:-1]:
        pairs = [(e["crop"], e[base]) for e in evaluation.values() if None not in (e.get("crop"), e.get(base))]
        lines.append(f"crop-hf run {name}: CROP above {labels[base]} on {sum(c > b for c, b in pairs)}/{len(pairs)} "
                     "languages")  # fmt: skip
    lines += [f"crop-hf run {name}: {line.replace('**', '')}" for line in no_data_lines(metrics)]
    lines.append(f"crop-hf run {name}: report: {output_dir}/report.md, metrics: {output_dir}/metrics.json")
    return lines


def results_table(typed: RunMetrics) -> list[str]:
    """The per-language table of a run (Markdown lines, scores in percent): projection quality, kept, the F1 of each
    system (± its standard deviation over seeds), the labeled accuracy on gold entities."""
    systems = run_systems(typed)
    lines = ["| lang | projection P / R / F1 | kept | " + " | ".join(f"{SYSTEM_NAMES[s]} F1" for s in systems)
             + " | labeled accuracy (entities) |", "|---|---|---|" + "---|" * len(systems) + "---|"]  # fmt: skip
    for r in typed.results:
        proj = " / ".join(_score(x) for x in (r.projection_precision, r.projection_recall, r.projection_f1))
        cells = [_f1(r, s) for s in systems]
        lines.append(f"| {r.lang} | {proj} | {r.kept}/{r.total} | " + " | ".join(cells)
                     + f" | {_score(r.entity_accuracy)} |")  # fmt: skip
    return lines


def run_systems(typed: RunMetrics) -> list[str]:
    """The systems the run evaluated, in :data:`SYSTEM_NAMES`' order: those with an F1, or a language where they had
    no data."""
    return [s for s in SYSTEM_NAMES if typed.has(f"{s}_f1") or any(s in r.no_data for r in typed.results)]


def _f1(r: Any, system: str) -> str:
    if system in r.no_data:
        return r.no_data[system]
    value, std = getattr(r, f"{system}_f1"), r.f1_std.get(system)
    return _score(value) if std is None or value is None else f"{value:.1f} ± {std:.1f}"


def decoding_line(decoding: dict[str, Any]) -> str:
    """One line saying how the projection's labeled back-translation was decoded and what that means."""
    if decoding["decoding"] == "constrained":
        return (f"Projection decoding: **constrained** (the LST model writes only the raw sentence's own tokens plus "
                f"each entity's slot markers; the entities are the raw tokens between them; sentences whose weakest "
                f"slot scores below {decoding['min_slot_score']} are dropped as low_slot_score).")  # fmt: skip
    return (
        "Projection decoding: **free** (the paper's: the LST model writes any sentence, whose slotted phrases are "
        "then matched into the raw sentence)."
    )


def paper_table(typed: RunMetrics, published: dict[str, Any]) -> list[str]:
    """This run's F1 per system beside the paper's row of the same encoder for each language, and both averages
    over the languages that both have a number for."""
    systems = [s for s in paper.SYSTEMS if s in run_systems(typed)]
    names = SYSTEM_NAMES
    head = " | ".join([*(f"run {names[s]}" for s in systems), *(f"paper {names[s]}" for s in systems)])
    lines = [f"Beside the paper's {published['title']}:", "", f"| lang | {head} |",
             "|---|" + "---|" * 2 * len(systems)]  # fmt: skip
    ours: dict[str, list[float]] = {s: [] for s in systems}
    theirs: dict[str, list[float]] = {s: [] for s in systems}
    for r in typed.results:
        row = published["f1"].get(r.lang, {})
        for s in systems:
            if getattr(r, f"{s}_f1") is not None and row.get(s) is not None:
                ours[s].append(getattr(r, f"{s}_f1"))
                theirs[s].append(row[s])
        lines.append(f"| {r.lang} | " + " | ".join([*(_f1(r, s) for s in systems),
                                                    *(_score(row.get(s)) for s in systems)]) + " |")  # fmt: skip
    lines.append("| avg (languages both have) | " + " | ".join([*(_mean(ours[s]) for s in systems),
                                                               *(_mean(theirs[s]) for s in systems)]) + " |")  # fmt: skip
    avg = published["f1"].get("avg", {})
    lines.append(
        "| paper's own avg | " + " | ".join(["-"] * len(systems) + [_score(avg.get(s)) for s in systems]) + " |"
    )
    return lines


def label_mapping(recipe: Recipe) -> str:
    """The run's label mapping in one sentence: each source's ``label_map`` and the scheme the models learn."""
    from .later_methods import LABEL_MAPPING

    maps = [f"data.{role}: " + ", ".join(f"{k} -> {v}" for k, v in src.label_map.items())
            for role, src in recipe.data.items() if src.label_map]  # fmt: skip
    given = f"Label mapping ({'; '.join(maps)}), scheme {recipe.label_scheme}." if maps else ""
    return f"{given} {LABEL_MAPPING}".strip() if recipe.benchmark == "masakhaner2" else given


def skipped_languages(recipe: Recipe) -> dict[str, str]:
    """The MasakhaNER 2.0 languages this run leaves out, and why."""
    from ..builders.masakhaner2 import MASAKHANER2_FOLDERS, MASAKHANER2_WITHOUT_NLLB

    skipped = {code: f"{name}: NLLB-200 has no code for it, so no LST model translates it"
               for code, name in MASAKHANER2_WITHOUT_NLLB.items()}  # fmt: skip
    for code, folder in MASAKHANER2_FOLDERS.items():
        if code not in recipe.languages:
            skipped[folder] = "not in the recipe's languages"
    return skipped


def later_methods_table(metrics: dict[str, Any]) -> list[str]:
    """The later methods' published MasakhaNER 2.0 averages beside this run's, on the languages both have."""
    later, evaluation = metrics["later_methods"], metrics["evaluation"]
    systems = [s for s in SYSTEM_NAMES if any(s in e for e in evaluation.values())]
    lines = [f"Beside the later methods on MasakhaNER 2.0 (F1 %, published): {later['label_mapping']}", "",
             "| method | published avg (languages) | its avg on this run's languages | "
             + " | ".join(f"run {SYSTEM_NAMES[s]} on those" for s in systems) + " |",
             "|---|---|---|" + "---|" * len(systems)]  # fmt: skip
    for m in later["methods"]:
        shared = m["shared_languages"]
        ours = [_mean([evaluation[x][s] for x in shared if evaluation[x].get(s) is not None]) if shared else "-"
                for s in systems]  # fmt: skip
        theirs = (f"{m['average_on_shared']:.1f} ({len(shared)})" if shared
                  else "not given per language: no same-language comparison")  # fmt: skip
        lines.append(f"| {m['method']} ({m['source']}) | {m['published_average']:.1f} ({m['published_languages']}) | "
                     f"{theirs} | " + " | ".join(ours) + " |")  # fmt: skip
    skipped = "; ".join(f"{code}: {why}" for code, why in later["skipped"].items())
    lines += ["", f"MasakhaNER 2.0 languages not in this run: {skipped}."]
    return lines


def lst_table(typed: RunMetrics, quality: dict[str, Any]) -> list[str]:
    """The LST model's translation quality (both ways) and labeled-translation accuracy per language, beside the
    paper's Tables 5 and 6."""
    lines = ["LST model: translation quality on the lst_test data (paper Table 5) and labeled accuracy on held-out "
             "aligned phrase pairs (every slot sent counts; paper Table 6, there on entities checked by people):", "",
             "| lang | BLEU X->en | chrF++ X->en | BLEU en->X | chrF++ en->X | labeled accuracy (aligned phrases) "
             "| well-formed |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    labeled = quality.get("labeled") or {}
    for r in typed.results:
        well = (labeled.get(r.lang) or {}).get("well_formed")
        lines.append(f"| {r.lang} | {_score(r.bleu_x_en)} | {_score(r.chrf_x_en)} | {_score(r.bleu_en_x)} | "
                     f"{_score(r.chrf_en_x)} | {_score(r.labeled_accuracy)} | {_score(well)} |")  # fmt: skip
    spbleu, table6 = paper.FLORES_SPBLEU["crop_lst"], paper.LABELED_ACCURACY["with_alignment"]
    lines += ["", f"Paper: spBLEU X->en {spbleu['x_en']}, en->X {spbleu['en_x']} (FLORES-101, average of 39 "
              "directions, CROP's LST model); labeled accuracy " + ", ".join(f"en->{k} {v}" for k, v in table6.items())
              + " (entities, checked by people)."]  # fmt: skip
    if quality.get("tokenisation"):
        lines.append(quality["tokenisation"])
    elif not quality.get("translation"):
        lines.append("No lst_test data in the recipe: translation quality was not measured.")
    return lines


def write_cards(recipe: Recipe, out: Path, typed: RunMetrics, pipeline_dir: str, crop_dir: str) -> dict[str, Any]:
    """The model cards of the saved pipeline and of the self-trained NER model, filled from this run's metrics."""
    from ..publish.model_card import CardInfo, ner_card, projection_card

    data = "the built-in synthetic corpus of crop-hf" if recipe.builtin else typed.dataset_name
    pipe_repo = recipe.publish.pipeline_repo or f"crop-hf/crop-projection-{recipe.name}"
    ner_repo = recipe.publish.ner_repo or f"crop-hf/crop-ner-{recipe.name}"
    cards = {}
    for repo, folder, make in ((pipe_repo, pipeline_dir, projection_card), (ner_repo, crop_dir, ner_card)):
        info = CardInfo(repo_id=repo, languages=list(recipe.languages), training_data=data)
        make(folder, info, typed, image_dir=folder).save(Path(folder) / "README.md")
        cards[repo] = in_run(out, Path(folder) / "README.md")
    return cards


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.1f}" if values else "-"


def _score(x: float | None) -> str:
    """A score in percent, one decimal."""
    return "-" if x is None else f"{x:.1f}"


def _plots(out: Path, typed: RunMetrics) -> list[str]:
    try:
        import matplotlib
    except ImportError:
        return []
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    langs = typed.languages
    x = range(len(langs))
    fig, ax = plt.subplots(figsize=(6, 3))
    series = [(label, f"{name}_f1") for name, label in SYSTEM_NAMES.items() if typed.has(f"{name}_f1")]
    width = 0.8 / len(series)
    for k, (label, name) in enumerate(series):
        offset = (k - (len(series) - 1) / 2) * width
        ax.bar([i + offset for i in x], [getattr(r, name) or 0 for r in typed.results], width, label=label)
    ax.set_xticks(list(x), langs)
    ax.set_ylabel("F1 (%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "f1_per_language.png")
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(langs, [r.kept_percent or 0 for r in typed.results])
    ax.set_ylabel("kept (%)")
    fig.tight_layout()
    fig.savefig(out / "kept_per_language.png")
    plt.close("all")
    return ["f1_per_language.png", "kept_per_language.png"]
