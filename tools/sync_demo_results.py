"""Copy one ``make demo`` run into the repository: the README's results block, ``docs/demo_metrics.json`` and the
example cards in ``model_cards/``, so that all three come from the same run.

    make demo && python tools/sync_demo_results.py demo_output --machine "2-core x86_64 CPU, no GPU"

``tests/test_readme.py`` checks that the README's table is the one this run's metrics give.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- demo-results:start -->", "<!-- demo-results:end -->"


def results_block(metrics: dict, machine: str) -> str:
    from crop_hf.model_card import RunMetrics
    from crop_hf.run.report import results_table

    stages = metrics.get("stages", {})
    minutes = sum(s["seconds"] for s in stages.values()) / 60
    table = "\n".join(results_table(RunMetrics.from_dict(metrics)))
    return (
        f"{START}\nOne run of `make demo` ({machine}; the stages took {minutes:.1f} min; every number below is in "
        f"`docs/demo_metrics.json`, copied from that run's `metrics.json`).\n\n{table}\n{END}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo_dir", type=Path)
    parser.add_argument("--machine", required=True, help="what the run ran on, e.g. '2-core x86_64 CPU, no GPU'")
    args = parser.parse_args()
    metrics = json.loads((args.demo_dir / "metrics.json").read_text(encoding="utf-8"))
    (ROOT / "docs" / "demo_metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head, rest = readme.split(START, 1)
    tail = rest.split(END, 1)[1]
    (ROOT / "README.md").write_text(head + results_block(metrics, args.machine) + tail, encoding="utf-8")
    cards = {
        "crop-projection-tiny-demo": args.demo_dir / "models" / "crop-projection",
        "crop-ner-tiny-demo": args.demo_dir / metrics["selftrain"]["model_dir"],  # relative to the run folder
    }
    for name, source in cards.items():
        target = ROOT / "model_cards" / name
        for old in target.glob("*"):
            old.unlink()
        for path in source.iterdir():
            if path.suffix in (".md", ".png"):
                shutil.copy2(path, target / path.name)
    print(f"README, docs/demo_metrics.json and model_cards/ now show {args.demo_dir}'s run")


if __name__ == "__main__":
    main()
