"""The combination rule of a self-training round: projected sentences keep their labels, discarded ones take the
model's when it is sure of them (:func:`combine_labels`). No torch: the model's predictions come in as
:class:`~crop_hf.core.examples.WordPrediction`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .examples import NerExample, WordPrediction
from .tagging import spans_to_tags, tags_to_spans


@dataclass
class CombineResult:
    """Training target data of a later round: projected sentences plus the re-labelled discarded ones."""

    examples: list[NerExample]
    relabelled: list[NerExample]
    counts: dict[str, int]


def combine_labels(
    projected: Sequence[NerExample],
    discarded: Sequence[NerExample],
    predictions: Sequence[WordPrediction],
    confidence_threshold: float = 0.9,
    min_entities: int = 1,
    projected_predictions: Sequence[WordPrediction] | None = None,
) -> CombineResult:
    """The combination rule of a self-training round.

    1. A projected sentence keeps its projected labels (projection matched all its entities). Only when
       ``projected_predictions`` (the model's labelling of the projected sentences) is given, a projected sentence
       whose entity count the model does not reproduce is dropped (``disagreement``), as the released CROP code
       does in its second iteration.
    2. A discarded sentence takes the model's labels when all of these hold, otherwise it stays out:
       - the model finds at least ``min_entities`` entities (``no_entity`` otherwise);
       - if the sentence records ``expected_entities`` (entities its labeled translation carried), the model
         finds exactly that many: the released CROP code's rule (``entity_count_mismatch`` otherwise);
       - every entity's confidence, the mean probability of its words' predicted tags, is at least
         ``confidence_threshold`` (``low_confidence`` otherwise).
    Model tags are normalised to valid BIO (an ``I-X`` that starts an entity becomes ``B-X``).
    """
    _check_predictions("discarded", discarded, predictions)
    counts = dict.fromkeys(("projected", "disagreement", "relabelled", "no_entity", "entity_count_mismatch"), 0)
    counts["low_confidence"] = 0
    kept = list(projected)
    if projected_predictions is not None:
        _check_predictions("projected", projected, projected_predictions)
        kept = [
            ex
            for ex, pred in zip(projected, projected_predictions)
            if len(tags_to_spans(pred.tags)) == len(tags_to_spans(ex.tags or []))
        ]
        counts["disagreement"] = len(projected) - len(kept)
    counts["projected"] = len(kept)
    relabelled: list[NerExample] = []
    for ex, pred in zip(discarded, predictions):
        spans = tags_to_spans(pred.tags)
        if len(spans) < min_entities or not (spans or min_entities == 0):
            counts["no_entity"] += 1
        elif ex.expected_entities is not None and len(spans) != ex.expected_entities:
            counts["entity_count_mismatch"] += 1
        elif (
            spans and min(sum(pred.scores[s.start : s.end]) / (s.end - s.start) for s in spans) < confidence_threshold
        ):
            counts["low_confidence"] += 1
        else:
            tags = spans_to_tags(spans, len(ex.tokens))
            relabelled.append(NerExample(list(ex.tokens), tags, ex.lang, ex.id, ex.expected_entities))
    counts["relabelled"] = len(relabelled)
    return CombineResult([*kept, *relabelled], relabelled, counts)


def _check_predictions(name: str, examples: Sequence[NerExample], predictions: Sequence[WordPrediction]) -> None:
    if len(examples) != len(predictions):
        raise ValueError(f"{len(examples)} {name} sentences but {len(predictions)} predictions")
    for i, (ex, pred) in enumerate(zip(examples, predictions)):
        if len(pred.tags) != len(ex.tokens):
            raise ValueError(f"{name} row {i} (id {ex.id!r}): {len(pred.tags)} predictions for {len(ex.tokens)} words")
