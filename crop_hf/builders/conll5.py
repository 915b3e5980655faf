"""CoNLL-5: the CROP paper's CoNLL benchmark, English source plus Spanish, Dutch, German and Norwegian targets.

Usage::

    from crop_hf.builders import Conll5
    builder = Conll5(config_name="es", data_dir="path/to/conll2002")
    builder.download_and_prepare()
    ds = builder.as_dataset()  # DatasetDict train / validation / test

The files are not downloaded automatically. ``data_dir`` is searched recursively for these names (a ``.gz`` version
of each, as in CoNLL-2002's ``ner.tgz``, is read too); splits are train / validation / test:

- ``en``: CoNLL-2003 English, ``eng.train`` / ``eng.testa`` / ``eng.testb``; columns token POS chunk tag; IOB1 tags.
- ``de``: CoNLL-2003 German, ``deu.train`` / ``deu.testa`` / ``deu.testb``; token lemma POS chunk tag; IOB1; Latin-1.
- ``es``: CoNLL-2002 Spanish, ``esp.train`` / ``esp.testa`` / ``esp.testb``; token tag; BIO; Latin-1.
- ``nl``: CoNLL-2002 Dutch, ``ned.train`` / ``ned.testa`` / ``ned.testb``; token POS tag; BIO; Latin-1.
- ``no``: NorNE Bokmål, ``no_bokmaal-ud-train.conllu`` / ``-dev.conllu`` / ``-test.conllu`` (``ud/nob/`` in the NorNE
  repository); CoNLL-U with the tag in the MISC column (``name=B-GPE_LOC``); UTF-8.

Column files: blank lines end sentences, ``-DOCSTART-`` lines are skipped, the token is the first column and the tag
the last; columns are separated by ASCII spaces and tabs, and a line with another number of columns than the format
has (2, 3, 4 or 5; ``columns=`` overrides) or an empty token is an error that names file and line. The known damage
of the distributed files is read and counted in a warning: Dutch lines where a damaged character swallowed the POS
column (token + tag kept), ``-DOCSTART-`` lines inside a sentence (they end it). A file without any sentence is an
error naming it. Other file names: ``files={"train": ..., "validation": ..., "test": ...}``.

Tags become BIO over the CoNLL label set (``CONLL.labels``: O, B-PER, I-PER, B-LOC, I-LOC, B-ORG, I-ORG, B-MISC,
I-MISC). NorNE's types are mapped by :data:`NORNE_TO_CONLL`: PER, ORG, LOC unchanged; GPE_LOC -> LOC (a geo-political
entity named as a place), GPE_ORG -> ORG (named as an organisation); PROD (products, including newspapers), EVT
(events), DRV (words derived from a name, such as "oslofolk") and MISC -> MISC. Pass ``label_map={...}`` to change it
(a type mapped to "O" is dropped). Each file is decoded as UTF-8 or, where it is not UTF-8, as Windows-1252
(Latin-1 with curly quotes, dashes and the ellipsis at bytes 0x80-0x9F; ``encoding="auto"``, decided per file); a
UTF-8 byte-order mark is dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import datasets
from datasets.builder import Key

from ..core.languages import CONLL5_LANGUAGES
from ..core.tagging import CONLL
from ._base import LocalFilesBuilder, find_file, ner_features
from ._readers import Damage, iter_lines, open_binary, read_conll_columns, read_conllu_names

logger = logging.getLogger(__name__)

NORNE_TO_CONLL: dict[str, str] = {
    "PER": "PER",
    "ORG": "ORG",
    "LOC": "LOC",
    "GPE_LOC": "LOC",
    "GPE_ORG": "ORG",
    "PROD": "MISC",
    "EVT": "MISC",
    "DRV": "MISC",
    "MISC": "MISC",
}

CONLL2003_URL = "https://www.clips.uantwerpen.be/conll2003/ner/"
CONLL2002_URL = "https://www.clips.uantwerpen.be/conll2002/ner/"
NORNE_URL = "https://github.com/ltgoslo/norne"

_SPLITS = ("train", "validation", "test")


@dataclass
class Conll5Config(datasets.BuilderConfig):
    """One language: its corpus, file names per split, their format and where to get them."""

    language: str = "en"
    corpus: str = ""
    files: dict[str, str] = field(default_factory=dict)
    file_format: str = "conll"  # "conll" (columns) or "conllu" (NorNE)
    columns: int = 2  # fields per token line of the column format
    encoding: str = "auto"
    label_map: dict[str, str] = field(default_factory=lambda: dict(NORNE_TO_CONLL))
    homepage: str = ""
    how_to_get: str = ""


def _conll(lang: str, corpus: str, prefix: str, columns: int, homepage: str, how_to_get: str) -> Conll5Config:
    files = dict(zip(_SPLITS, (f"{prefix}.train", f"{prefix}.testa", f"{prefix}.testb"), strict=True))
    return Conll5Config(
        name=lang,
        version=datasets.Version("1.0.0"),
        description=f"{corpus} ({columns} columns per token line), tags converted to BIO",
        language=lang,
        corpus=corpus,
        files=files,
        columns=columns,
        homepage=homepage,
        how_to_get=how_to_get,
    )


_CONFIGS = [
    _conll(
        "en",
        "CoNLL-2003 English",
        "eng",
        4,
        CONLL2003_URL,
        f"build eng.train/eng.testa/eng.testb with the CoNLL-2003 scripts ({CONLL2003_URL}) from the Reuters "
        "RCV1 corpus (https://trec.nist.gov/data/reuters/reuters.html, licence agreement required)",
    ),
    _conll(
        "de",
        "CoNLL-2003 German",
        "deu",
        5,
        CONLL2003_URL,
        f"build deu.train/deu.testa/deu.testb with the CoNLL-2003 scripts ({CONLL2003_URL}) from the ECI "
        "Multilingual Text corpus (Frankfurter Rundschau)",
    ),
    _conll(
        "es",
        "CoNLL-2002 Spanish",
        "esp",
        2,
        CONLL2002_URL,
        f"download ner.tgz from {CONLL2002_URL} and unpack it (data/esp.train.gz, esp.testa.gz, esp.testb.gz)",
    ),
    _conll(
        "nl",
        "CoNLL-2002 Dutch",
        "ned",
        3,
        CONLL2002_URL,
        f"download ner.tgz from {CONLL2002_URL} and unpack it (data/ned.train.gz, ned.testa.gz, ned.testb.gz)",
    ),
    Conll5Config(
        name="no",
        version=datasets.Version("1.0.0"),
        description="NorNE Bokmål (CoNLL-U), NorNE types mapped to PER/LOC/ORG/MISC",
        language="no",
        corpus="NorNE Bokmål",
        files={s: f"no_bokmaal-ud-{f}.conllu" for s, f in zip(_SPLITS, ("train", "dev", "test"), strict=True)},
        file_format="conllu",
        homepage=NORNE_URL,
        how_to_get=f"clone {NORNE_URL} (the files are in ud/nob/) or download ud/nob/no_bokmaal-ud-*.conllu",
    ),
]

_CITATION = r"""@inproceedings{tjong-kim-sang-de-meulder-2003-introduction,
  title = {Introduction to the {CoNLL}-2003 Shared Task: Language-Independent Named Entity Recognition},
  author = {Tjong Kim Sang, Erik F. and De Meulder, Fien},
  booktitle = {Proceedings of CoNLL-2003},
  year = {2003}
}
@inproceedings{tjong-kim-sang-2002-introduction,
  title = {Introduction to the {CoNLL}-2002 Shared Task: Language-Independent Named Entity Recognition},
  author = {Tjong Kim Sang, Erik F.},
  booktitle = {Proceedings of CoNLL-2002},
  year = {2002}
}
@inproceedings{jorgensen-etal-2020-norne,
  title = {{NorNE}: Annotating Named Entities for {N}orwegian},
  author = {J{\o}rgensen, Fredrik and Aasmoe, Tobias and Ruud Husev{\aa}g, Anne-Stine and {\O}vrelid, Lilja and
            Velldal, Erik},
  booktitle = {Proceedings of LREC 2020},
  year = {2020}
}"""


class Conll5(LocalFilesBuilder):
    """CoNLL-2003 (en, de), CoNLL-2002 (es, nl) and NorNE (no) as one builder, one config per language.

    Args:
        config_name: The language: ``en``, ``de``, ``es``, ``nl`` or ``no``.
        data_dir: The folder holding the downloaded files (searched recursively; see the module docstring).
        files: Other file names per split, ``{"train": ..., "validation": ..., "test": ...}``.
        columns: Fields per token line of the column format, when the file has another number than the corpus.
        encoding: ``auto`` (UTF-8, else Latin-1, per file) or a codec name.
        label_map: NorNE type -> CoNLL type (default :data:`NORNE_TO_CONLL`); a type mapped to ``"O"`` is dropped.
        **kwargs: Passed on to ``datasets.GeneratorBasedBuilder`` (``cache_dir``, ...).
    """

    BUILDER_CONFIG_CLASS = Conll5Config
    BUILDER_CONFIGS = sorted(_CONFIGS, key=lambda c: CONLL5_LANGUAGES.index(c.name))
    DEFAULT_CONFIG_NAME = "en"

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=self.config.description,
            features=ner_features(CONLL.labels),
            homepage=self.config.homepage,
            citation=_CITATION,
            license="other: CoNLL-2003 needs the Reuters / ECI licences; CoNLL-2002 and NorNE follow their own terms",
        )

    def _split_generators(self, dl_manager) -> list[datasets.SplitGenerator]:
        root = self._require_data_dir()
        if set(self.config.files) != set(_SPLITS) or self.config.file_format not in ("conll", "conllu"):
            raise ValueError(
                f"{self._display_name()}: files needs one name per split {_SPLITS} (got {self.config.files}) and "
                f"file_format 'conll' or 'conllu' (got {self.config.file_format!r})"
            )
        found = {name: find_file(root, (name, name + ".gz")) for name in self.config.files.values()}
        if not all(found.values()):
            raise self._missing_files(found, root)
        return [
            datasets.SplitGenerator(name=split, gen_kwargs={"path": found[self.config.files[split]]})
            for split in _SPLITS
        ]

    def _generate_examples(self, path: Path):
        cfg = self.config
        damage = Damage()
        with open_binary(path) as stream:
            lines = iter_lines(stream, path.name, cfg.encoding)
            if cfg.file_format == "conllu":
                sentences = read_conllu_names(lines, path.name, CONLL, cfg.label_map)
            else:
                sentences = read_conll_columns(lines, path.name, CONLL, cfg.columns, damage)
            for i, sentence in enumerate(sentences):
                yield (
                    Key(0, i),
                    {
                        "id": f"{path.name}:{sentence.line}",
                        "lang": cfg.language,
                        "tokens": sentence.tokens,
                        "ner_tags": sentence.tags,
                    },
                )
        if damage:
            logger.warning(damage.describe(path.name))

    def _where_to_get(self) -> str:
        names = ", ".join(self.config.files.values())
        return f"Expected {names} ({self.config.corpus}); to get them: {self.config.how_to_get}."
