"""The ``crop-hf`` console entry point.

``crop-hf demo`` runs the CROP loop offline on the built-in corpus; the other commands run one step each
with the same code the example scripts use (``crop-hf train-lst --help`` lists its arguments).
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
    demo = sub.add_parser("demo", help="run the whole CROP loop offline on the built-in corpus")
    demo.add_argument("--output-dir", default="demo_output", help="where models, data and the report go")
    demo.add_argument("--preset", default="tiny", help="tiny (offline, built-in corpus), conll5 or xtreme40")
    demo.add_argument("--langs", default=None, help="comma-separated target languages (default: all built-in)")
    demo.add_argument("--size", type=float, default=1.0, help="scale of corpus sizes and training steps")
    demo.add_argument("--force", action="store_true", help="redo stages that finished in an earlier run")
    demo.add_argument("--seed", type=int, default=0)
    for name, module in _STEP_COMMANDS.items():
        sub.add_parser(name, help=f"run examples/{module}.py's main (arguments after the command)", add_help=False)

    if argv and argv[0] in _STEP_COMMANDS:
        return _run_step(argv[0], argv[1:])
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo.loop import run_demo

        run_demo(
            output_dir=args.output_dir,
            preset=args.preset,
            langs=args.langs.split(",") if args.langs else None,
            size=args.size,
            force=args.force,
            seed=args.seed,
        )
        return 0
    parser.print_help()
    return 1


_STEP_COMMANDS = {
    "train-lst": "train_lst",
    "project": "project",
    "selftrain": "selftrain",
    "evaluate": "evaluate",
    "push": "push",
}


def _run_step(command: str, argv: list[str]) -> int:
    import importlib

    module = importlib.import_module(f"crop_hf.scripts.{_STEP_COMMANDS[command]}")
    return int(module.main(argv) or 0)


def _version() -> str:
    from . import __version__

    return f"crop-hf {__version__}"


if __name__ == "__main__":
    raise SystemExit(main())
