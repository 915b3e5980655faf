"""Hub I/O in one place: downloading single files, preparing repositories, pushing folders, the Hub's errors.

- :func:`download_file`: one file of a repository (cache first), with a clear error when offline and not cached.
- :func:`prepare_repo`: create a repository (and a branch) up front, so a missing token fails before long work.
- :func:`push_folder`: one commit of a local folder to a model or dataset repository (created if missing, the
  branch too), or, with ``dry_run_dir``, a copy of exactly the files that would be uploaded and no network.
- :class:`HubUnavailableError`, :class:`HubPermissionError`: the Hub's offline, network and auth failures, said as
  what to do.

This module imports nothing else of crop_hf: the config (:mod:`crop_hf.projection.config`) and the pipeline read through it,
and publishing crop-hf artifacts with their cards (:mod:`crop_hf.publish.publishing`) is built on top of it.

Tokens come only from huggingface_hub's usual sources (``HF_TOKEN``, ``hf auth login``, or an ``HfApi(token=...)``
passed as ``api``); nothing here reads, logs or writes one.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huggingface_hub import HfApi

logger = logging.getLogger(__name__)

# repository type -> its URL prefix on the Hub; push_folder and prepare_repo take these
_URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
REPO_TYPES = tuple(_URL_PREFIX)
# Never uploaded: Trainer checkpoints, pickled TrainingArguments (may hold a hub_token), caches.
DEFAULT_IGNORE_PATTERNS: tuple[str, ...] = (
    "checkpoint-*", "*/checkpoint-*", "*-checkpoints/*", "training_args.bin", "*/training_args.bin",
    "__pycache__/*", "*/__pycache__/*", ".ipynb_checkpoints/*", ".cache/*",
)  # fmt: skip
# What a model repository is made of (configs, weights, tokenizer and SentencePiece files, card, plots): nothing
# else of a model folder is published (no notes, no keys, no data). Dotfiles and dot-folders never are.
MODEL_FILES: tuple[str, ...] = ("*.json", "*.safetensors", "*.model", "vocab.txt", "merges.txt", "*.md", "*.png")
# Model repositories also never get pickles or data files (e.g. a self-training round's relabelled.jsonl).
MODEL_IGNORE_PATTERNS = (*DEFAULT_IGNORE_PATTERNS, "*.bin", "*.pt", "*.pth", "*.pkl", "*.jsonl", "*.parquet")


class HubUnavailableError(OSError):
    """The Hub cannot be reached (offline, no network) and the file is not in the local cache."""


class HubPermissionError(PermissionError):
    """The Hub refused a write: no token, or a token without write access to the repository."""


class UnsafeUploadError(ValueError):
    """A folder to publish holds a link leading outside it, or a dry-run target that would overwrite it."""


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
    commit: str | None = None  # the commit's id after a push (a Space pins the pipeline to it)

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
        result.local_path = str(copy_files(folder, files, Path(dry_run_dir)))
        return result
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    logger.info("pushing %d files from %s to %s %s@%s: %s", len(files), folder, repo_type, repo_id, revision or "main",
                ", ".join(files))  # fmt: skip
    with _hub_errors(repo_id, str(folder)):
        if create:
            prepare_repo(repo_id, repo_type, private, revision, api)
        info = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            repo_type=repo_type,
            revision=revision,
            commit_message=message,
            allow_patterns=[glob.escape(name) for name in files],  # exactly the listed files, dotfiles never
            ignore_patterns=list(ignore_patterns),
            delete_patterns=list(delete_patterns) if delete_patterns else None,
        )
    result.url = _repo_url(repo_id, repo_type, revision)
    commit_url, oid = getattr(info, "commit_url", None), getattr(info, "oid", None)
    result.commit_url = commit_url if isinstance(commit_url, str) else None
    result.commit = oid if isinstance(oid, str) else None
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
        sdk: dict[str, Any] = {"space_sdk": "gradio"} if repo_type == "space" else {}  # a Space needs its SDK
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True, **sdk)
        if revision and revision != "main" and not revision.startswith("refs/"):
            api.create_branch(repo_id, branch=revision, repo_type=repo_type, exist_ok=True)


def list_files(
    folder: str | Path,
    ignore_patterns: Sequence[str] = DEFAULT_IGNORE_PATTERNS,
    allow_patterns: Sequence[str] | None = None,
) -> list[str]:
    """Files under ``folder`` (posix paths relative to it, sorted) that a push uploads: those matching
    ``allow_patterns`` (all when ``None``; a pattern without ``/`` matches the file name in any folder) and none of
    ``ignore_patterns``, never a dotfile or anything in a dot-folder (``.env``, ``.git/``). A symlink leading
    outside ``folder`` raises :class:`UnsafeUploadError` naming it (its target's content would be published)."""
    from huggingface_hub.utils import DEFAULT_IGNORE_PATTERNS as HUB_IGNORE
    from huggingface_hub.utils import filter_repo_objects

    root = Path(folder)
    base = root.resolve()
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):  # links to folders are listed, not followed
        here = Path(dirpath)
        for name in [*dirnames, *filenames]:
            if not name.startswith(".") and (here / name).is_symlink():
                target = (here / name).resolve()
                if target != base and base not in target.parents:
                    raise UnsafeUploadError(f"{here / name}: a link to {target}, outside {root}; publishing it would "
                                            "upload that file: remove the link or copy the file into the folder")  # fmt: skip
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        paths += [(here / f).relative_to(root).as_posix() for f in filenames if not f.startswith(".")]
    paths = [p for p in sorted(paths) if (root / p).is_file()]
    if allow_patterns is not None:
        paths = [p for p in paths if any(_matches(p, pattern) for pattern in allow_patterns)]
    return list(filter_repo_objects(paths, ignore_patterns=[*ignore_patterns, *HUB_IGNORE]))


def check_target(source: str | Path, target: str | Path | None, what: str = "--dry_run") -> None:
    """Refuse a dry-run or staging ``target`` that is ``source``, inside it or above it: writing there would change
    the folder being published (and the next push would upload what was written)."""
    if target is None:
        return
    src, dst = Path(source).resolve(), Path(target).resolve()
    if dst == src or src in dst.parents or dst in src.parents:
        where = "the folder" if dst == src else "inside" if src in dst.parents else "above"
        raise UnsafeUploadError(
            f"{what} {target}: is {where} {source} being published; write it to a folder outside it"
        )


def copy_files(source: Path, files: Sequence[str], target: Path) -> Path:
    """Copy ``files`` (paths relative to ``source``, e.g. from :func:`list_files`) into ``target``; returns it.
    ``target`` may be neither ``source``, nor inside nor above it (:func:`check_target`)."""
    check_target(source, target, "the copy target")
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)
    return target


# ---------------------------------------------------------------------------------------------------- helpers


def _matches(path: str, pattern: str) -> bool:
    """``path`` against a glob ``pattern``: the whole path when the pattern has a ``/``, else its file name."""
    from fnmatch import fnmatchcase

    return fnmatchcase(path if "/" in pattern else path.rsplit("/", 1)[-1], pattern)


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


def _check_repo(repo_id: str, repo_type: str) -> None:
    from huggingface_hub.utils import validate_repo_id

    if repo_type not in REPO_TYPES:
        raise ValueError(f"repo_type={repo_type!r}: use one of {REPO_TYPES}")
    validate_repo_id(repo_id)  # raises HFValidationError naming the id
    if "/" not in repo_id:
        raise ValueError(f"repo_id={repo_id!r}: give the namespace too, e.g. your-username/{repo_id}")


def _repo_url(repo_id: str, repo_type: str, revision: str | None) -> str:
    from huggingface_hub import constants

    url = f"{constants.ENDPOINT}/{_URL_PREFIX[repo_type]}{repo_id}"
    return f"{url}/tree/{revision}" if revision and revision != "main" else url
