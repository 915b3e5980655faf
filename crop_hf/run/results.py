"""What each stage of a run returns: one dataclass per stage, read by attribute.

A stage's function returns its result object; :class:`~crop_hf.run.records.StageRunner` writes it into the stage's
record (``dataclasses.asdict``) and reads it back from there (:func:`~crop_hf.run.records.read_result`) when the
stage is reused or another process ran it, so the plan, the report and the cards read attributes that the type
checker sees. Paths are relative to the run folder (:func:`~crop_hf.run.records.at` joins them to its place).
Scores are in percent (:mod:`crop_hf.run.scores`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DataResult:
    """Sentences written per role (per language for the per-language roles)."""

    english: int = 0
    parallel: int = 0
    target_raw: dict[str, int] = field(default_factory=dict)
    target_test: dict[str, int] = field(default_factory=dict)
    lst_test: dict[str, int] | None = None


@dataclass
class ModelsResult:
    """The initial checkpoint of each role: Hub ids or folders (``in_run``: those built inside the run folder)."""

    lst: str = ""
    ner: str = ""
    mt: str | None = None
    english_ner: str | None = None
    in_run: list[str] = field(default_factory=list)


@dataclass
class AlignResult:
    pairs: int = 0
    method: str = "eflomal"
    phrase_pairs_per_sentence: dict[str, float] = field(default_factory=dict)


@dataclass
class LstResult:
    """The LST model and, on the built-in corpus, its labeled accuracy on the test set's gold entities."""

    model_dir: str = ""
    last_log: dict[str, Any] = field(default_factory=dict)
    steps: int = 0
    training_pairs: int = 0
    heldout_pairs: int = 0
    entity_accuracy: dict[str, float | None] = field(default_factory=dict)
    entity_well_formed: dict[str, float | None] = field(default_factory=dict)


@dataclass
class LstQualityResult:
    """Per language: ``labeled`` (accuracy, well_formed, pairs, slots) and ``translation`` (x_en, en_x, sentences)."""

    labeled: dict[str, Any] = field(default_factory=dict)
    translation: dict[str, Any] | None = None


@dataclass
class NerResult:
    """An NER model (``model_dir`` relative to the run when ``trained``; ``None`` when there was nothing to train)."""

    model_dir: str | None = None
    trained: bool = False
    train_loss: float | None = None
    sentences: int = 0
    steps: int = 0


@dataclass
class TranslateResult:
    """Per language: kept, total, kept_percent and drops of the English gold set translated."""

    languages: dict[str, Any] = field(default_factory=dict)


@dataclass
class TranslateTestResult:
    """The translate-test predictions of one seed (``predictions_dir`` relative to the run, ``<lang>.jsonl``) and per
    language the kept share and drops of the test sentences (a dropped one predicts no entity)."""

    predictions_dir: str = ""
    languages: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProjectResult:
    """The saved pipeline and per language the projection's quality, kept share and drops."""

    pipeline_dir: str = ""
    languages: dict[str, Any] = field(default_factory=dict)
    decoding: str = "free"
    min_slot_score: float = 0.0


@dataclass
class SelftrainResult:
    model_dir: str = ""
    projected: int = 0
    discarded: int = 0
    rounds: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EvaluateResult:
    """F1 per seed, language and system (``None``: the system had no model)."""

    by_seed: dict[str, dict[str, dict[str, float | None]]] = field(default_factory=dict)


@dataclass
class ReportResult:
    report: str = ""
    metrics: str = ""
    plots: list[str] = field(default_factory=list)


@dataclass
class CardsResult:
    """Each repository's card, as a path inside the run."""

    cards: dict[str, str] = field(default_factory=dict)


@dataclass
class PushResult:
    """Per kind (pipeline, ner): repository, file count, where it went."""

    pushed: dict[str, Any] = field(default_factory=dict)


class StageResults(dict[str, Any]):
    """The results of the stages run so far, by stage name (the per-seed ones: ``selftrain-seed43``, ...); the
    stages every run has are also typed attributes."""

    card_metrics: Any = None  # the first seed's typed metrics, once the report stage has made them (the cards, push)

    @property
    def data(self) -> DataResult:
        return self["data"]

    @property
    def models(self) -> ModelsResult:
        return self["models"]

    @property
    def align(self) -> AlignResult:
        return self["align"]

    @property
    def train_lst(self) -> LstResult:
        return self["train_lst"]

    @property
    def lst_quality(self) -> LstQualityResult:
        return self["lst_quality"]

    @property
    def train_ner(self) -> NerResult:
        """The first seed's English NER model (projection tags with it)."""
        return self["train_ner"]

    @property
    def translate(self) -> TranslateResult | None:
        return self.get("translate")

    @property
    def project(self) -> ProjectResult:
        return self["project"]

    @property
    def selftrain(self) -> SelftrainResult:
        """The first seed's CROP model (the cards and the push describe it)."""
        return self["selftrain"]

    @property
    def evaluate(self) -> EvaluateResult:
        return self["evaluate"]
