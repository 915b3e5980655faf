"""The ``crop-hf inspect`` app (gradio): three views of what projection did, built by :func:`build_app`.

- **Sentence**: a sentence, its language and the mode (raw projection or translate-train) go through the pipeline
  with ``return_stages=True``; every stage is shown: the English translation with the English NER entities, the
  labeled back-translation with its slots, the entities in the raw sentence (type, method, score, offsets), or the
  discard reason and its detail.
- **Corpus**: the rows of projection shards, filtered by language, kept/discarded, reason and match method; counts
  per reason and per method as tables and bar plots (y from 0); selecting a row shows its stages.
- **Run**: a run folder's ``metrics.json`` per language (every per-language key it has, a ``paper`` block
  included), its stage times, plots and ``report.md``.

The app never leaves the machine: no analytics, no Google fonts (system fonts), no share link; :func:`launch` serves
on 127.0.0.1 unless told otherwise. Only ``crop-hf inspect`` and a Space's ``app.py`` import this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..base.extras import require
from ..core.language_id import auto_candidates
from ..core.languages import LANGUAGES
from ..projection.projection_options import DECODINGS
from .render import (
    ENTITY_HEADERS,
    english_view,
    entity_rows,
    md_text,
    parse_bracketed,
    raw_view,
    slots_view,
    status_markdown,
)
from .sources import (
    ALL,
    CORPUS_HEADERS,
    DISCARDED,
    KEPT,
    Corpus,
    InspectError,
    RunResults,
    method_counts,
    reason_counts,
    row_summary,
    shard_folders,
)

MODES = ("raw", "translate-train")
MAX_ROWS = 200  # rows of the corpus table shown at once (the counts cover every row)
# Sentences to click when no corpus is loaded: written for this app (Spanish, and English for the language check).
EXAMPLES = {
    "es": ["Valero Gabaldón trabaja para Cruz Roja .", "Ana Ruiz vive en Madrid ."],
    "en": ["The meeting ended early ."],
}
TRANSLATE_TRAIN_EXAMPLE = "[PER Ana Ruiz] works for [ORG Cruz Roja] in [LOC Madrid] ."


def offline_environment() -> None:
    """What keeps gradio and huggingface_hub from calling home: set before gradio is imported."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_pipeline(name_or_path: str | Path) -> Any:
    """The crop-projection pipeline saved in a folder or published under a Hub id."""
    from transformers import pipeline

    import crop_hf  # noqa: F401  (registers the task)
    from crop_hf.base.errors import is_user_error

    try:
        return pipeline("crop-projection", model=str(name_or_path))  # type: ignore[call-overload]
    except OSError as err:  # offline and not cached, a folder without the model files: one line naming it
        if is_user_error(err):
            raise
        raise InspectError(
            f"{name_or_path}: cannot load the pipeline ({' '.join(str(err).split())[:200]}); "
            "pass a saved pipeline folder, or a Hub id that is cached or reachable"
        ) from None


def sentence_options(
    projector: Any, lang: str, mode: str = "raw", check_language: bool = True, decoding: str | None = None
) -> dict[str, Any]:
    """The pipeline options of the Sentence view. ``check_language`` checks the language of the translation and, in
    raw mode, of the typed sentence (typed text is web text: its language is the user's guess), among the
    pipeline's languages and English, as a run does (``langid_candidates: auto``). ``decoding`` (raw mode): free or
    constrained labeled back-translation (``None``: the pipeline's own)."""
    options: dict[str, Any] = {"check_language": check_language, "return_stages": True}
    if mode == "translate-train":
        options.update(tgt_lang=lang, mode=mode)
    else:
        options.update(src_lang=lang, check_raw_language=check_language)
        if decoding is not None:
            options["decoding"] = decoding
    known = list(getattr(projector.crop_config, "languages", None) or [])
    if check_language:
        options["langid_candidates"] = auto_candidates([*known, lang])
    return options


def project_sentence(
    projector: Any, text: str, lang: str, mode: str = "raw", check_language: bool = True, decoding: str | None = None
) -> dict:
    """One sentence through the pipeline with every stage; translate-train takes ``[TYPE words]`` markup."""
    inputs: Any = parse_bracketed(text) if mode == "translate-train" else text
    return projector(inputs, **sentence_options(projector, lang, mode, check_language, decoding))


def build_app(
    pipeline: Any = None,
    corpus: Corpus | str | Path | Sequence[str | Path] | None = None,
    run: str | Path | None = None,
    title: str = "crop-hf inspect",
) -> Any:
    """The app as a ``gradio.Blocks``; each argument is optional and its view says so when it is missing.

    ``pipeline``: a crop-projection pipeline, or a folder / Hub id to load one from; ``corpus``: a :class:`Corpus`
    or projection folder(s) (``shard-*.parquet``, or one sub-folder per language); ``run``: a run folder.
    """
    gr = require("gradio", "crop-hf inspect (the app)", "app")
    projector = load_pipeline(pipeline) if isinstance(pipeline, (str, Path)) else pipeline
    if corpus is not None and not isinstance(corpus, Corpus):
        given = [corpus] if isinstance(corpus, (str, Path)) else list(corpus)
        corpus = Corpus.load([f for g in given for f in (shard_folders(Path(g)) or [Path(g)])])
    results = RunResults.load(run) if run is not None else None
    with gr.Blocks(title=title, analytics_enabled=False) as app:
        gr.Markdown(f"# {title}\nWhat CROP projection did: each stage of a sentence, a projected corpus, a run.")
        with gr.Tabs(elem_id="views") as tabs:
            with gr.Tab("Sentence", id="sentence", elem_id="tab-sentence"):
                sentence = _sentence_view(gr, projector, corpus)
            with gr.Tab("Corpus", id="corpus", elem_id="tab-corpus"):
                _corpus_view(gr, corpus, projector, sentence, tabs)
            with gr.Tab("Run", id="run", elem_id="tab-run"):
                _run_view(gr, results)
    return app


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str) -> list[str]:
    """The ``Host`` headers the app answers: its own address (and ``localhost``), so that a page of another site
    cannot reach it through a DNS name it rebinds to 127.0.0.1; any, when it serves every interface (``0.0.0.0``)."""
    if host in ("0.0.0.0", "::"):
        return ["*"]
    return list(dict.fromkeys([host, *LOCAL_HOSTS])) if host in LOCAL_HOSTS else [host]


def launch(app: Any, host: str = "127.0.0.1", port: int | None = None, block: bool = True) -> Any:
    """Serve ``app`` locally: no share link, no server-side rendering, system fonts only, requests whose ``Host`` is
    not the app's own refused (:func:`allowed_hosts`)."""
    gr = require("gradio", "crop-hf inspect (the app)", "app")
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    theme = gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )
    guard = {"middleware": [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host))]}
    return app.launch(server_name=host, server_port=port, share=False, ssr_mode=False, prevent_thread_lock=not block,
                      quiet=True, theme=theme, footer_links=[], show_error=True, app_kwargs=guard)  # fmt: skip


# ---------------------------------------------------------------------------------------------------- views


def _stage_panel(gr: Any, prefix: str) -> list[Any]:
    """The components that show one result's stages (the Sentence view and a selected corpus row share them)."""
    status = gr.Markdown(elem_id=f"{prefix}-status")
    english = gr.HighlightedText(label="English translation, English NER entities", elem_id=f"{prefix}-english")
    slots = gr.HighlightedText(label="Labeled back-translation (slots)", elem_id=f"{prefix}-slots")
    raw = gr.HighlightedText(label="Entities in the raw sentence", elem_id=f"{prefix}-raw")
    table = gr.Dataframe(headers=ENTITY_HEADERS, label="Entities (character offsets into the raw sentence)",
                         interactive=False, elem_id=f"{prefix}-entities")  # fmt: skip
    return [status, english, slots, raw, table]


def _stage_values(result: Mapping[str, Any]) -> list[Any]:
    english, slots = english_view(result) or _NOT_REACHED, slots_view(result) or _NOT_REACHED
    return [status_markdown(result), english, slots, raw_view(result), entity_rows(result)]


_NOT_REACHED = {"text": "(not reached: the sentence was discarded before this stage)", "entities": []}


def _sentence_view(gr: Any, projector: Any, corpus: Corpus | None) -> dict[str, Any]:
    if projector is None:
        gr.Markdown("No pipeline loaded: run `crop-hf inspect` on a pipeline folder, a run folder or a Hub id.")
        return {}
    langs = list(projector.crop_config.languages) or _tokenizer_languages(projector) or sorted(LANGUAGES)
    first = projector.crop_config.default_lang or ("es" if "es" in langs else langs[0])
    gr.Markdown("Raw mode: a sentence in the chosen language. Translate-train: an English sentence with its "
                f"entities marked, e.g. `{TRANSLATE_TRAIN_EXAMPLE}`.")  # fmt: skip
    text = gr.Textbox(label="Sentence", lines=2, elem_id="sentence-input")
    with gr.Row():
        lang = gr.Dropdown(langs, value=first, label="Language", elem_id="sentence-lang")
        mode = gr.Radio(list(MODES), value="raw", label="Mode", elem_id="sentence-mode")
        check = gr.Checkbox(
            value=True, label="check the language (sentence and translation)", elem_id="sentence-check"
        )
        decoding = gr.Radio(list(DECODINGS), value=getattr(projector, "decoding", "free"), elem_id="sentence-decoding",
                            label="Labeled back-translation (raw mode): free, or constrained to the raw sentence")  # fmt: skip
    button = gr.Button("Project", variant="primary", elem_id="sentence-run")
    panel = _stage_panel(gr, "sentence")

    def run(sentence: str, language: str, how: str, check_language: bool, decoded: str = "free") -> list[Any]:
        try:
            return _stage_values(project_sentence(projector, sentence, language, how, check_language, decoded))
        except (TypeError, ValueError) as err:  # bad markup or option: one line, the app goes on
            return [f"**error**: {md_text(err)}", None, None, {"text": sentence, "entities": []}, []]

    inputs = [text, lang, mode, check, decoding]
    button.click(run, inputs, panel)
    text.submit(run, inputs, panel)
    gr.Examples(_examples(corpus, langs, first), inputs=[text, lang, mode], label="Examples (click, then Project)")
    return {"text": text, "lang": lang, "mode": mode, "run": run, "inputs": inputs, "panel": panel}


def _tokenizer_languages(projector: Any) -> list[str]:
    """The languages the LST tokenizer has a language token for (M2M100's ``__es__``, NLLB's ``spa_Latn``): what a
    pipeline that records no languages can translate into."""
    tokenizer = getattr(projector, "tokenizer", None)
    if tokenizer is None:
        return []
    unknown = {None, tokenizer.unk_token_id}
    names = {lang.code: [f"__{lang.m2m100_code}__" if lang.m2m100_code else None, lang.nllb_code]
             for lang in LANGUAGES.values() if lang.code != "en"}  # fmt: skip
    return sorted(code for code, tokens in names.items()
                  if any(t and tokenizer.convert_tokens_to_ids(t) not in unknown for t in tokens))  # fmt: skip


def _examples(corpus: Corpus | None, langs: list[str], first: str) -> list[list[str]]:
    rows: list[list[str]] = []
    if corpus is not None:  # a kept and a discarded sentence per language of the corpus
        for lang in corpus.languages():
            for status in (KEPT, DISCARDED):
                picked = corpus.select(lang, status)[:1]
                rows.extend([r["text"], lang, "raw"] for r in picked if r.get("text") and lang in langs)
    if not rows:  # the English one is checked against the first language: it shows the language filter
        rows = [[t, lang if lang in langs and lang != "en" else first, "raw"]
                for lang, texts in EXAMPLES.items() for t in texts]  # fmt: skip
    return [*rows, [TRANSLATE_TRAIN_EXAMPLE, first, "translate-train"]]


def _corpus_view(gr: Any, corpus: Corpus | None, projector: Any, sentence: dict[str, Any], tabs: Any) -> None:
    import pandas as pd

    if corpus is None:
        gr.Markdown("No projected corpus: run `crop-hf inspect` on a `crop-hf project` output or a run folder.")
        return
    sizes = ", ".join(f"{md_text(s.get('sentences'))} sentences, {md_text(s.get('kept'))} kept "
                      f"({md_text(Path(f).parent.name + '/' + Path(f).name)})" for f, s in corpus.summaries.items())  # fmt: skip
    left_out = f"; left out, unreadable: {md_text('; '.join(corpus.unreadable[:5]))}" if corpus.unreadable else ""
    gr.Markdown(f"{len(corpus.rows)} rows" + (f"; summary.json: {sizes}" if sizes else "") + left_out,
                elem_id="corpus-summary")  # fmt: skip
    with gr.Row():
        lang = gr.Dropdown([ALL, *corpus.languages()], value=ALL, label="Language", elem_id="corpus-lang")
        status = gr.Radio([ALL, KEPT, DISCARDED], value=ALL, label="Sentences", elem_id="corpus-kept")
        reason = gr.Dropdown([ALL, *corpus.reasons()], value=ALL, label="Discard reason", elem_id="corpus-reason")
        method = gr.Dropdown([ALL, *corpus.methods()], value=ALL, label="Match method", elem_id="corpus-method")

    def counts(rows: list[dict[str, Any]]) -> list[Any]:
        by_reason, by_method = reason_counts(rows), method_counts(rows)
        return [
            [[k, v] for k, v in by_reason.items()],
            [[k, v] for k, v in by_method.items()],
            pd.DataFrame({"reason": list(by_reason), "sentences": list(by_reason.values())}),
            pd.DataFrame({"method": list(by_method), "entities": list(by_method.values())}),
        ]

    def show(*filters: str) -> list[Any]:
        rows = corpus.select(*filters)
        note = f"{len(rows)} rows match" + (f"; the first {MAX_ROWS} are listed" if len(rows) > MAX_ROWS else "")
        shown = rows[:MAX_ROWS]
        return [*counts(rows), note, [row_summary(r) for r in shown], [r["id"] for r in shown]]

    first = show(ALL, ALL, ALL, ALL)
    with gr.Row():
        reasons = gr.Dataframe(first[0], headers=["reason", "sentences"], label="Discarded per reason",
                               interactive=False, elem_id="corpus-reasons")  # fmt: skip
        methods = gr.Dataframe(first[1], headers=["method", "entities"], label="Entities per match method",
                               interactive=False, elem_id="corpus-methods")  # fmt: skip
    with gr.Row():
        reason_plot = gr.BarPlot(first[2], x="reason", y="sentences", y_lim=[0, None], label="Discarded per reason",
                                 elem_id="corpus-reason-plot")  # fmt: skip
        method_plot = gr.BarPlot(first[3], x="method", y="entities", y_lim=[0, None], label="Entities per method",
                                 elem_id="corpus-method-plot")  # fmt: skip
    note = gr.Markdown(first[4], elem_id="corpus-note")
    table = gr.Dataframe(first[5], headers=CORPUS_HEADERS, label="Rows (select one to see its stages)",
                         interactive=False, wrap=True, max_height=400, elem_id="corpus-rows",
                         column_widths=["7%", "6%", "6%", "15%", "26%", "40%"])  # fmt: skip
    ids = gr.State(first[6])
    chosen = gr.State(None)
    panel = _stage_panel(gr, "corpus")
    outputs = [reasons, methods, reason_plot, method_plot, note, table, ids]
    for control in (lang, status, reason, method):
        control.change(show, [lang, status, reason, method], outputs)

    def open_row(row_ids: list[int], evt: Any) -> list[Any]:
        row = corpus.rows[row_ids[evt.index[0]]]
        return [row["id"], *_stage_values(row)]

    open_row.__annotations__["evt"] = gr.SelectData  # gradio passes the selection to a parameter of this type

    table.select(open_row, [ids], [chosen, *panel])
    if sentence:
        again = gr.Button("Project this row again in the Sentence view (every stage)", elem_id="corpus-again")

        def fill(row_id: int | None) -> list[Any]:
            if row_id is None:
                return [gr.update(), gr.update(), gr.update(), gr.Tabs()]
            row = corpus.rows[row_id]
            return [row.get("text") or "", row.get("lang"), "raw", gr.Tabs(selected="sentence")]

        again.click(fill, [chosen], [sentence["text"], sentence["lang"], sentence["mode"], tabs]).then(
            sentence["run"], sentence["inputs"], sentence["panel"]
        )


def _run_view(gr: Any, results: RunResults | None) -> None:
    if results is None or not results.metrics:
        gr.Markdown("No run results: run `crop-hf inspect` on a `crop-hf run` or `crop-hf demo` output folder.")
        return
    recipe = results.metrics.get("recipe") or {}
    gr.Markdown(f"Run {md_text(results.root.name)}, recipe **{md_text(recipe.get('name', '?'))}**, languages "
                f"{md_text(', '.join(results.languages()))}. {md_text(results.metrics.get('scale') or '')}",
                elem_id="run-note")  # fmt: skip
    headers, rows = results.language_table()
    gr.Dataframe(rows, headers=headers, label="Per language (every per-language value of metrics.json)",
                 interactive=False, elem_id="run-languages")  # fmt: skip
    gr.Dataframe(results.stage_table(), headers=["stage", "seconds", "reused"], label="Stage times",
                 interactive=False, elem_id="run-stages")  # fmt: skip
    plots = results.plots()
    if plots:
        gr.Gallery([str(p) for p in plots], label="Plots", columns=2, object_fit="contain", elem_id="run-plots")
    report = results.report()
    if report:
        with gr.Accordion("report.md", open=False):
            # as text: an image or a link in a run's report is shown, never fetched
            gr.Code(report, language="markdown", interactive=False, elem_id="run-report")
