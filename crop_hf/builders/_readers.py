"""Streaming readers for the formats as distributed: CoNLL columns, CoNLL-U with NorNE names, PAN-X, CCAligned TSV.

Every reader takes ``(line number, text)`` pairs from :func:`iter_lines` and never holds more than one sentence; the
CCAligned parsers take one row. All raise :class:`FormatError` (``"esp.train line 8812: expected 2 columns, got 1"``)
on a malformed line, and on a file that holds no sentence at all.

Text is kept whole: lines end at ``\\n`` only (a ``\\r\\n`` ending loses its ``\\r``, a lone ``\\r`` inside a line
stays in it), a UTF-8 byte-order mark is dropped, and columns are separated by ASCII spaces and tabs only, so a
non-breaking space stays inside its token. The encoding is decided once per file (:func:`detect_encoding`): UTF-8,
or else Windows-1252, the superset of Latin-1 the CoNLL-2002 files were written in (bytes 0x80-0x9F are its curly
quotes, dashes and ellipsis, not Latin-1's C1 control characters; its five undefined bytes stay the control
characters they are in Latin-1, so that the known damage below still shows).

Known damage of the distributed files is read and counted in :class:`Damage` instead of stopping the build: lines
of CoNLL-2002 Dutch where a damaged character (a C1 control character such as ``\\x81``, or U+FFFD) swallowed the
POS column (``Itali\\x81EN B-LOC``: token and tag are kept, the POS is unknown), and ``-DOCSTART-`` lines that sit
inside a sentence instead of alone (they end the sentence before them, as a document boundary does).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import tarfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..base.errors import CropHfError
from ..core.tagging import LabelScheme, iob1_to_bio

Lines = Iterable[tuple[int, str]]

BOM = b"\xef\xbb\xbf"
DOCSTART = "-DOCSTART-"
_COLUMN_SEPARATOR = re.compile(r"[ \t]+")
_DAMAGED_CHARACTER = re.compile("[\u0080-\u009f\ufffd]")
WINDOWS_1252 = "windows-1252"
# Latin-1 text -> Windows-1252 text: the C1 control characters that are printable characters in Windows-1252
_C1_AS_WINDOWS_1252 = {}
for _byte in range(0x80, 0xA0):
    try:
        _C1_AS_WINDOWS_1252[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined, kept as Latin-1 reads them
        pass


class FormatError(CropHfError, ValueError):
    """A source file does not have the expected format; the message names the file (and the line, when one is)."""

    def __init__(self, name: str, line: int | None, problem: str) -> None:
        self.name, self.line, self.problem = name, line, problem
        super().__init__(f"{name} line {line}: {problem}" if line is not None else f"{name}: {problem}")


@dataclass
class TaggedSentence:
    tokens: list[str]
    tags: list[str]  # BIO
    line: int  # line number of the first token


@dataclass
class Damage:
    """Known damage of a distributed file that was read anyway (line numbers, in file order)."""

    pos_swallowed: list[int] = field(default_factory=list)
    docstart_inside: list[int] = field(default_factory=list)
    untagged: list[int] = field(default_factory=list)  # token lines without a tag, skipped (``skip_untagged``)

    def __bool__(self) -> bool:
        return bool(self.pos_swallowed or self.docstart_inside or self.untagged)

    def describe(self, name: str) -> str:
        parts = []
        if self.pos_swallowed:
            parts.append(
                f"{len(self.pos_swallowed)} line(s) whose POS column a damaged character swallowed, read as token + "
                f"tag (lines {_some(self.pos_swallowed)})"
            )
        if self.docstart_inside:
            parts.append(
                f"{len(self.docstart_inside)} -DOCSTART- line(s) inside a sentence, read as a document boundary "
                f"(lines {_some(self.docstart_inside)})"
            )
        if self.untagged:
            parts.append(f"{len(self.untagged)} token line(s) without a tag, skipped (lines {_some(self.untagged)})")
        return f"{name}: known damage of the distributed file: " + "; ".join(parts)


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


def iter_raw_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` per line, split at ``\\n`` only, without the ``\\n`` / ``\\r\\n`` ending or a BOM.

    A truncated or corrupt compressed file (an ``.xz`` cut short by a download) is a :class:`FormatError` naming it.
    """
    number = 0
    try:
        for number, raw in enumerate(stream, start=1):
            if raw.endswith(b"\n"):
                raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            yield number, raw
    except (EOFError, lzma.LZMAError, zlib.error, gzip.BadGzipFile, tarfile.TarError) as err:
        raise FormatError(
            name, None, f"truncated or corrupt compressed file after line {number} ({err}); download it again"
        ) from None


def iter_lines(stream: BinaryIO, name: str, encoding: str = "auto") -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of a binary stream (see :func:`iter_raw_lines`), decoded one at a time.

    ``encoding="auto"`` decides once per file (:func:`detect_encoding`): UTF-8, or Windows-1252 for the original
    CoNLL files; a line that does not decode is a :class:`FormatError` naming file and line.
    """
    if encoding == "auto":
        if not stream.seekable():
            stream = io.BytesIO(stream.read())
        encoding = detect_encoding(stream, name)
        stream.seek(0)
    for number, raw in iter_raw_lines(stream, name):
        yield number, decode_line(raw, name, number, encoding)


def detect_encoding(stream: BinaryIO, name: str) -> str:
    """``"utf-8"`` when the file starts with a BOM or every line is valid UTF-8, ``"windows-1252"`` when no
    non-ASCII line is; a mix is an error.

    A file with UTF-8 lines and a line that is not valid UTF-8 has a bad byte (or was pasted together from two
    encodings): the error names the first bad line.
    """
    if stream.read(len(BOM)) == BOM:
        return "utf-8"  # a byte-order mark says so; a bad byte is then an error at its line
    stream.seek(0)
    first_bad = first_utf8 = None
    for number, raw in iter_raw_lines(stream, name):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            first_utf8 = first_utf8 or number
        except UnicodeDecodeError:
            first_bad = first_bad or number
        if first_bad and first_utf8:
            raise FormatError(
                name, first_bad, f"not valid UTF-8 while line {first_utf8} is: fix the byte or re-encode the file"
            )
    return WINDOWS_1252 if first_bad else "utf-8"


def decode_line(raw: bytes, name: str, number: int, encoding: str = "utf-8") -> str:
    """One line's bytes as text; a byte the encoding does not allow is a :class:`FormatError` naming file and line.

    ``"windows-1252"`` (or ``"cp1252"``) reads every byte: its five undefined ones as Latin-1 does.
    """
    if encoding.lower().replace("_", "-") in (WINDOWS_1252, "cp1252"):
        return raw.decode("latin-1").translate(_C1_AS_WINDOWS_1252)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise FormatError(name, number, f"not valid {encoding} at byte {err.start} ({err.reason})") from None


def read_conll_columns(
    lines: Lines,
    name: str,
    scheme: LabelScheme,
    columns: int = 2,
    damage: Damage | None = None,
    skip_untagged: bool = False,
) -> Iterator[TaggedSentence]:
    """CoNLL-2002/2003 files: ``columns`` fields per token line (token first, tag last), blank lines between sentences.

    ``skip_untagged``: a two-column file's token line that holds only a word (its tag empty) is skipped and counted in
    ``damage.untagged`` instead of being an error.

    ``-DOCSTART-`` lines end the sentence before them and are skipped. Tags are read as IOB1 and returned as BIO:
    CoNLL-2003's IOB1 is converted, and BIO files come back unchanged (a stray ``I-X`` after ``O`` becomes ``B-X``,
    which is how seqeval reads it). Known damage (see the module docstring) is read and recorded in ``damage``.
    """
    damage = damage if damage is not None else Damage()
    sentences, docstart_before = _Sentences(), None
    for number, line in lines:
        fields = _COLUMN_SEPARATOR.split(line.strip(" \t")) if line.strip(" \t") else []
        if fields and fields[0] == DOCSTART:
            if sentences.tokens:
                damage.docstart_inside.append(number)
            docstart_before = None if sentences.tokens else number
        if not fields or fields[0] == DOCSTART:
            if sentence := sentences.end():
                yield sentence
            if not fields:
                docstart_before = None
            continue
        if docstart_before is not None:
            damage.docstart_inside.append(docstart_before)
            docstart_before = None
        if len(fields) == columns - 1 and columns >= 3 and _DAMAGED_CHARACTER.search(fields[0]):
            damage.pos_swallowed.append(number)
        elif len(fields) == 1 and columns == 2 and skip_untagged:
            damage.untagged.append(number)
            continue
        elif len(fields) != columns:
            raise FormatError(
                name, number, f"expected {columns} columns, got {len(fields)}{_columns_hint(fields, columns)}"
            )
        _check_token(fields[0], name, number, "in the first column")
        _check_tag(fields[-1], scheme, name, number)
        sentences.add(number, fields[0], fields[-1])
    if sentence := sentences.end():
        yield sentence
    if not sentences.count:
        raise _no_sentences(name, ", or holds only -DOCSTART- lines")


def read_conllu_names(
    lines: Lines, name: str, scheme: LabelScheme, label_map: Mapping[str, str]
) -> Iterator[TaggedSentence]:
    """CoNLL-U with the entity tag in the MISC column as ``name=B-GPE_LOC`` (NorNE), types mapped by ``label_map``.

    Comment lines, multiword-token ranges (``3-4``) and empty nodes (``5.1``) are skipped; a type mapped to ``"O"``
    is dropped.
    """
    sentences = _Sentences()
    for number, line in lines:
        if line.startswith("#"):
            continue
        if not line.strip():
            if sentence := sentences.end():
                yield sentence
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise FormatError(name, number, f"expected 10 tab-separated CoNLL-U columns, got {len(columns)}")
        if "-" in columns[0] or "." in columns[0]:
            continue
        _check_token(columns[1], name, number, "in the FORM column (2nd)")
        tag = _norne_tag(columns[9], label_map, name, number)
        _check_tag(tag, scheme, name, number)
        sentences.add(number, columns[1], tag)
    if sentence := sentences.end():
        yield sentence
    if not sentences.count:
        raise _no_sentences(name, ", or holds only comments")


def read_panx(lines: Lines, name: str, scheme: LabelScheme, lang: str) -> Iterator[TaggedSentence]:
    """PAN-X / WikiANN as XTREME distributes it: ``es:token<TAB>tag`` lines (the ``es:`` prefix optional)."""
    prefix = f"{lang}:"
    sentences = _Sentences()
    for number, line in lines:
        if not line.strip():
            if sentence := sentences.end():
                yield sentence
            continue
        columns = line.split("\t")
        if len(columns) != 2:
            hint = " (XTREME's preprocessed test files have no tags: use the raw PAN-X files)" * (len(columns) == 1)
            raise FormatError(name, number, f"expected '{prefix}token<TAB>tag', got {len(columns)} column(s){hint}")
        token, tag = columns[0], columns[1].strip()
        token = token[len(prefix) :] if token.startswith(prefix) else token
        _check_token(token, name, number, f"after '{prefix}'")
        _check_tag(tag, scheme, name, number)
        sentences.add(number, token, tag)
    if sentence := sentences.end():
        yield sentence
    if not sentences.count:
        raise _no_sentences(name)


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


def _check_token(token: str, name: str, number: int, where: str) -> None:
    if not token.strip():
        raise FormatError(name, number, f"empty token {where}; every token line needs a word")


def _columns_hint(fields: list[str], columns: int) -> str:
    if len(fields) > columns:
        return " (extra columns: a token cannot hold an ASCII space or tab)"
    return ""


class _Sentences:
    """Token lines gathered into sentences: ``add`` each token, ``end`` at a boundary (the sentence, or None)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.tags: list[str] = []
        self.start = 0
        self.count = 0

    def add(self, number: int, token: str, tag: str) -> None:
        if not self.tokens:
            self.start = number
        self.tokens.append(token)
        self.tags.append(tag)

    def end(self) -> TaggedSentence | None:
        """The open sentence (tags read as IOB1, returned as BIO), or None when none is open."""
        if not self.tokens:
            return None
        self.count += 1
        sentence = TaggedSentence(self.tokens, iob1_to_bio(self.tags), self.start)
        self.tokens, self.tags = [], []
        return sentence


def _no_sentences(name: str, also: str = "") -> FormatError:
    return FormatError(name, None, f"no sentences: the file is empty or blank{also}; check that it is the right file")


def _some(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f", ... ({len(numbers) - limit} more)" if len(numbers) > limit else "")
