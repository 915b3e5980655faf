"""Model cards for published crop-hf checkpoints, generated from the run that produced them.

Two cards, each a jinja template in ``crop_hf/templates/`` rendered into a ``huggingface_hub.ModelCard``:

- :func:`projection_card`: a saved ``crop-projection`` pipeline (LST model at the top, ``ner/``, ``mt/``);
  metadata ``library_name: crop-hf``, ``pipeline_tag: token-classification`` (what the pipeline gives: tags and
  entity spans of raw text; transformers 5 has no ``translation`` task) and a ``model-index`` with per-language projection P/R/F1 and kept
  ratio (task ``token-classification``), slot boundary precision and BLEU when measured (task ``translation``);
- :func:`ner_card`: a self-trained multilingual NER model, a plain transformers token classifier
  (``library_name: transformers``, ``pipeline_tag: token-classification``); ``model-index`` with the per-language F1.

Both list ``en`` and the target languages as ``language``, the training data's Hub ids as ``datasets``, and the
tags ``crop-hf``, ``crop``, ``cross-lingual-ner``, ``label-projection``.

The numbers come from a :class:`RunMetrics` (``RunMetrics.from_json("demo_output/metrics.json")`` reads the
demo's file). With :data:`PLOT_MIN_LANGUAGES` or more languages a PNG plot is written next to ``README.md`` and
linked from the card. No token or local path of the run is written into a card.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from ..base.errors import InputError
from ..core.languages import get_language
from ..core.slots import slot_marker
from ..projection.config import CONFIG_NAME, CropProjectionConfig
from .dataset_card import CROP_CITATION

# Hub metadata: a pipeline_tag must be a task the Hub and transformers 5 know (transformers.pipelines.SUPPORTED_TASKS)
LIBRARY_NAME = "crop-hf"
PROJECTION_PIPELINE_TAG = "token-classification"
NER_PIPELINE_TAG = "token-classification"
PLOT_MIN_LANGUAGES = 6
PROJECTION_TEMPLATE = "projection_model_card.md"
NER_TEMPLATE = "ner_model_card.md"
PROJECTION_PLOT = "projection_per_language.png"
NER_PLOT = "f1_per_language.png"
SPBLEU_TOKENIZERS = ("flores101", "flores200")
BENCHMARK_DATA = {"conll5": "CoNLL-5 (CoNLL-2002/2003, NorNE)", "xtreme40": "XTREME-40 (WikiANN / PAN-X)"}
_EXAMPLES = {  # written for these cards; any sentence in the language works
    "es": "Lucía Ferrer visitó el museo de Valencia con Tomás .",
    "de": "Greta Vogel arbeitet seit Mai bei der Stadtbibliothek Kassel .",
    "nl": "Pieter de Wit opende een bakkerij in Utrecht .",
    "no": "Ingrid Berg flyttet til Tromsø i fjor .",
    "fr": "Camille Roux enseigne la chimie à Lyon .",
    "zh": "王芳在杭州的一家医院工作。",
    "ru": "Ольга Смирнова работает в библиотеке Казани .",
}


@dataclass
class LanguageResult:
    """One target language's numbers from a run, every score in percent (0-100, :mod:`crop_hf.run.scores`);
    ``None`` where it was not measured."""

    lang: str
    projection_precision: float | None = None
    projection_recall: float | None = None
    projection_f1: float | None = None
    kept: int | None = None
    total: int | None = None
    kept_percent: float | None = None
    entity_accuracy: float | None = None  # gold test entities sent in slots that come back around the target entity
    entity_well_formed: float | None = None  # outputs whose slots are all well-formed, on the same sentences
    bleu: float | None = None
    bleu_tokenize: str | None = None
    zero_shot_f1: float | None = None
    crop_f1: float | None = None
    translate_train_f1: float | None = None  # the translate-train baseline (English + LST-translated English)
    labeled_accuracy: float | None = None  # slots around the aligned target phrase on held-out pairs (Table 6)
    bleu_x_en: float | None = None  # translation quality of the LST / MT model on the lst_test data (Table 5)
    bleu_en_x: float | None = None
    chrf_x_en: float | None = None
    chrf_en_x: float | None = None
    f1_std: dict[str, float] = field(default_factory=dict)  # per system: the F1's standard deviation over seeds
    no_data: dict[str, str] = field(default_factory=dict)  # per system: why it has no F1 here ("no projected data")
    translate_test_f1: float | None = None  # the translate-test baseline (test sentences through the pipeline)


@dataclass
class RunMetrics:
    """The numbers a card reports, per language, and where they were measured."""

    results: list[LanguageResult]
    dataset_name: str = "crop-hf built-in synthetic corpus"
    dataset_type: str = "crop-hf-synthetic"
    projection_split: str = "raw"
    test_split: str = "test"
    training: dict[str, Any] = field(default_factory=dict)  # facts listed under "Training", e.g. {"LST steps": 1000}
    synthetic: bool = True  # measured on crop-hf's built-in corpus with tiny models (the card says so)

    @property
    def languages(self) -> list[str]:
        return [r.lang for r in self.results]

    def has(self, name: str) -> bool:
        """Whether any language has a value for the :class:`LanguageResult` field ``name``."""
        return any(getattr(r, name) is not None for r in self.results)

    @classmethod
    def from_dict(cls, metrics: Mapping[str, Any], source: str = "metrics", seed: int | None = None) -> RunMetrics:
        """Read the layout of ``crop-hf demo``'s ``metrics.json`` (any section may be missing). The F1 of each
        system is the mean over the run's seeds, or with ``seed`` that seed's own (``evaluation_by_seed``)."""
        if not isinstance(metrics.get("languages"), list) or not metrics["languages"]:
            raise ValueError(
                f"{source}: expected the layout of crop-hf demo's metrics.json (a non-empty 'languages' list and "
                "'projection' / 'lst' / 'evaluation' sections); for other runs build a RunMetrics directly"
            )
        lst, proj, evaluation = (
            metrics.get("lst") or {},
            metrics.get("projection") or {},
            metrics.get("evaluation") or {},
        )
        if seed is not None and str(seed) in (metrics.get("evaluation_by_seed") or {}):
            evaluation = metrics["evaluation_by_seed"][str(seed)]
        spread = {} if seed is not None else metrics.get("evaluation_std") or {}
        results = []
        for lang in metrics["languages"]:
            get_language(lang)
            p, e = proj.get(lang) or {}, evaluation.get(lang) or {}
            bleu = (lst.get("bleu") or {}).get(lang)
            bleu_score, bleu_tok = (
                (bleu.get("score"), bleu.get("tokenize")) if isinstance(bleu, Mapping) else (bleu, None)
            )
            quality = metrics.get("lst_quality") or {}
            labeled = (quality.get("labeled") or {}).get(lang) or {}
            translation = (quality.get("translation") or {}).get(lang) or {}
            x_en, en_x = translation.get("x_en") or {}, translation.get("en_x") or {}
            results.append(
                LanguageResult(
                    lang, p.get("precision"), p.get("recall"), p.get("f1"), p.get("kept"), p.get("total"),
                    p.get("kept_percent"), (lst.get("entity_accuracy") or {}).get(lang),
                    (lst.get("entity_well_formed") or {}).get(lang), bleu_score, bleu_tok, e.get("zero_shot"),
                    e.get("crop"), e.get("translate_train"), labeled.get("accuracy"), x_en.get("bleu"),
                    en_x.get("bleu"), x_en.get("chrf++"), en_x.get("chrf++"), dict(spread.get(lang) or {}),
                    dict((metrics.get("no_data") or {}).get(lang) or {}), translate_test_f1=e.get("translate_test"),
                )
            )  # fmt: skip
        benchmark = (metrics.get("recipe") or {}).get("benchmark", "none")  # crop-hf run's recipe section
        if benchmark not in BENCHMARK_DATA:  # the demo: the built-in corpus
            return cls(results, training=training_facts(metrics))
        name = BENCHMARK_DATA[benchmark]
        return cls(results, name, f"crop-hf-{benchmark}", training=training_facts(metrics), synthetic=False)

    @classmethod
    def from_json(cls, path: str | Path) -> RunMetrics:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: cannot read the run's metrics ({err}); pass the demo's metrics.json") from err
        return cls.from_dict(data, source=str(path))


@dataclass
class CardInfo:
    """What a card says that the saved model does not record."""

    repo_id: str
    languages: list[str] = field(default_factory=list)  # target languages; default: the checkpoint's or metrics'
    base_model: str | None = None  # Hub id of the checkpoint it was fine-tuned from
    datasets: list[str] = field(default_factory=list)  # Hub ids of the training data
    training_data: str = ""  # one or two sentences on the training data
    license: str = "apache-2.0"
    model_name: str | None = None  # default: the repository name

    @property
    def name(self) -> str:
        return self.model_name or self.repo_id.rstrip("/").split("/")[-1]


def read_metrics(metrics: RunMetrics | Mapping[str, Any] | str | Path | None) -> RunMetrics | None:
    """A :class:`RunMetrics` from itself, a dict in the demo's layout, or the path of a ``metrics.json``."""
    if metrics is None or isinstance(metrics, RunMetrics):
        return metrics
    if isinstance(metrics, Mapping):
        return RunMetrics.from_dict(metrics)
    return RunMetrics.from_json(metrics)


def projection_card(
    model_dir: str | Path, info: CardInfo, metrics: RunMetrics | None = None, image_dir: str | Path | None = None
) -> ModelCard:
    """The card of a saved crop-projection pipeline in ``model_dir``; plots (if any) go to ``image_dir``."""
    root = Path(model_dir)
    saved = CropProjectionConfig.from_pretrained(root) if root.is_dir() else None
    if saved is None:
        raise FileNotFoundError(f"{root / CONFIG_NAME} is missing: {root} is not a saved crop-projection pipeline")
    model_config = _read_json(root / "config.json", "the LST model's config")
    ner_dir = saved.local_dir("ner_model")
    ner_config = _read_json(ner_dir / "config.json", "the NER model") if ner_dir else {}
    languages = _languages(info, saved.languages or None, metrics)
    mt = saved.mt_model
    facts = {
        "architecture": (model_config.get("architectures") or [model_config.get("model_type", "?")])[0],
        "slot_markers": _count_slot_markers(root),
        "ner": f"`{saved.ner_model}/` in this repository" if ner_dir else saved.ner_model,
        "mt": "the LST model itself (trained both ways)" if mt in (None, ".") else f"`{mt}/` in this repository",
        "labels": _entity_types(ner_config),
    }
    eval_results = projection_eval_results(metrics) if metrics else []
    tags = [model_config.get("model_type", ""), "translation", "crop-projection"]
    data = _card_data(info, languages, eval_results, PROJECTION_PIPELINE_TAG, tags, library_name=LIBRARY_NAME)
    plot = _plot(metrics, image_dir, PROJECTION_PLOT, "projection") if metrics else None
    return _render(PROJECTION_TEMPLATE, data, info, languages, metrics, plot, facts=facts)


def ner_card(
    model_dir: str | Path, info: CardInfo, metrics: RunMetrics | None = None, image_dir: str | Path | None = None
) -> ModelCard:
    """The card of a token-classification model in ``model_dir`` trained with CROP's self-training."""
    config = _read_json(Path(model_dir) / "config.json", "a token-classification model (save_pretrained)")
    if not config.get("id2label"):
        raise ValueError(f"{model_dir}/config.json has no id2label: is this a token-classification model?")
    languages = _languages(info, None, metrics)
    labels = [config["id2label"][k] for k in sorted(config["id2label"], key=int)]
    eval_results = ner_eval_results(metrics) if metrics else []
    tags = [config.get("model_type", ""), "ner", "named-entity-recognition"]
    data = _card_data(info, languages, eval_results, NER_PIPELINE_TAG, tags, library_name="transformers")
    plot = _plot(metrics, image_dir, NER_PLOT, "ner") if metrics else None
    facts = {
        "architecture": (config.get("architectures") or [config.get("model_type", "?")])[0],
        "labels": labels,
        "entity_types": _entity_types(config),
    }
    return _render(NER_TEMPLATE, data, info, languages, metrics, plot, facts=facts)


def projection_eval_results(metrics: RunMetrics) -> list[EvalResult]:
    """``model-index`` entries: projection P/R/F1 + kept share, labeled translation accuracy on gold entities and
    BLEU per language, every score in percent."""
    out = []
    for r in metrics.results:
        name = get_language(r.lang).name
        common = {"dataset_type": metrics.dataset_type, "dataset_config": r.lang}
        projection = {**common, "task_type": "token-classification", "task_name": "CROP label projection",
                      "dataset_name": f"{metrics.dataset_name} ({name}, raw sentences)",
                      "dataset_split": metrics.projection_split}  # fmt: skip
        translation = {**common, "task_type": "translation", "task_name": f"Labeled sequence translation (en-{r.lang})",
                       "dataset_name": f"{metrics.dataset_name} (en-{r.lang})", "dataset_split": metrics.test_split}  # fmt: skip
        for value, kind, metric_type, label in (
            (r.projection_f1, projection, "f1", "Projection F1"),
            (r.projection_precision, projection, "precision", "Projection precision"),
            (r.projection_recall, projection, "recall", "Projection recall"),
            (r.kept_percent, projection, "kept_percent", "Kept (% of raw sentences)"),
            (r.entity_accuracy, translation, "accuracy", "Labeled translation accuracy (gold entities)"),
            (r.bleu, translation, _bleu_type(r.bleu_tokenize), f"BLEU ({r.bleu_tokenize or 'sacrebleu'})"),
        ):
            if value is not None:
                out.append(EvalResult(**kind, metric_type=metric_type, metric_value=value, metric_name=label))
    return out


def ner_eval_results(metrics: RunMetrics) -> list[EvalResult]:
    """``model-index`` entries: entity-level F1 (seqeval) of the self-trained model per language."""
    return [
        EvalResult(
            task_type="token-classification",
            task_name="Named entity recognition",
            dataset_name=f"{metrics.dataset_name} ({get_language(r.lang).name})",
            dataset_type=metrics.dataset_type,
            dataset_config=r.lang,
            dataset_split=metrics.test_split,
            metric_type="f1",
            metric_value=r.crop_f1,
            metric_name="F1 % (seqeval, entity level)",
        )
        for r in metrics.results
        if r.crop_f1 is not None
    ]


# ---------------------------------------------------------------------------------------------------- helpers


def _card_data(
    info: CardInfo,
    languages: list[str],
    eval_results: list[EvalResult],
    pipeline_tag: str,
    tags: list[str],
    library_name: str,
) -> ModelCardData:
    return ModelCardData(
        language=["en", *[lang for lang in languages if lang != "en"]],
        license=info.license,
        library_name=library_name,
        pipeline_tag=pipeline_tag,
        tags=list(dict.fromkeys(t for t in ["crop-hf", "crop", "cross-lingual-ner", "label-projection", *tags] if t)),
        base_model=info.base_model,
        datasets=info.datasets or None,
        model_name=info.name,
        eval_results=eval_results or None,
    )


def _render(
    template: str,
    data: ModelCardData,
    info: CardInfo,
    languages: list[str],
    metrics: RunMetrics | None,
    plot: str | None,
    **extra: Any,
) -> ModelCard:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crop_hf", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda v, digits=1: "–" if v is None else f"{v:.{digits}f}"  # scores in percent
    first = next((lang for lang in languages if lang != "en"), "es")
    text = env.get_template(template).render(
        card_data=data.to_yaml(),
        info=info,
        languages=[get_language(lang) for lang in languages],
        targets=[get_language(lang) for lang in languages if lang != "en"],
        metrics=metrics,
        plot=plot,
        example_lang=first,
        example_text=_EXAMPLES.get(first, f"<a sentence in {get_language(first).name}>"),
        citation=CROP_CITATION,
        **extra,
    )
    return ModelCard(text)


def _languages(info: CardInfo, saved: Sequence[str] | None, metrics: RunMetrics | None) -> list[str]:
    languages = list(info.languages or saved or (metrics.languages if metrics else []))
    if not languages:
        raise InputError(
            f"{info.repo_id}: no target languages known: pass languages=[...] (--languages), or metrics of the run"
        )
    for lang in languages:
        get_language(lang)  # unknown codes fail here with the list of known ones
    return list(dict.fromkeys(languages))


def _plot(metrics: RunMetrics, image_dir: str | Path | None, filename: str, kind: str) -> str | None:
    if image_dir is None or len(metrics.results) < PLOT_MIN_LANGUAGES:
        return None
    if kind == "projection":
        series = {
            "projection F1": "projection_f1",
            "kept %": "kept_percent",
            "labeled accuracy (entities)": "entity_accuracy",
        }
    else:
        series = {"zero-shot F1": "zero_shot_f1", "CROP F1": "crop_f1"}
    series = {label: attr for label, attr in series.items() if metrics.has(attr)}
    if not series:
        return None
    from ..base.extras import require

    matplotlib = require("matplotlib", "the per-language plot of a card", "demo")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    langs = metrics.languages
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(langs) * len(series)), 3.2))
    for i, (label, attr) in enumerate(series.items()):
        values = [getattr(r, attr) or 0.0 for r in metrics.results]
        ax.bar([x + (i - (len(series) - 1) / 2) * width for x in range(len(langs))], values, width, label=label)
    ax.set_xticks(range(len(langs)), langs)
    ax.set_ylim(0, 100)
    fig.legend(loc="upper center", ncol=len(series), frameon=False, fontsize="small")
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    Path(image_dir).mkdir(parents=True, exist_ok=True)
    fig.savefig(Path(image_dir) / filename, dpi=100)
    plt.close(fig)
    return filename


def _count_slot_markers(model_dir: Path, limit: int = 256) -> int:
    """How many of ``__SLOT0__``, ``__SLOT1__``, ... the tokenizer holds as single tokens."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    unknown = tokenizer.unk_token_id
    count = 0
    while count < limit and tokenizer.convert_tokens_to_ids(slot_marker(count)) not in (None, unknown):
        count += 1
    return count


def _entity_types(config: Mapping[str, Any]) -> list[str]:
    labels = (config.get("id2label") or {}).values()
    return list(dict.fromkeys(re.sub(r"^[BIES]-", "", label) for label in labels if label != "O"))


def _bleu_type(tokenize: str | None) -> str:
    return "spbleu" if tokenize in SPBLEU_TOKENIZERS else "bleu"


def _read_json(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: {path.parent} is not {what}")
    return json.loads(path.read_text(encoding="utf-8"))


def training_facts(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """The "Training" facts of a card from the ``lst``, ``english_ner`` and ``selftrain`` sections of a run."""
    lst, ner, st = metrics.get("lst") or {}, metrics.get("english_ner") or {}, metrics.get("selftrain") or {}
    rounds: list[Any] = st["rounds"] if isinstance(st.get("rounds"), list) else []
    facts = {
        "LST training pairs": lst.get("training_pairs"),
        "LST training steps": lst.get("steps"),
        "English NER training sentences": ner.get("sentences"),
        "projected target sentences kept": st.get("projected"),
        "discarded sentences handed to self-training": st.get("discarded"),
        "discarded sentences re-labelled and kept (all rounds)": (
            sum((r.get("data") or {}).get("relabelled", 0) for r in rounds) if rounds else None
        ),
        "self-training rounds": len(rounds) or None,
    }
    return {k: v for k, v in facts.items() if v is not None}
