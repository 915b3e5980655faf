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


SCHEMES = ("BIO", "IOB1", "IOBES")


def tags_to_spans(tags: Sequence[str], scheme: str = "BIO") -> list[Span]:
    """Entities of a tag list in ``scheme``; an I- without its B- starts an entity (as seqeval reads BIO)."""
    _check_scheme(scheme)
    if scheme == "IOBES":
        tags = [{"S": "B", "E": "I"}.get(t[:1], t[:1]) + t[1:] if t != "O" else t for t in tags]
    elif scheme == "IOB1":
        return _iob1_spans(tags)
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
    """Tags of ``length`` tokens for non-overlapping ``spans`` in ``scheme`` (IOB1: B- only between neighbours)."""
    _check_scheme(scheme)
    tags = ["O"] * length
    for span in spans:
        if any(t != "O" for t in tags[span.start : span.end]):
            raise ValueError(f"span {span} overlaps another span")
        tags[span.start] = f"B-{span.label}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{span.label}"
    if scheme == "IOBES":
        for span in spans:
            if span.end - span.start == 1:
                tags[span.start] = f"S-{span.label}"
            else:
                tags[span.end - 1] = f"E-{span.label}"
    elif scheme == "IOB1":
        ends = {(s.end, s.label) for s in spans}
        for span in spans:
            if (span.start, span.label) not in ends:
                tags[span.start] = f"I-{span.label}"
    return tags


def convert_tags(tags: Sequence[str], source: str, target: str) -> list[str]:
    """Re-write a tag list from one scheme to another (through its spans)."""
    return spans_to_tags(tags_to_spans(tags, source), len(tags), target)


def iob1_to_bio(tags: Sequence[str]) -> list[str]:
    """The original CoNLL-2003 IOB1 tags as BIO."""
    return convert_tags(tags, "IOB1", "BIO")


def get_scheme(name: str) -> LabelScheme:
    """The label scheme called ``name`` (``"conll"`` or ``"xtreme"``)."""
    schemes = {s.name: s for s in (CONLL, XTREME)}
    if name not in schemes:
        raise ValueError(f"unknown label scheme {name!r}; known: {', '.join(schemes)}")
    return schemes[name]


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r}; use one of {', '.join(SCHEMES)}")


def _iob1_spans(tags: Sequence[str]) -> list[Span]:
    """IOB1: I-X continues an entity of type X; B-X starts a new one right after another X."""
    spans: list[Span] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        if start is not None and (prefix == "O" or prefix == "B" or kind != label):
            spans.append(Span(start, i, label))
            start, label = None, None
        if prefix in ("B", "I") and start is None:
            start, label = i, kind
    return spans
