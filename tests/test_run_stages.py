"""StageRunner: reuse while settings and upstream hold, rerun downstream of a change, resume after a kill."""

import json

import pytest

from crop_hf.run.records import Stage, StageRunner


def _stages(out, calls, settings_b=None, fail_b=False):
    def a():
        calls.append("a")
        (out / "a.txt").write_text("a")
        return {"n": 1}

    def b():
        calls.append("b")
        (out / "b").mkdir(exist_ok=True)
        (out / "b" / "partial.txt").write_text("part")
        if fail_b:
            raise KeyboardInterrupt("killed")
        return {"n": 2}

    def c():
        calls.append("c")
        return {"n": 3}

    return [
        Stage("a", "first", {"x": 1}, [], [], ["a.txt"], a),
        Stage("b", "second", settings_b or {"y": 1}, ["a"], [], ["b"], b),
        Stage("c", "third", {}, ["b"], [], [], c),
    ]


def _run(out, stages, messages):
    runner = StageRunner(out, echo=messages.append)
    return [runner.run(s) for s in stages], runner


def test_unchanged_stages_are_reused_and_a_change_reruns_downstream_only(tmp_path):
    calls, messages = [], []
    results, _ = _run(tmp_path, _stages(tmp_path, calls), messages)
    assert calls == ["a", "b", "c"] and [r["n"] for r in results] == [1, 2, 3]
    calls.clear()
    _, runner = _run(tmp_path, _stages(tmp_path, calls), messages)
    assert calls == [] and all(rec.reused for rec in runner.records)
    _, runner = _run(tmp_path, _stages(tmp_path, calls, settings_b={"y": 2}), messages)
    assert calls == ["b", "c"]  # a is reused, b changed, c reads b
    assert [rec.reused for rec in runner.records] == [True, False, False]
    assert any("settings changed (y)" in m for m in messages)
    record = json.loads((tmp_path / "stages" / "b.json").read_text())
    assert record["status"] == "done" and record["settings"] == {"y": 2}


def test_a_changed_stage_starts_from_empty_outputs_and_a_killed_one_resumes_over_them(tmp_path):
    calls, messages = [], []
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, _stages(tmp_path, calls, fail_b=True), messages)
    assert json.loads((tmp_path / "stages" / "b.json").read_text())["status"] == "running"
    (tmp_path / "b" / "checkpoint-1").mkdir()
    calls.clear()
    _run(tmp_path, _stages(tmp_path, calls), messages)
    assert calls == ["b", "c"] and "resuming an interrupted run" in " ".join(messages)
    assert (tmp_path / "b" / "checkpoint-1").is_dir()  # what the killed run left is there to resume from
    _run(tmp_path, _stages(tmp_path, calls, settings_b={"y": 5}), messages)
    assert not (tmp_path / "b" / "checkpoint-1").exists()  # other settings: nothing of the old run is reused


def test_outputs_outside_the_run_folder_are_never_removed(tmp_path):
    outside = tmp_path / "keep.txt"
    outside.write_text("precious")
    run = tmp_path / "run"
    calls, messages = [], []
    first = [Stage("a", "first", {"x": 1}, [], [], ["../keep.txt"], lambda: calls.append("a") or {})]
    _run(run, first, messages)
    first[0].settings = {"x": 2}
    _run(run, first, messages)
    assert calls == ["a", "a"] and outside.read_text() == "precious"


def test_a_stage_needs_its_upstream_first(tmp_path):
    runner = StageRunner(tmp_path, echo=lambda m: None)
    with pytest.raises(RuntimeError, match="needs \\['a'\\]"):
        runner.run(Stage("b", "second", {}, ["a"], [], [], lambda: {}))


def test_a_stage_whose_outputs_were_deleted_or_changed_runs_again_and_so_do_the_ones_after_it(tmp_path):
    calls, messages = [], []
    _run(tmp_path, _stages(tmp_path, calls), messages)
    (tmp_path / "b" / "partial.txt").unlink()  # a user deleted part of b's output
    calls.clear()
    _, runner = _run(tmp_path, _stages(tmp_path, calls), messages)
    assert calls == ["b", "c"] and [rec.reused for rec in runner.records] == [True, False, False]
    assert "[2] b: its outputs changed since it ran (b); its earlier outputs are removed" in messages
    assert "[3] c: b ran again; its earlier outputs are removed" in messages
    (tmp_path / "a.txt").write_text("a changed, longer")  # a file's size changed
    calls.clear()
    _run(tmp_path, _stages(tmp_path, calls), messages)
    assert calls == ["a", "b", "c"]
    # a moved run folder keeps its prints (relative names and sizes): everything is reused
    moved = tmp_path.parent / f"{tmp_path.name}-moved"
    tmp_path.rename(moved)
    calls.clear()
    _, runner = _run(moved, _stages(moved, calls), messages)
    assert calls == [] and all(rec.reused for rec in runner.records)


def test_one_writer_per_folder_and_a_stale_lock_is_taken_over(tmp_path, caplog):
    import os
    import subprocess
    import sys

    from crop_hf.base.folder_lock import LOCK_NAME, FolderLock, FolderLockedError

    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom crop_hf.base.folder_lock import FolderLock\n"
                               f"FolderLock({str(tmp_path)!r}, 'crop-hf run').acquire()\nprint('held', flush=True)\n"
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderLockedError, match=rf"in use by crop-hf run \(PID {holder.pid} on .*, since "):
            FolderLock(tmp_path, "crop-hf project").acquire()
    finally:
        holder.kill()
        holder.wait()
    assert (tmp_path / LOCK_NAME).is_file()  # a killed holder leaves its lock behind: stale, taken over
    with FolderLock(tmp_path, "crop-hf project") as lock:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    assert "removing the stale lock of crop-hf run" in caplog.text and not (tmp_path / LOCK_NAME).exists()


def test_a_typed_result_is_written_as_a_dict_and_read_back_as_its_dataclass(tmp_path):
    from crop_hf.run.results import NerResult

    calls = []

    def train():
        calls.append("train")
        return NerResult("models/english-ner", True, 0.5, 8, 2)

    stage = [Stage("train_ner", "English NER", {"seed": 1}, [], [], [], train, result_type=NerResult)]
    (first,), _ = _run(tmp_path, stage, [])
    record = json.loads((tmp_path / "stages" / "train_ner.json").read_text())
    assert record["result"] == {"model_dir": "models/english-ner", "trained": True, "train_loss": 0.5,
                                "sentences": 8, "steps": 2}  # fmt: skip
    (again,), runner = _run(tmp_path, stage, [])
    assert calls == ["train"] and runner.records[0].reused
    assert isinstance(again, NerResult) and again == first and again.model_dir == "models/english-ner"
