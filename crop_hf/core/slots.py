"""Slot markers: wrap entity spans in ``__SLOT{i}__ ... __SLOT{i}__`` and parse model output back.

Entity *i* of a sentence is surrounded by the same marker on both sides::

    __SLOT0__ Juan __SLOT0__ vive en __SLOT1__ Madrid __SLOT1__ .

:func:`wrap` is strict (its input is ours: bad spans raise). :func:`parse_slots` reads model output, which
can be anything, and never raises: it returns the spans it can trust and a list of what was malformed.
User text that contains marker look-alikes is escaped (:func:`escape_markers`) before wrapping, so it can
never be read back as a slot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .tagging import Span

SLOT_PREFIX = "__SLOT"
SLOT_SUFFIX = "__"
DEFAULT_MAX_SLOTS = 32

_MARKER = re.compile(r"__SLOT(\d+)__")
# Anything that reads like a marker once NFKC-normalised (fullwidth underscores), in any case or spacing.
_LOOKALIKE = re.compile(r"_{2}\s*SLOT\s*(\d+)\s*_{2}", re.IGNORECASE)
_ESCAPED = re.compile(r"⟦SLOT(\d+)⟧")

# Problem kinds reported by parse_slots, from "repaired" to "span discarded".
GLUED = "glued_marker"  # a marker stuck to a word, split off; the span is kept
OUT_OF_RANGE = "id_out_of_range"  # id >= max_slots; the marker is ignored
UNPAIRED = "unpaired"  # a marker opened and never closed; ignored
EMPTY = "empty_span"  # a pair with nothing between; ignored
REPEATED = "repeated_id"  # the same id closed twice: all its spans are dropped
OVERLAP = "overlap"  # nested or crossing pairs: every span involved is dropped
MISSING = "missing"  # an expected id never appeared


@dataclass(frozen=True)
class SlotSpan:
    """A parsed slot over ``tokens[start:end]`` of :class:`ParsedSlots`."""

    slot_id: int
    start: int
    end: int


@dataclass(frozen=True)
class SlotProblem:
    """One thing that was malformed in model output, and what the parser did about it."""

    kind: str
    slot_id: int | None
    detail: str


@dataclass
class ParsedSlots:
    """Model output split into words (markers removed) and the slot spans that can be trusted."""

    tokens: list[str]
    spans: list[SlotSpan]
    problems: list[SlotProblem] = field(default_factory=list)

    @property
    def well_formed(self) -> bool:
        return not self.problems

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def span_tokens(self, slot_id: int) -> list[str] | None:
        """The words inside slot ``slot_id``, or ``None`` when it was not parsed."""
        for span in self.spans:
            if span.slot_id == slot_id:
                return self.tokens[span.start : span.end]
        return None


def slot_marker(slot_id: int) -> str:
    """The marker string of slot ``slot_id``: ``__SLOT{slot_id}__``."""
    return f"{SLOT_PREFIX}{slot_id}{SLOT_SUFFIX}"


def slot_markers(max_slots: int = DEFAULT_MAX_SLOTS) -> list[str]:
    """All markers ``__SLOT0__`` .. ``__SLOT{max_slots-1}__`` (for tokenizer vocabularies)."""
    return [slot_marker(i) for i in range(max_slots)]


def escape_markers(text: str) -> str:
    """Make marker look-alikes in user text harmless: ``__SLOT3__`` becomes ``⟦SLOT3⟧``.

    Look-alikes are matched after NFKC normalisation (which SentencePiece applies too), in any case and with
    spaces inside, so fullwidth ``＿＿ＳＬＯＴ３＿＿`` is escaped as well. :func:`unescape_markers` restores the
    ASCII form.
    """
    if "SLOT" not in text.upper() and "ＳＬＯＴ" not in text.upper():
        return text
    normalised = unicodedata.normalize("NFKC", text)
    return _LOOKALIKE.sub(lambda m: f"⟦SLOT{m.group(1)}⟧", normalised)


def unescape_markers(text: str) -> str:
    """Inverse of :func:`escape_markers` for text it produced."""
    return _ESCAPED.sub(lambda m: slot_marker(int(m.group(1))), text)


def wrap_tokens(
    tokens: Sequence[str],
    spans: Sequence[Span] | Sequence[tuple[int, int]],
    max_slots: int = DEFAULT_MAX_SLOTS,
) -> list[str]:
    """Insert slot markers around ``spans`` (slot ids 0, 1, ... in the order given); tokens are escaped.

    Raises ``ValueError`` for spans that are empty, out of range or overlapping, or more than ``max_slots``.
    """
    bounds = [(s.start, s.end) if isinstance(s, Span) else (int(s[0]), int(s[1])) for s in spans]
    if len(bounds) > max_slots:
        raise ValueError(
            f"{len(bounds)} entities but only {max_slots} slots: raise max_slots or drop entities before wrapping"
        )
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    covered: set[int] = set()
    for slot_id, (start, end) in enumerate(bounds):
        if not 0 <= start < end <= len(tokens):
            raise ValueError(f"span {slot_id} = ({start}, {end}) is empty or outside the {len(tokens)} tokens")
        if covered.intersection(range(start, end)):
            raise ValueError(f"span {slot_id} = ({start}, {end}) overlaps another span; slots cannot nest")
        covered.update(range(start, end))
        opens.setdefault(start, []).append(slot_id)
        closes.setdefault(end, []).append(slot_id)
    out: list[str] = []
    for i, token in enumerate(tokens):
        out.extend(slot_marker(s) for s in closes.get(i, ()))
        out.extend(slot_marker(s) for s in opens.get(i, ()))
        out.append(escape_markers(token))
    out.extend(slot_marker(s) for s in closes.get(len(tokens), ()))
    return out


def wrap(
    tokens: Sequence[str], spans: Sequence[Span] | Sequence[tuple[int, int]], max_slots: int = DEFAULT_MAX_SLOTS
) -> str:
    """:func:`wrap_tokens` joined with spaces."""
    return " ".join(wrap_tokens(tokens, spans, max_slots=max_slots))


def join_tokens(tokens: Sequence[str], char_level: bool = False) -> str:
    """Write tokens as text: spaces between words, or none for character-level scripts (zh, ja, th, my).

    Slot markers always stand apart with spaces, so ``["__SLOT0__", "北", "京", "__SLOT0__"]`` reads
    ``"__SLOT0__ 北京 __SLOT0__"`` in character mode.
    """
    if not char_level:
        return " ".join(tokens)
    out: list[str] = []
    glue = False
    for token in tokens:
        marker = _MARKER.fullmatch(token) is not None
        if out and (marker or not glue):
            out.append(" ")
        out.append(token)
        glue = not marker
    return "".join(out)


def parse_slots(text: str, max_slots: int = DEFAULT_MAX_SLOTS, expected: Iterable[int] | None = None) -> ParsedSlots:
    """Split model output into words and trusted slot spans. Never raises.

    Rules, in order: markers glued to words are split off (``__SLOT0__Madrid``); ids ``>= max_slots`` are
    ignored; a marker opens its id, the next marker with the same id closes it; pairs with nothing inside,
    markers never closed, ids closed more than once, and pairs that nest or cross another pair are all
    reported and dropped. ``expected`` ids that end without a trusted span are reported as missing.
    """
    tokens: list[str] = []
    problems: list[SlotProblem] = []
    open_at: dict[int, int] = {}
    closed: dict[int, list[tuple[int, int]]] = {}
    for word in (text or "").split():
        pieces = [p for p in _MARKER.split(word)]
        if len(pieces) == 1:
            tokens.append(word)
            continue
        if any(pieces[0::2]):
            problems.append(SlotProblem(GLUED, None, f"marker glued to a word in {word!r}"))
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                if piece:
                    tokens.append(piece)
                continue
            slot_id = int(piece)
            if slot_id >= max_slots:
                problems.append(SlotProblem(OUT_OF_RANGE, slot_id, f"slot id {slot_id} >= max_slots {max_slots}"))
            elif slot_id in open_at:
                closed.setdefault(slot_id, []).append((open_at.pop(slot_id), len(tokens)))
            else:
                open_at[slot_id] = len(tokens)
    for slot_id in open_at:
        problems.append(SlotProblem(UNPAIRED, slot_id, f"slot {slot_id} opened and never closed"))
    spans = _trusted_spans(closed, problems)
    if expected is not None:
        found = {s.slot_id for s in spans}
        problems.extend(SlotProblem(MISSING, i, f"slot {i} not found") for i in sorted(set(expected) - found))
    return ParsedSlots(tokens=tokens, spans=spans, problems=problems)


def _trusted_spans(closed: dict[int, list[tuple[int, int]]], problems: list[SlotProblem]) -> list[SlotSpan]:
    candidates: list[SlotSpan] = []
    for slot_id, pairs in closed.items():
        non_empty = [(a, b) for a, b in pairs if b > a]
        if len(non_empty) < len(pairs):
            problems.append(SlotProblem(EMPTY, slot_id, f"slot {slot_id} encloses no words"))
        if len(non_empty) > 1:
            problems.append(SlotProblem(REPEATED, slot_id, f"slot {slot_id} appears {len(non_empty)} times"))
        elif non_empty:
            candidates.append(SlotSpan(slot_id, *non_empty[0]))
    candidates.sort(key=lambda s: (s.start, s.end))
    bad: set[int] = set()
    for i, a in enumerate(candidates):
        for b in candidates[i + 1 :]:
            if b.start >= a.end:
                break
            bad.update((a.slot_id, b.slot_id))
            problems.append(SlotProblem(OVERLAP, b.slot_id, f"slots {a.slot_id} and {b.slot_id} nest or cross"))
    return [s for s in candidates if s.slot_id not in bad]
