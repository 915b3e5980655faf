"""What goes into the crop-projection pipeline: inputs as ``Pipeline.__call__`` takes them, option checks, and the
record of one input on its way through ``preprocess``, ``_forward`` and ``postprocess``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from ..base.errors import InputError
from ..core.languages import get_language
from ..core.tagging import Span
from ..core.text import Token
from ..translation.constrained import SlotPlacement
from .projection_options import ProjectionOptions, choice, unknown_option, whole

MODES = ("raw", "translate-train")
# the projection options a call may give one by one (the rest are load options) or whole, as options=
CALL_FIELDS = (*ProjectionOptions.MATCHING, *ProjectionOptions.FILTERS, *ProjectionOptions.DECODING)
# the pipeline's call options: its own, then the projection options
OPTIONS = ("src_lang", "tgt_lang", "mode", "options", *CALL_FIELDS, "return_stages", "batch_size", "num_workers")


def check_call_options(options: dict[str, Any], base: ProjectionOptions) -> tuple[dict[str, Any], dict[str, Any]]:
    """The options given, checked (one-line errors, before any model runs), as (preprocess, postprocess) params.

    The call's projection options, given whole (``options=ProjectionOptions(...)``), one by one, or both (the ones
    given one by one win), become one :class:`ProjectionOptions` over ``base`` (the pipeline's own), built and
    checked once per call: both steps receive it as ``settings`` and every item carries it. ``None`` means "not
    given", except for ``max_entities`` where it means "no limit".
    """
    unknown_option(options, OPTIONS)
    given = {k: v for k, v in options.items() if v is not None or k == "max_entities"}
    for key in ("src_lang", "tgt_lang"):
        if key in given:
            get_language(given[key])  # unknown codes fail here, with the known ones
    if "mode" in given:
        choice("mode", given["mode"], MODES)
    if "return_stages" in given and not isinstance(given["return_stages"], bool):
        raise TypeError(f"return_stages={given['return_stages']!r}: use True or False")
    given_whole = given.get("options")
    if given_whole is not None and not isinstance(given_whole, ProjectionOptions):
        raise TypeError(f"options={given_whole!r:.60}: pass a crop_hf.ProjectionOptions, or its fields one by one")
    start = (
        base
        if given_whole is None
        else dataclasses.replace(given_whole, decoding=given_whole.decoding or base.decoding)
    )
    settings = ProjectionOptions.from_mapping({k: v for k, v in given.items() if k in CALL_FIELDS}, start)
    pre = {k: v for k, v in given.items() if k in ("src_lang", "tgt_lang", "mode")}
    post = {k: v for k, v in given.items() if k == "return_stages"}
    return {**pre, "settings": settings}, {**post, "settings": settings}  # batch_size, num_workers: transformers'


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
    settings: ProjectionOptions | None = None  # the call's filter and decoding options
    placement: SlotPlacement | None = None  # constrained decoding: where the slots went in the raw sentence


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


def check_loader_sizes(batch_size: Any, num_workers: Any) -> None:
    if batch_size is not None:
        whole("batch_size", batch_size, 1)
    if num_workers is not None:
        whole("num_workers", num_workers, 0)
