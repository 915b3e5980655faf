"""What every ``crop-hf`` command shares: its parser, the checks run before any model loads, errors, logging.

A user mistake (a missing file, an unknown language code, a bad choice) raises :class:`UsageError` before a
model is loaded or an output is written. :func:`command` turns it, and every other
:class:`~crop_hf.base.errors.CropHfError`, into one line on stderr and exit code 2; any other exception is a bug, told
as one line with a hint and exit code 1; Ctrl-C is one line and exit code 130 (see
:func:`crop_hf.base.errors.report_failure`). ``--debug`` (anywhere on the command line) prints the traceback as well.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, get_type_hints

from transformers import HfArgumentParser, TrainingArguments

from crop_hf.base.errors import CropHfError, report_failure
from crop_hf.projection.projection_options import OptionError

logger = logging.getLogger("crop_hf")

DEBUG_FLAG = "--debug"
# a command's own progress (tqdm) stays; these tell the user nothing
_QUIET_WARNINGS = (
    r".*find_unused_parameters=True was specified.*",
    r".*`resume_download` is deprecated.*",
)


class UsageError(CropHfError):
    """A mistake in a command line: its message names the bad value and the fix, on one line."""


class CommandParser(HfArgumentParser):
    """``HfArgumentParser`` whose errors raise :class:`UsageError` and whose help reads well.

    crop-hf's own options come first; the inherited ``transformers.TrainingArguments`` ones follow in their own
    group. ``%`` in help texts is escaped, and ``--no_X`` says what it turns off. A dataclass may name, in
    ``CLI_TYPES``, how a field is read from its text (``"es,en"`` -> ``("es", "en")``); a value its dataclass
    refuses (:class:`~crop_hf.projection.projection_options.OptionError`) is a :class:`UsageError` naming the flag,
    and so is any other ``ValueError`` an arguments dataclass raises on what it read (``max_slots must be >= 1``).
    """

    def __init__(self, dataclass_types, prog: str, description: str = "", usage: str | None = None):
        epilog = "A mistake in the arguments prints one line and exits with code 2; add --debug for the traceback."
        super().__init__(dataclass_types, prog=prog, description=description, usage=usage, epilog=epilog)
        for action in self._actions:
            if action.help:
                action.help = re.sub(r"%(?!\()", "%%", action.help)
            negated = next((s for s in action.option_strings if s.startswith("--no_")), None)
            if negated:
                action.help = f"turn off --{negated[len('--no_') :]}"

    def _add_dataclass_arguments(self, dtype) -> None:
        hints = get_type_hints(dtype)
        inherited = set()
        if issubclass(dtype, TrainingArguments):
            subclasses = [cls for cls in dtype.__mro__ if _below(cls, TrainingArguments)]
            own = {name for cls in subclasses for name in vars(cls).get("__annotations__", {})}
            inherited = {f.name for f in dataclasses.fields(TrainingArguments)} - own
        group = self.add_argument_group("transformers TrainingArguments (all accepted)") if inherited else self
        readers = getattr(dtype, "CLI_TYPES", {})
        fields = [copy.copy(f) for f in dataclasses.fields(dtype) if f.init]  # the parser retypes its copies
        for field in sorted(fields, key=lambda f: f.name in inherited):
            field.type = readers.get(field.name, hints[field.name])
            self._parse_dataclass_field(group if field.name in inherited else self, field)

    def parse_args_into_dataclasses(self, *args, **kwargs):
        try:
            return super().parse_args_into_dataclasses(*args, **kwargs)
        except OptionError as err:
            value = ",".join(err.value) if isinstance(err.value, tuple) else err.value
            raise UsageError(f"--{err.name} {value}: {err.fix}") from None
        except ValueError as err:  # an arguments dataclass refused a value it read (its __post_init__ checks)
            raise UsageError(f"{err} (see {self.prog} --help)") from None

    def error(self, message: str):  # argparse calls this for a bad or missing argument
        raise UsageError(f"{message}{_closest_choice(message)} (see {self.prog} --help)")


def _closest_choice(message: str) -> str:
    """``"; did you mean 'fuzzy'?"`` for argparse's "invalid choice: 'fuzy' (choose from ...)", else ``""``."""
    import difflib

    found = re.search(r"invalid choice: '?([^'(]*?)'? \(choose from (.*)\)", message)
    if not found:
        return ""
    choices = [choice.strip().strip("'") for choice in found.group(2).split(",")]
    close = difflib.get_close_matches(found.group(1), choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Command(Protocol):
    """A command's ``main``: the arguments after the command's name (default ``sys.argv[1:]``) -> exit code."""

    def __call__(self, argv: Sequence[str] | None = None) -> int: ...


def command(name: str) -> Callable[[Callable[[list[str]], int | None]], Command]:
    """Wrap a command's ``run(argv)``: logging, quiet libraries, one-line errors (exit 2, 1 or 130), ``--debug``."""

    def wrap(run: Callable[[list[str]], int | None]) -> Command:
        @functools.wraps(run)
        def main(argv: Sequence[str] | None = None) -> int:
            argv = list(sys.argv[1:] if argv is None else argv)
            argv, debug = _take_debug_flag(argv)
            try:
                setup_logging(debug)
                return int(run(argv) or 0)
            except (Exception, KeyboardInterrupt) as err:
                return report_failure(f"crop-hf {name}", err, debug, also=_hub_errors())

        return main

    return wrap


def setup_logging(debug: bool = False) -> None:
    """crop-hf's own messages at INFO (DEBUG with ``--debug``); libraries at WARNING, their loading bars off."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.WARNING)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    quiet_libraries()


def quiet_libraries() -> None:
    """Turn off the progress bars and warnings of libraries that say nothing to a crop-hf user."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()
    hf_logging.disable_progress_bar()  # "Loading weights", shard downloads
    disable_progress_bars()
    for pattern in _QUIET_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    try:
        import datasets

        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_warning()
    except ImportError:  # pragma: no cover - datasets is a core dependency
        pass


def quiet_ddp(args: TrainingArguments) -> None:
    """Under DDP, do not search for unused parameters unless asked (``--ddp_find_unused_parameters true``).

    The models these commands train (M2M100-like LSTs, token classifiers) use every parameter in each forward
    pass; the search only costs time and makes each process warn "find_unused_parameters=True was specified ...
    but did not find any unused parameters".
    """
    if args.ddp_find_unused_parameters is None:
        args.ddp_find_unused_parameters = False


# ------------------------------------------------------------------------------------------------ argument checks


def existing_file(path: str, flag: str) -> Path:
    """``path`` as a Path; a missing file or a folder is a :class:`UsageError`."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise UsageError(f"{flag} {path}: is a folder; pass a file")
    if not p.is_file():
        raise UsageError(f"{flag} {path}: no such file; check the path")
    return p


def existing_dir(path: str, flag: str, what: str = "folder") -> Path:
    p = Path(path).expanduser()
    if not p.is_dir():
        raise UsageError(f"{flag} {path}: no such {what}; check the path")
    return p


def model_ref(value: str, flag: str) -> str:
    """A saved model folder (with ``config.json``) or a Hub id; anything else is a :class:`UsageError`.

    A name that does not exist locally is taken as a Hub id only if it looks like one (``org/name`` or ``name``).
    """
    p = Path(value).expanduser()
    if p.exists():
        if not p.is_dir():
            raise UsageError(f"{flag} {value}: is a file; pass a saved model folder (save_pretrained) or a Hub id")
        if not (p / "config.json").is_file():
            raise UsageError(
                f"{flag} {value}: no config.json in this folder; pass a folder written by save_pretrained"
            )
        return value
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    looks_like_path = value.startswith((".", "/", "~")) or value.count("/") > 1 or os.sep != "/" and os.sep in value
    try:
        if looks_like_path:
            raise HFValidationError(value)
        validate_repo_id(value)
    except HFValidationError:
        raise UsageError(
            f"{flag} {value}: no such folder; pass a saved model folder or a Hub id such as facebook/m2m100_418M"
        ) from None
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes") and not _in_hub_cache(value):
        raise UsageError(f"{flag} {value}: not a local folder and not in the Hub cache (HF_HUB_OFFLINE is set)")
    return value


def language(code: str, flag: str) -> str:
    from crop_hf.core.languages import UnknownLanguageError, get_language

    try:
        get_language(code)
    except UnknownLanguageError as err:
        raise UsageError(f"{flag} {code}: {err}") from None
    return code


def languages(codes: str, flag: str) -> list[str]:
    """Comma-separated language codes, each checked; an empty list is a :class:`UsageError`."""
    out = [language(c.strip(), flag) for c in codes.split(",") if c.strip()]
    if not out:
        raise UsageError(f"{flag} {codes!r}: no language code; pass e.g. es,de")
    return out


def lang_file_specs(specs: Sequence[str], flag: str) -> list[tuple[str, Path]]:
    """``LANG=PATH`` or ``PATH`` items: each language known and each file present ("" when no LANG= prefix)."""
    out = []
    for spec in specs:
        lang, sep, path = spec.partition("=")
        if not sep:
            lang, path = "", spec
        elif lang:
            language(lang, f"{flag} {spec}:")
        out.append((lang, existing_file(path, flag)))
    return out


def _take_debug_flag(argv: list[str]) -> tuple[list[str], bool]:
    """Remove crop-hf's bare ``--debug``; ``--debug VALUE`` is TrainingArguments' own option and stays."""
    bare = [i for i, a in enumerate(argv) if a == DEBUG_FLAG and (i + 1 == len(argv) or argv[i + 1].startswith("-"))]
    return [a for i, a in enumerate(argv) if i not in bare], bool(bare)


def _hub_errors() -> tuple[type[BaseException], ...]:
    """The Hub I/O errors a user can act on (the Hub out of reach); crop_hf.base.hub imports nothing of crop_hf, so they
    are not :class:`~crop_hf.base.errors.CropHfError`."""
    try:
        from crop_hf.base.hub import HubUnavailableError, UnsafeUploadError
    except ImportError:  # pragma: no cover - never let the error report itself fail
        return ()
    return (HubUnavailableError, UnsafeUploadError)


def _below(cls: type, base: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, base) and cls is not base


def _in_hub_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
