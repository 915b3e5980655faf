"""CCAligned (El-Kishky et al., 2020): English-X web text, CROP's source of raw target sentences and parallel data.

Usage::

    from crop_hf.builders import CCAligned
    raw = CCAligned(config_name="documents-es", data_dir="path/to/cc-aligned")        # raw Spanish segments
    pairs = CCAligned(config_name="sentences-es", data_dir="path/to/cc-aligned")      # en-es sentence pairs
    raw.download_and_prepare(); raw.as_dataset()["train"]

Two configs per target language of :data:`crop_hf.core.languages.LANGUAGES`. The files as distributed at
https://www.statmt.org/cc-aligned/ are xz-compressed UTF-8 TSV, one row per line, and are streamed through ``lzma``
one line at a time (never loaded whole):

- document-aligned, ``en_XX-<code>.tsv.xz`` (``en_XX-es_XX.tsv.xz``, ``en_XX-de_DE.tsv.xz``): Domain, Source_URL,
  Source_Content (English), Target_URL, Target_Content; a page's text keeps its segments (sentences, menu items)
  separated by ``|``.
- sentence-aligned, under ``sentence-aligned/``: ``en_XX-<code>.tsv.xz`` with English sentence, target sentence,
  LASER similarity; for some languages the file is ``<code>-en_XX.tsv.xz`` and the target sentence comes first.

``data_dir`` mirrors the site: document-aligned files directly in it, sentence-aligned files in
``data_dir/sentence-aligned/`` (or directly in ``data_dir``). ``<code>`` is matched as ``<lang>_*``; where several
files match, the config's ``locale`` (``zh_CN`` for zh) picks one. Uncompressed ``.tsv`` files are read too.

``sentences-<lang>`` rows: ``id``, ``translation`` ({"en": ..., "<lang>": ...}), ``laser_score``.
``documents-<lang>`` rows, one per non-empty target segment: ``id``, ``text``, ``url``, ``domain``.
A malformed row (wrong columns, a byte that is not UTF-8) stops the build naming file and line; ``skip_malformed=True``
counts and logs such rows instead. An empty file and a truncated ``.xz`` (a download cut short) are errors naming the
file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import datasets
from datasets.builder import Key

from ..core.languages import LANGUAGES, get_language
from ._base import LocalFilesBuilder
from ._readers import (
    FormatError,
    decode_line,
    iter_raw_lines,
    open_binary,
    parse_ccaligned_document,
    parse_ccaligned_sentence,
)

logger = logging.getLogger(__name__)

CCALIGNED_URL = "https://www.statmt.org/cc-aligned/"
CCALIGNED_LANGUAGES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != "en")
KINDS = ("sentences", "documents")
_DEFAULT_LOCALES = {"zh": "zh_CN"}

_CITATION = r"""@inproceedings{elkishky_ccaligned_2020,
  title = {{CCAligned}: A Massive Collection of Cross-lingual Web-Document Pairs},
  author = {El-Kishky, Ahmed and Chaudhary, Vishrav and Guzm{\'a}n, Francisco and Koehn, Philipp},
  booktitle = {Proceedings of EMNLP 2020},
  pages = {5960--5969},
  year = {2020}
}"""


@dataclass
class CCAlignedConfig(datasets.BuilderConfig):
    kind: str = "sentences"  # "sentences" (parallel pairs) or "documents" (raw target segments)
    language: str = "es"
    locale: str | None = None  # CCAligned's code, e.g. "es_XX"; None: the only file matching "<language>_*"
    segment_separator: str = "|"
    skip_malformed: bool = False


class CCAligned(LocalFilesBuilder):
    """Sentence pairs (``sentences-xx``) and raw target segments (``documents-xx``) from CCAligned.

    Args:
        config_name: ``sentences-<lang>`` (English-target pairs) or ``documents-<lang>`` (raw target segments).
        data_dir: The folder mirroring https://www.statmt.org/cc-aligned/ (see the module docstring).
        locale: CCAligned's code of the language (``zh_CN``), where several files match ``<lang>_*``.
        segment_separator: What separates a page's segments in the document-aligned files (``|``).
        skip_malformed: Count and log malformed rows instead of stopping at the first.
        **kwargs: Passed on to ``datasets.GeneratorBasedBuilder`` (``cache_dir``, ...).
    """

    BUILDER_CONFIG_CLASS = CCAlignedConfig
    BUILDER_CONFIGS = [
        CCAlignedConfig(
            name=f"{kind}-{code}",
            version=datasets.Version("1.0.0"),
            description=(
                f"English-{get_language(code).name} sentence pairs with LASER scores"
                if kind == "sentences"
                else f"Raw {get_language(code).name} segments from English-{code} aligned web documents"
            ),
            kind=kind,
            language=code,
            locale=_DEFAULT_LOCALES.get(code),
        )
        for kind in KINDS
        for code in CCALIGNED_LANGUAGES
    ]
    DEFAULT_CONFIG_NAME = "sentences-es"

    def _info(self) -> datasets.DatasetInfo:
        lang = self.config.language
        if self.config.kind == "sentences":
            features = {
                "id": datasets.Value("string"),
                "translation": datasets.Translation(languages=["en", lang]),
                "laser_score": datasets.Value("float32"),
            }
        else:
            features = {name: datasets.Value("string") for name in ("id", "text", "url", "domain")}
        return datasets.DatasetInfo(
            description=self.config.description,
            features=datasets.Features(features),
            homepage=CCALIGNED_URL,
            citation=_CITATION,
            license="unknown: CCAligned is Common Crawl text; no intellectual property is claimed on its preparation",
        )

    def _split_generators(self, dl_manager) -> list[datasets.SplitGenerator]:
        path, english_first = self._find_source(self._require_data_dir())
        return [datasets.SplitGenerator(name="train", gen_kwargs={"path": path, "english_first": english_first})]

    def _generate_examples(self, path: Path, english_first: bool):
        skipped, index, lines = 0, 0, 0
        with open_binary(path) as stream:
            for number, raw in iter_raw_lines(stream, path.name):
                lines += bool(raw.strip())
                try:
                    rows = self._rows(decode_line(raw, path.name, number, "utf-8"), path.name, number, english_first)
                except FormatError:
                    if not self.config.skip_malformed:
                        raise
                    skipped += 1
                    continue
                for row in rows:
                    yield Key(0, index), row
                    index += 1
        if not lines:
            raise FormatError(path.name, None, "no rows: the file is empty or blank; download it again")
        if skipped:
            logger.warning("%s: skipped %d malformed rows (skip_malformed=True)", path.name, skipped)

    def _rows(self, line: str, name: str, number: int, english_first: bool) -> list[dict]:
        """The dataset rows of one line: one sentence pair, or the document's non-empty target segments."""
        cfg = self.config
        if not line:
            return []
        if cfg.kind == "sentences":
            pair = parse_ccaligned_sentence(line, name, number, english_first)
            translation = {"en": pair.en, cfg.language: pair.text}
            return [{"id": f"{name}:{number}", "translation": translation, "laser_score": pair.laser_score}]
        doc = parse_ccaligned_document(line, name, number)
        segments = [segment.strip() for segment in doc.text.split(cfg.segment_separator)]
        return [
            {"id": f"{name}:{number}:{i}", "text": text, "url": doc.url, "domain": doc.domain}
            for i, text in enumerate(s for s in segments if s)
        ]

    def _find_source(self, root: Path) -> tuple[Path, bool]:
        """The config's file and whether English comes first in its rows."""
        cfg = self.config
        code = cfg.locale or f"{cfg.language}_*"
        folders = [root / "sentence-aligned", root] if cfg.kind == "sentences" else [root]
        patterns = [(f"en_XX-{code}.tsv{ext}", True) for ext in (".xz", "")]
        if cfg.kind == "sentences":
            patterns += [(f"{code}-en_XX.tsv{ext}", False) for ext in (".xz", "")]
        for folder in folders:
            for pattern, english_first in patterns:
                matches = sorted(folder.glob(pattern))
                if len(matches) > 1:
                    names = ", ".join(m.name for m in matches)
                    raise ValueError(
                        f"{self._display_name()}: several files match {pattern} in {folder} ({names}); "
                        "pass locale=<the code in the file name you want>, e.g. locale='zh_TW'"
                    )
                if matches:
                    return matches[0], english_first
        raise self._missing_files({f"{patterns[0][0]} (or {patterns[-1][0]})": None}, folders[0])

    def _where_to_get(self) -> str:
        cfg = self.config
        if cfg.kind == "sentences":
            where = f"{CCALIGNED_URL}sentence-aligned/ into <data_dir>/sentence-aligned/"
        else:
            where = f"{CCALIGNED_URL} into <data_dir>/"
        return f"Download en_XX-{cfg.language}_<region>.tsv.xz from {where} (keep it compressed; it is streamed)."
