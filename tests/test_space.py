"""A Gradio Space for a published pipeline: `crop-hf push --space` stages app.py, requirements.txt and a card with
`sdk: gradio` (dry run: no network), the app.py loads the pipeline by its id and builds the app, and the upload goes
through push_folder as a `space` repository."""

import re
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from crop_hf import cli
from crop_hf.publish.space import SPACE_FILES, TESTED_GRADIO, publish_space, stage_space

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def saved(tiny_dir, tmp_path_factory):
    from transformers import pipeline

    import crop_hf  # noqa: F401

    folder = tmp_path_factory.mktemp("space") / "saved"
    pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr")).save_pretrained(
        folder
    )
    return folder


def test_push_space_dry_run_writes_the_three_files_of_a_gradio_space(saved, tmp_path, capsys):
    from huggingface_hub import SpaceCard

    out = tmp_path / "out"
    argv = ["push", "--kind", "pipeline", "--path", str(saved), "--repo_id", "someone/crop-es", "--revision", "v1",
            "--languages", "es", "--space", "someone/crop-es-demo", "--dry_run", str(out)]  # fmt: skip
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert f"written to {out}-space, to be pushed to space repo someone/crop-es-demo@main" in printed
    assert (out / "crop_projection.json").is_file()  # the pipeline's own dry run is unchanged
    space = Path(f"{out}-space")
    assert sorted(p.name for p in space.iterdir()) == sorted(SPACE_FILES)
    card = SpaceCard.load(space / "README.md")
    assert (card.data.sdk, card.data.sdk_version, card.data.app_file) == ("gradio", TESTED_GRADIO, "app.py")
    assert card.data.models == ["someone/crop-es"] and "revision `v1`" in card.text
    app_py = (space / "app.py").read_text(encoding="utf-8")
    assert "pipeline('crop-projection', model='someone/crop-es', revision='v1')" in app_py
    compile(app_py, "app.py", "exec")
    assert (space / "requirements.txt").read_text().startswith("crop-hf[app]==")


def test_the_gradio_of_the_space_card_is_the_tested_one():
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M))
    assert pins.get("gradio") == TESTED_GRADIO


def test_space_app_py_loads_the_pipeline_by_its_id_and_builds_the_app(saved, tmp_path, monkeypatch):
    gradio = pytest.importorskip("gradio", reason="gradio is missing: pip install 'crop-hf[app]'")
    from transformers import pipeline

    stage_space("someone/crop-es", tmp_path)
    loaded = []

    def from_hub(task, model, **kwargs):  # the Hub is offline here: the saved folder stands for the repository
        loaded.append((task, model, kwargs))
        return pipeline(task, model=str(saved))

    monkeypatch.setattr("transformers.pipeline", from_hub)
    namespace = {"__name__": "space_app"}  # not __main__: build, do not launch
    exec(compile((tmp_path / "app.py").read_text(encoding="utf-8"), "app.py", "exec"), namespace)
    assert loaded == [("crop-projection", "someone/crop-es", {})]
    assert isinstance(namespace["demo"], gradio.Blocks)


def test_publish_space_creates_a_gradio_space_and_uploads_one_commit(tmp_path):
    api = mock.MagicMock(name="HfApi")
    api.upload_folder.return_value = SimpleNamespace(commit_url="https://huggingface.co/spaces/someone/demo/commit/1")
    result = publish_space("someone/crop-es", "someone/demo", private=True, api=api)
    api.create_repo.assert_called_once_with("someone/demo", repo_type="space", private=True, exist_ok=True,
                                            space_sdk="gradio")  # fmt: skip
    kwargs = api.upload_folder.call_args.kwargs
    assert (kwargs["repo_id"], kwargs["repo_type"]) == ("someone/demo", "space")
    assert sorted(result.files) == sorted(SPACE_FILES) and result.url == "https://huggingface.co/spaces/someone/demo"


def test_space_needs_a_pipeline_push(saved, tmp_path, capsys):
    base = ["push", "--path", str(saved), "--repo_id", "someone/x", "--dry_run", str(tmp_path / "o")]
    assert cli.main([*base, "--kind", "ner", "--space", "someone/demo"]) == 2
    assert "--space publishes the app of a pipeline" in capsys.readouterr().err
    assert cli.main([*base, "--kind", "pipeline", "--space", "not a repo"]) == 2
    assert "--space not a repo: not a Hub repository id" in capsys.readouterr().err


def test_a_pushed_pipeline_and_its_space_the_space_pinned_to_the_commit_just_pushed(saved, monkeypatch, capsys):
    uploads = []

    def upload_folder(**kwargs):
        root = Path(kwargs["folder_path"])
        uploads.append({p.name: p.read_text(errors="replace") for p in root.iterdir() if p.is_file()})
        return SimpleNamespace(commit_url=f"https://huggingface.co/{kwargs['repo_id']}/commit/c0ffee", oid="c0ffee12")

    api = mock.MagicMock(name="HfApi")
    api.upload_folder.side_effect = upload_folder
    monkeypatch.setattr("huggingface_hub.HfApi", lambda *a, **k: api)
    argv = ["push", "--kind", "pipeline", "--path", str(saved), "--repo_id", "someone/crop-es", "--languages", "es",
            "--space", "someone/crop-es-demo"]  # fmt: skip
    assert cli.main(argv) == 0
    pipeline_files, space_files = uploads
    assert "crop_projection.json" in pipeline_files
    # a later push to someone/crop-es does not change what the running Space loads
    assert "pipeline('crop-projection', model='someone/crop-es', revision='c0ffee12')" in space_files["app.py"]
