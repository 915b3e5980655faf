"""The sentences NER works on and a model's word-level tags for them, as plain dataclasses of the text core (the
token classifiers that make and read them live in :mod:`crop_hf.training.ner_data`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class NerExample:
    """One sentence as words; ``tags`` is ``None`` for an unlabelled sentence (e.g. one projection discarded).

    ``expected_entities`` optionally records how many entities the labeled translation of the sentence carried;
    self-training then keeps a model labelling of the sentence only when it finds as many (see
    :func:`crop_hf.core.relabel.combine_labels`).
    """

    tokens: list[str]
    tags: list[str] | None = None
    lang: str = "en"
    id: str = ""
    expected_entities: int | None = None

    def to_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, "lang": self.lang, "tokens": self.tokens, "tags": self.tags}
        if self.expected_entities is not None:
            row["expected_entities"] = self.expected_entities
        return row


@dataclass
class WordPrediction:
    """A model's tag for each word and the probability it gave that tag."""

    tags: list[str]
    scores: list[float]
