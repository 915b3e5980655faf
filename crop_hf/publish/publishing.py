"""Publishing crop-hf artifacts to the Hub with generated cards, on top of the Hub I/O of :mod:`crop_hf.base.hub`.

- :func:`publish_pipeline`: a crop-projection pipeline (the object, or the folder its ``save_pretrained`` wrote)
  with its model card and a ``crop_projection.json`` that names its languages;
- :func:`publish_ner_model`: a token-classification model folder (e.g. the last self-training round) with its card;
- :func:`publish_dataset`: Parquet data, split into one config per language, with a dataset card.

Each stages what it uploads in a temporary folder (so the source folder is never changed), then makes one commit
through :func:`crop_hf.base.hub.push_folder`. A model upload holds only what a model needs (:data:`~crop_hf.base.hub.MODEL_FILES`:
configs, weights, tokenizer files, card, plots); dotfiles never go, a link leading outside the folder is refused, and
so is a dry-run folder that is the source, inside it or above it. How and where to publish, and what the card says beyond the run's metrics,
is one :class:`PublishOptions` shared by the three::

    options = PublishOptions(private=True, revision="v1", languages=["es"], dry_run_dir="out/")
    publish_pipeline("demo_output/models/crop-projection", "me/crop-projection-es", metrics, options)

Tokens come only from huggingface_hub's usual sources (``HF_TOKEN``, ``hf auth login``, or ``HfApi(token=...)``
passed as ``options.api``); nothing here reads, logs or writes one.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.hub import (
    DEFAULT_IGNORE_PATTERNS,
    MODEL_FILES,
    MODEL_IGNORE_PATTERNS,
    PushResult,
    check_target,
    copy_files,
    list_files,
    push_folder,
)
from ..core.languages import get_language
from ..projection.config import CONFIG_NAME, CropProjectionConfig
from .dataset_card import render_dataset_card, stage_config
from .model_card import CardInfo, RunMetrics, ner_card, projection_card, read_metrics

if TYPE_CHECKING:
    from huggingface_hub import HfApi

logger = logging.getLogger(__name__)

MODEL_LICENSE = "apache-2.0"  # the default licence of published models (NLLB fine-tunes need cc-by-nc-4.0)
DATASET_LICENSE = "other"  # the default licence of published data: it keeps the terms of the raw text
Metrics = RunMetrics | Mapping[str, Any] | str | Path | None


@dataclass
class PublishOptions:
    """How and where to publish, and what the card says beyond the run's metrics.

    One object for :func:`publish_pipeline`, :func:`publish_ner_model` and :func:`publish_dataset`; each reads the
    fields that apply to it (the dataset ones are marked). ``dataclasses.replace(options, dry_run_dir=...)`` gives
    a variant, e.g. one dry-run folder per artifact.

    Args:
        private: Create the repository private (only when it does not exist yet).
        revision: Branch to commit to, created if missing; ``None`` is ``main``.
        commit_message: The commit's message; ``None`` says what was uploaded.
        dry_run_dir: Write exactly the files that would be uploaded (card included) to this folder instead, with
            no network access.
        api: The ``huggingface_hub.HfApi`` to push with (e.g. ``HfApi(token=...)``); ``None`` makes one that reads
            the token from ``HF_TOKEN`` or ``hf auth login``.
        languages: Target languages for the card (and, for data without a ``lang`` column, its one language);
            ``None`` takes them from the checkpoint, the metrics or the data.
        license: A Hub licence id; ``None`` is ``apache-2.0`` for models and ``other`` for data.
        base_model: Hub id of the checkpoint the model was fine-tuned from (models).
        datasets: Hub ids of the training data (models).
        training_data: One sentence on the training data, for the card (models).
        pretty_name: The dataset card's title (data; default: the repository name).
        summary: The dataset card's first paragraph (data).
    """

    private: bool = False
    revision: str | None = None
    commit_message: str | None = None
    dry_run_dir: str | Path | None = None
    api: HfApi | None = None
    languages: Sequence[str] | None = None
    license: str | None = None
    base_model: str | None = None
    datasets: Sequence[str] = ()
    training_data: str = ""
    pretty_name: str | None = None
    summary: str | None = None

    def card_info(self, repo_id: str) -> CardInfo:
        """What a model card says about ``repo_id`` beyond the metrics (warns about NLLB's licence)."""
        license = self.license or MODEL_LICENSE
        if self.base_model and "nllb" in self.base_model.lower() and license == MODEL_LICENSE:
            logger.warning(
                "%s: NLLB-200 weights are CC-BY-NC-4.0; pass license='cc-by-nc-4.0' for its fine-tunes", repo_id
            )
        return CardInfo(
            repo_id, list(self.languages or []), self.base_model, list(self.datasets), self.training_data, license
        )

    def push(
        self,
        folder: Path,
        repo_id: str,
        repo_type: str,
        default_message: str,
        ignore_patterns: Sequence[str] = DEFAULT_IGNORE_PATTERNS,
    ) -> PushResult:
        """:func:`~crop_hf.base.hub.push_folder` with these options; ``default_message`` when none was given."""
        return push_folder(
            folder,
            repo_id,
            repo_type=repo_type,
            private=self.private,
            revision=self.revision,
            commit_message=self.commit_message or default_message,
            dry_run_dir=self.dry_run_dir,
            api=self.api,
            ignore_patterns=ignore_patterns,
        )


def publish_pipeline(
    pipeline_or_dir: Any, repo_id: str, metrics: Metrics = None, options: PublishOptions | None = None
) -> PushResult:
    """Publish a crop-projection pipeline with its model card.

    ``pipeline("crop-projection", model=repo_id)`` then rebuilds the same pipeline.

    Args:
        pipeline_or_dir: A :class:`~crop_hf.projection.pipeline.CropProjectionPipeline`, or the folder its ``save_pretrained``
            wrote (left unchanged: the upload is staged in a temporary folder).
        repo_id: The Hub model repository, ``namespace/name``.
        metrics: The run's numbers for the card: a :class:`~crop_hf.publish.model_card.RunMetrics`, a ``metrics.json`` in
            the demo's layout (path or dict), or ``None`` for a card without results.
        options: Where and how to push, and what the card says (:class:`PublishOptions`).

    Returns:
        The :class:`~crop_hf.base.hub.PushResult`: files, repository, commit URL or dry-run folder.
    """
    options = options or PublishOptions()
    run = read_metrics(metrics)
    with tempfile.TemporaryDirectory(prefix="crop-hf-push-") as tmp:
        staging = Path(tmp)
        if isinstance(pipeline_or_dir, (str, Path)):
            source = _existing_dir(pipeline_or_dir)
            check_target(source, options.dry_run_dir)
            copy_files(source, list_files(source, MODEL_IGNORE_PATTERNS, MODEL_FILES), staging)
        elif hasattr(pipeline_or_dir, "save_pretrained"):
            pipeline_or_dir.save_pretrained(staging)
        else:
            raise TypeError(
                f"publish_pipeline takes a crop-projection pipeline or a folder, got {pipeline_or_dir!r:.80}"
            )
        card = projection_card(staging, options.card_info(repo_id), run, image_dir=staging)
        _complete_pipeline_config(staging, card.data.to_dict().get("language"))
        card.save(staging / "README.md")
        return _push_model(
            staging, repo_id, options, "Upload crop-projection pipeline (LST, MT, NER models) with crop-hf"
        )


def publish_ner_model(
    model_dir: str | Path, repo_id: str, metrics: Metrics = None, options: PublishOptions | None = None
) -> PushResult:
    """Publish a token-classification model folder (e.g. the last self-training round) with its model card.

    Args:
        model_dir: The folder ``save_pretrained`` wrote; Trainer checkpoints, pickles and data files in it stay
            behind.
        repo_id: The Hub model repository, ``namespace/name``.
        metrics: The run's numbers for the card (as for :func:`publish_pipeline`).
        options: Where and how to push, and what the card says (:class:`PublishOptions`).

    Returns:
        The :class:`~crop_hf.base.hub.PushResult`.
    """
    options = options or PublishOptions()
    source = _existing_dir(model_dir)
    check_target(source, options.dry_run_dir)
    with tempfile.TemporaryDirectory(prefix="crop-hf-push-") as tmp:
        staging = copy_files(source, list_files(source, MODEL_IGNORE_PATTERNS, MODEL_FILES), Path(tmp))
        card = ner_card(staging, options.card_info(repo_id), read_metrics(metrics), image_dir=staging)
        card.save(staging / "README.md")
        return _push_model(staging, repo_id, options, "Upload CROP self-trained NER model with crop-hf")


def publish_dataset(
    parquet_dir_or_file: str | Path, repo_id: str, options: PublishOptions | None = None
) -> PushResult:
    """Publish Parquet data as a dataset repository.

    A folder with a ``README.md`` (what ``dataset_scripts/build_*.py --dry-run`` writes) is pushed as it is.
    Otherwise the Parquet files (one file, or every ``*.parquet`` under the folder, e.g. the shards of
    ``crop-hf project``) are split on their ``lang`` column into one config per language,
    ``data/<lang>/train-NNNNN-of-NNNNN.parquet``, with a generated dataset card (and the folder's
    ``summary.json``, if any).

    Args:
        parquet_dir_or_file: A ``.parquet`` file, or a folder holding ``.parquet`` files.
        repo_id: The Hub dataset repository, ``namespace/name``.
        options: Where and how to push, and what the card says (:class:`PublishOptions`); data without a ``lang``
            column needs its one language in ``options.languages``.

    Returns:
        The :class:`~crop_hf.base.hub.PushResult`.
    """
    options = options or PublishOptions()
    source = Path(parquet_dir_or_file)
    if source.is_dir():
        check_target(source, options.dry_run_dir)
    message = f"Upload {source.name} with crop-hf"
    if source.is_dir() and (source / "README.md").is_file():
        return options.push(source, repo_id, "dataset", message)
    shards = [source] if source.is_file() else sorted(_existing_dir(source).rglob("*.parquet"))
    if not shards or shards[0].suffix != ".parquet":
        raise FileNotFoundError(f"{source}: expected a .parquet file or a folder holding .parquet files")
    with tempfile.TemporaryDirectory(prefix="crop-hf-push-") as tmp:
        staging = Path(tmp)
        _stage_dataset(shards, staging, repo_id, options)
        if source.is_dir() and (source / "summary.json").is_file():
            shutil.copy2(source / "summary.json", staging / "summary.json")
        return options.push(staging, repo_id, "dataset", message)


# ---------------------------------------------------------------------------------------------------- helpers


def _push_model(staging: Path, repo_id: str, options: PublishOptions, message: str) -> PushResult:
    files = list_files(staging, MODEL_IGNORE_PATTERNS, MODEL_FILES)
    if not any(name.endswith(".safetensors") for name in files):
        raise ValueError(f"{repo_id}: no .safetensors weights to publish: save the model with save_pretrained")
    return options.push(staging, repo_id, "model", message, MODEL_IGNORE_PATTERNS)


def _existing_dir(path: str | Path) -> Path:
    if not Path(path).is_dir():
        raise FileNotFoundError(f"{path}: not a local folder; pass the folder save_pretrained (or the demo) wrote")
    return Path(path)


def _complete_pipeline_config(staging: Path, languages: Sequence[str]) -> None:
    """Record the languages in ``crop_projection.json``; refuse sub-models that are neither folders nor Hub ids."""
    config = CropProjectionConfig.from_pretrained(staging)
    if config is None:
        raise FileNotFoundError(f"{staging / CONFIG_NAME} is missing: save the pipeline with save_pretrained")
    for key in ("ner_model", "mt_model"):
        config.sub_model(key)  # a folder inside the staged checkpoint or a Hub id, else one line naming the key
    if not config.languages:
        config.languages = [lang for lang in languages if lang != "en"]
    config.save_pretrained(staging)


def _stage_dataset(shards: Sequence[Path], staging: Path, repo_id: str, options: PublishOptions) -> None:
    """``data/<lang>/train-NNNNN-of-NNNNN.parquet`` (rows split on the ``lang`` column) and a dataset card."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    languages = options.languages
    parts: dict[str, list[Path]] = {}
    for shard in shards:
        table = pq.read_table(shard)
        if "lang" in table.column_names:
            by_lang = {
                lang: table.filter(pc.equal(table["lang"], lang)) for lang in table["lang"].unique().to_pylist()
            }
        elif languages and len(languages) == 1:
            by_lang = {languages[0]: table}
        else:
            raise ValueError(f"{shard}: no 'lang' column: pass the one language of the data (languages=['es'])")
        for lang, part in by_lang.items():
            if lang is None:
                raise ValueError(f"{shard}: rows with an empty 'lang': fill it in or drop them before publishing")
            get_language(lang)
            written = parts.setdefault(lang, [])
            written.append(staging / "parts" / lang / f"{len(written)}.parquet")
            written[-1].parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, written[-1])
    configs = [stage_config(staging, f"data/{lang}", lang, lang, {"train": parts[lang]}) for lang in sorted(parts)]
    shutil.rmtree(staging / "parts")
    license = options.license or DATASET_LICENSE
    render_dataset_card(
        pretty_name=options.pretty_name or repo_id.split("/")[-1],
        summary=options.summary or "Sentences labelled by CROP label projection (crop-hf), one config per language.",
        configs=configs,
        license_id=license,
        license_note=f"Published as `{license}`. Projected data keeps the terms of the raw text it was made from.",
        citation="",
        homepage="raw text labelled with the crop-projection pipeline",
        repo_id=repo_id,
    ).save(staging / "README.md")
