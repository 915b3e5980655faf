import hashlib
import json
import shutil
from pathlib import Path

import pytest
from run_checks import score_values

from crop_hf.cli import main

SMALL = [
    "--set", "languages=[es,zh]", "--set", "data.english.limit=80", "--set", "data.parallel.limit=40",
    "--set", "data.target_raw.limit=10", "--set", "data.target_test.limit=6", "--set", "lst.max_steps=80",
    "--set", "data.lst_test.limit=10", "--set", "lst_quality.heldout_pairs=4", "--set", "translate_train.sentences=40",
]  # fmt: skip


@pytest.mark.slow
def test_demo_runs_end_to_end_and_reuses_stages(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--output-dir", str(out), *SMALL]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["languages"] == ["es", "zh"]
    for lang in ("es", "zh"):
        proj = metrics["projection"][lang]
        assert 0.0 <= proj["f1"] <= 100.0 and proj["total"] == 10
        assert proj["kept"] + sum(proj["drops"].values()) == proj["total"]
        assert set(metrics["evaluation"][lang]) == {"zero_shot", "translate_train", "translate_test", "crop"}
        # translate-test: every test sentence through the pipeline, each counted (kept or a reason)
        tt = metrics["translate_test"]["languages"][lang]
        assert (
            tt["total"] == metrics["data"]["target_test"][lang]
            and tt["kept"] + sum(tt["drops"].values()) == tt["total"]
        )
        assert 0.0 <= metrics["lst"]["entity_accuracy"][lang] <= 100.0
        quality = metrics["lst_quality"]
        # 4 pairs held out per language; the demo's slots are on names (lst.slot_phrases), and a held-out pair
        # without one is left out of the measure
        labeled = quality["labeled"][lang]
        assert quality["translation"][lang]["sentences"] == 10 and 1 <= labeled["pairs"] <= 4
        assert labeled["slots"] >= labeled["pairs"]
        assert set(quality["translation"][lang]["x_en"]) == {"bleu", "chrf++", "tokenize"}
        assert metrics["translate_train"]["languages"][lang]["total"] == 40
        assert not {"slots_lost", "unmatched_entity"} & set(proj["drops"])  # the demo decodes constrained
    assert metrics["decoding"] == {"decoding": "constrained", "min_slot_score": 0.2}
    assert metrics["lst"]["heldout_pairs"] == 2 * 4
    for key, values in score_values(metrics).items():  # every score in percent (tiny data: not all measured)
        assert all(0.0 <= v <= 100.0 and round(v, 2) == v for v in values), (key, values)
    assert metrics["scale"] in (out / "report.md").read_text()
    assert (out / "report.md").read_text().startswith("# crop-hf run report: demo")
    assert (out / "f1_per_language.png").stat().st_size > 1000
    saved = json.loads((out / "models" / "crop-projection" / "crop_projection.json").read_text())
    assert saved["languages"] == ["es", "zh"]  # what the app's Sentence view and the card offer
    card = (out / "models" / "crop-projection" / "README.md").read_text()
    assert "crop-projection" in card and "model-index" in card
    first = {name: s["reused"] for name, s in metrics["stages"].items()}
    assert not any(first.values())
    capsys.readouterr()
    assert main(["demo", "--output-dir", str(out), *SMALL]) == 0
    again = json.loads((out / "metrics.json").read_text())
    assert all(s["reused"] for s in again["stages"].values())
    assert again["evaluation"] == metrics["evaluation"]
    assert "unchanged, reused" in capsys.readouterr().out


@pytest.mark.slow
def test_demo_with_the_same_alignment_gives_the_same_numbers(tmp_path):
    """Everything after word alignment is deterministic: a second run in a fresh folder, given the first run's
    data, initial models and phrase pairs, reproduces every number. (eflomal seeds its sampler from
    /dev/urandom and has no seed option, so the alignment itself is the one part that varies between runs.)"""
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["demo", "--output-dir", str(first), *SMALL]) == 0
    for rel in ("data", "models/m2m100-init", "models/xlmr-init", "models/spm.model"):
        copy = shutil.copytree if (first / rel).is_dir() else shutil.copy2
        copy(first / rel, second / rel)
    for stage in ("data", "models", "align"):
        record = json.loads((first / "stages" / f"{stage}.json").read_text())
        (second / "stages").mkdir(parents=True, exist_ok=True)
        text = json.dumps(record).replace(str(first), str(second))
        (second / "stages" / f"{stage}.json").write_text(text)
    assert main(["demo", "--output-dir", str(second), *SMALL]) == 0
    one, two = (json.loads((d / "metrics.json").read_text()) for d in (first, second))
    assert [two["stages"][s]["reused"] for s in ("data", "models", "align", "train_lst")] == [True, True, True, False]
    for key in ("projection", "evaluation"):
        assert one[key] == two[key], key
    assert one["lst"]["last_log"] == two["lst"]["last_log"]
    assert one["lst"]["entity_accuracy"] == two["lst"]["entity_accuracy"]
    assert [r["train_loss"] for r in one["selftrain"]["rounds"]] == [
        r["train_loss"] for r in two["selftrain"]["rounds"]
    ]


def _contents(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.mark.slow
def test_a_moved_run_folder_reruns_from_anywhere_and_pushes_from_itself(tmp_path, monkeypatch, capsys):
    """A finished run copied elsewhere and rerun from a folder that holds the original at ./demo_output reuses
    every stage and writes only into the copy: the cards and the push (dry run, then a mocked Hub) included."""
    from unittest import mock

    import huggingface_hub

    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--output-dir", "demo_output", *SMALL]) == 0
    original = _contents(tmp_path / "demo_output")
    record = json.loads((tmp_path / "demo_output" / "stages" / "selftrain.json").read_text())
    assert not Path(record["result"]["model_dir"]).is_absolute()
    assert (tmp_path / "demo_output" / record["result"]["model_dir"] / "config.json").is_file()
    shutil.copytree(tmp_path / "demo_output", tmp_path / "elsewhere" / "copy")
    capsys.readouterr()
    push = ["--set", "publish.push=true", "--set", "publish.pipeline_repo=me/p", "--set", "publish.ner_repo=me/n",
            "--set", "publish.dry_run=true"]  # fmt: skip
    assert main(["demo", "--output-dir", "elsewhere/copy", *SMALL, *push]) == 0
    copy = tmp_path / "elsewhere" / "copy"
    metrics = json.loads((copy / "metrics.json").read_text())
    rerun = sorted(name for name, s in metrics["stages"].items() if not s["reused"])
    assert rerun == ["cards", "push"]
    assert _contents(tmp_path / "demo_output") == original  # the original run is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_output", "elsewhere"]
    pushed = {key: copy / "push" / key for key in ("pipeline", "ner")}
    assert (pushed["pipeline"] / "crop_projection.json").is_file() and (pushed["ner"] / "config.json").is_file()
    for folder in pushed.values():
        names = [p.name for p in folder.rglob("*")]
        assert "README.md" in names and "model.safetensors" in names
        assert not [n for n in names if n.endswith((".bin", ".pt", ".pkl")) or n.startswith("checkpoint-")]
    assert "me/p" in (pushed["pipeline"] / "README.md").read_text()

    # the same push against a mocked Hub: repositories created, the revision branch, one commit each, the token
    # taken from huggingface_hub's own sources (HF_TOKEN here) and written nowhere
    calls: list[tuple] = []

    class FakeApi(huggingface_hub.HfApi):
        def create_repo(self, repo_id, **kwargs):
            calls.append(("create_repo", repo_id, kwargs.get("repo_type"), kwargs.get("private")))

        def create_branch(self, repo_id, **kwargs):
            calls.append(("create_branch", repo_id, kwargs.get("branch")))

        def upload_folder(self, **kwargs):
            files = sorted(p.name for p in Path(kwargs["folder_path"]).iterdir())
            token = huggingface_hub.get_token()
            calls.append(
                ("upload_folder", kwargs["repo_id"], kwargs["revision"], kwargs["commit_message"], token, files)
            )
            return mock.Mock(commit_url=f"https://huggingface.co/{kwargs['repo_id']}/commit/abc")

    monkeypatch.setenv("HF_TOKEN", "hf_secret_test_token")
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    live = [*push[:-1], "publish.dry_run=false", "--set", "publish.revision=v1"]
    assert main(["demo", "--output-dir", "elsewhere/copy", *SMALL, *live]) == 0
    metrics = json.loads((copy / "metrics.json").read_text())
    assert sorted(name for name, s in metrics["stages"].items() if not s["reused"]) == ["push"]
    assert [c[:3] for c in calls if c[0] != "upload_folder"] == [
        ("create_repo", "me/p", "model"), ("create_branch", "me/p", "v1"),
        ("create_repo", "me/n", "model"), ("create_branch", "me/n", "v1"),
    ]  # fmt: skip
    uploads = [c for c in calls if c[0] == "upload_folder"]
    assert [(c[1], c[2], c[4]) for c in uploads] == [("me/p", "v1", "hf_secret_test_token"),
                                                     ("me/n", "v1", "hf_secret_test_token")]  # fmt: skip
    assert "crop-projection" in uploads[0][3] and "README.md" in uploads[0][5] and "README.md" in uploads[1][5]
    record = (copy / "stages" / "push.json").read_text()
    assert "https://huggingface.co/me/p" in record
    leaked = [p for p in copy.rglob("*") if p.is_file() and b"hf_secret_test_token" in p.read_bytes()]
    assert not leaked
