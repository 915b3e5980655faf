"""crop-hf: CROP cross-lingual entity projection for the Hugging Face ecosystem.

``import crop_hf`` registers the ``"crop-projection"`` pipeline with transformers (when transformers and
torch are installed; the text-core modules ``slots``, ``tagging``, ``languages``, ``matching``, ``filters``,
``alignment`` and ``metrics`` work without them).
"""

from __future__ import annotations

__version__ = "0.1.0"


def _register() -> bool:
    try:
        from .pipeline import register_pipeline
    except ImportError:  # torch/transformers missing: text core only
        return False
    register_pipeline()
    return True


PIPELINE_REGISTERED = _register()
