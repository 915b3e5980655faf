"""Shared by the ``build_*.py`` scripts: build Parquet shards with a crop_hf builder, write the card, push.

Layout written (and pushed)::

    <out>/README.md                                  dataset card (YAML: languages, licence, configs -> files)
    <out>/<config>/<split>-00000-of-00002.parquet    shards, at most --max_shard_size each

(the layout and the card of :mod:`crop_hf.publish.dataset_card`, which ``crop_hf.publish.publishing.publish_dataset`` uses too).

``--dry_run DIR`` writes that layout to DIR and touches nothing on the Hub. Otherwise the repository is created
(private unless ``--public``) before the build starts, so a missing token fails in seconds, not after hours; the
token comes from huggingface_hub's usual sources (``HF_TOKEN``, ``hf auth login``) and is never printed.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import datasets
from huggingface_hub import HfApi

from crop_hf.base.hub import prepare_repo, push_folder
from crop_hf.builders import DataFilesNotFoundError, FormatError
from crop_hf.publish.dataset_card import ConfigStats, render_dataset_card, stage_config


@dataclass
class CardInfo:
    """What the card says beyond the statistics."""

    pretty_name: str
    summary: str
    license_id: str  # a Hub licence id: "other", "unknown", "cc-by-4.0", ...
    entity_types: Sequence[str] = ()
    labels: Sequence[str] | None = None  # ClassLabel names of ner_tags; None for text datasets
    extra_languages: Sequence[str] = ()
    task: str = "token-classification"
    languages: dict[str, str] = field(default_factory=dict)  # config name -> language code, when they differ


def make_parser(description: str, languages: Sequence[str], all_by_default: bool = True) -> argparse.ArgumentParser:
    """The arguments every build script takes; scripts may add their own.

    Flags are spelt as crop-hf's commands spell them (``--data_dir``); the dashed spelling (``--data_dir``) works too.
    """
    import logging

    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data_dir", "--data-dir", required=True, type=Path, help="folder with the downloaded source files"
    )
    help_text = f"languages to build (default: all {len(languages)})" if all_by_default else "languages to build"
    parser.add_argument("--languages", nargs="+", choices=list(languages), metavar="LANG", help=help_text,
                        default=list(languages) if all_by_default else None, required=not all_by_default)  # fmt: skip
    parser.add_argument(
        "--repo_id", "--repo-id", help="Hub dataset repository, e.g. my-org/crop-conll5 (needed unless --dry_run)"
    )
    parser.add_argument(
        "--dry_run", "--dry-run", type=Path, metavar="DIR", help="write shards and card to DIR; no Hub access"
    )
    parser.add_argument(
        "--work_dir", "--work-dir", type=Path, help="where shards are written before pushing (default: a temp dir)"
    )
    parser.add_argument("--public", action="store_true", help="create the repository public (default: private)")
    parser.add_argument("--revision", help="branch to push to (created if missing; default: main)")
    parser.add_argument("--commit_message", "--commit-message", help="default: 'Upload <configs> built with crop-hf'")
    parser.add_argument(
        "--cache_dir", "--cache-dir", help="datasets cache for the builders (default: HF_DATASETS_CACHE)"
    )
    parser.add_argument(
        "--max_shard_size", "--max-shard-size", default="500MB", help="largest Parquet shard (default: 500MB)"
    )
    return parser


def run(args: argparse.Namespace, builder_cls: type, config_names: Sequence[str], card: CardInfo) -> Path:
    """Build ``config_names`` into Parquet with a card; push unless ``--dry_run``. Returns the output folder."""
    if args.dry_run is None and not args.repo_id:
        raise SystemExit("--repo_id is required unless --dry_run DIR is given")
    api = None
    if args.dry_run is None:  # create the repository and branch first: a missing token fails before the build
        api = HfApi()
        prepare_repo(args.repo_id, "dataset", private=not args.public, revision=args.revision, api=api)
    out = args.dry_run or args.work_dir or Path(tempfile.mkdtemp(prefix="crop-hf-dataset-"))
    try:
        stats, infos = build_parquet(
            builder_cls, config_names, args.data_dir, Path(out), args.cache_dir, args.max_shard_size, card
        )
    except (DataFilesNotFoundError, FormatError) as err:
        raise SystemExit(f"error: {err}") from None
    rendered = render_dataset_card(
        pretty_name=card.pretty_name,
        summary=card.summary,
        configs=stats,
        license_id=card.license_id,
        license_note=infos[0].license,
        citation=infos[0].citation,
        homepage=", ".join(dict.fromkeys(info.homepage for info in infos)),
        repo_id=args.repo_id or f"<user>/{Path(out).name}",
        entity_types=card.entity_types,
        extra_languages=card.extra_languages,
        task=card.task,
    )
    rendered.save(Path(out) / "README.md")
    for config in stats:
        print(f"{config.config_name}: " + ", ".join(f"{s.split} {s.examples}" for s in config.splits))
    if api is None:
        print(f"dry run: dataset written to {out}")
        return Path(out)
    message = args.commit_message or f"Upload {', '.join(config_names)} built with crop-hf"
    push_folder(
        Path(out), args.repo_id, "dataset", revision=args.revision, commit_message=message, api=api, create=False,
        delete_patterns=[f"{name}/*.parquet" for name in config_names],  # shards no longer produced go too
    )  # fmt: skip
    print(f"pushed {len(config_names)} config(s) to datasets/{args.repo_id}@{args.revision or 'main'}")
    if args.work_dir is None:
        shutil.rmtree(out, ignore_errors=True)
    return Path(out)


def build_parquet(
    builder_cls: type,
    config_names: Sequence[str],
    data_dir: Path,
    out: Path,
    cache_dir: str | None,
    max_shard_size: str | int,
    card: CardInfo,
) -> tuple[list[ConfigStats], list[datasets.DatasetInfo]]:
    """Write ``out/<config>/<split>-NNNNN-of-NNNNN.parquet`` for each config; their statistics and builder infos."""
    stats, infos = [], []
    for name in config_names:
        builder = builder_cls(config_name=name, data_dir=data_dir, cache_dir=cache_dir)
        staging = out / ".staging" / name
        shutil.rmtree(staging, ignore_errors=True)
        builder.download_and_prepare(output_dir=str(staging), file_format="parquet", max_shard_size=max_shard_size)
        shutil.rmtree(out / name, ignore_errors=True)
        splits = {
            split: sorted(staging.glob(f"{builder.dataset_name}-{split}*.parquet")) for split in builder.info.splits
        }
        stats.append(stage_config(out, name, name, card.languages.get(name, name), splits, card.labels))
        infos.append(builder.info)
    shutil.rmtree(out / ".staging", ignore_errors=True)
    return stats, infos
