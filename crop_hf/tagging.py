"""Tag schemes (BIO, IOB1, IOBES), spans <-> tags, and the label sets CROP uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """An entity over tokens ``[start, end)`` with its type (``"PER"``, not ``"B-PER"``)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class LabelScheme:
    """A named set of entity types; ``labels`` are the BIO tags in a fixed order (``O`` first)."""

    name: str
    entity_types: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return ["O"] + [f"{p}-{t}" for t in self.entity_types for p in ("B", "I")]

    @property
    def label2id(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.labels))

    def validate(self, tags: Sequence[str], where: str = "") -> None:
        known = set(self.labels)
        for tag in tags:
            if tag not in known:
                raise ValueError(f"{where or 'tags'}: unknown tag {tag!r} for the {self.name} scheme {self.labels}")


CONLL = LabelScheme("conll", ("PER", "LOC", "ORG", "MISC"))
XTREME = LabelScheme("xtreme", ("PER", "LOC", "ORG"))


def tags_to_spans(tags: Sequence[str], scheme: str = "BIO") -> list[Span]:
    """Entities of a BIO tag list; an I- without its B- starts an entity (as seqeval reads it)."""
    spans: list[Span] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        if start is not None and (prefix != "I" or kind != label):
            spans.append(Span(start, i, label))
            start, label = None, None
        if prefix in ("B", "I") and start is None:
            start, label = i, kind
    return spans


def spans_to_tags(spans: Sequence[Span], length: int, scheme: str = "BIO") -> list[str]:
    tags = ["O"] * length
    for span in spans:
        if any(t != "O" for t in tags[span.start : span.end]):
            raise ValueError(f"span {span} overlaps another span")
        tags[span.start] = f"B-{span.label}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{span.label}"
    return tags
