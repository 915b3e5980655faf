"""Hub access in one place: downloading single files with clear offline errors.

Everything that loads from a repo id or a local folder goes through ``from_pretrained`` or through here,
so revisions and the offline message behave the same everywhere. Tokens come from huggingface_hub's
usual sources and are never logged.
"""

from __future__ import annotations

from pathlib import Path


class HubUnavailableError(OSError):
    """The Hub cannot be reached and the file is not in the local cache."""


def download_file(repo_id: str, filename: str, revision: str | None = None, repo_type: str = "model") -> str | None:
    """Path of ``filename`` from ``repo_id`` (cache first); ``None`` when the repository has no such file."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError, OfflineModeIsEnabled

    if Path(repo_id).exists():
        local = Path(repo_id) / filename
        return str(local) if local.is_file() else None
    try:
        return hf_hub_download(repo_id, filename, revision=revision, repo_type=repo_type)
    except EntryNotFoundError:
        return None
    except (LocalEntryNotFoundError, OfflineModeIsEnabled) as err:
        raise HubUnavailableError(
            f"{repo_id}/{filename} is not in the local cache and the Hub cannot be reached: connect, or pass a local"
            " directory (a model saved with save_pretrained) instead of a repo id"
        ) from err
