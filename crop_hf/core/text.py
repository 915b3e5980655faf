"""Raw-text tokenisation with character offsets, and the case/diacritic folding used by fuzzy matching.

Raw target sentences are matched against the entity phrases of a back-translation *token by token*, so both
sides must be cut the same way. :func:`tokenize` does it:

* word-level languages (Latin, Cyrillic, Arabic, Devanagari, ... scripts): split on whitespace, then split
  punctuation and symbols off as their own tokens. Hyphens, apostrophes and periods *inside* a word stay in it
  (``Baden-Württemberg``, ``l'Espagne``, ``U.S``), and so do ``.``/``,`` between digits (``3,5``); combining
  marks (Devanagari vowel signs, Thai tone marks) always stay with their letter.
* char-level languages (``Language.char_level``: zh, ja, th, my, ...): one token per non-space character, a
  character followed by combining marks counting as one; runs of Latin letters and digits (``iPhone``,
  ``2022``) stay one token.

Offsets always index into the string that was given: ``text[t.char_start:t.char_end] == t.text``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .languages import Language


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a raw sentence: ``text == sentence[char_start:char_end]``."""

    text: str
    char_start: int
    char_end: int


def tokenize(text: str, lang: str | Language) -> list[Token]:
    """Cut ``text`` into tokens with character offsets, words or characters depending on ``lang``.

    ``lang`` is a language code (``"es"``) or a :class:`~crop_hf.core.languages.Language`; unknown codes raise
    :class:`~crop_hf.core.languages.UnknownLanguageError`.
    """
    return split_tokens(text, is_char_level(lang))


def split_tokens(text: str, char_level: bool) -> list[Token]:
    """:func:`tokenize` with the word/character decision made by the caller."""
    tokens: list[Token] = []
    for chunk in _NON_SPACE.finditer(text):
        piece, base = chunk.group(), chunk.start()
        if piece.isalnum() and not char_level:
            tokens.append(Token(piece, base, chunk.end()))
        elif char_level:
            _split_characters(piece, base, tokens)
        else:
            _split_punctuation(piece, base, tokens)
    return tokens


def token_separator(lang: str | Language) -> str:
    """What stands between two tokens of ``lang`` written as text: nothing for character-level scripts (a Chinese
    test set's characters are one unspaced sentence), else a space."""
    return "" if is_char_level(lang) else " "


def tokens_from_words(words: Sequence[str], sep: str = " ") -> list[Token]:
    """Tokens for an already tokenised sentence, with offsets into ``sep.join(words)``."""
    tokens: list[Token] = []
    position = 0
    for word in words:
        tokens.append(Token(word, position, position + len(word)))
        position += len(word) + len(sep)
    return tokens


def is_char_level(lang: str | Language) -> bool:
    """Whether ``lang`` (a code or a Language) is matched character by character (scripts without spaces)."""
    if isinstance(lang, str):
        return _char_level_code(lang)
    return bool(lang.char_level)


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Case- and diacritic-insensitive form of a word: NFKD, combining marks, word-inner ``-'’.`` dropped, casefold.

    ``fold("Müller") == fold("MULLER") == "muller"``; fullwidth letters fold to ASCII. A word made only of
    dropped characters folds to its casefolded self.
    """
    decomposed = unicodedata.normalize("NFKD", word)
    kept = "".join(c for c in decomposed if c not in _FOLD_DROP and not unicodedata.combining(c))
    return kept.casefold() if kept else word.casefold()


def is_punctuation(word: str) -> bool:
    """True when every character of ``word`` is punctuation or a symbol (Unicode categories P* and S*)."""
    return bool(word) and all(_is_punct_char(c) for c in word)


# ----------------------------------------------------------------------------------------------- helpers

_NON_SPACE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]+")  # control characters (NUL, BEL, ...) separate words like spaces
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Punctuation kept inside a word when it sits between two word characters.
_WORD_INNER = frozenset("'’ʼ-‐‑.·")
# Kept only between two digits: 1.000,5 / 3,5 / 12:30.
_DIGIT_INNER = frozenset(",.:")
_FOLD_DROP = frozenset("'’ʼ-‐‑.·")


@lru_cache(maxsize=4096)
def _char_level_code(code: str) -> bool:
    from .languages import get_language

    return bool(get_language(code).char_level)


def _is_punct_char(c: str) -> bool:
    if c < "\x80":
        return c in _ASCII_PUNCT
    return unicodedata.category(c)[0] in "PS"


def _is_mark(c: str) -> bool:
    # Combining marks, and the joiners / variation selectors that belong to the previous character.
    return c >= "\u0300" and (unicodedata.category(c)[0] == "M" or c in "\u200c\u200d\ufe0e\ufe0f")


def _split_punctuation(piece: str, base: int, out: list[Token]) -> None:
    """Split one whitespace-free chunk of a word-level language into words and punctuation runs."""
    n = len(piece)
    is_word = [not _is_punct_char(c) for c in piece]
    inner = list(is_word)
    for i in range(1, n - 1):
        if not is_word[i] and is_word[i - 1] and is_word[i + 1]:
            c = piece[i]
            if c in _WORD_INNER or (c in _DIGIT_INNER and piece[i - 1].isdigit() and piece[i + 1].isdigit()):
                inner[i] = True
    start = 0
    while start < n:
        end = start + 1
        if inner[start]:
            while end < n and inner[end]:
                end += 1
        else:  # a run of the same punctuation character ("...", "--") is one token
            while end < n and not inner[end] and piece[end] == piece[start]:
                end += 1
        out.append(Token(piece[start:end], base + start, base + end))
        start = end


def _is_latin_alnum(c: str) -> bool:
    if c < "\u0250":  # ASCII, Latin-1, Latin Extended-A/B
        return c.isalnum()
    return "\uff10" <= c <= "\uff5a" and c.isalnum()  # fullwidth digits and letters


def _split_characters(piece: str, base: int, out: list[Token]) -> None:
    """Split one whitespace-free chunk of a char-level language: characters, Latin/digit runs kept whole."""
    n = len(piece)
    start = 0
    while start < n:
        end = start + 1
        if _is_latin_alnum(piece[start]):
            while end < n and (
                _is_latin_alnum(piece[end])
                or (piece[end] in _WORD_INNER and end + 1 < n and _is_latin_alnum(piece[end + 1]))
            ):
                end += 1
        while end < n and _is_mark(piece[end]):
            end += 1
        out.append(Token(piece[start:end], base + start, base + end))
        start = end
