"""MasakhaNER 2.0 (Adelani et al., EMNLP 2022): NER in 20 African languages, PER / ORG / LOC / DATE.

Usage::

    from crop_hf.builders import MasakhaNER2
    builder = MasakhaNER2(config_name="ha", data_dir="path/to/MasakhaNER2.0/data")
    builder.download_and_prepare()
    ds = builder.as_dataset()  # train / validation / test

The files are not downloaded automatically: clone https://github.com/masakhane-io/masakhane-ner (the data is in
``MasakhaNER2.0/data/``) and pass the folder holding one folder per language. Each language folder, named by its
ISO 639-3 code (``hau``, ``yor``, ``swa``; :data:`MASAKHANER2_FOLDERS`), holds ``train.txt``, ``dev.txt`` and
``test.txt``: one ``word TAG`` a line (BIO tags over PER, ORG, LOC, DATE), a blank line between sentences. ``dev``
becomes the ``validation`` split. The configs are named by crop-hf's language codes (``ha`` for ``hau``): the 18
languages NLLB-200 translates. Ghomala' (``bbj``) and Nigerian Pidgin (``pcm``) have no NLLB-200 code, so CROP cannot
project into them; they are not configs (:data:`MASAKHANER2_WITHOUT_NLLB`).

Odd lines: a Windows line end, stray spaces or tabs around and between the two fields and a line of spaces between
sentences are read as the format means them; a token line whose tag is missing (a word alone) is skipped and counted
in a warning naming the lines; a line with more than two fields, an empty token or an unknown tag is an error naming
file and line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import datasets
from datasets.builder import Key

from ..core.languages import MASAKHANER2_LANGUAGES, get_language
from ..core.tagging import MASAKHANER
from ._base import LocalFilesBuilder, find_file, ner_features
from ._readers import Damage, iter_lines, open_binary, read_conll_columns

logger = logging.getLogger(__name__)

MASAKHANER_URL = "https://github.com/masakhane-io/masakhane-ner"
_SPLITS = {"train": "train.txt", "validation": "dev.txt", "test": "test.txt"}
# crop-hf code -> MasakhaNER 2.0 folder (ISO 639-3)
MASAKHANER2_FOLDERS: dict[str, str] = {
    "bm": "bam", "ee": "ewe", "fon": "fon", "ha": "hau", "ig": "ibo", "rw": "kin", "lg": "lug", "luo": "luo",
    "mos": "mos", "ny": "nya", "sn": "sna", "sw": "swa", "tn": "tsn", "tw": "twi", "wo": "wol", "xh": "xho",
    "yo": "yor", "zu": "zul",
}  # fmt: skip
MASAKHANER2_WITHOUT_NLLB: dict[str, str] = {"bbj": "Ghomala'", "pcm": "Nigerian Pidgin"}

_CITATION = r"""@inproceedings{adelani-etal-2022-masakhaner,
  title = {{MasakhaNER} 2.0: {A}frica-centric Transfer Learning for Named Entity Recognition},
  author = {Adelani, David Ifeoluwa and Neubig, Graham and Ruder, Sebastian and others},
  booktitle = {Proceedings of EMNLP 2022},
  year = {2022}
}"""


@dataclass
class MasakhaNER2Config(datasets.BuilderConfig):
    language: str = "ha"
    folder: str = "hau"
    encoding: str = "auto"


class MasakhaNER2(LocalFilesBuilder):
    """MasakhaNER 2.0, one config per language NLLB-200 translates (crop-hf codes; see the module docstring).

    Args:
        config_name: The language (``ha``, ``yo``, ``sw``, ...: :data:`~crop_hf.core.languages.MASAKHANER2_LANGUAGES`).
        data_dir: The folder holding the language folders (``hau/train.txt``, ...), searched recursively.
        encoding: ``auto`` (UTF-8, per file) or a codec name.
        **kwargs: Passed on to ``datasets.GeneratorBasedBuilder`` (``cache_dir``, ...).
    """

    BUILDER_CONFIG_CLASS = MasakhaNER2Config
    BUILDER_CONFIGS = [
        MasakhaNER2Config(
            name=code,
            version=datasets.Version("1.0.0"),
            description=f"MasakhaNER 2.0 {get_language(code).name} ({MASAKHANER2_FOLDERS[code]})",
            language=code,
            folder=MASAKHANER2_FOLDERS[code],
        )
        for code in MASAKHANER2_LANGUAGES
    ]
    DEFAULT_CONFIG_NAME = "ha"

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=self.config.description,
            features=ner_features(MASAKHANER.labels),
            homepage=MASAKHANER_URL,
            citation=_CITATION,
            license="other: see the terms in the MasakhaNER 2.0 repository",
        )

    def _split_generators(self, dl_manager) -> list[datasets.SplitGenerator]:
        root = self._require_data_dir()
        folder = self.config.folder
        found = {split: find_file(root, (f"{folder}/{name}",)) for split, name in _SPLITS.items()}
        if not all(found.values()):
            raise self._missing_files({f"{folder}/{_SPLITS[s]}": p for s, p in found.items()}, root)
        return [datasets.SplitGenerator(name=split, gen_kwargs={"path": path}) for split, path in found.items()]

    def _generate_examples(self, path: Path):
        lang, name = self.config.language, f"{self.config.folder}/{path.name}"
        damage = Damage()
        with open_binary(path) as stream:
            lines = iter_lines(stream, name, self.config.encoding)
            for i, sentence in enumerate(read_conll_columns(lines, name, MASAKHANER, 2, damage, skip_untagged=True)):
                yield (
                    Key(0, i),
                    {"id": f"{name}:{sentence.line}", "lang": lang, "tokens": sentence.tokens,
                     "ner_tags": sentence.tags},
                )  # fmt: skip
        if damage:
            logger.warning(damage.describe(name))

    def _where_to_get(self) -> str:
        folder = self.config.folder
        return (
            f"Expected {folder}/train.txt, {folder}/dev.txt, {folder}/test.txt. To get them: clone {MASAKHANER_URL} "
            f"and pass its MasakhaNER2.0/data folder (it holds {folder}/)."
        )
