"""Hub access in one place: downloading single files, pushing folders, publishing crop-hf artifacts.

- :func:`download_file`: one file of a repository (cache first), with a clear error when offline and not cached.
- :func:`push_folder`: one commit of a local folder to a model or dataset repository (created if missing, the
  branch too), or, with ``dry_run_dir``, a copy of exactly the files that would be uploaded and no network.
- :func:`publish_pipeline`, :func:`publish_ner_model`, :func:`publish_dataset`: stage a crop-projection pipeline,
  a self-trained NER model or Parquet data in a temporary folder with a generated card, then :func:`push_folder`.

Tokens come only from huggingface_hub's usual sources (``HF_TOKEN``, ``hf auth login``, or an ``HfApi(token=...)``
passed as ``api``); nothing here reads, logs or writes one.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huggingface_hub import HfApi

    from .model_card import CardInfo, RunMetrics

logger = logging.getLogger(__name__)

REPO_TYPES = ("model", "dataset", "space")
# Never uploaded: Trainer checkpoints, pickled TrainingArguments (may hold a hub_token), caches.
DEFAULT_IGNORE_PATTERNS: tuple[str, ...] = (
    "checkpoint-*", "*/checkpoint-*", "*-checkpoints/*", "training_args.bin", "*/training_args.bin",
    "__pycache__/*", "*/__pycache__/*", ".ipynb_checkpoints/*", ".cache/*",
)  # fmt: skip
# Model repositories also never get pickles or data files (e.g. a self-training round's relabelled.jsonl).
MODEL_IGNORE_PATTERNS = (*DEFAULT_IGNORE_PATTERNS, "*.bin", "*.pt", "*.pth", "*.pkl", "*.jsonl", "*.parquet")


class HubUnavailableError(OSError):
    """The Hub cannot be reached (offline, no network) and the file is not in the local cache."""


class HubPermissionError(PermissionError):
    """The Hub refused a write: no token, or a token without write access to the repository."""


@dataclass
class PushResult:
    """What was (or, for a dry run, would be) uploaded, and where it went."""

    repo_id: str
    repo_type: str
    files: list[str]  # paths in the repository, posix, sorted
    commit_message: str
    revision: str | None = None
    private: bool = False
    url: str | None = None  # the repository (branch) page after a push
    local_path: str | None = None  # the folder a dry run wrote
    commit_url: str | None = None

    @property
    def dry_run(self) -> bool:
        return self.local_path is not None

    @property
    def location(self) -> str:
        return self.local_path or self.url or ""

    def summary(self) -> str:
        target = f"{self.repo_type} repo {self.repo_id}@{self.revision or 'main'} (private={self.private})"
        if self.dry_run:
            return f"dry run: {len(self.files)} files written to {self.local_path}, to be pushed to {target}"
        return f"pushed {len(self.files)} files to {target}: {self.commit_url or self.url}"


def download_file(
    repo_id: str, filename: str, revision: str | None = None, repo_type: str = "model", token: str | bool | None = None
) -> str | None:
    """Path of ``filename`` from ``repo_id`` (cache first); ``None`` when the repository has no such file."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError, OfflineModeIsEnabled

    if Path(repo_id).exists():
        local = Path(repo_id) / filename
        return str(local) if local.is_file() else None
    try:
        return hf_hub_download(repo_id, filename, revision=revision, repo_type=repo_type, token=token)
    except (LocalEntryNotFoundError, OfflineModeIsEnabled) as err:  # first: it subclasses EntryNotFoundError
        raise HubUnavailableError(
            f"{repo_id}/{filename} is not in the local cache and the Hub cannot be reached: connect, or pass a local"
            " directory (a model saved with save_pretrained) instead of a repo id"
        ) from err
    except EntryNotFoundError:
        return None


def push_folder(
    folder: str | Path,
    repo_id: str,
    repo_type: str = "model",
    private: bool = False,
    revision: str | None = None,
    commit_message: str | None = None,
    dry_run_dir: str | Path | None = None,
    api: HfApi | None = None,
    ignore_patterns: Sequence[str] = DEFAULT_IGNORE_PATTERNS,
    delete_patterns: Sequence[str] | None = None,
    create: bool = True,
) -> PushResult:
    """Upload ``folder`` to ``repo_id`` as one commit on ``revision`` (default ``main``).

    The repository is created if missing (``private`` only applies then) and so is the branch ``revision``;
    ``create=False`` skips that for callers that ran :func:`prepare_repo` up front (to fail before long work).
    ``delete_patterns`` removes matching files already in the repository that this commit does not bring back
    (e.g. ``"es/*.parquet"`` when the ``es`` shards are rebuilt). With ``dry_run_dir`` the files that would be
    uploaded are copied there instead and the Hub is not contacted.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder to push")
    _check_repo(repo_id, repo_type)
    files = list_files(folder, ignore_patterns)
    if not files:
        raise ValueError(f"{folder}: nothing to push (no files, or every file matches {list(ignore_patterns)})")
    message = commit_message or f"Upload {len(files)} files with crop-hf"
    result = PushResult(repo_id, repo_type, files, message, revision, private)
    if dry_run_dir is not None:
        result.local_path = str(_copy_files(folder, files, Path(dry_run_dir)))
        return result
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    logger.info("pushing %d files from %s to %s %s@%s", len(files), folder, repo_type, repo_id, revision or "main")
    with _hub_errors(repo_id, str(folder)):
        if create:
            prepare_repo(repo_id, repo_type, private, revision, api)
        info = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            repo_type=repo_type,
            revision=revision,
            commit_message=message,
            ignore_patterns=list(ignore_patterns),
            delete_patterns=list(delete_patterns) if delete_patterns else None,
        )
    result.url = _repo_url(repo_id, repo_type, revision)
    commit_url = getattr(info, "commit_url", None)
    result.commit_url = commit_url if isinstance(commit_url, str) else None
    return result


def prepare_repo(
    repo_id: str,
    repo_type: str = "model",
    private: bool = False,
    revision: str | None = None,
    api: HfApi | None = None,
) -> None:
    """Create ``repo_id`` if missing and the branch ``revision`` (not ``main``) if missing.

    Call it before training with ``TrainingArguments(push_to_hub=True, hub_revision=...)``: the Trainer creates
    the repository itself but not the branch.
    """
    _check_repo(repo_id, repo_type)
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    with _hub_errors(repo_id, "the repository"):
        sdk = {"space_sdk": "gradio"} if repo_type == "space" else {}  # a Space is created with its SDK
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True, **sdk)
        if revision and revision != "main" and not revision.startswith("refs/"):
            api.create_branch(repo_id, branch=revision, repo_type=repo_type, exist_ok=True)


def publish_pipeline(
    pipeline_or_dir: Any,
    repo_id: str,
    *,
    metrics: RunMetrics | Mapping[str, Any] | str | Path | None = None,
    languages: Sequence[str] | None = None,
    base_model: str | None = None,
    datasets: Sequence[str] = (),
    training_data: str = "",
    license: str = "apache-2.0",
    private: bool = False,
    revision: str | None = None,
    commit_message: str | None = None,
    dry_run_dir: str | Path | None = None,
    api: HfApi | None = None,
) -> PushResult:
    """Publish a crop-projection pipeline (the object, or a folder its ``save_pretrained`` wrote) with its card.

    ``pipeline("crop-projection", model=repo_id)`` then rebuilds the same pipeline; ``metrics`` (a
    :class:`~crop_hf.model_card.RunMetrics`, the demo's ``metrics.json`` or its dict) fill the card's results.
    """
    from .model_card import projection_card, read_metrics

    run = read_metrics(metrics)
    with tempfile.TemporaryDirectory(prefix="crop-hf-push-") as tmp:
        staging = Path(tmp)
        if isinstance(pipeline_or_dir, (str, Path)):
            source = _existing_dir(pipeline_or_dir)
            _copy_files(source, list_files(source, MODEL_IGNORE_PATTERNS), staging)
        elif hasattr(pipeline_or_dir, "save_pretrained"):
            pipeline_or_dir.save_pretrained(staging)
        else:
            raise TypeError(
                f"publish_pipeline takes a crop-projection pipeline or a folder, got {pipeline_or_dir!r:.80}"
            )
        info = _card_info(repo_id, languages, base_model, datasets, training_data, license)
        card = projection_card(staging, info, run, image_dir=staging)
        _complete_pipeline_config(staging, card.data.language)
        card.save(staging / "README.md")
        message = commit_message or "Upload crop-projection pipeline (LST, MT, NER models) with crop-hf"
        return _push_model(staging, repo_id, private, revision, message, dry_run_dir, api)


def publish_ner_model(
    model_dir: str | Path,
    repo_id: str,
    metrics: RunMetrics | Mapping[str, Any] | str | Path | None = None,
    *,
    languages: Sequence[str] | None = None,
    base_model: str | None = None,
    datasets: Sequence[str] = (),
    training_data: str = "",
    license: str = "apache-2.0",
    private: bool = False,
    revision: str | None = None,
    commit_message: str | None = None,
    dry_run_dir: str | Path | None = None,
    api: HfApi | None = None,
) -> PushResult:
    """Publish a token-classification model folder (e.g. the last self-training round) with its card."""
    from .model_card import ner_card, read_metrics

    source = _existing_dir(model_dir)
    with tempfile.TemporaryDirectory(prefix="crop-hf-push-") as tmp:
        staging = _copy_files(source, list_files(source, MODEL_IGNORE_PATTERNS), Path(tmp))
        info = _card_info(repo_id, languages, base_model, datasets, training_data, license)
        ner_card(staging, info, read_metrics(metrics), image_dir=staging).save(staging / "README.md")
        message = commit_message or "Upload CROP self-trained NER model with crop-hf"
        return _push_model(staging, repo_id, private, revision, message, dry_run_dir, api)


def publish_dataset(
    parquet_dir_or_file: str | Path,
    repo_id: str,
    *,
    languages: Sequence[str] | None = None,
    pretty_name: str | None = None,
    summary: str | None = None,
    license: str = "other",
    private: bool = False,
    revision: str | None = None,
    commit_message: str | None = None,
    dry_run_dir: str | Path | None = None,
    api: HfApi | None = None,
) -> PushResult:
    """Publish Parquet data as a dataset repository.

    A folder with a ``README.md`` (what ``dataset_scripts/build_*.py --dry-run`` writes) is pushed as it is.
    Otherwise the Parquet files (one file, or every ``*.parquet`` under the folder, e.g. the shards of
    ``crop-hf project``) are split on their ``lang`` column into one config per language,
    ``data/<lang>/train-NNNNN-of-NNNNN.parquet``, with a generated dataset card. Data without a ``lang`` column
    needs its one language in ``languages``.
    """
    source = Path(parquet_dir_or_file)
    message = commit_message or f"Upload {source.name} with crop-hf"
    if source.is_dir() and (source / "README.md").is_file():
        return push_folder(source, repo_id, "dataset", private, revision, message, dry_run_dir, api)
    shards = [source] if source.is_file() else sorted(_existing_dir(source).rglob("*.parquet"))
    if not shards or shards[0].suffix != ".parquet":
        raise FileNotFoundError(f"{source}: expected a .parquet file or a folder holding .parquet files")
    with tempfile.TemporaryDirectory(prefix="crop-hf-push-") as tmp:
        staging = Path(tmp)
        _stage_dataset(shards, staging, repo_id, languages, pretty_name, summary, license)
        if source.is_dir() and (source / "summary.json").is_file():
            shutil.copy2(source / "summary.json", staging / "summary.json")
        return push_folder(staging, repo_id, "dataset", private, revision, message, dry_run_dir, api)


def list_files(folder: str | Path, ignore_patterns: Sequence[str] = DEFAULT_IGNORE_PATTERNS) -> list[str]:
    """Files under ``folder`` (posix paths relative to it, sorted) that a push uploads."""
    from huggingface_hub.utils import DEFAULT_IGNORE_PATTERNS as HUB_IGNORE
    from huggingface_hub.utils import filter_repo_objects

    root = Path(folder)
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return list(filter_repo_objects(paths, ignore_patterns=[*ignore_patterns, *HUB_IGNORE]))


# ---------------------------------------------------------------------------------------------------- helpers


@contextmanager
def _hub_errors(repo_id: str, what: str) -> Iterator[None]:
    """Turn the Hub's offline / network / auth failures into errors that say what to do."""
    from huggingface_hub.errors import HfHubHTTPError, HTTPError, LocalTokenNotFoundError, OfflineModeIsEnabled

    hint = "or write what would be uploaded with dry_run_dir=DIR (crop-hf push --dry_run DIR)"
    login = f"log in with `hf auth login` or set HF_TOKEN to a token with write access to {repo_id.split('/')[0]}"
    try:
        yield
    except HfHubHTTPError as err:
        status = getattr(getattr(err, "response", None), "status_code", None)
        if status in (401, 403):
            raise HubPermissionError(f"pushing {what} to {repo_id}: the Hub refused (HTTP {status}): {login}") from err
        raise
    except LocalTokenNotFoundError as err:
        raise HubPermissionError(f"pushing {what} to {repo_id}: no Hub token found: {login}") from err
    except (OfflineModeIsEnabled, HTTPError, ConnectionError) as err:
        raise HubUnavailableError(
            f"pushing {what} to {repo_id}: the Hub cannot be reached ({type(err).__name__}): connect (and unset "
            f"HF_HUB_OFFLINE), {hint}"
        ) from err


def _push_model(
    staging: Path,
    repo_id: str,
    private: bool,
    revision: str | None,
    message: str,
    dry_run_dir: str | Path | None,
    api: HfApi | None,
) -> PushResult:
    files = list_files(staging, MODEL_IGNORE_PATTERNS)
    if not any(name.endswith(".safetensors") for name in files):
        raise ValueError(f"{repo_id}: no .safetensors weights to publish: save the model with save_pretrained")
    return push_folder(staging, repo_id, "model", private, revision, message, dry_run_dir, api, MODEL_IGNORE_PATTERNS)


def _check_repo(repo_id: str, repo_type: str) -> None:
    from huggingface_hub.utils import validate_repo_id

    if repo_type not in REPO_TYPES:
        raise ValueError(f"repo_type={repo_type!r}: use one of {REPO_TYPES}")
    validate_repo_id(repo_id)  # raises HFValidationError naming the id
    if "/" not in repo_id:
        raise ValueError(f"repo_id={repo_id!r}: give the namespace too, e.g. your-username/{repo_id}")


def _repo_url(repo_id: str, repo_type: str, revision: str | None) -> str:
    from huggingface_hub import constants

    prefix = {"dataset": "datasets/", "space": "spaces/"}.get(repo_type, "")
    url = f"{constants.ENDPOINT}/{prefix}{repo_id}"
    return f"{url}/tree/{revision}" if revision and revision != "main" else url


def _copy_files(source: Path, files: Sequence[str], target: Path) -> Path:
    if target.resolve() == source.resolve():
        return target
    if target.resolve().is_relative_to(source.resolve()):
        raise ValueError(f"{target} is inside {source}: write the dry run to a folder outside the one being pushed")
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)
    return target


def _existing_dir(path: str | Path) -> Path:
    if not Path(path).is_dir():
        raise FileNotFoundError(f"{path}: not a local folder; pass the folder save_pretrained (or the demo) wrote")
    return Path(path)


def _card_info(
    repo_id: str,
    languages: Sequence[str] | None,
    base_model: str | None,
    datasets: Sequence[str],
    training_data: str,
    license: str,
) -> CardInfo:
    from .model_card import CardInfo

    if base_model and "nllb" in base_model.lower() and license == "apache-2.0":
        logger.warning(
            "%s: NLLB-200 weights are CC-BY-NC-4.0; pass license='cc-by-nc-4.0' for its fine-tunes", repo_id
        )
    return CardInfo(repo_id, list(languages or []), base_model, list(datasets), training_data, license)


def _complete_pipeline_config(staging: Path, languages: Sequence[str]) -> None:
    """Record the languages in ``crop_projection.json``; refuse sub-models that are neither folders nor Hub ids."""
    from .config import CONFIG_NAME, CropProjectionConfig

    config = CropProjectionConfig.from_pretrained(staging)
    if config is None:
        raise FileNotFoundError(f"{staging / CONFIG_NAME} is missing: save the pipeline with save_pretrained")
    for key in ("ner_model", "mt_model"):
        config.sub_model(key)  # a folder inside the staged checkpoint or a Hub id, else one line naming the key
    if not config.languages:
        config.languages = [lang for lang in languages if lang != "en"]
    config.save_pretrained(staging)


def _stage_dataset(
    shards: Sequence[Path],
    staging: Path,
    repo_id: str,
    languages: Sequence[str] | None,
    pretty_name: str | None,
    summary: str | None,
    license: str,
) -> None:
    """``data/<lang>/train-NNNNN-of-NNNNN.parquet`` (rows split on the ``lang`` column) and a dataset card."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .dataset_card import ConfigStats, render_dataset_card, split_stats
    from .languages import get_language

    written: dict[str, list[Path]] = {}
    for shard in shards:
        table = pq.read_table(shard)
        if "lang" in table.column_names:
            parts = {lang: table.filter(pc.equal(table["lang"], lang)) for lang in table["lang"].unique().to_pylist()}
        elif languages and len(languages) == 1:
            parts = {languages[0]: table}
        else:
            raise ValueError(f"{shard}: no 'lang' column: pass the one language of the data (languages=['es'])")
        for lang, part in parts.items():
            if lang is None:
                raise ValueError(f"{shard}: rows with an empty 'lang': fill it in or drop them before publishing")
            get_language(lang)
            target = written.setdefault(lang, [])
            target.append(staging / "data" / lang / f"part-{len(target)}.parquet")
            target[-1].parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, target[-1])
    configs = []
    for lang in sorted(written):
        files = written[lang]
        final = [p.with_name(f"train-{i:05d}-of-{len(files):05d}.parquet") for i, p in enumerate(files)]
        for old, new in zip(files, final):
            old.rename(new)
        configs.append(ConfigStats(lang, lang, [split_stats("train", final, staging)]))
    name = pretty_name or repo_id.split("/")[-1]
    render_dataset_card(
        pretty_name=name,
        summary=summary or "Sentences labelled by CROP label projection (crop-hf), one config per language.",
        configs=configs,
        license_id=license,
        license_note=f"Published as `{license}`. Projected data keeps the terms of the raw text it was made from.",
        citation="",
        homepage="raw text labelled with the crop-projection pipeline",
        repo_id=repo_id,
    ).save(staging / "README.md")
