"""Issue 16 fault suite for self-training: reruns never return stale rounds, resumed rounds report the whole round."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from crop_hf.demo.data import synthetic_english, synthetic_target  # noqa: E402
from crop_hf.training.ner_data import NerExample  # noqa: E402
from crop_hf.training.selftrain import RUN_FILE, SelfTrainingArguments, self_train, train_ner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def tiny_args(output_dir, **kw):
    defaults = dict(output_dir=str(output_dir), num_train_epochs=1, per_device_train_batch_size=16,
                    per_device_eval_batch_size=32, learning_rate=1e-3, confidence_threshold=0.0, disable_tqdm=True,
                    logging_steps=100, seed=0, iterations=1, report_to="none")  # fmt: skip
    return SelfTrainingArguments(**{**defaults, **kw})


def data(langs=("es",), n=12):
    source = synthetic_english(32, split="train")
    target = synthetic_target(list(langs), n, split="target")
    projected = [ex for lang in langs for ex in target[lang][: n // 2]]
    discarded = [NerExample(ex.tokens, None, ex.lang, ex.id) for lang in langs for ex in target[lang][n // 2 :]]
    return source, projected, discarded


def test_rerun_with_other_data_or_settings_refuses_in_one_line_then_overwrite_retrains(tiny_xlmr, tmp_path):
    out = tmp_path / "st"
    first = self_train(tiny_xlmr, *data(), tiny_args(out))
    assert not first.rounds[0].reused and json.loads((out / RUN_FILE).read_text())["data"]["projected"]["rows"] == 6
    assert self_train(tiny_xlmr, *data(), tiny_args(out)).rounds[0].reused  # same run: reused

    with pytest.raises(ValueError) as excinfo:
        self_train(tiny_xlmr, *data(langs=("es", "de")), tiny_args(out))  # other languages
    message = str(excinfo.value)
    assert "\n" not in message and "data projected (6 rows, now 12 rows, other content)" in message
    assert "--overwrite_output_dir" in message
    with pytest.raises(ValueError, match=r"setting learning_rate \(0.001, now 0.002\)"):
        self_train(tiny_xlmr, *data(), tiny_args(out, learning_rate=2e-3))
    with pytest.raises(ValueError, match=r"model \("):
        self_train(str(Path(tiny_xlmr).parent / "elsewhere"), *data(), tiny_args(out))
    with pytest.raises(ValueError, match=r"data eval\[es\] \(none, now 4 rows\)"):
        self_train(tiny_xlmr, *data(), tiny_args(out), {"es": synthetic_target(["es"], 4, split="test")["es"]})

    again = self_train(tiny_xlmr, *data(langs=("es", "de")), tiny_args(out, overwrite_output_dir=True))
    assert not again.rounds[0].reused and again.rounds[0].train_sentences == 32 + 12
    assert json.loads((out / "round_0" / "metrics.json").read_text())["train_sentences"] == 44


def test_rounds_without_a_manifest_are_not_trusted(tiny_xlmr, tmp_path):
    out = tmp_path / "st"
    self_train(tiny_xlmr, *data(), tiny_args(out))
    (out / RUN_FILE).unlink()
    with pytest.raises(ValueError, match=r"holds round_0 but no run_manifest.json"):
        self_train(tiny_xlmr, *data(), tiny_args(out))
    (out / RUN_FILE).write_text('{"format": ')
    with pytest.raises(ValueError, match=r"holds a run_manifest.json that is unreadable"):
        self_train(tiny_xlmr, *data(), tiny_args(out))


def test_resumed_round_reports_the_loss_of_the_whole_round(tiny_xlmr, tmp_path):
    source, projected, _ = data(n=40)
    args = tiny_args(tmp_path / "full", save_strategy="steps", save_steps=2, num_train_epochs=2)
    full = train_ner(tiny_xlmr, [*source, *projected], args)
    assert full.steps == 8  # 52 sentences / 16 per batch = 4 steps, 2 epochs
    # the same round, killed after its checkpoint at step 4: the checkpoints after it and the result are gone
    resumed_dir = tmp_path / "resumed"
    shutil.copytree(tmp_path / "full", resumed_dir)
    for path in [*resumed_dir.glob("checkpoints/checkpoint-[5-9]"), resumed_dir / "metrics.json"]:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert sorted(p.name for p in (resumed_dir / "checkpoints").iterdir()) == ["checkpoint-2", "checkpoint-4"]
    stamp = (resumed_dir / "checkpoints" / "checkpoint-4" / "trainer_state.json").stat().st_mtime_ns
    resumed = train_ner(tiny_xlmr, [*source, *projected], tiny_args(resumed_dir, save_strategy="steps",
                                                                       save_steps=2, num_train_epochs=2))  # fmt: skip
    assert not resumed.reused and resumed.steps == 8
    assert (resumed_dir / "checkpoints" / "checkpoint-4" / "trainer_state.json").stat().st_mtime_ns == stamp  # resumed
    assert resumed.train_loss == pytest.approx(full.train_loss, rel=1e-4)
    state = json.loads((resumed_dir / "checkpoints" / "checkpoint-8" / "trainer_state.json").read_text())
    tail = [e["loss"] for e in state["log_history"] if "loss" in e and e["step"] > 4]
    assert abs(resumed.train_loss - sum(tail) / len(tail)) > 1e-3  # the tail alone, what the Trainer reports


@pytest.mark.slow
def test_killed_selftrain_subprocess_refuses_changed_settings_and_resumes_to_the_same_rounds(tiny_xlmr, tmp_path):
    from crop_hf.scripts.selftrain import main

    args = ["--model_name_or_path", tiny_xlmr, "--synthetic", "--synthetic_langs", "es", "--synthetic_source", "32",
            "--synthetic_projected", "8", "--synthetic_discarded", "16", "--synthetic_eval", "8", "--iterations", "2",
            "--num_train_epochs", "12", "--per_device_train_batch_size", "8", "--learning_rate", "1e-3",
            "--confidence_threshold", "0", "--save_strategy", "steps", "--save_steps", "2", "--disable_tqdm", "true",
            "--report_to", "none", "--seed", "0"]  # fmt: skip
    assert main([*args, "--output_dir", str(tmp_path / "whole")]) == 0
    whole = json.loads((tmp_path / "whole" / "selftrain_results.json").read_text())

    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "crop_hf.cli", "selftrain", *args, "--output_dir", str(out)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    checkpoint = out / "round_1" / "checkpoints" / "checkpoint-2" / "trainer_state.json"  # written last
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)  # round 1 has ~70 steps: killed well before its end on any machine
    proc.wait()
    assert (out / "round_0" / "metrics.json").exists() and not (out / "round_1" / "metrics.json").exists()

    changed = subprocess.run([sys.executable, "-m", "crop_hf.cli", "selftrain", *args, "--learning_rate", "2e-3",
                              "--output_dir", str(out)], env=env, cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert changed.returncode != 0 and "setting learning_rate (0.001, now 0.002)" in changed.stderr
    assert not (out / "round_1" / "metrics.json").exists()

    assert main([*args, "--output_dir", str(out)]) == 0
    resumed = json.loads((out / "selftrain_results.json").read_text())
    assert [r["steps"] for r in resumed["rounds"]] == [r["steps"] for r in whole["rounds"]]
    assert [r["data"] for r in resumed["rounds"]] == [r["data"] for r in whole["rounds"]]
    for got, want in zip(resumed["rounds"], whole["rounds"], strict=True):
        assert got["train_loss"] == pytest.approx(want["train_loss"], rel=1e-3)
        assert got["f1"] == pytest.approx(want["f1"], abs=1e-6)


def test_selftrain_script_names_a_missing_data_file_before_loading_anything(tmp_path, capsys):
    from crop_hf.scripts.selftrain import main

    model = tmp_path / "model"  # looks like a saved model; loading it would fail, so nothing may load
    model.mkdir()
    (model / "config.json").write_text("{}")
    base = ["--model_name_or_path", str(model), "--output_dir", str(tmp_path / "o")]
    for argv, message in (
        (["--projected_file", str(tmp_path / "missing.jsonl")], "missing.jsonl: no such file"),
        ([], "no training data: pass --source_file and/or --projected_file"),
    ):
        assert main([*base, *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("crop-hf selftrain: error: ") and message in err[0], err
    assert not (tmp_path / "o").exists()


def test_a_self_training_folder_in_use_is_refused_before_any_training(tiny_xlmr, tmp_path):
    from crop_hf.base.folder_lock import LOCK_NAME, FolderLockedError

    out = tmp_path / "st"
    out.mkdir()
    holder = {"command": "crop-hf selftrain", "pid": os.getpid(), "host": os.uname().nodename, "started": "now"}
    (out / LOCK_NAME).write_text(json.dumps(holder))
    source, projected, discarded = data()
    for train in (lambda: self_train(str(tiny_xlmr), source, projected, discarded, tiny_args(out)),
                  lambda: train_ner(str(tiny_xlmr), source, tiny_args(out))):  # fmt: skip
        with pytest.raises(FolderLockedError, match=f"{out}: in use by crop-hf selftrain"):
            train()
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing trained, nothing written
