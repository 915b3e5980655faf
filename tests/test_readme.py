"""The README, as a newcomer meets it: the tour's blocks run as written against a demo run made here, each giving
the outcome its ``<!-- expect: ... -->`` line states; the results table is the one the recorded run gives."""

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


def _sync_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sync_demo_results", ROOT / "tools" / "sync_demo_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_block_is_what_the_recorded_demo_runs_give():
    from run_checks import check_scale

    tool = _sync_tool()
    runs = tool.recorded_runs()
    assert len(runs) >= 3  # claims rest on several fresh runs, each kept in docs/demo_runs/
    start, end = tool.START, tool.END
    block = start + README.split(start, 1)[1].split(end, 1)[0] + end
    machine = re.search(r"fresh runs of `make demo` \((.*?); the stages took", block).group(1)
    assert block == tool.results_block(runs, machine)
    for i, metrics in enumerate(runs, start=1):  # every score of each run on the one scale its report states
        check_scale(metrics, (tool.RUNS / f"run-{i}" / "report.md").read_text(encoding="utf-8"))
    # what the README's prose says about the runs is what every one of them shows
    prose = README.split(end, 1)[1].split("\n## ", 1)[0]
    langs = runs[0]["languages"]
    if "beats the English-only zero-shot model on every target language" in prose:
        assert all(m["evaluation"][x]["crop"] > m["evaluation"][x]["zero_shot"] for m in runs for x in langs)
    card = (ROOT / "model_cards" / "crop-ner-tiny-demo" / "README.md").read_text(encoding="utf-8")
    for lang in langs:  # the example cards come from the first run
        first_seed = str(runs[0]["recipe"]["seeds"][0])
        assert f"value: {runs[0]['evaluation_by_seed'][first_seed][lang]['crop']}" in card
