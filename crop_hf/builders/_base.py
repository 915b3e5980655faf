"""What the three builders share: a required ``data_dir``, a cache keyed by the files, and clear errors.

The sources cannot be downloaded automatically (licences, manual download pages), so every builder reads files the
user fetched. The cache directory's hash covers the names, sizes and modification times of the files under
``data_dir``: a second ``download_and_prepare`` reuses the cache, a replaced file rebuilds it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import datasets
from datasets.exceptions import DatasetGenerationError

from ..base.errors import CropHfError
from ..base.resumable import fingerprint_dir  # noqa: F401  (part of the builders' interface)
from ._readers import FormatError


class DataFilesNotFoundError(CropHfError, FileNotFoundError):
    """``data_dir`` is missing or does not hold the expected files; the message says where to get them."""


class LocalFilesBuilder(datasets.GeneratorBasedBuilder):
    """A ``GeneratorBasedBuilder`` over files the user downloaded into ``data_dir``."""

    def __init__(self, *args, data_dir: str | os.PathLike | None = None, hash: str | None = None, **kwargs) -> None:
        if data_dir is not None:
            data_dir = os.fspath(data_dir)
            hash = hash or fingerprint_dir(data_dir)
        super().__init__(*args, data_dir=data_dir, hash=hash, **kwargs)

    def _require_data_dir(self) -> Path:
        data_dir = self.config.data_dir
        if data_dir is None or not Path(data_dir).is_dir():
            problem = "no data_dir was given" if data_dir is None else f"data_dir {data_dir!r} is not a directory"
            raise DataFilesNotFoundError(f"{self._display_name()}: {problem}. {self._where_to_get()}")
        return Path(data_dir)

    def _missing_files(self, expected: dict[str, Path | None], looked_in: Path) -> DataFilesNotFoundError:
        lines = [f"  {name}: {'found ' + str(path) if path else 'MISSING'}" for name, path in expected.items()]
        return DataFilesNotFoundError(
            f"{self._display_name()}: not all files were found under {looked_in}:\n"
            + "\n".join(lines)
            + f"\n{self._where_to_get()}"
        )

    def _display_name(self) -> str:
        return f"{type(self).__name__}(config_name={self.config.name!r})"

    def _where_to_get(self) -> str:
        """How to obtain this config's files; each builder says it."""
        raise NotImplementedError

    def _prepare_split(self, split_generator, **kwargs):
        # datasets wraps errors raised while generating; a FormatError already names file and line, so raise it as is.
        try:
            return super()._prepare_split(split_generator, **kwargs)
        except DatasetGenerationError as err:
            if isinstance(err.__cause__, FormatError):
                raise err.__cause__ from None
            raise


def ner_features(labels: list[str]) -> datasets.Features:
    """``id``, ``lang``, ``tokens`` and ``ner_tags`` (a ClassLabel over ``labels``), shared by the NER builders."""
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "lang": datasets.Value("string"),
            "tokens": datasets.List(datasets.Value("string")),
            "ner_tags": datasets.List(datasets.ClassLabel(names=labels)),
        }
    )


def find_file(root: Path, names: Iterable[str]) -> Path | None:
    """The first of ``names`` (relative paths, tried in order) found directly under ``root`` or anywhere below it."""
    for name in names:
        if (root / name).is_file():
            return root / name
        matches = sorted(p for p in root.rglob(name) if p.is_file())
        if matches:
            return matches[0]
    return None
