"""The crop-hf console entry point: run (a whole CROP run from a recipe), demo, and one command per step.

``crop-hf COMMAND --help`` lists a command's arguments. Every command checks its files, language codes and model
paths before it loads a model or writes anything; a mistake prints one line and exits with code 2, any other
failure (a bug) one line with a hint and code 1, Ctrl-C one line and code 130 (``--debug`` adds the traceback).
Under ``accelerate launch`` run ``accelerate launch -m crop_hf.cli COMMAND ...``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .base.errors import report_failure

# name -> (module in crop_hf.scripts, one-line help); ``demo`` is ``run demo`` (crop_hf.scripts.run.main_demo)
COMMANDS = {
    "run": ("run", "run a whole CROP loop from a recipe: demo, conll5, xtreme40, masakhaner2 or a YAML file"),
    "demo": ("run", "the demo recipe offline on the built-in corpus (crop-hf run demo --output_dir demo_output)"),
    "train-lst": ("train_lst", "train a labeled sequence translation (LST) model on parallel pairs"),
    "project": ("project", "label a raw target-language corpus with a crop-projection pipeline (Parquet shards)"),
    "selftrain": ("selftrain", "multilingual self-training of a NER model on English gold + projected data"),
    "evaluate": ("evaluate", "score NER models per language (seqeval, entity level)"),
    "push": ("push", "publish a pipeline, NER model or projected data to the Hub, with a generated card"),
    "inspect": ("inspect", "see what projection did: a browser app for a pipeline, projected shards or a run"),
}


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
    for name, (_, text) in COMMANDS.items():
        sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in COMMANDS:
        before, rest = argv[: argv.index(command)], argv[argv.index(command) + 1 :]
        make_parser().parse_args(before)  # crop-hf's own options: --version, --help, --debug
        try:  # the command reports its own failures; these are the ones before it starts (imports)
            module = importlib.import_module(f"crop_hf.scripts.{COMMANDS[command][0]}")
        except (Exception, KeyboardInterrupt) as err:
            return report_failure(f"crop-hf {command}", err, "--debug" in before or "--debug" in rest)
        entry = module.main_demo if command == "demo" else module.main
        return int(entry(rest + (["--debug"] if "--debug" in before else [])) or 0)
    make_parser().parse_args(argv)
    make_parser().print_help()
    return 1


def _version() -> str:
    from . import __version__

    return f"crop-hf {__version__}"


if __name__ == "__main__":
    raise SystemExit(main())
