"""Translation for crop-hf: one base translator and its generation backends, picked by name.

- :mod:`crop_hf.translation.base`: :class:`Translator` (length-sorted batches through ``generate``), the one
  :class:`GenerationSettings` every backend takes, and the marker-aware decode (:func:`decode_with_markers`).
- :mod:`crop_hf.translation.ct2`: :class:`~crop_hf.translation.ct2.CT2Translator`, the same translator with its
  generation step in CTranslate2 (``pip install 'crop-hf[ct2]'``), imported only when it is asked for.

:func:`make_translator` builds the translator of a backend from the registry :data:`BACKENDS`, which names for each
backend its class, the options it takes beside the generation settings and the extra it needs. The pipeline,
corpus projection (through the pipeline) and the LST trainer's evaluation translate and decode through here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ..base.errors import InputError
from ..base.extras import require
from .base import (
    GenerationSettings,
    TranslationStats,
    Translator,
    decode_with_markers,
    model_family,
    set_tokenizer_languages,
    strip_ids,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "GenerationSettings",
    "TranslationStats",
    "Translator",
    "check_backend",
    "decode_with_markers",
    "make_translator",
    "model_family",
    "set_tokenizer_languages",
    "strip_ids",
]


@dataclass(frozen=True)
class Backend:
    """A generation backend: its translator class (``module:Class`` under this package), the keyword options it
    takes beside :class:`GenerationSettings`, and the optional dependency it needs (module, extra)."""

    target: str
    options: tuple[str, ...] = ()
    needs: tuple[str, str] | None = None

    def load(self) -> type[Translator]:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)


BACKENDS: dict[str, Backend] = {
    "transformers": Backend("base:Translator"),
    "ctranslate2": Backend(
        "ct2:CT2Translator", ("compute_type", "device", "intra_threads", "cache_dir"), ("ctranslate2", "ct2")
    ),
}


def make_translator(
    model: Any, tokenizer: Any, backend: str = "transformers", compute_type: str | None = None, **kwargs: Any
) -> Translator:
    """A translator for ``model`` on ``backend``.

    ``kwargs`` are :class:`GenerationSettings` fields (``batch_size``, ``num_beams``, ...) or a whole ``settings=``,
    and the backend's own options: for ``"ctranslate2"`` ``compute_type`` (default: int8 on CPU, float16 or
    bfloat16 on GPU), ``device``, ``intra_threads``, ``cache_dir``. An option another backend takes is a one-line
    error naming it.
    """
    check_backend(backend, compute_type)
    spec = BACKENDS[backend]
    options = {"compute_type": compute_type, **kwargs}
    misplaced = sorted(k for k, v in options.items() if v is not None and _owner(k) not in (None, backend))
    if misplaced:
        owners = sorted({_owner(k) or "" for k in misplaced})
        raise InputError(
            f"{', '.join(misplaced)} apply to backend={' or '.join(map(repr, owners))} only; drop them or switch backend"
        )
    given = {k: v for k, v in options.items() if k not in _all_options() or (k in spec.options and v is not None)}
    return spec.load()(model, tokenizer, **given)


def check_backend(backend: str, compute_type: str | None = None, device: Any = None) -> str | None:
    """Fail early, in one line, on an unknown backend, a missing extra, or a compute type for another backend.

    Returns the compute type that will run: with ``device`` (where the models are) a CTranslate2 type this device
    cannot run becomes its default here, with one warning, so that a pipeline says so when it loads.
    """
    if backend not in BACKENDS:
        raise InputError(f"backend={backend!r}: use one of {tuple(BACKENDS)}")
    spec = BACKENDS[backend]
    if compute_type is not None and "compute_type" not in spec.options:
        raise InputError(f"compute_type={compute_type!r} applies to backend={_owner('compute_type')!r} only; drop it")
    if "compute_type" in spec.options:
        from .ct2 import check_compute_type

        check_compute_type(compute_type)
    if spec.needs is not None:
        require(spec.needs[0], f"backend={backend!r}", spec.needs[1])
    if "compute_type" not in spec.options or device is None or compute_type is None:
        return compute_type
    from .ct2 import ct2_device, usable_compute_type

    return usable_compute_type(compute_type, ct2_device(device))


def _owner(option: str) -> str | None:
    """The backend whose option ``option`` is (None: a generation setting, shared by all)."""
    return next((name for name, spec in BACKENDS.items() if option in spec.options), None)


def _all_options() -> set[str]:
    return {option for spec in BACKENDS.values() for option in spec.options}
