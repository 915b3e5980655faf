"""Publish a crop-projection pipeline, a self-trained NER model or Parquet data to the Hub, with a generated card.

    crop-hf push --kind pipeline --path demo_output/models/crop-projection --repo_id me/crop-projection-es \\
        --metrics demo_output/metrics.json [--private] [--revision dev] [--dry_run out/]
    crop-hf push --kind ner --path demo_output/models/crop-ner/round_2 --repo_id me/crop-ner --metrics ...
    crop-hf push --kind dataset --path projected/ --repo_id me/crop-projected-es
    crop-hf push --kind pipeline ... --repo_id me/crop-projection-es --space me/crop-projection-es-demo

``--dry_run DIR`` writes exactly the files that would be uploaded (card included) to DIR and touches no network;
add ``--card_only`` to write just the card and its plot. ``--space REPO`` also publishes a Gradio Space that
loads the pipeline by ``--repo_id`` (``app.py``, ``requirements.txt``, a card with ``sdk: gradio``; with
``--dry_run DIR`` its files go to ``DIR-space``). The token comes from huggingface_hub's usual sources
(``HF_TOKEN``, ``hf auth login``) and is never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crop_hf.scripts.common import CommandParser, UsageError, command, existing_file, languages

if TYPE_CHECKING:
    from crop_hf.base.hub import PushResult
    from crop_hf.publish.publishing import PublishOptions


@dataclass
class PushArguments:
    kind: Literal["pipeline", "ner", "dataset"] = field(
        metadata={"help": "What --path holds: a saved crop-projection pipeline, a NER model, or Parquet data."}
    )
    path: str = field(metadata={"help": "Local folder (or .parquet file for --kind dataset) to publish."})
    repo_id: str = field(metadata={"help": "Hub repository, e.g. your-username/crop-projection-es."})
    private: bool = field(default=False, metadata={"help": "Create the repository private (if it does not exist)."})
    revision: str | None = field(default=None, metadata={"help": "Branch to push to (created if missing)."})
    commit_message: str | None = field(default=None, metadata={"help": "Default: says what was uploaded."})
    dry_run: str | None = field(default=None, metadata={"help": "Write what would be uploaded to this folder."})
    card_only: bool = field(default=False, metadata={"help": "With --dry_run: write only the card and its plot."})
    metrics: str | None = field(default=None, metadata={"help": "The run's metrics.json (crop-hf demo layout)."})
    languages: str | None = field(default=None, metadata={"help": "Comma-separated target languages (default: "
                                  "from the checkpoint, the metrics or the data's 'lang' column)."})  # fmt: skip
    base_model: str | None = field(default=None, metadata={"help": "Hub id of the checkpoint it was fine-tuned from."})
    datasets: str | None = field(default=None, metadata={"help": "Comma-separated Hub ids of the training data."})
    training_data: str = field(default="", metadata={"help": "One sentence on the training data, for the card."})
    license: str | None = field(default=None, metadata={"help": "Hub licence id (default: apache-2.0; data: other)."})
    pretty_name: str | None = field(default=None, metadata={"help": "Dataset card title (--kind dataset)."})
    space: str | None = field(default=None, metadata={"help": "--kind pipeline: also publish a Gradio Space that "
                              "loads it, to this Space repository (e.g. your-username/crop-projection-demo)."})  # fmt: skip


def make_parser() -> CommandParser:
    return CommandParser(PushArguments, prog="crop-hf push", description=__doc__.split("\n\n")[0])


def check_arguments(args: PushArguments) -> None:
    """Every check that needs no network: raises :class:`UsageError` naming the bad value."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    path = Path(args.path).expanduser()
    if not path.exists():
        raise UsageError(f"--path {args.path}: no such folder or file; check the path")
    if args.kind != "dataset" and not path.is_dir():
        raise UsageError(f"--path {args.path}: --kind {args.kind} needs a saved model folder")
    try:
        validate_repo_id(args.repo_id)
    except HFValidationError:
        raise UsageError(f"--repo_id {args.repo_id}: not a Hub repository id; use your-username/name") from None
    if args.metrics:
        existing_file(args.metrics, "--metrics")
    if args.languages:
        languages(args.languages, "--languages")
    if args.card_only and not args.dry_run:
        raise UsageError("--card_only needs --dry_run DIR (the folder the card is written to)")
    if args.space and (args.kind != "pipeline" or args.card_only):
        raise UsageError("--space publishes the app of a pipeline: use it with --kind pipeline, without --card_only")
    if args.space:
        try:
            validate_repo_id(args.space)
        except HFValidationError:
            raise UsageError(f"--space {args.space}: not a Hub repository id; use your-username/name") from None
    if args.card_only and args.kind == "dataset":
        raise UsageError("--card_only is for --kind pipeline or ner (a dataset card needs the staged shards)")


@command("push")
def main(argv: list[str]) -> int:
    (args,) = make_parser().parse_args_into_dataclasses(args=argv)
    check_arguments(args)
    if args.card_only:
        print(f"crop-hf push: card of {args.path} written to {write_card(args)} (--card_only: nothing uploaded)")
        return 0
    result = push(args)
    for name in result.files:
        print(f"  {name}")
    print(f"crop-hf push: {result.summary()}", flush=True)
    if args.space:
        from crop_hf.publish.space import publish_space

        dry_run = f"{args.dry_run.rstrip('/')}-space" if args.dry_run else None
        pinned = result.commit or args.revision  # the commit just pushed: a later push does not change the Space
        space = publish_space(args.repo_id, args.space, pipeline_revision=pinned, private=args.private,
                              dry_run_dir=dry_run)  # fmt: skip
        print(f"crop-hf push: {space.summary()}", flush=True)
    return 0


def push(args: PushArguments) -> PushResult:
    """Run the publish function of ``args.kind``; returns its :class:`~crop_hf.base.hub.PushResult`."""
    from crop_hf.publish.publishing import publish_dataset, publish_ner_model, publish_pipeline

    options = publish_options(args)
    if args.kind == "dataset":
        return publish_dataset(args.path, args.repo_id, options)
    publish = publish_pipeline if args.kind == "pipeline" else publish_ner_model
    return publish(args.path, args.repo_id, args.metrics, options)


def publish_options(args: PushArguments) -> PublishOptions:
    """The :class:`~crop_hf.publish.publishing.PublishOptions` the flags ask for."""
    from crop_hf.publish.publishing import PublishOptions

    return PublishOptions(
        private=args.private,
        revision=args.revision,
        commit_message=args.commit_message,
        dry_run_dir=args.dry_run,
        languages=_split(args.languages),
        license=args.license,
        base_model=args.base_model,
        datasets=_split(args.datasets) or (),
        training_data=args.training_data,
        pretty_name=args.pretty_name,
    )


def write_card(args: PushArguments) -> Path:
    """Render only the card (and its plot) of ``args.path`` into ``args.dry_run``."""
    from crop_hf.publish.model_card import ner_card, projection_card, read_metrics

    out = Path(args.dry_run or ".")  # check_arguments: --card_only comes with --dry_run
    render = projection_card if args.kind == "pipeline" else ner_card
    out.mkdir(parents=True, exist_ok=True)
    info = publish_options(args).card_info(args.repo_id)
    render(args.path, info, read_metrics(args.metrics), image_dir=out).save(out / "README.md")
    return out / "README.md"


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


if __name__ == "__main__":
    raise SystemExit(main())
