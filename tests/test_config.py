"""crop_projection.json: one class reads, writes and resolves it; loading stays inside the checkpoint folder;
revision and token reach the config and every sub-model."""

import json
import shutil

import pytest

from crop_hf.projection.config import CONFIG_NAME, ConfigError, CropProjectionConfig, SubModel

torch = pytest.importorskip("torch")
from transformers import pipeline  # noqa: E402

import crop_hf  # noqa: E402,F401


@pytest.fixture(scope="module")
def saved(tiny_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("saved") / "crop"
    projector = pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))
    projector.save_pretrained(root)
    return root


def write(root, **entries):
    config = {"task": "crop-projection", "lst_model": ".", "ner_model": "ner", "mt_model": None, **entries}
    (root / CONFIG_NAME).write_text(json.dumps(config))


def test_round_trip_keeps_unknown_keys_and_resolves_folders(tmp_path):
    (tmp_path / "ner").mkdir()
    write(tmp_path, languages=["es"], default_lang="es", metrics={"f1": 0.5}, revisions={"mt_model": "abc"},
          mt_model="org/mt-model")  # fmt: skip
    config = CropProjectionConfig.from_pretrained(tmp_path)
    assert (config.languages, config.default_lang, config.extra) == (["es"], "es", {"metrics": {"f1": 0.5}})
    assert config.sub_model("ner_model") == SubModel(str((tmp_path / "ner").resolve()))
    assert config.sub_model("mt_model") == SubModel("org/mt-model", revision="abc")
    assert config.local_dir("ner_model") == (tmp_path / "ner").resolve() and config.local_dir("mt_model") is None
    (tmp_path / "again").mkdir()
    config.save_pretrained(tmp_path / "again")
    assert CropProjectionConfig.from_pretrained(tmp_path / "again").to_dict() == config.to_dict()
    assert CropProjectionConfig.from_pretrained(tmp_path / "ner") is None  # a folder without the file
    with pytest.raises(FileNotFoundError, match="nothing-here: no such folder, and not a Hub id"):
        CropProjectionConfig.from_pretrained(tmp_path / "nothing-here")


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"ner_model": "../../elsewhere_ner"}, "ner_model='../../elsewhere_ner' is refused"),
        ({"ner_model": "/abs/path"}, "ner_model='/abs/path' is refused"),
        ({"ner_model": "/abs/path::sub"}, "ner_model='/abs/path::sub' is refused"),
        ({"mt_model": "mt::sub"}, "mt_model='mt::sub' is refused"),
        ({"mt_model": "~/models/mt"}, "mt_model='~/models/mt' is refused"),
        ({"mt_model": "C:\\models\\mt"}, "is refused"),
        ({"ner_model": "."}, "ner_model='.' names the LST model"),
        ({"ner_model": 5}, "ner_model=5; expected a folder"),
        ({"lst_model": "../lst"}, "lst_model='../lst'; it must be '.'"),
        ({"task": "ner"}, "task='ner', expected 'crop-projection'"),
    ],
)
def test_crafted_entries_are_refused_naming_the_key_and_the_file(tmp_path, entries, message):
    write(tmp_path, **entries)
    with pytest.raises(ConfigError, match=message) as err:
        CropProjectionConfig.from_pretrained(tmp_path)
    assert str(err.value).startswith(f"{tmp_path}/{CONFIG_NAME}: ") and "\n" not in str(err.value)


def test_folders_that_escape_or_do_not_exist_are_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = tmp_path / "crop"
    root.mkdir()
    (root / "ner").symlink_to(outside, target_is_directory=True)
    write(root)
    with pytest.raises(ConfigError, match="ner_model='ner' resolves outside the checkpoint folder"):
        CropProjectionConfig.from_pretrained(root).sub_model("ner_model")
    write(root, ner_model="missing")
    with pytest.raises(ConfigError, match="'missing' is neither a folder of the checkpoint nor a Hub id"):
        CropProjectionConfig.from_pretrained(root).sub_model("ner_model")
    write(root, ner_model=None)
    with pytest.raises(ConfigError, match=f"{root}/{CONFIG_NAME}: ner_model is None, but the pipeline needs"):
        CropProjectionConfig.from_pretrained(root).sub_model("ner_model", required=True)
    (root / CONFIG_NAME).write_text('{"ner_model": "ner",')
    with pytest.raises(ConfigError, match=f"{root}/{CONFIG_NAME}: not valid JSON"):
        CropProjectionConfig.from_pretrained(root)


def test_the_pipeline_refuses_a_crafted_config_at_load(saved, tmp_path, tiny_dir):
    root = tmp_path / "crop"
    shutil.copytree(saved, root)
    shutil.copytree(tiny_dir / "xlmr", tmp_path / "elsewhere_ner")
    write(root, ner_model="../elsewhere_ner")
    with pytest.raises(ConfigError, match="ner_model='../elsewhere_ner' is refused"):
        pipeline("crop-projection", model=str(root))
    write(root, ner_model=str(tmp_path / "elsewhere_ner"))
    with pytest.raises(ConfigError, match="is refused"):
        pipeline("crop-projection", model=str(root))
    write(root, ner_model=None)
    with pytest.raises(ConfigError, match="ner_model is None, but the pipeline needs that model: pass ner_model="):
        pipeline("crop-projection", model=str(root))
    given = pipeline("crop-projection", model=str(root), ner_model=str(tiny_dir / "xlmr"))  # given: no need
    assert given.ner_model is not None


def test_revision_and_token_reach_the_config_and_every_sub_model(saved, monkeypatch, tmp_path):
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoModelForTokenClassification, AutoTokenizer

    repo, calls = "someone/crop", []
    real = {cls: cls.from_pretrained for cls in (AutoConfig, AutoModelForSeq2SeqLM, AutoModelForTokenClassification,
                                                 AutoTokenizer)}  # fmt: skip
    hub_only = ("revision", "token", "trust_remote_code", "code_revision", "local_files_only", "subfolder")

    def fake(cls):
        def from_pretrained(name, *args, **kwargs):
            calls.append((cls.__name__, name, kwargs.get("subfolder"), kwargs.get("revision"), kwargs.get("token")))
            local = (saved / kwargs.get("subfolder", "")) if name == repo else name
            return real[cls](str(local), *args, **{k: v for k, v in kwargs.items() if k not in hub_only})

        return from_pretrained

    def download_file(repo_id, filename, revision=None, repo_type="model", token=None):
        calls.append(("download_file", repo_id, filename, revision, token))
        return str(saved / filename) if (saved / filename).is_file() else None

    for cls in real:
        monkeypatch.setattr(cls, "from_pretrained", fake(cls))
    monkeypatch.setattr("crop_hf.base.hub.download_file", download_file)
    projector = pipeline("crop-projection", model=repo, revision="v1", token="hf_secret")
    loads = {(c[0], c[2]) for c in calls if c[1] == repo}
    assert {("AutoConfig", None), ("AutoModelForSeq2SeqLM", None), ("AutoTokenizer", None),
            ("download_file", CONFIG_NAME), ("AutoModelForTokenClassification", "ner"), ("AutoTokenizer", "ner")} <= loads  # fmt: skip
    assert all((c[3], c[4]) == ("v1", "hf_secret") for c in calls if c[1] == repo), calls
    assert projector.crop_config.root == repo and projector.ner_model is not None
    projector.save_pretrained(tmp_path / "again")
    assert not any(b"hf_secret" in p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file())


def test_hub_repository_entries_are_its_folders_or_other_repositories(monkeypatch):
    seen = []

    def download_file(repo_id, filename, revision=None, repo_type="model", token=None):
        seen.append((repo_id, filename, revision, token))
        return "/cache/config.json" if filename == "models/ner/config.json" else None

    monkeypatch.setattr("crop_hf.base.hub.download_file", download_file)
    config = CropProjectionConfig.from_dict({"ner_model": "models/ner", "mt_model": "org/mt"}, source="x")
    config.root, config.revision = "someone/crop", "v2"
    assert config.sub_model("ner_model", token="t") == SubModel("someone/crop", subfolder="models/ner", revision="v2")
    assert config.sub_model("mt_model", token="t") == SubModel("org/mt")  # not a folder of the repo: a Hub id
    assert seen == [
        ("someone/crop", "models/ner/config.json", "v2", "t"),
        ("someone/crop", "org/mt/config.json", "v2", "t"),
    ]
    config.ner_model = "ner"
    assert config.sub_model("ner_model") == SubModel("someone/crop", subfolder="ner", revision="v2")
    assert SubModel("someone/crop", subfolder="ner", revision="v2").load_kwargs("t") == {
        "subfolder": "ner", "revision": "v2", "token": "t"}  # fmt: skip


def test_a_deeply_nested_config_is_a_one_line_config_error(tmp_path):
    from crop_hf.projection.config import ConfigError, CropProjectionConfig

    (tmp_path / "crop_projection.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="crop_projection.json: nested too deeply to read; save the pipeline again"):
        CropProjectionConfig.from_pretrained(tmp_path)
