"""Phrase pairs for slot wrapping: eflomal word alignment, grow-diag-final-and, consistent phrase extraction, sampling.

The labeled sequence translation model learns from parallel pairs in which some phrase pairs are wrapped in slot
markers. Those phrase pairs come from word alignment::

    for pair in align_corpus(src_token_lists, tgt_token_lists, char_level_target=get_language("zh").char_level):
        pair.index, pair.links, pair.phrases          # phrases: PhrasePair token offsets, end exclusive

Steps: eflomal (Östling and Tiedemann 2016; GPL-3.0, the optional extra ``crop-hf[align]``, imported only when
aligning) in both directions, symmetrised with grow-diag-final-and, then every phrase pair of up to
``max_phrase_len`` words on each side that is consistent with the links (no link leaves the box).

Choices worth knowing:

- eflomal lowercases, and reads whitespace-separated words: a token that is empty or holds whitespace would shift
  every later offset, so such a token is aligned as one placeholder word (counted in ``AlignmentStats.sanitized``).
- Char-level targets (zh, ja, th, my, ...: ``Language.char_level``) are aligned on characters, because words there are
  not separated by spaces and a segmenter's words are too sparse for the statistics; the character links are mapped
  back to the caller's tokens, so links and phrases always index ``tgt_tokens`` as given. Pass characters as tokens to
  get character offsets.
- Each chunk of ``chunk_size`` pairs is aligned on its own (memory stays bounded on any corpus size); a short tail is
  aligned with the chunk before it, since eflomal needs many sentences to learn from.
- Every input pair yields exactly one ``AlignedPair`` carrying its input ``index``: a pair with an empty side or a side
  over ``max_tokens`` is not aligned, comes out with ``skipped`` set and no links, and is counted and logged.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

__all__ = [
    "EFLOMAL_MAX_TOKENS",
    "AlignedPair",
    "AlignmentStats",
    "PhrasePair",
    "align_corpus",
    "align_files",
    "eflomal_align",
    "eflomal_available",
    "extract_phrase_pairs",
    "grow_diag_final_and",
    "parse_pharaoh",
    "sample_phrase_pairs",
]

EFLOMAL_MAX_TOKENS = 1023
"""eflomal reads a longer sentence as empty; ``max_tokens`` may not exceed this."""

Link = tuple[int, int]
_PLACEHOLDER = "\u2581"
_END = object()
_STRIDE = EFLOMAL_MAX_TOKENS + 1  # link (i, j) coded i * _STRIDE + j on the hot path


@dataclass(frozen=True)
class PhrasePair:
    """Source tokens ``[src_start, src_end)`` aligned with target tokens ``[tgt_start, tgt_end)``."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int


@dataclass
class AlignedPair:
    """One input pair: symmetrised links ``(src_i, tgt_j)`` and the consistent phrase pairs.

    ``index`` is the pair's position in the input; ``skipped`` names why it was not aligned ("empty", "too_long").
    """

    src_tokens: list[str]
    tgt_tokens: list[str]
    links: list[Link]
    phrases: list[PhrasePair]
    index: int = -1
    skipped: str | None = None


@dataclass
class AlignmentStats:
    """Counts of one alignment run; ``align_corpus`` updates the one it is given as it goes."""

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
    """Align token lists pair by pair, streaming: one ``AlignedPair`` per input pair, in input order.

    Args:
        max_phrase_len: longest phrase (tokens, on each side) extracted; 0 skips phrase extraction.
        chunk_size: pairs aligned together; a run holds at most 1.5 chunks.
        char_level_target: align the target on characters (see the module doc).
        max_tokens: pairs with a longer side (in aligned units) are skipped; at most ``EFLOMAL_MAX_TOKENS``.
        extend_unaligned: also extract phrases whose boundary words are unaligned (Koehn's extraction); the default
            keeps tight phrases, whose first and last word on each side are aligned.
        eflomal_options: keyword arguments of ``eflomal.Aligner`` (model, n_samplers, rel_iterations, ...).
        stats: filled in while the pairs are produced; a summary is logged at the end either way.

    Raises:
        ValueError: the two sides have different numbers of sentences (raised once the shorter side ends, before
            that chunk is aligned; sized inputs are checked up front), or bad arguments.
        ImportError: eflomal is not installed.
    """
    if not 0 < max_tokens <= EFLOMAL_MAX_TOKENS:
        raise ValueError(f"max_tokens must be in 1..{EFLOMAL_MAX_TOKENS} (eflomal's limit), got {max_tokens}")
    if chunk_size < 1 or max_phrase_len < 0:
        raise ValueError(f"chunk_size must be >= 1 and max_phrase_len >= 0, got {chunk_size} and {max_phrase_len}")
    _import_eflomal()  # fail on the call, not on the first pair
    total = _check_sized(src_sentences, tgt_sentences)
    settings = (max_phrase_len, char_level_target, max_tokens, extend_unaligned, dict(eflomal_options or {}))
    stats = stats if stats is not None else AlignmentStats()
    return _align_stream(src_sentences, tgt_sentences, chunk_size, settings, stats, total, progress)


def align_files(
    src_path: str | Path,
    tgt_path: str | Path,
    out_path: str | Path,
    *,
    tgt_lang: str | None = None,
    src_lang: str = "en",
    char_level_target: bool | None = None,
    **options: Any,
) -> AlignmentStats:
    """Align two files of whitespace-tokenised sentences (one a line) and write one row per aligned pair.

    ``out_path`` ending in ``.parquet`` gets Parquet, anything else JSON lines. Rows hold ``index`` (0-based line
    number), ``src_tokens``, ``tgt_tokens``, ``links`` and ``phrases`` ([src_start, src_end, tgt_start, tgt_end]);
    with ``tgt_lang`` also ``src_lang``/``tgt_lang``, which makes the file a ``crop-hf train-lst`` train file, and the
    language table decides ``char_level_target`` unless it is given. Skipped lines are counted, not written.
    """
    src_path, tgt_path, out_path = Path(src_path), Path(tgt_path), Path(out_path)
    n_src, n_tgt = _count_lines(src_path), _count_lines(tgt_path)
    if n_src != n_tgt:
        raise ValueError(
            f"{src_path} has {n_src} lines but {tgt_path} has {n_tgt}: a parallel corpus needs one line each"
        )
    if char_level_target is None:
        char_level_target = False
        if tgt_lang is not None:
            from .languages import get_language

            char_level_target = get_language(tgt_lang).char_level
    stats = AlignmentStats()
    with src_path.open(encoding="utf-8") as src, tgt_path.open(encoding="utf-8") as tgt:
        pairs = align_corpus(
            (line.split() for line in src),
            (line.split() for line in tgt),
            char_level_target=char_level_target,
            stats=stats,
            **options,
        )
        rows = (_row(p, src_lang, tgt_lang) for p in pairs if p.skipped is None)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if out_path.suffix == ".parquet":
            _write_parquet(rows, out_path, with_langs=tgt_lang is not None)
        else:
            with out_path.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return stats


def eflomal_align(
    src_lines: Sequence[str], tgt_lines: Sequence[str], **options: Any
) -> tuple[list[list[Link]], list[list[Link]]]:
    """Run eflomal on whitespace-tokenised lines; return the forward and the reverse links, ``(src_i, tgt_j)``."""
    fwd, rev = _run_eflomal(src_lines, tgt_lines, options)
    return [parse_pharaoh(line) for line in fwd], [parse_pharaoh(line) for line in rev]


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
    """Symmetrise two directional alignments (Koehn et al. 2003, as in Moses): sorted ``(src_i, tgt_j)`` links.

    Start from the intersection; repeatedly add union points next to (also diagonally) an alignment point when their
    source or target word is still unaligned, visiting points in (src, tgt) order; finally add forward, then reverse
    points whose source and target words are both unaligned.
    """
    fwd, rev = set(forward), set(reverse)
    stride = max((j for _, j in fwd | rev), default=0) + 2
    links = _gdfa({i * stride + j for i, j in fwd}, {i * stride + j for i, j in rev}, stride)
    return [divmod(code, stride) for code in sorted(links)]


def extract_phrase_pairs(
    links: Iterable[Link], src_len: int, tgt_len: int, max_len: int = 4, extend_unaligned: bool = False
) -> list[PhrasePair]:
    """Phrase pairs consistent with ``links``: every link from inside the box stays inside, at least one link inside.

    Both sides have at most ``max_len`` tokens. Tight by default (the first and last token on each side is aligned);
    ``extend_unaligned`` adds the pairs whose boundaries are unaligned words, as in Koehn's phrase extraction.
    Sorted by source, then target offsets.
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
        t1, t2 = tgt_len, -1
        for s2 in range(s1, min(src_len, s1 + max_len)):
            if src_hi[s2] >= 0:
                t1, t2 = min(t1, src_lo[s2]), max(t2, src_hi[s2])
            elif not extend_unaligned or t2 < 0:
                continue
            if t2 - t1 >= max_len:
                break  # the target side only grows from here
            if any(tgt_hi[j] >= 0 and (tgt_lo[j] < s1 or tgt_hi[j] > s2) for j in range(t1, t2 + 1)):
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
    pairs.sort(key=lambda p: (p.src_start, p.src_end, p.tgt_start, p.tgt_end))
    return pairs


def sample_phrase_pairs(pairs: Sequence[PhrasePair], k: int, rng: random.Random) -> list[PhrasePair]:
    """Draw a count uniformly in 0..min(k, len(pairs)), then that many pairs overlapping on neither side.

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


def _import_eflomal():
    try:
        import eflomal
    except ImportError as err:
        raise ImportError("eflomal is not installed: pip install crop-hf[align]") from err
    return eflomal


def _check_sized(src: Iterable[Any], tgt: Iterable[Any]) -> int | None:
    try:
        n_src, n_tgt = len(src), len(tgt)  # type: ignore[arg-type]
    except TypeError:
        return None
    if n_src != n_tgt:
        raise ValueError(_mismatch(n_src, n_tgt))
    return n_src


def _mismatch(n_src: int, n_tgt: int) -> str:
    return (
        f"src_sentences has {n_src} sentences but tgt_sentences has {n_tgt}: "
        "a parallel corpus needs exactly one target sentence per source sentence"
    )


def _read_pairs(src: Iterable[Sequence[str]], tgt: Iterable[Sequence[str]]) -> Iterator[tuple[int, list, list]]:
    src_it, tgt_it = iter(src), iter(tgt)
    index = 0
    for s in src_it:
        t = next(tgt_it, _END)
        if t is _END:
            raise ValueError(_mismatch(index + 1 + sum(1 for _ in src_it), index))
        if isinstance(s, str) or isinstance(t, str):
            raise TypeError(f"pair {index}: sentences must be token lists (e.g. line.split()), got a str")
        yield index, list(s), list(t)
        index += 1
    rest = sum(1 for _ in tgt_it)
    if rest:
        raise ValueError(_mismatch(index, index + rest))


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    half = max(1, size // 2)
    chunk = list(islice(it, size))
    while chunk:
        ahead = list(islice(it, half))
        if len(ahead) < half:  # a short tail is aligned with this chunk rather than alone
            yield chunk + ahead
            return
        yield chunk
        chunk = ahead + list(islice(it, size - len(ahead)))


def _align_stream(src, tgt, chunk_size, settings, stats, total, progress) -> Iterator[AlignedPair]:
    bar = _progress_bar(total, progress)
    try:
        for chunk in _chunks(_read_pairs(src, tgt), chunk_size):
            yield from _align_chunk(chunk, *settings, stats)
            bar.update(len(chunk))
    finally:
        bar.close()
    log = logger.warning if stats.skipped else logger.info
    log(
        "aligned %d of %d pairs (%d links, %d phrase pairs); skipped %d with an empty side, %d with a side over "
        "max_tokens; %d tokens holding whitespace aligned as placeholders",
        stats.aligned,
        stats.pairs,
        stats.links,
        stats.phrases,
        stats.skipped_empty,
        stats.skipped_too_long,
        stats.sanitized,
    )


def _align_chunk(chunk, max_phrase_len, char_level, max_tokens, extend, options, stats) -> list[AlignedPair]:
    out: list[AlignedPair] = []
    kept: list[tuple[AlignedPair, list[int] | None]] = []
    src_lines: list[str] = []
    tgt_lines: list[str] = []
    for index, src, tgt in chunk:
        stats.pairs += 1
        pair = AlignedPair(src, tgt, [], [], index)
        out.append(pair)
        units, owner = _characters(tgt) if char_level else (tgt, None)
        if not src or not units:
            pair.skipped, stats.skipped_empty = "empty", stats.skipped_empty + 1
        elif len(src) > max_tokens or len(units) > max_tokens:
            pair.skipped, stats.skipped_too_long = "too_long", stats.skipped_too_long + 1
        else:
            kept.append((pair, owner))
            src_lines.append(_line(src, stats))
            tgt_lines.append(_line(units, stats))
            continue
        logger.debug("pair %d not aligned: %s", index, pair.skipped)
    if not kept:
        return out
    forward, reverse = _run_eflomal(src_lines, tgt_lines, options)
    for (pair, owner), fwd, rev in zip(kept, forward, reverse):
        codes = _codes(fwd)
        if rev != fwd:
            codes = _gdfa(codes, _codes(rev), _STRIDE)
        links = [divmod(code, _STRIDE) for code in sorted(codes)]
        if owner is not None:
            links = sorted({(i, owner[j]) for i, j in links})
        pair.links = links
        if max_phrase_len:
            pair.phrases = extract_phrase_pairs(
                links, len(pair.src_tokens), len(pair.tgt_tokens), max_phrase_len, extend
            )
        stats.aligned += 1
        stats.links += len(links)
        stats.phrases += len(pair.phrases)
    return out


def _line(tokens: list[str], stats: AlignmentStats) -> str:
    line = " ".join(tokens)
    if line.split() == tokens:
        return line
    safe = [_PLACEHOLDER.join(t.split()) or _PLACEHOLDER for t in tokens]
    stats.sanitized += sum(a != b for a, b in zip(safe, tokens))
    return " ".join(safe)


def _characters(tokens: list[str]) -> tuple[list[str], list[int]]:
    units: list[str] = []
    owner: list[int] = []
    for j, token in enumerate(tokens):
        chars = [c for c in token if not c.isspace()] or [_PLACEHOLDER]
        units.extend(chars)
        owner.extend([j] * len(chars))
    return units, owner


def _run_eflomal(src_lines: Sequence[str], tgt_lines: Sequence[str], options: dict[str, Any]) -> tuple[list, list]:
    eflomal = _import_eflomal()
    if len(src_lines) != len(tgt_lines):
        raise ValueError(f"src_lines has {len(src_lines)} lines but tgt_lines has {len(tgt_lines)}")
    with tempfile.TemporaryDirectory(prefix="crop-hf-align-") as tmp:
        fwd_path, rev_path = Path(tmp) / "fwd", Path(tmp) / "rev"
        eflomal.Aligner(**options).align(
            src_lines, tgt_lines, links_filename_fwd=str(fwd_path), links_filename_rev=str(rev_path)
        )
        fwd, rev = fwd_path.read_text().splitlines(), rev_path.read_text().splitlines()
    if len(fwd) != len(src_lines) or len(rev) != len(src_lines):
        raise RuntimeError(f"eflomal wrote {len(fwd)}/{len(rev)} link lines for {len(src_lines)} sentence pairs")
    return fwd, rev


def _codes(line: str) -> set[int]:
    numbers = list(map(int, line.replace("-", " ").split()))
    return {i * _STRIDE + j for i, j in zip(numbers[::2], numbers[1::2])}


def _gdfa(fwd: set[int], rev: set[int], stride: int) -> set[int]:
    """grow-diag-final-and on links coded ``i * stride + j``; ``stride`` exceeds every ``j + 1``, so that a step off
    the sentence never lands on a link. Only alignment points next to a candidate can grow, so only those are visited.
    """
    alignment = fwd & rev
    candidates = (fwd | rev) - alignment
    if not candidates:
        return alignment
    src_aligned = {c // stride for c in alignment}
    tgt_aligned = {c % stride for c in alignment}
    steps = (-stride, -1, stride, 1, -stride - 1, -stride + 1, stride - 1, stride + 1)  # Moses' neighbour order
    added = True
    while added and candidates:
        added = False
        near = {c - d for c in candidates for d in steps}
        queue = sorted(alignment & near, reverse=True)  # a stack popped in (src, tgt) order
        while queue:
            point = queue.pop()
            for step in steps:
                new = point + step
                if new in candidates and (new // stride not in src_aligned or new % stride not in tgt_aligned):
                    candidates.discard(new)
                    alignment.add(new)
                    src_aligned.add(new // stride)
                    tgt_aligned.add(new % stride)
                    added = True
                    if new > point:  # still ahead in this pass: visit it now, as Moses' nested loops would
                        _insert_sorted_desc(queue, new)
    for code in sorted(fwd & candidates) + sorted(rev & candidates):
        if code // stride not in src_aligned and code % stride not in tgt_aligned:
            alignment.add(code)
            src_aligned.add(code // stride)
            tgt_aligned.add(code % stride)
    return alignment


def _insert_sorted_desc(queue: list[int], point: int) -> None:
    at = len(queue)
    while at > 0 and queue[at - 1] < point:
        at -= 1
    queue.insert(at, point)


def _progress_bar(total: int | None, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="pairs", desc="word alignment", disable=not enabled)


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def _row(pair: AlignedPair, src_lang: str, tgt_lang: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"index": pair.index, "src_tokens": pair.src_tokens, "tgt_tokens": pair.tgt_tokens}
    if tgt_lang is not None:
        row.update(src_lang=src_lang, tgt_lang=tgt_lang)
    row["links"] = [list(link) for link in pair.links]
    row["phrases"] = [list(asdict(p).values()) for p in pair.phrases]
    return row


def _write_parquet(rows: Iterator[dict[str, Any]], path: Path, with_langs: bool, batch: int = 10_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    words, offsets = pa.list_(pa.string()), pa.list_(pa.list_(pa.int32()))
    columns = [("index", pa.int64()), ("src_tokens", words), ("tgt_tokens", words)]
    if with_langs:
        columns += [("src_lang", pa.string()), ("tgt_lang", pa.string())]
    schema = pa.schema(columns + [("links", offsets), ("phrases", offsets)])
    with pq.ParquetWriter(path, schema) as writer:
        while block := list(islice(rows, batch)):
            writer.write_table(pa.Table.from_pylist(block, schema=schema))
