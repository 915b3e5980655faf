"""One writer per output folder: a lock file naming its holder.

``crop-hf run``, ``crop-hf project`` and self-training write into an output folder and may delete what an earlier
run left there; two of them on one folder would mix their results. :class:`FolderLock` takes
``<folder>/.crop-hf.lock`` (created atomically, holding the holder's command, PID, host and start time) for as long
as the work runs::

    with FolderLock("runs/demo", "crop-hf run"):
        ...

A second writer gets :class:`FolderLockedError` (one line: who holds it since when, and what to do). A lock left by a
process that no longer runs on this host (killed) is stale: it is taken over, and a warning names it. Nothing here
imports torch.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from .errors import InputError

logger = logging.getLogger(__name__)

LOCK_NAME = ".crop-hf.lock"


class FolderLockedError(InputError):
    """Another running process holds the output folder."""


class FolderLock:
    """The lock of ``folder`` for ``command`` (a context manager; :meth:`acquire` / :meth:`release` also work)."""

    def __init__(self, folder: str | Path, command: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.command = command
        self.held = False

    def acquire(self) -> FolderLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        holder = {"command": self.command, "pid": os.getpid(), "host": socket.gethostname(),
                  "started": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._check_holder()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(holder, f)
            self.held = True
            return self
        raise FolderLockedError(f"{self.folder}: another crop-hf process took the lock meanwhile; rerun when it ends")

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    def _check_holder(self) -> None:
        """Raise while a live process holds the lock; remove a stale one (its process is gone)."""
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
            pid, host = int(holder["pid"]), str(holder["host"])
        except FileNotFoundError:
            return  # released meanwhile
        except (OSError, ValueError, KeyError, TypeError):
            holder, pid, host = {}, -1, ""
        if host == socket.gethostname() and not _alive(pid):
            logger.warning("%s: removing the stale lock of %s (PID %s, started %s), a process that no longer runs",
                           self.folder, holder.get("command", "?"), pid, holder.get("started", "?"))  # fmt: skip
            self.path.unlink(missing_ok=True)
            return
        if not holder:
            raise FolderLockedError(f"{self.folder}: {self.path.name} is unreadable; if no crop-hf process writes "
                                    f"there, remove {self.path}")  # fmt: skip
        raise FolderLockedError(
            f"{self.folder}: in use by {holder.get('command', '?')} (PID {pid} on {host}, since "
            f"{holder.get('started', '?')}); wait for it to end or use another output folder (a lock whose process "
            f"is gone is removed by itself; from another host, remove {self.path} once it has stopped)"
        )


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True
