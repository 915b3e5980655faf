"""A Gradio Space for a published crop-projection pipeline: the inspect app's Sentence view on the Hub.

:func:`stage_space` writes the three files a Space needs into a folder:

- ``app.py``: ``import crop_hf``, load the pipeline by its Hub id (and revision), build the app with
  :func:`crop_hf.app.build_app` and launch it;
- ``requirements.txt``: ``crop-hf[app]`` (the Space's Python installs it; pass ``requirement=`` to point at a
  wheel URL or a git revision instead);
- ``README.md``: the Space card, front matter ``sdk: gradio`` with the gradio version crop-hf is tested with,
  ``app_file: app.py`` and the pipeline in ``models``.

:func:`publish_space` stages them and uploads them as one commit through :func:`crop_hf.base.hub.push_folder`
(``repo_type="space"``), or copies them to ``dry_run_dir`` without touching the network.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .. import __version__

TESTED_GRADIO = "6.31.0"  # the gradio of constraints.txt (the browser tests run with it)
SPACE_FILES = ("README.md", "app.py", "requirements.txt")
TASK = "crop-projection"


def stage_space(
    pipeline_repo: str,
    out_dir: str | Path,
    pipeline_revision: str | None = None,
    title: str | None = None,
    requirement: str | None = None,
    license: str = "apache-2.0",
) -> Path:
    """Write ``app.py``, ``requirements.txt`` and ``README.md`` of a Space showing ``pipeline_repo``."""
    from huggingface_hub import SpaceCard, SpaceCardData
    from huggingface_hub.utils import validate_repo_id

    validate_repo_id(pipeline_repo)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    title = title or f"crop-projection: {pipeline_repo.split('/')[-1]}"
    (out / "app.py").write_text(_app_py(pipeline_repo, pipeline_revision, title), encoding="utf-8")
    (out / "requirements.txt").write_text(f"{requirement or f'crop-hf[app]=={__version__}'}\n", encoding="utf-8")
    data = SpaceCardData(title=title[:30], sdk="gradio", sdk_version=TESTED_GRADIO, app_file="app.py",
                         license=license, models=[pipeline_repo], tags=["crop-hf", "ner", "label-projection"])  # fmt: skip
    at = f" (revision `{pipeline_revision}`)" if pipeline_revision else ""
    body = (
        f"# {title}\n\nType a sentence in one of the pipeline's languages and see what CROP label projection does "
        f"with it, stage by stage: the English translation and its entities, the labeled back-translation with its "
        f"slots, and the entities found in your sentence (type, match method, score, character offsets), or why "
        f"the sentence was discarded.\n\nThe pipeline is [{pipeline_repo}](https://huggingface.co/{pipeline_repo})"
        f"{at}; the app is crop-hf's `crop-hf inspect` (`pip install 'crop-hf[app]'`), which also shows projected "
        f"corpora and whole runs locally.\n"
    )
    SpaceCard(f"---\n{data.to_yaml()}\n---\n\n{body}").save(out / "README.md")
    return out


def publish_space(
    pipeline_repo: str,
    space_repo: str,
    pipeline_revision: str | None = None,
    private: bool = False,
    commit_message: str | None = None,
    dry_run_dir: str | Path | None = None,
    api: Any = None,
    title: str | None = None,
    requirement: str | None = None,
) -> Any:
    """Stage the Space of ``pipeline_repo`` and push it to ``space_repo``; returns the :class:`~crop_hf.base.hub.PushResult`."""
    from ..base.hub import push_folder

    with tempfile.TemporaryDirectory(prefix="crop-hf-space-") as staging:
        stage_space(pipeline_repo, staging, pipeline_revision, title, requirement)
        message = commit_message or f"crop-hf Space for {pipeline_repo}"
        return push_folder(staging, space_repo, repo_type="space", private=private, commit_message=message,
                           dry_run_dir=dry_run_dir, api=api)  # fmt: skip


def _app_py(repo: str, revision: str | None, title: str) -> str:
    load = f"pipeline({TASK!r}, model={repo!r}" + (f", revision={revision!r})" if revision else ")")
    return f'''"""{title}: a sentence through the crop-projection pipeline {repo}, every stage shown (crop-hf inspect)."""

from transformers import pipeline

import crop_hf  # noqa: F401  (registers the crop-projection task with transformers)
from crop_hf.app import build_app

demo = build_app(pipeline={load}, title={title!r})

if __name__ == "__main__":
    demo.launch()
'''
