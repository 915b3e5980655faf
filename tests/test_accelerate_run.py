"""A whole recipe under ``accelerate launch`` with two CPU processes: the training stages and projection run on
both, the other stages on the main process, and the run ends with the same artefacts as a single process."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = [
    "--set", "languages=[es]", "--set", "data.english.limit=40", "--set", "data.parallel.limit=24",
    "--set", "data.target_raw.limit=12", "--set", "data.target_test.limit=6", "--set", "lst.max_steps=8",
    "--set", "ner.num_train_epochs=1", "--set", "selftrain.num_train_epochs=1", "--set", "projection.shard_size=4",
    "--set", "alignment.method=gold", "--set", "data.lst_test.limit=6", "--set", "lst_quality.heldout_pairs=2",
]  # fmt: skip


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_demo_recipe_under_two_processes(tmp_path):
    accelerate = str(Path(sys.executable).with_name("accelerate"))
    cmd = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision",
           "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port()), "-m", "crop_hf.cli", "run",
           "demo", "--output-dir", str(tmp_path / "run"), *TINY]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / "run"
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["evaluation"]["es"]) == {"zero_shot", "translate_train", "translate_test", "crop"}
    # translate-test ran once (on the main process) over the whole test set
    predicted = (out / "translate_test" / "es.jsonl").read_text().splitlines()
    assert (
        len(predicted) == metrics["data"]["target_test"]["es"] == metrics["translate_test"]["languages"]["es"]["total"]
    )
    # translate-train: each process translated every other English sentence, and the stage read both halves
    parts = sorted(p.name for p in (out / "translated").glob("es.*.jsonl"))
    assert parts == ["es.0-of-2.jsonl", "es.1-of-2.jsonl"]
    assert metrics["translate_train"]["languages"]["es"]["total"] == 40
    assert metrics["projection"]["es"]["total"] == 12
    # projection shards were split between the processes (shard k on process k % 2) and all 3 were written
    assert len(list((out / "projected" / "es").glob("shard-*.parquet"))) == 3
    round_metrics = json.loads((out / "models" / "crop-ner" / "round_1" / "metrics.json").read_text())
    assert round_metrics["world_size"] == 2
    assert proc.stdout.count("[1] data: done") == 1  # stage messages come from the main process only
