"""mypy over crop_hf/ (settings: [tool.mypy] in pyproject.toml), against a baseline that only shrinks.

    python .ci/typecheck.py            # fails on any error that is not in .ci/mypy-baseline.txt, or on a fixed one
    python .ci/typecheck.py --update   # after fixing errors: rewrite the baseline (refused while there are new ones)

The baseline holds the errors known when the check was introduced, one per line as ``path: [code] message``
(without line numbers, so that moving code does not count as a change). A new error fails the check: fix it, or
silence that one line with ``# type: ignore[code]`` and a reason. A fixed error fails it too, until ``--update``
takes it out of the baseline, so that it cannot come back unnoticed. When a module is renamed, rename its path
in the baseline by hand.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
_ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): error: (?P<message>.*?)  \[(?P<code>[\w-]+)\]$")


def current_errors() -> tuple[Counter[str], dict[str, list[str]]]:
    """The errors mypy reports now, as baseline keys, and where each key occurs (``path:line``)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--show-error-codes", "--no-pretty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1) or proc.stderr.strip():
        sys.exit(f"typecheck: mypy did not run (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout[-2000:]}")
    errors: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        match = _ERROR.match(line)
        if match:
            key = f"{match['path']}: [{match['code']}] {match['message']}"
            errors[key] += 1
            where.setdefault(key, []).append(f"{match['path']}:{match['line']}")
    return errors, where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline after fixing errors")
    args = parser.parse_args(argv)
    errors, where = current_errors()
    baseline = Counter(line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line.strip())
    new, fixed = errors - baseline, baseline - errors
    for key in sorted(new):
        print(f"typecheck: new error at {', '.join(where[key])}: {key.partition(': ')[2]}")
    if new:
        print(f"typecheck: {sum(new.values())} new mypy error(s) in crop_hf/: fix them (the baseline only shrinks)")
        return 1
    if args.update:
        BASELINE.write_text("".join(f"{key}\n" for key in sorted(errors.elements())), encoding="utf-8")
        print(f"typecheck: baseline rewritten: {sum(errors.values())} known errors ({sum(fixed.values())} fixed)")
        return 0
    if fixed:
        for key in sorted(fixed):
            print(f"typecheck: fixed: {key}")
        print(f"typecheck: {sum(fixed.values())} baseline error(s) are fixed: run 'python .ci/typecheck.py --update'")
        return 1
    print(f"typecheck: no new mypy errors in crop_hf/ ({sum(errors.values())} known ones left in the baseline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
