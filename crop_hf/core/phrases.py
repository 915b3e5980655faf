"""From word links to phrase pairs: Pharaoh links, grow-diag-final-and (Koehn et al. 2003, as in Moses; vectorised
over a corpus), phrase pairs consistent with the links, and the draw of disjoint pairs for slot wrapping.

Pure Python and numpy: :mod:`crop_hf.core.alignment` runs eflomal and hands its output here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Link = tuple[int, int]
Pair = TypeVar("Pair")


@dataclass(frozen=True)
class PhrasePair:
    """Source tokens ``[src_start, src_end)`` aligned with target tokens ``[tgt_start, tgt_end)``."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int


def as_phrase_pairs(phrases: Iterable[PhrasePair | Sequence[int]] | None) -> list[PhrasePair]:
    """Phrase pairs as a feature stores them (``[s0, s1, t0, t1]`` lists, or PhrasePairs already; ``None``: none)."""
    return [p if isinstance(p, PhrasePair) else PhrasePair(*p) for p in phrases or ()]


def parse_pharaoh(line: str) -> list[Link]:
    """``"0-0 2-1"`` -> ``[(0, 0), (2, 1)]``."""
    numbers = list(map(int, line.replace("-", " ").split()))
    return list(zip(numbers[::2], numbers[1::2]))


def grow_diag_final_and(forward: Iterable[Link], reverse: Iterable[Link]) -> list[Link]:
    """Symmetrise two directional alignments (Koehn et al. 2003, as in Moses); sorted ``(src_i, tgt_j)`` links.

    Start from the intersection. Visiting alignment points in (src, tgt) order, add each union point next to one (also
    diagonally) whose source or target word is still unaligned; repeat until nothing changes. Finally add the forward,
    then the reverse points whose source and target words are both unaligned.
    """
    fwd, rev = set(forward), set(reverse)
    stride = max((j for _, j in fwd | rev), default=0) + 2
    fwd_codes, rev_codes = {i * stride + j for i, j in fwd}, {i * stride + j for i, j in rev}
    links = _gdfa(fwd_codes & rev_codes, fwd_codes - rev_codes, rev_codes - fwd_codes, stride)
    return [divmod(code, stride) for code in sorted(links)]


def extract_phrase_pairs(
    links: Iterable[Link], src_len: int, tgt_len: int, max_len: int = 4, extend_unaligned: bool = False
) -> list[PhrasePair]:
    """Phrase pairs consistent with ``links``: at least one link inside the box and none from inside to outside.

    At most ``max_len`` tokens a side. Tight by default (first and last token of each side aligned);
    ``extend_unaligned`` adds the pairs with unaligned boundary words, as Koehn's extraction does. Sorted by offsets.
    """
    src_lo, src_hi = [tgt_len] * src_len, [-1] * src_len  # target range of each source token
    tgt_lo, tgt_hi = [src_len] * tgt_len, [-1] * tgt_len  # source range of each target token
    for i, j in links:
        if not (0 <= i < src_len and 0 <= j < tgt_len):
            raise ValueError(f"link {i}-{j} is outside a {src_len}x{tgt_len} sentence pair")
        src_lo[i], src_hi[i] = min(src_lo[i], j), max(src_hi[i], j)
        tgt_lo[j], tgt_hi[j] = min(tgt_lo[j], i), max(tgt_hi[j], i)
    pairs: list[PhrasePair] = []
    for s1 in range(src_len):
        if src_hi[s1] < 0 and not extend_unaligned:
            continue
        t1, t2 = tgt_len, -1  # target range of [s1, s2]
        for s2 in range(s1, min(src_len, s1 + max_len)):
            if src_hi[s2] >= 0:
                t1, t2 = min(t1, src_lo[s2]), max(t2, src_hi[s2])
            elif not extend_unaligned or t2 < 0:
                continue
            if t2 - t1 >= max_len or min(tgt_lo[t1 : t2 + 1]) < s1:
                break  # the target side only grows, so a link leaving on the left stays
            if max(tgt_hi[t1 : t2 + 1]) > s2:
                continue
            if not extend_unaligned:
                pairs.append(PhrasePair(s1, s2 + 1, t1, t2 + 1))
                continue
            start = t1
            while start >= 0 and (start == t1 or tgt_hi[start] < 0) and t2 - start < max_len:
                end = t2
                while end < tgt_len and (end == t2 or tgt_hi[end] < 0) and end - start < max_len:
                    pairs.append(PhrasePair(s1, s2 + 1, start, end + 1))
                    end += 1
                start -= 1
    if extend_unaligned:
        pairs.sort(key=lambda p: (p.src_start, p.src_end, p.tgt_start, p.tgt_end))
    return pairs


def sample_phrase_pairs(pairs: Sequence[PhrasePair], k: int, rng: random.Random, least: int = 0) -> list[PhrasePair]:
    """Draw a count uniformly in min(least, n)..min(k, n) (``n = len(pairs)``; CROP's is 0..k), then up to that
    many pairs overlapping on neither side.

    Pairs are tried in random order and kept when they overlap none kept so far, so fewer come back when the sentence
    has not that many disjoint pairs. Deterministic for a seeded ``rng``.
    """
    if k < 0 or not 0 <= least <= k:
        raise ValueError(f"need 0 <= least <= k, got least={least}, k={k}")
    count = rng.randint(min(least, len(pairs)), min(k, len(pairs)))
    if count == 0:
        return []
    return disjoint_pairs(rng.sample(list(pairs), len(pairs)), count, lambda p: (p.src_start, p.src_end, p.tgt_start,
                                                                                 p.tgt_end))  # fmt: skip


def disjoint_pairs(order: Iterable[Pair], limit: int, bounds: Callable[[Pair], Sequence[int]]) -> list[Pair]:
    """Up to ``limit`` pairs of ``order``, each kept when it overlaps on neither side a pair kept before it.

    ``bounds(pair)`` is ``(src_start, src_end, tgt_start, tgt_end)``; the pairs come back in the order kept.
    """
    chosen: list[Pair] = []
    kept: list[Sequence[int]] = []
    for pair in order:
        a = bounds(pair)
        if all(a[1] <= b[0] or b[1] <= a[0] for b in kept) and all(a[3] <= b[2] or b[3] <= a[2] for b in kept):
            chosen.append(pair)
            kept.append(a)
            if len(chosen) == limit:
                break
    return chosen


def symmetrised(fwd_text: str, rev_text: str, n: int) -> list[list[Link]]:
    """grow-diag-final-and of eflomal's two outputs of ``n`` lines, vectorised where the directions agree.

    Links are coded ``sentence << 20 | i << 10 | j`` (eflomal sentences are under 1024 words), so numpy finds every
    sentence's intersection and one-direction links at once; only sentences with the latter go through ``_gdfa``.
    """
    import numpy as np

    fwd, rev = _coded(fwd_text, n), _coded(rev_text, n)
    parts = [np.intersect1d(fwd, rev, True), np.setdiff1d(fwd, rev, True), np.setdiff1d(rev, fwd, True)]
    (a, b), (f, g), (r, s) = [(x[:-1], x[1:]) for x in (np.searchsorted(p >> 20, np.arange(n + 1)) for p in parts)]
    agree = ((f == g) & (r == s)).tolist()
    a, b, f, g, r, s = a.tolist(), b.tolist(), f.tolist(), g.tolist(), r.tolist(), s.tolist()
    both, fwd_only, rev_only = [(p & 0xFFFFF).tolist() for p in parts]
    rows, cols = ((parts[0] >> 10) & 1023).tolist(), (parts[0] & 1023).tolist()
    out = []
    for k in range(n):
        if agree[k]:
            out.append(list(zip(rows[a[k] : b[k]], cols[a[k] : b[k]])))
            continue
        aligned = set(rows[a[k] : b[k]]), set(cols[a[k] : b[k]])
        alignment = set(both[a[k] : b[k]])
        codes = sorted(_gdfa(alignment, set(fwd_only[f[k] : g[k]]), set(rev_only[r[k] : s[k]]), 1024, aligned))
        out.append(list(zip(map((1024).__rfloordiv__, codes), map((1024).__rmod__, codes))))
    return out


def _coded(text: str, n: int):
    import numpy as np

    lines = text.splitlines()
    if len(lines) != n:
        raise RuntimeError(f"eflomal wrote {len(lines)} lines of links for {n} sentence pairs")
    numbers = np.fromstring(text.replace("-", " "), dtype=np.int64, sep=" ") if text.strip() else np.zeros(0, int)
    sentence = np.repeat(np.arange(n, dtype=np.int64), [line.count("-") for line in lines])
    return (sentence << 20) | (numbers[0::2] << 10) | numbers[1::2]


def _gdfa(
    alignment: set[int], fwd_only: set[int], rev_only: set[int], stride: int, aligned: tuple[set, set] | None = None
) -> set[int]:
    """grow-diag-final-and on links coded ``i * stride + j`` (``stride`` > every ``j + 1``), growing ``alignment``.

    Moses visits all alignment points in (i, j) order each pass. Only a point next to a candidate can add it, and a
    candidate refused once is refused for good: so pass one visits the points near candidates, later passes only the
    points the pass before added behind its position."""
    candidates = fwd_only | rev_only
    if not candidates:
        return alignment
    if aligned is None:
        aligned = set(map(stride.__rfloordiv__, alignment)), set(map(stride.__rmod__, alignment))
    src_aligned, tgt_aligned = aligned
    steps = (-stride, -1, stride, 1, -stride - 1, -stride + 1, stride - 1, stride + 1)  # Moses' neighbour order
    queue = sorted(alignment & {c - step for c in candidates for step in steps}, reverse=True)
    while queue and candidates:
        behind = []
        while queue:
            point = queue.pop()  # the queue is a stack popped in (i, j) order
            for step in steps:
                new = point + step
                if new in candidates:
                    i, j = divmod(new, stride)
                    if i not in src_aligned or j not in tgt_aligned:
                        candidates.discard(new)
                        alignment.add(new)
                        src_aligned.add(i)
                        tgt_aligned.add(j)
                        if new < point:
                            behind.append(new)
                        else:  # still ahead in this pass: visit it now, as Moses' nested loops do
                            at = len(queue)
                            while at and queue[at - 1] < new:
                                at -= 1
                            queue.insert(at, new)
        queue = sorted(behind, reverse=True)
    for code in sorted(fwd_only & candidates) + sorted(rev_only & candidates):
        i, j = divmod(code, stride)
        if i not in src_aligned and j not in tgt_aligned:
            alignment.add(code)
            src_aligned.add(i)
            tgt_aligned.add(j)
    return alignment
