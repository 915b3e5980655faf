"""examples/train_lst.py under ``accelerate launch`` with two CPU processes (gloo)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import gold_phrase_features

ROOT = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_train_lst_on_two_processes(tiny_dir, tmp_path):
    from transformers import AutoModelForSeq2SeqLM

    train = tmp_path / "pairs.jsonl"
    train.write_text("\n".join(json.dumps(f, ensure_ascii=False) for f in gold_phrase_features(8)))  # 16 pairs
    out = tmp_path / "lst"
    accelerate = str(Path(sys.executable).with_name("accelerate"))
    cmd = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision",
           "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port()), str(ROOT / "examples" / "train_lst.py"),
           "--model_name_or_path", str(tiny_dir / "m2m100"), "--train_file", str(train), "--output_dir", str(out),
           "--num_train_epochs", "1", "--per_device_train_batch_size", "4", "--report_to", "none",
           "--save_strategy", "epoch", "--disable_tqdm", "true", "--use_cpu"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # 16 pairs, 4 per process and step, 2 processes: 2 optimizer steps (one process alone would take 4)
    state = json.loads((out / "checkpoint-2" / "trainer_state.json").read_text())
    assert state["global_step"] == 2
    assert AutoModelForSeq2SeqLM.from_pretrained(out).config.vocab_size > 0
