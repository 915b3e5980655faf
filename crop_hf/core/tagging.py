"""Tag schemes (BIO, IOB1, IOBES), spans <-> tags, and the label sets CROP uses.

Everything in crop-hf stores BIO tags; the other schemes exist at the edges:

* ``BIO`` (IOB2): every entity starts with ``B-``, continues with ``I-``.
* ``IOB1``: the original CoNLL-2003 files. Entities start with ``I-``; ``B-`` is used only for an entity that
  directly follows another entity of the same type.
* ``IOBES``: ``S-`` for one-token entities, ``E-`` for the last token of longer ones.

Invalid sequences are read the way seqeval reads them in its default (non-strict) mode, so that spans here and
seqeval's scores agree: an ``I-X`` after ``O`` or after an entity of another type starts a new entity, and a
change of type ends the running entity. IOB1 read this way gives the same spans as its own definition, so one
reader serves all three schemes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..base.errors import InputError

TAG_SCHEMES: tuple[str, ...] = ("BIO", "IOB1", "IOBES")


@dataclass(frozen=True)
class Span:
    """An entity over tokens ``[start, end)`` with its type (``"PER"``, not ``"B-PER"``)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class LabelScheme:
    """A named set of entity types; ``labels`` are the BIO tags in a fixed order (``O`` first).

    The order is ``O, B-T1, I-T1, B-T2, I-T2, ...`` following ``entity_types``; it fixes the label ids of every
    token-classification model trained with the scheme.
    """

    name: str
    entity_types: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return ["O"] + [f"{prefix}-{kind}" for kind in self.entity_types for prefix in ("B", "I")]

    @property
    def label2id(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.labels))

    def validate(self, tags: Sequence[str], where: str = "") -> None:
        """Raise :class:`~crop_hf.base.errors.InputError` (a ``ValueError``) naming ``where``, the position and the tag if a tag is not one of ``labels``."""
        known = set(self.labels)
        for i, tag in enumerate(tags):
            if tag not in known:
                raise InputError(
                    f"{where or 'tags'}: unknown tag {tag!r} at position {i}; the {self.name} scheme has "
                    f"{', '.join(self.labels)} (convert IOB1/IOBES tags with convert_tags first)"
                )


CONLL = LabelScheme("conll", ("PER", "LOC", "ORG", "MISC"))
XTREME = LabelScheme("xtreme", ("PER", "LOC", "ORG"))
MASAKHANER = LabelScheme("masakhaner", ("PER", "LOC", "ORG", "DATE"))  # MasakhaNER 2.0's types
LABEL_SCHEMES: dict[str, LabelScheme] = {s.name: s for s in (CONLL, XTREME, MASAKHANER)}


def map_types(tags: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    """BIO ``tags`` with each entity type in ``mapping`` renamed (``{"MISC": "O"}`` drops MISC entities: their tags
    become ``O``); types not in ``mapping`` stay."""
    out = []
    for tag in tags:
        prefix, _, kind = tag.partition("-")
        new = mapping.get(kind, kind) if kind else kind
        out.append("O" if tag == "O" or new == "O" else f"{prefix}-{new}")
    return out


def get_scheme(name: str) -> LabelScheme:
    """The label scheme called ``name`` (``"conll"``: PER LOC ORG MISC, ``"xtreme"``: PER LOC ORG, ``"masakhaner"``:
    PER LOC ORG DATE)."""
    scheme = LABEL_SCHEMES.get(name.lower()) if isinstance(name, str) else None
    if scheme is None:
        raise InputError(f"unknown label scheme {name!r}; known schemes: {', '.join(LABEL_SCHEMES)}")
    return scheme


def tags_to_spans(tags: Sequence[str], scheme: str = "BIO") -> list[Span]:
    """The entities of a tag list written in ``scheme`` (``"BIO"``, ``"IOB1"`` or ``"IOBES"``).

    Invalid sequences are read as seqeval reads them (see the module docstring). A tag without a valid prefix
    for the scheme (``"PER"``, ``"S-PER"`` in BIO) raises ``ValueError`` naming the tag and its position.
    """
    prefixes = _prefixes(scheme)
    spans: list[Span] = []
    prev_prefix, prev_kind, start = "O", "", 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, kind = _split(tag, i, prefixes, scheme)
        if _ends(prev_prefix, prev_kind, prefix, kind):
            spans.append(Span(start, i, prev_kind))
        if _starts(prev_prefix, prev_kind, prefix, kind):
            start = i
        prev_prefix, prev_kind = prefix, kind
    return spans


def spans_to_tags(spans: Sequence[Span], length: int, scheme: str = "BIO") -> list[str]:
    """Tags of ``length`` tokens for non-overlapping ``spans`` in ``scheme``.

    Raises ``ValueError`` for an empty, out-of-range or overlapping span. In IOB1, ``B-`` marks only an entity
    that starts right where another entity of the same type ends.
    """
    scheme = _check_scheme(scheme)
    tags = ["O"] * length
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if not 0 <= span.start < span.end <= length:
            raise ValueError(f"span {span} is empty or outside the {length} tokens")
        if not span.label:
            raise ValueError(f"span {span} has no entity type")
        if any(t != "O" for t in tags[span.start : span.end]):
            raise ValueError(f"span {span} overlaps another span; spans must not overlap")
        tags[span.start : span.end] = _span_tags(span, scheme)
    if scheme == "IOB1":
        ends = {(s.end, s.label) for s in spans}
        for span in spans:
            if (span.start, span.label) in ends:
                tags[span.start] = f"B-{span.label}"
    return tags


def convert_tags(tags: Sequence[str], source: str, target: str) -> list[str]:
    """Re-write a tag list from scheme ``source`` to scheme ``target`` (through its spans)."""
    _check_scheme(target)
    return spans_to_tags(tags_to_spans(tags, source), len(tags), target)


def iob1_to_bio(tags: Sequence[str]) -> list[str]:
    """The original CoNLL-2003 IOB1 tags as BIO (``I-PER I-PER O I-LOC B-LOC`` -> ``B-PER I-PER O B-LOC B-LOC``)."""
    return convert_tags(tags, "IOB1", "BIO")


# --- helpers ---------------------------------------------------------------------------------------------------


def _check_scheme(scheme: str) -> str:
    name = scheme.upper() if isinstance(scheme, str) else scheme
    if name not in TAG_SCHEMES:
        raise InputError(f"unknown tag scheme {scheme!r}; use one of {', '.join(TAG_SCHEMES)}")
    return name


def _prefixes(scheme: str) -> frozenset[str]:
    return frozenset("BIOES") if _check_scheme(scheme) == "IOBES" else frozenset("BIO")


def _split(tag: str, i: int, prefixes: frozenset[str], scheme: str) -> tuple[str, str]:
    """(prefix, type) of a tag; ``O`` has the empty type."""
    if tag == "O":
        return "O", ""
    prefix, dash, kind = tag.partition("-") if isinstance(tag, str) else ("", "", "")
    if not dash or not kind or prefix not in prefixes or prefix == "O":
        raise InputError(
            f"invalid {scheme.upper()} tag {tag!r} at position {i}: expected 'O' or one of "
            f"{', '.join(sorted(p + '-TYPE' for p in prefixes if p != 'O'))}"
        )
    return prefix, kind


def _ends(prev: str, prev_kind: str, cur: str, kind: str) -> bool:
    """Does the entity running at the previous token end before this one? (seqeval's ``end_of_chunk``)"""
    if prev == "O":
        return False
    return prev in "ES" or cur in "BSO" or prev_kind != kind


def _starts(prev: str, prev_kind: str, cur: str, kind: str) -> bool:
    """Does an entity start at this token? (seqeval's ``start_of_chunk``)"""
    if cur == "O":
        return False
    return cur in "BS" or prev in "ESO" or prev_kind != kind


def _span_tags(span: Span, scheme: str) -> list[str]:
    n = span.end - span.start
    if scheme == "IOB1":
        return [f"I-{span.label}"] * n
    if scheme == "IOBES":
        if n == 1:
            return [f"S-{span.label}"]
        return [f"B-{span.label}"] + [f"I-{span.label}"] * (n - 2) + [f"E-{span.label}"]
    return [f"B-{span.label}"] + [f"I-{span.label}"] * (n - 1)
