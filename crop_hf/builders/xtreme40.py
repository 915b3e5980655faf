"""XTREME-40: PAN-X / WikiANN NER in the 40 XTREME languages, one config per language, XTREME labels (PER LOC ORG).

Usage::

    from crop_hf.builders import Xtreme40
    builder = Xtreme40(config_name="sw", data_dir="path/to/panx_dataset")
    builder.download_and_prepare()
    ds = builder.as_dataset()  # train / validation / test

PAN-X is not downloaded automatically. XTREME distributes it as ``AmazonPhotos.zip`` (link in the XTREME README),
which holds ``panx_dataset/<lang>.tar.gz``; each tarball holds ``train``, ``dev`` and ``test`` files with one token
per line as ``<lang>:<token><TAB><tag>`` (``sw:Nairobi<TAB>B-LOC``), BIO tags, a blank line between sentences.
For each split, ``data_dir`` is searched recursively for, in this order:

1. ``<lang>/train``, ``<lang>/dev``, ``<lang>/test`` (a tarball extracted into a folder per language);
2. ``<lang>-train``, ``<lang>-dev``, ``<lang>-test`` (the names XTREME's ``download_data.sh`` gives them);
3. ``train-<lang>.tsv``, ``dev-<lang>.tsv``, ``test-<lang>.tsv`` (XTREME's preprocessed output, ``token<TAB>tag``;
   its test files carry no tags, so use one of the other layouts for the test split);
4. ``<lang>.tar.gz`` itself, read without extracting.

The ``<lang>:`` prefix is removed where present. ``dev`` becomes the ``validation`` split.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import datasets
from datasets.builder import Key

from ..core.languages import XTREME40_LANGUAGES, get_language
from ..core.tagging import XTREME
from ._base import LocalFilesBuilder, find_file, ner_features
from ._readers import FormatError, iter_lines, open_binary, read_panx

XTREME_URL = "https://github.com/google-research/xtreme"
_SPLITS = {"train": "train", "validation": "dev", "test": "test"}

_CITATION = r"""@inproceedings{pan-etal-2017-cross,
  title = {Cross-lingual Name Tagging and Linking for 282 Languages},
  author = {Pan, Xiaoman and Zhang, Boliang and May, Jonathan and Nothman, Joel and Knight, Kevin and Ji, Heng},
  booktitle = {Proceedings of ACL 2017},
  year = {2017}
}
@inproceedings{hu2020xtreme,
  title = {{XTREME}: A Massively Multilingual Multi-task Benchmark for Evaluating Cross-lingual Generalisation},
  author = {Hu, Junjie and Ruder, Sebastian and Siddhant, Aditya and Neubig, Graham and Firat, Orhan and
            Johnson, Melvin},
  booktitle = {Proceedings of ICML 2020},
  year = {2020}
}"""


@dataclass
class Xtreme40Config(datasets.BuilderConfig):
    language: str = "en"
    encoding: str = "utf-8"


@dataclass(frozen=True)
class PanxFile:
    """One split's file: a plain file, or a member of a ``<lang>.tar.gz``."""

    path: Path
    member: str | None = None

    @property
    def display(self) -> str:
        if self.member:
            return f"{self.path.name}:{self.member}"
        in_lang_folder = self.path.name in _SPLITS.values()
        return f"{self.path.parent.name}/{self.path.name}" if in_lang_folder else self.path.name


class Xtreme40(LocalFilesBuilder):
    """PAN-X (WikiANN) as used by XTREME: English plus 39 target languages.

    Args:
        config_name: The language code (``en``, ``sw``, ``zh``, ...: one of the 40 XTREME languages).
        data_dir: The folder holding ``panx_dataset`` (or its extracted files; the layouts in the module docstring).
        encoding: The files' encoding (default UTF-8).
        **kwargs: Passed on to ``datasets.GeneratorBasedBuilder`` (``cache_dir``, ...).
    """

    BUILDER_CONFIG_CLASS = Xtreme40Config
    BUILDER_CONFIGS = [
        Xtreme40Config(
            name=code,
            version=datasets.Version("1.0.0"),
            description=f"PAN-X / WikiANN {get_language(code).name} ({code}), XTREME splits",
            language=code,
        )
        for code in XTREME40_LANGUAGES
    ]
    DEFAULT_CONFIG_NAME = "en"

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=self.config.description,
            features=ner_features(XTREME.labels),
            homepage=XTREME_URL,
            citation=_CITATION,
            license="other: PAN-X / WikiANN annotations of Wikipedia text; see the XTREME and WikiANN terms",
        )

    def _split_generators(self, dl_manager) -> list[datasets.SplitGenerator]:
        root = self._require_data_dir()
        lang = self.config.language
        found: dict[str, PanxFile | None] = {}
        for split, stem in _SPLITS.items():
            path = find_file(root, (f"{lang}/{stem}", f"{lang}-{stem}", f"{stem}-{lang}.tsv"))
            found[split] = PanxFile(path) if path else None
        tarball = find_file(root, (f"{lang}.tar.gz",))
        if tarball is not None and not all(found.values()):
            members = _tar_members(tarball)
            for split, stem in _SPLITS.items():
                if found[split] is None and stem in members:
                    found[split] = PanxFile(tarball, members[stem])
        if not all(found.values()):
            expected = {
                f"{lang} {stem}": found[split].path if found[split] else None for split, stem in _SPLITS.items()
            }
            raise self._missing_files(expected, root)
        return [datasets.SplitGenerator(name=split, gen_kwargs={"source": found[split]}) for split in _SPLITS]

    def _generate_examples(self, source: PanxFile):
        lang = self.config.language
        with _open_source(source) as stream:
            lines = iter_lines(stream, source.display, self.config.encoding)
            for i, sentence in enumerate(read_panx(lines, source.display, XTREME, lang)):
                yield (
                    Key(0, i),
                    {
                        "id": f"{source.display}:{sentence.line}",
                        "lang": lang,
                        "tokens": sentence.tokens,
                        "ner_tags": sentence.tags,
                    },
                )

    def _where_to_get(self) -> str:
        lang = self.config.language
        return (
            f"Expected {lang}/train, {lang}/dev, {lang}/test (or {lang}-train ..., train-{lang}.tsv ..., "
            f"{lang}.tar.gz). To get them: download AmazonPhotos.zip from the link in {XTREME_URL} "
            f"(section 'Download the data'), unzip it and pass the folder holding panx_dataset/{lang}.tar.gz."
        )


def _tar_members(tarball: Path) -> dict[str, str]:
    """``{"train": member name, ...}`` for the split files in a PAN-X tarball."""
    try:
        with tarfile.open(tarball, "r:*") as tar:
            return {Path(m.name).name: m.name for m in tar.getmembers() if m.isfile()}
    except (tarfile.TarError, EOFError, OSError) as err:
        raise FormatError(tarball.name, None, f"truncated or corrupt archive ({err}); download it again") from None


@contextmanager
def _open_source(source: PanxFile) -> Iterator[BinaryIO]:
    if source.member is None:
        with open_binary(source.path) as stream:
            yield stream
        return
    with tarfile.open(source.path, "r:*") as tar:
        stream = tar.extractfile(source.member)
        if stream is None:
            raise FileNotFoundError(f"{source.path}: {source.member} is not a regular file")
        with stream:
            yield stream
