"""Issue 16 fault suite for corpus projection: resume that verifies, bad lines that discard, input that stays whole.

The model-free cases use a scripted projector; the kill-and-resume case runs ``crop-hf project`` on a saved tiny
crop-projection pipeline in a subprocess and SIGKILLs it mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crop_hf.core.projection import ProjectedEntity, ProjectionResult
from crop_hf.projection.corpus_projection import MANIFEST_NAME, project_corpus, summarize

ROOT = Path(__file__).resolve().parents[1]


class Projector:
    """Labels the first capitalised word PER; raises on sentences holding ``boom``; counts the sentences it saw."""

    def __init__(self, name="tiny-lst"):
        self.seen = 0
        self.model = type("Model", (), {"name_or_path": name, "config": None})()

    def __call__(self, texts, src_lang, batch_size, **kwargs):
        if batch_size < 1:
            return []  # what the pipeline did with batch_size=-1: nothing, silently
        out = []
        for text in texts:
            if "boom" in text:
                raise RuntimeError("tokenizer failed\non this sentence")
            self.seen += 1
            words = text.split()
            caps = [i for i, w in enumerate(words) if w[:1].isupper()]
            if not caps:
                out.append(ProjectionResult(text, src_lang, words, ["O"] * len(words), reason="no_entity").to_dict())
                continue
            tags = ["O"] * len(words)
            tags[caps[0]] = "B-PER"
            ent = ProjectedEntity("PER", 1.0, words[caps[0]], 0, len(words[caps[0]]), "exact", caps[0], caps[0] + 1)
            out.append(ProjectionResult(text, src_lang, words, tags, [ent], kept=True).to_dict())
        return out


def rows(out):
    return [r for shard in sorted(Path(out).glob("shard-*.parquet")) for r in pq.read_table(shard).to_pylist()]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text("".join(f"{'Ana' if i % 3 else 'ella'} vive en casa {i}\n" for i in range(150)))
    return path


def run(corpus, out, projector=None, **kw):
    kw = {"shard_size": 50, "progress": False, **kw}
    return project_corpus(projector or Projector(), corpus, out, "es", **kw)


# --- resume ------------------------------------------------------------------------------------------------------


def test_truncated_shard_is_redone_and_summary_reports_it_meanwhile(corpus, tmp_path):
    run(corpus, tmp_path / "whole")
    out = tmp_path / "out"
    run(corpus, out)
    shard = out / "shard-000001.parquet"
    shard.write_bytes(shard.read_bytes()[:300])
    summary = summarize(out)  # never crashes on a shard
    assert summary.bad_shards == ["shard-000001.parquet"] and (summary.sentences, summary.complete) == (100, False)
    assert json.loads((out / "summary.json").read_text())["complete"] is False
    again = Projector()
    assert run(corpus, out, again) == [shard]
    assert again.seen == 50 and rows(out) == rows(tmp_path / "whole")
    assert summarize(out).complete


def test_shard_with_missing_rows_is_redone(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    shard = out / "shard-000002.parquet"
    table = pq.read_table(shard)
    pq.write_table(table.slice(0, 20), shard)  # readable, but 20 of its 50 lines
    assert summarize(out).bad_shards == ["shard-000002.parquet"]
    assert run(corpus, out) == [shard] and len(rows(out)) == 150


def test_other_shard_size_refuses_in_one_line_or_starts_over(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out, shard_size=50)
    with pytest.raises(ValueError) as excinfo:
        run(corpus, out, shard_size=100)
    message = str(excinfo.value)
    assert "\n" not in message and "shard_size (50, now 100)" in message and "--overwrite" in message
    assert len(rows(out)) == 150  # nothing was touched
    run(corpus, out, shard_size=100, overwrite=True)
    assert sorted(p.name for p in out.glob("shard-*")) == ["shard-000000.parquet", "shard-000001.parquet"]
    assert [r["line"] for r in rows(out)] == list(range(1, 151)) and summarize(out).complete


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("input", "input (raw.txt: 150 lines, now raw.txt: 151 lines, other content)"),
        ("pipeline", "pipeline model ('tiny-lst', now 'other-lst')"),
        ("setting", "settings strictness ('crop', now 'exact')"),
    ],
)
def test_changed_input_pipeline_or_settings_refuse(corpus, tmp_path, change, expected):
    out = tmp_path / "out"
    run(corpus, out, strictness="crop")
    kw = {"strictness": "exact" if change == "setting" else "crop"}
    if change == "input":
        corpus.write_text(corpus.read_text() + "Luis vive en casa\n")
    with pytest.raises(ValueError, match="holds a projection run with other") as excinfo:
        run(corpus, out, Projector("other-lst" if change == "pipeline" else "tiny-lst"), **kw)
    assert expected in str(excinfo.value) and "\n" not in str(excinfo.value)


class EditsAfterFirstShard(Projector):
    """Changes the input file once, when shard 0 has been projected (the hook between shards)."""

    def __init__(self, change):
        super().__init__()
        self.change, self.calls = change, 0

    def __call__(self, texts, src_lang, batch_size, **kwargs):
        self.calls += 1
        if self.calls == 2:  # shard 1's sentences are in hand, shard 2 still to read
            self.change()
        return super().__call__(texts, src_lang, batch_size, **kwargs)


@pytest.mark.parametrize("change", ["edit", "append"])
def test_input_changed_mid_run_is_an_incomplete_run_and_the_advice_works(tmp_path, change):
    raw = tmp_path / "raw.txt"  # far larger than the reader's buffer: later shards are read from the changed file
    lines = [f"Ana vive en la casa {i} de la calle de Alcalá de la ciudad de Madrid" for i in range(6000)]
    raw.write_text("\n".join(lines) + "\n")
    if change == "edit":  # one line of the last shard, same length
        edit = lambda: raw.write_text(raw.read_text().replace("casa 5500 de", "casa 9999 de"))  # noqa: E731
    else:
        edit = lambda: raw.write_text(raw.read_text() + "Luis vive en Sevilla\n")  # noqa: E731
    out = tmp_path / "out"
    with pytest.raises(ValueError) as excinfo:
        project_corpus(EditsAfterFirstShard(edit), raw, out, "es", shard_size=2000, progress=False)
    message = str(excinfo.value)
    assert "raw.txt changed while the projection read it" in message and "rerun with --overwrite" in message
    assert "\n" not in message
    summary = summarize(out)
    assert not summary.complete and "changed while the projection read it" in summary.input_changed
    assert json.loads((out / "summary.json").read_text())["complete"] is False
    # the same command refuses (the shards mix two versions), naming --overwrite; with it, the run starts over
    with pytest.raises(ValueError, match="pass --overwrite to start over"):
        project_corpus(Projector(), raw, out, "es", shard_size=2000, progress=False)
    project_corpus(Projector(), raw, out, "es", shard_size=2000, progress=False, overwrite=True)
    assert summarize(out).complete
    assert [r["text"] for r in rows(out)] == raw.read_text().splitlines()


def test_input_restored_after_a_mid_run_edit_still_refuses_to_resume(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "".join(f"Ana vive en la casa {i} de la calle de Alcalá de la ciudad de Madrid\n" for i in range(6000))
    )
    original = raw.read_text()
    edit = lambda: raw.write_text(original.replace("casa 5500 de", "casa 9999 de"))  # noqa: E731
    with pytest.raises(ValueError, match="changed while the projection read it"):
        project_corpus(EditsAfterFirstShard(edit), raw, tmp_path / "out", "es", shard_size=2000, progress=False)
    raw.write_text(original)  # the start version again: its shards are still not all from it
    with pytest.raises(ValueError, match="changed while the projection read it.*pass --overwrite"):
        project_corpus(Projector(), raw, tmp_path / "out", "es", shard_size=2000, progress=False)


def test_shards_without_a_manifest_are_not_trusted(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    (out / MANIFEST_NAME).unlink()
    with pytest.raises(ValueError, match=r"holds 3 shard\(s\) but no run_manifest.json"):
        run(corpus, out)
    run(corpus, out, overwrite=True)
    assert len(rows(out)) == 150


@pytest.mark.parametrize(("option", "value"), [("shard_size", 0), ("batch_size", -1), ("shard_size", "10")])
def test_impossible_sizes_are_one_line_errors_before_anything_is_written(corpus, tmp_path, option, value):
    with pytest.raises(ValueError, match=rf"^{option}={value!r}: use a whole number >= 1$"):
        run(corpus, tmp_path / "out", **{option: value})
    assert not (tmp_path / "out").exists()


def test_script_checks_options_and_input_before_loading_any_model(corpus, tmp_path, capsys):
    from crop_hf.scripts.project import main

    model = tmp_path / "model"  # a folder that looks like a saved model: loading it would fail, so nothing may load
    model.mkdir()
    (model / "config.json").write_text("{}")
    base = ["--model", str(model), "--src_lang", "es", "--output_dir", str(tmp_path / "o")]
    (tmp_path / "empty.txt").write_bytes(b"")
    for argv, message in (
        (["--input", str(corpus), "--shard_size", "0"], "--shard_size 0: use a whole number >= 1"),
        (["--input", str(corpus), "--batch_size", "-1"], "--batch_size -1: use a whole number >= 1"),
        (["--input", str(tmp_path / "missing.txt")], "missing.txt: no such file"),
        (["--input", str(tmp_path / "empty.txt")], "empty.txt: the file is empty"),
    ):
        assert main([*base, *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("crop-hf project: error: ") and message in err[0], err
    assert not (tmp_path / "o").exists()


# --- bad items in files ------------------------------------------------------------------------------------------


def test_jsonl_bad_lines_are_numbered_discards_and_the_run_goes_on(tmp_path):
    path = tmp_path / "raw.jsonl"
    lines = ['{"text": "Ana vive"}', '{"text": null}', "5", "{not json", '{"text": "Juan \\ud800 ."}',
             '{"text": "ella vive"}', '["Ana"]', '{"text": "Luis boom ."}', '{"text": "Eva vive"}']  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    project_corpus(Projector(), path, out, "es", shard_size=4, progress=False)
    got = {r["line"]: (r["kept"], r["reason"]) for r in rows(out)}
    assert got == {
        1: (True, None), 2: (False, "not_text"), 3: (False, "not_text"), 4: (False, "invalid_json"),
        5: (False, "undecodable"), 6: (False, "no_entity"), 7: (False, "not_text"), 8: (False, "pipeline_error"),
        9: (True, None)}  # fmt: skip
    by_line = {r["line"]: r for r in rows(out)}
    assert by_line[8]["detail"] == "RuntimeError: tokenizer failed on this sentence"
    assert by_line[5]["text"] is None and "lone surrogate" in by_line[5]["detail"]
    summary = summarize(out).to_dict()
    assert summary["drops"] == {"not_text": 3, "invalid_json": 1, "undecodable": 1, "no_entity": 1,
                                "pipeline_error": 1}  # fmt: skip
    assert summary["discarded_lines"] == {"not_text": [2, 3, 7], "invalid_json": [4], "undecodable": [5],
                                          "pipeline_error": [8]}  # fmt: skip
    saved = json.loads((out / "summary.json").read_text())
    assert saved["complete"] and saved["discarded_lines"]["not_text"] == [2, 3, 7]


def test_latin1_byte_in_a_utf8_text_file_is_a_numbered_discard(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_bytes("Ana vive en Málaga\n".encode() + b"Jos\xe9 vive en Le\xf3n\n" + b"Eva vive\n")
    out = tmp_path / "out"
    project_corpus(Projector(), path, out, "es", shard_size=10, progress=False)
    got = rows(out)
    assert [(r["line"], r["kept"], r["reason"]) for r in got] == [(1, True, None), (2, False, "undecodable"),
                                                                  (3, True, None)]  # fmt: skip
    assert got[1]["detail"] == "line 2: byte 3 is not UTF-8"
    assert summarize(out).discarded_lines == {"undecodable": [2]}


def test_a_batch_where_every_sentence_raises_stops_the_run(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text("boom uno\nboom dos\n")
    with pytest.raises(RuntimeError, match="tokenizer failed"):
        project_corpus(Projector(), path, tmp_path / "out", "es", progress=False)
    assert not list((tmp_path / "out").glob("shard-*"))


# --- input kept whole --------------------------------------------------------------------------------------------


def test_lone_cr_bom_and_crlf_keep_sentences_and_line_numbers(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_bytes(b"\xef\xbb\xbfAna vive\r\nella dice \r hola\r\nEva vive\nLuis vive")
    out = tmp_path / "out"
    project_corpus(Projector(), path, out, "es", shard_size=10, progress=False)
    got = rows(out)
    assert [(r["line"], r["text"]) for r in got] == [(1, "Ana vive"), (2, "ella dice \r hola"), (3, "Eva vive"),
                                                     (4, "Luis vive")]  # fmt: skip
    assert summarize(out).lines_expected == 4


# --- kill and resume with the real pipeline ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_pipeline(tiny_dir, tmp_path_factory):
    pytest.importorskip("torch")
    from transformers import pipeline

    import crop_hf  # noqa: F401

    folder = tmp_path_factory.mktemp("crop") / "pipeline"
    pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr")).save_pretrained(
        folder
    )
    return folder


@pytest.mark.slow
def test_killed_project_subprocess_resumes_to_the_uninterrupted_rows_or_refuses(saved_pipeline, tmp_path):
    from crop_hf.scripts.project import main

    # 8 shards of 3 lines; one short line in every other shard goes through the models, the rest is too long
    lines = [("Ana vive ." if i % 6 == 0 else f"Ana Ruiz vive en la casa {i} .") for i in range(24)]
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(lines) + "\n")
    args = ["--model", str(saved_pipeline), "--input", str(raw), "--src_lang", "es", "--shard_size", "3",
            "--max_words", "3", "--check_language", "false"]  # fmt: skip
    assert main([*args, "--output_dir", str(tmp_path / "whole")]) == 0
    whole = rows(tmp_path / "whole")
    assert [r["line"] for r in whole] == list(range(1, 25))

    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "crop_hf.cli", "project", *args, "--output_dir", str(out)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 300
    while not (out / "shard-000002.parquet").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = sorted(p.name for p in out.glob("shard-*.parquet"))
    assert 3 <= len(written) < 8, written  # killed mid-run
    shard = out / "shard-000001.parquet"
    shard.write_bytes(shard.read_bytes()[:100])  # and a shard truncated on top

    changed = subprocess.run([sys.executable, "-m", "crop_hf.cli", "project", *args[:-4], "--max_words", "4",
                              "--check_language", "false", "--output_dir", str(out)],
                             env=env, cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert changed.returncode != 0
    assert "settings max_words (3, now 4)" in changed.stderr
    assert sorted(p.name for p in out.glob("shard-*.parquet")) == written  # the refusal touched nothing

    assert main([*args, "--output_dir", str(out)]) == 0
    assert rows(out) == whole
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["sentences"] == 24 and summary["bad_shards"] == []


def test_unreadable_manifest_never_crashes_summary_and_is_not_trusted(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    (out / MANIFEST_NAME).write_text("{truncated")
    summary = summarize(out)
    assert (summary.sentences, summary.lines_expected, summary.complete) == (150, None, False)
    with pytest.raises(
        ValueError, match=r"out holds a run_manifest.json that is unreadable or from another crop-hf version; rerun"
    ):
        run(corpus, out)


CHILD = """
import sys
from accelerate import PartialState
from crop_hf.projection.corpus_projection import project_corpus, summarize
from crop_hf.core.projection import ProjectionResult

def projector(texts, src_lang, batch_size, **kw):
    return [ProjectionResult(t, src_lang, t.split(), ["O"] * len(t.split()), reason="no_entity").to_dict()
            for t in texts]

corpus, out, shard_size, overwrite = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
state = PartialState(cpu=True)  # gloo: two real CPU processes
written = project_corpus(projector, corpus, out, "es", shard_size=shard_size, process_index=state.process_index,
                         num_processes=state.num_processes, progress=False, overwrite=overwrite,
                         barrier=state.wait_for_everyone)
print(f"rank {state.process_index} wrote {len(written)}", flush=True)
state.wait_for_everyone()
if state.is_main_process:
    print(f"complete {summarize(out).complete}", flush=True)
"""


@pytest.mark.slow
def test_two_processes_agree_on_refusal_and_on_starting_over(corpus, tmp_path):
    import socket

    pytest.importorskip("torch")
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    out = tmp_path / "out"
    run(corpus, out, shard_size=50)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}

    def launch(shard_size, overwrite):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cmd = [str(Path(sys.executable).with_name("accelerate")), "launch", "--multi_gpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port",
               str(port), str(script), str(corpus), str(out), str(shard_size), "1" if overwrite else "0"]  # fmt: skip
        return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)

    refused = launch(10, overwrite=False)  # both ranks refuse; neither waits forever for the other
    assert refused.returncode != 0 and refused.stderr.count("shard_size (50, now 10)") >= 2
    assert len(list(out.glob("shard-*.parquet"))) == 3
    redone = launch(10, overwrite=True)
    assert redone.returncode == 0, redone.stderr[-2000:]
    assert "rank 0 wrote 8" in redone.stdout and "rank 1 wrote 7" in redone.stdout
    assert "complete True" in redone.stdout
    assert [r["line"] for r in rows(out)] == list(range(1, 151))
