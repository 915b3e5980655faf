"""Project a raw target-language corpus into labelled Parquet shards (resumable, multi-process).

    crop-hf project --model LST_DIR_OR_REPO --input raw.txt --src_lang es --output_dir out/
    accelerate launch -m crop_hf.cli project --model ... (each process takes every n-th shard)

Each shard holds every input line: the kept ones with their tokens, tags and entities, the dropped ones with the
reason (a line whose labeled back-translation is not in src_lang is a ``wrong_language`` drop, as in CROP; with
--check_raw_language, a raw line in another language is a ``raw_language`` drop, before any model runs). ``summary.json`` in the output
folder sums the shards. A rerun into the same output_dir resumes (finished shards are checked and kept); with
another input, shard size, pipeline or settings it refuses with one line, or starts over with --overwrite.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from crop_hf.base.errors import CropHfError
from crop_hf.core.filters import RAW_LANGUAGE
from crop_hf.projection.projection_options import ProjectionOptions
from crop_hf.scripts.common import CommandParser, UsageError, command, existing_file, language, model_ref


@dataclass
class ProjectArguments:
    """What to project and where; how is a :class:`~crop_hf.projection.projection_options.ProjectionOptions` (its flags follow)."""

    model: str = field(metadata={"help": "LST model (or a saved crop-projection pipeline): local dir or Hub id."})
    input: str = field(metadata={"help": "Text file (one sentence per line) or .jsonl with a 'text' field."})
    src_lang: str = field(metadata={"help": "Language code of the raw sentences, e.g. 'es'."})
    output_dir: str = field(metadata={"help": "Where the Parquet shards and summary.json go."})
    ner_model: str | None = field(default=None, metadata={"help": "English NER model (default: the saved one)."})
    mt_model: str | None = field(default=None, metadata={"help": "xx->en MT model (default: the LST model)."})
    overwrite: bool = field(
        default=False, metadata={"help": "Start over when output_dir holds a run with other input or settings."}
    )


def make_parser() -> CommandParser:
    return CommandParser(
        (ProjectArguments, ProjectionOptions), prog="crop-hf project", description=__doc__.split("\n\n")[0]
    )


def check_arguments(args: ProjectArguments, options: ProjectionOptions) -> None:
    """Every check that needs no model: raises :class:`UsageError` naming the bad value (the options checked
    themselves when the parser made them)."""
    from crop_hf.projection.corpus_projection import check_corpus_input

    model_ref(args.model, "--model")
    for flag, value in (("--ner_model", args.ner_model), ("--mt_model", args.mt_model)):
        if value:
            model_ref(value, flag)
    existing_file(args.input, "--input")
    language(args.src_lang, "--src_lang")
    if not args.output_dir.strip():
        raise UsageError("--output_dir is empty: name a folder for the shards, e.g. --output_dir projected/es")
    if Path(args.output_dir).exists() and not Path(args.output_dir).is_dir():
        raise UsageError(f"--output_dir {args.output_dir}: is a file; pass a folder")
    if options.backend == "ctranslate2":
        from crop_hf.base.extras import require

        require("ctranslate2", "the CTranslate2 backend (--backend ctranslate2)", "ct2")
    check_corpus_input(args.input)  # an empty input, before any model loads


@command("project")
def main(argv: list[str]) -> int:
    args, options = make_parser().parse_args_into_dataclasses(args=argv)
    check_arguments(args, options)
    import torch
    from accelerate import PartialState
    from transformers import pipeline

    import crop_hf  # noqa: F401  (registers the pipeline)
    from crop_hf.projection.corpus_projection import InputChangedError, project_corpus, summarize

    # several CPU processes (accelerate launch without GPUs) need gloo; plain PartialState() sees a world of one each
    several = int(os.environ.get("WORLD_SIZE", "1")) > 1
    state = PartialState(cpu=several and not torch.cuda.is_available())
    kwargs = {k: v for k, v in (("ner_model", args.ner_model), ("mt_model", args.mt_model)) if v}
    kwargs.update(options.load_options())
    projector = pipeline("crop-projection", model=args.model, device=state.device, **kwargs)  # type: ignore[call-overload]  # a task registered at run time
    project_corpus(
        projector,
        args.input,
        args.output_dir,
        args.src_lang,
        options=options,
        process_index=state.process_index,
        num_processes=state.num_processes,
        progress=state.is_local_main_process,
        overwrite=args.overwrite,
        barrier=state.wait_for_everyone,
    )
    state.wait_for_everyone()
    if state.is_main_process:
        summary = summarize(args.output_dir)
        print(summary_line(summary, args.src_lang, args.output_dir), flush=True)
        if summary.input_changed:
            raise InputChangedError(f"{args.output_dir}: incomplete, {summary.input_changed}; rerun with --overwrite")
        if not summary.complete:
            raise CropHfError(
                f"{args.output_dir}: shards hold {summary.sentences} of {summary.lines_expected} input lines "
                f"(bad shards: {', '.join(summary.bad_shards) or 'none'}); rerun the same command to redo them"
            )
    return 0


def summary_line(summary, src_lang: str, output_dir: str) -> str:
    """One line: kept over the lines in ``src_lang`` and over all lines, the drops, where the results are.

    The lines in ``src_lang`` are all lines, less the ``raw_language`` drops (raw lines the identifier put in
    another language, with ``--check_raw_language``).
    """
    in_lang = summary.sentences - summary.drops.get(RAW_LANGUAGE, 0)
    drops = ", ".join(f"{k} {v}" for k, v in sorted(summary.drops.items(), key=lambda kv: -kv[1])) or "none"
    if summary.model_errors:
        drops += f"; model errors {summary.model_errors} (first: {summary.first_model_error})"
    entities = sum(summary.entities.values())
    return (
        f"crop-hf project: kept {summary.kept} of {in_lang} {src_lang} sentences ({_pct(summary.kept, in_lang)}), "
        f"{_pct(summary.kept, summary.sentences)} of all {summary.sentences} lines; {entities} entities; "
        f"dropped: {drops}; {summary.shards} shards (all lines, with the drop reason) and summary.json in {output_dir}"
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
