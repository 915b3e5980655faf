"""Scores: entity-level NER (seqeval), projection against gold, slot boundary precision, well-formed rate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .tagging import Span


@dataclass
class LabelScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class NerScores:
    precision: float
    recall: float
    f1: float
    support: int
    per_label: dict[str, LabelScores] = field(default_factory=dict)


@dataclass
class ProjectionScores:
    precision: float
    recall: float
    f1: float
    kept: int
    total: int

    @property
    def kept_ratio(self) -> float:
        return self.kept / self.total if self.total else 0.0


def ner_scores(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> NerScores:
    """seqeval's entity-level micro P/R/F1 (default mode) and per-label scores."""
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

    true, pred = [list(t) for t in true_tags], [list(p) for p in pred_tags]
    report = classification_report(true, pred, output_dict=True, zero_division=0)
    per_label = {
        k: LabelScores(v["precision"], v["recall"], v["f1-score"], int(v["support"]))
        for k, v in report.items()
        if "avg" not in k
    }
    support = sum(s.support for s in per_label.values())
    return NerScores(
        precision_score(true, pred, zero_division=0),
        recall_score(true, pred, zero_division=0),
        f1_score(true, pred, zero_division=0),
        support,
        per_label,
    )


def projection_scores(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span] | None]) -> ProjectionScores:
    """Entity P/R/F1 of projected spans against gold, over the kept sentences (``pred`` not ``None``)."""
    tp = n_pred = n_gold = kept = 0
    for g, p in zip(gold, pred):
        if p is None:
            continue
        kept += 1
        gs, ps = set(g), set(p)
        tp += len(gs & ps)
        n_pred += len(ps)
        n_gold += len(gs)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ProjectionScores(precision, recall, f1, kept, len(gold))


def slot_boundary_precision(
    predicted: Sequence[Any], gold: Sequence[Mapping[int, Sequence[str]]], char_level: bool = False
) -> float:
    """Share of predicted slots whose words equal the gold target phrase of that slot id."""

    def norm(words: Sequence[str]) -> str:
        return ("" if char_level else " ").join(words).replace(" ", "" if char_level else " ")

    good = total = 0
    for parsed, phrases in zip(predicted, gold):
        for span in parsed.spans:
            total += 1
            phrase = phrases.get(span.slot_id)
            good += phrase is not None and norm(parsed.tokens[span.start : span.end]) == norm(phrase)
    return good / total if total else 0.0


def well_formed_rate(parsed: Sequence[Any]) -> float:
    """Share of parsed outputs with no slot problem."""
    return sum(not p.problems for p in parsed) / len(parsed) if parsed else 0.0
