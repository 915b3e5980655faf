"""crop-hf: CROP cross-lingual entity projection for the Hugging Face ecosystem.

``from crop_hf import LabeledSeq2SeqTrainer, CropProjectionPipeline, Conll5, ...`` imports each name on first use,
so ``import crop_hf`` and the text core (``crop_hf.core``: slots, tagging, languages, text, matching, filters,
alignment, metrics, ...) stay free of torch and transformers.

The folders are the layers, each importing only those below it (``tests/test_import_graph.py`` holds the order):
``base`` (errors, optional extras, atomic files, Hub I/O, folder locks) -> ``core`` (the text core) ->
``translation`` and ``training`` (the models) -> ``projection`` (the pipeline, its options, corpus projection) ->
``builders`` and ``publish`` -> ``demo`` -> ``run`` -> ``app`` -> ``scripts`` and ``cli``.

``import crop_hf`` makes ``pipeline("crop-projection", ...)`` work in any import order: ``crop_hf.projection.pipeline``
registers the task when it is imported, and it is imported as soon as ``transformers.pipelines`` is (at once if it
already is; otherwise right after transformers finishes importing it, e.g. on ``from transformers import
pipeline``). Nothing in that hook can break the import of transformers: a failure is logged, not raised.
"""

from __future__ import annotations

import importlib
import importlib.abc
import logging
import sys
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "CropProjectionPipeline": "projection.pipeline",
    "CropProjectionConfig": "projection.config",
    "LabeledSeq2SeqTrainer": "training.trainer",
    "LabeledSeq2SeqTrainingArguments": "training.trainer",
    "DataCollatorForLabeledSeq2Seq": "training.collator",
    "SelfTrainingArguments": "training.selftrain",
    "self_train": "training.selftrain",
    "Translator": "translation",
    "GenerationSettings": "translation",
    "CropHfError": "base.errors",
    "Conll5": "builders.conll5",
    "Xtreme40": "builders.xtreme40",
    "CCAligned": "builders.ccaligned",
    "FilterChain": "core.filters",
    "ProjectionOptions": "projection.projection_options",
    "PublishOptions": "publish.publishing",
    "publish_pipeline": "publish.publishing",
    "publish_ner_model": "publish.publishing",
    "publish_dataset": "publish.publishing",
}
__all__ = [
    "CCAligned",
    "Conll5",
    "CropHfError",
    "CropProjectionConfig",
    "CropProjectionPipeline",
    "DataCollatorForLabeledSeq2Seq",
    "FilterChain",
    "GenerationSettings",
    "LabeledSeq2SeqTrainer",
    "LabeledSeq2SeqTrainingArguments",
    "ProjectionOptions",
    "PublishOptions",
    "SelfTrainingArguments",
    "Translator",
    "Xtreme40",
    "__version__",
    "publish_dataset",
    "publish_ner_model",
    "publish_pipeline",
    "self_train",
]

if TYPE_CHECKING:  # pragma: no cover
    from .base.errors import CropHfError
    from .builders.ccaligned import CCAligned
    from .builders.conll5 import Conll5
    from .builders.xtreme40 import Xtreme40
    from .core.filters import FilterChain
    from .projection.config import CropProjectionConfig
    from .projection.pipeline import CropProjectionPipeline
    from .projection.projection_options import ProjectionOptions
    from .publish.publishing import PublishOptions, publish_dataset, publish_ner_model, publish_pipeline
    from .training.collator import DataCollatorForLabeledSeq2Seq
    from .training.selftrain import SelfTrainingArguments, self_train
    from .training.trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments
    from .translation import GenerationSettings, Translator


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'crop_hf' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


# ----------------------------------------------------------------------------------- pipeline registration

_TARGET = "transformers.pipelines"
_PIPELINE = f"{__name__}.projection.pipeline"


def _register() -> None:
    """Import ``crop_hf.projection.pipeline`` (which registers the task), unless it is being imported right now."""
    if _PIPELINE in sys.modules:  # imported, or importing (it registers at its bottom)
        return
    try:
        importlib.import_module(_PIPELINE)
    except Exception as err:  # never break the user's import of transformers
        logging.getLogger(__name__).warning("crop-projection pipeline not registered: %s: %s", type(err).__name__, err)


class _RegisterAfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps the loader of ``transformers.pipelines`` to call :func:`_register` after it."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def exec_then_register(module: Any) -> None:
            exec_module(module)
            _uninstall()
            _register()

        loader.exec_module = exec_then_register
        return spec


def _uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _RegisterAfterImport)]


if _TARGET in sys.modules:
    _register()
elif not any(isinstance(f, _RegisterAfterImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterAfterImport())
