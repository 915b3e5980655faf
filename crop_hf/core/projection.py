"""The model-free half of projection: result types, and turning a parsed back-translation into labels.

:class:`~crop_hf.projection.pipeline.CropProjectionPipeline` runs the models (MT, NER, LST); everything after the
labeled back-translation is parsed happens here, in plain Python: matching slotted entities into the raw
sentence (CROP direction) or reading the tags off the translation itself (translate-train direction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .matching import match_entities, matches_to_tags
from .slots import ParsedSlots
from .tagging import Span, spans_to_tags
from .text import Token

if TYPE_CHECKING:
    from ..translation.constrained import SlotPlacement

# Discard reasons (besides the filter names of crop_hf.core.filters).
UNMATCHED = "unmatched_entity"
SLOTS_LOST = "slots_lost"  # the back-translation lost or mangled a slot
EMPTY = "empty"
NOT_TRANSLATED = "not_translated"  # longer than the translation model accepts
WRONG_TYPE = "wrong_type"  # not a string (raw mode) or not a {"tokens", "tags"} example (translate-train)
UNDECODABLE = "undecodable"  # a string that is not valid Unicode text (a lone surrogate)
LANGID_ERROR = "langid_error"  # langid.py failed on this sentence
MODEL_ERROR = "model_error"  # a tokenizer or model failed on this sentence (the rest of its batch went on)
NO_PLACEMENT = "no_placement"  # constrained decoding: the slots cannot be placed (fewer words than entities)
LOW_SLOT_SCORE = "low_slot_score"  # constrained decoding: a slot the model placed with too little confidence


@dataclass
class ProjectedEntity:
    """An entity as the token-classification pipeline gives it, plus CROP's own fields.

    ``start``/``end`` are *character* offsets into the result's ``text`` (``text[start:end] == word``);
    ``token_start``/``token_end`` index its ``tokens`` (``[token_start, token_end)``); ``method`` says how the
    entity was matched (``exact``, ``crop``, ``fuzzy``, ``align``, ``slot`` in translate-train, or ``constrained``
    when constrained decoding placed it in the raw sentence, ``score`` then being the model's confidence; an entity
    constrained decoding found verbatim in the raw sentence and pinned there is ``exact``).
    """

    entity_group: str
    score: float
    word: str
    start: int
    end: int
    method: str
    token_start: int
    token_end: int


@dataclass
class ProjectionResult:
    """One input sentence after projection: labelled (``kept``) or discarded with its ``reason``."""

    text: str | None
    lang: str | None
    tokens: list[str]
    tags: list[str]
    entities: list[ProjectedEntity] = field(default_factory=list)
    kept: bool = False
    reason: str | None = None
    detail: str | None = None
    english: str | None = None  # the English side: the MT output (raw mode) or the given source (translate-train)
    labeled_translation: str | None = None  # the slot-wrapped output of the LST model

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def discard(
    text: str | None, lang: str | None, tokens: Sequence[Token], reason: str, detail: str | None = None, **extra: Any
) -> ProjectionResult:
    """A result for a sentence that was not labelled."""
    words = [t.text for t in tokens]
    return ProjectionResult(text, lang, words, ["O"] * len(words), kept=False, reason=reason, detail=detail, **extra)


def project_into_raw(
    text: str,
    lang: str,
    raw_tokens: Sequence[Token],
    english_spans: Sequence[Span],
    parsed: ParsedSlots,
    strictness: str,
    min_score: float,
    **extra: Any,
) -> ProjectionResult:
    """Match each slot of ``parsed`` into ``raw_tokens``; keep the sentence only when every entity is found."""
    entities = []
    for slot_id, span in enumerate(english_spans):
        phrase = parsed.span_tokens(slot_id)
        if phrase is None:
            return discard(text, lang, raw_tokens, SLOTS_LOST, f"slot {slot_id} ({span.label}) not in output", **extra)
        entities.append((phrase, span.label, slot_id))
    result = match_entities(raw_tokens, entities, lang, strictness=strictness, min_score=min_score)
    if not result.all_matched:
        missing = ", ".join(" ".join(entities[i][0]) for i in result.unmatched)
        return discard(text, lang, raw_tokens, UNMATCHED, f"not found in the raw sentence: {missing}", **extra)
    words = [t.text for t in raw_tokens]
    projected = [
        ProjectedEntity(m.label, round(float(m.score), 4), text[m.char_start : m.char_end], m.char_start, m.char_end,
                        m.method, m.start, m.end)
        for m in result.matches
    ]  # fmt: skip
    tags = matches_to_tags(result.matches, len(words))
    return ProjectionResult(text, lang, words, tags, projected, kept=True, **extra)


def place_into_raw(
    text: str,
    lang: str,
    raw_tokens: Sequence[Token],
    english_spans: Sequence[Span] | None,
    placement: SlotPlacement,
    min_slot_score: float,
    **extra: Any,
) -> ProjectionResult:
    """Constrained decoding: the raw tokens between each slot's markers are its entity (``placement``, from
    :class:`~crop_hf.translation.constrained.ConstrainedLabeler`); a slot scored below ``min_slot_score`` drops the
    sentence."""
    labels = [span.label for span in english_spans or []]
    weakest = min(range(len(placement.scores)), key=lambda i: placement.scores[i])
    if placement.scores[weakest] < min_slot_score:
        detail = f"slot {weakest} ({labels[weakest]}) scored {placement.scores[weakest]:.3f}"
        return discard(text, lang, raw_tokens, LOW_SLOT_SCORE, f"{detail} < min_slot_score {min_slot_score}", **extra)
    projected = []
    spans = []
    for slot_id, (start, end) in enumerate(placement.spans):
        label = labels[slot_id]
        first, last = raw_tokens[start], raw_tokens[end - 1]
        method = "exact" if placement.anchored[slot_id] else "constrained"
        projected.append(ProjectedEntity(label, placement.scores[slot_id], text[first.char_start : last.char_end],
                                         first.char_start, last.char_end, method, start, end))  # fmt: skip
        spans.append(Span(start, end, label))
    projected.sort(key=lambda e: e.token_start)
    words = [t.text for t in raw_tokens]
    return ProjectionResult(text, lang, words, spans_to_tags(spans, len(words)), projected, kept=True, **extra)


def label_translation(
    source_text: str, lang: str, english_spans: Sequence[Span], parsed: ParsedSlots, char_level: bool, **extra: Any
) -> ProjectionResult:
    """Translate-train: the target sentence is the LST output itself; its slots become its entities."""
    from .text import split_tokens

    label_of = {i: span.label for i, span in enumerate(english_spans)}
    kept_spans = [s for s in parsed.spans if s.slot_id in label_of]
    missing = sorted(set(label_of) - {s.slot_id for s in kept_spans})
    target_text = parsed.text if not char_level else "".join(parsed.tokens)
    if missing:
        words = split_tokens(target_text, char_level)
        return discard(target_text, lang, words, SLOTS_LOST, f"slots {missing} lost in translation", **extra)
    # re-tokenise each parsed word so that char-level targets are labelled per character
    tokens: list[str] = []
    offsets: list[int] = []
    for word in parsed.tokens:
        offsets.append(len(tokens))
        tokens.extend(t.text for t in split_tokens(word, char_level))
    offsets.append(len(tokens))
    spans = [Span(offsets[s.start], offsets[s.end], label_of[s.slot_id]) for s in kept_spans]
    sep = "" if char_level else " "
    char_starts = _char_starts(tokens, sep)
    entities = [
        ProjectedEntity(s.label, 1.0, sep.join(tokens[s.start : s.end]), char_starts[s.start],
                        char_starts[s.end - 1] + len(tokens[s.end - 1]), "slot", s.start, s.end)
        for s in sorted(spans, key=lambda s: s.start)
    ]  # fmt: skip
    text = sep.join(tokens)
    return ProjectionResult(text, lang, tokens, spans_to_tags(spans, len(tokens)), entities, kept=True, **extra)


def _char_starts(tokens: Sequence[str], sep: str) -> list[int]:
    starts, pos = [], 0
    for token in tokens:
        starts.append(pos)
        pos += len(token) + len(sep)
    return starts
