"""The run's report: one typed metrics object built from the stage results, ``report.md`` beside the paper's
table, the plots, ``metrics.json`` and the model cards.

The :class:`~crop_hf.model_card.RunMetrics` built here is what the report, the cards and the Hub push read; nothing
re-parses ``metrics.json``, which is written for people and scripts. Its keys:

- ``recipe``: name, benchmark and source file of the run; ``languages``: the target languages;
- ``data``: sentences per role and language; ``alignment``: method and phrase pairs per sentence;
- ``lst``: steps, training_pairs, last_log, and (built-in data) slot_boundary_precision / well_formed_rate per
  language; ``english_ner``: train_loss, sentences, steps of the zero-shot model, or the model given;
- ``projection``: per language precision, recall, f1 (None without gold labels), kept, total, kept_ratio, drops;
- ``selftrain``: model_dir, projected, discarded and per round the data counts;
- ``evaluation``: per language zero_shot and crop entity-level F1 on the target test set;
- ``stages``: per stage seconds and whether it was reused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model_card import BENCHMARK_DATA, LanguageResult, RunMetrics, training_facts
from .recipe import Recipe
from .stages import in_run

# CROP paper (Findings of EMNLP 2022), entity-level F1 in %: XLM-R zero-shot and CROP.
PAPER = {
    "conll5": {
        "title": "CoNLL-5 (paper Table 1, XLM-R base)",
        "zero_shot": {"es": 77.4, "nl": 78.9, "de": 73.4, "no": 80.9, "avg": 77.7},
        "crop": {"es": 78.1, "nl": 79.5, "de": 80.1, "no": 83.1, "avg": 80.2},
    },
    "xtreme40": {
        "title": "XTREME-40, 39 targets (paper Table 2, XLM-R base; the paper's per-language rows are not copied here)",
        "zero_shot": {"avg": 61.3},
        "crop": {"avg": 68.2},
    },
}


def collect(recipe: Recipe, results: dict[str, Any]) -> tuple[dict[str, Any], RunMetrics]:
    """``metrics.json``'s content and the typed metrics of the run, from the stage results."""
    lst, projection, evaluation = results["train_lst"], results["project"]["languages"], results["evaluate"]
    metrics = {
        "recipe": {"name": recipe.name, "benchmark": recipe.benchmark, "source": recipe.source},
        "languages": list(recipe.languages),
        "data": results["data"],
        "alignment": results["align"],
        "lst": lst,
        "english_ner": results["train_ner"],
        "projection": projection,
        "selftrain": results["selftrain"],
        "evaluation": evaluation,
    }
    rows = []
    for lang in recipe.languages:
        p, e = projection[lang], evaluation[lang]
        rows.append(
            LanguageResult(
                lang, p["precision"], p["recall"], p["f1"], p["kept"], p["total"], p["kept_ratio"],
                (lst.get("slot_boundary_precision") or {}).get(lang), (lst.get("well_formed_rate") or {}).get(lang),
                zero_shot_f1=e["zero_shot"], crop_f1=e["crop"],
            )
        )  # fmt: skip
    typed = RunMetrics(rows, training=training_facts(metrics), synthetic=recipe.builtin)
    if recipe.benchmark in BENCHMARK_DATA:
        typed.dataset_name, typed.dataset_type = BENCHMARK_DATA[recipe.benchmark], f"crop-hf-{recipe.benchmark}"
    return metrics, typed


def write_report(recipe: Recipe, out: Path, metrics: dict[str, Any], typed: RunMetrics) -> dict[str, Any]:
    """``report.md``, the plots and ``metrics.json`` of this run."""
    lines = [f"# crop-hf run report: {recipe.name}", ""]
    lines.append("Built-in corpus and tiny models: the numbers show the method's shape, not the paper's scale."
                 if recipe.builtin else f"Recipe `{recipe.source}`, benchmark {recipe.benchmark}.")  # fmt: skip
    lines += ["", *results_table(typed)]
    paper = PAPER.get(recipe.benchmark)
    if paper:
        lines += ["", f"Beside the paper, {paper['title']} (F1 in %):", "",
                  "| lang | this run zero-shot | this run CROP | paper zero-shot | paper CROP |", "|---|---|---|---|---|"]  # fmt: skip
        for lang in [*recipe.languages, "avg"]:
            ours = _average(typed) if lang == "avg" else next(r for r in typed.results if r.lang == lang)
            z, c = ours if lang == "avg" else (ours.zero_shot_f1, ours.crop_f1)
            lines.append(f"| {lang} | {_pct(z)} | {_pct(c)} | {paper['zero_shot'].get(lang, '-')} "
                         f"| {paper['crop'].get(lang, '-')} |")  # fmt: skip
    lines += ["", "Projection: kept over all raw lines, and over the lines langid took for the language; drops per reason:",
              ""]  # fmt: skip
    for lang in recipe.languages:
        p = metrics["projection"][lang]
        in_lang = p["total"] - p["drops"].get("wrong_language", 0)
        lines.append(f"- {lang}: kept {p['kept']}/{p['total']} ({p['kept_ratio']:.1%}), {p['kept']}/{in_lang} in "
                     f"{lang} ({p['kept'] / max(1, in_lang):.1%}); {p['drops']}")  # fmt: skip
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    return {"report": "report.md", "metrics": "metrics.json", "plots": _plots(out, typed)}


def results_table(typed: RunMetrics) -> list[str]:
    """The per-language table of a run (Markdown lines): projection quality, kept, zero-shot and CROP F1."""
    lines = ["| lang | projection P / R / F1 | kept | zero-shot F1 | CROP F1 | slot boundary precision |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for r in typed.results:
        proj = " / ".join(_num(x) for x in (r.projection_precision, r.projection_recall, r.projection_f1))
        lines.append(f"| {r.lang} | {proj} | {r.kept}/{r.total} | {_num(r.zero_shot_f1)} | {_num(r.crop_f1)} "
                     f"| {_num(r.slot_boundary_precision)} |")  # fmt: skip
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


def _average(typed: RunMetrics) -> tuple[float | None, float | None]:
    def mean(values: list[float | None]) -> float | None:
        return sum(values) / len(values) if values and None not in values else None  # type: ignore[arg-type]

    return mean([r.zero_shot_f1 for r in typed.results]), mean([r.crop_f1 for r in typed.results])


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
    ax.bar([i - 0.2 for i in x], [r.zero_shot_f1 or 0 for r in typed.results], 0.4, label="zero-shot")
    ax.bar([i + 0.2 for i in x], [r.crop_f1 or 0 for r in typed.results], 0.4, label="CROP")
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
