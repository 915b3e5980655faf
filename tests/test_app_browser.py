"""The inspect app in a real browser, offline: headless Chromium (Debian's package) driven by playwright types
sentences, clicks, filters and reads what the page renders; every request the page makes must stay on 127.0.0.1.

The pipeline is the tiny demo pipeline whose three models answer from a script (tests/app_scripted.py); the app
is compared with what the same pipeline object returns when called directly."""

import json
import socket
from pathlib import Path

import pytest

from crop_hf.app.ui import offline_environment

offline_environment()  # before gradio is imported: no analytics, no Hub
pytestmark = pytest.mark.slow  # a real browser: make test-slow
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

if not Path(CHROMIUM).exists():
    pytest.skip("no /usr/bin/chromium: apt-get install -y chromium (Debian)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is missing: pip install playwright (it drives /usr/bin/chromium)")
pytest.importorskip("gradio", reason="gradio is missing: pip install 'crop-hf[app]'")

from app_scripted import ENGLISH, README_ES, TT_MARKUP, make_run_folder, project_the_corpus, scripted  # noqa: E402


@pytest.fixture(scope="module")
def projector(tiny_dir):
    from transformers import pipeline

    import crop_hf  # noqa: F401

    project = pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))
    with pytest.MonkeyPatch.context() as mp, scripted(project, mp):
        yield project


@pytest.fixture(scope="module")
def folders(projector, tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    corpus = project_the_corpus(projector, root / "corpus")
    return corpus, make_run_folder(projector, corpus, root / "run")


@pytest.fixture(scope="module")
def url(projector, folders):
    from crop_hf.app import build_app, launch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(pipeline=projector, corpus=folders[0], run=folders[1])
    launch(app, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}"
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, url):
    """A fresh page on the app; after the test, no request of the page may have left 127.0.0.1."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector("#sentence-input textarea")
    yield page
    page.close()
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert requests and not outside, f"requests leaving 127.0.0.1: {outside}"


def project_in_page(page, text, mode="raw"):
    page.locator(f'#sentence-mode label[data-testid="{mode}-radio-label"]').click()
    page.fill("#sentence-input textarea", text)
    page.click("#sentence-run")
    page.wait_for_function("() => /kept|discarded|error/.test(document.querySelector('#sentence-status').innerText)")


def highlighted(page, elem_id):
    """(text, label) of each highlighted span of a HighlightedText."""
    spans = page.locator(f"#{elem_id} .token.highlighted")
    return [(s.locator(".text").inner_text().strip(), s.locator(".label").inner_text().strip()) for s in spans.all()]


def table(page, elem_id):
    """The rows of a Dataframe as rendered (cell text by data-row / data-col)."""
    cells = page.locator(f"#{elem_id} [role=gridcell][data-row][data-col]").all()
    rows = {}
    for cell in cells:
        rows.setdefault(int(cell.get_attribute("data-row")), {})[int(cell.get_attribute("data-col"))] = (
            cell.inner_text().strip()
        )
    return [[row[c] for c in sorted(row)] for _, row in sorted(rows.items())]


def select_row(page, row, expect):
    """Click a row of the corpus table until its stages show ``expect`` (the first click after a dropdown choice
    may only move the focus)."""
    from playwright.sync_api import TimeoutError

    for _ in range(3):
        page.locator(f"#corpus-rows [role=gridcell][data-row='{row}'][data-col='5']").click()
        try:
            page.wait_for_function("e => document.querySelector('#corpus-status').innerText.includes(e)", arg=expect,
                                   timeout=5000)  # fmt: skip
            return
        except TimeoutError:
            continue
    raise AssertionError(f"selecting corpus row {row} never showed {expect!r}")


def choose(page, elem_id, value):
    page.locator(f"#{elem_id} input[role=combobox]").click()
    page.get_by_role("option", name=value, exact=True).click()


def test_readme_spanish_sentence_shows_every_stage_at_the_pipelines_offsets(page, projector):
    from crop_hf.app.ui import sentence_options

    expected = projector(README_ES, **sentence_options(projector, "es"))
    assert expected["kept"] and len(expected["entities"]) == 2
    project_in_page(page, README_ES)
    page.wait_for_selector("#sentence-entities [role=gridcell]")
    rows = table(page, "sentence-entities")
    assert [[r[0], r[1], r[2], int(r[4]), int(r[5])] for r in rows] == [
        [e["word"], e["entity_group"], e["method"], e["start"], e["end"]] for e in expected["entities"]]  # fmt: skip
    assert highlighted(page, "sentence-raw") == [
        (README_ES[e["start"] : e["end"]], e["entity_group"]) for e in expected["entities"]]  # fmt: skip
    assert highlighted(page, "sentence-english") == [("Valero Gabaldón", "PER"), ("Cruz Roja", "ORG")]
    assert highlighted(page, "sentence-slots") == [("Valero Gabaldón", "PER (SLOT 0)"), ("Cruz Roja", "ORG (SLOT 1)")]
    assert page.inner_text("#sentence-status").startswith("kept (es): 2 entities")


def test_english_sentence_shows_the_pipelines_discard_reason_and_detail(page, projector):
    from crop_hf.app.ui import sentence_options

    expected = projector(ENGLISH, **sentence_options(projector, "es"))
    assert not expected["kept"] and expected["detail"]
    project_in_page(page, ENGLISH)
    status = page.inner_text("#sentence-status")
    assert f"reason {expected['reason']}" in status and expected["detail"] in status
    assert highlighted(page, "sentence-raw") == [] and table(page, "sentence-entities") == []
    page.locator("#sentence-check input").uncheck()  # without the language check the models run on it
    page.click("#sentence-run")
    unchecked = projector(ENGLISH, **sentence_options(projector, "es", check_language=False))
    page.wait_for_function(
        "r => document.querySelector('#sentence-status').innerText.includes(r)", arg=f"reason {unchecked['reason']}"
    )
    assert unchecked["reason"] != expected["reason"]


def test_translate_train_labels_the_lst_output_with_the_typed_entities(page, projector):
    project_in_page(page, TT_MARKUP, mode="translate-train")
    page.wait_for_selector("#sentence-entities [role=gridcell]")
    assert highlighted(page, "sentence-english") == [("Ana Ruiz", "PER"), ("Cruz Roja", "ORG")]
    assert [r[:3] for r in table(page, "sentence-entities")] == [["Ana Ruiz", "PER", "slot"],
                                                                ["Cruz Roja", "ORG", "slot"]]  # fmt: skip


def test_corpus_counts_equal_summary_json_and_filters_open_a_rows_stages(page, folders):
    summary = json.loads((folders[0] / "summary.json").read_text(encoding="utf-8"))
    page.click("#tab-corpus-button")
    page.wait_for_selector("#corpus-reasons [role=gridcell]")
    assert {r[0]: int(r[1]) for r in table(page, "corpus-reasons")} == summary["drops"]
    assert len(summary["drops"]) == 5  # unmatched_entity, slots_lost, raw_language, empty, no_entity
    assert {r[0]: int(r[1]) for r in table(page, "corpus-methods")} == {"exact": 4, "crop": 1}
    assert page.inner_text("#corpus-note") == f"{summary['sentences']} rows match"

    page.locator('#corpus-kept label[data-testid="discarded-radio-label"]').click()
    choose(page, "corpus-reason", "unmatched_entity")
    page.wait_for_function("() => document.querySelector('#corpus-note').innerText.startsWith('1 rows')")
    (row,) = table(page, "corpus-rows")
    assert row[:4] == ["3", "es", "no", "unmatched_entity"] and row[5] == "Ana Ruiz vive en Sevilla ."
    assert {r[0]: int(r[1]) for r in table(page, "corpus-reasons")} == {"unmatched_entity": 1}
    select_row(page, 0, "unmatched_entity")
    assert "not found in the raw sentence: Londres" in page.inner_text("#corpus-status")
    assert highlighted(page, "corpus-slots") == [
        ("Ana Ruiz", "SLOT 0"),
        ("Londres", "SLOT 1"),
    ]  # labels in capitals (CSS)

    page.locator('#corpus-kept label[data-testid="all-radio-label"]').click()
    choose(page, "corpus-reason", "all")
    choose(page, "corpus-method", "crop")
    page.wait_for_function("() => document.querySelector('#corpus-note').innerText.startsWith('1 rows')")
    (row,) = table(page, "corpus-rows")
    assert row[4] == "Banco Mundial de Desarrollo Rural (ORG)"


def test_run_view_shows_every_per_language_key_and_the_stage_times(page, folders):
    page.click("#tab-run-button")
    page.wait_for_selector("#run-languages [role=gridcell]")
    headers = [h.inner_text().strip() for h in page.locator("#run-languages thead th").all()]
    assert {"lang", "evaluation.crop", "evaluation.translate_train", "paper.crop", "projection.f1"} <= set(headers)
    es = dict(zip(headers, table(page, "run-languages")[0]))
    recorded = json.loads((folders[1] / "metrics.json").read_text(encoding="utf-8"))  # what the page was given
    assert (es["lang"], es["evaluation.crop"], es["evaluation.translate_train"], es["paper.crop"]) == (
        "es", str(recorded["evaluation"]["es"]["crop"]), "55.5", "78.1")  # fmt: skip
    assert "is in percent, 0-100" in page.inner_text("#run-note")  # the scale of every number in the table
    stages = table(page, "run-stages")
    assert stages[3][:2] == ["train_lst", str(recorded["stages"]["train_lst"]["seconds"])]


@pytest.fixture(scope="module")
def trap():
    """A local HTTP server that counts the requests it gets: what the data below points the page at."""
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_the_app_shows_data_as_text_and_fetches_nothing_it_names(browser, projector, folders, trap, tmp_path):
    import shutil

    from crop_hf.app import build_app, launch
    from crop_hf.projection.corpus_projection import project_corpus

    base, hits = trap
    bait = {name: f"![x]({base}/{name}.png) <img src='{base}/{name}-html.png'> [link]({base}/{name}-link)"
            for name in ("report", "key", "value", "sentence", "recipe")}  # fmt: skip
    run = tmp_path / "run"
    shutil.copytree(folders[1], run)
    (run / "report.md").write_text(f"# Report\n\n{bait['report']}\n", encoding="utf-8")
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    metrics["recipe"]["name"] = bait["recipe"]
    metrics["evaluation"]["es"][bait["key"]] = bait["value"]
    (run / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    raw = tmp_path / "raw.txt"
    raw.write_text(f"{bait['sentence']} Ana vive aquí .\n", encoding="utf-8")
    project_corpus(projector, raw, tmp_path / "corpus" / "es", "es", shard_size=4, progress=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(pipeline=projector, corpus=tmp_path / "corpus" / "es", run=run)
    launch(app, host="127.0.0.1", port=port, block=False)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    try:
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_selector("#sentence-input textarea")
        project_in_page(page, bait["sentence"])  # the user's own text, echoed in the status
        page.click("#tab-corpus-button")
        page.wait_for_selector("#corpus-rows [role=gridcell]")
        select_row(page, 0, "discarded")
        page.click("#tab-run-button")
        page.wait_for_selector("#run-languages [role=gridcell]")
        page.locator("button:has-text('report.md')").first.click()
        page.wait_for_selector("#run-report .cm-content")
        page.wait_for_timeout(1000)
        shown = page.inner_text("body")
        assert f"{base}/report.png" in shown and f"{base}/key.png" in shown  # shown, as text
        # the page's config names no folder of this machine; a request under another host name is refused
        import urllib.error
        import urllib.request

        config = urllib.request.urlopen(f"http://127.0.0.1:{port}/config").read().decode()
        assert str(tmp_path) not in config and str(folders[1]) not in config
        rebound = urllib.request.Request(f"http://127.0.0.1:{port}/config", headers={"Host": "rebind.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound)
        assert refused.value.code == 400
    finally:
        page.close()
        app.close()
    assert hits == [], f"the page fetched what the data named: {hits}"
