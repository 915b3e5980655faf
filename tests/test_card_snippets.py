"""The usage snippets of published cards run as written, and the card metadata is what the Hub understands.

A dry-run push folder is placed in an offline Hugging Face cache under its repository id, as a download would
leave it; the card's Python block then runs unchanged in a fresh interpreter.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")
from huggingface_hub import ModelCard  # noqa: E402
from test_model_card import DEMO_METRICS  # noqa: E402
from transformers import pipeline  # noqa: E402
from transformers.pipelines import SUPPORTED_TASKS  # noqa: E402

import crop_hf  # noqa: E402,F401
from crop_hf.publish.publishing import PublishOptions, publish_ner_model, publish_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COMMIT = "0" * 40


def _snippet(card: Path) -> str:
    match = re.search(r"## Usage\n\n```python\n(.*?)```", card.read_text(encoding="utf-8"), re.S)
    assert match, "the card has no Python usage block"
    return match.group(1)


def _as_cached_download(folder: Path, repo_id: str, cache: Path) -> None:
    """Lay ``folder`` out as huggingface_hub's cache holds a downloaded ``repo_id`` at ``main``."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    shutil.copytree(folder, repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)


def _run_offline(code: str, cache: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_projection_card_snippet_runs_as_written(tiny_dir, tmp_path):
    projector = pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))
    repo_id = "someone/crop-projection-es"
    options = PublishOptions(languages=["es"], dry_run_dir=tmp_path / "repo")
    result = publish_pipeline(projector, repo_id, DEMO_METRICS, options)
    card = ModelCard.load(Path(result.local_path) / "README.md")
    assert card.data.library_name == "crop-hf"
    assert card.data.pipeline_tag in SUPPORTED_TASKS  # a task transformers 5 (and the Hub) know
    assert card.data.language == ["en", "es"]
    snippet = _snippet(Path(result.local_path) / "README.md")
    assert f'model="{repo_id}"' in snippet

    _as_cached_download(Path(result.local_path), repo_id, tmp_path / "hub")
    proc = _run_offline(snippet, tmp_path / "hub", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # it prints what the same pipeline gives in this process for the card's example sentence
    sentence = re.search(r'project\("(.*?)", src_lang="es"\)', snippet).group(1)
    expected = pipeline("crop-projection", model=result.local_path)(sentence, src_lang="es")
    printed = proc.stdout.strip().splitlines()[-1]
    entities = [(e["word"], e["entity_group"]) for e in expected["entities"]]
    assert printed == f"{expected['kept']} {expected['tags']} {entities}"


def test_taskless_load_of_a_published_pipeline_names_crop_hf(tiny_dir, tmp_path, monkeypatch):
    """Without the task, transformers asks the Hub for the repo's card metadata: library_name sends users to us."""
    import transformers.pipelines as hf_pipelines

    projector = pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))
    options = PublishOptions(languages=["es"], dry_run_dir=tmp_path / "r")
    result = publish_pipeline(projector, "someone/crop-projection-es", options=options)
    card = ModelCard.load(Path(result.local_path) / "README.md")
    asked = []

    class Hub:  # the Hub's answer for this repository: its card's metadata
        def model_info(self, repo_id, token=None):
            asked.append(repo_id)
            return SimpleNamespace(pipeline_tag=card.data.pipeline_tag, library_name=card.data.library_name)

    monkeypatch.setattr(hf_pipelines, "hf_api", Hub)
    monkeypatch.setattr(hf_pipelines, "is_offline_mode", lambda: False)
    with pytest.raises(RuntimeError, match="^This model is meant to be used with crop-hf not with transformers$"):
        pipeline(model=result.local_path)
    assert asked == [result.local_path]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "`This model is meant to be used with crop-hf not with transformers`" in readme  # the README quotes it


def test_ner_card_snippet_runs_as_written(tiny_dir, tmp_path):
    repo_id = "someone/crop-ner"
    result = publish_ner_model(tiny_dir / "xlmr", repo_id, DEMO_METRICS, PublishOptions(dry_run_dir=tmp_path / "repo"))
    card = ModelCard.load(Path(result.local_path) / "README.md")
    assert card.data.library_name == "transformers"  # a plain token classifier: the Hub's own snippet works
    assert card.data.pipeline_tag == "token-classification" and "token-classification" in SUPPORTED_TASKS
    assert card.data.language[0] == "en" and len(card.data.language) > 1
    snippet = _snippet(Path(result.local_path) / "README.md")

    _as_cached_download(Path(result.local_path), repo_id, tmp_path / "hub")
    proc = _run_offline(snippet, tmp_path / "hub", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    printed = proc.stdout.strip().splitlines()[-1]
    assert printed.startswith("[") and printed.endswith("]")  # a list of entity dicts (maybe empty: random weights)
    sentence = re.search(r'print\(ner\("(.*?)"\)\)', snippet).group(1)
    expected = pipeline("token-classification", model=str(tiny_dir / "xlmr"), aggregation_strategy="first")(sentence)
    assert printed == str(expected)
