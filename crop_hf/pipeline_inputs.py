"""What goes into the crop-projection pipeline: inputs as ``Pipeline.__call__`` takes them, option checks, and the
record of one input on its way through ``preprocess``, ``_forward`` and ``postprocess``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from .errors import InputError
from .filters import DEFAULT_MAX_ENTITIES, DEFAULT_MAX_WORDS, check_langid_codes
from .language_id import DEFAULT_IDENTIFIER, check_identifier
from .languages import get_language
from .matching import DEFAULT_MIN_SCORE, STRICTNESS_LEVELS
from .tagging import Span
from .text import Token

MODES = ("raw", "translate-train")
# The raw sentence's language is the caller's word (src_lang), as in CROP, which checks only the translations; a
# raw check drops real sentences (langid.py takes about one real CoNLL sentence in five for another language).
# Turn it on for text whose language is not known (web text).
DEFAULT_CHECK_RAW_LANGUAGE = False
OPTIONS = (
    "src_lang", "tgt_lang", "mode", "strictness", "min_score", "max_words", "max_entities", "check_language",
    "check_raw_language", "language_identifier", "langid_candidates", "return_stages", "batch_size", "num_workers",
)  # fmt: skip
_PRE = ("src_lang", "tgt_lang", "mode", "max_words", "max_entities", "check_language", "check_raw_language",
        "language_identifier", "langid_candidates")  # fmt: skip


def check_call_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The options given, checked (one-line errors, before any model runs), as (preprocess, postprocess) params.

    ``None`` means "not given", except for ``max_entities`` where it means "no limit".
    """
    unknown = [name for name in options if name not in OPTIONS]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, OPTIONS, n=1)
        hint = f"did you mean {close[0]}=?" if close else f"valid options: {', '.join(OPTIONS)}"
        raise TypeError(f"crop-projection: unknown option {name}={options[name]!r}; {hint}")
    given = {k: v for k, v in options.items() if v is not None or k == "max_entities"}
    for key in ("src_lang", "tgt_lang"):
        if key in given:
            get_language(given[key])  # unknown codes fail here, with the known ones
    if "mode" in given:
        check_choice("mode", given["mode"], MODES)
    if "strictness" in given:
        check_choice("strictness", given["strictness"], STRICTNESS_LEVELS)
    if "max_words" in given:
        check_int("max_words", given["max_words"], 1)
    if given.get("max_entities") is not None:
        check_int("max_entities", given["max_entities"], 1)
    for key in ("check_language", "check_raw_language", "return_stages"):
        if key in given and not isinstance(given[key], bool):
            raise TypeError(f"{key}={given[key]!r}: use True or False")
    if "language_identifier" in given:
        check_identifier(given["language_identifier"])
    if "langid_candidates" in given:
        candidates = given["langid_candidates"]
        if isinstance(candidates, str) or not all(isinstance(c, str) for c in candidates) or not candidates:
            raise TypeError(f"langid_candidates={candidates!r}: use a list of language codes, e.g. ['es', 'en']")
        check_langid_codes(candidates, given.get("language_identifier", DEFAULT_IDENTIFIER))
        given["langid_candidates"] = tuple(candidates)
    if "min_score" in given:
        score = given["min_score"]
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            raise InputError(f"min_score={score!r}: use a number between 0 and 1 (default {DEFAULT_MIN_SCORE})")
        given["min_score"] = float(score)
    pre = {k: v for k, v in given.items() if k in _PRE}
    return pre, {k: v for k, v in given.items() if k not in _PRE}


@dataclass(frozen=True)
class FilterSettings:
    """The filter options of one call (``preprocess`` arguments): which filters run, with which limits."""

    max_words: int = DEFAULT_MAX_WORDS
    max_entities: int | None = DEFAULT_MAX_ENTITIES
    check_language: bool = True  # the translation (labeled back-translation, or translate-train's output)
    check_raw_language: bool = DEFAULT_CHECK_RAW_LANGUAGE  # the raw sentence, before any model runs
    langid_candidates: tuple[str, ...] | None = None
    language_identifier: str = DEFAULT_IDENTIFIER


@dataclass
class Item:
    """One input on its way through the three steps (picklable, so that ``num_workers`` > 0 works)."""

    mode: str
    lang: str | None
    text: str | None
    tokens: list[Token] = field(default_factory=list)
    drop: tuple[str, str] | None = None
    english: str | None = None
    en_tokens: list[str] | None = None
    en_spans: list[Span] | None = None
    labeled_translation: str | None = None
    settings: FilterSettings | None = None


class Rows(torch.utils.data.Dataset):
    """A sized, indexable collection (a ``datasets.Dataset`` or one of its columns) as the pipeline's dataset."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> Any:
        return self.data[index]


class Stream(torch.utils.data.IterableDataset):
    """A generator or other one-pass iterable as the pipeline's dataset: read as results are asked for.

    Handed to ``Pipeline.__call__`` as a dataset rather than a generator because transformers 5.10 turns a
    generator into a list (it looks for chat messages), which would read the whole stream before the first result.
    """

    def __init__(self, data: Iterable[Any]) -> None:
        self.data = data

    def __iter__(self) -> Any:
        return iter(self.data)


def normalise_inputs(inputs: Any, mode: str) -> Any:
    """What ``Pipeline.__call__`` takes: a single input, a list, a generator or a torch dataset."""
    if isinstance(inputs, (str, Mapping)):
        return inputs
    if inputs is None or isinstance(inputs, (bytes, bytearray, int, float)):
        raise TypeError(
            f"crop-projection takes a string, an example dict (translate-train), or a list, generator or dataset "
            f"of them; got {type(inputs).__name__}: {inputs!r:.60} (in a list it would be a discarded result)"
        )
    if isinstance(inputs, (list, torch.utils.data.Dataset)):
        return inputs
    if isinstance(inputs, tuple):
        return list(inputs)
    columns = getattr(inputs, "column_names", None)
    if isinstance(columns, list) and mode == "raw" and "text" not in columns:
        raise InputError(f"the dataset has no 'text' column (columns: {columns}); pass dataset['your_column']")
    if hasattr(inputs, "__len__") and hasattr(inputs, "__getitem__"):
        return Rows(inputs)
    if isinstance(inputs, Iterable):  # generators included
        return Stream(inputs)
    raise TypeError(f"crop-projection cannot read inputs of type {type(inputs).__name__}")


def lone_surrogate(text: str) -> int | None:
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as err:
        return err.start


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"{name}={value!r}: use one of {', '.join(choices)}{hint}")
    return value


def check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InputError(f"{name}={value!r}: use a whole number >= {low}")
    return value


def check_loader_sizes(batch_size: Any, num_workers: Any) -> None:
    if batch_size is not None:
        check_int("batch_size", batch_size, 1)
    if num_workers is not None:
        check_int("num_workers", num_workers, 0)
