"""Throughput of crop_hf.core.matching: sentence pairs per second for each strictness level, against 20,000/s.

The pairs are made here from a seeded random generator: raw sentences of 20-30 pseudo-words with 2-3
entities of 1-3 words, and back-translated entity phrases that are mostly identical to the raw ones and
otherwise inflected (fuzzy), interrupted by an extra raw word (CROP soft rule), or hyphen-joined in the raw
sentence (align). Caches are cleared before each level, so every level pays its first-sight costs.

    python benchmarks/bench_matching.py --n 20000
"""

from __future__ import annotations

import argparse
import random
import time

from crop_hf.core import matching, text
from crop_hf.core.matching import STRICTNESS_LEVELS, match_entities
from crop_hf.core.text import Token, tokenize, tokens_from_words

TARGET_PER_SECOND = 20_000
LABELS = ("PER", "LOC", "ORG", "MISC")
SYLLABLES = "ba be bi bo ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to".split()

Pair = tuple[str, list[Token], list[tuple[list[str], str, int]]]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="sentence pairs to match per level")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--lang", default="es", help="language code of the raw sentences (word-level)")
    return parser


def make_pairs(n: int, seed: int) -> list[Pair]:
    """``n`` (raw text, raw tokens, entity phrases) triples; see the module doc for the mix of phrase kinds."""
    rng = random.Random(seed)
    words = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(3000)})
    names = sorted({w.capitalize() for w in rng.sample(words, 800)})
    pairs = []
    for _ in range(n):
        raw = rng.choices(words, k=rng.randint(18, 26))
        entities, shift = [], 0
        slots = sorted(rng.sample(range(1, len(raw) // 3), rng.randint(2, 3)))
        for slot_id, slot in enumerate(slots):
            phrase = rng.sample(names, rng.randint(1, 3))
            kind = rng.random()
            if kind < 0.75:  # identical
                raw_phrase, back = list(phrase), list(phrase)
            elif kind < 0.85:  # inflected in the raw sentence
                raw_phrase, back = [*phrase[:-1], phrase[-1] + "s"], list(phrase)
            elif kind < 0.95:  # an extra raw word inside the entity
                raw_phrase, back = [phrase[0], rng.choice(names), *phrase[1:]], list(phrase)
            else:  # written as one hyphenated raw word
                raw_phrase, back = ["-".join(phrase)], list(phrase)
            raw[slot * 3 + shift : slot * 3 + shift] = raw_phrase
            shift += len(raw_phrase)
            entities.append((back, rng.choice(LABELS), slot_id))
        raw.append(".")
        pairs.append((" ".join(raw), tokens_from_words(raw), entities))
    return pairs


def clear_caches() -> None:
    for cached in (text.fold, text._char_level_code, matching._phrase_units, matching._similarity):
        cached.cache_clear()


def run_level(pairs: list[Pair], lang: str, strictness: str, with_tokenize: bool = False) -> tuple[float, float]:
    """(pairs per second, share of pairs with every entity matched) for one pass over ``pairs``."""
    clear_caches()
    matched = 0
    start = time.perf_counter()
    for raw_text, tokens, entities in pairs:
        if with_tokenize:
            tokens = tokenize(raw_text, lang)
        matched += match_entities(tokens, entities, lang, strictness=strictness).all_matched
    elapsed = time.perf_counter() - start
    return len(pairs) / elapsed, matched / len(pairs)


def main(argv: list[str] | None = None) -> None:
    args = make_parser().parse_args(argv)
    pairs = make_pairs(args.n, args.seed)
    tokens = sum(len(p[1]) for p in pairs) / len(pairs)
    entities = sum(len(p[2]) for p in pairs) / len(pairs)
    print(f"{len(pairs)} pairs, {tokens:.1f} raw tokens and {entities:.2f} entities per pair, lang={args.lang}")
    print(f"{'level':<18}{'pairs/s':>10}{'x target':>10}{'all matched':>13}")
    rows = [(level, False) for level in STRICTNESS_LEVELS] + [("crop", True)]
    for level, with_tokenize in rows:
        rate, share = run_level(pairs, args.lang, level, with_tokenize)
        name = f"{level} + tokenize" if with_tokenize else level
        print(f"{name:<18}{rate:>10,.0f}{rate / TARGET_PER_SECOND:>10.2f}{share:>13.1%}")


if __name__ == "__main__":
    main()
