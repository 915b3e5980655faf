"""``crop-hf run RECIPE``: the whole CROP run described by a recipe (``demo``, ``conll5``, ``xtreme40``, ``masakhaner2`` or a file).

    crop-hf run conll5 --output_dir runs/conll5 --dry_run
    crop-hf run conll5 --output_dir runs/conll5 --set 'languages=[es,nl]' --set lst.max_steps=200
    crop-hf demo            # = crop-hf run demo --output_dir demo_output

Stages finished in an earlier run with the same inputs and settings are reused; a changed setting reruns its
stage and the ones after it. ``--dry_run`` prints the plan (every stage's data, models and settings) without
loading a model or touching the network.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from crop_hf.run.recipe import SHIPPED
from crop_hf.scripts.common import UsageError, command


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit code 2 through crop_hf.scripts.common.command
        raise UsageError(f"{message} (see {self.prog} --help)")


def make_parser(demo: bool = False) -> argparse.ArgumentParser:
    prog = "crop-hf demo" if demo else "crop-hf run"
    parser = _Parser(prog=prog, description=__doc__.splitlines()[0])
    if not demo:
        parser.add_argument("recipe", help=f"a shipped recipe ({', '.join(SHIPPED)}) or a recipe YAML file")
    parser.add_argument("--output_dir", "--output-dir", default="demo_output" if demo else None, required=not demo,
                        help="where data, models, stage records and the report go")  # fmt: skip
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a recipe key, e.g. --set lst.max_steps=200 --set 'languages=[es,nl]'")  # fmt: skip
    parser.add_argument("--dry_run", "--dry-run", action="store_true",
                        help="print the resolved plan and stop (offline, loads no model)")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="rerun every stage, even unchanged ones")
    return parser


def run(argv: Sequence[str], demo: bool = False) -> int:
    args = make_parser(demo).parse_args(list(argv))
    from crop_hf.run.recipe import check_paths, check_stage_fields, load_recipe
    from crop_hf.run.records import check_output_dir
    from crop_hf.run.runner import describe_plan, run_recipe

    check_output_dir(args.output_dir)
    recipe = load_recipe("demo" if demo else args.recipe, args.overrides)
    if args.dry_run:
        print(describe_plan(recipe, args.output_dir))
        return 0
    check_stage_fields(recipe)  # a misspelt setting is named before a missing file is
    check_paths(recipe)  # every local file and folder the run reads, before anything is written
    check_extras(recipe)  # every optional dependency its stages import, before the first stage
    metrics = run_recipe(recipe, args.output_dir, force=args.force)
    if not metrics:  # another process than the main one of an accelerate launch
        return 0
    from crop_hf.run.report import console_summary

    print("\n".join(console_summary(metrics, args.output_dir)))
    return 0


def check_extras(recipe) -> None:
    """A :class:`~crop_hf.base.extras.MissingExtraError` (one line naming the extra) for the first optional dependency
    a stage of ``recipe`` will import and that is not installed."""
    from crop_hf.base.extras import require

    lora = any(str(section.get("lora_r") or 0).strip() != "0" for section in (recipe.lst, recipe.selftrain))
    needs = [
        (recipe.builtin, "faker", "the built-in corpus (builder: builtin)", "demo"),
        (
            recipe.alignment.get("method") == "eflomal",
            "eflomal",
            "word alignment (alignment.method: eflomal)",
            "align",
        ),
        (recipe.projection_options().backend == "ctranslate2", "ctranslate2", "backend: ctranslate2", "ct2"),
        (lora, "peft", "LoRA (lora_r)", "lora"),
    ]
    for needed, module, purpose, extra in needs:
        if needed:
            require(module, purpose, extra)


@command("run")
def main(argv: list[str]) -> int:
    return run(argv)


@command("demo")
def main_demo(argv: list[str]) -> int:
    return run(argv, demo=True)


if __name__ == "__main__":
    raise SystemExit(main())
