"""Screenshots of `crop-hf inspect`'s Sentence and Corpus views for the README, made with the browser the tests use.

    python tools/screenshot_app.py demo_output            # after `make demo`: writes docs/inspect_*.png

It serves the app for a run folder (the demo's pipeline, projected shards and metrics) on 127.0.0.1, opens it in
headless Chromium (Debian's /usr/bin/chromium driven by playwright), projects the README's Spanish example in the
Sentence view (or ``--sentence``), filters the Corpus view to that language and selects its first discarded row,
and saves one PNG per view. Any request of the
page that leaves 127.0.0.1 stops it with an error. Needs crop-hf[app,dev] and `apt-get install -y chromium`.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "Valero Gabaldón trabaja para Cruz Roja ."  # the README tour's example
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", nargs="?", default="demo_output", help="a crop-hf run/demo output folder")
    parser.add_argument("--out_dir", default=str(ROOT / "docs"), help="where the PNGs go (default: docs/)")
    parser.add_argument("--sentence", default=SENTENCE, help="the sentence typed in the Sentence view")
    parser.add_argument("--lang", default="es", help="its language")
    args = parser.parse_args(argv)

    from crop_hf.app.ui import offline_environment

    offline_environment()
    from playwright.sync_api import sync_playwright

    from crop_hf.app import build_app, find_sources, launch

    sources = find_sources(args.run_dir)
    if sources.pipeline is None or not sources.corpus:
        sys.exit(f"{args.run_dir}: needs a pipeline and projected shards (a crop-hf run/demo output folder)")
    app = build_app(pipeline=sources.pipeline, corpus=sources.corpus, run=sources.run)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launch(app, port=port, block=False)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector("#sentence-input textarea")
            page.locator("#sentence-lang input[role=combobox]").click()
            page.get_by_role("option", name=args.lang, exact=True).click()
            page.fill("#sentence-input textarea", args.sentence)
            page.click("#sentence-run")
            page.wait_for_function("() => /kept|discarded/.test(document.querySelector('#sentence-status').innerText)")
            shoot(page, "#tab-sentence", out / "inspect_sentence.png")
            page.click("#tab-corpus-button")
            page.wait_for_selector("#corpus-rows [role=gridcell]")
            page.locator("#corpus-lang input[role=combobox]").click()
            page.get_by_role("option", name=args.lang, exact=True).click()
            page.wait_for_timeout(1500)
            kept = page.locator("#corpus-rows [role=gridcell][data-col='2']").all_inner_texts()
            row = next((i for i, k in enumerate(kept) if k.strip() == "no"), 0)  # the first discarded row
            page.locator(f"#corpus-rows [role=gridcell][data-row='{row}'][data-col='5']").click()
            page.wait_for_function("() => /discarded/.test(document.querySelector('#corpus-status').innerText)")
            shoot(page, "#tab-corpus", out / "inspect_corpus.png")
            browser.close()
    finally:
        app.close()
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    if outside:
        sys.exit(f"the page made requests leaving 127.0.0.1: {outside}")
    print(
        f"wrote {out / 'inspect_sentence.png'} and {out / 'inspect_corpus.png'} ({len(requests)} requests, all local)"
    )
    return 0


def shoot(page, selector: str, path: Path) -> None:
    """A PNG of one view (the tab's panel), plus the page title above it."""
    page.wait_for_timeout(800)  # let plots and highlights settle
    page.locator(selector).screenshot(path=str(path))


if __name__ == "__main__":
    raise SystemExit(main())
