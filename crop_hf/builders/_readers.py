"""Streaming readers for the formats as distributed: CoNLL columns, CoNLL-U with NorNE names, PAN-X, CCAligned TSV.

Every reader takes ``(line number, text)`` pairs from :func:`iter_lines` and never holds more than one sentence; the
CCAligned parsers take one row. All raise :class:`FormatError` (``"esp.train line 8812: expected 2+ columns, got 1"``)
on a malformed line.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..tagging import LabelScheme, iob1_to_bio

Lines = Iterable[tuple[int, str]]


class FormatError(ValueError):
    """A line of a source file does not have the expected format; the message names the file and the line."""

    def __init__(self, name: str, line: int, problem: str) -> None:
        self.name, self.line, self.problem = name, line, problem
        super().__init__(f"{name} line {line}: {problem}")


@dataclass
class TaggedSentence:
    tokens: list[str]
    tags: list[str]  # BIO
    line: int  # line number of the first token


@dataclass
class SentencePair:
    en: str
    text: str
    laser_score: float
    line: int


@dataclass
class DocumentPair:
    domain: str
    en_url: str
    en_text: str
    url: str
    text: str
    line: int


@contextmanager
def open_binary(path: str | Path) -> Iterator[BinaryIO]:
    """A binary stream over ``path``, decompressing ``.xz``, ``.gz`` and ``.bz2`` on the fly (never the whole file)."""
    path = Path(path)
    openers = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
    with openers.get(path.suffix, open)(path, "rb") as stream:
        yield stream


def iter_lines(stream: BinaryIO, name: str, encoding: str = "auto") -> Iterator[tuple[int, str]]:
    """``(line number, text without its line ending)`` for each line of a binary stream, decoded one line at a time.

    ``encoding="auto"`` reads each line as UTF-8 and falls back to Latin-1 where the bytes are not valid UTF-8, which
    covers the original Latin-1 CoNLL files and their UTF-8 re-encodings alike.
    """
    for number, raw in enumerate(stream, start=1):
        yield number, decode_line(raw, name, number, encoding)


def decode_line(raw: bytes, name: str, number: int, encoding: str = "auto") -> str:
    """One line's text without its line ending; ``"auto"``: UTF-8, or Latin-1 where the bytes are not valid UTF-8."""
    raw = raw.rstrip(b"\r\n")
    try:
        return raw.decode("utf-8" if encoding == "auto" else encoding)
    except UnicodeDecodeError as err:
        if encoding == "auto":
            return raw.decode("latin-1")
        raise FormatError(name, number, f"not valid {encoding} ({err.reason})") from None


def read_conll_columns(lines: Lines, name: str, scheme: LabelScheme, min_columns: int = 2) -> Iterator[TaggedSentence]:
    """CoNLL-2002/2003 files: token first, tag last, blank lines between sentences, ``-DOCSTART-`` lines skipped.

    Tags are read as IOB1 and returned as BIO: CoNLL-2003's IOB1 is converted, and BIO files come back unchanged
    (a stray ``I-X`` after ``O`` becomes ``B-X``, which is how seqeval reads it).
    """
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    for number, line in lines:
        columns = line.split()
        if not columns or columns[0] == "-DOCSTART-":
            if tokens:
                yield TaggedSentence(tokens, iob1_to_bio(tags), start)
                tokens, tags = [], []
            continue
        if len(columns) < min_columns:
            raise FormatError(name, number, f"expected {min_columns}+ columns, got {len(columns)}")
        _check_tag(columns[-1], scheme, name, number)
        if not tokens:
            start = number
        tokens.append(columns[0])
        tags.append(columns[-1])
    if tokens:
        yield TaggedSentence(tokens, iob1_to_bio(tags), start)


def read_conllu_names(
    lines: Lines, name: str, scheme: LabelScheme, label_map: Mapping[str, str]
) -> Iterator[TaggedSentence]:
    """CoNLL-U with the entity tag in the MISC column as ``name=B-GPE_LOC`` (NorNE), types mapped by ``label_map``.

    Comment lines, multiword-token ranges (``3-4``) and empty nodes (``5.1``) are skipped; a type mapped to ``"O"``
    is dropped.
    """
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    for number, line in lines:
        if line.startswith("#"):
            continue
        if not line.strip():
            if tokens:
                yield TaggedSentence(tokens, iob1_to_bio(tags), start)
                tokens, tags = [], []
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise FormatError(name, number, f"expected 10 tab-separated CoNLL-U columns, got {len(columns)}")
        if "-" in columns[0] or "." in columns[0]:
            continue
        tag = _norne_tag(columns[9], label_map, name, number)
        _check_tag(tag, scheme, name, number)
        if not tokens:
            start = number
        tokens.append(columns[1])
        tags.append(tag)
    if tokens:
        yield TaggedSentence(tokens, iob1_to_bio(tags), start)


def read_panx(lines: Lines, name: str, scheme: LabelScheme, lang: str) -> Iterator[TaggedSentence]:
    """PAN-X / WikiANN as XTREME distributes it: ``es:token<TAB>tag`` lines (the ``es:`` prefix optional)."""
    prefix = f"{lang}:"
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    for number, line in lines:
        if not line.strip():
            if tokens:
                yield TaggedSentence(tokens, iob1_to_bio(tags), start)
                tokens, tags = [], []
            continue
        columns = line.split("\t")
        if len(columns) != 2:
            hint = " (XTREME's preprocessed test files have no tags: use the raw PAN-X files)" * (len(columns) == 1)
            raise FormatError(name, number, f"expected '{prefix}token<TAB>tag', got {len(columns)} column(s){hint}")
        token, tag = columns[0], columns[1].strip()
        _check_tag(tag, scheme, name, number)
        if not tokens:
            start = number
        tokens.append(token[len(prefix) :] if token.startswith(prefix) else token)
        tags.append(tag)
    if tokens:
        yield TaggedSentence(tokens, iob1_to_bio(tags), start)


def parse_ccaligned_sentence(line: str, name: str, number: int, english_first: bool = True) -> SentencePair:
    columns = line.split("\t")
    if len(columns) != 3:
        order = "English, target" if english_first else "target, English"
        raise FormatError(name, number, f"expected 3 tab-separated columns ({order}, LASER score), got {len(columns)}")
    try:
        score = float(columns[2])
    except ValueError:
        raise FormatError(name, number, f"LASER score {columns[2][:20]!r} is not a number") from None
    en, text = (columns[0], columns[1]) if english_first else (columns[1], columns[0])
    return SentencePair(en.strip(), text.strip(), score, number)


def parse_ccaligned_document(line: str, name: str, number: int) -> DocumentPair:
    columns = line.split("\t")
    if len(columns) != 5:
        hint = " (a sentence-aligned file? use the sentences-xx config)" * (len(columns) == 3)
        raise FormatError(
            name,
            number,
            "expected 5 tab-separated columns (domain, English URL, English text, target URL, target text), "
            f"got {len(columns)}{hint}",
        )
    domain, en_url, en_text, url, text = (c.strip() for c in columns)
    return DocumentPair(domain, en_url, en_text, url, text, number)


def _check_tag(tag: str, scheme: LabelScheme, name: str, number: int) -> None:
    prefix, _, kind = tag.partition("-")
    if tag != "O" and (prefix not in ("B", "I") or kind not in scheme.entity_types):
        raise FormatError(
            name, number, f"unknown tag {tag!r}; expected O or B-/I- with {', '.join(scheme.entity_types)}"
        )


def _norne_tag(misc: str, label_map: Mapping[str, str], name: str, number: int) -> str:
    for item in misc.replace("|", " ").split():
        if item.startswith("name="):
            tag = item[len("name=") :]
            if tag == "O":
                return tag
            prefix, _, kind = tag.partition("-")
            if kind not in label_map:
                raise FormatError(
                    name, number, f"unknown NorNE type {kind!r}; the label map knows {sorted(label_map)}"
                )
            return "O" if label_map[kind] == "O" else f"{prefix}-{label_map[kind]}"
    raise FormatError(name, number, f"no name=<tag> entry in the MISC column {misc!r}")
