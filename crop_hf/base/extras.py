"""Optional dependencies: each is imported only where it is used, and a missing one fails with a one-line hint.

The extras of ``pyproject.toml``: ``align`` (eflomal), ``demo`` (faker, matplotlib), ``metrics`` (sacrebleu),
``lora`` (peft), ``ct2`` (ctranslate2), ``lingua`` (lingua-language-detector).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import CropHfError


class MissingExtraError(CropHfError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def require(module: str, purpose: str, extra: str, package: str | None = None) -> ModuleType:
    """Import ``module``; if it is missing raise :class:`MissingExtraError` naming ``extra``.

    ``require("faker", "the built-in corpus", "demo")`` fails with
    "the built-in corpus needs faker: pip install 'crop-hf[demo]'".
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        name = package or module.split(".")[0]
        raise MissingExtraError(f"{purpose} needs {name}: pip install 'crop-hf[{extra}]'") from err
