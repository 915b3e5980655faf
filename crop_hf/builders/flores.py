"""FLORES-101 and FLORES-200 as distributed: the translation test set of the paper's Table 5 (spBLEU).

Both releases put one file per language and split under the dataset folder, one sentence a line, line *i* of
every language holding the same sentence::

    flores101_dataset/devtest/spa.devtest         FLORES-101: ISO 639-3 codes (Arabic ara, Persian fas, Malay msa,
                                                  Chinese zho_simpl: the macrolanguage, not NLLB's variety)
    flores200_dataset/devtest/spa_Latn.devtest    FLORES-200: code_Script, the codes NLLB-200 uses

:func:`flores_pairs` finds a language's file under either naming (``data_dir`` may be the dataset folder or its
``devtest`` folder) and pairs it with English line by line. Nothing is downloaded (FLORES is distributed as an
archive by its authors); a missing file is an error that names the names it looked for.
"""

from __future__ import annotations

from pathlib import Path

from ..core.languages import get_language
from ._base import DataFilesNotFoundError

# FLORES-101 file stems that are not the first part of the language's FLORES-200 (NLLB) code: FLORES-200 names the
# variety (Standard Arabic arb, Iranian Persian pes, Standard Malay zsm), FLORES-101 the macrolanguage.
# None: FLORES-101 has no such language (Basque came with FLORES-200).
FLORES101_NAMES: dict[str, str | None] = {"ar": "ara", "fa": "fas", "ms": "msa", "zh": "zho_simpl", "eu": None}


def flores_codes(lang: str) -> list[str]:
    """The file stems a language may have: its FLORES-200 code, then its FLORES-101 one (``spa_Latn``, ``spa``;
    ``arb_Arab``, ``ara``); only the FLORES-200 one for a language FLORES-101 lacks."""
    code = get_language(lang).nllb_code
    old = FLORES101_NAMES.get(lang, code.split("_")[0])
    return [code] if old is None else [code, old]


def flores_file(data_dir: str | Path, lang: str, split: str = "devtest") -> Path:
    """The file of ``lang`` and ``split`` under ``data_dir`` (the dataset folder or its split folder)."""
    root = Path(data_dir)
    folders = [root / split, root] if (root / split).is_dir() else [root]
    tried = []
    for folder in folders:
        for code in flores_codes(lang):
            path = folder / f"{code}.{split}"
            if path.is_file():
                return path
            tried.append(path.name)
    raise DataFilesNotFoundError(
        f"{root}: no FLORES file for {lang} (looked for {', '.join(dict.fromkeys(tried))} in {folders[0]}); "
        "unpack FLORES-101 or FLORES-200 there, or point data_dir at its folder"
    )


def flores_pairs(data_dir: str | Path, lang: str, split: str = "devtest") -> list[tuple[str, str]]:
    """``(english, target)`` sentence pairs of ``lang``: line *i* of the English file with line *i* of its file."""
    english, target = (_lines(flores_file(data_dir, x, split)) for x in ("en", lang))
    if len(english) != len(target):
        raise DataFilesNotFoundError(
            f"{flores_file(data_dir, lang, split)}: {len(target)} lines but the English file has {len(english)}; "
            "FLORES files are aligned line by line: use files from the same release"
        )
    return [(en, xx) for en, xx in zip(english, target) if en.strip() and xx.strip()]


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [line.rstrip("\r") for line in lines]
