"""The built-in multilingual corpus: parallel English/target sentences with gold NER tags on both sides.

Used by the offline demo and the tests. Sentences come from hand-written frames
(:mod:`crop_hf.demo.lexicon`) filled with entities: people, cities and companies from Faker's
per-locale providers (romanised for English where the target script is not Latin), and translated names
of countries, capitals, organisations and events. Noise that makes projection work for its living is
dialled in with :class:`NoiseConfig`:

- ``inflection``: German/Dutch/Norwegian genitive ``-s``, Russian locative case on places;
- ``translated``: share of places/organisations/events whose name differs between English and the target;
- ``reorder``: word-order variants of the target sentence;
- ``drop``: a person on the target side replaced by a pronoun (its English entity has no target partner);
- ``untranslated``: an English word left in the target sentence;
- ``wrong_language``: the target sentence replaced by its English source (for the language-id filter).

The corpus is deterministic for a seed, and streams: ``generate_corpus`` is a generator of
:class:`ParallelExample` that never materialises more than one sentence.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..core.tagging import Span, spans_to_tags, tags_to_spans
from . import lexicon as lex

SYNTHETIC_LANGUAGES = lex.SYNTHETIC_LANGUAGES
CHAR_LEVEL = frozenset({"zh"})
_PLACEHOLDER = re.compile(r"\{(\d+)(?::(\w+))?\}")


@dataclass(frozen=True)
class NoiseConfig:
    """Probabilities of each noise kind (see the module docstring). ``NoiseConfig.none()`` is clean data."""

    inflection: float = 0.3
    translated: float = 0.5
    reorder: float = 0.3
    drop: float = 0.05
    untranslated: float = 0.05
    wrong_language: float = 0.0

    @classmethod
    def none(cls) -> NoiseConfig:
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@dataclass
class ParallelExample:
    """One English sentence, its target-language partner, gold tags on both sides and the entity alignment.

    ``alignment`` pairs the index of an entity in ``src_spans`` with the index of its partner in ``tgt_spans``.
    For character-level languages (zh) the target tokens are characters and ``tgt_text`` has no spaces;
    ``tgt_words`` is the target in words (zh: the frame's words, each entity name one word, as a segmented Chinese
    parallel corpus gives them; other languages: ``tgt_tokens``).
    """

    id: str
    lang: str
    src_tokens: list[str]
    src_tags: list[str]
    tgt_tokens: list[str]
    tgt_tags: list[str]
    tgt_text: str
    alignment: list[tuple[int, int]]
    noise: list[str] = field(default_factory=list)
    tgt_words: list[str] = field(default_factory=list)

    @property
    def src_text(self) -> str:
        return " ".join(self.src_tokens)

    def tgt_word_spans(self) -> list[Span]:
        """The target entities over ``tgt_words`` (an entity is whole words)."""
        spans = tags_to_spans(self.tgt_tags)
        if self.tgt_words == self.tgt_tokens:
            return spans
        word_of = [k for k, word in enumerate(self.tgt_words) for _ in word]  # the word of each character
        return [Span(word_of[s.start], word_of[s.end - 1] + 1, s.label) for s in spans]


@dataclass(frozen=True)
class _Entity:
    label: str
    en: str
    tgt: str
    local: bool  # same name (or its romanisation) on both sides


def generate_corpus(
    langs: Sequence[str] = SYNTHETIC_LANGUAGES,
    n_per_lang: int = 100,
    seed: int = 0,
    noise: NoiseConfig | None = None,
    split: str = "train",
) -> Iterator[ParallelExample]:
    """Yield ``n_per_lang`` examples per language, languages interleaved, deterministic for (seed, split)."""
    noise = NoiseConfig() if noise is None else noise
    unknown = [lang for lang in langs if lang not in SYNTHETIC_LANGUAGES]
    if unknown:
        raise ValueError(f"the built-in corpus has no {unknown}; it covers {', '.join(SYNTHETIC_LANGUAGES)}")
    rngs = {lang: random.Random(zlib.crc32(f"{seed}/{split}/{lang}".encode())) for lang in langs}
    for i in range(n_per_lang):
        for lang in langs:
            yield _example(f"{split}-{lang}-{i}", lang, rngs[lang], noise, seed)


def english_corpus(n: int = 100, seed: int = 0, split: str = "train") -> Iterator[tuple[list[str], list[str]]]:
    """English (tokens, tags) drawn from the same frames: the labelled source data Lsrc."""
    for ex in generate_corpus(
        SYNTHETIC_LANGUAGES, n_per_lang=-(-n // len(SYNTHETIC_LANGUAGES)), seed=seed, split=split
    ):
        if n <= 0:
            return
        n -= 1
        yield ex.src_tokens, ex.src_tags


# ----------------------------------------------------------------------------------------------------------
# generation


def _example(ex_id: str, lang: str, rng: random.Random, noise: NoiseConfig, seed: int) -> ParallelExample:
    frame = rng.choice(lex.FRAMES)
    variants = frame.targets[lang]
    noisy = [v for v in variants if v.noise and rng.random() < getattr(noise, v.noise)]
    variant = noisy[0] if noisy else variants[0]
    entities = [_entity(label, lang, rng, noise, seed) for label in frame.types]
    dropped = {
        i for i, e in enumerate(entities) if e.label == "PER" and rng.random() < noise.drop and len(entities) > 1
    }
    applied = [variant.noise] if variant.noise else []
    applied += ["drop"] * bool(dropped)

    src_tokens, src_spans = _fill(frame.en.split(), entities, "en", lang, set(), rng)
    tgt_words, tgt_spans = _fill(variant.text.split(), entities, lang, lang, dropped, rng)
    tgt_tokens, tgt_spans = _characters(tgt_words, tgt_spans) if lang in CHAR_LEVEL else (tgt_words, tgt_spans)
    alignment = [(i, j) for j, i in enumerate(k for k in range(len(entities)) if k not in dropped)]
    if rng.random() < noise.untranslated:
        if _leave_english_word(src_tokens, src_spans, tgt_tokens, tgt_spans, lang, rng):
            applied.append("untranslated")
    if rng.random() < noise.wrong_language:
        tgt_tokens, tgt_spans = list(src_tokens), list(src_spans)
        alignment = [(i, i) for i in range(len(src_spans))]
        applied.append("wrong_language")
        lang_of_text = "en"
    else:
        lang_of_text = lang
    # positions in tgt_spans follow entity order; keep spans sorted by start for tags, remap alignment
    order = sorted(range(len(tgt_spans)), key=lambda j: tgt_spans[j].start)
    remap = {old: new for new, old in enumerate(order)}
    tgt_spans = [tgt_spans[j] for j in order]
    alignment = sorted((i, remap[j]) for i, j in alignment)
    src_order = sorted(range(len(src_spans)), key=lambda j: src_spans[j].start)
    src_remap = {old: new for new, old in enumerate(src_order)}
    src_spans = [src_spans[j] for j in src_order]
    alignment = sorted((src_remap[i], j) for i, j in alignment)
    text = _join(tgt_tokens, lang_of_text)
    return ParallelExample(
        id=ex_id,
        lang=lang,
        src_tokens=src_tokens,
        src_tags=spans_to_tags(src_spans, len(src_tokens)),
        tgt_tokens=tgt_tokens,
        tgt_tags=spans_to_tags(tgt_spans, len(tgt_tokens)),
        tgt_text=text,
        alignment=alignment,
        noise=applied,
        tgt_words=tgt_words if lang_of_text in CHAR_LEVEL else tgt_tokens,  # after any word-level noise
    )


def _characters(words: Sequence[str], spans: Sequence[Span]) -> tuple[list[str], list[Span]]:
    """Words split into their characters, and word-offset spans moved to character offsets."""
    starts = [0]
    for word in words:
        starts.append(starts[-1] + len(word))
    chars = [c for word in words for c in word]
    return chars, [Span(starts[s.start], starts[s.end], s.label) for s in spans]


def _join(tokens: Sequence[str], lang: str) -> str:
    return "".join(tokens) if lang in CHAR_LEVEL else " ".join(tokens)


def _fill(
    words: Sequence[str],
    entities: Sequence[_Entity],
    side: str,
    lang: str,
    dropped: set[int],
    rng: random.Random,
) -> tuple[list[str], list[Span]]:
    """Replace placeholders with entity tokens; return tokens and spans in entity order (dropped ones omitted)."""
    tokens: list[str] = []
    spans: dict[int, Span] = {}
    for word in words:
        m = _PLACEHOLDER.fullmatch(word)
        if m is None:
            tokens.append(word)
            continue
        k, form = int(m.group(1)), m.group(2)
        ent = entities[k]
        if k in dropped:
            tokens.append(lex.PRONOUNS[lang])
            continue
        name = ent.en if side == "en" else _inflect(ent.tgt, lang, form)
        ent_tokens = [name.replace(" ", "")] if side in CHAR_LEVEL else name.split()
        spans[k] = Span(len(tokens), len(tokens) + len(ent_tokens), ent.label)
        tokens.extend(ent_tokens)
    return tokens, [spans[k] for k in sorted(spans)]


def _inflect(name: str, lang: str, form: str | None) -> str:
    if form is None:
        return name
    if form == "gen":  # Germanic -s genitive on the last word
        return name + ("'" if name[-1] in "sxzß" else "s")
    if form == "prep":  # Russian prepositional case, the common endings
        if name.endswith("ия"):
            return name[:-1] + "и"
        if name[-1] in "аяо":
            return name[:-1] + "е" if name[-1] != "о" else name
        if name[-1] in "йь":
            return name[:-1] + "е"
        if name[-1].isalpha() and name[-1] not in "иеуюы":
            return name + "е"
    return name


def _leave_english_word(src_tokens, src_spans, tgt_tokens, tgt_spans, lang, rng) -> bool:
    """Replace one non-entity target word with a non-entity English word (word-level targets only)."""
    if lang in CHAR_LEVEL:
        return False
    in_src = {i for s in src_spans for i in range(s.start, s.end)}
    in_tgt = {i for s in tgt_spans for i in range(s.start, s.end)}
    src_free = [t for i, t in enumerate(src_tokens) if i not in in_src and t.isalpha() and len(t) > 3]
    tgt_free = [i for i, t in enumerate(tgt_tokens) if i not in in_tgt and t.isalpha()]
    if not src_free or not tgt_free:
        return False
    tgt_tokens[rng.choice(tgt_free)] = rng.choice(src_free).lower()
    return True


def _entity(label: str, lang: str, rng: random.Random, noise: NoiseConfig, seed: int) -> _Entity:
    pools = _pools(lang, seed)
    if label == "PER":
        en, tgt = rng.choice(pools["PER"])
        return _Entity("PER", en, tgt, True)
    if label == "MISC" or rng.random() < noise.translated:
        table = {"LOC": lex.TRANSLATED_LOC, "ORG": lex.TRANSLATED_ORG, "MISC": lex.TRANSLATED_MISC}[label]
        row = rng.choice(table)
        return _Entity(label, row["en"], row[lang], row["en"] == row[lang])
    en, tgt = rng.choice(pools[label])
    return _Entity(label, en, tgt, True)


@lru_cache(maxsize=64)
def _pools(lang: str, seed: int, size: int = 40) -> dict[str, list[tuple[str, str]]]:
    """(English rendering, target form) pools of local people, places and companies for a language."""
    rng = random.Random(zlib.crc32(f"pools/{seed}/{lang}".encode()))
    if lang == "zh":
        people = []
        for _ in range(size):
            sur, given = rng.choice(list(lex.ZH_SURNAMES)), rng.choice(list(lex.ZH_GIVEN))
            people.append((f"{lex.ZH_SURNAMES[sur]} {lex.ZH_GIVEN[given]}", sur + given))
        return {
            "PER": people,
            "LOC": [(en, zh) for zh, en in lex.ZH_CITIES.items()],
            "ORG": [(en, zh) for zh, en in lex.ZH_COMPANIES.items()],
        }
    faker = _faker(lang, seed)
    people = [f"{faker.first_name()} {faker.last_name()}" for _ in range(size)]
    if lang == "ru":
        return {
            "PER": [(_romanise_ru(p), p) for p in people],
            "LOC": [(_romanise_ru(c), c) for c in lex.RU_CITIES],
            "ORG": [(_romanise_ru(c), c) for c in lex.RU_COMPANIES],
        }
    cities = [c for c in (faker.city() for _ in range(size)) if all(w[0].isupper() for w in c.split())]
    companies = [
        faker.last_name() + " " + rng.choice(("Group", "Media", "Bank", "Solutions")) for _ in range(size // 2)
    ]
    return {
        "PER": [(p, p) for p in people],
        "LOC": [(c, c) for c in cities[: size // 2]],
        "ORG": [(c, c) for c in companies],
    }


def _faker(lang: str, seed: int):
    from ..base.extras import require

    faker = require("faker", "the built-in corpus", "demo").Faker(lex.FAKER_LOCALES[lang])
    faker.seed_instance(zlib.crc32(f"faker/{seed}/{lang}".encode()))
    return faker


def _romanise_ru(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        rep = lex.RU_TRANSLIT.get(low, ch)
        out.append(rep.capitalize() if ch != low else rep)
    return "".join(out)
