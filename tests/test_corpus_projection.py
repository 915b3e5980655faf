import json

import pyarrow.parquet as pq
import pytest

from crop_hf.corpus_projection import project_corpus, read_sentences, summarize
from crop_hf.projection import ProjectedEntity, ProjectionResult


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
    assert [r["line"] for r in rows(tmp_path / "whole")] == list(range(95))


def test_processes_split_shards_and_summary_counts(corpus, tmp_path):
    out = tmp_path / "multi"
    for rank in range(2):
        project_corpus(FakeProjector(), corpus, out, "es", shard_size=10, process_index=rank, num_processes=2,
                       progress=False)  # fmt: skip
    assert [r["line"] for r in rows(out)] == list(range(95))
    summary = summarize(out)
    assert (summary.sentences, summary.kept, summary.shards) == (95, 63, 10)
    assert summary.drops == {"no_entity": 32} and summary.entities == {"PER": 63}
    assert json.loads((out / "summary.json").read_text())["kept_ratio"] == round(63 / 95, 4)


def test_jsonl_input_errors_name_the_line(tmp_path):
    path = tmp_path / "raw.jsonl"
    path.write_text('{"text": "Ana vive"}\n{"txt": "x"}\n')
    with pytest.raises(ValueError, match="raw.jsonl line 2"):
        list(read_sentences(path))
