import json

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
