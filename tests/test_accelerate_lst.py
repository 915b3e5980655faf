"""examples/train_lst.py under ``accelerate launch`` with two CPU processes (gloo) against one process."""

import json
import math
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
def test_two_processes_train_and_log_what_one_process_does(still_m2m, tmp_path):
    from transformers import AutoModelForSeq2SeqLM

    model = still_m2m  # the two runs then differ only in how the batch is split
    train, valid = tmp_path / "pairs.jsonl", tmp_path / "valid.jsonl"
    train.write_text("\n".join(json.dumps(f, ensure_ascii=False) for f in gold_phrase_features(8)))  # 16 pairs
    valid.write_text("\n".join(json.dumps(f, ensure_ascii=False) for f in gold_phrase_features(4, seed=9)))
    script = str(ROOT / "examples" / "train_lst.py")
    common = ["--model_name_or_path", str(model), "--train_file", str(train), "--num_train_epochs", "2",
              "--report_to", "none", "--save_strategy", "epoch", "--disable_tqdm", "true", "--use_cpu",
              "--logging_steps", "1", "--optim", "sgd", "--learning_rate", "0.5", "--seed", "3", "--alpha", "0.3"]  # fmt: skip
    accelerate = str(Path(sys.executable).with_name("accelerate"))
    two = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision",
           "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port()), script, *common,
           "--output_dir", str(tmp_path / "two"), "--per_device_train_batch_size", "4",
           "--validation_file", str(valid), "--eval_strategy", "steps", "--eval_steps", "1",
           "--per_device_eval_batch_size", "4"]  # fmt: skip
    one = [
        sys.executable,
        script,
        *common,
        "--output_dir",
        str(tmp_path / "one"),
        "--per_device_train_batch_size",
        "8",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "TOKENIZERS_PARALLELISM": "false"}
    for cmd in (two, one):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # 16 pairs, 4 per process and step, 2 processes: 2 optimizer steps per epoch (one process alone would take 4)
    states = {
        run: json.loads((tmp_path / run / "checkpoint-4" / "trainer_state.json").read_text()) for run in ("two", "one")
    }
    assert states["two"]["global_step"] == states["one"]["global_step"] == 4
    assert (tmp_path / "two" / "checkpoint-2").is_dir()
    logs = {run: [h for h in state["log_history"] if "loss" in h] for run, state in states.items()}
    assert len(logs["two"]) == len(logs["one"]) == 4
    assert sum("loss_labeled" in h for h in logs["one"]) >= 2
    for two_log, one_log in zip(logs["two"], logs["one"]):
        # same global batch, same step: the same losses, and no evaluation batch in the training logs
        assert two_log.keys() == one_log.keys() and not any(k.startswith("eval_") for k in two_log)
        for key in ("loss", "loss_translation", "loss_labeled", "grad_norm"):
            if key in one_log:
                assert math.isclose(two_log[key], one_log[key], rel_tol=1e-4), (key, two_log, one_log)
    evals = [h for h in states["two"]["log_history"] if "eval_loss" in h]
    assert len(evals) == 4 and all(h["eval_loss_labeled"] > 0 and "loss_labeled" not in h for h in evals)
    assert AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "two").config.vocab_size > 0
