import json

import pyarrow.parquet as pq
import pytest

from crop_hf.core.projection import ProjectedEntity, ProjectionResult
from crop_hf.projection.corpus_projection import InputLine, project_corpus, read_lines, result_row, summarize


class FakeProjector:
    """Keeps sentences with a capitalised word (labelled PER); fails on demand to simulate a kill."""

    def __init__(self, fail_after_calls=None):
        self.calls = 0
        self.fail_after_calls = fail_after_calls

    def __call__(self, texts, src_lang, batch_size, **kwargs):
        if self.fail_after_calls is not None and self.calls >= self.fail_after_calls:
            raise KeyboardInterrupt("killed")
        self.calls += 1
        out = []
        for t in texts:
            words = t.split()
            caps = [i for i, w in enumerate(words) if w[:1].isupper()]
            if caps:
                i = caps[0]
                tags = ["O"] * len(words)
                tags[i] = "B-PER"
                ent = ProjectedEntity("PER", 1.0, words[i], 0, len(words[i]), "exact", i, i + 1)
                out.append(ProjectionResult(t, src_lang, words, tags, [ent], kept=True).to_dict())
            else:
                no_entity = ProjectionResult(t, src_lang, words, ["O"] * len(words), kept=False, reason="no_entity")
                out.append(no_entity.to_dict())
        return out


def rows(out):
    return [r for shard in sorted(out.glob("shard-*.parquet")) for r in pq.read_table(shard).to_pylist()]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text("\n".join(f"{'Ana' if i % 3 else 'ella'} vive en casa {i}" for i in range(95)) + "\n")
    return path


def test_killed_projection_resumes_with_same_rows(corpus, tmp_path):
    project_corpus(FakeProjector(), corpus, tmp_path / "whole", "es", shard_size=10, progress=False)
    with pytest.raises(KeyboardInterrupt):
        project_corpus(FakeProjector(fail_after_calls=4), corpus, tmp_path / "killed", "es", shard_size=10,
                       progress=False)  # fmt: skip
    assert len(list((tmp_path / "killed").glob("shard-*.parquet"))) == 4
    again = FakeProjector()
    project_corpus(again, corpus, tmp_path / "killed", "es", shard_size=10, progress=False)
    assert again.calls == 6  # only the missing shards were projected
    assert rows(tmp_path / "killed") == rows(tmp_path / "whole")
    assert [r["line"] for r in rows(tmp_path / "whole")] == list(range(1, 96))  # 1-based file line numbers


def test_a_projection_folder_has_one_writer_and_a_killed_one_is_resumed(corpus, tmp_path):
    import os

    from crop_hf.base.folder_lock import LOCK_NAME, FolderLockedError

    out = tmp_path / "busy"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({"command": "crop-hf project", "pid": os.getpid(),
                                             "host": os.uname().nodename, "started": "now"}))  # fmt: skip
    with pytest.raises(FolderLockedError, match="in use by crop-hf project"):
        project_corpus(FakeProjector(), corpus, out, "es", shard_size=10, progress=False)
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing written by the second writer
    (out / LOCK_NAME).unlink()
    with pytest.raises(KeyboardInterrupt):  # a killed run releases its lock on the way out (or leaves a stale one)
        project_corpus(FakeProjector(fail_after_calls=2), corpus, out, "es", shard_size=10, progress=False)
    assert not (out / LOCK_NAME).exists()
    project_corpus(FakeProjector(), corpus, out, "es", shard_size=10, progress=False)
    assert len(rows(out)) == 95 and not list(out.glob("*.tmp"))


def test_processes_split_shards_and_summary_counts(corpus, tmp_path):
    out = tmp_path / "multi"
    for rank in range(2):
        project_corpus(FakeProjector(), corpus, out, "es", shard_size=10, process_index=rank, num_processes=2,
                       progress=False)  # fmt: skip
    assert [r["line"] for r in rows(out)] == list(range(1, 96))
    summary = summarize(out)
    assert (summary.sentences, summary.kept, summary.shards) == (95, 63, 10)
    assert summary.drops == {"no_entity": 32} and summary.entities == {"PER": 63}
    assert summary.complete and summary.lines_expected == 95
    saved = json.loads((out / "summary.json").read_text())
    assert saved["kept_ratio"] == round(63 / 95, 4) and saved["complete"] is True


def test_jsonl_lines_that_are_not_text_become_numbered_discards(tmp_path):
    path = tmp_path / "raw.jsonl"
    path.write_text('{"text": "Ana vive"}\n{"txt": "x"}\n{"text": null}\n5\n{oops\n\n{"text": "ella"}\n')
    lines = list(read_lines(path))
    assert [(x.number, x.text, x.reason) for x in lines] == [
        (1, "Ana vive", None), (2, None, "not_text"), (3, None, "not_text"), (4, None, "not_text"),
        (5, None, "invalid_json"), (6, None, "invalid_json"), (7, "ella", None)]  # fmt: skip
    assert lines[2].detail == "line 3: expected an object with a string 'text', got 'text' is NoneType"
    assert lines[3].detail == "line 4: expected an object with a string 'text', got a JSON int"


def test_one_function_turns_a_pipeline_result_into_a_row():
    result = FakeProjector()(["Ana vive"], "es", 1)[0]
    row = result_row(7, result)
    assert list(row) == ["line", "text", "lang", "kept", "reason", "detail", "tokens", "tags", "entities",
                         "english", "labeled_translation"]  # fmt: skip
    assert (row["line"], row["kept"], row["tags"]) == (7, True, ["B-PER", "O"])
    assert json.loads(row["entities"]) == result["entities"]
    assert InputLine(3, None, "not_text").text is None


def test_the_pipeline_identity_of_a_local_model_survives_a_moved_folder(tmp_path):
    from types import SimpleNamespace

    from crop_hf.projection.corpus_projection import pipeline_identity

    model_dir = tmp_path / "run" / "models" / "crop-projection"
    model_dir.mkdir(parents=True)
    (model_dir / "config.json").write_text("{}")
    projector = SimpleNamespace(model=SimpleNamespace(name_or_path=str(model_dir), config=None))
    before = pipeline_identity(projector)
    (tmp_path / "run").rename(tmp_path / "moved")
    projector.model.name_or_path = str(tmp_path / "moved" / "models" / "crop-projection")
    assert pipeline_identity(projector) == before and str(tmp_path) not in json.dumps(before)
