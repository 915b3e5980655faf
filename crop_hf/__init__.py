"""crop-hf: CROP cross-lingual entity projection for the Hugging Face ecosystem.

``import crop_hf`` registers the ``"crop-projection"`` pipeline with transformers. The registration waits for
``transformers.pipelines`` to be imported (it is, by ``from transformers import pipeline``), so the text-core
modules (``slots``, ``tagging``, ``languages``, ``text``, ``matching``, ``filters``, ``alignment``, ``metrics``)
import in milliseconds, without torch or transformers.
"""

from __future__ import annotations

import importlib.abc
import sys

__version__ = "0.1.0"

_TARGET = "transformers.pipelines"


def _register_now() -> None:
    from .pipeline import register_pipeline

    register_pipeline()


class _RegisterAfterImport(importlib.abc.MetaPathFinder):
    """Registers the pipeline right after ``transformers.pipelines`` finishes importing."""

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001
        if fullname != _TARGET:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):  # noqa: ANN001
            exec_module(module)
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            _register_now()

        spec.loader.exec_module = exec_then_register
        return spec


if _TARGET in sys.modules:
    _register_now()
elif not any(isinstance(f, _RegisterAfterImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterAfterImport())
