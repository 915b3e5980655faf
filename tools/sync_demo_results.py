"""Copy several fresh ``make demo`` runs into the repository: each run's ``metrics.json`` and ``report.md`` under
``docs/demo_runs/run-<i>/``, the README's results block (means and ranges over the runs, and the sentences they all
support) and the example cards in ``model_cards/`` (from the first run), so that all of them come from the same runs.

    for i in 1 2 3; do crop-hf demo --output_dir runs/demo-$i; done
    python tools/sync_demo_results.py runs/demo-1 runs/demo-2 runs/demo-3 --machine "2-core x86_64 CPU, no GPU"

``tests/test_readme.py`` checks that the README's block is the one the recorded runs give.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "docs" / "demo_runs"
START, END = "<!-- demo-results:start -->", "<!-- demo-results:end -->"
SYSTEMS = (("zero_shot", "zero-shot"), ("translate_train", "translate-train"), ("translate_test", "translate-test"),
           ("crop", "CROP"))  # fmt: skip


def recorded_runs(root: Path = RUNS) -> list[dict]:
    """The ``metrics.json`` of every recorded run, in order (``run-1``, ``run-2``, ...)."""
    folders = sorted(root.glob("run-*"), key=lambda p: int(p.name.split("-")[1]))
    return [json.loads((folder / "metrics.json").read_text(encoding="utf-8")) for folder in folders]


def results_block(runs: list[dict], machine: str) -> str:
    """The README's block: a table of means (lowest-highest) per language over the runs, and what every run shows."""
    langs = runs[0]["languages"]
    minutes = [sum(s["seconds"] for s in m["stages"].values()) / 60 for m in runs]
    lines = [
        START,
        f"{len(runs)} fresh runs of `make demo` ({machine}; the stages took {min(minutes):.1f}-{max(minutes):.1f} min "
        "per run), each recorded in `docs/demo_runs/` (its `metrics.json` and `report.md`). Scores in percent; each "
        "cell is the mean over the runs, the lowest and highest in brackets.",
        "",
        "| lang | kept of 250 | projection F1 | "
        + " | ".join(f"{name} F1" for _, name in SYSTEMS)
        + " | labeled accuracy (entities) | LST well-formed (held-out) |",
        "|---|---|---|" + "---|" * len(SYSTEMS) + "---|---|",
    ]
    for lang in langs:
        cells = [_spread([m["projection"][lang]["kept"] for m in runs], 0),
                 _spread([m["projection"][lang]["f1"] for m in runs]),
                 *(_spread([m["evaluation"][lang][s] for m in runs]) for s, _ in SYSTEMS),
                 _spread([m["lst"]["entity_accuracy"][lang] for m in runs]),
                 _spread([m["lst_quality"]["labeled"][lang]["well_formed"] for m in runs])]  # fmt: skip
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    lines += ["", *claims(runs), END]
    return "\n".join(lines)


def claims(runs: list[dict]) -> list[str]:
    """The sentences the README may say about the runs: how often CROP beat each baseline, the averages' ranges."""
    langs = runs[0]["languages"]
    out = []
    for system, name in SYSTEMS[:-1]:
        wins = sum(m["evaluation"][lang]["crop"] > m["evaluation"][lang][system] for m in runs for lang in langs)
        out.append(f"CROP F1 above {name} in {wins} of {len(runs) * len(langs)} language-runs.")
    averages = {s: [sum(m["evaluation"][lang][s] for lang in langs) / len(langs) for m in runs] for s, _ in SYSTEMS}
    out.append("Average over the languages: " + ", ".join(
        f"{name} {min(averages[s]):.1f}-{max(averages[s]):.1f}" for s, name in SYSTEMS) + ".")  # fmt: skip
    return [" ".join(out)]


def _spread(values: list[float], digits: int = 1) -> str:
    mean = sum(values) / len(values)
    return f"{mean:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo_dirs", type=Path, nargs="+", help="fresh demo run folders, in the order to record")
    parser.add_argument("--machine", required=True, help="what the runs ran on, e.g. '2-core x86_64 CPU, no GPU'")
    args = parser.parse_args()
    shutil.rmtree(RUNS, ignore_errors=True)
    for i, run in enumerate(args.demo_dirs, start=1):
        (RUNS / f"run-{i}").mkdir(parents=True)
        for name in ("metrics.json", "report.md"):
            shutil.copy2(run / name, RUNS / f"run-{i}" / name)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head, rest = readme.split(START, 1)
    tail = rest.split(END, 1)[1]
    (ROOT / "README.md").write_text(head + results_block(recorded_runs(), args.machine) + tail, encoding="utf-8")
    first = json.loads((args.demo_dirs[0] / "metrics.json").read_text(encoding="utf-8"))
    cards = {
        "crop-projection-tiny-demo": args.demo_dirs[0] / "models" / "crop-projection",
        "crop-ner-tiny-demo": args.demo_dirs[0] / first["selftrain"]["model_dir"],  # relative to the run folder
    }
    for name, source in cards.items():
        target = ROOT / "model_cards" / name
        for old in target.glob("*"):
            old.unlink()
        for path in source.iterdir():
            if path.suffix in (".md", ".png"):
                shutil.copy2(path, target / path.name)
    print(f"README, docs/demo_runs/ and model_cards/ now show {len(args.demo_dirs)} runs")


if __name__ == "__main__":
    main()
