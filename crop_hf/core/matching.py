"""Lexical matching: locate the slotted entity phrases of a back-translation in the *raw* target sentence.

CROP translates a raw sentence to English, tags it, wraps the entities in slots and translates back with the
labeled sequence translation model. The back-translation is a *new* sentence; its slots only say which words
are entities. :func:`match_entities` finds each slotted phrase in the raw sentence, with one of four
strictness levels, each trying the ones before it first:

``"exact"``
    the phrase's tokens occur contiguously in the raw tokens (char-level languages: the same characters, spaces
    ignored). Score 1.0.
``"crop"``
    the soft rule of the CROP release: a phrase of at most 6 tokens is found when at least 80 % of its tokens
    occur *exactly once* in the raw sentence; the entity covers the raw tokens from the leftmost to the
    rightmost of those. Unlike the release, the span may be at most 2 tokens longer than the phrase (a wider
    span labels unrelated words). Score: tokens found / max(phrase length, span length), at most 0.99.
``"fuzzy"``
    a window of the phrase's length whose tokens are each similar after folding case and diacritics: equal
    folded forms score 0.95, inflected forms (``Müllers``/``Müller``, ``Amsterdamse``/``Amsterdam``) score
    the larger of common-prefix ratio and 1 - edit distance / length. Every token must reach 0.5 and the
    window's mean ``min_score``.
``"align"``
    last fallback: the window of the phrase's length ±1 whose folded characters overlap most with the phrase
    (Dice coefficient of character bigrams; windows of another length count 0.9 of it), at least ``min_score``.

Overlaps and ambiguity. Entities are assigned in the order given (slot order), each taking its most preferred
candidate: a lower level before a higher one, then a higher score, then the leftmost position; so a phrase
that occurs twice is given to the first entity at its first occurrence and to the next one at the second.
A candidate overlapping a span already taken is skipped unless it is strictly better (lower level, or same
level and higher score) than every span it overlaps: then it takes the span and each loser tries its next
candidate. An entity with no candidate left is *unmatched*; CROP discards such sentences.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .tagging import Span, spans_to_tags
from .text import Token, fold, is_char_level, is_punctuation, split_tokens

if TYPE_CHECKING:
    from .languages import Language

STRICTNESS_LEVELS: tuple[str, ...] = ("exact", "crop", "fuzzy", "align")
DEFAULT_MIN_SCORE = 0.75
CROP_MAX_PHRASE = 6  # the release ignores longer phrases
CROP_MIN_FOUND = 0.8  # share of phrase tokens that must occur exactly once in the raw sentence
CROP_MAX_EXTRA = 2  # our bound: the span may exceed the phrase by this many tokens


@dataclass(frozen=True)
class EntityMatch:
    """Where one slotted entity was found: raw tokens ``[start, end)`` and characters ``[char_start, char_end)``."""

    slot_id: int
    label: str
    start: int
    end: int
    char_start: int
    char_end: int
    method: str
    score: float

    def to_span(self) -> Span:
        return Span(self.start, self.end, self.label)


@dataclass
class MatchResult:
    """Matches sorted by position, and the slot ids (in the order given) that could not be matched."""

    matches: list[EntityMatch]
    unmatched: list[int]

    @property
    def all_matched(self) -> bool:
        return not self.unmatched


def match_entities(
    raw_tokens: Sequence[Token],
    entities: Sequence[tuple[Sequence[str], str, int]],
    lang: str | Language,
    strictness: str = "crop",
    min_score: float = DEFAULT_MIN_SCORE,
) -> MatchResult:
    """Locate each ``(phrase tokens, label, slot id)`` of ``entities`` in ``raw_tokens`` (see the module doc).

    Phrases are re-tokenised like raw text for ``lang`` (so ``"Madrid,"`` becomes ``Madrid`` ``,``), and
    punctuation at their edges is dropped. ``min_score`` is the threshold of the fuzzy and align levels.
    """
    max_level = _LEVELS.get(strictness)
    if max_level is None:
        raise ValueError(f"strictness={strictness!r} is not one of {', '.join(STRICTNESS_LEVELS)}")
    if not 0.0 <= min_score <= 1.0:
        raise ValueError(f"min_score={min_score!r} must be within [0, 1]")
    char_level = is_char_level(lang)
    sentence = _Sentence([t.text for t in raw_tokens])
    pending = []
    for tokens, _, slot_id in entities:
        if isinstance(tokens, str):
            raise TypeError(f"slot {slot_id}: the phrase must be a list of tokens, got the string {tokens!r}")
        pending.append(_Entity(_phrase_units(tuple(tokens), char_level), max_level))
    taken: dict[int, tuple[int, float, int, int]] = {}  # entity index -> (level, score, start, end)
    queue = deque(range(len(entities)))
    while queue:
        index = queue.popleft()
        entity = pending[index]
        while (candidate := entity.next(sentence, min_score)) is not None:
            level, score, start, end = candidate
            rivals = [j for j, (_, _, s, e) in taken.items() if start < e and s < end]
            if rivals and not all((-level, score) > (-taken[j][0], taken[j][1]) for j in rivals):
                continue
            for j in rivals:
                del taken[j]
                queue.append(j)
            taken[index] = candidate
            break
    matches = []
    for index, (level, score, start, end) in taken.items():
        _, label, slot_id = entities[index]
        first, last = raw_tokens[start], raw_tokens[end - 1]
        method = STRICTNESS_LEVELS[level]
        matches.append(EntityMatch(slot_id, label, start, end, first.char_start, last.char_end, method, score))
    matches.sort(key=lambda m: m.start)
    unmatched = [entities[i][2] for i in range(len(entities)) if i not in taken]
    return MatchResult(matches, unmatched)


def matches_to_tags(matches: Sequence[EntityMatch], n_tokens: int, scheme: str = "BIO") -> list[str]:
    """Tags for a raw sentence of ``n_tokens`` tokens from its (non-overlapping) matches."""
    return spans_to_tags([m.to_span() for m in matches], n_tokens, scheme)


# ----------------------------------------------------------------------------------------------- helpers

_LEVELS = {name: level for level, name in enumerate(STRICTNESS_LEVELS)}
_FOLD_EQUAL = 0.95  # folded forms equal, raw forms not
_WORD_FLOOR = 0.5  # every token of a fuzzy window must be at least this similar
_OFF_LENGTH = 0.9  # align windows one token longer or shorter than the phrase


class _Sentence:
    """The raw tokens, with the folded forms computed once, on first use."""

    __slots__ = ("words", "_folded")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self._folded: list[str] | None = None

    @property
    def folded(self) -> list[str]:
        if self._folded is None:
            self._folded = [fold(w) for w in self.words]
        return self._folded


class _Entity:
    """One phrase's candidates, produced a level at a time and handed out in preference order."""

    __slots__ = ("units", "max_level", "level", "candidates", "cursor")

    def __init__(self, units: tuple[str, ...], max_level: int) -> None:
        self.units = list(units)
        self.max_level = max_level if units else -1
        self.level = -1
        self.candidates: list[tuple[int, float, int, int]] = []
        self.cursor = 0

    def next(self, sentence: _Sentence, min_score: float) -> tuple[int, float, int, int] | None:
        while self.cursor >= len(self.candidates):
            self.level += 1
            if self.level > self.max_level:
                return None
            self.candidates = _FINDERS[self.level](sentence, self.units, min_score)
            self.cursor = 0
        self.cursor += 1
        return self.candidates[self.cursor - 1]


@lru_cache(maxsize=1 << 14)
def _phrase_units(tokens: tuple[str, ...], char_level: bool) -> tuple[str, ...]:
    if not char_level and all(t.isalnum() for t in tokens):
        return tokens  # already split like raw text
    units = [t.text for t in split_tokens(" ".join(tokens), char_level)]
    start, end = 0, len(units)
    while start < end and is_punctuation(units[start]):
        start += 1
    while end > start and is_punctuation(units[end - 1]):
        end -= 1
    return tuple(units[start:end])


def _exact(sentence: _Sentence, units: list[str], min_score: float) -> list[tuple[int, float, int, int]]:
    words, k, first = sentence.words, len(units), units[0]
    found, start = [], -1
    for _ in range(words.count(first)):
        start = words.index(first, start + 1)
        if k == 1 or words[start : start + k] == units:
            found.append((0, 1.0, start, start + k))
    return found


def _crop(sentence: _Sentence, units: list[str], min_score: float) -> list[tuple[int, float, int, int]]:
    words, k = sentence.words, len(units)
    if k > CROP_MAX_PHRASE:
        return []
    found = {words.index(unit) for unit in units if words.count(unit) == 1}
    if len(found) < CROP_MIN_FOUND * k:
        return []
    start, end = min(found), max(found) + 1
    if end - start > k + CROP_MAX_EXTRA:
        return []
    return [(1, min(len(found) / max(k, end - start), 0.99), start, end)]


def _fuzzy(sentence: _Sentence, units: list[str], min_score: float) -> list[tuple[int, float, int, int]]:
    words, folded, k = sentence.words, sentence.folded, len(units)
    folded_units = [fold(u) for u in units]
    need = max(_WORD_FLOOR, k * min_score - (k - 1))  # what one token must reach when all others are equal
    found = []
    for start in range(len(words) - k + 1):
        total, inexact = 0.0, False
        for i in range(k):
            if words[start + i] == units[i]:
                total += 1.0
                continue
            a, b = folded_units[i], folded[start + i]
            if a[:1] != b[:1] or (similarity := _similarity(a, b, need)) < need:
                break
            total += similarity
            inexact = True
        else:
            if inexact and total / k >= min_score:
                found.append((2, total / k, start, start + k))
    found.sort(key=lambda c: (-c[1], c[2]))
    return found


def _align(sentence: _Sentence, units: list[str], min_score: float) -> list[tuple[int, float, int, int]]:
    words, folded, k = sentence.words, sentence.folded, len(units)
    target = _bigrams("".join(fold(u) for u in units))
    found = []
    for length in (k, k - 1, k + 1):
        if length < 1:
            continue
        weight = 1.0 if length == k else _OFF_LENGTH
        for start in range(len(words) - length + 1):
            window = _bigrams("".join(folded[start : start + length]))
            score = weight * 2 * len(target & window) / (len(target) + len(window))
            if score >= min_score and (length != k or words[start : start + k] != units):
                found.append((3, min(score, 0.99), start, start + length))
    found.sort(key=lambda c: (-c[1], c[2]))
    return found


_FINDERS = (_exact, _crop, _fuzzy, _align)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


@lru_cache(maxsize=1 << 16)
def _similarity(a: str, b: str, need: float) -> float:
    """Similarity of two folded words, tolerant to inflection (differences at the end).

    Scores under ``need`` are only lower bounds: the edit distance is skipped for pairs that cannot reach it.
    """
    if a == b:
        return _FOLD_EQUAL
    if not a or not b or a[0] != b[0]:
        return 0.0
    longest = max(len(a), len(b))
    prefix = 1
    for x, y in zip(a[1:], b[1:], strict=False):
        if x != y:
            break
        prefix += 1
    best = prefix / longest
    bound = 1.0 - abs(len(a) - len(b)) / longest  # edit distance can do no better than this
    if bound > best and bound >= need:
        best = max(best, 1.0 - _edit_distance(a, b) / longest)
    return min(best, _FOLD_EQUAL)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel (Myers 1999, Hyyrö's formulation): one pass over ``b``."""
    if not a:
        return len(b)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    full, top = (1 << len(a)) - 1, 1 << (len(a) - 1)
    pv, mv, distance = full, 0, len(a)
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            distance += 1
        elif mh & top:
            distance -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return distance
