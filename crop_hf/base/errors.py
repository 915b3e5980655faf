"""The base class of crop-hf's own errors: a mistake the user can fix, told in one line.

Every error crop-hf raises on purpose about its input (a recipe key, a config file, a data file's line, a command
line, a missing optional dependency, a corpus folder that holds another run) subclasses :class:`CropHfError`, and
its message names the input and the fix. The command line prints such an error as one line and exits with code 2;
any other exception is a bug in crop-hf or a library, shown as a one-line hint (``--debug`` for the traceback) with
exit code 1.

Most subclasses also derive from the built-in exception they used to be (``ValueError``, ``FileNotFoundError``,
``ImportError``), so code that caught those still does. This module imports nothing of crop_hf, so that every
layer can use it.
"""

from __future__ import annotations

import errno


class CropHfError(Exception):
    """A mistake in what the user gave crop-hf; the message names the input and what to do, on one line.

    Args:
        *args: the message (``CropHfError("es.conll line 8812: expected 2+ columns, got 1")``), as for any exception.
    """


class InputError(CropHfError, ValueError):
    """An input crop-hf was given (a file's line, a value, a folder holding another run) that it cannot use."""


EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by SIGINT
INTERRUPTED = "interrupted; rerun the same command to resume"
# a path the user gave that is missing or not readable: told in one line like crop-hf's own errors
_USER_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
# the machine's state, not a bug: a read-only file system, a full disk or quota, a port or file in use
_ENVIRONMENT_ERRNOS = {getattr(errno, name) for name in ("EROFS", "ENOSPC", "EDQUOT", "EADDRINUSE", "EADDRNOTAVAIL",
                                                          "EMFILE", "ETXTBSY") if hasattr(errno, name)}  # fmt: skip
_ENVIRONMENT_HINTS = {"EROFS": "the folder is read-only: give a writable --output_dir",
                      "ENOSPC": "the disk is full: free space or give an --output_dir on another disk",
                      "EDQUOT": "the disk quota is used up: free space or give an --output_dir elsewhere",
                      "EADDRINUSE": "the port is in use: give another --port"}  # fmt: skip


def is_user_error(err: BaseException, also: tuple[type[BaseException], ...] = ()) -> bool:
    """Whether ``err`` is a mistake in the user's input (one line, exit 2) rather than a bug (exit 1).

    ``also``: more classes to take as such (the Hub's errors, whose module imports nothing of crop_hf).
    """
    environment = isinstance(err, OSError) and err.errno in _ENVIRONMENT_ERRNOS
    return environment or isinstance(err, (CropHfError, *_USER_OS_ERRORS, *also))


def one_line(err: BaseException, limit: int | None = None) -> str:
    """The message of ``err`` on one line (whitespace runs, newlines included, become one space), cut at ``limit``."""
    return " ".join(str(err).split())[:limit]


def report_failure(
    prog: str, err: BaseException, debug: bool = False, also: tuple[type[BaseException], ...] = ()
) -> int:
    """Tell the user how ``prog`` failed, on stderr, and return its exit code.

    A user mistake is one line and exit 2; Ctrl-C is one line and exit 130; anything else is an internal error:
    one line naming its type with a hint to rerun with ``--debug``, and exit 1. ``debug`` adds the traceback;
    ``also`` as for :func:`is_user_error`.
    """
    import sys
    import traceback

    if debug:
        traceback.print_exception(type(err), err, err.__traceback__)
    if isinstance(err, KeyboardInterrupt):
        print(f"{prog}: {INTERRUPTED}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if is_user_error(err, also):
        name = errno.errorcode.get(err.errno, "") if isinstance(err, OSError) and err.errno else ""
        hint = f" ({_ENVIRONMENT_HINTS[name]})" if name in _ENVIRONMENT_HINTS else ""
        print(f"{prog}: error: {one_line(err) or type(err).__name__}{hint}", file=sys.stderr)
        return EXIT_USAGE
    hint = "" if debug else "; rerun with --debug for the traceback"
    print(f"{prog}: internal error: {type(err).__name__}: {one_line(err)}{hint}", file=sys.stderr)
    return EXIT_BUG
