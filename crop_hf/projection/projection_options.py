"""The settings of a projection in one object: their defaults, their checks and the "did you mean" of a misspelt one.

Every way into a projection reads :class:`ProjectionOptions`: a pipeline call takes one whole (``options=``) or its
fields one by one (``projector(texts, src_lang="es", max_words=64)``) and builds one object per call, ``crop-hf project`` takes its fields as flags, a recipe's
``projection:`` section is read into it, and :func:`~crop_hf.projection.corpus_projection.project_corpus` takes one::

    options = ProjectionOptions(strictness="fuzzy", check_raw_language=True)
    projector = pipeline("crop-projection", model="out/lst", **options.load_options())
    projector(texts, src_lang="es", options=options)  # carried whole to the filters, the decoding and matching
    ProjectionOptions.from_mapping({"max_word": 64})  # OptionError: unknown option max_word=64; did you mean max_words?

A bad value raises :class:`OptionError` (a ``ValueError``; a value of the wrong kind also a ``TypeError``) with the
option's ``name``, its ``value`` and the ``fix``; each caller words it its way (``--max_words 0``,
``projection.max_words=0``, ``max_words=0``). The check runs before any model loads.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ..base.errors import InputError
from ..core.filters import DEFAULT_MAX_ENTITIES, DEFAULT_MAX_WORDS
from ..core.language_id import DEFAULT_IDENTIFIER, IDENTIFIERS, check_identifier, resolve_candidates
from ..core.matching import DEFAULT_MIN_SCORE, STRICTNESS_LEVELS
from ..translation import BACKENDS

DECODINGS = ("free", "constrained")
DEFAULT_MIN_SLOT_SCORE = 0.0

DEFAULT_BATCH_SIZE = 32
DEFAULT_SHARD_SIZE = 1000
# None is a value of these
NULLABLE = frozenset({"max_entities", "langid_candidates", "backend", "compute_type", "decoding"})


class OptionError(InputError):
    """A projection option that cannot work: ``name``, ``value`` and ``fix`` (what to give instead)."""

    def __init__(self, name: str, value: Any, fix: str, message: str | None = None) -> None:
        super().__init__(message or f"{name}={value!r}: {fix}")
        self.name, self.value, self.fix = name, value, fix


class OptionTypeError(OptionError, TypeError):
    """A projection option of the wrong kind (text for a number, a number for True/False) or an unknown one."""


@dataclass(frozen=True)
class ProjectionOptions:
    """How raw sentences are projected: matching, the sentence filters, language identification, batching and the
    generation backend. Every field has CROP's default; the object is checked when made and is hashable.

    Args:
        strictness: How translated entities are matched into the raw sentence: exact, crop (CROP's own), fuzzy or
            align (the most lenient; each level tries the ones before it first).
        min_score: The least similarity a fuzzy match needs (0-1).
        max_words: Drop sentences longer than this many tokens (CROP: 128).
        max_entities: Drop sentences with more entities than this (the CROP release: 5); ``None``: no limit.
        check_language: Drop a sentence whose labeled back-translation is not in its language (CROP's filter).
        check_raw_language: Also drop raw sentences not in their language, before any model runs (for text whose
            language is not known, such as web text).
        language_identifier: ``langid`` (langid.py) or ``lingua`` (``crop-hf[lingua]``, drops fewer real sentences).
        langid_candidates: The codes the identifier chooses among (e.g. ``("es", "en")``); ``None``: all it knows.
        batch_size: Sentences per model batch.
        shard_size: Sentences per Parquet shard of a corpus projection (its unit of resume).
        backend: Generation backend of the MT and LST models: ``transformers`` or ``ctranslate2``
            (``crop-hf[ct2]``); ``None``: the one the pipeline was saved with.
        compute_type: CTranslate2's compute type (default: int8 on CPU, float16/bfloat16 on GPU).
        decoding: How the labeled back-translation is decoded: ``free`` (the paper's: the LST model writes any
            sentence, whose slots are then matched into the raw one) or ``constrained`` (it may write only the raw
            sentence's own tokens plus each slot's markers: the slots land in the raw sentence itself);
            ``None``: the one the pipeline was saved with (else free).
        min_slot_score: Constrained decoding: drop a sentence whose least confident slot the model scores below
            this (0-1: the lower of the geometric means of the model's probabilities of its markers where they were
            placed and of the raw words they wrap, :func:`~crop_hf.translation.constrained.slot_scores`).
    """

    strictness: Literal["exact", "crop", "fuzzy", "align"] = field(
        default="crop", metadata={"help": "How translated entities are matched into the raw sentence."}
    )
    min_score: float = field(default=DEFAULT_MIN_SCORE, metadata={"help": "Least similarity of a fuzzy match (0-1)."})
    max_words: int = field(
        default=DEFAULT_MAX_WORDS, metadata={"help": "Drop sentences longer than this (CROP: 128)."}
    )
    max_entities: int | None = field(
        default=DEFAULT_MAX_ENTITIES, metadata={"help": "Drop sentences with more entities (CROP release: 5)."}
    )
    check_language: bool = field(
        default=True, metadata={"help": "Drop sentences whose labeled back-translation is not in src_lang (CROP)."}
    )
    check_raw_language: bool = field(
        default=False,
        metadata={"help": "Also drop raw lines not in src_lang, before any model runs (text of unknown language)."},
    )
    language_identifier: Literal["langid", "lingua"] = field(
        default=DEFAULT_IDENTIFIER,
        metadata={"help": "langid (langid.py) or lingua (drops fewer real sentences: crop-hf[lingua])."},
    )
    langid_candidates: tuple[str, ...] | None = field(
        default=None, metadata={"help": "Comma-separated codes the identifier chooses among, e.g. 'es,en'."}
    )
    batch_size: int = field(default=DEFAULT_BATCH_SIZE, metadata={"help": "Sentences per model batch."})
    shard_size: int = field(
        default=DEFAULT_SHARD_SIZE, metadata={"help": "Sentences per Parquet shard (the unit of resume)."}
    )
    backend: Literal["transformers", "ctranslate2"] | None = field(
        default=None,
        metadata={"help": "Generation backend: transformers or ctranslate2 (crop-hf[ct2]); default: the saved one."},
    )
    compute_type: str | None = field(
        default=None, metadata={"help": "CTranslate2 compute type (default: int8 on CPU, float16/bfloat16 on GPU)."}
    )

    decoding: Literal["free", "constrained"] | None = field(
        default=None,
        metadata={
            "help": "free (the paper's) or constrained (only the raw sentence's tokens plus the slot markers); "
            "default: the pipeline's (free)."
        },
    )
    min_slot_score: float = field(
        default=DEFAULT_MIN_SLOT_SCORE,
        metadata={"help": "Constrained decoding: drop sentences whose least confident slot scores below this (0-1)."},
    )

    # which step of the pipeline reads each field
    MATCHING: ClassVar[tuple[str, ...]] = ("strictness", "min_score")  # postprocess
    FILTERS: ClassVar[tuple[str, ...]] = ("max_words", "max_entities", "check_language", "check_raw_language",
                                          "language_identifier", "langid_candidates")  # preprocess  # fmt: skip
    DECODING: ClassVar[tuple[str, ...]] = ("decoding", "min_slot_score")  # _forward and postprocess, via the item
    LOADING: ClassVar[tuple[str, ...]] = ("backend", "compute_type")  # pipeline("crop-projection", ...)
    # how a command line writes a field that argparse cannot read from its type
    CLI_TYPES: ClassVar[dict[str, Any]] = {"langid_candidates": lambda text: _codes(text)}

    def __post_init__(self) -> None:
        for name, value in check_values(dataclasses.asdict(self)).items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: ProjectionOptions | None = None) -> ProjectionOptions:
        """``base`` (default: the defaults) with ``values`` in place; an unknown name is an :class:`OptionError`
        that suggests the closest known one."""
        unknown_option(values, NAMES)
        return dataclasses.replace(base or cls(), **values)

    def recorded(self) -> dict[str, Any]:
        """The fields a projection's results depend on (matching, filters, decoding), as a run records them (a
        decoding of ``None`` is left out: the pipeline's own applies). A pipeline call takes the object whole:
        ``projector(texts, src_lang="es", options=options)``."""
        names = (*self.MATCHING, *self.FILTERS, *self.DECODING)
        return {name: getattr(self, name) for name in names if name != "decoding" or self.decoding is not None}

    def load_options(self) -> dict[str, Any]:
        """What ``pipeline("crop-projection", ...)`` takes: the backend and compute type that are set."""
        return {name: getattr(self, name) for name in self.LOADING if getattr(self, name) is not None}

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (candidates as a list)."""
        out = dataclasses.asdict(self)
        if out["langid_candidates"] is not None:
            out["langid_candidates"] = list(out["langid_candidates"])
        return out


def unknown_option(values: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """An :class:`OptionTypeError` for the first name in ``values`` that is not in ``known``, with the closest one."""
    for name, value in values.items():
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            fix = f"did you mean {close[0]}=?" if close else f"valid options: {', '.join(known)}"
            raise OptionTypeError(str(name), value, fix, f"unknown option {name}={value!r}; {fix}")


def check_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The given projection options (a subset of the fields), checked, as they are kept: ``min_score`` a float,
    ``langid_candidates`` a tuple. ``None`` is allowed where the field allows it (``max_entities``: no limit).
    Every name must be a field: callers reject unknown ones first (:func:`unknown_option`)."""
    out = dict(values)
    for name, value in values.items():
        if value is None:
            if name not in NULLABLE:
                raise OptionTypeError(name, value, f"give a value (default {getattr(DEFAULTS, name, None)!r})")
            continue
        out[name] = _CHECKS[name](name, value)
    if values.get("langid_candidates") is not None:  # the identifier's codes, for the identifier given
        identifier = out.get("language_identifier", DEFAULT_IDENTIFIER)
        try:
            resolve_candidates(out["langid_candidates"], identifier)
        except ValueError as err:  # codes the identifier does not know (a missing extra is not a ValueError)
            raise OptionError("langid_candidates", values["langid_candidates"], str(err)) from None
    return out


def choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``; else an :class:`OptionError` with the closest one."""
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise OptionError(name, value, f"use one of {', '.join(choices)}{hint}")
    return value


def whole(name: str, value: Any, low: int) -> int:
    """``value`` if it is a whole number >= ``low``; else an :class:`OptionError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise OptionError(name, value, f"use a whole number >= {low}")
    return value


# ----------------------------------------------------------------------------------------------- helpers


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise OptionTypeError(name, value, "use True or False")
    return value


def _score(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        default = DEFAULT_MIN_SCORE if name == "min_score" else DEFAULT_MIN_SLOT_SCORE
        raise OptionError(name, value, f"use a number between 0 and 1 (default {default})")
    return float(value)


def _identifier(name: str, value: Any) -> str:
    check_identifier(choice(name, value, IDENTIFIERS))  # lingua needs its extra: one line naming it
    return value


def _candidates(name: str, value: Any) -> tuple[str, ...]:
    if (
        isinstance(value, str)
        or not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(code, str) for code in value)
    ):
        raise OptionTypeError(name, value, "use a list of language codes, e.g. ['es', 'en']")
    return tuple(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise OptionTypeError(name, value, "give its name, e.g. 'int8'")
    return value


def _codes(text: str) -> tuple[str, ...]:
    """``"es, en"`` -> ``("es", "en")``: candidates as a command line writes them."""
    return tuple(code.strip() for code in text.split(",") if code.strip())


_CHECKS: dict[str, Any] = {
    "strictness": lambda name, value: choice(name, value, STRICTNESS_LEVELS),
    "min_score": _score,
    "max_words": lambda name, value: whole(name, value, 1),
    "max_entities": lambda name, value: whole(name, value, 1),
    "check_language": _flag,
    "check_raw_language": _flag,
    "language_identifier": _identifier,
    "langid_candidates": _candidates,
    "batch_size": lambda name, value: whole(name, value, 1),
    "shard_size": lambda name, value: whole(name, value, 1),
    "backend": lambda name, value: choice(name, value, tuple(BACKENDS)),
    "compute_type": _text,
    "decoding": lambda name, value: choice(name, value, DECODINGS),
    "min_slot_score": _score,
}

NAMES = tuple(f.name for f in dataclasses.fields(ProjectionOptions))
DEFAULTS = ProjectionOptions()
