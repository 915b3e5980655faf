"""The run's report: one typed metrics object built from the stage results, ``report.md`` beside the paper's
table, the plots, ``metrics.json`` and the model cards.

The :class:`~crop_hf.model_card.RunMetrics` built here is what the report, the cards and the Hub push read; nothing
re-parses ``metrics.json``, which is written for people and scripts. Its keys:

- ``recipe``: name, benchmark and source file of the run; ``languages``: the target languages;
- ``data``: sentences per role and language; ``alignment``: method and phrase pairs per sentence;
- ``lst``: steps, training_pairs, last_log, and (built-in data) slot_boundary_precision / well_formed_rate per
  language; ``english_ner``: train_loss, sentences, steps of the zero-shot model, or the model given;
- ``projection``: per language precision, recall, f1 (None without gold labels), kept, total, kept_ratio, drops;
  ``decoding``: how the labeled back-translation was decoded (``decoding``: free or constrained, ``min_slot_score``);
- ``selftrain``: model_dir, projected, discarded and per round the data counts;
- ``lst_quality``: per language ``labeled`` (accuracy: slots around the aligned phrase on held-out pairs, the
  paper's Table 6 measure; well_formed; pairs; slots) and, with ``lst_test`` data, ``translation`` (``x_en`` and
  ``en_x``: bleu, chrf++, tokenize; sentences); ``tokenisation``: what the BLEU columns are;
- ``translate_train`` (when the baseline runs): per language kept, total, kept_ratio, drops, and the training run;
- ``evaluation``: per language zero_shot, translate_train (when run) and crop entity-level F1 on the target test set;
- ``paper``: the paper's table beside this run (title, per language and avg the published F1), when the recipe names
  a benchmark;
- ``stages``: per stage seconds and whether it was reused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model_card import RunMetrics, training_facts
from . import paper
from .lst_quality import tokenisation_note
from .recipe import Recipe
from .records import in_run


def collect(recipe: Recipe, results: dict[str, Any]) -> tuple[dict[str, Any], RunMetrics]:
    """``metrics.json``'s content and the typed metrics of the run, from the stage results."""
    metrics = {
        "recipe": {"name": recipe.name, "benchmark": recipe.benchmark, "source": recipe.source},
        "languages": list(recipe.languages),
        "data": results["data"],
        "alignment": results["align"],
        "lst": results["train_lst"],
        "english_ner": results["train_ner"],
        "projection": results["project"]["languages"],
        "decoding": {k: results["project"].get(k, d) for k, d in (("decoding", "free"), ("min_slot_score", 0.0))},
        "selftrain": results["selftrain"],
        "lst_quality": results["lst_quality"],
        "evaluation": results["evaluate"],
    }
    if results["lst_quality"].get("translation"):
        note = tokenisation_note(results["lst_quality"]["translation"])
        metrics["lst_quality"] = {**results["lst_quality"], "tokenisation": note}
    if "translate_train" in results:
        metrics["translate_train"] = results["translate_train"]
    title, published = paper.beside(recipe.benchmark, list(recipe.languages))
    if published:
        metrics["paper"] = {"title": title, "f1": published}
    typed = RunMetrics.from_dict(metrics, source=recipe.source)
    typed.training, typed.synthetic = training_facts(metrics), recipe.builtin
    return metrics, typed


def write_report(recipe: Recipe, out: Path, metrics: dict[str, Any], typed: RunMetrics) -> dict[str, Any]:
    """``report.md``, the plots and ``metrics.json`` of this run."""
    lines = [f"# crop-hf run report: {recipe.name}", ""]
    lines.append("Built-in corpus and tiny models: the numbers show the method's shape, not the paper's scale."
                 if recipe.builtin else f"Recipe `{recipe.source}`, benchmark {recipe.benchmark}.")  # fmt: skip
    lines += ["", *results_table(typed), "", decoding_line(metrics["decoding"])]
    if "paper" in metrics:
        lines += ["", *paper_table(typed, metrics["paper"])]
    lines += ["", *lst_table(typed, metrics["lst_quality"])]
    if "translate_train" in metrics:
        lines += [
            "",
            "Translate-train: English gold sentences translated and kept per language; drops per reason:",
            "",
        ]
        for lang, t in metrics["translate_train"]["languages"].items():
            lines.append(f"- {lang}: kept {t['kept']}/{t['total']} ({t['kept_ratio']:.1%}); {t['drops']}")
    lines += ["", "Projection: kept over all raw lines; drops per reason (raw_language: the raw sentence is not in the "
              "language, checked when projection.check_raw_language is on; wrong_language: its labeled translation "
              "is not, the paper's filter):", ""]  # fmt: skip
    for lang in recipe.languages:
        p = metrics["projection"][lang]
        lines.append(f"- {lang}: kept {p['kept']}/{p['total']} ({p['kept_ratio']:.1%}); {p['drops']}")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    return {"report": "report.md", "metrics": "metrics.json", "plots": _plots(out, typed)}


def results_table(typed: RunMetrics) -> list[str]:
    """The per-language table of a run (Markdown lines): projection quality, kept, the F1 of each system."""
    tt = typed.has("translate_train_f1")
    lines = ["| lang | projection P / R / F1 | kept | zero-shot F1 |" + (" translate-train F1 |" if tt else "")
             + " CROP F1 | slot boundary precision |",
             "|---|---|---|---|---|" + ("---|" if tt else "") + "---|"]  # fmt: skip
    for r in typed.results:
        proj = " / ".join(_num(x) for x in (r.projection_precision, r.projection_recall, r.projection_f1))
        lines.append(f"| {r.lang} | {proj} | {r.kept}/{r.total} | {_num(r.zero_shot_f1)} |"
                     + (f" {_num(r.translate_train_f1)} |" if tt else "")
                     + f" {_num(r.crop_f1)} | {_num(r.slot_boundary_precision)} |")  # fmt: skip
    return lines


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
    """This run's F1 per system beside the paper's XLM-R row of each language (F1 in %), and both averages over
    the languages that both have a number for."""
    systems = [s for s in paper.SYSTEMS if s != "translate_train" or typed.has("translate_train_f1")]
    names = {"zero_shot": "zero-shot", "translate_train": "translate-train", "crop": "CROP"}
    head = " | ".join([*(f"run {names[s]}" for s in systems), *(f"paper {names[s]}" for s in systems)])
    lines = [f"Beside the paper's {published['title']}, F1 in %:", "", f"| lang | {head} |",
             "|---|" + "---|" * 2 * len(systems)]  # fmt: skip
    ours: dict[str, list[float]] = {s: [] for s in systems}
    theirs: dict[str, list[float]] = {s: [] for s in systems}
    for r in typed.results:
        mine = {s: getattr(r, f"{s}_f1") for s in systems}
        row = published["f1"].get(r.lang, {})
        for s in systems:
            if mine[s] is not None and row.get(s) is not None:
                ours[s].append(100 * mine[s])
                theirs[s].append(row[s])
        lines.append(f"| {r.lang} | " + " | ".join([*(_pct(mine[s]) for s in systems),
                                                    *(_score(row.get(s)) for s in systems)]) + " |")  # fmt: skip
    both = len(ours[systems[0]])
    lines.append(f"| avg ({both} languages) | " + " | ".join([*(_mean(ours[s]) for s in systems),
                                                             *(_mean(theirs[s]) for s in systems)]) + " |")  # fmt: skip
    avg = published["f1"].get("avg", {})
    lines.append(
        "| paper's own avg | " + " | ".join(["-"] * len(systems) + [_score(avg.get(s)) for s in systems]) + " |"
    )
    return lines


def lst_table(typed: RunMetrics, quality: dict[str, Any]) -> list[str]:
    """The LST model's translation quality (both ways) and labeled-translation accuracy per language, beside the
    paper's Tables 5 and 6."""
    lines = ["LST model: translation quality on the lst_test data (paper Table 5) and labeled translation accuracy on "
             "held-out aligned pairs (slots around the aligned target phrase, paper Table 6):", "",
             "| lang | BLEU X->en | chrF++ X->en | BLEU en->X | chrF++ en->X | labeled accuracy | well-formed |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    labeled = quality.get("labeled") or {}
    for r in typed.results:
        well = (labeled.get(r.lang) or {}).get("well_formed")
        lines.append(f"| {r.lang} | {_score(r.bleu_x_en)} | {_score(r.chrf_x_en)} | {_score(r.bleu_en_x)} | "
                     f"{_score(r.chrf_en_x)} | {_pct(r.labeled_accuracy)} | {_pct(well)} |")  # fmt: skip
    spbleu, table6 = paper.FLORES_SPBLEU["crop_lst"], paper.LABELED_ACCURACY["with_alignment"]
    lines += ["", f"Paper: spBLEU X->en {spbleu['x_en']}, en->X {spbleu['en_x']} (FLORES-101, average of 39 "
              "directions, CROP's LST model); labeled accuracy " + ", ".join(f"en->{k} {v} %" for k, v in table6.items())
              + "."]  # fmt: skip
    if quality.get("tokenisation"):
        lines.append(quality["tokenisation"])
    elif not quality.get("translation"):
        lines.append("No lst_test data in the recipe: translation quality was not measured.")
    return lines


def write_cards(recipe: Recipe, out: Path, typed: RunMetrics, pipeline_dir: str, crop_dir: str) -> dict[str, Any]:
    """The model cards of the saved pipeline and of the self-trained NER model, filled from this run's metrics."""
    from ..model_card import CardInfo, ner_card, projection_card

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
    """A score already on a 0-100 scale (the paper's F1, BLEU, chrF++), one decimal."""
    return "-" if x is None else f"{x:.1f}"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


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
    series = [("zero-shot", "zero_shot_f1"), ("translate-train", "translate_train_f1"), ("CROP", "crop_f1")]
    series = [(label, name) for label, name in series if typed.has(name)]
    width = 0.8 / len(series)
    for k, (label, name) in enumerate(series):
        offset = (k - (len(series) - 1) / 2) * width
        ax.bar([i + offset for i in x], [getattr(r, name) or 0 for r in typed.results], width, label=label)
    ax.set_xticks(list(x), langs)
    ax.set_ylabel("F1")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "f1_per_language.png")
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(langs, [r.kept_ratio or 0 for r in typed.results])
    ax.set_ylabel("kept ratio")
    fig.tight_layout()
    fig.savefig(out / "kept_ratio_per_language.png")
    plt.close("all")
    return ["f1_per_language.png", "kept_ratio_per_language.png"]
