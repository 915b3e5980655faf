"""The README, as a newcomer meets it: the tour's blocks run as written against a demo run made here, each giving
the outcome its ``<!-- expect: ... -->`` line states; the results table is the one the recorded run gives."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
# A small demo run: the tour's commands need its saved models and data, not its quality.
SMALL_DEMO = [
    "--set", "languages=[es]", "--set", "data.english.limit=300", "--set", "data.parallel.limit=200",
    "--set", "data.target_raw.limit=60", "--set", "data.target_test.limit=30", "--set", "lst.max_steps=150",
    "--set", "ner.num_train_epochs=4", "--set", "selftrain.num_train_epochs=2", "--set", "data.lst_test.limit=20",
    "--set", "translate_train.sentences=100", "--set", "lst_quality.heldout_pairs=20",
]  # fmt: skip
BLOCK = re.compile(r"```(python|bash)\n(.*?)```\n<!-- expect: (.*?) -->", re.S)


def tour_blocks() -> list[tuple[str, str, str]]:
    tour = README.split("## A short tour", 1)[1].split("\n## ", 1)[0]
    blocks = BLOCK.findall(tour)
    fences = re.findall(r"```(?:python|bash)\n", tour)
    assert len(blocks) == len(fences), "every python/bash block of the tour is followed by <!-- expect: REGEX -->"
    return blocks


@pytest.fixture(scope="module")
def tour_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("tour")
    env = {**os.environ, "OMP_NUM_THREADS": "2", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([str(BIN / "crop-hf"), "demo", "--output-dir", "demo_output", *SMALL_DEMO], cwd=root,
                          capture_output=True, text=True, env=env, timeout=1800)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (root / "examples").symlink_to(ROOT / "examples")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(BLOCK.findall(README.split("## A short tour", 1)[1]))))
def test_tour_block_gives_the_outcome_it_states(tour_dir, index):
    kind, code, expect = tour_blocks()[index]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "TOKENIZERS_PARALLELISM": "false"}
    if kind == "python":
        cmd = [sys.executable, "-c", code]
    else:  # the installed commands of this environment stand for .venv/bin/
        cmd = ["bash", "-e", "-c", code.replace(".venv/bin/", f"{BIN}/")]
    proc = subprocess.run(cmd, cwd=tour_dir, capture_output=True, text=True, env=env, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert re.search(expect, proc.stdout, re.S), f"expected /{expect}/ in:\n{proc.stdout[-3000:]}"


def test_results_table_is_the_recorded_demo_run():
    from crop_hf.model_card import RunMetrics
    from crop_hf.run.report import results_table

    metrics = json.loads((ROOT / "docs" / "demo_metrics.json").read_text(encoding="utf-8"))
    block = README.split("<!-- demo-results:start -->", 1)[1].split("<!-- demo-results:end -->", 1)[0]
    table = [line for line in block.splitlines() if line.startswith("|")]
    assert table == results_table(RunMetrics.from_dict(metrics))
    minutes = sum(s["seconds"] for s in metrics["stages"].values()) / 60
    assert f"the stages took {minutes:.1f} min" in block
    for lang in metrics["languages"]:  # the example cards come from the same run
        e = metrics["evaluation"][lang]
        assert e["crop"] > e["zero_shot"], lang
        card = (ROOT / "model_cards" / "crop-ner-tiny-demo" / "README.md").read_text(encoding="utf-8")
        assert f"value: {e['crop']}" in card
