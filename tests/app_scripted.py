"""A tiny crop-projection pipeline whose three models answer from a script, a corpus projected with it and a run
folder: what the app tests (tests/test_app*.py) show. Everything after the models (slot parsing, matching, filters,
shards, summary.json) runs for real, so the app shows what the library computes."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

from crop_hf.core.slots import wrap
from crop_hf.core.tagging import tags_to_spans

ROOT = Path(__file__).resolve().parents[1]
README_ES = "Valero Gabaldón trabaja para Cruz Roja ."  # the README tour's Spanish sentence
ENGLISH = "The meeting ended early ."
# raw sentence -> (its English translation, English NER tags, labeled back-translation)
SCRIPT = {
    README_ES: ("Valero Gabaldón works for Cruz Roja .", ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O"],
                "__SLOT0__ Valero Gabaldón __SLOT0__ trabaja para __SLOT1__ Cruz Roja __SLOT1__ ."),
    "El Banco Mundial de Desarrollo Rural abrió hoy .": (
        "The World Bank of Rural Development opened today .", ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O",
                                                                "O", "O"],
        "El __SLOT0__ Banco Mundial del Desarrollo Rural __SLOT0__ abrió hoy ."),
    "Ana Ruiz vive en Sevilla .": ("Ana Ruiz lives in Seville .", ["B-PER", "I-PER", "O", "O", "B-LOC", "O"],
                                   "__SLOT0__ Ana Ruiz __SLOT0__ vive en __SLOT1__ Londres __SLOT1__ ."),
    "Pedro Gómez visita Roma hoy .": ("Pedro Gómez visits Rome today .", ["B-PER", "I-PER", "O", "B-LOC", "O", "O"],
                                      "__SLOT0__ Pedro Gómez __SLOT0__ visita Roma hoy ."),
    "Luis Torres trabaja en Madrid .": ("Luis Torres works in Madrid .", ["B-PER", "I-PER", "O", "O", "B-LOC", "O"],
                                       "__SLOT0__ Luis Torres __SLOT0__ trabaja en __SLOT1__ Madrid __SLOT1__ ."),
}  # fmt: skip
# translate-train: the English example as the app's markup, its wrapped form and the LST model's answer
TT_MARKUP = "[PER Ana Ruiz] works for [ORG Cruz Roja] ."
TT_LABELED = "__SLOT0__ Ana Ruiz __SLOT0__ trabaja para __SLOT1__ Cruz Roja __SLOT1__ ."
CORPUS_LINES = [*SCRIPT, ENGLISH, "", "Hoy llueve mucho en la costa ."]


@contextmanager
def scripted(projector, monkeypatch):
    """The pipeline's MT, NER and LST answer from SCRIPT (any other text: copied, all O)."""
    english = {raw: en for raw, (en, _, _) in SCRIPT.items()}
    ner = {en: tags for en, tags, _ in SCRIPT.values()}
    labeled = {wrap(en.split(), tags_to_spans(tags)): out for en, tags, out in SCRIPT.values()}
    labeled[wrap(*_markup_example())] = TT_LABELED

    def translate(model, tokenizer, texts, src, tgt):
        table = english if tgt == "en" else labeled
        return [table.get(t, t) for t in texts]

    monkeypatch.setattr(projector, "_translate", translate)
    monkeypatch.setattr("crop_hf.projection.pipeline.predict_tags",
                        lambda m, t, words: [ner.get(" ".join(w), ["O"] * len(w)) for w in words])  # fmt: skip
    yield projector


def _markup_example():
    from crop_hf.app.render import parse_bracketed

    example = parse_bracketed(TT_MARKUP)
    return example["tokens"], tags_to_spans(example["tags"])


def project_the_corpus(projector, out: Path) -> Path:
    """CORPUS_LINES projected into ``out/es`` (two shards) with summary.json, as ``crop-hf project`` writes them."""
    from crop_hf.projection.corpus_projection import project_corpus, summarize

    raw = out / "raw.es.txt"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text("\n".join(CORPUS_LINES) + "\n", encoding="utf-8")
    project_corpus(
        projector,
        raw,
        out / "es",
        "es",
        shard_size=4,
        progress=False,
        langid_candidates=["es", "en"],
        check_raw_language=True,
    )
    summarize(out / "es")
    return out / "es"


def make_run_folder(projector, corpus: Path, out: Path) -> Path:
    """A run folder: the saved pipeline, projected/es, the recorded demo run's metrics.json plus a paper block and
    a translate-train column (keys the app has never been told about), report.md and a plot."""
    projector.save_pretrained(out / "models" / "crop-projection")
    shutil.copytree(corpus, out / "projected" / "es")
    metrics = json.loads((ROOT / "docs" / "demo_runs" / "run-1" / "metrics.json").read_text(encoding="utf-8"))
    for lang in metrics["languages"]:
        metrics["evaluation"][lang]["translate_train"] = 55.5
    metrics["paper"] = {"crop": {"es": 78.1, "nl": 79.5, "de": 80.1, "no": 83.1}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    (out / "report.md").write_text("# Report\n\nThe run's report.\n", encoding="utf-8")
    _plot(out / "f1_per_language.png")
    return out


def _plot(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["es", "nl"], [0.65, 0.7])
    fig.savefig(path)
    plt.close(fig)
