"""Hub I/O (crop_hf.base.hub) and publishing (crop_hf.publish.publishing), shown with a mocked HfApi: what would be uploaded,
where, how; dry runs that load back."""

import json
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

torch = pytest.importorskip("torch")
from conftest import gold_phrase_features  # noqa: E402
from huggingface_hub import DatasetCard, ModelCard  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled, Response  # noqa: E402
from test_model_card import DEMO_METRICS  # noqa: E402
from transformers import pipeline  # noqa: E402

import crop_hf  # noqa: E402,F401
from crop_hf import cli  # noqa: E402
from crop_hf.base.hub import HubPermissionError, HubUnavailableError, download_file, prepare_repo, push_folder  # noqa: E402
from crop_hf.publish.publishing import PublishOptions, publish_dataset, publish_ner_model, publish_pipeline  # noqa: E402
from crop_hf.scripts.push import main as push_main  # noqa: E402

FAKE_TOKEN = "hf_crophfTestTokenThatMustNotLeak"
SENTENCES = ["Ana Ruiz vive en Madrid .", "Pedro trabaja para Banco Sur en Sevilla .", "Marta visitó Bilbao ."]


def mocked_api(snapshots=None):
    """An HfApi stand-in whose upload_folder records the files present in the folder at upload time."""
    api = mock.MagicMock(name="HfApi")

    def upload_folder(**kwargs):
        root = Path(kwargs["folder_path"])
        if snapshots is not None:
            snapshots.append({p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()})
        info = SimpleNamespace(commit_url=f"https://huggingface.co/{kwargs['repo_id']}/commit/abc123")
        if kwargs.get("run_as_future"):
            future = Future()
            future.set_result(info)
            return future
        return info

    api.upload_folder.side_effect = upload_folder
    api.create_repo.side_effect = lambda repo_id, **kw: SimpleNamespace(repo_id=repo_id)
    return api


@pytest.fixture(scope="module")
def projector(tiny_dir):
    return pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))


@pytest.fixture()
def model_folder(tmp_path):
    root = tmp_path / "model"
    for name in ("config.json", "model.safetensors", "training_args.bin", "checkpoint-5/model.safetensors",
                 "sub/__pycache__/x.pyc", "sub/notes.txt"):  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    return root


def test_push_folder_creates_repo_and_branch_then_uploads_one_commit(model_folder):
    api = mocked_api()
    result = push_folder(model_folder, "someone/lst", private=True, revision="dev", commit_message="v1", api=api)
    assert result.files == ["config.json", "model.safetensors", "sub/notes.txt"]  # no checkpoints, pickles, caches
    assert (result.repo_type, result.private, result.revision, result.dry_run) == ("model", True, "dev", False)
    assert result.url == "https://huggingface.co/someone/lst/tree/dev"
    assert result.commit_url == "https://huggingface.co/someone/lst/commit/abc123"
    names = [c[0] for c in api.mock_calls]
    assert names == ["create_repo", "create_branch", "upload_folder"]
    api.create_repo.assert_called_once_with("someone/lst", repo_type="model", private=True, exist_ok=True)
    api.create_branch.assert_called_once_with("someone/lst", branch="dev", repo_type="model", exist_ok=True)
    kwargs = api.upload_folder.call_args.kwargs
    assert (kwargs["repo_id"], kwargs["repo_type"], kwargs["revision"], kwargs["commit_message"]) == (
        "someone/lst", "model", "dev", "v1")  # fmt: skip
    assert "training_args.bin" in kwargs["ignore_patterns"] and kwargs["delete_patterns"] is None
    # main needs no branch; datasets get their own URL prefix
    api = mocked_api()
    result = push_folder(model_folder, "someone/data", repo_type="dataset", api=api, delete_patterns=["es/*"])
    assert "create_branch" not in [c[0] for c in api.mock_calls]
    assert result.url == "https://huggingface.co/datasets/someone/data" and result.commit_message.startswith(
        "Upload 3"
    )
    assert api.upload_folder.call_args.kwargs["delete_patterns"] == ["es/*"]


def test_dry_run_copies_exactly_the_files_and_touches_no_api(model_folder, tmp_path):
    api = mocked_api()
    result = push_folder(model_folder, "someone/lst", dry_run_dir=tmp_path / "out", api=api)
    assert api.mock_calls == []
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == result.files == ["config.json", "model.safetensors", "sub/notes.txt"]
    assert result.location == str(tmp_path / "out") and "dry run: 3 files" in result.summary()
    with pytest.raises(ValueError, match="inside"):
        push_folder(model_folder, "someone/lst", dry_run_dir=model_folder / "sub" / "out")
    for target in (model_folder, model_folder.parent):  # the folder itself, or a folder above it
        with pytest.raises(ValueError, match="is the folder|above"):
            push_folder(model_folder, "someone/lst", dry_run_dir=target)


def test_bad_inputs_and_hub_failures_say_what_to_do(model_folder, tmp_path, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)  # as HF_HUB_OFFLINE=1 sets it
    with pytest.raises(ValueError, match="your-username/lst"):
        push_folder(model_folder, "lst", dry_run_dir=tmp_path / "o")
    with pytest.raises(ValueError, match="repo_type='collection'"):
        push_folder(model_folder, "someone/lst", repo_type="collection", dry_run_dir=tmp_path / "o")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        push_folder(tmp_path / "missing", "someone/lst")
    # offline, the real HfApi refuses before any network
    with pytest.raises(HubUnavailableError, match=r"someone/lst: the Hub cannot be reached.*dry_run") as err:
        push_folder(model_folder, "someone/lst")
    assert isinstance(err.value.__cause__, OfflineModeIsEnabled)
    with pytest.raises(HubUnavailableError, match="not in the local cache"):
        download_file("someone/not-cached-anywhere", "crop_projection.json")
    api = mocked_api()
    request = mock.MagicMock(url="https://huggingface.co/api/repos/create", method="POST")
    api.create_repo.side_effect = HfHubHTTPError("401 Unauthorized", response=Response(401, request=request))
    with pytest.raises(HubPermissionError, match="HTTP 401.*hf auth login.*HF_TOKEN.*someone"):
        prepare_repo("someone/lst", api=api)


def test_publish_pipeline_uploads_models_card_and_config(projector, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    snapshots = []
    api = mocked_api(snapshots)
    result = publish_pipeline(projector, "someone/crop-es-zh", DEMO_METRICS, PublishOptions(private=True, api=api))
    assert result.commit_message == "Upload crop-projection pipeline (LST, MT, NER models) with crop-hf"
    api.create_repo.assert_called_once_with("someone/crop-es-zh", repo_type="model", private=True, exist_ok=True)
    (uploaded,) = snapshots
    assert sorted(uploaded) == result.files
    assert {"README.md", "config.json", "model.safetensors", "crop_projection.json", "ner/config.json",
            "ner/model.safetensors"} <= set(result.files)  # fmt: skip
    config = json.loads(uploaded["crop_projection.json"])
    assert config["ner_model"] == "ner" and config["mt_model"] == "." and config["languages"] == ["es", "zh"]
    card = uploaded["README.md"].decode()
    assert "value: 89.87" in card and 'model="someone/crop-es-zh"' in card
    assert not any(FAKE_TOKEN.encode() in content for content in uploaded.values())
    assert not any(b"crop-hf-push-" in uploaded[name] for name in ("README.md", "crop_projection.json", "config.json"))


def test_pipeline_pushed_by_dry_run_loads_back_with_the_same_outputs(projector, tmp_path):
    before = projector(SENTENCES, src_lang="es", check_language=False)
    options = PublishOptions(languages=["es"], dry_run_dir=tmp_path / "repo")
    result = publish_pipeline(projector, "someone/crop-es", options=options)
    assert ModelCard.load(tmp_path / "repo" / "README.md").data.language == ["en", "es"]
    reloaded = pipeline("crop-projection", model=result.local_path)
    assert reloaded.ner_model is not None and reloaded.crop_config.languages == ["es"]
    assert reloaded(SENTENCES, src_lang="es", check_language=False) == before
    labeled = {"tokens": ["Ana", "lives", "in", "Madrid"], "tags": ["B-PER", "O", "O", "B-LOC"]}
    assert reloaded(labeled, tgt_lang="es", mode="translate-train") == projector(
        labeled, tgt_lang="es", mode="translate-train")  # fmt: skip
    for ours, theirs in ((projector.model, reloaded.model), (projector.ner_model, reloaded.ner_model)):
        a, b = ours.state_dict(), theirs.state_dict()
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    # a folder written by save_pretrained is published the same way
    again = publish_pipeline(
        result.local_path, "someone/crop-es", options=PublishOptions(dry_run_dir=tmp_path / "again")
    )
    assert again.files == result.files


def test_publish_ner_model_leaves_checkpoints_and_pickles_out(tiny_dir, tmp_path):
    import shutil

    model = tmp_path / "round_2"
    shutil.copytree(tiny_dir / "xlmr", model)
    (model / "training_args.bin").write_bytes(b"pickle")
    (model / "checkpoint-10").mkdir()
    (model / "checkpoint-10" / "optimizer.pt").write_bytes(b"state")
    api = mocked_api()
    result = publish_ner_model(model, "someone/crop-ner", DEMO_METRICS, PublishOptions(revision="v2", api=api))
    assert "README.md" in result.files and "config.json" in result.files
    assert not any(f.startswith("checkpoint-") or f.endswith(".bin") for f in result.files)
    assert api.upload_folder.call_args.kwargs["revision"] == "v2"
    assert api.upload_folder.call_args.kwargs["commit_message"] == "Upload CROP self-trained NER model with crop-hf"


def test_publish_dataset_splits_languages_into_configs(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets import load_dataset

    rows = {"id": ["a", "b", "c"], "lang": ["es", "zh", "es"], "tokens": [["Ana"], ["北京"], ["Bilbao"]],
            "tags": [["B-PER"], ["B-LOC"], ["B-LOC"]]}  # fmt: skip
    pq.write_table(pa.table(rows), tmp_path / "projected.parquet")
    result = publish_dataset(
        tmp_path / "projected.parquet", "someone/projected", PublishOptions(dry_run_dir=tmp_path / "repo")
    )
    assert result.files == [
        "README.md",
        "data/es/train-00000-of-00001.parquet",
        "data/zh/train-00000-of-00001.parquet",
    ]
    assert result.repo_type == "dataset"
    es = load_dataset(str(tmp_path / "repo"), "es", split="train")
    assert es["id"] == ["a", "c"]
    # a built dataset folder (with its card) goes up as it is
    api = mocked_api()
    again = publish_dataset(tmp_path / "repo", "someone/projected", PublishOptions(api=api, commit_message="rebuild"))
    assert again.files == result.files and api.upload_folder.call_args.kwargs["repo_type"] == "dataset"
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "nolang.parquet")
    with pytest.raises(ValueError, match="no 'lang' column"):
        publish_dataset(tmp_path / "nolang.parquet", "someone/x", PublishOptions(dry_run_dir=tmp_path / "n"))
    # its one language comes from the options, and so do the card's title and licence
    options = PublishOptions(languages=["de"], pretty_name="Wörter", license="cc-by-4.0", dry_run_dir=tmp_path / "de")
    single = publish_dataset(tmp_path / "nolang.parquet", "someone/x", options)
    assert single.files == ["README.md", "data/de/train-00000-of-00001.parquet"]
    card = DatasetCard.load(tmp_path / "de" / "README.md")
    assert (card.data.pretty_name, card.data.license, card.data.language) == ("Wörter", "cc-by-4.0", ["de"])


def test_cli_push_dry_run_and_card_only(projector, tmp_path, capsys):
    projector.save_pretrained(tmp_path / "saved")
    (tmp_path / "metrics.json").write_text(json.dumps(DEMO_METRICS))
    common = ["--kind", "pipeline", "--path", str(tmp_path / "saved"), "--repo_id", "someone/crop",
              "--metrics", str(tmp_path / "metrics.json")]  # fmt: skip
    assert cli.main(["push", *common, "--revision", "dev", "--dry_run", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "to be pushed to model repo someone/crop@dev (private=False)" in out and "  crop_projection.json" in out
    assert push_main([*common, "--dry_run", str(tmp_path / "card"), "--card_only"]) == 0
    assert sorted(p.name for p in (tmp_path / "card").iterdir()) == ["README.md"]
    assert push_main([*common, "--card_only"]) == 2  # --card_only without --dry_run: a one-line error


def test_cli_push_publishes_only_what_a_model_needs_and_never_writes_into_the_source(projector, tmp_path, capsys):
    saved = tmp_path / "saved"
    projector.save_pretrained(saved)
    (saved / ".env").write_text(f"HF_TOKEN={FAKE_TOKEN}\n")
    (saved / ".git").mkdir()
    (saved / ".git" / "config").write_text("[remote]")
    (saved / "notes.txt").write_text(f"my token {FAKE_TOKEN}")
    (saved / "ner" / "eval.jsonl").write_text("{}\n")
    before = {p: p.read_bytes() for p in saved.rglob("*") if p.is_file()}
    common = ["push", "--kind", "pipeline", "--path", str(saved), "--repo_id", "someone/crop", "--languages", "es"]
    assert cli.main([*common, "--dry_run", str(tmp_path / "out")]) == 0
    listed = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert listed == written and "crop_projection.json" in written and "ner/model.safetensors" in written
    assert not {".env", ".git/config", "notes.txt", "ner/eval.jsonl"} & set(written)
    assert not any(FAKE_TOKEN.encode() in p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    # a dry run into the folder, inside it or above it would change what is published: refused, nothing written
    for target in (saved, saved / "dry", tmp_path):
        assert cli.main([*common, "--dry_run", str(target)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert (
            line.startswith(f"crop-hf push: error: --dry_run {target}: is ") and "write it to a folder outside" in line
        )
    # a link leading outside the folder would publish its target: refused in one line
    token_file = tmp_path / "token"
    token_file.write_text(FAKE_TOKEN)
    (saved / "tokenizer_extra.json").symlink_to(token_file)
    assert cli.main([*common, "--dry_run", str(tmp_path / "out2")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert (
        f"tokenizer_extra.json: a link to {token_file}, outside {saved}" in line and not (tmp_path / "out2").exists()
    )
    (saved / "tokenizer_extra.json").unlink()
    assert {p: p.read_bytes() for p in saved.rglob("*") if p.is_file()} == before  # the source never changed
    # no languages anywhere (none saved, no metrics, no --languages): the user's to give, in one line
    assert cli.main([*common[:-2], "--dry_run", str(tmp_path / "out3")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ("crop-hf push: error: someone/crop: no target languages known: pass languages=[...] "
                    "(--languages), or metrics of the run")  # fmt: skip


def test_trainer_push_to_hub_goes_through_hf_api(tiny_dir, tmp_path, monkeypatch):
    """LabeledSeq2SeqTrainer pushes through the Trainer's own path: repo at init, each save, and push_to_hub()."""
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    from datasets import Dataset
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from crop_hf.training.collator import DataCollatorForLabeledSeq2Seq
    from crop_hf.training.trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments

    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    args = LabeledSeq2SeqTrainingArguments(
        output_dir=str(tmp_path / "lst"), max_steps=2, per_device_train_batch_size=4, report_to=[], use_cpu=True,
        save_strategy="steps", save_steps=2, disable_tqdm=True, push_to_hub=True, hub_model_id="someone/lst",
        hub_private_repo=True, hub_revision="dev",
    )  # fmt: skip

    def make_trainer():
        return LabeledSeq2SeqTrainer(
            model=AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100"), args=args, processing_class=tok,
            train_dataset=Dataset.from_list(gold_phrase_features(4)), data_collator=DataCollatorForLabeledSeq2Seq(tok),
        )  # fmt: skip

    with pytest.raises(OfflineModeIsEnabled):  # offline, the Trainer fails at construction, before any training
        make_trainer()
    snapshots = []
    api = mocked_api(snapshots)
    with mock.patch("transformers.trainer.hf_api", return_value=api):
        trainer = make_trainer()
        trainer.train()
        trainer.push_to_hub(language=["en", "es"], tags=["crop-hf"])
    api.create_repo.assert_called_once_with("someone/lst", token=None, private=True, exist_ok=True)
    assert "create_branch" not in [
        c[0] for c in api.mock_calls
    ]  # the branch must exist: crop_hf.base.hub.prepare_repo
    messages = [c.kwargs["commit_message"] for c in api.upload_folder.call_args_list]
    assert messages == ["Training in progress, step 2", "End of training"]
    assert all(c.kwargs["revision"] == "dev" and "checkpoint-*" in c.kwargs["ignore_patterns"]
               for c in api.upload_folder.call_args_list)  # fmt: skip
    final = snapshots[-1]
    assert {"README.md", "config.json", "model.safetensors", "sentencepiece.bpe.model"} <= set(final)
    assert "training_args.bin" in final  # the Trainer uploads the pickled arguments: never put hub_token in them
    assert ModelCard.load(tmp_path / "lst" / "README.md").data.language == ["en", "es"]


def test_training_args_pickle_never_holds_the_hub_token(tmp_path):
    import pickle

    from crop_hf.training.selftrain import SelfTrainingArguments
    from crop_hf.training.trainer import LabeledSeq2SeqTrainingArguments

    for cls in (LabeledSeq2SeqTrainingArguments, SelfTrainingArguments):
        args = cls(output_dir=str(tmp_path), hub_token="hf_not_a_real_secret", report_to=[], use_cpu=True)
        blob = pickle.dumps(args)
        assert b"hf_not_a_real_secret" not in blob
        assert args.hub_token == "hf_not_a_real_secret"  # the live object keeps it for the push itself
        assert pickle.loads(blob).hub_token is None and pickle.loads(blob).output_dir == str(tmp_path)
