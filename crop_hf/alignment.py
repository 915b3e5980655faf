"""Phrase pairs for slot wrapping: eflomal word alignment, grow-diag-final-and, consistent phrase extraction, sampling.

    for pair in align_corpus(src_token_lists, tgt_token_lists, char_level_target=get_language("zh").char_level):
        pair.index, pair.links, pair.phrases  # PhrasePair token offsets, end exclusive

eflomal (GPL-3.0: the optional extra ``crop-hf[align]``, imported only when aligning) aligns in both directions,
grow-diag-final-and symmetrises, and each phrase pair of up to ``max_phrase_len`` tokens a side that is consistent
with the links (no link leaves its box) is kept. Choices worth knowing:

- eflomal lowercases and splits lines on whitespace: an empty token or one holding whitespace would shift every later
  offset, so it is aligned as one placeholder word (counted in ``AlignmentStats.sanitized``).
- Char-level targets (zh, ja, th, my, ...: ``Language.char_level``) are aligned on characters: their words are not
  space-separated, and segmenter words are too sparse for eflomal's statistics. Character links are mapped back to the
  caller's tokens, so links and phrases always index ``tgt_tokens`` as given (pass characters as tokens to get
  character offsets); ``max_tokens`` counts characters there.
- Chunks of ``chunk_size`` pairs are aligned independently, so memory stays bounded; a tail under half a chunk is
  aligned with the chunk before it, since eflomal learns only from the sentences it is given.
- Every input pair yields one ``AlignedPair`` with its input ``index``. A pair with an empty side or a side over
  ``max_tokens`` is not aligned: it comes out with ``skipped`` set and no links, counted and logged.
"""

from __future__ import annotations

import gc
import json
import logging
import random
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice, zip_longest
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

EFLOMAL_MAX_TOKENS = 1023
"""eflomal reads a longer sentence as empty; ``max_tokens`` may not exceed this."""

Link = tuple[int, int]


@dataclass(frozen=True)
class PhrasePair:
    """Source tokens ``[src_start, src_end)`` aligned with target tokens ``[tgt_start, tgt_end)``."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int


@dataclass
class AlignedPair:
    """One input pair, its symmetrised links ``(src_i, tgt_j)`` and consistent phrase pairs.

    ``index`` is the pair's position in the input; ``skipped`` says why it was not aligned ("empty" or "too_long").
    """

    src_tokens: list[str]
    tgt_tokens: list[str]
    links: list[Link]
    phrases: list[PhrasePair]
    index: int = -1
    skipped: str | None = None


@dataclass
class AlignmentStats:
    """Counts of an alignment run; ``align_corpus`` updates the one it is given as pairs come out."""

    pairs: int = 0
    aligned: int = 0
    skipped_empty: int = 0
    skipped_too_long: int = 0
    sanitized: int = 0
    links: int = 0
    phrases: int = 0

    @property
    def skipped(self) -> int:
        return self.skipped_empty + self.skipped_too_long


def align_corpus(
    src_sentences: Iterable[Sequence[str]],
    tgt_sentences: Iterable[Sequence[str]],
    *,
    max_phrase_len: int = 4,
    chunk_size: int = 100_000,
    char_level_target: bool = False,
    max_tokens: int = 512,
    extend_unaligned: bool = False,
    eflomal_options: dict[str, Any] | None = None,
    stats: AlignmentStats | None = None,
    progress: bool = True,
) -> Iterator[AlignedPair]:
    """Align token lists, streaming: one ``AlignedPair`` per input pair, in input order.

    Args:
        max_phrase_len: longest phrase (tokens, each side) extracted; 0 extracts none.
        chunk_size: pairs aligned together; at most 1.5 chunks are held.
        char_level_target: align the target on characters (see the module doc).
        max_tokens: pairs with a longer side are skipped; at most ``EFLOMAL_MAX_TOKENS``.
        extend_unaligned: also extract phrases with unaligned boundary words (Koehn's extraction); by default phrases
            are tight, their first and last token on each side aligned.
        eflomal_options: keyword arguments of ``eflomal.Aligner`` (``model``, ``n_samplers``, ``rel_iterations``...).
        stats: updated as pairs come out; a summary is logged at the end either way.

    Raises ImportError without eflomal and ValueError on bad arguments, on the call; ValueError naming both counts
    when the sides differ in length, on the call for sequences, else once the shorter side ends (before that chunk is
    aligned); TypeError for a str where a token list belongs.
    """
    if not 0 < max_tokens <= EFLOMAL_MAX_TOKENS:
        raise ValueError(f"max_tokens must be in 1..{EFLOMAL_MAX_TOKENS} (eflomal's limit), got {max_tokens}")
    if chunk_size < 1 or max_phrase_len < 0:
        raise ValueError(f"chunk_size must be >= 1 and max_phrase_len >= 0, got {chunk_size} and {max_phrase_len}")
    _import_eflomal()
    total = None
    if isinstance(src_sentences, Sequence) and isinstance(tgt_sentences, Sequence):
        if len(src_sentences) != len(tgt_sentences):
            raise ValueError(_mismatch(len(src_sentences), len(tgt_sentences)))
        total = len(src_sentences)
    settings = (max_phrase_len, char_level_target, max_tokens, extend_unaligned, dict(eflomal_options or {}))
    pairs = zip_longest(src_sentences, tgt_sentences, fillvalue=_END)
    return _align_stream(
        pairs, chunk_size, settings, stats if stats is not None else AlignmentStats(), total, progress
    )


def align_files(
    src_path: str | Path, tgt_path: str | Path, out_path: str | Path, *, tgt_lang: str | None = None, **options: Any
) -> AlignmentStats:
    """Align two files of whitespace-tokenised sentences, one a line, into JSON lines of the aligned pairs.

    Rows: ``index`` (0-based line), ``src_tokens``, ``tgt_tokens``, ``links``, ``phrases`` as ``[src_start, src_end,
    tgt_start, tgt_end]``; with ``tgt_lang`` also ``src_lang`` "en" and ``tgt_lang`` (a ``crop-hf train-lst`` train
    file), and ``char_level_target`` from the language table. Skipped lines are counted and logged, not written.
    """
    src_path, tgt_path = Path(src_path), Path(tgt_path)
    counts = [_count_lines(path) for path in (src_path, tgt_path)]
    if counts[0] != counts[1]:
        raise ValueError(f"{src_path} has {counts[0]} lines but {tgt_path} has {counts[1]}: they must be parallel")
    if tgt_lang is not None:
        from .languages import get_language

        options.setdefault("char_level_target", get_language(tgt_lang).char_level)
    stats = options.pop("stats", None) or AlignmentStats()
    langs = {"src_lang": "en", "tgt_lang": tgt_lang} if tgt_lang else {}
    with src_path.open(encoding="utf-8") as src, tgt_path.open(encoding="utf-8") as tgt:
        with Path(out_path).open("w", encoding="utf-8") as out:
            for p in align_corpus(map(str.split, src), map(str.split, tgt), stats=stats, **options):
                if p.skipped is None:
                    phrases = [[q.src_start, q.src_end, q.tgt_start, q.tgt_end] for q in p.phrases]
                    row = {"index": p.index, "src_tokens": p.src_tokens, "tgt_tokens": p.tgt_tokens, **langs}
                    out.write(json.dumps({**row, "links": p.links, "phrases": phrases}, ensure_ascii=False) + "\n")
    return stats


def eflomal_available() -> bool:
    """Whether the optional aligner (``crop-hf[align]``) can be imported."""
    try:
        _import_eflomal()
    except ImportError:
        return False
    return True


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


def sample_phrase_pairs(pairs: Sequence[PhrasePair], k: int, rng: random.Random) -> list[PhrasePair]:
    """Draw a count uniformly in 0..min(k, len(pairs)), then up to that many pairs overlapping on neither side.

    Pairs are tried in random order and kept when they overlap none kept so far, so fewer come back when the sentence
    has not that many disjoint pairs. Deterministic for a seeded ``rng``.
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    count = rng.randint(0, min(k, len(pairs)))
    chosen: list[PhrasePair] = []
    if count == 0:
        return chosen
    for pair in rng.sample(list(pairs), len(pairs)):
        if all(pair.src_end <= c.src_start or c.src_end <= pair.src_start for c in chosen) and all(
            pair.tgt_end <= c.tgt_start or c.tgt_end <= pair.tgt_start for c in chosen
        ):
            chosen.append(pair)
            if len(chosen) == count:
                break
    return chosen


# --- helpers ---------------------------------------------------------------------------------------------------------

_PLACEHOLDER = "\u2581"
_END = object()  # fills the shorter side of zip_longest
_SPACE = re.compile(r"\s")  # what str.split() splits on


def _import_eflomal():
    from .extras import require

    return require("eflomal", "word alignment", "align")


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def _mismatch(n_src: int, n_tgt: int) -> str:
    return (
        f"src_sentences has {n_src} sentences but tgt_sentences has {n_tgt}: "
        "a parallel corpus needs exactly one target sentence per source sentence"
    )


def _align_stream(pairs, chunk_size, settings, stats, total, progress) -> Iterator[AlignedPair]:
    from tqdm.auto import tqdm

    offset = 0
    with tqdm(total=total, unit="pairs", desc="word alignment", disable=not progress) as bar:
        for chunk in _chunks(pairs, chunk_size):
            yield from _align_chunk(chunk, offset, *settings, stats)
            offset += len(chunk)
            bar.update(len(chunk))
    (logger.warning if stats.skipped else logger.info)("word alignment: %s", stats)


def _chunks(pairs: Iterator[tuple[Any, Any]], size: int) -> Iterator[list[Any]]:
    """Chunks of a ``zip_longest`` of the two sides; raises once a side ends early, naming both counts, or on str."""
    read = 0

    def take(k: int) -> list[tuple[Any, Any]]:
        nonlocal read
        with _gc_paused():
            block = list(islice(pairs, k))
        if block and (isinstance(block[0][0], str) or isinstance(block[0][1], str)):
            raise TypeError(f"pair {read}: sentences must be token lists (e.g. line.split()), not str")
        if block and (block[-1][0] is _END or block[-1][1] is _END):
            short = read + next(n for n, (s, t) in enumerate(block) if s is _END or t is _END)
            long = read + len(block) + sum(1 for _ in pairs)
            raise ValueError(_mismatch(long, short) if block[-1][1] is _END else _mismatch(short, long))
        read += len(block)
        return block

    half = max(1, size // 2)
    chunk = take(size)
    while chunk:
        ahead = take(half)
        if len(ahead) < half:  # a short tail is aligned with this chunk rather than alone
            yield chunk + ahead
            return
        yield chunk
        chunk = ahead + take(size - len(ahead))


def _align_chunk(chunk, offset, max_phrase_len, char_level, max_tokens, extend, options, stats) -> list[AlignedPair]:
    with _gc_paused():
        out = [AlignedPair(list(s), list(t), [], []) for s, t in chunk]
        owners = [_characters(p.tgt_tokens) for p in out] if char_level else None
        units = [o[0] for o in owners] if owners else [p.tgt_tokens for p in out]
        kept = []
        for k, pair in enumerate(out):
            pair.index = offset + k
            if not pair.src_tokens or not units[k]:
                pair.skipped, stats.skipped_empty = "empty", stats.skipped_empty + 1
            elif len(pair.src_tokens) > max_tokens or len(units[k]) > max_tokens:
                pair.skipped, stats.skipped_too_long = "too_long", stats.skipped_too_long + 1
            else:
                kept.append(k)
                continue
            logger.debug("pair %d not aligned: %s", pair.index, pair.skipped)
        stats.pairs += len(out)
        src_lines = _lines([out[k].src_tokens for k in kept], stats)
        tgt_lines = _lines([units[k] for k in kept], stats)
    if not kept:
        return out
    fwd_text, rev_text = _run_eflomal(src_lines, tgt_lines, options)
    with _gc_paused():
        for k, links in zip(kept, _symmetrised(fwd_text, rev_text, len(kept))):
            pair = out[k]
            if owners:
                links = sorted({(i, owners[k][1][j]) for i, j in links})
            pair.links = links
            if max_phrase_len:
                n_src, n_tgt = len(pair.src_tokens), len(pair.tgt_tokens)
                pair.phrases = extract_phrase_pairs(links, n_src, n_tgt, max_phrase_len, extend)
            stats.links += len(links)
            stats.phrases += len(pair.phrases)
        stats.aligned += len(kept)
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The (process-wide) cyclic collector off while a chunk's lists and tuples are built, none forming a cycle: on a
    large chunk its passes over the growing heap cost as much as the work itself. Restored on exit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lines(sentences: list[list[str]], stats: AlignmentStats) -> list[str]:
    """One line per sentence for eflomal, each token one whitespace-free word (checked for the chunk at once)."""
    tokens = list(chain.from_iterable(sentences))
    if all(tokens) and not _SPACE.search("".join(tokens)):
        return [" ".join(s) for s in sentences]
    lines = []
    for sentence in sentences:
        safe = [_PLACEHOLDER.join(t.split()) or _PLACEHOLDER for t in sentence]
        stats.sanitized += sum(a != b for a, b in zip(safe, sentence))
        lines.append(" ".join(safe))
    return lines


def _characters(tokens: list[str]) -> tuple[list[str], list[int]]:
    """The non-space characters of ``tokens`` (a placeholder for a token without any) and the token of each."""
    units: list[str] = []
    owner: list[int] = []
    for j, token in enumerate(tokens):
        chars = [c for c in token if not c.isspace()] or [_PLACEHOLDER]
        units.extend(chars)
        owner.extend([j] * len(chars))
    return units, owner


def _run_eflomal(src_lines: Sequence[str], tgt_lines: Sequence[str], options: dict[str, Any]) -> tuple[str, str]:
    """eflomal's forward and reverse Pharaoh output for parallel lines."""
    eflomal = _import_eflomal()
    with tempfile.TemporaryDirectory(prefix="crop-hf-align-") as tmp:
        fwd, rev = Path(tmp) / "fwd", Path(tmp) / "rev"
        eflomal.Aligner(**options).align(
            src_lines, tgt_lines, links_filename_fwd=str(fwd), links_filename_rev=str(rev)
        )
        return fwd.read_text(encoding="utf-8"), rev.read_text(encoding="utf-8")


def _symmetrised(fwd_text: str, rev_text: str, n: int) -> list[list[Link]]:
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
