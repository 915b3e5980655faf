"""``crop-hf inspect``: a gradio app that shows what projection did (a sentence's stages, a projected corpus, a run).

:func:`~crop_hf.app.sources.find_sources` and the readers of :mod:`crop_hf.app.sources` need no gradio;
:func:`build_app` (in :mod:`crop_hf.app.ui`) needs the ``app`` extra: ``pip install 'crop-hf[app]'``.
"""

from __future__ import annotations

from typing import Any

from .sources import Corpus, InspectError, RunResults, Sources, find_sources

__all__ = ["Corpus", "InspectError", "RunResults", "Sources", "build_app", "find_sources", "launch"]


def build_app(pipeline: Any = None, corpus: Any = None, run: Any = None, **kwargs: Any) -> Any:
    """See :func:`crop_hf.app.ui.build_app` (imported here on first use: it needs gradio)."""
    from .ui import build_app as build

    return build(pipeline=pipeline, corpus=corpus, run=run, **kwargs)


def launch(app: Any, host: str = "127.0.0.1", port: int | None = None, block: bool = True) -> Any:
    """See :func:`crop_hf.app.ui.launch`."""
    from .ui import launch as serve

    return serve(app, host=host, port=port, block=block)
