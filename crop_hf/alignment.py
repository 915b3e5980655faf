"""Phrase pairs from word alignment, and sampling them for slot wrapping."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PhrasePair:
    """Source tokens ``[src_start, src_end)`` aligned with target tokens ``[tgt_start, tgt_end)``."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int


def sample_phrase_pairs(pairs: Sequence[PhrasePair], k: int, rng: random.Random) -> list[PhrasePair]:
    """Draw a count uniformly in 0..k, then that many phrase pairs that overlap on neither side."""
    count = rng.randint(0, k)
    chosen: list[PhrasePair] = []
    for pair in rng.sample(list(pairs), len(pairs)):
        if len(chosen) == count:
            break
        if all(pair.src_end <= c.src_start or c.src_end <= pair.src_start for c in chosen) and all(
            pair.tgt_end <= c.tgt_start or c.tgt_end <= pair.tgt_start for c in chosen
        ):
            chosen.append(pair)
    return chosen
