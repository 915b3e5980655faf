"""examples/selftrain.py under ``accelerate launch`` with two CPU processes (gloo), against one plain process."""

import json
import math
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch")

from transformers import AutoModelForTokenClassification  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "examples" / "accelerate_configs"
SOURCE, PROJECTED, DISCARDED, BATCH = 64, 16, 16, 8  # 64 + 2 langs * 16 = 96 sentences in round 0


def _script_args(model, output_dir):
    return [
        str(ROOT / "examples" / "selftrain.py"),
        "--model_name_or_path", model, "--synthetic", "--synthetic_langs", "es,de",
        "--synthetic_source", str(SOURCE), "--synthetic_projected", str(PROJECTED),
        "--synthetic_discarded", str(DISCARDED), "--synthetic_eval", "10",
        "--output_dir", str(output_dir), "--num_train_epochs", "1", "--per_device_train_batch_size", str(BATCH),
        "--learning_rate", "1e-3", "--confidence_threshold", "0", "--disable_tqdm", "true",
    ]  # fmt: skip


def _run(cmd):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # library noise is quieted (issue 17): no weight-loading bars, no DDP unused-parameter warning
    assert "Loading weights" not in proc.stderr and "find_unused_parameters" not in proc.stderr, proc.stderr[-3000:]
    # the command's summary line, printed once (by the main process)
    assert sum(line.startswith("crop-hf selftrain: ") for line in proc.stdout.splitlines()) == 1, proc.stdout
    summaries = [json.loads(m) for m in re.findall(r"crop-hf rank summary: (\{[^}]*\})", proc.stdout)]
    return sorted(summaries, key=lambda s: s["rank"])


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_cpu_processes_share_the_work(tiny_xlmr, tmp_path):
    accelerate = str(Path(sys.executable).with_name("accelerate"))
    launch = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
              "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port())]  # fmt: skip
    two = _run(launch + _script_args(tiny_xlmr, tmp_path / "two"))
    one = _run([sys.executable] + _script_args(tiny_xlmr, tmp_path / "one"))

    # both processes ran, in a world of two, and each took half the optimizer steps of a single process
    assert [s["rank"] for s in two] == [0, 1] and {s["world_size"] for s in two} == {2}
    assert one[0]["world_size"] == 1
    n_round0 = SOURCE + 2 * PROJECTED
    assert two[0]["steps"][0] == two[1]["steps"][0] == math.ceil(n_round0 / (2 * BATCH))
    assert one[0]["steps"][0] == math.ceil(n_round0 / BATCH) == 2 * two[0]["steps"][0]

    for run in ("one", "two"):
        summary = json.loads((tmp_path / run / "selftrain_results.json").read_text())
        assert [r["round"] for r in summary["rounds"]] == [0, 1]
        for r in summary["rounds"]:
            assert set(r["f1"]) == {"es", "de"} and all(0.0 <= f <= 1.0 for f in r["f1"].values())
        # re-labelling is gathered from both processes: every discarded sentence was judged exactly once
        judged = {k: v for k, v in summary["rounds"][1]["data"].items() if k not in ("source", "projected")}
        assert sum(judged.values()) == 2 * DISCARDED
        model = AutoModelForTokenClassification.from_pretrained(summary["model_dir"])
        assert model.config.id2label[1] == "B-PER"
        metrics = json.loads((tmp_path / run / "round_1" / "metrics.json").read_text())
        assert metrics["world_size"] == (2 if run == "two" else 1)


def test_shipped_accelerate_configs():
    configs = {p.stem: yaml.safe_load(p.read_text()) for p in CONFIGS.glob("*.yaml")}
    assert set(configs) == {"single_gpu", "multi_gpu", "multi_node", "cpu_2proc"}
    assert configs["cpu_2proc"]["distributed_type"] == "MULTI_GPU"  # MULTI_CPU on one machine runs one process
    assert configs["cpu_2proc"]["num_processes"] == 2 and configs["cpu_2proc"]["num_machines"] == 1
    assert configs["multi_node"]["num_machines"] == 2 and "main_process_ip" in configs["multi_node"]
    assert configs["single_gpu"]["num_processes"] == 1
    for config in configs.values():
        assert config["mixed_precision"] == "no"  # precision is chosen by SelfTrainingArguments(mixed_precision)
