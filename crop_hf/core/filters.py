"""Sentence filters of the projection step, and the tally of what was dropped and why.

CROP keeps a projected raw sentence only when its translation is in the target language (langid.py on the
translated sentences; :mod:`crop_hf.core.language_id` has the identifiers), it is not longer than 128 words, and has at
least one entity; the release also drops sentences with more than 5 entities. Each filter here has a ``name`` (the
discard reason it gives) and, called on a :class:`FilterInput`, returns why it drops the sentence or ``None``. A
:class:`FilterChain` runs them in order and stops at the first that drops. Text filters (length, and language when
the raw text is checked too) run before any model, on an input without tags; tag filters (no entity, too many
entities) run once the English NER model has tagged the sentence, on an input with tags: the one chain serves both
passes. The pipeline runs a :class:`LanguageFilter` of its own on each translation::

    chain = FilterChain.default(max_words=128, max_entities=5)
    chain.check(FilterInput(text, tokens, "es"))                 # None, or Drop("too_long", "130 tokens > ...")
    chain.check(FilterInput(text, tokens, "es", tags=en_tags))   # Drop("no_entity", "all 12 tags are O")

:class:`FilterStats` counts results per reason (the pipeline keeps one in ``pipeline.stats``), so nothing is
discarded silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from .language_id import DEFAULT_IDENTIFIER, identify_language, resolve_candidates
from .slots import DEFAULT_MAX_SLOTS

DEFAULT_MAX_WORDS = 128
DEFAULT_MAX_ENTITIES = 5
WRONG_LANGUAGE = "wrong_language"  # the language filter's name: its discard reason (a translation, as in CROP)
RAW_LANGUAGE = "raw_language"  # the same filter on the raw sentence (check_raw_language): counted apart


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
    """Anything with a ``name`` that maps a :class:`FilterInput` to a drop reason or ``None``.

    ``needs_tags``: whether it reads ``tags`` (and so runs in the second pass, after NER).
    """

    name: str
    needs_tags: ClassVar[bool]

    def __call__(self, item: FilterInput) -> str | None: ...


@dataclass
class LengthFilter:
    """Drops sentences with more than ``max_words`` tokens (characters for char-level languages, as in CROP)."""

    max_words: int = DEFAULT_MAX_WORDS
    name: str = "too_long"
    needs_tags: ClassVar[bool] = False

    def __call__(self, item: FilterInput) -> str | None:
        n = len(item.tokens)
        if n > self.max_words:
            return f"{n} tokens > max_words={self.max_words}"
        return None


@dataclass
class NoEntityFilter:
    """Drops sentences whose projected tags are all ``O``. Needs ``tags``: run it after matching."""

    name: str = "no_entity"
    needs_tags: ClassVar[bool] = True

    def __call__(self, item: FilterInput) -> str | None:
        tags = _require_tags(item, self.name)
        return None if any(t != "O" for t in tags) else f"all {len(tags)} tags are O"


@dataclass
class MaxEntitiesFilter:
    """Drops sentences with more than ``max_entities`` entities (``B-`` tags), as the CROP release does; with
    ``max_entities=None``, those with more entities than the LST model has slot markers (``DEFAULT_MAX_SLOTS``),
    which no labeled translation could carry."""

    max_entities: int | None = DEFAULT_MAX_ENTITIES
    name: str = "too_many_entities"
    needs_tags: ClassVar[bool] = True

    def __call__(self, item: FilterInput) -> str | None:
        n = sum(t.startswith("B-") for t in _require_tags(item, self.name))
        if self.max_entities is not None and n > self.max_entities:
            return f"{n} entities > max_entities={self.max_entities}"
        return f"{n} entities > the {DEFAULT_MAX_SLOTS} slot markers" if n > DEFAULT_MAX_SLOTS else None


@dataclass
class LanguageFilter:
    """Drops texts that the language identifier does not identify as their language.

    ``identifier``: ``"langid"`` (langid.py, the default) or ``"lingua"`` (fewer false rejections, ``crop-hf[lingua]``); see
    :mod:`crop_hf.core.language_id`. ``candidates`` restricts it to a few codes (e.g. ``("en", "es")`` to catch
    untranslated English copies; the language's own codes are always added); ``None`` lets it choose among all its
    languages. Languages the identifier does not know are never dropped. The pipeline runs it on the labeled
    translation (CROP's filter on translated sentences) and, when asked, on the raw sentence.
    """

    candidates: tuple[str, ...] | None = None
    identifier: str = DEFAULT_IDENTIFIER
    name: str = WRONG_LANGUAGE
    needs_tags: ClassVar[bool] = False

    def __call__(self, item: FilterInput) -> str | None:
        from .languages import get_language

        accepted = get_language(item.lang).identifier_codes(self.identifier)
        if not accepted:
            return None
        candidates = None if self.candidates is None else (*self.candidates, *accepted)
        found = identify_language(item.text, candidates, self.identifier)
        if found in accepted:
            return None
        return f"{self.identifier} says {found!r}, expected {accepted[0]!r}"


@dataclass
class FilterStats:
    """How many results were seen and kept, and how many were dropped for each reason (filter names and others)."""

    seen: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str | None) -> None:
        """Count one result: kept when ``reason`` is ``None``, else dropped for ``reason``."""
        self.seen += 1
        if reason is None:
            self.kept += 1
        else:
            self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def summary(self) -> str:
        share = f" ({100.0 * self.kept / self.seen:.1f}%)" if self.seen else ""
        parts = ", ".join(f"{name}={count}" for name, count in self.dropped.items()) or "none"
        return f"seen {self.seen}, kept {self.kept}{share}; dropped {parts}"

    def counts(self) -> dict[str, Any]:
        """The tally as a run records it: ``kept``, ``total``, ``kept_ratio`` and ``drops`` (sorted by reason)."""
        ratio = round(self.kept / max(1, self.seen), 4)
        return {
            "kept": self.kept,
            "total": self.seen,
            "kept_ratio": ratio,
            "drops": dict(sorted(self.dropped.items())),
        }

    def merge(self, other: FilterStats) -> FilterStats:
        """The sum of two stats (e.g. from two shards or processes)."""
        dropped = dict(self.dropped)
        for name, count in other.dropped.items():
            dropped[name] = dropped.get(name, 0) + count
        return FilterStats(self.seen + other.seen, self.kept + other.kept, dropped)


@dataclass
class FilterChain:
    """Runs filters in order; :meth:`check` returns the first drop among the filters that fit its input.

    Args:
        filters: The filters, in the order they run (cheap ones first); their names must differ.
    """

    filters: list[SentenceFilter]

    def __post_init__(self) -> None:
        names = [f.name for f in self.filters]
        if len(set(names)) != len(names):
            raise ValueError(f"filter names must be unique, got {names}; give one of them another name=")

    @classmethod
    def default(
        cls,
        max_words: int = DEFAULT_MAX_WORDS,
        check_language: bool = True,
        langid_candidates: tuple[str, ...] | None = None,
        max_entities: int | None = DEFAULT_MAX_ENTITIES,
        language_identifier: str = DEFAULT_IDENTIFIER,
    ) -> FilterChain:
        """CROP's filters as in the release: length, language of the text (slow, so after length; off with
        ``check_language=False``); no entity, at most ``max_entities`` entities (``None``: no limit but the number
        of slot markers)."""
        filters: list[SentenceFilter] = [LengthFilter(max_words)]
        if check_language:
            filters.append(LanguageFilter(langid_candidates, language_identifier))
        return cls([*filters, NoEntityFilter(), MaxEntitiesFilter(max_entities)])

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.filters]

    def check(self, item: FilterInput) -> Drop | None:
        """The first drop among the text filters (``item.tags is None``) or the tag filters (tags given)."""
        tagged = item.tags is not None
        for sentence_filter in self.filters:
            if sentence_filter.needs_tags == tagged:
                reason = sentence_filter(item)
                if reason is not None:
                    return Drop(sentence_filter.name, reason)
        return None


def check_langid_codes(candidates: Sequence[str], identifier: str = DEFAULT_IDENTIFIER) -> tuple[str, ...]:
    """The candidates as the identifier's codes; a one-line ``ValueError`` unless it knows every one."""
    return resolve_candidates(candidates, identifier)


# ----------------------------------------------------------------------------------------------- helpers


def _require_tags(item: FilterInput, name: str) -> Sequence[str]:
    if item.tags is None:
        raise ValueError(
            f"filter {name!r} needs projected tags, got tags=None for {item.text[:60]!r}; run it after matching"
        )
    return item.tags
