"""The ``crop-hf`` console entry point.

``crop-hf run RECIPE`` runs the whole CROP loop a recipe describes (``crop-hf demo`` is ``run demo``, offline on
the built-in corpus); the other commands run one step each (``crop-hf train-lst --help`` lists its arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="crop-hf", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _STEP_COMMANDS.items():
        sub.add_parser(name, help=f"run examples/{module}.py's main (arguments after the command)", add_help=False)

    if argv and argv[0] in _STEP_COMMANDS:
        return _run_step(argv[0], argv[1:])
    parser.parse_args(argv)
    parser.print_help()
    return 1


_STEP_COMMANDS = {
    "run": "run",
    "demo": "run",
    "train-lst": "train_lst",
    "project": "project",
    "selftrain": "selftrain",
    "evaluate": "evaluate",
    "push": "push",
}


def _run_step(command: str, argv: list[str]) -> int:
    import importlib

    module = importlib.import_module(f"crop_hf.scripts.{_STEP_COMMANDS[command]}")
    if command == "demo":
        return int(module.main_demo(argv) or 0)
    return int(module.main(argv) or 0)


def _version() -> str:
    from . import __version__

    return f"crop-hf {__version__}"


if __name__ == "__main__":
    raise SystemExit(main())
