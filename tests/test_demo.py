import json
import shutil

import pytest

from crop_hf.cli import main

SMALL = [
    "--set", "languages=[es,zh]", "--set", "data.english.limit=80", "--set", "data.parallel.limit=40",
    "--set", "data.target_raw.limit=10", "--set", "data.target_test.limit=6", "--set", "lst.max_steps=80",
]  # fmt: skip


@pytest.mark.slow
def test_demo_runs_end_to_end_and_reuses_stages(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--output-dir", str(out), *SMALL]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["languages"] == ["es", "zh"]
    for lang in ("es", "zh"):
        proj = metrics["projection"][lang]
        assert 0.0 <= proj["f1"] <= 1.0 and proj["total"] == 10
        assert proj["kept"] + sum(proj["drops"].values()) == proj["total"]
        assert set(metrics["evaluation"][lang]) == {"zero_shot", "crop"}
        assert 0.0 <= metrics["lst"]["slot_boundary_precision"][lang] <= 1.0
    assert (out / "report.md").read_text().startswith("# crop-hf run report: demo")
    assert (out / "f1_per_language.png").stat().st_size > 1000
    assert (out / "models" / "crop-projection" / "crop_projection.json").is_file()
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
    assert one["lst"]["slot_boundary_precision"] == two["lst"]["slot_boundary_precision"]
    assert [r["train_loss"] for r in one["selftrain"]["rounds"]] == [
        r["train_loss"] for r in two["selftrain"]["rounds"]
    ]
