"""Slots on names (``lst.slot_phrases: names``): which aligned phrase pairs of an LST training corpus are names.

Projection only ever slots the English NER's entities, whole. Training slots drawn from every aligned pair also teach
the model slots on phrases no entity looks like; where alignment pairs a language's reordered words by position (the
built-in corpus's Chinese), the model learns to place slots by position. ``names`` keeps the pairs that look like an
entity and its translation, by facts of the whole training corpus (:meth:`NameFilter.from_features`):

- the English side is a name: its last word, and its first unless that is a surname particle (``van der Pouw Bank``),
  capitalized and neither written lowercase anywhere in the corpus nor capitalized only as a sentence's first word
  (``Shares``, ``Yesterday``); any word between them a name too or a name particle (``Tour de France``, ``Bank of
  Spain``, ``Selina van Ooste``);
- the other side does not start with a lowercase letter but for a surname particle (a cased script writes a name
  capitalized: ``мира`` is not ``World Cup``'s translation, ``el lunes`` is no name); caseless scripts pass;
- the other side stands for a few English names at most: one that pairs with more than :data:`MAX_NAMES_PER_PHRASE`
  different names across the corpus is a pronoun or an alignment error (``他``, ``er``, ``él``), not a translation;
- it is maximal: a pair inside another name pair on both sides (``Bank`` <-> ``Banco`` inside ``World Bank`` <->
  ``Banco Mundial``) is a name's part, which no entity slot wraps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.phrases import PhrasePair, as_phrase_pairs

# Lowercase words that join the parts of one name (English renderings and names kept as written).
NAME_PARTICLES = frozenset({"of", "de", "del", "della", "di", "da", "du", "des", "la", "le", "van", "von", "der", "den",
                            "ter", "zu", "y", "al", "bin"})  # fmt: skip
# ... and those of them that may also start one (``van Dooren Group``, ``de Boer``), unlike ``of`` (``Shares of ...``).
LEADING_PARTICLES = frozenset({"de", "del", "della", "di", "da", "du", "la", "le", "van", "von", "der", "den", "ter"})
# The most different English names one non-English phrase may stand for and still count as a name's translation.
MAX_NAMES_PER_PHRASE = 3


@dataclass(frozen=True)
class NameFilter:
    """What the training corpus says about names: ``common_words`` (lowercased English words that are not names:
    written lowercase somewhere, or capitalized only as a sentence's first word) and ``shared_phrases`` (``(language,
    phrase)`` of non-English sides that pair with more than :data:`MAX_NAMES_PER_PHRASE` English names)."""

    common_words: frozenset[str]
    shared_phrases: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def from_features(cls, features: Iterable[dict[str, Any]]) -> NameFilter:
        """The filter of a training corpus: features as
        :class:`~crop_hf.training.collator.DataCollatorForLabeledSeq2Seq` reads them (``src_tokens``, ``tgt_tokens``,
        ``phrases``, ``src_lang``, ``tgt_lang``)."""
        rows = list(features)
        lowercase: set[str] = set()
        capitalized_inside: set[str] = set()
        firsts: set[str] = set()
        for row in rows:
            side = _row_sides(row)
            for i, word in enumerate(side[0] if side else ()):
                if word[:1].islower():
                    lowercase.add(word.lower())
                elif i == 0:
                    firsts.add(word.lower())
                elif word[:1].isupper():
                    capitalized_inside.add(word.lower())
        by_words = cls(frozenset(lowercase | (firsts - capitalized_inside)))
        names: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in rows:
            side = _row_sides(row)
            if side is None:
                continue
            english, other, lang = side
            src_lang, phrases = row.get("src_lang", "en"), as_phrase_pairs(row.get("phrases"))
            for pair in by_words.name_pairs(phrases, row["src_tokens"], row["tgt_tokens"], src_lang, row["tgt_lang"]):
                e0, e1, o0, o1 = _english_first(pair, src_lang == "en")
                names[(lang, " ".join(other[o0:o1]))].add(" ".join(english[e0:e1]))
        shared = frozenset(key for key, found in names.items() if len(found) > MAX_NAMES_PER_PHRASE)
        return cls(by_words.common_words, shared)

    def name_pairs(self, phrases: Sequence[PhrasePair], src: Sequence[str], tgt: Sequence[str], src_lang: str,
                   tgt_lang: str) -> list[PhrasePair]:  # fmt: skip
        """The pairs of one sentence pair that are names (module doc), in their order; every pair when neither side
        is English."""
        sides = _sides(src, tgt, src_lang, tgt_lang)
        if sides is None:
            return list(phrases)
        english, other, lang = sides
        on_src = src_lang == "en"

        def name(word: str) -> bool:
            return word[:1].isupper() and word.lower() not in self.common_words

        def is_name(p: PhrasePair) -> bool:
            e0, e1, o0, o1 = _english_first(p, on_src)
            words, translation = english[e0:e1], other[o0:o1]
            first = name(words[0]) or (words[0] in LEADING_PARTICLES and len(words) > 1)
            english_name = first and name(words[-1]) and all(name(w) or w in NAME_PARTICLES for w in words[1:-1])
            capitalized = not translation[0][:1].islower() or translation[0] in LEADING_PARTICLES
            return english_name and capitalized and (lang, " ".join(translation)) not in self.shared_phrases

        kept = [p for p in phrases if is_name(p)]
        return [p for p in kept if not any(q != p and _inside(p, q) for q in kept)]


def _inside(p: PhrasePair, q: PhrasePair) -> bool:
    return (q.src_start <= p.src_start and p.src_end <= q.src_end and q.tgt_start <= p.tgt_start
            and p.tgt_end <= q.tgt_end)  # fmt: skip


def _english_first(p: PhrasePair, on_src: bool) -> tuple[int, int, int, int]:
    return (p.src_start, p.src_end, p.tgt_start, p.tgt_end) if on_src else (p.tgt_start, p.tgt_end, p.src_start,
                                                                            p.src_end)  # fmt: skip


def _sides(
    src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str
) -> tuple[Sequence[str], Sequence[str], str] | None:
    """(English tokens, other tokens, other language) of a sentence pair, or None when neither side is English."""
    if src_lang == "en":
        return src, tgt, tgt_lang
    if tgt_lang == "en":
        return tgt, src, src_lang
    return None


def _row_sides(row: dict[str, Any]) -> tuple[Sequence[str], Sequence[str], str] | None:
    return _sides(row["src_tokens"], row["tgt_tokens"], row.get("src_lang", "en"), row["tgt_lang"])
