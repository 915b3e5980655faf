"""The ``crop-hf`` console entry point: one subcommand per CROP step, plus the offline demo.

``crop-hf COMMAND --help`` lists a command's arguments. Every command checks its files, language codes and model
paths before it loads a model or writes anything; a mistake prints one line and exits with code 2 (``--debug``
adds the traceback). Under ``accelerate launch`` run ``accelerate launch -m crop_hf.cli COMMAND ...``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module in crop_hf.scripts, one-line help)
COMMANDS = {
    "train-lst": ("train_lst", "train a labeled sequence translation (LST) model on parallel pairs"),
    "project": ("project", "label a raw target-language corpus with a crop-projection pipeline (Parquet shards)"),
    "selftrain": ("selftrain", "multilingual self-training of a NER model on English gold + projected data"),
    "evaluate": ("evaluate", "score NER models per language (seqeval, entity level)"),
    "push": ("push", "publish a pipeline, NER model or projected data to the Hub, with a generated card"),
}
PRESETS = ("tiny", "conll5", "xtreme40")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="crop-hf",
        usage="crop-hf [--version] [--debug] COMMAND [ARGS ...]",
        description=__doc__.split("\n\n")[0],
        epilog="Run 'crop-hf COMMAND --help' for the arguments of a command.",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", help="print the traceback of an error as well")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    demo = sub.add_parser("demo", prog="crop-hf demo", help="run the whole CROP loop offline on the built-in corpus")
    demo.add_argument(
        "--output_dir", "--output-dir", default="demo_output", help="where models, data and the report go"
    )
    demo.add_argument(
        "--preset", default="tiny", choices=PRESETS, help="tiny (offline, built-in corpus), conll5 or xtreme40"
    )
    demo.add_argument("--langs", default=None, help="comma-separated target languages (default: all of the preset)")
    demo.add_argument("--size", type=float, default=1.0, help="scale of corpus sizes and training steps")
    demo.add_argument("--force", action="store_true", help="redo stages that finished in an earlier run")
    demo.add_argument("--seed", type=int, default=0, help="seed of the corpus and of training")  # fmt: skip
    for name, (_, text) in COMMANDS.items():
        sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in COMMANDS:
        before, rest = argv[: argv.index(command)], argv[argv.index(command) + 1 :]
        make_parser().parse_args(before)  # crop-hf's own options: --version, --help, --debug
        module = importlib.import_module(f"crop_hf.scripts.{COMMANDS[command][0]}")
        return int(module.main(rest + (["--debug"] if "--debug" in before else [])) or 0)
    args = make_parser().parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    make_parser().print_help()
    return 1


def _demo(args: argparse.Namespace) -> int:
    from .extras import MissingExtraError, require
    from .scripts.common import UsageError, language, setup_logging

    setup_logging(args.debug)
    langs = [lang.strip() for lang in args.langs.split(",") if lang.strip()] if args.langs else None
    try:
        for lang in langs or []:
            language(lang, "--langs")
        if args.preset == "tiny":
            require("faker", "the built-in corpus (crop-hf demo)", "demo")
    except (UsageError, MissingExtraError) as err:
        print(f"crop-hf demo: error: {err}", file=sys.stderr)
        return 2
    from .demo.loop import run_demo

    run_demo(
        output_dir=args.output_dir, preset=args.preset, langs=langs, size=args.size, force=args.force, seed=args.seed
    )
    return 0


def _version() -> str:
    from . import __version__

    return f"crop-hf {__version__}"


if __name__ == "__main__":
    raise SystemExit(main())
