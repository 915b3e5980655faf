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
  character offsets, words to keep every phrase whole words: a slot around half a word is a marker the LST model
  must learn to put inside one); ``max_tokens`` counts characters there.
- Chunks of ``chunk_size`` pairs are aligned independently, so memory stays bounded; a tail under half a chunk is
  aligned with the chunk before it, since eflomal learns only from the sentences it is given.
- Every input pair yields one ``AlignedPair`` with its input ``index``. A pair with an empty side or a side over
  ``max_tokens`` is not aligned: it comes out with ``skipped`` set and no links, counted and logged.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice, zip_longest
from pathlib import Path
from typing import Any

from ..base.errors import InputError
from .phrases import (  # noqa: F401  (PhrasePair and the phrase functions: part of this module's interface)
    Link,
    PhrasePair,
    extract_phrase_pairs,
    grow_diag_final_and,
    parse_pharaoh,
    sample_phrase_pairs,
    symmetrised,
)

logger = logging.getLogger(__name__)

EFLOMAL_MAX_TOKENS = 1023
"""eflomal reads a longer sentence as empty; ``max_tokens`` may not exceed this."""


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
        raise InputError(f"max_tokens must be in 1..{EFLOMAL_MAX_TOKENS} (eflomal's limit), got {max_tokens}")
    if chunk_size < 1 or max_phrase_len < 0:
        raise InputError(f"chunk_size must be >= 1 and max_phrase_len >= 0, got {chunk_size} and {max_phrase_len}")
    _import_eflomal()
    total = None
    if isinstance(src_sentences, Sequence) and isinstance(tgt_sentences, Sequence):
        if len(src_sentences) != len(tgt_sentences):
            raise InputError(_mismatch(len(src_sentences), len(tgt_sentences)))
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
        raise InputError(f"{src_path} has {counts[0]} lines but {tgt_path} has {counts[1]}: they must be parallel")
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


# --- helpers ---------------------------------------------------------------------------------------------------------

_PLACEHOLDER = "\u2581"
_END = object()  # fills the shorter side of zip_longest
_SPACE = re.compile(r"\s")  # what str.split() splits on


def _import_eflomal():
    from ..base.extras import require

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
            raise InputError(_mismatch(long, short) if block[-1][1] is _END else _mismatch(short, long))
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
        for k, links in zip(kept, symmetrised(fwd_text, rev_text, len(kept))):
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
