"""Sentence filters of the projection step, each counting what it dropped.

CROP keeps a projected raw sentence only when it is in the target language (langid.py), not longer than 128
words, and has at least one entity; the release also drops sentences with more than 5 entities. Each filter
here has a ``name`` and, called on a :class:`FilterInput`, returns why it drops the sentence or ``None``.
A :class:`FilterChain` runs them in order (cheap ones first), stops at the first that drops, and counts in
its :class:`FilterStats` how many sentences each filter dropped, so nothing is discarded silently::

    chain = FilterChain.default()
    for item in items:
        drop = chain.check(item)       # None, or Drop(filter="no_entity", reason="all 12 tags are O")
    chain.log_summary()                # "filters: seen 1000, kept 104 (10.4%); dropped too_long=3 ..."
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger(__name__)

DEFAULT_MAX_WORDS = 128
DEFAULT_MAX_ENTITIES = 5


@dataclass(frozen=True)
class FilterInput:
    """One raw sentence as the filters see it: its text, its tokens, its language code and projected tags."""

    text: str
    tokens: Sequence[str]
    lang: str
    tags: Sequence[str] | None = None


@dataclass(frozen=True)
class Drop:
    """Which filter dropped a sentence, and why."""

    filter: str
    reason: str

    def __str__(self) -> str:
        return f"{self.filter}: {self.reason}"


class SentenceFilter(Protocol):
    """Anything with a ``name`` that maps a :class:`FilterInput` to a drop reason or ``None``."""

    name: str

    def __call__(self, item: FilterInput) -> str | None: ...


@dataclass
class LengthFilter:
    """Drops sentences with more than ``max_words`` tokens (characters for char-level languages, as in CROP)."""

    max_words: int = DEFAULT_MAX_WORDS
    name: str = "too_long"

    def __call__(self, item: FilterInput) -> str | None:
        n = len(item.tokens)
        if n > self.max_words:
            return f"{n} tokens > max_words={self.max_words}"
        return None


@dataclass
class NoEntityFilter:
    """Drops sentences whose projected tags are all ``O``. Needs ``tags``: run it after matching."""

    name: str = "no_entity"

    def __call__(self, item: FilterInput) -> str | None:
        tags = _require_tags(item, self.name)
        return None if any(t != "O" for t in tags) else f"all {len(tags)} tags are O"


@dataclass
class MaxEntitiesFilter:
    """Drops sentences with more than ``max_entities`` entities (``B-`` tags), as the CROP release does."""

    max_entities: int = DEFAULT_MAX_ENTITIES
    name: str = "too_many_entities"

    def __call__(self, item: FilterInput) -> str | None:
        n = sum(t.startswith("B-") for t in _require_tags(item, self.name))
        return f"{n} entities > max_entities={self.max_entities}" if n > self.max_entities else None


@dataclass
class LanguageFilter:
    """Drops sentences that langid.py does not identify as their language (``Language.langid_code``).

    ``candidates`` restricts langid to a few language codes (langid's own codes, e.g. ``("en", "es")`` to
    catch untranslated English copies); ``None`` uses all 97 of its languages. Languages langid does not
    know (no ``langid_code``) are never dropped.
    """

    candidates: tuple[str, ...] | None = None
    name: str = "wrong_language"

    def __call__(self, item: FilterInput) -> str | None:
        from .languages import get_language

        language = get_language(item.lang)
        expected = language.langid_code
        if not expected:
            return None
        candidates = self.candidates
        if candidates is not None and expected not in candidates:
            candidates = (*candidates, expected)
        found = identify_language(item.text, candidates)
        if found == expected or found in language.langid_aliases:
            return None
        return f"langid says {found!r}, expected {expected!r}"


@dataclass
class FilterStats:
    """How many sentences were seen and kept, and how many each filter dropped."""

    seen: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        share = f" ({100.0 * self.kept / self.seen:.1f}%)" if self.seen else ""
        parts = ", ".join(f"{name}={count}" for name, count in self.dropped.items()) or "none"
        return f"filters: seen {self.seen}, kept {self.kept}{share}; dropped {parts}"

    def merge(self, other: FilterStats) -> FilterStats:
        """The sum of two stats (e.g. from two shards or processes)."""
        dropped = dict(self.dropped)
        for name, count in other.dropped.items():
            dropped[name] = dropped.get(name, 0) + count
        return FilterStats(self.seen + other.seen, self.kept + other.kept, dropped)


@dataclass
class FilterChain:
    """Runs filters in order; a dropped sentence is counted once, under the first filter that dropped it."""

    filters: list[SentenceFilter]
    stats: FilterStats = field(default_factory=FilterStats)

    def __post_init__(self) -> None:
        names = [f.name for f in self.filters]
        if len(set(names)) != len(names):
            raise ValueError(f"filter names must be unique, got {names}; give one of them another name=")
        for name in names:
            self.stats.dropped.setdefault(name, 0)

    @classmethod
    def default(
        cls, max_words: int = DEFAULT_MAX_WORDS, langid_candidates: tuple[str, ...] | None = None
    ) -> FilterChain:
        """CROP's filters: length, no entity, then language (the slowest last)."""
        return cls([LengthFilter(max_words), NoEntityFilter(), LanguageFilter(langid_candidates)])

    def check(self, item: FilterInput) -> Drop | None:
        """The first filter's drop (counted in :attr:`stats`), or ``None`` when every filter keeps ``item``."""
        self.stats.seen += 1
        for sentence_filter in self.filters:
            reason = sentence_filter(item)
            if reason is not None:
                self.stats.dropped[sentence_filter.name] += 1
                return Drop(sentence_filter.name, reason)
        self.stats.kept += 1
        return None

    def filter(self, items: Iterable[FilterInput]) -> Iterator[FilterInput]:
        """The items every filter keeps, counting the others."""
        return (item for item in items if self.check(item) is None)

    def log_summary(self, log: logging.Logger | None = None, level: int = logging.INFO) -> str:
        """Log (and return) the one-line summary of :attr:`stats`."""
        line = self.stats.summary()
        (log or logger).log(level, line)
        return line


def identify_language(text: str, candidates: Sequence[str] | None = None) -> str:
    """langid.py's language code for ``text``, among ``candidates`` (langid codes) when given.

    The identifiers are built once per process on first use (about a second for the full model) and
    shared; a restricted one is a cheap copy of the full one, so restrictions never leak between callers.
    """
    return _identifier(tuple(sorted(set(candidates))) if candidates else None).classify(text)[0]


# ----------------------------------------------------------------------------------------------- helpers

_IDENTIFIERS: dict[tuple[str, ...] | None, Any] = {}


def _identifier(candidates: tuple[str, ...] | None) -> Any:
    identifier = _IDENTIFIERS.get(candidates)
    if identifier is None:
        if candidates is None:
            from langid.langid import LanguageIdentifier, model

            identifier = LanguageIdentifier.from_modelstring(model, norm_probs=False)
        else:
            identifier = copy.copy(_identifier(None))
            unknown = [c for c in candidates if c not in identifier.nb_classes]
            if unknown:
                raise ValueError(f"langid.py does not know {unknown}; known codes: {' '.join(identifier.nb_classes)}")
            identifier.set_languages(list(candidates))
        _IDENTIFIERS[candidates] = identifier
    return identifier


def _require_tags(item: FilterInput, name: str) -> Sequence[str]:
    if item.tags is None:
        raise ValueError(
            f"filter {name!r} needs projected tags, got tags=None for {item.text[:60]!r}; run it after matching"
        )
    return item.tags
