"""crop-hf inspect without a browser: what PATH holds, the corpus and run readers, the stage views, the command's
one-line errors (missing or unrelated folder, no gradio). The app in Chromium: tests/test_app_browser.py."""

import json
import sys

import pytest

from crop_hf import cli
from crop_hf.app.render import english_view, entity_rows, parse_bracketed, raw_view, slots_view, status_markdown
from crop_hf.app.sources import Corpus, InspectError, RunResults, find_sources, method_counts, reason_counts


def saved_pipeline(folder):
    folder.mkdir(parents=True)
    (folder / "crop_projection.json").write_text('{"task": "crop-projection"}')
    return folder


def shards(folder, rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    full = [{"line": i + 1, "text": "x", "lang": "es", "kept": False, "reason": None, "detail": None, "tokens": [],
             "tags": [], "entities": "[]", "english": None, "labeled_translation": None, **r}
            for i, r in enumerate(rows)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(full), folder / "shard-000000.parquet")
    return folder


def test_find_sources_tells_a_pipeline_a_corpus_a_run_and_a_hub_id_apart(tmp_path):
    pipe = saved_pipeline(tmp_path / "pipe")
    assert (find_sources(pipe).pipeline, find_sources(pipe).corpus, find_sources(pipe).run) == (str(pipe), [], None)
    es = shards(tmp_path / "proj" / "es", [{"reason": "empty"}])
    de = shards(tmp_path / "proj" / "de", [{"reason": "empty"}])
    assert find_sources(tmp_path / "proj").corpus == [de, es]  # one sub-folder per language
    assert find_sources(es).corpus == [es] and find_sources(es).pipeline is None
    run = tmp_path / "run"
    saved_pipeline(run / "models" / "crop-projection")
    shards(run / "projected" / "es", [{"reason": "empty"}])
    (run / "metrics.json").write_text("{}")
    found = find_sources(run)
    assert (found.pipeline, found.corpus, found.run) == (
        str(run / "models" / "crop-projection"), [run / "projected" / "es"], run)  # fmt: skip
    assert find_sources("someone/crop-projection-es").pipeline == "someone/crop-projection-es"


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "demo_output", "demo_output: no such folder; pass a pipeline folder"),
    (lambda p: (p / "notes").mkdir() or (p / "notes" / "a.txt").write_text("x") and p / "notes",
     "notes: holds no crop-projection pipeline (crop_projection.json), projection shards"),
])  # fmt: skip
def test_inspect_on_a_missing_or_unrelated_folder_says_so_in_one_line(tmp_path, capsys, make, message):
    path = make(tmp_path)
    with pytest.raises(InspectError, match=message.split(":")[1].strip()[:20]):
        find_sources(path)
    assert cli.main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and err.startswith(f"crop-hf inspect: error: {path}") and message.split(": ", 1)[1] in err
    )


def test_inspect_without_gradio_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "gradio", None)  # import gradio now raises ImportError
    assert cli.main(["inspect", str(saved_pipeline(tmp_path / "pipe"))]) == 2
    assert capsys.readouterr().err == (
        "crop-hf inspect: error: crop-hf inspect (the app) needs gradio: pip install 'crop-hf[app]'\n"
    )
    assert cli.main(["inspect", str(tmp_path / "pipe"), "--port", "0"]) == 2
    assert "--port 0: use a port number between 1 and 65535" in capsys.readouterr().err


def test_corpus_counts_filters_and_summary_agree(tmp_path):
    def entity(method):
        return {"entity_group": "PER", "score": 1.0, "word": "x", "start": 0, "end": 1, "method": method,
                "token_start": 0, "token_end": 1}  # fmt: skip

    rows = [{"kept": True, "entities": json.dumps([entity("exact"), entity("crop")])},
            {"kept": True, "entities": json.dumps([entity("exact")]), "lang": "de"},
            {"reason": "wrong_language"}, {"reason": "slots_lost"}, {"reason": "slots_lost", "lang": "de"}]  # fmt: skip
    folder = shards(tmp_path / "es", rows)
    corpus = Corpus.load([folder])
    assert reason_counts(corpus.rows) == {"slots_lost": 2, "wrong_language": 1}
    assert method_counts(corpus.rows) == {"exact": 2, "crop": 1}
    assert [r["line"] for r in corpus.select(lang="de")] == [2, 5]
    assert [r["line"] for r in corpus.select(status="kept", method="crop")] == [1]
    assert [r["line"] for r in corpus.select(status="discarded", reason="slots_lost")] == [4, 5]
    assert corpus.select(status="kept", reason="slots_lost") == []
    assert (corpus.languages(), corpus.reasons(), corpus.methods()) == (
        ["de", "es"], ["slots_lost", "wrong_language"], ["crop", "exact"])  # fmt: skip
    from crop_hf.projection.corpus_projection import summarize

    assert summarize(folder).drops == reason_counts(Corpus.load([folder]).rows)


def test_run_table_shows_every_per_language_key_it_finds(tmp_path):
    metrics = {
        "languages": ["es", "zh"],
        "evaluation": {"es": {"crop": 0.65432, "zero_shot": 0.2, "translate_train": 0.5}, "zh": {"crop": 0.1}},
        "lst": {"steps": 10, "spbleu": {"en-xx": {"es": 20.5}}, "slot_boundary_precision": {"es": 0.7, "zh": 0.3}},
        "projection": {"es": {"kept": 3, "drops": {"slots_lost": 2, "empty": 1}}},
        "paper": {"crop": {"es": 78.1}},
        "stages": {"train_lst": {"seconds": 201.5, "reused": False}, "project": {"seconds": 7.4, "reused": True}},
    }
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))
    run = RunResults.load(tmp_path)
    headers, rows = run.language_table()
    assert headers == ["lang", "evaluation.crop", "evaluation.zero_shot", "evaluation.translate_train",
                       "paper.crop", "projection.kept", "projection.drops", "lst.spbleu.en-xx",
                       "lst.slot_boundary_precision"]  # fmt: skip
    assert rows[0] == ["es", 0.6543, 0.2, 0.5, 78.1, 3, "slots_lost: 2; empty: 1", 20.5, 0.7]
    assert rows[1] == ["zh", 0.1, None, None, None, None, None, None, 0.3]
    assert run.stage_table() == [["train_lst", 201.5, "no"], ["project", 7.4, "yes"]]
    (tmp_path / "metrics.json").write_text("{")
    with pytest.raises(InspectError, match="metrics.json: not valid JSON"):
        RunResults.load(tmp_path)


def test_stage_views_of_a_result_with_its_stages():
    text = "Ana Ruiz vive en Madrid ."
    result = {
        "text": text, "lang": "es", "kept": True, "reason": None, "detail": None,
        "entities": [{"entity_group": "PER", "score": 1.0, "word": "Ana Ruiz", "start": 0, "end": 8,
                      "method": "exact", "token_start": 0, "token_end": 2},
                     {"entity_group": "LOC", "score": 0.9, "word": "Madrid", "start": 17, "end": 23,
                      "method": "fuzzy", "token_start": 4, "token_end": 5}],
        "english": "Ana Ruiz lives in Madrid .",
        "labeled_translation": "__SLOT0__ Ana Ruiz __SLOT0__ vive en __SLOT1__ Madrid __SLOT1__ .",
        "stages": {"english_tokens": ["Ana", "Ruiz", "lives", "in", "Madrid", "."],
                   "english_tags": ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]},
    }  # fmt: skip
    assert english_view(result) == {"text": "Ana Ruiz lives in Madrid .", "entities": [
        {"entity": "PER", "start": 0, "end": 8}, {"entity": "LOC", "start": 18, "end": 24}]}  # fmt: skip
    slots = slots_view(result)
    assert slots["text"] == "Ana Ruiz vive en Madrid ."
    assert [(slots["text"][e["start"] : e["end"]], e["entity"]) for e in slots["entities"]] == [
        ("Ana Ruiz", "PER (slot 0)"), ("Madrid", "LOC (slot 1)")]  # fmt: skip
    assert [text[e["start"] : e["end"]] for e in raw_view(result)["entities"]] == ["Ana Ruiz", "Madrid"]
    assert entity_rows(result)[1] == ["Madrid", "LOC", "fuzzy", 0.9, 17, 23]
    assert status_markdown(result) == "**kept** (es): 2 entities in the raw sentence"
    stored = {k: v for k, v in result.items() if k != "stages"}  # a shard row: no English tags
    assert english_view(stored) == {"text": "Ana Ruiz lives in Madrid .", "entities": []}
    assert [e["entity"] for e in slots_view(stored)["entities"]] == ["slot 0", "slot 1"]
    dropped = {"text": "Hello .", "lang": "es", "kept": False, "reason": "wrong_language", "detail": "langid: en"}
    assert status_markdown(dropped) == "**discarded** (es), reason **wrong\\_language**: langid: en"
    shown = status_markdown({**dropped, "detail": "![x](http://127.0.0.1:9/x.png) <img src=y>"})
    assert shown.endswith(r": \!\[x\]\(http://127\.0\.0\.1:9/x\.png\) \<img src=y\>")  # shown, not fetched
    assert english_view(dropped) is None and slots_view(dropped) is None and entity_rows(dropped) == []


def test_translate_train_markup():
    assert parse_bracketed("[PER Ana Ruiz] works for [ORG Cruz Roja] .") == {
        "tokens": ["Ana", "Ruiz", "works", "for", "Cruz", "Roja", "."],
        "tags": ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O"]}  # fmt: skip
    with pytest.raises(ValueError, match=r"write an entity as \[TYPE words\]"):
        parse_bracketed("[PER Ana works")


def test_inspect_serves_what_the_run_folder_holds_on_localhost(tmp_path, capsys, monkeypatch):
    from types import SimpleNamespace

    pytest.importorskip("gradio", reason="gradio is missing: pip install 'crop-hf[app]'")
    run = tmp_path / "demo_output"
    saved_pipeline(run / "models" / "crop-projection")
    shards(run / "projected" / "es", [{"reason": "empty"}])
    (run / "metrics.json").write_text("{}")
    calls = []
    app = SimpleNamespace(local_url="http://127.0.0.1:7860/", block_thread=lambda: calls.append("served"))
    monkeypatch.setattr("crop_hf.app.ui.build_app", lambda **kw: calls.append(kw) or app)
    monkeypatch.setattr("crop_hf.app.ui.launch", lambda a, host, port, block: calls.append((host, port, block)))
    assert cli.main(["inspect", str(run), "--port", "7861"]) == 0
    assert calls == [
        {"pipeline": str(run / "models" / "crop-projection"), "corpus": [run / "projected" / "es"], "run": run},
        ("127.0.0.1", 7861, False),
        "served",
    ]
    assert capsys.readouterr().out.endswith("at http://127.0.0.1:7860/ (Ctrl+C stops it)\n")


def test_inspect_checks_host_and_port_before_loading_and_says_when_the_network_sees_it(tmp_path, capsys,
                                                                                      monkeypatch):  # fmt: skip
    import socket
    from types import SimpleNamespace

    pytest.importorskip("gradio", reason="gradio is missing: pip install 'crop-hf[app]'")
    pipe = saved_pipeline(tmp_path / "pipe")
    loaded = []
    monkeypatch.setattr("crop_hf.app.ui.build_app", lambda **kw: loaded.append(kw) or SimpleNamespace(
        local_url="http://0.0.0.0:7860/", block_thread=lambda: None))  # fmt: skip
    monkeypatch.setattr("crop_hf.app.ui.launch", lambda a, host, port, block: None)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["inspect", str(pipe), "--port", str(port)]) == 2
        assert capsys.readouterr().err == (f"crop-hf inspect: error: --port {port}: already in use on 127.0.0.1; "
                                           "give another --port, or leave it out to take a free one\n")  # fmt: skip
    for host in ("203.0.113.7", "no-such-host.invalid"):  # not this machine's: refused at once, not 100 ports later
        assert cli.main(["inspect", str(pipe), "--host", host]) == 2
        (err,) = capsys.readouterr().err.splitlines()
        assert err.startswith(f"crop-hf inspect: error: --host {host}: ") and "use 127.0.0.1" in err
    assert loaded == []  # nothing was loaded for a bad address
    assert cli.main(["inspect", str(pipe), "--host", "0.0.0.0"]) == 0
    assert "serving on 0.0.0.0: anyone who can reach this machine there sees these files, without a login" in (
        capsys.readouterr().out
    )


def test_the_app_answers_only_its_own_host_names():
    from crop_hf.app.ui import allowed_hosts

    assert allowed_hosts("127.0.0.1") == ["127.0.0.1", "localhost", "::1"]
    assert allowed_hosts("0.0.0.0") == ["*"] and allowed_hosts("192.168.1.5") == ["192.168.1.5"]


def test_a_pipeline_without_recorded_languages_offers_those_its_tokenizer_has_tokens_for():
    from types import SimpleNamespace

    from crop_hf.app.ui import _tokenizer_languages

    vocab = {"<unk>": 0, "__es__": 5, "deu_Latn": 6, "__en__": 7}
    tokenizer = SimpleNamespace(unk_token_id=0, convert_tokens_to_ids=lambda t: vocab.get(t, 0))
    assert _tokenizer_languages(SimpleNamespace(tokenizer=tokenizer)) == ["de", "es"]
    assert _tokenizer_languages(SimpleNamespace(tokenizer=None)) == []


def test_bad_files_in_a_folder_are_named_not_internal_errors(tmp_path, capsys, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pytest.importorskip("gradio", reason="gradio is missing: pip install 'crop-hf[app]'")
    folder = shards(tmp_path / "es", [{"kept": True, "entities": "not json"}, {"reason": "empty"}])
    (folder / "shard-000001.parquet").write_bytes(b"PAR1 this is not parquet")
    pq.write_table(pa.Table.from_pylist([{"line": 1, "words": "x"}]), folder / "shard-000002.parquet")
    (folder / "summary.json").write_text("{broken")
    corpus = Corpus.load([folder])
    assert len(corpus.rows) == 2 and corpus.rows[0]["entities"] == []
    assert corpus.unreadable == [
        "shard-000000.parquet line 1: entities are not JSON",
        "shard-000001.parquet: not a readable Parquet file (ArrowInvalid)",
        "shard-000002.parquet: lacks the columns entities, kept, text",
        "es/summary.json: not a JSON object",
    ]
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "shard-000000.parquet").write_bytes(b"garbage")
    assert cli.main(["inspect", str(only_bad)]) == 2
    (err,) = capsys.readouterr().err.splitlines()
    assert "no readable shard-*.parquet (shard-000000.parquet: not a readable Parquet file" in err
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.json").write_text("[1, 2]")
    assert cli.main(["inspect", str(run)]) == 2
    assert "metrics.json: holds a JSON list, not the object crop-hf run writes" in capsys.readouterr().err
    (run / "metrics.json").write_text('{"languages": ["es"]}')
    (run / "report.md").write_bytes("résumé".encode("latin-1"))
    assert RunResults.load(run).report() == "r\ufffdsum\ufffd"  # shown, the odd bytes replaced
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the app")
    (run / "report.md").unlink()
    (run / "report.md").symlink_to(secret)
    assert "links to a file outside run: not shown" in RunResults.load(run).report()
    # a Hub id that is neither cached nor reachable (offline): one line naming it
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert cli.main(["inspect", "someone/not-cached-anywhere"]) == 2
    (err,) = capsys.readouterr().err.splitlines()
    assert err.startswith("crop-hf inspect: error: someone/not-cached-anywhere") and "cached or reachable" in err
