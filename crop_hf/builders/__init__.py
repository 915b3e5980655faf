"""``datasets`` builders for the data CROP uses: CoNLL-5, XTREME-40 (PAN-X / WikiANN), MasakhaNER 2.0 and CCAligned.

datasets 5.x runs no dataset scripts, so these are classes; the files are downloaded by the user (licences and manual
download pages) and passed as ``data_dir``::

    from crop_hf.builders import Conll5
    builder = Conll5(config_name="es", data_dir="path/to/conll2002")
    builder.download_and_prepare()
    dataset = builder.as_dataset()

Each module's docstring lists the file names it expects and where to get them.
"""

from __future__ import annotations

from ._base import DataFilesNotFoundError, LocalFilesBuilder, fingerprint_dir, ner_features
from ._readers import FormatError
from .ccaligned import CCALIGNED_LANGUAGES, CCAligned, CCAlignedConfig
from .conll5 import NORNE_TO_CONLL, Conll5, Conll5Config
from .masakhaner2 import MASAKHANER2_FOLDERS, MasakhaNER2, MasakhaNER2Config
from .xtreme40 import Xtreme40, Xtreme40Config

__all__ = [
    "CCALIGNED_LANGUAGES",
    "NORNE_TO_CONLL",
    "CCAligned",
    "CCAlignedConfig",
    "Conll5",
    "Conll5Config",
    "DataFilesNotFoundError",
    "FormatError",
    "LocalFilesBuilder",
    "MASAKHANER2_FOLDERS",
    "MasakhaNER2",
    "MasakhaNER2Config",
    "Xtreme40",
    "Xtreme40Config",
    "fingerprint_dir",
    "ner_features",
]
